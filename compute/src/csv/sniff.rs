//! A look at the first bytes of a file: is it text at all, and which delimiter does it use.

use super::ImportErrorKind;

/// How much of the file's start is buffered before deciding the delimiter.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// The delimiters tried when none is given, in order of preference on ties.
pub(crate) const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// The most lines the delimiter vote looks at.
const SNIFF_LINES: usize = 100;

struct Magic {
    prefix: &'static [u8],
    looks_like: &'static str,
    advice: &'static str,
}

const CHOOSE_CSV: &str = "choose a CSV or TSV file";
const SAVE_AS_CSV: &str = "if it is a spreadsheet, save it as CSV first";

const MAGIC_NUMBERS: &[Magic] = &[
    Magic {
        prefix: b"\x89PNG\r\n\x1a\n",
        looks_like: "a PNG image",
        advice: CHOOSE_CSV,
    },
    Magic {
        prefix: b"\xff\xd8\xff",
        looks_like: "a JPEG image",
        advice: CHOOSE_CSV,
    },
    Magic {
        prefix: b"GIF87a",
        looks_like: "a GIF image",
        advice: CHOOSE_CSV,
    },
    Magic {
        prefix: b"GIF89a",
        looks_like: "a GIF image",
        advice: CHOOSE_CSV,
    },
    Magic {
        prefix: b"%PDF-",
        looks_like: "a PDF document",
        advice: CHOOSE_CSV,
    },
    Magic {
        prefix: b"PK\x03\x04",
        looks_like: "a ZIP archive, which is also how Excel .xlsx workbooks are stored",
        advice: SAVE_AS_CSV,
    },
    Magic {
        prefix: b"PK\x05\x06",
        looks_like: "a ZIP archive",
        advice: CHOOSE_CSV,
    },
    Magic {
        prefix: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        looks_like: "an Excel .xls workbook",
        advice: SAVE_AS_CSV,
    },
    Magic {
        prefix: b"\x1f\x8b",
        looks_like: "a gzip archive",
        advice: "decompress it first",
    },
    Magic {
        prefix: b"PAR1",
        looks_like: "a Parquet file",
        advice: CHOOSE_CSV,
    },
];

/// Rejects files that are clearly not UTF-8 text, from their first bytes.
pub(crate) fn check_text(start: &[u8]) -> Result<(), ImportErrorKind> {
    if let Some(magic) = MAGIC_NUMBERS
        .iter()
        .find(|magic| start.starts_with(magic.prefix))
    {
        return Err(ImportErrorKind::NotText {
            reason: format!("it starts like {}", magic.looks_like),
            advice: magic.advice,
        });
    }
    if start.starts_with(b"\xff\xfe") || start.starts_with(b"\xfe\xff") {
        return Err(ImportErrorKind::Utf16);
    }
    let n_nul = start.iter().filter(|&&byte| byte == 0).count();
    if n_nul > 0 {
        // UTF-16 text without a byte order mark: ASCII characters with a NUL beside each.
        let n_pairs = start.len() / 2;
        let odd_nul = start.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        let even_nul = start.iter().step_by(2).filter(|&&b| b == 0).count();
        if n_pairs > 0 && (odd_nul * 10 >= n_pairs * 9 || even_nul * 10 >= n_pairs * 9) {
            return Err(ImportErrorKind::Utf16);
        }
        return Err(ImportErrorKind::NotText {
            reason: "it contains NUL bytes".to_string(),
            advice: CHOOSE_CSV,
        });
    }
    Ok(())
}

/// Picks the candidate delimiter whose count per line (outside quotes) is most consistent
/// over the first lines, then the most frequent, among those present on the first line. A file with no candidate at all is one
/// column; `.tsv`/`.tab` files then default to tab, others to comma.
pub(crate) fn sniff_delimiter(start: &[u8], complete: bool, file_name: &str) -> u8 {
    let mut counts: Vec<[usize; 4]> = Vec::new();
    let mut line = [0usize; 4];
    let mut in_quotes = false;
    let mut line_has_content = false;
    for &byte in start {
        match byte {
            b'"' => {
                in_quotes = !in_quotes;
                line_has_content = true;
            }
            b'\n' if !in_quotes => {
                if line_has_content {
                    counts.push(line);
                    if counts.len() == SNIFF_LINES {
                        break;
                    }
                }
                line = [0; 4];
                line_has_content = false;
            }
            b'\r' => {}
            _ if !in_quotes => {
                if let Some(slot) = CANDIDATE_DELIMITERS.iter().position(|&d| d == byte) {
                    line[slot] += 1;
                }
                line_has_content = true;
            }
            _ => line_has_content = true,
        }
    }
    // An unfinished last line counts when it is all we have or the file ends there.
    if line_has_content && (complete || counts.is_empty()) && counts.len() < SNIFF_LINES {
        counts.push(line);
    }

    let mut best: Option<(usize, usize, usize)> = None; // (consistent lines, mode, slot)
    for slot in 0..CANDIDATE_DELIMITERS.len() {
        let mut frequency: Vec<(usize, usize)> = Vec::new(); // (count per line, lines)
        for line in &counts {
            match frequency.iter_mut().find(|(count, _)| *count == line[slot]) {
                Some((_, lines)) => *lines += 1,
                None => frequency.push((line[slot], 1)),
            }
        }
        let Some(&(mode, lines)) = frequency
            .iter()
            .max_by_key(|&&(count, lines)| (lines, count))
        else {
            continue;
        };
        // The delimiter separates the first line's fields too (a header or the first
        // record), which rules out a character that only shows up in some values.
        if mode == 0 || counts[0][slot] == 0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((best_lines, best_mode, _)) => (lines, mode) > (best_lines, best_mode),
        };
        if better {
            best = Some((lines, mode, slot));
        }
    }
    match best {
        Some((_, _, slot)) => CANDIDATE_DELIMITERS[slot],
        None => {
            let lower = file_name.to_ascii_lowercase();
            if lower.ends_with(".tsv") || lower.ends_with(".tab") {
                b'\t'
            } else {
                b','
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: u8) {
        assert_eq!(
            sniff_delimiter(text.as_bytes(), true, "data.csv") as char,
            expected as char,
            "{text:?}"
        );
    }

    #[test]
    fn sniffs_delimiters() {
        check("a,b,c\n1,2,3\n4,5,6\n", b',');
        check("a\tb\n1\t2\n", b'\t');
        check("a;b\n1,5;2,5\n3,25;4,75\n", b';');
        check("a|b|c\n1|2|3\n", b'|');
        check("text,label\n\"hello; there\",1\n\"a;b;c\",0\n", b',');
        check("a,b\n\"x\ny,z\",1\n", b',');
        check("single\n1\n2\n", b',');
        check("c0\ns|\n", b',');
        assert_eq!(sniff_delimiter(b"single\n1\n", true, "x.TSV"), b'\t');
        // Only complete lines vote while more of the file is coming.
        assert_eq!(sniff_delimiter(b"a;b\n1;2\n3,4,5,6", false, "x"), b';');
    }

    #[test]
    fn recognizes_binary_files() {
        let reason = |bytes: &[u8]| match check_text(bytes) {
            Err(ImportErrorKind::NotText { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reason(b"\x89PNG\r\n\x1a\n...."),
            "it starts like a PNG image"
        );
        assert_eq!(reason(b"%PDF-1.7"), "it starts like a PDF document");
        assert_eq!(reason(b"a,b\n1,\0"), "it contains NUL bytes");
        assert!(reason(b"PK\x03\x04").contains("xlsx"));
        assert_eq!(check_text(b"\xff\xfea\0,\0"), Err(ImportErrorKind::Utf16));
        assert_eq!(check_text(b"a\0,\0b\0\n\0"), Err(ImportErrorKind::Utf16));
        assert_eq!(check_text("a,b\ncafé,1\n".as_bytes()), Ok(()));
    }
}

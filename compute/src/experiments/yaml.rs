//! The flat YAML of MLflow's `meta.yaml` files: one mapping of scalars, read and written by hand.
//!
//! Why by hand: MLflow writes these files with PyYAML's `safe_dump` as one flat mapping of
//! about fifteen scalars (`run_id: 1c6b…`, `experiment_id: '0'`, `status: 3`,
//! `end_time: null`, `tags: []`). `serde_yaml` is deprecated, its forks are young, and a
//! full YAML parser in the worker's wasm would weigh far more than the subset needed
//! here. The subset read: `key: value` lines with plain, single-quoted and double-quoted
//! scalars (continued on indented lines, as PyYAML folds long text), `null`/`~`/empty,
//! `|` and `>` block text, comments; a nested block or a flow collection (`[]`, `{}`,
//! older MLflow's `tags:` list) is skipped as [`Scalar::Nested`]. Anything else is an
//! error naming the line.

use std::collections::BTreeMap;

/// One value of the mapping.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scalar {
    Null,
    /// Plain text (`3`, `active`): what YAML would type by its look.
    Plain(String),
    /// Quoted or block text: always a string.
    Quoted(String),
    /// A collection, skipped.
    Nested,
}

/// A parsed file: each key with its value and 1-based line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Mapping {
    pub entries: BTreeMap<String, (Scalar, usize)>,
}

impl Mapping {
    /// The text of `key`, `None` when absent or null.
    pub fn text(&self, key: &str) -> Option<(&str, usize)> {
        match self.entries.get(key)? {
            (Scalar::Plain(text) | Scalar::Quoted(text), line) => Some((text, *line)),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct YamlError {
    pub line: usize,
    pub message: String,
}

fn fail<T>(line: usize, message: impl Into<String>) -> Result<T, YamlError> {
    Err(YamlError {
        line,
        message: message.into(),
    })
}

/// Parses a flat mapping; see the module documentation for the subset.
pub(crate) fn parse(text: &str) -> Result<Mapping, YamlError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut mapping = Mapping::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let number = i + 1;
        let trimmed = line.trim_end();
        if trimmed.trim_start().is_empty()
            || trimmed.trim_start().starts_with('#')
            || trimmed == "---"
            || trimmed == "..."
        {
            i += 1;
            continue;
        }
        if line.starts_with([' ', '\t']) || line.starts_with('-') {
            return fail(number, "expected `key: value` at the start of the line");
        }
        let Some((key, rest)) = split_key(trimmed) else {
            return fail(number, "expected `key: value`");
        };
        i += 1;
        // Indented lines (and, for an empty value, `- ` items) continue this entry.
        let start = i;
        let empty = rest.trim().is_empty();
        while i < lines.len() {
            let next = lines[i];
            let continues = next.starts_with([' ', '\t'])
                || next.trim().is_empty()
                || (empty && next.starts_with('-') && next != "---");
            if !continues {
                break;
            }
            i += 1;
        }
        let mut continuation: Vec<&str> = lines[start..i].to_vec();
        while continuation.last().is_some_and(|l| l.trim().is_empty()) {
            continuation.pop();
        }
        let value = scalar(rest.trim(), &continuation, number)?;
        if mapping
            .entries
            .insert(key.to_string(), (value, number))
            .is_some()
        {
            return fail(number, format!("key `{key}` appears twice"));
        }
    }
    Ok(mapping)
}

/// `key: value` → (`key`, `value`); the key is plain text without `: `.
fn split_key(line: &str) -> Option<(&str, &str)> {
    let (key, rest) = match line.find(": ") {
        Some(at) => (&line[..at], &line[at + 2..]),
        None => (line.strip_suffix(':')?, ""),
    };
    let key = key.trim();
    (!key.is_empty() && !key.contains(['\'', '"', '#', '[', '{'])).then_some((key, rest))
}

fn scalar(first: &str, continuation: &[&str], line: usize) -> Result<Scalar, YamlError> {
    let Some(lead) = first.chars().next() else {
        return Ok(if continuation.is_empty() {
            Scalar::Null
        } else {
            Scalar::Nested
        });
    };
    match lead {
        '[' | '{' => Ok(Scalar::Nested),
        '\'' | '"' => {
            let mut text = first.to_string();
            for more in continuation {
                text.push('\n');
                text.push_str(more);
            }
            quoted(&text, lead, line).map(Scalar::Quoted)
        }
        '|' | '>' => {
            let body: Vec<&str> = continuation.iter().map(|l| l.trim()).collect();
            let joiner = if lead == '|' { "\n" } else { " " };
            let mut text = body.join(joiner);
            if !first.ends_with('-') && !text.is_empty() {
                text.push('\n');
            }
            Ok(Scalar::Quoted(text))
        }
        _ => {
            let mut parts = vec![strip_comment(first)];
            parts.extend(continuation.iter().map(|l| strip_comment(l.trim())));
            let text = parts
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            Ok(match text.as_str() {
                "null" | "Null" | "NULL" | "~" => Scalar::Null,
                _ => Scalar::Plain(text),
            })
        }
    }
}

fn strip_comment(text: &str) -> &str {
    match text.find(" #") {
        Some(at) => text[..at].trim_end(),
        None if text.starts_with('#') => "",
        None => text,
    }
}

/// A single- or double-quoted scalar spanning `text` (continuation lines joined by `\n`),
/// folded as YAML folds: a line break becomes a space, an empty line a `\n`.
fn quoted(text: &str, quote: char, line: usize) -> Result<String, YamlError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return fail(line, format!("the text opened with {quote} is not closed"));
        };
        match c {
            c if c == quote && quote == '\'' && chars.get(i + 1) == Some(&'\'') => {
                out.push('\'');
                i += 2;
            }
            c if c == quote => {
                let rest: String = chars[i + 1..].iter().collect();
                let rest = strip_comment(rest.trim());
                if !rest.is_empty() {
                    return fail(line, format!("unexpected `{rest}` after the quoted text"));
                }
                return Ok(out);
            }
            '\n' => {
                // Fold: trailing spaces before the break and the next line's indent go;
                // one break is a space, each further (empty) line a newline.
                while out.ends_with([' ', '\t']) {
                    out.pop();
                }
                let mut breaks = 0;
                while let Some(&next) = chars.get(i) {
                    if next == '\n' {
                        breaks += 1;
                        i += 1;
                    } else if next == ' ' || next == '\t' {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if breaks == 1 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', breaks - 1));
                }
            }
            '\\' if quote == '"' => {
                let Some(&escaped) = chars.get(i + 1) else {
                    return fail(line, "the text ends in the middle of an escape");
                };
                i += 2;
                let hex = |n: usize, i: &mut usize| -> Result<char, YamlError> {
                    let digits: String = chars.get(*i..*i + n).unwrap_or(&[]).iter().collect();
                    *i += n;
                    u32::from_str_radix(&digits, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .map_or_else(
                            || fail(line, format!("`{digits}` is not a character code")),
                            Ok,
                        )
                };
                match escaped {
                    'n' => out.push('\n'),
                    't' | '\t' => out.push('\t'),
                    'r' => out.push('\r'),
                    '0' => out.push('\0'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'e' => out.push('\u{1b}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    ' ' => out.push(' '),
                    '/' => out.push('/'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'N' => out.push('\u{85}'),
                    '_' => out.push('\u{a0}'),
                    'L' => out.push('\u{2028}'),
                    'P' => out.push('\u{2029}'),
                    'x' => out.push(hex(2, &mut i)?),
                    'u' => out.push(hex(4, &mut i)?),
                    'U' => out.push(hex(8, &mut i)?),
                    '\n' => {
                        // An escaped line break joins the lines without a space.
                        while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
                            i += 1;
                        }
                    }
                    other => return fail(line, format!("unknown escape `\\{other}`")),
                }
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
}

/// A value to write.
#[derive(Clone, Debug)]
pub(crate) enum Out<'a> {
    Text(&'a str),
    Int(i64),
    Null,
    EmptyList,
}

/// A flat mapping in PyYAML's `safe_dump` layout (keys sorted). Text is always quoted,
/// single quotes unless it holds a line break or a control character, so no value is
/// mistaken for a number, a boolean or null.
pub(crate) fn write(entries: &[(&str, Out<'_>)]) -> String {
    let mut sorted: Vec<&(&str, Out<'_>)> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::new();
    for (key, value) in sorted {
        out.push_str(key);
        out.push_str(": ");
        match value {
            Out::Text(text) => write_text(&mut out, text),
            Out::Int(number) => out.push_str(&number.to_string()),
            Out::Null => out.push_str("null"),
            Out::EmptyList => out.push_str("[]"),
        }
        out.push('\n');
    }
    out
}

fn write_text(out: &mut String, text: &str) {
    if text.chars().any(char::is_control) {
        out.push('"');
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    } else {
        out.push('\'');
        out.push_str(&text.replace('\'', "''"));
        out.push('\'');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What MLflow 2.x writes for a run (from its FileStore), with a folded long name.
    const RUN_META: &str =
        "artifact_uri: file:///tmp/mlruns/0/1c6b2d5b909041df93e6e00b960de019/artifacts
end_time: 1721450907230
entry_point_name: ''
experiment_id: '0'
lifecycle_stage: active
run_id: 1c6b2d5b909041df93e6e00b960de019
run_name: a very long run name that PyYAML folds onto the next line once it passes
  eighty characters
run_uuid: 1c6b2d5b909041df93e6e00b960de019
source_name: ''
source_type: 4
source_version: ''
start_time: 1721450907221
status: 3
tags: []
user_id: ann # the user
deleted_time: null
";

    #[test]
    fn reads_what_mlflow_writes() {
        let mapping = parse(RUN_META).unwrap();
        assert_eq!(mapping.text("experiment_id"), Some(("0", 4)));
        assert_eq!(mapping.text("status"), Some(("3", 14)));
        assert_eq!(mapping.text("entry_point_name"), Some(("", 3)));
        assert_eq!(
            mapping.text("run_name").unwrap().0,
            "a very long run name that PyYAML folds onto the next line once it passes eighty characters"
        );
        assert_eq!(mapping.text("user_id"), Some(("ann", 16)));
        assert_eq!(mapping.entries["tags"].0, Scalar::Nested);
        assert_eq!(mapping.entries["deleted_time"].0, Scalar::Null);
    }

    #[test]
    fn nested_blocks_and_quotes() {
        let text = "tags:\n- key: a\n  value: b\nname: \"tab\\there \\u00e9 \\\"q\\\"\"\nsingle: 'it''s'\nfolded: 'one\n  two\n\n  three'\nblock: |\n  a\n  b\n";
        let mapping = parse(text).unwrap();
        assert_eq!(mapping.entries["tags"].0, Scalar::Nested);
        assert_eq!(mapping.text("name").unwrap().0, "tab\there é \"q\"");
        assert_eq!(mapping.text("single").unwrap().0, "it's");
        assert_eq!(mapping.text("folded").unwrap().0, "one two\nthree");
        assert_eq!(mapping.text("block").unwrap().0, "a\nb\n");
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse("a: 1\n  - x\nb c\n").unwrap_err().line, 3);
        assert_eq!(parse("a: 'open\n").unwrap_err().line, 1);
        assert_eq!(parse("a: 1\na: 2\n").unwrap_err().line, 2);
        assert_eq!(
            parse("a: \"\\q\"\n").unwrap_err().message,
            "unknown escape `\\q`"
        );
    }

    #[test]
    fn writes_what_it_reads() {
        let texts = [
            "plain",
            "it's",
            "two\nlines",
            "tab\tand \"quotes\" and \\",
            "",
            "0",
            "null",
            "ünïcode →",
            "  spaced  ",
        ];
        for text in texts {
            let written = write(&[("key", Out::Text(text)), ("n", Out::Int(-3))]);
            let mapping = parse(&written).unwrap_or_else(|e| panic!("{written}: {e:?}"));
            assert_eq!(mapping.text("key").unwrap().0, text, "{written}");
            assert_eq!(mapping.text("n").unwrap().0, "-3");
        }
        assert_eq!(
            write(&[("b", Out::Null), ("a", Out::EmptyList)]),
            "a: []\nb: null\n"
        );
    }
}

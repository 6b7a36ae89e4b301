//! Each broken file under `e2e/fixtures/broken/` fails with the message a user should read.
//! The Playwright suite imports the same files through the UI and looks for the same words.

use compute::csv::{read_csv, CsvImporter, CsvOptions};

const BROKEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../e2e/fixtures/broken/");

fn message(file_name: &str) -> String {
    let bytes = std::fs::read(format!("{BROKEN}{file_name}"))
        .unwrap_or_else(|error| panic!("fixture {file_name}: {error}"));
    let whole = read_csv(file_name, &bytes, CsvOptions::default())
        .map(|imported| format!("imported {} rows", imported.frame.n_rows()))
        .unwrap_or_else(|error| error.to_string());
    // Streaming in small pieces must fail the same way.
    let mut importer = CsvImporter::new(file_name, CsvOptions::default());
    let streamed = bytes
        .chunks(3)
        .try_for_each(|chunk| importer.push(chunk))
        .and_then(|()| importer.finish().map(|_| ()))
        .map(|()| "imported".to_string())
        .unwrap_or_else(|error| error.to_string());
    assert_eq!(
        streamed, whole,
        "{file_name}: streamed and whole reads disagree"
    );
    whole
}

/// Each fixture and its full message; `e2e/fixtures/broken/README.md` lists the fragments
/// the browser tests look for.
#[test]
fn broken_files_explain_themselves() {
    let cases = [
        (
            "empty.csv",
            "empty.csv: the file is empty; choose a file with a header row and at least one data row",
        ),
        (
            "header_only.csv",
            "header_only.csv: the file has a header row but no data rows; add rows below the header",
        ),
        (
            "ragged.csv",
            "ragged.csv, row 4: has 5 fields, expected 4 like the first row; check this row for a \
             missing or extra delimiter, or quote fields that contain one",
        ),
        (
            "ragged_short.csv",
            "ragged_short.csv, row 3: has 3 fields, expected 4 like the first row; check this row \
             for a missing or extra delimiter, or quote fields that contain one",
        ),
        (
            "latin1.csv",
            "latin1.csv, row 3, column \"dish\": not valid UTF-8 (byte 0xE9); save the file as \
             UTF-8 and import it again",
        ),
        (
            "image.csv",
            "image.csv: does not look like a text file (it starts like a PNG image); choose a CSV \
             or TSV file",
        ),
        (
            "unterminated_quote.csv",
            "unterminated_quote.csv: a quoted field opened on row 3 is never closed; add the \
             missing closing quote (\")",
        ),
        (
            "duplicate_columns.csv",
            "duplicate_columns.csv, row 1: column name \"x\" appears twice (columns 2 and 4); \
             rename one",
        ),
    ];
    for (file_name, expected) in cases {
        assert_eq!(message(file_name), expected, "{file_name}");
    }
}

#[test]
fn every_fixture_is_covered() {
    let mut names: Vec<String> = std::fs::read_dir(BROKEN)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".csv"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "duplicate_columns.csv",
            "empty.csv",
            "header_only.csv",
            "image.csv",
            "latin1.csv",
            "ragged.csv",
            "ragged_short.csv",
            "unterminated_quote.csv"
        ]
    );
}

//! Reader tests on small inline inputs; real files and fixtures are in `tests/csv_*.rs`.

use super::*;
use crate::schema::ColumnType;

/// The frame as text: `name:type` per column, then one line per row with `∅` for missing.
fn render(imported: &Imported) -> String {
    let frame = &imported.frame;
    let mut lines = vec![frame
        .columns()
        .iter()
        .map(|column| format!("{}:{}", column.name(), column.column_type().label()))
        .collect::<Vec<_>>()
        .join(" ")];
    for row in frame.row_window(0, frame.n_rows()) {
        lines.push(
            row.into_iter()
                .map(|cell| match cell {
                    Some(text) => text.replace('\r', "\\r").replace('\n', "\\n"),
                    None => "∅".to_string(),
                })
                .collect::<Vec<_>>()
                .join(" | "),
        );
    }
    lines.join("\n")
}

/// Reads `input` with default options and compares the rendered frame.
fn check(input: &str, expect: &str) {
    check_with(input, CsvOptions::default(), expect);
}

fn check_with(input: &str, options: CsvOptions, expect: &str) {
    let imported = read_csv("test.csv", input.as_bytes(), options)
        .unwrap_or_else(|error| panic!("{input:?}: {error}"));
    let expect = expect
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(render(&imported), expect, "input {input:?}");
}

fn error(input: &[u8]) -> String {
    match read_csv("test.csv", input, CsvOptions::default()) {
        Ok(imported) => panic!(
            "{:?} read without error:\n{}",
            String::from_utf8_lossy(input),
            render(&imported)
        ),
        Err(error) => error.to_string(),
    }
}

#[test]
fn reads_types_and_missing_values() {
    check(
        "id,x,ok,day,at,name\n\
         1,1.5,true,2013-01-01,2013-01-01T10:00:00Z,ann\n\
         2,NA,false,,2013-01-01 10:30,N/A\n\
         3,-2e3,TRUE,2013/01/03,NaN,\"bo, b\"\n",
        "id:integer x:float ok:boolean day:date at:datetime name:string
         1 | 1.5 | true | 2013-01-01 | 2013-01-01 10:00:00 | ann
         2 | ∅ | false | ∅ | 2013-01-01 10:30:00 | ∅
         3 | -2000 | true | 2013-01-03 | ∅ | bo, b",
    );
}

#[test]
fn categorical_when_few_distinct_values() {
    let mut input = String::from("species,id\n");
    for index in 0..60 {
        let species = ["Adelie", "Gentoo", "Chinstrap"][index % 3];
        input.push_str(&format!("{species},s{index}\n"));
    }
    let imported = read_csv("p.csv", input.as_bytes(), CsvOptions::default()).unwrap();
    let types: Vec<_> = imported
        .frame
        .column_summaries()
        .into_iter()
        .map(|summary| summary.column_type)
        .collect();
    assert_eq!(types, [ColumnType::Categorical, ColumnType::String]);
}

#[test]
fn quoting_line_endings_and_bom() {
    check(
        "\u{feff}a,b\r\n\"x\"\"y\",\"multi\r\nline\"\r\n,\"\"\r\n",
        "a:string b:string
         x\"y | multi\\r\\nline
         ∅ | ∅",
    );
    check("a;b\n1,5;x\n2,5;y\n", "a:string b:string\n1,5 | x\n2,5 | y");
    check_with(
        "a|b\n1|2\n",
        CsvOptions {
            delimiter: Some(b'|'),
            has_header: None,
        },
        "a:integer b:integer\n1 | 2",
    );
    check("a\tb\n1\t2\n", "a:integer b:integer\n1 | 2");
    check("a,b\n1,2", "a:integer b:integer\n1 | 2");
}

#[test]
fn header_detection() {
    // Text above numbers: a header.
    check(
        "age,name\n30,ann\n40,bob\n",
        "age:integer name:string\n30 | ann\n40 | bob",
    );
    // Numbers all the way down: no header.
    check(
        "1,2\n3,4\n",
        "column_1:integer column_2:integer\n1 | 2\n3 | 4",
    );
    // All text: assumed to be a header, like pandas.
    check("a,b\nx,y\n", "a:string b:string\nx | y");
    // A pandas index column without a name still reads as a header.
    check(",a\n0,x\n1,y\n", "column_1:integer a:string\n0 | x\n1 | y");
    // A repeated category in the first row is data.
    check(
        "x,1\ny,2\nx,3\ny,4\n",
        "column_1:categorical column_2:integer\nx | 1\ny | 2\nx | 3\ny | 4",
    );
    check_with(
        "a,b\n1,2\n",
        CsvOptions {
            delimiter: None,
            has_header: Some(false),
        },
        "column_1:string column_2:string\na | b\n1 | 2",
    );
    let imported = read_csv("t.csv", b"1,2\n3,4\n", CsvOptions::default()).unwrap();
    assert!(!imported.has_header);
    assert!(
        imported.warnings[0].contains("looks like data"),
        "{:?}",
        imported.warnings
    );
}

#[test]
fn blank_lines_are_skipped_with_a_warning() {
    let imported = read_csv(
        "t.csv",
        b"a,b\n1,2\n\n\n3,4\n  \n5,6\n\n",
        CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(imported.frame.n_rows(), 3);
    assert_eq!(
        imported.warnings,
        vec!["skipped 3 blank lines (the first on row 3)".to_string()]
    );
}

#[test]
fn errors_name_the_place_and_the_fix() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "test.csv: the file is empty"),
        (b"\n\n  \n", "test.csv: the file is empty"),
        (b"\xef\xbb\xbf", "test.csv: the file is empty"),
        (
            b"a,b\n",
            "test.csv: the file has a header row but no data rows",
        ),
        (
            b"a,b\n1,2\n3,4,5\n",
            "test.csv, row 3: has 3 fields, expected 2 like the first row",
        ),
        (
            b"a,b\n1,2\n\n3\n",
            "test.csv, row 4: has 1 fields, expected 2",
        ),
        (
            b"a,b\n1,\"x\ny\"\n2,caf\xe9\n",
            "test.csv, row 4, column \"b\": not valid UTF-8 (byte 0xE9); save the file as UTF-8",
        ),
        (
            b"caf\xe9,b\n1,2\n",
            "test.csv, row 1: not valid UTF-8 (byte 0xE9)",
        ),
        (
            b"a,b\n1,2\n3,\"open\nmore\n",
            "test.csv: a quoted field opened on row 3 is never closed",
        ),
        (
            b"a,\"b\n1,2\n",
            "test.csv: a quoted field opened on row 1 is never closed",
        ),
        (
            b"x,y,z,x\n1,2,3,4\n",
            "test.csv, row 1: column name \"x\" appears twice (columns 1 and 4); rename one",
        ),
        (
            b"\x89PNG\r\n\x1a\n\0\0",
            "does not look like a text file (it starts like a PNG image)",
        ),
    ];
    for (input, fragment) in cases {
        let message = error(input);
        assert!(
            message.contains(fragment),
            "input {:?}\n got: {message}\nwant: {fragment}",
            String::from_utf8_lossy(input)
        );
        assert!(!message.ends_with('.'), "{message}");
    }
}

#[test]
fn a_character_split_across_two_fields_is_invalid() {
    // Each field alone is invalid UTF-8 even though the record's bytes are valid together
    // (as they are once csv-core has dropped the quotes and the delimiter).
    for input in [&b"a,b\nx\xc3,\xa9y\n"[..], b"a,b\n\"x\xc3\",\xa9y\n"] {
        assert!(
            error(input).contains("row 2, column \"a\": not valid UTF-8 (byte 0xC3)"),
            "{}",
            error(input)
        );
    }
}

#[test]
fn the_size_guard_points_to_the_cli() {
    check_import_size("big.csv", MAX_IMPORT_BYTES).unwrap();
    let message = check_import_size("big.csv", MAX_IMPORT_BYTES + (1 << 29))
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "big.csv: the file is 1.5 GB, more than the 1 GB the browser can import; \
         use the native command-line tool for bigger files"
    );
}

#[test]
fn errors_stick_after_a_failed_push() {
    let mut importer = CsvImporter::new("t.csv", CsvOptions::default());
    // Too short to decide while streaming; finishing decides.
    importer.push(b"\x89PNG\r\n\x1a\n").unwrap();
    let error = importer.finish().unwrap_err();
    assert!(matches!(error.kind, ImportErrorKind::NotText { .. }));

    let mut importer = CsvImporter::new("t.csv", CsvOptions::default());
    let mut body = b"a,b\n".to_vec();
    body.resize(SNIFF_BYTES, b'\n');
    body.extend_from_slice(b"1,2,3\n");
    let error = importer.push(&body).unwrap_err();
    assert_eq!(error.row, Some(SNIFF_BYTES as u64 - 2));
    assert_eq!(importer.push(b"4,5\n").unwrap_err(), error);
    assert_eq!(importer.finish().unwrap_err(), error);
}

#[test]
fn progress_counters() {
    let mut importer = CsvImporter::new("t.csv", CsvOptions::default());
    let mut body = b"a,b\n".to_vec();
    while body.len() < 2 * SNIFF_BYTES {
        body.extend_from_slice(b"1,2\n");
    }
    importer.push(&body[..10]).unwrap();
    assert_eq!((importer.bytes_consumed(), importer.rows_read()), (10, 0));
    importer.push(&body[10..]).unwrap();
    assert_eq!(importer.bytes_consumed(), body.len() as u64);
    assert_eq!(importer.rows_read(), (body.len() / 4) as u64);
    let imported = importer.finish().unwrap();
    assert_eq!(imported.frame.n_rows(), body.len() / 4 - 1);
}

#[test]
fn chunk_size_one_gives_the_same_frame() {
    let input =
        "\u{feff}name,note,n\r\n\"é, ü\",\"two\r\nlines\",1\r\n\r\nzoë,\"\"\"q\"\"\",2\r\nx,,3";
    let whole = read_csv("t.csv", input.as_bytes(), CsvOptions::default()).unwrap();
    let mut importer = CsvImporter::new("t.csv", CsvOptions::default());
    for byte in input.as_bytes() {
        importer.push(std::slice::from_ref(byte)).unwrap();
    }
    let bytewise = importer.finish().unwrap();
    assert_eq!(bytewise.frame.content_hash(), whole.frame.content_hash());
    assert_eq!(bytewise.warnings, whole.warnings);
    assert_eq!(render(&bytewise), render(&whole));
    assert_eq!(
        render(&whole),
        "name:string note:string n:integer\né, ü | two\\r\\nlines | 1\nzoë | \"q\" | 2\nx | ∅ | 3"
    );

    // Errors are also found whatever the chunking.
    let broken = b"a,b\n1,2\n3,caf\xe9\n4,\"open\n";
    let mut importer = CsvImporter::new("t.csv", CsvOptions::default());
    let mut result = Ok(());
    for byte in broken {
        result = result.and_then(|()| importer.push(std::slice::from_ref(byte)));
    }
    let error = result
        .and_then(|()| importer.finish().map(|_| ()))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        super::read_csv("t.csv", broken, CsvOptions::default())
            .unwrap_err()
            .to_string()
    );
}

#[test]
fn empty_pushes_do_not_end_the_file() {
    let mut body = b"a,b\n".to_vec();
    while body.len() < SNIFF_BYTES + 10 {
        body.extend_from_slice(b"1,2\n");
    }
    let mut importer = CsvImporter::new("t.csv", CsvOptions::default());
    importer.push(&[]).unwrap();
    // Exactly fills the sniffing buffer, then nothing, then the rest.
    importer.push(&body[..SNIFF_BYTES]).unwrap();
    importer.push(&[]).unwrap();
    importer.push(&body[SNIFF_BYTES..]).unwrap();
    let imported = importer.finish().unwrap();
    assert_eq!(imported.frame.n_rows(), body.len() / 4 - 1);
}

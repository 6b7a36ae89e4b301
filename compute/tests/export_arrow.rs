//! Arrow IPC export: files written by `export::write_arrow` read back through arrow's own
//! file reader to the same schema and values (and through pyarrow when it is installed).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int64Array, RecordBatch,
    StringArray, TimestampMillisecondArray,
};
use arrow_ipc::reader::FileReader;
use arrow_schema::SchemaRef;
use compute::csv::{read_csv, CsvOptions};
use compute::export::write_arrow;
use compute::frame::{Column, Frame, TYPE_METADATA_KEY};
use compute::schema::ColumnType;

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");

const COLUMN_TYPES: [ColumnType; 7] = [
    ColumnType::Integer,
    ColumnType::Float,
    ColumnType::Boolean,
    ColumnType::String,
    ColumnType::Categorical,
    ColumnType::Date,
    ColumnType::Datetime,
];

fn read_dataset(relative: &str) -> Frame {
    let path = Path::new(DATASETS).join(relative);
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    read_csv(relative, &bytes, CsvOptions::default())
        .unwrap_or_else(|error| panic!("{error}"))
        .frame
}

/// Reads an Arrow file with arrow's reader: its schema and its batches.
fn read_arrow(bytes: &[u8]) -> (SchemaRef, Vec<RecordBatch>) {
    let reader = FileReader::try_new(std::io::Cursor::new(bytes), None).unwrap();
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>().unwrap();
    (schema, batches)
}

/// The frame the batches hold, typed by the `studio.type` metadata.
fn frame_of(schema: &SchemaRef, batches: &[RecordBatch]) -> Frame {
    let columns = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let label = &field.metadata()[TYPE_METADATA_KEY];
            let column_type = COLUMN_TYPES
                .into_iter()
                .find(|t| t.label() == label)
                .unwrap();
            let parts: Vec<&dyn arrow_array::Array> = batches
                .iter()
                .map(|batch| batch.column(index).as_ref())
                .collect();
            let array = if parts.is_empty() {
                arrow_array::new_empty_array(field.data_type())
            } else {
                arrow_select::concat::concat(&parts).unwrap()
            };
            Column::new(field.name().clone(), column_type, array).unwrap()
        })
        .collect();
    Frame::new(columns).unwrap()
}

/// Writes, reads back with arrow, and checks the schema and the content hash (which covers
/// every value, with its type). Returns the file.
fn assert_round_trip(frame: &Frame) -> Vec<u8> {
    let bytes = write_arrow(frame).unwrap();
    assert_eq!(&bytes[..6], b"ARROW1", "the IPC file magic");
    let (schema, batches) = read_arrow(&bytes);
    assert_eq!(schema, frame.arrow_schema());
    assert!(batches.iter().all(|batch| batch.num_rows() <= 64 * 1024));
    let back = frame_of(&schema, &batches);
    assert_eq!(back.n_rows(), frame.n_rows());
    assert_eq!(back.content_hash(), frame.content_hash());
    bytes
}

fn column(name: &str, column_type: ColumnType, array: ArrayRef) -> Column {
    Column::new(name, column_type, array).unwrap()
}

fn every_type() -> Frame {
    let texts = ["plain", "", "two\nlines", "=SUM(A1)", "naïve ☕ 😀", "x"];
    let n = texts.len();
    Frame::new(vec![
        column(
            "id",
            ColumnType::Integer,
            Arc::new(Int64Array::from(vec![
                Some(i64::MIN),
                None,
                Some(0),
                Some(1),
                Some(i64::MAX),
                Some(-7),
            ])),
        ),
        column(
            "x",
            ColumnType::Float,
            Arc::new(Float64Array::from(vec![
                Some(-0.0),
                Some(f64::INFINITY),
                Some(f64::NAN),
                None,
                Some(1e-300),
                Some(0.1),
            ])),
        ),
        column(
            "flag",
            ColumnType::Boolean,
            Arc::new(BooleanArray::from(vec![
                Some(true),
                Some(false),
                None,
                Some(true),
                None,
                Some(false),
            ])),
        ),
        column(
            "text",
            ColumnType::String,
            Arc::new(StringArray::from(
                texts
                    .iter()
                    .enumerate()
                    .map(|(row, t)| (row != 5).then_some(*t))
                    .collect::<Vec<_>>(),
            )),
        ),
        column(
            "island",
            ColumnType::Categorical,
            Arc::new(
                (0..n)
                    .map(|row| [Some("Biscoe"), Some("Dream"), None][row % 3])
                    .collect::<DictionaryArray<Int32Type>>(),
            ),
        ),
        column(
            "day",
            ColumnType::Date,
            Arc::new(Date32Array::from(vec![
                Some(15_706),
                None,
                Some(-1),
                Some(0),
                Some(20_000),
                Some(1),
            ])),
        ),
        column(
            "at",
            ColumnType::Datetime,
            Arc::new(TimestampMillisecondArray::from(vec![
                Some(1_356_998_400_000),
                Some(-1),
                None,
                Some(0),
                Some(1_700_000_000_123),
                Some(86_400_001),
            ])),
        ),
    ])
    .unwrap()
}

#[test]
fn every_type_round_trips() {
    assert_round_trip(&every_type());
}

#[test]
fn empty_frames_round_trip() {
    assert_round_trip(&Frame::new(Vec::new()).unwrap());
    let no_rows = Frame::new(vec![column(
        "a",
        ColumnType::Categorical,
        Arc::new(DictionaryArray::<Int32Type>::from_iter(
            Vec::<Option<&str>>::new(),
        )),
    )])
    .unwrap();
    let bytes = assert_round_trip(&no_rows);
    assert!(read_arrow(&bytes).1.is_empty());
}

#[test]
fn datasets_round_trip_in_several_batches() {
    assert_round_trip(&read_dataset("multiclass/penguins.csv"));
    // 327,346 rows: six batches, the categorical columns' dictionaries shared between them.
    let flights = read_dataset("regression/nycflights13_arr_delay.csv");
    let bytes = assert_round_trip(&flights);
    assert_eq!(
        read_arrow(&bytes).1.len(),
        flights.n_rows().div_ceil(64 * 1024)
    );
}

const PYARROW_CHECK: &str = r#"
import json, sys
import pyarrow.ipc as ipc
table = ipc.open_file(sys.argv[1]).read_all()
print(json.dumps({
    "num_rows": table.num_rows,
    "names": table.column_names,
    "types": [str(f.type) for f in table.schema],
    "studio_types": [f.metadata[b"studio.type"].decode() for f in table.schema],
    "null_counts": [table.column(i).null_count for i in range(table.num_columns)],
    "id_sum": sum(v for v in table.column("id").to_pylist() if v is not None),
    "text": table.column("text").to_pylist(),
    "island": [None if v is None else str(v) for v in table.column("island").to_pylist()],
}))
"#;

/// pyarrow (what pandas and polars users read Arrow files with) reads the file to the same
/// values; skipped, saying so, where pyarrow is not installed (`PYARROW_PYTHON=/path/to/python`
/// names an interpreter that has it, e.g. a virtualenv's).
#[test]
fn pyarrow_reads_the_file() {
    let python = std::env::var("PYARROW_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let has_pyarrow = Command::new(&python)
        .args(["-c", "import pyarrow"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !has_pyarrow {
        eprintln!("skipped: pyarrow is not installed for {python}");
        return;
    }
    let mut frame = every_type();
    // pyarrow sums Python ints: keep the sum inside i64.
    let ids: ArrayRef = Arc::new(Int64Array::from(vec![
        Some(5),
        None,
        Some(0),
        Some(1),
        Some(2),
        Some(-7),
    ]));
    let mut columns = frame.columns().to_vec();
    columns[0] = column("id", ColumnType::Integer, ids);
    frame = Frame::new(columns).unwrap();
    let path = std::env::temp_dir().join(format!("studio-export-{}.arrow", std::process::id()));
    std::fs::write(&path, write_arrow(&frame).unwrap()).unwrap();
    let out = Command::new(&python)
        .args(["-c", PYARROW_CHECK])
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["num_rows"], 6);
    assert_eq!(
        read["names"],
        serde_json::json!(["id", "x", "flag", "text", "island", "day", "at"])
    );
    assert_eq!(
        read["types"],
        serde_json::json!([
            "int64",
            "double",
            "bool",
            "string",
            "dictionary<values=string, indices=int32, ordered=0>",
            "date32[day]",
            "timestamp[ms]"
        ])
    );
    let labels: Vec<&str> = COLUMN_TYPES.iter().map(|t| t.label()).collect();
    assert_eq!(
        read["studio_types"],
        serde_json::json!([
            labels[0], labels[1], labels[2], labels[3], labels[4], labels[5], labels[6]
        ])
    );
    // NaN is a value in Arrow, not a null.
    assert_eq!(
        read["null_counts"],
        serde_json::json!([1, 1, 2, 1, 2, 1, 1])
    );
    assert_eq!(read["id_sum"], 1);
    assert_eq!(
        read["text"],
        serde_json::json!(["plain", "", "two\nlines", "=SUM(A1)", "naïve ☕ 😀", null])
    );
    assert_eq!(
        read["island"],
        serde_json::json!(["Biscoe", "Dream", null, "Biscoe", "Dream", null])
    );
}

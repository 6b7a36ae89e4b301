//! The reader on the project's real datasets: shapes, inferred types and missing counts.

use std::path::{Path, PathBuf};

use compute::csv::{read_csv, CsvImporter, CsvOptions, Imported};
use compute::frame::Frame;
use compute::schema::ColumnType;

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");

fn read(relative: &str) -> Imported {
    let path = Path::new(DATASETS).join(relative);
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    read_csv(relative, &bytes, CsvOptions::default()).unwrap_or_else(|error| panic!("{error}"))
}

fn types(frame: &Frame) -> Vec<(String, ColumnType, u64)> {
    frame
        .column_summaries()
        .into_iter()
        .map(|summary| (summary.name, summary.column_type, summary.missing_count))
        .collect()
}

fn column(name: &str, column_type: ColumnType, missing_count: u64) -> (String, ColumnType, u64) {
    (name.to_string(), column_type, missing_count)
}

#[test]
fn penguins() {
    use ColumnType::*;
    let imported = read("multiclass/penguins.csv");
    assert!(imported.has_header);
    assert_eq!(imported.delimiter, b',');
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    let frame = &imported.frame;
    assert_eq!((frame.n_rows(), frame.n_cols()), (344, 8));
    assert_eq!(
        types(frame),
        vec![
            column("species", Categorical, 0),
            column("island", Categorical, 0),
            column("bill_length_mm", Float, 2),
            column("bill_depth_mm", Float, 2),
            column("flipper_length_mm", Float, 2),
            column("body_mass_g", Float, 2),
            column("sex", Categorical, 11),
            column("year", Integer, 0),
        ]
    );
    let first = frame.row_window(0, 1).remove(0);
    let first: Vec<&str> = first
        .iter()
        .map(|cell| cell.as_deref().unwrap_or("∅"))
        .collect();
    assert_eq!(
        first,
        [
            "Adelie",
            "Torgersen",
            "39.1",
            "18.7",
            "181",
            "3750",
            "male",
            "2007"
        ]
    );
}

#[test]
fn iris() {
    let frame = read("multiclass/iris.csv").frame;
    assert_eq!((frame.n_rows(), frame.n_cols()), (150, 5));
    assert_eq!(
        frame.column("species").unwrap().column_type(),
        ColumnType::Categorical
    );
    assert_eq!(
        frame.column("sepal length (cm)").unwrap().column_type(),
        ColumnType::Float
    );
}

#[test]
fn nycflights13() {
    use ColumnType::*;
    let frame = read("regression/nycflights13_arr_delay.csv").frame;
    assert_eq!((frame.n_rows(), frame.n_cols()), (327_346, 16));
    let found: Vec<(std::string::String, ColumnType)> = types(&frame)
        .into_iter()
        .map(|(name, column_type, _)| (name, column_type))
        .collect();
    let expected = [
        ("month", Integer),
        ("day", Integer),
        ("dep_time", Float),
        ("sched_dep_time", Integer),
        ("dep_delay", Float),
        ("sched_arr_time", Integer),
        ("arr_delay", Float),
        ("carrier", Categorical),
        ("flight", Integer),
        ("tailnum", String),
        ("origin", Categorical),
        ("dest", Categorical),
        ("distance", Integer),
        ("hour", Integer),
        ("minute", Integer),
        ("time_hour", Datetime),
    ]
    .map(|(name, column_type)| (name.to_string(), column_type));
    assert_eq!(found, expected);
    assert_eq!(
        frame.row_window(0, 1)[0][15].as_deref(),
        Some("2013-01-01 10:00:00")
    );
}

#[test]
fn dates_in_time_series() {
    let frame = read("timeseries/air_passengers.csv").frame;
    assert_eq!(
        frame.column("month").unwrap().column_type(),
        ColumnType::Date
    );
    assert_eq!(frame.row_window(0, 1)[0][0].as_deref(), Some("1949-01-01"));
}

fn all_csv_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all_csv_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "csv") {
            found.push(path);
        }
    }
}

/// Every shared CSV reads without error, with as many rows as pandas finds: for files
/// without quotes that is the line count minus the header; the files with quoted fields
/// (some spanning lines) have pandas' counts written down.
#[test]
fn every_shared_dataset_reads() {
    let mut paths = Vec::new();
    all_csv_files(Path::new(DATASETS), &mut paths);
    paths.sort();
    assert!(paths.len() >= 19, "found only {} CSV files", paths.len());
    let pandas_rows = [
        ("health_tweets.csv", 63_326),
        ("spam_assassin.csv", 6_046),
        ("reference_scores.csv", 63),
    ];
    for path in paths {
        let file_name = path.file_name().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let imported = read_csv(&file_name, &bytes, CsvOptions::default())
            .unwrap_or_else(|error| panic!("{error}"));
        let n_rows = imported.frame.n_rows();
        let expected = match pandas_rows.iter().find(|(name, _)| *name == file_name) {
            Some(&(_, rows)) => rows,
            None => {
                assert!(
                    !bytes.contains(&b'"'),
                    "{file_name} has quotes: add pandas' count"
                );
                bytes.iter().filter(|&&byte| byte == b'\n').count() - 1
            }
        };
        assert_eq!(n_rows, expected, "{file_name}");
        assert!(imported.has_header, "{file_name}");
        assert!(
            imported.warnings.is_empty(),
            "{file_name}: {:?}",
            imported.warnings
        );
    }
}

#[test]
fn streamed_penguins_match_and_survive_storage() {
    let path = Path::new(DATASETS).join("multiclass/penguins.csv");
    let bytes = std::fs::read(path).unwrap();
    let whole = read_csv("penguins.csv", &bytes, CsvOptions::default())
        .unwrap()
        .frame;
    for chunk_bytes in [1, 7, 100, 4096] {
        let mut importer = CsvImporter::new("penguins.csv", CsvOptions::default());
        for chunk in bytes.chunks(chunk_bytes) {
            importer.push(chunk).unwrap();
        }
        assert_eq!(importer.bytes_consumed(), bytes.len() as u64);
        let streamed = importer.finish().unwrap().frame;
        assert_eq!(
            streamed.content_hash(),
            whole.content_hash(),
            "chunks of {chunk_bytes}"
        );
    }
    let chunks = whole.to_ipc_chunks(100).unwrap();
    assert_eq!(chunks.len(), 4);
    let slices: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
    let stored = Frame::from_ipc_chunks(&slices).unwrap();
    assert_eq!(stored.content_hash(), whole.content_hash());
    assert_eq!(stored.column_summaries(), whole.column_summaries());
}

/// Past the first 64 KiB (where the delimiter is sniffed), records and quoted fields that
/// span lines are cut by chunk boundaries everywhere.
#[test]
fn streamed_large_files_match() {
    for (relative, chunk_bytes) in [
        ("regression/ames_housing.csv", 997),
        ("text/health_tweets.csv", 65_537),
        ("text/spam_assassin.csv", 300_007),
    ] {
        let bytes = std::fs::read(Path::new(DATASETS).join(relative)).unwrap();
        let whole = read_csv(relative, &bytes, CsvOptions::default())
            .unwrap()
            .frame;
        let mut importer = CsvImporter::new(relative, CsvOptions::default());
        for chunk in bytes.chunks(chunk_bytes) {
            importer.push(chunk).unwrap();
        }
        let streamed = importer.finish().unwrap().frame;
        assert_eq!(streamed.n_rows(), whole.n_rows(), "{relative}");
        assert_eq!(streamed.content_hash(), whole.content_hash(), "{relative}");
    }
}

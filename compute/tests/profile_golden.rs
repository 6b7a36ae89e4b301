//! Profiles of real datasets against pandas and numpy: `describe()` statistics, quantiles,
//! skew and kurtosis, `nunique()`, `value_counts()`, `duplicated().sum()`, `corr()` and
//! `numpy.histogram(bins=20)`, as written by `tests/golden/make_profile_golden.py`.
//! Floats agree to 1e-9 relative, counts exactly.

use std::path::Path;

use compute::csv::{read_csv, CsvOptions};
use compute::profile::{profile, ColumnProfile, DatasetProfile, Histogram, ProfileOptions};
use compute::schema::ColumnType;
use serde_json::Value;

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");

fn close(ours: f64, theirs: f64) -> bool {
    (ours - theirs).abs() <= 1e-9 * ours.abs().max(theirs.abs()) + 1e-12
}

fn assert_close(ours: Option<f64>, theirs: &Value, what: &str) {
    match (ours, theirs.as_f64()) {
        (Some(ours), Some(theirs)) => {
            assert!(close(ours, theirs), "{what}: ours {ours}, pandas {theirs}")
        }
        (None, None) => {}
        (ours, _) => panic!("{what}: ours {ours:?}, pandas {theirs}"),
    }
}

fn count(value: &Value) -> u64 {
    value.as_u64().expect("a count")
}

/// Profiles `relative` (no sampling) and checks it against `profile_<name>.json`.
fn check(name: &str) -> DatasetProfile {
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(GOLDEN).join(format!("profile_{name}.json"))).unwrap(),
    )
    .unwrap();
    let relative = golden["file"].as_str().unwrap();
    let bytes = std::fs::read(Path::new(DATASETS).join(relative)).unwrap();
    let frame = read_csv(relative, &bytes, CsvOptions::default())
        .unwrap()
        .frame;
    let options = ProfileOptions {
        max_rows: None,
        ..ProfileOptions::default()
    };
    let ours = profile(&frame, &options);

    assert_eq!(ours.n_rows, count(&golden["n_rows"]), "{name}: n_rows");
    assert_eq!(ours.n_cols, count(&golden["n_cols"]), "{name}: n_cols");
    assert_eq!(ours.sampled_rows, None);
    assert_eq!(
        ours.duplicate_rows,
        count(&golden["duplicate_rows"]),
        "{name}: duplicates"
    );
    let columns = golden["columns"].as_array().unwrap();
    assert_eq!(ours.columns.len(), columns.len());
    for (column, expected) in ours.columns.iter().zip(columns) {
        check_column(name, column, expected);
    }
    assert_eq!(
        ours.missing_cells,
        columns
            .iter()
            .map(|column| count(&column["missing"]))
            .sum::<u64>()
    );

    let corr = &golden["corr"];
    let names: Vec<&str> = corr["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    assert_eq!(
        ours.correlations.columns, names,
        "{name}: correlation columns"
    );
    for (i, row) in corr["values"].as_array().unwrap().iter().enumerate() {
        for (j, theirs) in row.as_array().unwrap().iter().enumerate() {
            let what = format!("{name}: corr({}, {})", names[i], names[j]);
            assert_close(ours.correlations.values[i][j], theirs, &what);
        }
    }
    ours
}

fn check_column(dataset: &str, ours: &ColumnProfile, expected: &Value) {
    let what = format!("{dataset}.{}", ours.name);
    assert_eq!(ours.name, expected["name"].as_str().unwrap());
    assert_eq!(ours.count, count(&expected["count"]), "{what}: count");
    assert_eq!(ours.missing, count(&expected["missing"]), "{what}: missing");
    assert_eq!(
        ours.distinct,
        count(&expected["n_unique"]),
        "{what}: n_unique"
    );
    assert!(!ours.distinct_is_approximate, "{what}");

    // Our top values must be pandas' value_counts head, ties at the cut in either order.
    let value_counts = expected["value_counts"].as_array().unwrap();
    let numeric = matches!(ours.column_type, ColumnType::Integer | ColumnType::Float);
    for (rank, top) in ours.top_values.iter().enumerate() {
        assert_eq!(
            top.count,
            count(&value_counts[rank][1]),
            "{what}: count of top value {rank}"
        );
        let found = value_counts.iter().any(|pair| {
            count(&pair[1]) == top.count
                && if numeric {
                    pair[0].as_f64() == top.value.parse::<f64>().ok()
                } else {
                    pair[0].as_str() == Some(top.value.as_str())
                }
        });
        assert!(
            found,
            "{what}: top value {:?} x {} not in pandas' counts",
            top.value, top.count
        );
    }
    if ours.top_values.is_empty() {
        assert!(numeric, "{what}: no top values");
        assert!(
            ours.distinct > 50 && count(&value_counts[0][1]) * 10 < ours.count,
            "{what}"
        );
    } else {
        assert_eq!(ours.top_values.len(), value_counts.len().min(10), "{what}");
    }

    if let Some(stats) = expected.get("numeric") {
        assert!(
            numeric,
            "{what}: pandas reads it as a number, we as {:?}",
            ours.column_type
        );
        let summary = ours.numeric.as_ref().expect("numeric summary");
        assert_close(ours.min, &stats["min"], &format!("{what}: min"));
        assert_close(ours.max, &stats["max"], &format!("{what}: max"));
        assert_close(summary.mean, &stats["mean"], &format!("{what}: mean"));
        assert_close(summary.std, &stats["std"], &format!("{what}: std"));
        let q = &summary.quantiles;
        for (key, ours_q) in [
            ("p01", q.p01),
            ("p05", q.p05),
            ("p25", q.p25),
            ("p50", q.p50),
            ("p75", q.p75),
            ("p95", q.p95),
            ("p99", q.p99),
        ] {
            assert_close(ours_q, &stats[key], &format!("{what}: {key}"));
        }
        assert_close(summary.skewness, &stats["skew"], &format!("{what}: skew"));
        assert_close(summary.kurtosis, &stats["kurt"], &format!("{what}: kurt"));
        assert_eq!(summary.zeros, count(&stats["zeros"]), "{what}: zeros");
        assert_eq!(summary.infinite, 0);

        let Some(Histogram::Bins { edges, counts }) = &ours.histogram else {
            panic!("{what}: no histogram bins");
        };
        let histogram = &expected["histogram"];
        let expected_counts: Vec<u64> = histogram["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(count)
            .collect();
        assert_eq!(counts, &expected_counts, "{what}: histogram counts");
        let expected_edges = histogram["edges"].as_array().unwrap();
        assert_eq!(edges.len(), expected_edges.len());
        for (edge, theirs) in edges.iter().zip(expected_edges) {
            assert_close(Some(*edge), theirs, &format!("{what}: histogram edge"));
        }
    } else {
        assert!(!numeric, "{what}: pandas reads it as text");
        let lengths = &expected["text_lengths"];
        let ours_lengths = ours.text_lengths.as_ref().expect("text lengths");
        assert_eq!(ours_lengths.min, count(&lengths["min"]), "{what}: shortest");
        assert_eq!(ours_lengths.max, count(&lengths["max"]), "{what}: longest");
        assert_close(
            Some(ours_lengths.mean),
            &lengths["mean"],
            &format!("{what}: mean length"),
        );
        let Some(Histogram::Bars { bars, other_count }) = &ours.histogram else {
            panic!("{what}: no bars");
        };
        assert_eq!(
            bars.iter().map(|bar| bar.count).sum::<u64>() + other_count,
            ours.count
        );
    }
}

#[test]
fn penguins() {
    let profile = check("penguins");
    // Penguins are small: the memory figure is the Arrow buffers, a few kilobytes.
    assert!(profile.memory_bytes > 10_000 && profile.memory_bytes < 200_000);
    let sex = profile.column("sex").unwrap();
    assert_eq!(sex.column_type, ColumnType::Categorical);
    assert_eq!(sex.missing, 11);
}

#[test]
fn diabetes() {
    check("diabetes");
}

#[test]
fn breast_cancer() {
    check("breast_cancer");
}

#[test]
fn telco_churn() {
    check("telco_churn");
}

/// Whether two JSON trees are equal, floats within 1e-15 relative: serde_json without its
/// `float_roundtrip` feature may read a float back one ulp off.
fn json_close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-15 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_close(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| json_close(x, y)))
        }
        _ => a == b,
    }
}

/// A profile is a boundary type: it survives JSON (no NaN or infinity inside).
#[test]
fn profile_round_trips_through_json() {
    let profile = check("penguins");
    let text = serde_json::to_string(&profile).unwrap();
    let back: DatasetProfile = serde_json::from_str(&text).unwrap();
    assert!(json_close(
        &serde_json::to_value(&back).unwrap(),
        &serde_json::to_value(&profile).unwrap()
    ));
    assert_eq!(back.columns.len(), profile.columns.len());
    assert_eq!(
        back.column("sex").unwrap().top_values,
        profile.column("sex").unwrap().top_values
    );
}

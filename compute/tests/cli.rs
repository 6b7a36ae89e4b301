//! The `studio` command gives what the browser gets: its profile JSON and transformed files
//! equal the library functions' results in-process; its errors name the file and set the
//! exit code. Built only with `--features cli`.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use compute::csv::{read_csv, CsvOptions};
use compute::frame::Frame;
use compute::profile::{insights, profile, ProfileOptions};
use compute::recipe::Recipe;

const PENGUINS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/datasets/multiclass/penguins.csv"
);

fn studio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_studio"))
        .args(args)
        .output()
        .expect("the studio binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn read(path: &Path) -> Frame {
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    read_csv(&path.to_string_lossy(), &bytes, CsvOptions::default())
        .unwrap_or_else(|error| panic!("{error}"))
        .frame
}

/// A directory of its own per test, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("studio-cli-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temp dir harms nothing.
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn expected_profile_json(target: Option<&str>) -> String {
    let frame = read(Path::new(PENGUINS));
    let dataset_profile = profile(&frame, &ProfileOptions::default());
    let mut report = insights(&frame, &dataset_profile, target).unwrap();
    compute::profile::attach_quick_model(&mut report, &frame, dataset_profile.sample_seed);
    format!(
        "{{\"profile\":{},\"insights\":{}}}\n",
        serde_json::to_string(&dataset_profile).unwrap(),
        serde_json::to_string(&report).unwrap()
    )
}

#[test]
fn profile_json_equals_in_process() {
    let output = studio(&["profile", PENGUINS, "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), expected_profile_json(None));
}

/// With a classification target the feature powers may differ in the last bit between
/// processes: `profile::power::balanced_accuracy` sums per-class recalls in `HashMap`
/// order, which std seeds randomly per process. Until that sum runs in class order, the
/// comparison allows a few ULPs; everything else must be identical.
#[test]
fn profile_json_with_target_equals_in_process() {
    let output = studio(&["profile", PENGUINS, "--target", "species", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let found: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&expected_profile_json(Some("species"))).unwrap();
    assert_json_close(&found, &expected, "$");
    assert_eq!(found["insights"]["target"]["column"], "species");
    let quick = &found["insights"]["target"]["quick_model"];
    assert!(quick["score"].as_f64().unwrap() > 0.9, "{quick}");
}

fn assert_json_close(found: &serde_json::Value, expected: &serde_json::Value, path: &str) {
    use serde_json::Value;
    match (found, expected) {
        (Value::Number(a), Value::Number(b)) if a != b => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(b.abs()),
                "{path}: {a} != {b}"
            );
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}");
            for (index, (a, b)) in a.iter().zip(b).enumerate() {
                assert_json_close(a, b, &format!("{path}[{index}]"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            assert!(a.keys().eq(b.keys()), "{path}: keys differ");
            for (key, a) in a {
                assert_json_close(a, &b[key], &format!("{path}.{key}"));
            }
        }
        (a, b) => assert_eq!(a, b, "{path}"),
    }
}

#[test]
fn profile_table_lists_columns_and_insights() {
    let output = studio(&["profile", PENGUINS]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    let line = table
        .lines()
        .find(|line| line.starts_with("bill_length_mm "))
        .unwrap_or_else(|| panic!("no bill_length_mm row in\n{table}"));
    let cells: Vec<&str> = line.split_whitespace().collect();
    // name, type, count, missing, distinct, mean, std, min, max
    assert_eq!(
        cells[..4],
        ["bill_length_mm", "float", "342", "2"],
        "{line}"
    );
    assert_eq!(cells[5], "43.9219", "{line}");
    assert!(table.starts_with("344 rows, 8 columns"), "{table}");
    assert!(
        table.contains("low     column \"sex\" is missing 11 of 344 values"),
        "{table}"
    );
}

const RECIPE: &str = r#"{
    "schema_version": 1,
    "name": "cli test",
    "steps": [
        {"op": "fill_missing", "columns": ["bill_length_mm"], "strategy": "median"},
        {"op": "one_hot", "column": "island"},
        {"op": "formula_column", "name": "bill_ratio", "expression": "bill_length_mm / bill_depth_mm"}
    ]
}"#;

#[test]
fn transform_equals_in_process() {
    let scratch = Scratch::new("transform");
    let (recipe_path, out_path, fitted_path) = (
        scratch.path("recipe.json"),
        scratch.path("out.csv"),
        scratch.path("fitted.json"),
    );
    std::fs::write(&recipe_path, RECIPE).unwrap();
    let output = studio(&[
        "transform",
        "--recipe",
        recipe_path.to_str().unwrap(),
        PENGUINS,
        out_path.to_str().unwrap(),
        "--fitted-out",
        fitted_path.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    let (fitted, expected) = Recipe::from_json(RECIPE)
        .unwrap()
        .fit_transform(&read(Path::new(PENGUINS)))
        .unwrap();
    let written = read(&out_path);
    assert_eq!(
        written.row_window(0, written.n_rows()),
        expected.row_window(0, expected.n_rows())
    );
    assert_eq!(written.column_summaries(), expected.column_summaries());
    assert_eq!(written.content_hash(), expected.content_hash());
    assert!(expected.column("island_Biscoe").is_some() && expected.column("bill_ratio").is_some());
    assert_eq!(
        std::fs::read_to_string(&fitted_path).unwrap(),
        fitted.to_json()
    );

    let summary = stderr(&output);
    assert_eq!(summary.lines().count(), 1, "{summary}");
    for part in [
        "(344 rows, 8 columns)",
        "(344 rows, 11 columns)",
        &expected.content_hash().to_hex(),
    ] {
        assert!(summary.contains(part), "{part} not in {summary}");
    }
}

#[test]
fn missing_file_names_the_path() {
    let output = studio(&["profile", "no/such/penguins.csv"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with("studio: no/such/penguins.csv: "),
        "{message}"
    );
}

#[test]
fn broken_recipe_is_a_data_error() {
    let scratch = Scratch::new("broken");
    let recipe_path = scratch.path("recipe.json");
    std::fs::write(
        &recipe_path,
        r#"{"schema_version": 1, "name": "r", "steps": [{"op": "teleport"}]}"#,
    )
    .unwrap();
    let out_path = scratch.path("out.csv");
    let output = studio(&[
        "transform",
        "--recipe",
        recipe_path.to_str().unwrap(),
        PENGUINS,
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("studio: {}: ", recipe_path.display())),
        "{message}"
    );
    assert!(
        message.contains("the recipe is not valid JSON or is missing parts")
            && message.contains("unknown variant `teleport`"),
        "{message}"
    );
    assert!(!out_path.exists(), "nothing is written for a broken recipe");
}

#[test]
fn recipe_that_does_not_apply_names_step_and_column() {
    let scratch = Scratch::new("apply");
    let recipe_path = scratch.path("recipe.json");
    std::fs::write(
        &recipe_path,
        r#"{"schema_version": 1, "name": "r", "steps": [{"op": "one_hot", "column": "islands"}]}"#,
    )
    .unwrap();
    let output = studio(&[
        "transform",
        "--recipe",
        recipe_path.to_str().unwrap(),
        PENGUINS,
        scratch.path("out.csv").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("step 1 (one_hot): column \"islands\" not found"),
        "{message}"
    );
}

#[test]
fn usage_errors_exit_2_with_usage() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["profile"][..],
        &["profile", PENGUINS, "--colour"][..],
        &["transform", PENGUINS, "out.csv"][..],
        &["transform", "--recipe"][..],
    ] {
        let output = studio(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = stderr(&output);
        assert!(
            message.starts_with("studio: ") && message.contains("USAGE:"),
            "{args:?}: {message}"
        );
    }
}

#[test]
fn help_and_version() {
    let help = studio(&["--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("studio transform --recipe RECIPE.json IN.csv OUT.csv"));
    let version = studio(&["version"]);
    assert!(version.status.success());
    assert_eq!(
        stdout(&version),
        format!("studio {}\n", env!("CARGO_PKG_VERSION"))
    );
}

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");

/// Writes `<name>.train.csv` and `<name>.test.csv` into `scratch`, split by the dataset's
/// `test_idx` file (the rows the reference scores were computed on), and returns their paths.
fn write_split(scratch: &Scratch, folder: &str, name: &str) -> (PathBuf, PathBuf) {
    let dir = Path::new(DATASETS).join(folder);
    let text = std::fs::read_to_string(dir.join(format!("{name}.csv"))).unwrap();
    let test_rows: std::collections::HashSet<usize> =
        std::fs::read_to_string(dir.join(format!("{name}.test_idx.txt")))
            .unwrap()
            .split_whitespace()
            .map(|row| row.parse().unwrap())
            .collect();
    // The datasets hold no line breaks inside quoted fields, so lines are rows.
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let (mut train, mut test) = (format!("{header}\n"), format!("{header}\n"));
    for (row, line) in lines.enumerate() {
        let out = if test_rows.contains(&row) {
            &mut test
        } else {
            &mut train
        };
        out.push_str(line);
        out.push('\n');
    }
    let (train_path, test_path) = (
        scratch.path(&format!("{name}.train.csv")),
        scratch.path(&format!("{name}.test.csv")),
    );
    std::fs::write(&train_path, train).unwrap();
    std::fs::write(&test_path, test).unwrap();
    (train_path, test_path)
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn train_json_predictions_and_model_then_predict_gives_the_same() {
    let scratch = Scratch::new("train-penguins");
    let (train, test) = write_split(&scratch, "multiclass", "penguins");
    let (model, predictions) = (scratch.path("model.json"), scratch.path("pred.csv"));
    let output = studio(&[
        "train",
        "--train",
        arg(&train),
        "--test",
        arg(&test),
        "--target",
        "species",
        "--drop",
        "year",
        "--seed",
        "7",
        "--model-out",
        arg(&model),
        "--predictions-out",
        arg(&predictions),
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let report: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(report["task"], "multiclass");
    assert_eq!(report["metric"], "accuracy");
    assert_eq!(report["build"], "quick");
    assert_eq!(report["excluded_columns"], serde_json::json!(["year"]));
    assert_eq!(report["leaderboard"].as_array().unwrap().len(), 4);
    assert_eq!(report["best"], report["leaderboard"][0]);
    assert!(report["holdout"]["score"].as_f64().unwrap() > 0.95);
    assert_eq!(report["holdout"]["n_rows"], 69);

    let written = read(&predictions);
    let names: Vec<&str> = written.columns().iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        vec![
            "prediction",
            "proba_Adelie",
            "proba_Chinstrap",
            "proba_Gentoo"
        ]
    );
    assert_eq!(written.n_rows(), read(&test).n_rows());

    let again = scratch.path("again.csv");
    let output = studio(&["predict", "--model", arg(&model), arg(&test), arg(&again)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&predictions).unwrap()
    );
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(stored["metadata"]["target"], "species");
    assert_eq!(stored["spec"], report["best"]["spec"]);
}

#[test]
fn train_regression_prints_a_leaderboard_and_writes_values() {
    let scratch = Scratch::new("train-diabetes");
    let (train, test) = write_split(&scratch, "regression", "diabetes");
    let predictions = scratch.path("pred.csv");
    let output = studio(&[
        "train",
        "--train",
        arg(&train),
        "--test",
        arg(&test),
        "--target",
        "disease_progression",
        "--task",
        "regression",
        "--predictions-out",
        arg(&predictions),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("regression target disease_progression on 353 rows, 10 features; r2 by a 20% validation split"), "{text}");
    assert!(text.contains("dummy baseline -0.0120"), "{text}");
    let written = read(&predictions);
    assert_eq!(written.n_cols(), 1);
    assert_eq!(written.n_rows(), 89);
}

#[test]
fn train_and_predict_errors_name_the_column() {
    let scratch = Scratch::new("train-errors");
    let (train, test) = write_split(&scratch, "multiclass", "iris");
    let output = studio(&[
        "train",
        "--train",
        arg(&train),
        "--test",
        arg(&test),
        "--target",
        "kind",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("column \"kind\" not found"),
        "{}",
        stderr(&output)
    );

    let output = studio(&[
        "train",
        "--train",
        arg(&train),
        "--test",
        arg(&test),
        "--target",
        "species",
        "--build",
        "huge",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--build is quick or standard"));

    let model = scratch.path("model.json");
    let output = studio(&[
        "train",
        "--train",
        arg(&train),
        "--test",
        arg(&test),
        "--target",
        "species",
        "--model-out",
        arg(&model),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let partial = scratch.path("partial.csv");
    std::fs::write(&partial, "sepal length (cm),sepal width (cm)\n5.1,3.5\n").unwrap();
    let output = studio(&[
        "predict",
        "--model",
        arg(&model),
        arg(&partial),
        arg(&scratch.path("out.csv")),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("the model was trained on is missing"),
        "{}",
        stderr(&output)
    );
}

/// A CSV of `n` short reviews (free text) with a verdict, alternating good and bad.
fn reviews_csv(n: usize, offset: usize) -> String {
    let good = [
        "a wonderful film, warm and funny, the cast is superb and I loved it",
        "brilliant story and lovely acting; I would happily watch it again",
    ];
    let bad = [
        "a dull, boring film; the plot is a mess and the acting is awful",
        "tedious and far too long, I nearly walked out, truly terrible",
    ];
    let mut text = String::from("review,verdict\n");
    for i in offset..offset + n {
        let (review, verdict) = if i % 2 == 0 {
            (good[i / 2 % 2], "good")
        } else {
            (bad[i / 2 % 2], "bad")
        };
        text.push_str(&format!("\"{review}\",{verdict}\n"));
    }
    text
}

#[test]
fn train_task_text_reads_the_free_text_column_and_refuses_a_table_without_one() {
    let scratch = Scratch::new("train-text");
    let (train, test) = (scratch.path("train.csv"), scratch.path("test.csv"));
    std::fs::write(&train, reviews_csv(60, 0)).unwrap();
    std::fs::write(&test, reviews_csv(10, 60)).unwrap();
    let predictions = scratch.path("pred.csv");
    let output = studio(&[
        "train",
        "--train",
        arg(&train),
        "--test",
        arg(&test),
        "--target",
        "verdict",
        "--task",
        "text",
        "--predictions-out",
        arg(&predictions),
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let report: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(report["task"], "binary");
    assert_eq!(report["text_columns"], serde_json::json!(["review"]));
    assert!(report["best"]["label"]
        .as_str()
        .unwrap()
        .starts_with("tfidf_"));
    assert_eq!(report["holdout"]["score"], 1.0);
    assert!(!report["top_words"].as_array().unwrap().is_empty());
    let written = read(&predictions);
    assert_eq!(written.n_rows(), 10);
    assert_eq!(
        written
            .column("prediction")
            .unwrap()
            .display_value(1)
            .unwrap(),
        "bad"
    );

    let (iris_train, iris_test) = write_split(&scratch, "multiclass", "iris");
    let output = studio(&[
        "train",
        "--train",
        arg(&iris_train),
        "--test",
        arg(&iris_test),
        "--target",
        "species",
        "--task",
        "text",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--task text needs a free-text column"),
        "{}",
        stderr(&output)
    );
}

/// `timeseries/<name>.csv` split on its test_idx file into TRAIN and TEST files in
/// `scratch`; TEST without the target when `with_target` is false.
fn split_series(
    scratch: &Scratch,
    name: &str,
    target_column: usize,
    with_target: bool,
) -> (PathBuf, PathBuf) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets/timeseries");
    let text = std::fs::read_to_string(folder.join(format!("{name}.csv"))).unwrap();
    let test: Vec<usize> = std::fs::read_to_string(folder.join(format!("{name}.test_idx.txt")))
        .unwrap()
        .split_whitespace()
        .map(|row| row.parse().unwrap())
        .collect();
    let keep = |line: &str| -> String {
        if with_target {
            line.to_string()
        } else {
            line.split(',')
                .enumerate()
                .filter(|&(i, _)| i != target_column)
                .map(|(_, field)| field)
                .collect::<Vec<_>>()
                .join(",")
        }
    };
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let (mut train, mut future) = (format!("{header}\n"), format!("{}\n", keep(header)));
    for (row, line) in lines.enumerate() {
        if test.contains(&row) {
            future.push_str(&format!("{}\n", keep(line)));
        } else {
            train.push_str(&format!("{line}\n"));
        }
    }
    let (train_path, test_path) = (
        scratch.path("train.csv"),
        scratch.path(if with_target {
            "test.csv"
        } else {
            "future.csv"
        }),
    );
    std::fs::write(&train_path, train).unwrap();
    std::fs::write(&test_path, future).unwrap();
    (train_path, test_path)
}

#[test]
fn forecast_json_predictions_and_model_then_predict_gives_the_same() {
    let scratch = Scratch::new("forecast");
    let (train, test) = split_series(&scratch, "air_passengers", 1, true);
    let (_, future) = split_series(&scratch, "air_passengers", 1, false);
    let (predictions, model) = (scratch.path("predictions.csv"), scratch.path("model.json"));
    let output = studio(&[
        "train",
        "--task",
        "forecast",
        "--time-column",
        "month",
        "--target",
        "passengers",
        "--train",
        train.to_str().unwrap(),
        "--test",
        test.to_str().unwrap(),
        "--predictions-out",
        predictions.to_str().unwrap(),
        "--model-out",
        model.to_str().unwrap(),
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = stdout(&output);
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(json["task"], "forecast");
    assert!(
        json["best_model"]
            .as_str()
            .unwrap()
            .starts_with("HoltWinters"),
        "{}",
        json["best_model"]
    );
    assert!(json["leaderboard"].as_array().unwrap().len() >= 6);
    let mae = json["holdout"]["mae"].as_f64().unwrap();
    assert!(mae <= 1.05 * 21.9597, "mae {mae}");
    assert!(json["holdout"]["mase"].as_f64().is_some());

    let written = read(&predictions);
    assert_eq!(written.n_rows(), 29);
    for name in ["month", "passengers", "prediction", "p10", "p50", "p90"] {
        assert!(written.column(name).is_some(), "{name}");
    }
    let predicted = scratch.path("predicted.csv");
    let output = studio(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        future.to_str().unwrap(),
        predicted.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let again = read(&predicted);
    for name in ["prediction", "p10", "p90"] {
        let (a, b) = (written.column(name).unwrap(), again.column(name).unwrap());
        for row in 0..29 {
            assert_eq!(
                a.display_value(row),
                b.display_value(row),
                "{name} row {row}"
            );
        }
    }
}

#[test]
fn forecast_errors_name_the_timestamp_and_usage_errors_exit_2() {
    let scratch = Scratch::new("forecast-errors");
    let train = scratch.path("train.csv");
    let test = scratch.path("test.csv");
    std::fs::write(
        &train,
        "day,value\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n2020-01-03,4\n",
    )
    .unwrap();
    std::fs::write(&test, "day\n2020-01-04\n").unwrap();
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "train", "--task", "forecast", "--target", "value", "--train",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(train.to_str().unwrap().to_string());
        args.push("--test".to_string());
        args.push(test.to_str().unwrap().to_string());
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let run = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        studio(&refs)
    };
    let output = run(args(&["--time-column", "day"]));
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("timestamp 2020-01-02 appears twice (rows 2 and 3)"),
        "{message}"
    );
    let output = run(args(&[]));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("missing --time-column"),
        "{}",
        stderr(&output)
    );
    let output = run(args(&["--time-column", "day", "--metric", "r2"]));
    assert_eq!(output.status.code(), Some(2));
}

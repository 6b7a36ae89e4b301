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

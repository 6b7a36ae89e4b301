//! `studio train` and `studio predict` on folders of class folders of images: the report as
//! one JSON line, predictions with each image's path relative to TEST, a stored image model
//! that predicts the same from a folder or a file, and bad folders refused by name. Built
//! only with `--features cli`.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DIGITS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/datasets/image/digits_8x8_png"
);
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/images");

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

/// A directory of its own per test, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("studio-cli-images-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn text(&self, name: &str) -> String {
        self.path(name).to_string_lossy().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temp dir harms nothing.
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// Copies digit PNGs of `classes` into `dir/<class>/`: the `skip`-th to the
/// `skip + count`-th file of each class folder, in name order.
fn copy_digits(dir: &Path, classes: &[&str], skip: usize, count: usize) -> Vec<String> {
    let mut copied = Vec::new();
    for class in classes {
        let from = Path::new(DIGITS).join(class);
        let mut files: Vec<String> = std::fs::read_dir(&from)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        files.sort();
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for file in files.into_iter().skip(skip).take(count) {
            std::fs::copy(from.join(&file), dir.join(class).join(&file)).unwrap();
            copied.push(format!("{class}/{file}"));
        }
    }
    copied.sort();
    copied
}

#[test]
fn train_and_predict_on_image_folders() {
    let scratch = Scratch::new("train");
    let classes = ["0", "1", "7"];
    copy_digits(&scratch.path("train"), &classes, 0, 20);
    let test_files = copy_digits(&scratch.path("test"), &classes, 20, 5);
    // A damaged file in TEST is named and left out; the run goes on.
    std::fs::copy(
        Path::new(FIXTURES).join("truncated.png"),
        scratch.path("test/7/truncated.png"),
    )
    .unwrap();
    let output = studio(&[
        "train",
        "--train",
        &scratch.text("train"),
        "--test",
        &scratch.text("test"),
        "--json",
        "--seed",
        "3",
        "--predictions-out",
        &scratch.text("predictions.csv"),
        "--model-out",
        &scratch.text("model.json"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("7/truncated.png: left out, not a PNG or JPEG image"),
        "{}",
        stderr(&output)
    );
    let json: serde_json::Value =
        serde_json::from_str(stdout(&output).lines().last().unwrap()).unwrap();
    assert_eq!(json["task"], "multiclass");
    assert_eq!(json["target"], "label");
    assert_eq!(json["seed"], 3);
    assert!(json["best"]["label"].is_string());
    assert!(json["leaderboard"].as_array().unwrap().len() >= 3);
    assert_eq!(json["holdout"]["n_rows"], 15);
    assert!(
        json["holdout"]["detail"]["scores"]["accuracy"]
            .as_f64()
            .unwrap()
            >= 0.8
    );
    assert_eq!(json["image"]["size"]["width"], 8);
    assert_eq!(json["image"]["color"], "gray");
    assert_eq!(json["image"]["n_train_images"], 60);
    assert!(json["misclassified"].is_array());

    let predictions = std::fs::read_to_string(scratch.path("predictions.csv")).unwrap();
    let mut lines = predictions.lines();
    assert_eq!(
        lines.next().unwrap(),
        "file,prediction,proba_0,proba_1,proba_7"
    );
    let files: Vec<&str> = lines.map(|line| line.split(',').next().unwrap()).collect();
    assert_eq!(files, test_files);

    // The stored model predicts the same from the folder, and from one file.
    let output = studio(&[
        "predict",
        "--model",
        &scratch.text("model.json"),
        &scratch.text("test"),
        &scratch.text("again.csv"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(scratch.path("again.csv")).unwrap(),
        predictions
    );
    let one = scratch.path("test").join(&test_files[0]);
    let output = studio(&[
        "predict",
        "--model",
        &scratch.text("model.json"),
        &one.to_string_lossy(),
        &scratch.text("one.csv"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let one_csv = std::fs::read_to_string(scratch.path("one.csv")).unwrap();
    let first_row = predictions.lines().nth(1).unwrap();
    let (_, rest) = first_row.split_once(',').unwrap();
    assert_eq!(
        one_csv.lines().nth(1).unwrap().split_once(',').unwrap().1,
        rest
    );
    // A file that is not an image is an error naming it.
    let output = studio(&[
        "predict",
        "--model",
        &scratch.text("model.json"),
        &Path::new(FIXTURES)
            .join("text_renamed.png")
            .to_string_lossy(),
        &scratch.text("bad.csv"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("text_renamed.png"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_image_folders_are_refused_by_name() {
    let scratch = Scratch::new("bad");
    copy_digits(&scratch.path("train"), &["0", "1"], 0, 5);
    copy_digits(&scratch.path("test"), &["0", "1"], 5, 2);
    std::fs::create_dir_all(scratch.path("train/9")).unwrap();
    let output = studio(&[
        "train",
        "--train",
        &scratch.text("train"),
        "--test",
        &scratch.text("test"),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("class folder \"9\" holds no image"),
        "{}",
        stderr(&output)
    );
    // A folder beside a CSV file, or a column for image folders, is a usage error.
    let output = studio(&[
        "train",
        "--train",
        &scratch.text("train"),
        "--test",
        &Path::new(FIXTURES).join("README.md").to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    std::fs::remove_dir(scratch.path("train/9")).unwrap();
    let output = studio(&[
        "train",
        "--train",
        &scratch.text("train"),
        "--test",
        &scratch.text("test"),
        "--target",
        "label",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--target is not for image folders"));
}

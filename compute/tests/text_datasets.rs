//! Text classification on the shared text datasets, on their fixed test splits: accuracy and
//! macro F1 at least the best reference score (`reference_scores.csv`, scikit-learn 1.9.1)
//! minus 0.01, and the vocabulary scikit-learn builds.
//!
//! `health_tweets` (50,660 training tweets) takes minutes in a debug build: its tests are
//! ignored there; run them with `cargo test -p compute --release --test text_datasets --
//! --include-ignored`.

use std::path::Path;
use std::time::Instant;

use compute::csv::{read_csv, CsvOptions};
use compute::ml::metrics::{accuracy_score, f1_score, Average};
use compute::ml::Control;
use compute::text::{
    fit_text, MultinomialNbParams, TextAlgorithm, TextLogisticParams, TfidfParams,
};

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");

/// A column's values as text (missing as `None`), whatever type the reader gave it (a label
/// column with few values is categorical).
fn strings(frame: &compute::frame::Frame, name: &str) -> Vec<Option<String>> {
    let column = frame
        .column(name)
        .unwrap_or_else(|| panic!("column {name}"));
    (0..column.len())
        .map(|row| column.display_value(row))
        .collect()
}

/// The best accuracy and macro F1 of the non-dummy reference models for `name`.
fn best_reference(name: &str, model: Option<&str>) -> (f64, f64) {
    let path = Path::new(DATASETS).join("reference_scores.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let at = |field: &str| header.iter().position(|h| *h == field).unwrap();
    let (accuracy, macro_f1) = (at("accuracy"), at("macro_f1"));
    let mut best = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if fields[0] != "text" || fields[1] != name || fields[2].starts_with("Dummy") {
            continue;
        }
        if model.is_some_and(|model| !fields[2].contains(model)) {
            continue;
        }
        best.0 = best.0.max(fields[accuracy].parse().unwrap());
        best.1 = best.1.max(fields[macro_f1].parse().unwrap());
    }
    assert!(best.0.is_finite(), "no reference for {name}");
    best
}

struct Outcome {
    accuracy: f64,
    macro_f1: f64,
    n_features: usize,
}

/// Fits on the training rows of `name` and scores the fixed test rows.
fn run(name: &str, label: &str, algorithm: TextAlgorithm) -> Outcome {
    let folder = Path::new(DATASETS).join("text");
    let bytes = std::fs::read(folder.join(format!("{name}.csv"))).unwrap();
    let frame = read_csv(name, &bytes, CsvOptions::default()).unwrap().frame;
    let texts = strings(&frame, "text");
    let labels = strings(&frame, label);
    let mut is_test = vec![false; frame.n_rows()];
    for row in std::fs::read_to_string(folder.join(format!("{name}.test_idx.txt")))
        .unwrap()
        .split_whitespace()
    {
        is_test[row.parse::<usize>().unwrap()] = true;
    }
    let pick = |test: bool| -> Vec<usize> {
        (0..frame.n_rows())
            .filter(|&r| is_test[r] == test)
            .collect()
    };
    let (train, test) = (pick(false), pick(true));
    let train_texts: Vec<Option<&str>> = train.iter().map(|&r| texts[r].as_deref()).collect();
    let train_labels: Vec<Option<&str>> = train.iter().map(|&r| labels[r].as_deref()).collect();
    let started = Instant::now();
    let fit = fit_text(
        &train_texts,
        &train_labels,
        &TfidfParams::default(),
        &algorithm,
        &mut |_| Control::Continue,
    )
    .unwrap();
    let fit_secs = started.elapsed().as_secs_f64();
    assert!(fit.warnings.is_empty(), "{:?}", fit.warnings);
    let model = fit.model;
    let test_texts: Vec<&str> = test
        .iter()
        .map(|&r| texts[r].as_deref().unwrap_or(""))
        .collect();
    let predicted = model.predict(&test_texts).class_index;
    let truth: Vec<usize> = test
        .iter()
        .map(|&r| {
            let label = labels[r].as_deref().unwrap();
            model.classes.iter().position(|c| c == label).unwrap()
        })
        .collect();
    let outcome = Outcome {
        accuracy: accuracy_score(&truth, &predicted),
        macro_f1: f1_score(&truth, &predicted, model.classes.len(), Average::Macro),
        n_features: model.vectorizer.n_features(),
    };
    let json_bytes = serde_json::to_string(&model).unwrap().len();
    eprintln!(
        "{name} {}: accuracy {:.4}, macro F1 {:.4}, {} terms, fit {fit_secs:.2} s, {:.1} MB of JSON",
        algorithm.name(),
        outcome.accuracy,
        outcome.macro_f1,
        outcome.n_features,
        json_bytes as f64 / 1e6
    );
    outcome
}

fn logistic() -> TextAlgorithm {
    TextAlgorithm::LogisticRegression(TextLogisticParams::default())
}

fn naive_bayes() -> TextAlgorithm {
    TextAlgorithm::NaiveBayes(MultinomialNbParams::default())
}

/// Our best model against the best reference, and naive Bayes against scikit-learn's
/// `MultinomialNB`; the vocabulary has scikit-learn's size (`len(vocabulary_)`).
fn check(name: &str, label: &str, sklearn_n_features: usize) {
    let best = best_reference(name, None);
    let ours = run(name, label, logistic());
    assert_eq!(ours.n_features, sklearn_n_features);
    assert!(
        ours.accuracy >= best.0 - 0.01 && ours.macro_f1 >= best.1 - 0.01,
        "{name}: accuracy {} / macro F1 {} below the best reference {best:?} − 0.01",
        ours.accuracy,
        ours.macro_f1
    );
    let reference = best_reference(name, Some("MultinomialNB"));
    let bayes = run(name, label, naive_bayes());
    assert!(
        bayes.accuracy >= reference.0 - 0.01 && bayes.macro_f1 >= reference.1 - 0.01,
        "{name} naive Bayes: accuracy {} / macro F1 {} below its reference {reference:?} − 0.01",
        bayes.accuracy,
        bayes.macro_f1
    );
}

#[test]
fn spam_assassin_meets_the_reference() {
    check("spam_assassin", "label", 26_794);
}

#[test]
#[ignore = "minutes in a debug build; run with --release --include-ignored"]
fn health_tweets_meets_the_reference() {
    check("health_tweets", "source", 17_877);
}

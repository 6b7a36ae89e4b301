//! Free text in AutoML: a table's long-text columns are read by TF-IDF candidates beside the
//! table's own models, and everything downstream of a build (evaluation, column impact, top
//! words, model files, what-if rows, predictions) works on them.

use std::collections::BTreeMap;
use std::path::Path;

use compute::automl::inputs::{missing_features, model_inputs, one_row};
use compute::automl::run::{predict, run, ModelFile};
use compute::automl::{AutomlOptions, Build, ModelSpec};
use compute::csv::{read_csv, CsvOptions};
use compute::frame::Frame;
use compute::ml::matrix::take_rows;
use compute::ml::{train_set, Control, MlError, Model, Task};

mod common;
use common::{split, DATASETS};

fn csv(text: &str) -> Frame {
    read_csv("t.csv", text.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame
}

/// The best non-dummy accuracy and macro F1 of `reference_scores.csv` for `name`.
fn best_reference(name: &str) -> (f64, f64) {
    let text = std::fs::read_to_string(Path::new(DATASETS).join("reference_scores.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |column: &str| header.iter().position(|h| *h == column).unwrap();
    let mut best = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        if fields[at("dataset")] == name && !fields[at("model")].starts_with("Dummy") {
            best.0 = best.0.max(fields[at("accuracy")].parse().unwrap());
            best.1 = best.1.max(fields[at("macro_f1")].parse().unwrap());
        }
    }
    best
}

/// Short reviews: long enough to be free text, words that tell the class apart.
fn reviews(n: usize) -> String {
    let good = [
        "a wonderful film, warm and funny, the cast is superb and I loved it",
        "brilliant story and lovely acting; I would happily watch it again",
        "delightful, moving and beautifully shot, a real pleasure to watch",
    ];
    let bad = [
        "a dull, boring film; the plot is a mess and the acting is awful",
        "tedious and far too long, I nearly walked out, truly terrible",
        "awful script, wooden acting and a boring, predictable ending",
    ];
    let mut text = String::from("review,length_minutes,verdict\n");
    for i in 0..n {
        let (review, verdict) = if i % 2 == 0 {
            (good[i % 3], "good")
        } else {
            (bad[i % 3], "bad")
        };
        text.push_str(&format!("\"{review}\",{},{verdict}\n", 90 + i % 40));
    }
    text
}

#[test]
fn a_long_text_column_is_free_text_and_short_strings_stay_categories() {
    let frame = csv(&reviews(40));
    let train = train_set(&frame, "verdict", &[], None).unwrap();
    assert_eq!(train.spec.text_columns, vec!["review"]);
    assert_eq!(train.spec.features.len(), 1);
    assert_eq!(train.spec.features[0].name, "length_minutes");
    let texts = train.x.texts().unwrap();
    assert_eq!(texts.len(), 40);
    assert!(texts[0].starts_with("a wonderful film"));
    // Row selections (folds) keep each row's document.
    let some = train.x.select_rows(&[3, 0]);
    assert_eq!(some.texts().unwrap()[1], texts[0]);

    let short = csv("city,verdict\nParis,good\nLyon,bad\nParis,good\nNice,bad\n");
    let train = train_set(&short, "verdict", &[], None).unwrap();
    assert!(train.spec.text_columns.is_empty());
    assert!(train.x.texts().is_none());
}

#[test]
fn a_build_with_text_and_numbers_searches_both_and_its_model_predicts_typed_text() {
    let (train, test) = {
        let frame = csv(&reviews(120));
        let rows: Vec<usize> = (0..120).collect();
        (
            take_rows(&frame, &rows[..90]),
            take_rows(&frame, &rows[90..]),
        )
    };
    let options = AutomlOptions::new("verdict");
    let outcome = run(&train, Some(&test), &options, &|| 0.0, &mut |_| {
        Control::Continue
    })
    .unwrap();
    let report = outcome.report;
    assert_eq!(report.task, Task::Binary);
    assert_eq!(report.text_columns, vec!["review"]);
    assert!(report.features.contains(&"review".to_string()));
    let labels: Vec<String> = report
        .leaderboard
        .iter()
        .map(|row| row.label.clone())
        .collect();
    assert!(labels
        .iter()
        .any(|label| label.starts_with("tfidf_logistic_regression")));
    assert!(
        labels.iter().any(|label| label.starts_with("gbdt")),
        "{labels:?}"
    );
    // The words decide: the text models win and are perfect on the holdout.
    assert!(
        report.best.label.starts_with("tfidf_"),
        "{}",
        report.best.label
    );
    let holdout = report.holdout.as_ref().unwrap();
    assert_eq!(holdout.score, 1.0);
    // Shuffling the reviews hurts; the length (noise) does not matter.
    let impact = |column: &str| {
        holdout
            .column_impact
            .iter()
            .find(|impact| impact.column == column)
            .unwrap_or_else(|| panic!("impact of {column}"))
            .importance_mean
    };
    assert!(impact("review") > 0.3);
    assert_eq!(impact("length_minutes"), 0.0);
    // Top words per class: praise for good, complaints for bad.
    let words = |class: &str| -> Vec<String> {
        report
            .top_words
            .iter()
            .find(|entry| entry.class == class)
            .unwrap()
            .words
            .iter()
            .map(|word| word.term.clone())
            .collect()
    };
    assert!(words("good")
        .iter()
        .any(|w| w == "wonderful" || w == "brilliant"));
    assert!(words("bad").iter().any(|w| w == "boring" || w == "awful"));

    // The model file round-trips and predicts a typed review through the what-if inputs.
    let file = ModelFile::from_json(&outcome.model_file.to_json()).unwrap();
    assert!(matches!(file.model, Model::Text(_)));
    let inputs = model_inputs(&train, file.model.spec());
    let review = inputs.iter().find(|input| input.name == "review").unwrap();
    assert!(review.categories.is_empty());
    let mut values = BTreeMap::new();
    values.insert(
        "review".to_string(),
        Some("what a boring, awful mess".to_string()),
    );
    values.insert("length_minutes".to_string(), Some("100".to_string()));
    let (row, warnings) = one_row(&inputs, &values).unwrap();
    assert!(warnings.is_empty());
    let predictions = predict(&file.model, &row).unwrap();
    assert_eq!(predictions.classes[predictions.values[0] as usize], "bad");

    // A prediction file without the text column is refused by name.
    let without = csv("length_minutes\n100\n");
    assert_eq!(
        missing_features(file.model.spec(), &without),
        vec!["review"]
    );
    assert_eq!(
        predict(&file.model, &without),
        Err(MlError::MissingFeature {
            column: "review".to_string()
        })
    );
}

#[test]
fn text_alone_cannot_predict_a_number_and_a_chosen_text_model_needs_text() {
    let mut text = String::from("review,score\n");
    for i in 0..30 {
        text.push_str(&format!(
            "\"a long enough review of a film, number {i}, with some words\",{i}\n"
        ));
    }
    let frame = csv(&text);
    let error = run(
        &frame,
        None,
        &AutomlOptions::new("score"),
        &|| 0.0,
        &mut |_| Control::Continue,
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("free text (\"review\")"),
        "{error}"
    );

    let table = csv("a,b,label\n1,2,x\n2,3,y\n3,4,x\n4,5,y\n5,6,x\n6,7,y\n7,8,x\n8,9,y\n");
    let mut options = AutomlOptions::new("label");
    options.algorithm = Some(ModelSpec::from_choice("text_logistic", "C=10").unwrap());
    let error = run(&table, None, &options, &|| 0.0, &mut |_| Control::Continue).unwrap_err();
    assert!(error.to_string().contains("free text"), "{error}");
}

#[test]
fn text_model_parameters_are_written_as_in_scikit_learn() {
    let spec = ModelSpec::from_choice(
        "text_naive_bayes",
        "alpha=0.5, ngram_range=(1, 2), min_df=1, max_features=5000",
    )
    .unwrap();
    let ModelSpec::TextNaiveBayes(spec) = &spec else {
        panic!("{spec:?}");
    };
    assert_eq!(spec.classifier.alpha, 0.5);
    assert_eq!(spec.tfidf.ngram_range, (1, 2));
    assert_eq!(spec.tfidf.max_features, Some(5000));
    let error = ModelSpec::from_choice("text_logistic", "C=-1").unwrap_err();
    assert!(error.contains("C"), "{error}");
    let error = ModelSpec::from_choice("text_logistic", "ngram_range=(2, 1)").unwrap_err();
    assert!(error.contains("ngram_range"), "{error}");
}

const SPAM_TEXT: &str = "Congratulations! You have been selected to receive a FREE offer. Click here to order now and save money, limited time only, remove me from this list";
const HAM_TEXT: &str = "Thanks for the patch. I applied it to the CVS tree and rebuilt the kernel module on my Red Hat box; the mailing list thread has the details if anyone wants to test";

#[test]
fn a_quick_build_on_spam_assassin_meets_the_reference() {
    let (train, test) = split("text", "spam_assassin");
    let mut options = AutomlOptions::new("label");
    options.build = Build::Quick;
    let outcome = run(&train, Some(&test), &options, &|| 0.0, &mut |_| {
        Control::Continue
    })
    .unwrap();
    let report = outcome.report;
    assert_eq!(report.text_columns, vec!["text"]);
    // Typed texts, as the what-if form sends them (the e2e spec types the same two).
    let inputs = model_inputs(&train, outcome.model_file.model.spec());
    for (typed, expected) in [(SPAM_TEXT, "spam"), (HAM_TEXT, "ham")] {
        let values = BTreeMap::from([("text".to_string(), Some(typed.to_string()))]);
        let (row, _) = one_row(&inputs, &values).unwrap();
        let predictions = predict(&outcome.model_file.model, &row).unwrap();
        assert_eq!(
            predictions.classes[predictions.values[0] as usize], expected,
            "{typed}"
        );
    }
    let holdout = report.holdout.unwrap();
    let compute::automl::EvaluationDetail::Classification { scores, .. } = &holdout.detail else {
        panic!("classification");
    };
    let (accuracy, macro_f1) = best_reference("spam_assassin");
    assert!(
        scores.accuracy >= accuracy - 0.01,
        "accuracy {} vs reference {accuracy}",
        scores.accuracy
    );
    assert!(
        scores.macro_f1 >= macro_f1 - 0.01,
        "macro F1 {} vs reference {macro_f1}",
        scores.macro_f1
    );
    assert_eq!(report.top_words.len(), 2);
}

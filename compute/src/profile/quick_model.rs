//! The insights report's quick model: histogram gradient boosting (with TF-IDF naive Bayes for free text) on an 80/20 split of (a sample of) the rows, its score beside a dummy baseline, and each feature's permutation importance.
//!
//! SageMaker's Data Quality and Insights report trains such a model to say how predictable
//! the target is before anyone builds a real one; a score near the baseline says the
//! features, as they are, carry little about the target.

use super::cells::sample_rows;
use super::{FeaturePower, PowerMetric, QuickModel};
use crate::automl::{EnsembleSpec, ModelSpec, TextNaiveBayesSpec};
use crate::frame::Frame;
use crate::ml::importance::{permutation_importance, score};
use crate::ml::metrics::{balanced_accuracy_score, class_indices, r2_score};
use crate::ml::{train_set, Control, GbdtParams, Metric, MlError, Model, Task};
use crate::text::{MultinomialNbParams, TfidfParams};

/// The quick model trains on at most this many rows (a uniform sample beyond).
pub const QUICK_MODEL_MAX_ROWS: usize = 20_000;
/// Boosting iterations: enough to see the signal, few enough to take seconds in a tab.
const QUICK_MODEL_ITERATIONS: usize = 50;
/// Fewer rows than this (with a target) give no meaningful 80/20 score.
const QUICK_MODEL_MIN_ROWS: usize = 20;
/// Shuffles per feature for permutation importance.
const IMPORTANCE_REPEATS: usize = 3;

/// Trains and scores the quick model for `target` on `frame` (every other column a feature).
pub fn quick_model(frame: &Frame, target: &str, seed: u64) -> Result<QuickModel, MlError> {
    let sampled;
    let frame = if frame.n_rows() > QUICK_MODEL_MAX_ROWS {
        let rows = sample_rows(frame.n_rows(), QUICK_MODEL_MAX_ROWS, seed);
        sampled = super::cells::take_rows(frame, &rows);
        &sampled
    } else {
        frame
    };
    let all = train_set(frame, target, &[], None)?;
    let n = all.x.n_rows();
    if n < QUICK_MODEL_MIN_ROWS {
        return Err(MlError::InvalidTarget {
            column: target.to_string(),
            reason: format!(
                "has {n} rows with a value; the quick model needs at least {QUICK_MODEL_MIN_ROWS}"
            ),
        });
    }
    let test_rows = sample_rows(n, n / 5, seed ^ 0x5155_4943_4b21);
    let mut is_test = vec![false; n];
    for &row in &test_rows {
        is_test[row] = true;
    }
    let train_rows: Vec<usize> = (0..n).filter(|&row| !is_test[row]).collect();
    let train = all.select_rows(&train_rows);
    let test = all.select_rows(&test_rows);
    let task = all.task();
    let boosting = ModelSpec::Gbdt(GbdtParams {
        max_iter: QUICK_MODEL_ITERATIONS,
        ..GbdtParams::default()
    });
    // Free text is read by TF-IDF + naive Bayes (the fastest text model), alone or voting
    // beside the boosting, so that the text's importance is measured, not assumed nil.
    let text = ModelSpec::TextNaiveBayes(TextNaiveBayesSpec {
        classifier: MultinomialNbParams { alpha: 0.1 },
        tfidf: TfidfParams::default(),
    });
    let reads_text = !all.spec.text_columns.is_empty() && task.is_classification();
    let (spec, description) = match (all.spec.n_features() > 0, reads_text) {
        (true, false) => (boosting, format!("histogram gradient boosting ({QUICK_MODEL_ITERATIONS} iterations)")),
        (false, true) => (text, "TF-IDF + multinomial naive Bayes".to_string()),
        (true, true) => (
            ModelSpec::Ensemble(EnsembleSpec {
                members: vec![boosting, text],
            }),
            format!("histogram gradient boosting ({QUICK_MODEL_ITERATIONS} iterations) voting with TF-IDF + multinomial naive Bayes"),
        ),
        (false, false) => return Err(MlError::NoFeatures),
    };
    let model: Model = spec.fit(&train, seed, &mut |_| Control::Continue)?;
    let (metric, power_metric) = if task == Task::Regression {
        (Metric::R2, PowerMetric::R2)
    } else {
        (Metric::BalancedAccuracy, PowerMetric::BalancedAccuracy)
    };
    let model_score = score(&model, &test.x, &test.y, metric)?;
    let baseline_score = if task == Task::Regression {
        let mean = train.y.iter().sum::<f64>() / train.y.len() as f64;
        r2_score(&test.y, &vec![mean; test.y.len()])
    } else {
        let classes = all.n_classes();
        let mut counts = vec![0usize; classes];
        for class in class_indices(&train.y) {
            counts[class] += 1;
        }
        let majority = (0..classes)
            .max_by_key(|&c| (counts[c], usize::MAX - c))
            .unwrap_or(0);
        balanced_accuracy_score(
            &class_indices(&test.y),
            &vec![majority; test.y.len()],
            classes,
        )
    };
    let mut feature_importance: Vec<FeaturePower> =
        permutation_importance(&model, &test.x, &test.y, metric, IMPORTANCE_REPEATS, seed)?
            .into_iter()
            .map(|importance| FeaturePower {
                column: importance.feature,
                power: importance.importances_mean,
            })
            .collect();
    feature_importance.sort_by(|a, b| b.power.total_cmp(&a.power));
    Ok(QuickModel {
        model: description,
        metric: power_metric,
        score: model_score,
        baseline_score,
        n_train: train_rows.len() as u64,
        n_test: test_rows.len() as u64,
        feature_importance,
    })
}

/// Adds the quick model to a report that has a target (the worker and the CLI call this
/// after `insights`; it is the slow part, so it stays a separate step that can report
/// progress). A model that cannot be trained leaves its reason in the report.
pub fn attach_quick_model(report: &mut super::InsightsReport, frame: &Frame, seed: u64) {
    let Some(target) = report.target.as_mut() else {
        return;
    };
    match quick_model(frame, &target.column, seed) {
        Ok(model) => {
            target.quick_model = Some(model);
            target.quick_model_error = None;
        }
        Err(error) => {
            target.quick_model = None;
            target.quick_model_error = Some(error.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::{read_csv, CsvOptions};
    use crate::profile::{insights, profile, ProfileOptions};

    fn penguins() -> Frame {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../public/samples/penguins.csv"
        ))
        .unwrap();
        read_csv("penguins.csv", &bytes, CsvOptions::default())
            .unwrap()
            .frame
    }

    #[test]
    fn penguin_species_are_predictable_and_bills_matter() {
        let frame = penguins();
        let model = quick_model(&frame, "species", 7).unwrap();
        assert_eq!(model.metric, PowerMetric::BalancedAccuracy);
        assert_eq!(model.n_train + model.n_test, 344);
        assert_eq!(model.n_test, 68);
        assert!(model.score > 0.9, "score {}", model.score);
        assert!((model.baseline_score - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(model.feature_importance.len(), 7);
        let top: Vec<&str> = model.feature_importance[..3]
            .iter()
            .map(|f| f.column.as_str())
            .collect();
        assert!(
            top.contains(&"bill_length_mm") || top.contains(&"flipper_length_mm"),
            "{top:?}"
        );
        assert_eq!(model, quick_model(&frame, "species", 7).unwrap(), "seeded");
    }

    #[test]
    fn free_text_is_read_by_naive_bayes_and_its_importance_measured() {
        let mut text = String::from("review,minutes,verdict\n");
        for i in 0..80 {
            let (review, verdict) = if i % 2 == 0 {
                (
                    "a wonderful, warm and funny film with a superb cast, loved it",
                    "good",
                )
            } else {
                (
                    "a dull and boring film, the plot is a mess and the acting awful",
                    "bad",
                )
            };
            text.push_str(&format!("\"{review}\",{},{verdict}\n", 90 + i));
        }
        let frame = read_csv("reviews.csv", text.as_bytes(), CsvOptions::default())
            .unwrap()
            .frame;
        let model = quick_model(&frame, "verdict", 3).unwrap();
        assert!(model.model.contains("naive Bayes"), "{}", model.model);
        assert_eq!(model.score, 1.0);
        assert_eq!(model.feature_importance[0].column, "review");
        assert!(model.feature_importance[0].power > 0.3);

        let only_text = Frame::new(
            frame
                .columns()
                .iter()
                .filter(|column| column.name() != "verdict")
                .cloned()
                .collect(),
        )
        .unwrap();
        let error = quick_model(&only_text, "minutes", 3).unwrap_err();
        assert_eq!(error, MlError::NoFeatures);
    }

    #[test]
    fn a_regression_target_is_scored_by_r2_and_a_bad_one_is_explained() {
        let frame = penguins();
        let model = quick_model(&frame, "body_mass_g", 1).unwrap();
        assert_eq!(model.metric, PowerMetric::R2);
        assert!(model.score > 0.6, "r2 {}", model.score);
        assert!(model.baseline_score <= 0.0 + 1e-9);

        let profiled = profile(&frame, &ProfileOptions::default());
        let mut report = insights(&frame, &profiled, Some("island")).unwrap();
        attach_quick_model(&mut report, &frame, 1);
        assert!(report.target.as_ref().unwrap().quick_model.is_some());

        let tiny = crate::profile::cells::take_rows(&frame, &[0, 1, 2, 3, 4]);
        let error = quick_model(&tiny, "body_mass_g", 1)
            .unwrap_err()
            .to_string();
        assert!(error.contains("at least 20"), "{error}");
        // The first rows are all Adelie penguins.
        let error = quick_model(&tiny, "species", 1).unwrap_err().to_string();
        assert!(error.contains("single class"), "{error}");
    }
}

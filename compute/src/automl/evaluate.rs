//! The evaluation report of a fitted model on test rows: scores beside a dummy baseline, predicted-vs-actual points or ROC and precision-recall curves, and column impact by permutation importance.

use super::{
    ClassCurves, ColumnCount, ColumnImpact, EvaluationDetail, EvaluationReport, PrPoint,
    RegressionPoint, RocPoint, IMPORTANCE_REPEATS, MAX_CURVE_POINTS, MAX_IMPORTANCE_ROWS,
    MAX_REGRESSION_POINTS,
};
use crate::frame::Frame;
use crate::ml::metrics::{class_indices, classification_scores, regression_scores};
use crate::ml::{
    permutation_importance, ClassificationScores, DesignMatrix, FeatureSpec, Metric, MlError,
    Model, RegressionScores, Task,
};
use crate::profile::kernels::SplitMix64;

/// `DummyRegressor(strategy="mean")`: the training target's mean.
pub fn dummy_regressor(y_train: &[f64]) -> f64 {
    y_train.iter().sum::<f64>() / y_train.len() as f64
}

/// `DummyClassifier(strategy="most_frequent")`: the most frequent training class (the
/// first in class order on a tie, as numpy's `argmax`).
pub fn dummy_classifier(y_train: &[f64], n_classes: usize) -> usize {
    let mut counts = vec![0usize; n_classes];
    for &class in y_train {
        counts[class as usize] += 1;
    }
    let mut best = 0;
    for (class, &count) in counts.iter().enumerate() {
        if count > counts[best] {
            best = class;
        }
    }
    best
}

/// The dummy classifier's scores: it predicts `class` with probability 1 everywhere
/// (scikit-learn's `predict_proba` for `most_frequent`).
pub fn dummy_classification_scores(
    y_true: &[usize],
    class: usize,
    n_classes: usize,
) -> ClassificationScores {
    let mut one_hot = vec![0.0; n_classes];
    one_hot[class] = 1.0;
    classification_scores(y_true, &vec![one_hot; y_true.len()])
}

/// The model's matrix for `frame`, with a missing feature column named as such.
pub fn feature_matrix(spec: &FeatureSpec, frame: &Frame) -> Result<DesignMatrix, MlError> {
    spec.transform(frame).map_err(|error| match error {
        MlError::ColumnNotFound { column } => MlError::MissingFeature { column },
        other => other,
    })
}

/// Evaluates `model` on the rows of `test` whose target is known; `y_train` (values or
/// class indices) fits the dummy baseline. `metric` scores the model and the baseline and
/// drives the permutation importance (5 repeats on at most 5,000 rows, seeded).
pub fn evaluate(
    model: &Model,
    y_train: &[f64],
    test: &Frame,
    metric: Metric,
    seed: u64,
) -> Result<EvaluationReport, MlError> {
    let spec = model.spec();
    let x_all = feature_matrix(spec, test)?;
    let y_all = spec.target_values(test)?;
    let known: Vec<usize> = (0..y_all.len())
        .filter(|&row| !y_all[row].is_nan())
        .collect();
    if known.is_empty() {
        return Err(MlError::InvalidTarget {
            column: spec.target.column.clone(),
            reason: "has no known value in the test rows".to_string(),
        });
    }
    let x = if known.len() == y_all.len() {
        x_all.clone()
    } else {
        x_all.select_rows(&known)
    };
    let y: Vec<f64> = known.iter().map(|&row| y_all[row]).collect();
    let (detail, score, baseline_score) = if spec.task() == Task::Regression {
        let predicted = model.predict(&x)?;
        let scores = regression_scores(&y, &predicted);
        let mean = dummy_regressor(y_train);
        let baseline = regression_scores(&y, &vec![mean; y.len()]);
        let score = regression_metric(metric, &scores);
        let baseline_score = regression_metric(metric, &baseline);
        let points = sample_rows(y.len(), MAX_REGRESSION_POINTS, seed)
            .into_iter()
            .map(|row| RegressionPoint {
                row,
                actual: y[row],
                predicted: predicted[row],
                residual: y[row] - predicted[row],
            })
            .collect();
        let detail = EvaluationDetail::Regression {
            scores,
            baseline,
            points,
        };
        (detail, score, baseline_score)
    } else {
        let classes = &spec.target.classes;
        let proba = model.predict_proba(&x)?;
        let truth = class_indices(&y);
        let scores = classification_scores(&truth, &proba);
        let majority = dummy_classifier(y_train, classes.len());
        let baseline = dummy_classification_scores(&truth, majority, classes.len());
        let score = classification_metric(metric, &scores);
        let baseline_score = classification_metric(metric, &baseline);
        let curve_classes: Vec<usize> = if classes.len() == 2 {
            vec![1]
        } else {
            (0..classes.len()).collect()
        };
        let curves = curve_classes
            .into_iter()
            .map(|class| {
                let positive: Vec<bool> = truth.iter().map(|&t| t == class).collect();
                let class_scores: Vec<f64> = proba.iter().map(|p| p[class]).collect();
                class_curves(&classes[class], &positive, &class_scores)
            })
            .collect();
        let detail = EvaluationDetail::Classification {
            classes: classes.clone(),
            scores,
            baseline,
            curves,
        };
        (detail, score, baseline_score)
    };
    let sample = sample_rows(y.len(), MAX_IMPORTANCE_ROWS, seed);
    let (x_sample, y_sample) = if sample.len() == y.len() {
        (x, y.clone())
    } else {
        (
            x.select_rows(&sample),
            sample.iter().map(|&row| y[row]).collect(),
        )
    };
    let mut column_impact: Vec<ColumnImpact> = permutation_importance(
        model,
        &x_sample,
        &y_sample,
        metric,
        IMPORTANCE_REPEATS,
        seed,
    )?
    .into_iter()
    .map(|importance| ColumnImpact {
        column: importance.feature,
        importance_mean: importance.importances_mean,
        importance_std: importance.importances_std,
    })
    .collect();
    column_impact.sort_by(|a, b| b.importance_mean.total_cmp(&a.importance_mean));
    Ok(EvaluationReport {
        n_rows: y.len(),
        n_rows_without_target: y_all.len() - y.len(),
        metric,
        score,
        baseline_score,
        detail,
        column_impact,
        unseen_categories: x_all
            .unseen_categories
            .iter()
            .map(|unseen| ColumnCount {
                column: unseen.column.clone(),
                n_rows: unseen.n_rows,
            })
            .collect(),
    })
}

/// A regression metric read off the scores (higher is better); NaN for a class metric.
pub fn regression_metric(metric: Metric, scores: &RegressionScores) -> f64 {
    match metric {
        Metric::R2 => scores.r2,
        Metric::NegRootMeanSquaredError => -scores.rmse,
        Metric::NegMeanAbsoluteError => -scores.mae,
        _ => f64::NAN,
    }
}

/// A classification metric read off the scores (higher is better); NaN for a regression
/// metric or an undefined ROC AUC.
pub fn classification_metric(metric: Metric, scores: &ClassificationScores) -> f64 {
    match metric {
        Metric::Accuracy => scores.accuracy,
        Metric::BalancedAccuracy => scores.balanced_accuracy,
        Metric::F1Macro => scores.macro_f1,
        Metric::NegLogLoss => -scores.log_loss,
        Metric::RocAuc => scores.roc_auc.unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

/// At most `max` of the rows `0..n`, a seeded sample in row order (all rows when they fit).
pub fn sample_rows(n: usize, max: usize, seed: u64) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..n).collect();
    if n <= max {
        return rows;
    }
    // A partial Fisher-Yates shuffle draws `max` rows without replacement.
    let mut rng = SplitMix64::new(seed);
    for i in 0..max {
        let j = i + rng.below((n - i) as u64) as usize;
        rows.swap(i, j);
    }
    rows.truncate(max);
    rows.sort_unstable();
    rows
}

/// ROC and precision-recall curves of one class against the rest, like scikit-learn's
/// `roc_curve` and `precision_recall_curve` (one point per distinct score), each cut to at
/// most [`MAX_CURVE_POINTS`] points; the areas use every point.
pub fn class_curves(class: &str, positive: &[bool], scores: &[f64]) -> ClassCurves {
    let n_positive = positive.iter().filter(|&&p| p).count();
    let n_negative = positive.len() - n_positive;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    // Cumulative true and false positives at each distinct threshold, highest first.
    let mut steps: Vec<(f64, usize, usize)> = Vec::new();
    let (mut tp, mut fp) = (0, 0);
    for (position, &row) in order.iter().enumerate() {
        if positive[row] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_tie = order
            .get(position + 1)
            .is_none_or(|&next| scores[next] != scores[row]);
        if last_of_tie {
            steps.push((scores[row], tp, fp));
        }
    }
    let mut roc = Vec::new();
    let mut roc_auc = None;
    if n_positive > 0 && n_negative > 0 {
        let (p, n) = (n_positive as f64, n_negative as f64);
        roc.push(RocPoint {
            fpr: 0.0,
            tpr: 0.0,
            threshold: None,
        });
        roc.extend(steps.iter().map(|&(threshold, tp, fp)| RocPoint {
            fpr: fp as f64 / n,
            tpr: tp as f64 / p,
            threshold: Some(threshold),
        }));
        // Trapezoids: exact for ties, equal to `roc_auc_score`.
        roc_auc = Some(
            roc.windows(2)
                .map(|w| (w[1].fpr - w[0].fpr) * (w[1].tpr + w[0].tpr) / 2.0)
                .sum(),
        );
    }
    let mut precision_recall = Vec::new();
    let mut average_precision = None;
    if n_positive > 0 {
        let p = n_positive as f64;
        precision_recall.push(PrPoint {
            recall: 0.0,
            precision: 1.0,
            threshold: None,
        });
        precision_recall.extend(steps.iter().map(|&(threshold, tp, fp)| PrPoint {
            recall: tp as f64 / p,
            precision: tp as f64 / (tp + fp) as f64,
            threshold: Some(threshold),
        }));
        // `average_precision_score`: Σ (R_n − R_{n−1}) P_n.
        average_precision = Some(
            precision_recall
                .windows(2)
                .map(|w| (w[1].recall - w[0].recall) * w[1].precision)
                .sum(),
        );
    }
    ClassCurves {
        class: class.to_string(),
        roc_auc,
        average_precision,
        roc: downsample(roc, MAX_CURVE_POINTS),
        precision_recall: downsample(precision_recall, MAX_CURVE_POINTS),
    }
}

/// At most `max` (≥ 2) points evenly spaced along `points`, the first and last kept.
pub fn downsample<T: Copy>(points: Vec<T>, max: usize) -> Vec<T> {
    if points.len() <= max {
        return points;
    }
    let last = points.len() - 1;
    (0..max)
        .map(|i| points[(i * last + (max - 1) / 2) / (max - 1)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::metrics::binary_roc_auc;

    #[test]
    fn dummy_baselines_match_sklearn() {
        // DummyRegressor().fit(y_train).predict → mean; r2 on y_test by hand.
        let y_train = [1.0, 2.0, 3.0, 6.0];
        assert_eq!(dummy_regressor(&y_train), 3.0);
        let scores = regression_scores(&[1.0, 3.0], &[3.0, 3.0]);
        assert_eq!(scores.r2, -1.0);
        assert_eq!(scores.mae, 1.0);
        // DummyClassifier(strategy="most_frequent"): ties go to the first class.
        assert_eq!(dummy_classifier(&[0.0, 1.0, 1.0, 2.0, 2.0], 3), 1);
        assert_eq!(dummy_classifier(&[2.0, 2.0, 0.0], 3), 2);
        // sklearn: accuracy 0.6, f1_macro (0.75 + 0) / 2 = 0.375, balanced 0.5, ROC AUC 0.5.
        let scores = dummy_classification_scores(&[0, 0, 0, 1, 1], 0, 2);
        assert_eq!(scores.accuracy, 0.6);
        assert!((scores.macro_f1 - 0.375).abs() < 1e-12);
        assert_eq!(scores.balanced_accuracy, 0.5);
        assert_eq!(scores.roc_auc, Some(0.5));
        assert_eq!(scores.confusion_matrix, vec![vec![3, 0], vec![2, 0]]);
    }

    #[test]
    fn curves_match_the_rank_auc_and_stay_small() {
        let mut rng = SplitMix64::new(5);
        let n = 3_000;
        let positive: Vec<bool> = (0..n).map(|_| rng.below(3) == 0).collect();
        let scores: Vec<f64> = positive
            .iter()
            .map(|&p| (rng.below(1_000) as f64 + if p { 300.0 } else { 0.0 }) / 1_300.0)
            .collect();
        let curves = class_curves("yes", &positive, &scores);
        let expected = binary_roc_auc(&positive, &scores).unwrap();
        assert!((curves.roc_auc.unwrap() - expected).abs() < 1e-12);
        assert!(curves.roc.len() <= MAX_CURVE_POINTS && curves.roc.len() > 100);
        assert!(curves.precision_recall.len() <= MAX_CURVE_POINTS);
        let first = curves.roc[0];
        let last = *curves.roc.last().unwrap();
        assert_eq!((first.fpr, first.tpr), (0.0, 0.0));
        assert_eq!((last.fpr, last.tpr), (1.0, 1.0));
        assert!(curves
            .roc
            .windows(2)
            .all(|w| w[0].fpr <= w[1].fpr && w[0].tpr <= w[1].tpr));
        let last_pr = curves.precision_recall.last().unwrap();
        assert_eq!(last_pr.recall, 1.0);
        let ap = curves.average_precision.unwrap();
        assert!(ap > 0.4 && ap <= 1.0, "{ap}");
    }

    #[test]
    fn perfect_and_one_sided_curves() {
        let curves = class_curves("a", &[true, false, true, false], &[0.9, 0.1, 0.8, 0.2]);
        assert_eq!(curves.roc_auc, Some(1.0));
        assert_eq!(curves.average_precision, Some(1.0));
        // sklearn: precision_recall_curve → recall [1, 1, 0.5, 0], thresholds .1 .2 .8 .9.
        assert_eq!(curves.precision_recall.len(), 5);
        let none = class_curves("b", &[false, false], &[0.3, 0.4]);
        assert_eq!((none.roc_auc, none.average_precision), (None, None));
        assert!(none.roc.is_empty() && none.precision_recall.is_empty());
    }

    #[test]
    fn samples_are_bounded_sorted_and_seeded() {
        assert_eq!(sample_rows(5, 10, 0), vec![0, 1, 2, 3, 4]);
        let sample = sample_rows(10_000, 2_000, 9);
        assert_eq!(sample.len(), 2_000);
        assert!(sample.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample, sample_rows(10_000, 2_000, 9));
        let thinned = downsample((0..1_000).collect::<Vec<_>>(), 200);
        assert_eq!(thinned.len(), 200);
        assert_eq!((thinned[0], thinned[199]), (0, 999));
    }
}

//! scikit-learn's metrics by their names and semantics, on plain slices: targets as values (regression) or class indices (classification).

use super::{ClassificationScores, RegressionScores};

/// `sklearn.metrics.r2_score`: 1 for a perfect fit; a constant `y_true` scores 1 when
/// predicted exactly, else 0 (scikit-learn's `force_finite`).
pub fn r2_score(y_true: &[f64], y_pred: &[f64]) -> f64 {
    let n = y_true.len() as f64;
    let mean = y_true.iter().sum::<f64>() / n;
    let residual: f64 = y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p) * (t - p))
        .sum();
    let total: f64 = y_true.iter().map(|t| (t - mean) * (t - mean)).sum();
    if total == 0.0 {
        return if residual == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - residual / total
}

/// `sklearn.metrics.root_mean_squared_error`.
pub fn root_mean_squared_error(y_true: &[f64], y_pred: &[f64]) -> f64 {
    let total: f64 = y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p) * (t - p))
        .sum();
    (total / y_true.len() as f64).sqrt()
}

/// `sklearn.metrics.mean_absolute_error`.
pub fn mean_absolute_error(y_true: &[f64], y_pred: &[f64]) -> f64 {
    y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p).abs())
        .sum::<f64>()
        / y_true.len() as f64
}

/// `sklearn.metrics.mean_absolute_percentage_error`: `|t - p| / max(|t|, ε)` averaged, as a
/// fraction (not percent).
pub fn mean_absolute_percentage_error(y_true: &[f64], y_pred: &[f64]) -> f64 {
    y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p).abs() / t.abs().max(f64::EPSILON))
        .sum::<f64>()
        / y_true.len() as f64
}

/// Every regression score at once; `mape` is left out when a true value is zero.
pub fn regression_scores(y_true: &[f64], y_pred: &[f64]) -> RegressionScores {
    RegressionScores {
        r2: r2_score(y_true, y_pred),
        rmse: root_mean_squared_error(y_true, y_pred),
        mae: mean_absolute_error(y_true, y_pred),
        mape: y_true
            .iter()
            .all(|t| *t != 0.0)
            .then(|| mean_absolute_percentage_error(y_true, y_pred)),
    }
}

/// `sklearn.metrics.accuracy_score`.
pub fn accuracy_score(y_true: &[usize], y_pred: &[usize]) -> f64 {
    let correct = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    correct as f64 / y_true.len() as f64
}

/// `sklearn.metrics.confusion_matrix` with `labels=range(n_classes)`: `[true][predicted]`.
pub fn confusion_matrix(y_true: &[usize], y_pred: &[usize], n_classes: usize) -> Vec<Vec<u64>> {
    let mut matrix = vec![vec![0u64; n_classes]; n_classes];
    for (&t, &p) in y_true.iter().zip(y_pred) {
        matrix[t][p] += 1;
    }
    matrix
}

/// `sklearn.metrics.balanced_accuracy_score`: the mean recall over the classes present in
/// `y_true`.
pub fn balanced_accuracy_score(y_true: &[usize], y_pred: &[usize], n_classes: usize) -> f64 {
    let matrix = confusion_matrix(y_true, y_pred, n_classes);
    let recalls: Vec<f64> = (0..n_classes)
        .filter_map(|c| {
            let support: u64 = matrix[c].iter().sum();
            (support > 0).then(|| matrix[c][c] as f64 / support as f64)
        })
        .collect();
    recalls.iter().sum::<f64>() / recalls.len().max(1) as f64
}

/// How per-class precision, recall and F1 are averaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Average {
    /// The plain mean over the labels present in `y_true` or `y_pred`.
    Macro,
    /// The mean weighted by each label's support in `y_true`.
    Weighted,
}

/// Per-class precision, recall, F1 and support, for the labels present in `y_true` or
/// `y_pred` (scikit-learn's default `labels`), 0 where undefined (`zero_division`).
fn per_class(y_true: &[usize], y_pred: &[usize], n_classes: usize) -> Vec<[f64; 4]> {
    let matrix = confusion_matrix(y_true, y_pred, n_classes);
    (0..n_classes)
        .filter_map(|c| {
            let support: u64 = matrix[c].iter().sum();
            let predicted: u64 = matrix.iter().map(|row| row[c]).sum();
            if support == 0 && predicted == 0 {
                return None;
            }
            let tp = matrix[c][c] as f64;
            let precision = if predicted > 0 {
                tp / predicted as f64
            } else {
                0.0
            };
            let recall = if support > 0 {
                tp / support as f64
            } else {
                0.0
            };
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            Some([precision, recall, f1, support as f64])
        })
        .collect()
}

fn averaged(
    y_true: &[usize],
    y_pred: &[usize],
    n_classes: usize,
    average: Average,
    which: usize,
) -> f64 {
    let classes = per_class(y_true, y_pred, n_classes);
    match average {
        Average::Macro => {
            classes.iter().map(|c| c[which]).sum::<f64>() / classes.len().max(1) as f64
        }
        Average::Weighted => {
            let total: f64 = classes.iter().map(|c| c[3]).sum();
            if total == 0.0 {
                0.0
            } else {
                classes.iter().map(|c| c[which] * c[3]).sum::<f64>() / total
            }
        }
    }
}

/// `sklearn.metrics.precision_score(average=…)`.
pub fn precision_score(
    y_true: &[usize],
    y_pred: &[usize],
    n_classes: usize,
    average: Average,
) -> f64 {
    averaged(y_true, y_pred, n_classes, average, 0)
}

/// `sklearn.metrics.recall_score(average=…)`.
pub fn recall_score(y_true: &[usize], y_pred: &[usize], n_classes: usize, average: Average) -> f64 {
    averaged(y_true, y_pred, n_classes, average, 1)
}

/// `sklearn.metrics.f1_score(average=…)`.
pub fn f1_score(y_true: &[usize], y_pred: &[usize], n_classes: usize, average: Average) -> f64 {
    averaged(y_true, y_pred, n_classes, average, 2)
}

/// Binary ROC AUC of scores for the positive class (`positive[i]`), ties counted half
/// (`sklearn.metrics.roc_auc_score`); `None` unless both classes occur.
pub fn binary_roc_auc(positive: &[bool], scores: &[f64]) -> Option<f64> {
    let n_positive = positive.iter().filter(|&&p| p).count();
    let n_negative = positive.len() - n_positive;
    if n_positive == 0 || n_negative == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the positives' (average) ranks, Mann-Whitney style.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += average_rank * order[i..=j].iter().filter(|&&row| positive[row]).count() as f64;
        i = j + 1;
    }
    let n_positive = n_positive as f64;
    Some((rank_sum - n_positive * (n_positive + 1.0) / 2.0) / (n_positive * n_negative as f64))
}

/// `sklearn.metrics.roc_auc_score`: binary (the second column's probability) or one-vs-rest
/// macro average for more classes; `None` when a class is missing from `y_true`.
pub fn roc_auc_score(y_true: &[usize], proba: &[Vec<f64>]) -> Option<f64> {
    let n_classes = proba.first().map_or(0, Vec::len);
    if n_classes == 2 {
        let positive: Vec<bool> = y_true.iter().map(|&t| t == 1).collect();
        let scores: Vec<f64> = proba.iter().map(|p| p[1]).collect();
        return binary_roc_auc(&positive, &scores);
    }
    let mut total = 0.0;
    for class in 0..n_classes {
        let positive: Vec<bool> = y_true.iter().map(|&t| t == class).collect();
        let scores: Vec<f64> = proba.iter().map(|p| p[class]).collect();
        total += binary_roc_auc(&positive, &scores)?;
    }
    Some(total / n_classes as f64)
}

/// `sklearn.metrics.log_loss`: rows renormalized, probabilities clipped to `[ε, 1 - ε]`.
pub fn log_loss(y_true: &[usize], proba: &[Vec<f64>]) -> f64 {
    let eps = f64::EPSILON;
    y_true
        .iter()
        .zip(proba)
        .map(|(&t, p)| {
            let total: f64 = p.iter().sum();
            let q = (p[t] / total).clamp(eps, 1.0 - eps);
            -q.ln()
        })
        .sum::<f64>()
        / y_true.len() as f64
}

/// Every classification score at once; the predicted class is each row's most probable.
pub fn classification_scores(y_true: &[usize], proba: &[Vec<f64>]) -> ClassificationScores {
    let n_classes = proba.first().map_or(0, Vec::len);
    let y_pred: Vec<usize> = proba.iter().map(|p| super::gbdt::argmax(p)).collect();
    ClassificationScores {
        accuracy: accuracy_score(y_true, &y_pred),
        balanced_accuracy: balanced_accuracy_score(y_true, &y_pred, n_classes),
        macro_precision: precision_score(y_true, &y_pred, n_classes, Average::Macro),
        macro_recall: recall_score(y_true, &y_pred, n_classes, Average::Macro),
        macro_f1: f1_score(y_true, &y_pred, n_classes, Average::Macro),
        weighted_precision: precision_score(y_true, &y_pred, n_classes, Average::Weighted),
        weighted_recall: recall_score(y_true, &y_pred, n_classes, Average::Weighted),
        weighted_f1: f1_score(y_true, &y_pred, n_classes, Average::Weighted),
        roc_auc: roc_auc_score(y_true, proba),
        log_loss: log_loss(y_true, proba),
        confusion_matrix: confusion_matrix(y_true, &y_pred, n_classes),
    }
}

/// Class indices stored as `f64` (as [`TrainSet::y`](super::TrainSet) holds them).
pub fn class_indices(y: &[f64]) -> Vec<usize> {
    y.iter().map(|&v| v as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-12, "{a} != {b}");
    }

    #[test]
    fn regression_metrics_match_sklearn() {
        let t = [3.0, -0.5, 2.0, 7.0, 4.2];
        let p = [2.5, 0.0, 2.1, 7.8, 3.9];
        // sklearn 1.9.1: r2_score, root_mean_squared_error, mean_absolute_error,
        // mean_absolute_percentage_error on these arrays
        close(r2_score(&t, &p), 0.9594665271966527);
        close(root_mean_squared_error(&t, &p), 0.49799598391954925);
        close(mean_absolute_error(&t, &p), 0.44000000000000006);
        close(mean_absolute_percentage_error(&t, &p), 0.2804761904761905);
    }

    #[test]
    fn classification_metrics_match_sklearn() {
        let t = [0, 1, 2, 2, 1, 0, 2, 1, 1, 0];
        let p = [0, 2, 2, 2, 1, 0, 1, 1, 0, 0];
        // sklearn 1.9.1: accuracy_score(t, p), balanced_accuracy_score(t, p)
        close(accuracy_score(&t, &p), 0.7);
        close(balanced_accuracy_score(&t, &p, 3), 0.7222222222222222);
        // precision_score / recall_score / f1_score(t, p, average="macro" | "weighted")
        close(
            precision_score(&t, &p, 3, Average::Macro),
            0.6944444444444443,
        );
        close(recall_score(&t, &p, 3, Average::Macro), 0.7222222222222222);
        close(f1_score(&t, &p, 3, Average::Macro), 0.6984126984126983);
        close(
            precision_score(&t, &p, 3, Average::Weighted),
            0.6916666666666667,
        );
        close(recall_score(&t, &p, 3, Average::Weighted), 0.7);
        close(f1_score(&t, &p, 3, Average::Weighted), 0.6857142857142857);
        // confusion_matrix(t, p)
        assert_eq!(
            confusion_matrix(&t, &p, 3),
            vec![vec![3, 0, 0], vec![1, 2, 1], vec![0, 1, 2]]
        );
        // A label only predicted counts in the macro mean; one never seen does not:
        // f1_score([0,0,1,1], [0,2,1,1], average="macro"), precision_score(…, zero_division=0)
        close(
            f1_score(&[0, 0, 1, 1], &[0, 2, 1, 1], 4, Average::Macro),
            0.5555555555555555,
        );
        close(
            precision_score(&[0, 0, 1, 1], &[0, 2, 1, 1], 4, Average::Macro),
            0.6666666666666666,
        );
    }

    #[test]
    fn probability_metrics_match_sklearn() {
        let yb = [0, 0, 1, 1, 1, 0, 1];
        let sb = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2, 0.9];
        let proba_b: Vec<Vec<f64>> = sb.iter().map(|&s| vec![1.0 - s, s]).collect();
        // roc_auc_score(yb, sb); log_loss(yb, np.c_[1 - sb, sb])
        close(roc_auc_score(&yb, &proba_b).unwrap(), 0.875);
        close(log_loss(&yb, &proba_b), 0.44770665915469937);
        let proba = vec![
            vec![0.7, 0.2, 0.1],
            vec![0.1, 0.6, 0.3],
            vec![0.2, 0.2, 0.6],
            vec![0.3, 0.4, 0.3],
            vec![0.5, 0.25, 0.25],
            vec![0.1, 0.1, 0.8],
        ];
        let ym = [0, 1, 2, 2, 0, 1];
        // roc_auc_score(ym, P, multi_class="ovr", average="macro"); log_loss(ym, P)
        close(roc_auc_score(&ym, &proba).unwrap(), 0.7291666666666666);
        close(log_loss(&ym, &proba), 0.9296718782251068);
        assert_eq!(
            roc_auc_score(&[0, 0], &[vec![0.5, 0.5], vec![0.4, 0.6]]),
            None
        );
    }
}

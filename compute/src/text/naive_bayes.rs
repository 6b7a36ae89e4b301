//! Multinomial naive Bayes like scikit-learn's `MultinomialNB(alpha, fit_prior=True)` on sparse TF-IDF rows.
//!
//! Fitting sums each term's weight over each class's rows; a class's term probabilities are
//! those sums smoothed by `alpha` (`(count + α) / (Σ counts + α·n_terms)`), and a row's
//! joint log likelihood is `ln prior(class) + Σ x_j · ln p(term j | class)`.

use serde::{Deserialize, Serialize};

use super::sparse::CsrMatrix;
use super::MultinomialNbParams;
use crate::ml::gbdt::softmax;

/// A fitted multinomial naive Bayes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MultinomialNb {
    pub alpha: f64,
    /// Training rows per class (scikit-learn's `class_count_`).
    pub class_count: Vec<f64>,
    /// Each term's summed weight per class, term-major: `feature_count[j * n_classes + c]`
    /// (scikit-learn's `feature_count_`, transposed so that a row's terms read contiguous
    /// classes).
    pub feature_count: Vec<f64>,
}

impl MultinomialNb {
    /// Fits on `x` with class indices `y` (below `n_classes`, every class present).
    pub fn fit(
        x: &CsrMatrix,
        y: &[usize],
        n_classes: usize,
        params: &MultinomialNbParams,
    ) -> MultinomialNb {
        let mut class_count = vec![0.0; n_classes];
        let mut feature_count = vec![0.0; x.n_cols * n_classes];
        for (i, &class) in y.iter().enumerate() {
            class_count[class] += 1.0;
            let (columns, values) = x.row(i);
            for (&j, &value) in columns.iter().zip(values) {
                feature_count[j as usize * n_classes + class] += value;
            }
        }
        MultinomialNb {
            alpha: params.alpha,
            class_count,
            feature_count,
        }
    }

    pub fn n_classes(&self) -> usize {
        self.class_count.len()
    }

    /// `ln p(term j | class c)` term-major (scikit-learn's `feature_log_prob_`, transposed).
    pub fn feature_log_prob(&self) -> Vec<f64> {
        let k = self.n_classes();
        let mut totals = vec![0.0; k];
        for counts in self.feature_count.chunks_exact(k) {
            for (total, count) in totals.iter_mut().zip(counts) {
                *total += count + self.alpha;
            }
        }
        let log_totals: Vec<f64> = totals.iter().map(|t| t.ln()).collect();
        self.feature_count
            .chunks_exact(k)
            .flat_map(|counts| {
                counts
                    .iter()
                    .zip(&log_totals)
                    .map(|(count, log_total)| (count + self.alpha).ln() - log_total)
            })
            .collect()
    }

    /// `ln prior(class)`: the class's share of the training rows.
    pub fn class_log_prior(&self) -> Vec<f64> {
        let log_n = self.class_count.iter().sum::<f64>().ln();
        self.class_count.iter().map(|c| c.ln() - log_n).collect()
    }

    /// Class probabilities per row of `x`.
    pub fn predict_proba(&self, x: &CsrMatrix) -> Vec<Vec<f64>> {
        let k = self.n_classes();
        let log_prob = self.feature_log_prob();
        let prior = self.class_log_prior();
        let mut joint = vec![0.0; k];
        (0..x.n_rows())
            .map(|i| {
                joint.copy_from_slice(&prior);
                let (columns, values) = x.row(i);
                for (&j, &value) in columns.iter().zip(values) {
                    let row = &log_prob[j as usize * k..(j as usize + 1) * k];
                    for (score, lp) in joint.iter_mut().zip(row) {
                        *score += value * lp;
                    }
                }
                let mut proba = vec![0.0; k];
                softmax(&joint, &mut proba);
                proba
            })
            .collect()
    }

    /// Per term, how much more likely it is in `class` than in the other classes together:
    /// `ln p(term | class) − ln p(term | other classes)`, both smoothed by `alpha` like the
    /// model's own probabilities.
    pub fn log_prob_ratio(&self, class: usize) -> Vec<f64> {
        let k = self.n_classes();
        let n_terms = self.feature_count.len() / k;
        let mut in_class = 0.0;
        let mut in_rest = 0.0;
        for counts in self.feature_count.chunks_exact(k) {
            let total: f64 = counts.iter().sum();
            in_class += counts[class];
            in_rest += total - counts[class];
        }
        let smoothing = self.alpha * n_terms as f64;
        let (log_class, log_rest) = ((in_class + smoothing).ln(), (in_rest + smoothing).ln());
        self.feature_count
            .chunks_exact(k)
            .map(|counts| {
                let rest = counts.iter().sum::<f64>() - counts[class];
                ((counts[class] + self.alpha).ln() - log_class)
                    - ((rest + self.alpha).ln() - log_rest)
            })
            .collect()
    }
}

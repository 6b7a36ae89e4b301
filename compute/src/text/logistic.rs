//! Logistic regression on sparse TF-IDF rows like scikit-learn's `LogisticRegression(solver="lbfgs")`: binary log loss for two classes, softmax for more, L2 penalty, minimized by the L-BFGS of `ml::logistic`.
//!
//! The objective is scikit-learn's, scaled by `1/n` (same minimizer): the mean log loss plus
//! `‖W‖² / (2·C·n)`, intercepts not penalized. One evaluation of it and its gradient reads
//! each stored entry once per output, `O(nnz · K)`, and the weights are kept term-major
//! (`W[j * K + k]`) so that a row's terms read and write contiguous outputs.

use serde::{Deserialize, Serialize};

use super::sparse::CsrMatrix;
use super::{TextError, TextLogisticParams};
use crate::ml::gbdt::softmax;
use crate::ml::logistic::{lbfgs, Differentiable};
use crate::ml::{Control, IterationRecord, MlError, Progress};

/// A fitted logistic regression over the vectorizer's terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SparseLogistic {
    /// One output for two classes (the second class's score), else one per class.
    pub n_outputs: usize,
    /// Term-major: `coef[j * n_outputs + k]` (scikit-learn's `coef_`, transposed).
    pub coef: Vec<f64>,
    pub intercept: Vec<f64>,
    /// L-BFGS iterations run (scikit-learn's `n_iter_`).
    pub n_iter: usize,
    /// Whether the gradient fell below `tol` (or the objective stopped moving) before
    /// `max_iter`.
    pub converged: bool,
    /// The penalized objective per iteration (index 0 at all-zero weights).
    pub trace: Vec<IterationRecord>,
}

impl SparseLogistic {
    /// Fits on `x` with class indices `y` (below `n_classes` ≥ 2); `progress` hears about
    /// every L-BFGS iteration and may cancel.
    pub fn fit(
        x: &CsrMatrix,
        y: &[usize],
        n_classes: usize,
        params: &TextLogisticParams,
        progress: &mut dyn FnMut(Progress) -> Control,
    ) -> Result<SparseLogistic, TextError> {
        params.check()?;
        let n_outputs = if n_classes == 2 { 1 } else { n_classes };
        let objective = SparseLogLoss {
            x,
            y,
            n_outputs,
            c: params.c,
        };
        let result =
            lbfgs(&objective, params.max_iter, params.tol, progress).map_err(
                |error| match error {
                    MlError::Cancelled => TextError::Cancelled,
                    other => TextError::Ml(other),
                },
            )?;
        let mut coef = result.theta;
        let intercept = coef.split_off(x.n_cols * n_outputs);
        Ok(SparseLogistic {
            n_outputs,
            coef,
            intercept,
            n_iter: result.n_iter,
            converged: result.converged,
            trace: result.trace,
        })
    }

    /// Class probabilities per row of `x`.
    pub fn predict_proba(&self, x: &CsrMatrix) -> Vec<Vec<f64>> {
        let k = self.n_outputs;
        let mut scores = vec![0.0; k];
        (0..x.n_rows())
            .map(|i| {
                self.scores(x, i, &mut scores);
                if k == 1 {
                    let p = 1.0 / (1.0 + (-scores[0]).exp());
                    vec![1.0 - p, p]
                } else {
                    let mut proba = vec![0.0; k];
                    softmax(&scores, &mut proba);
                    proba
                }
            })
            .collect()
    }

    fn scores(&self, x: &CsrMatrix, i: usize, scores: &mut [f64]) {
        row_scores(&self.coef, &self.intercept, x, i, scores);
    }

    /// Per term, its weight for `class`: the class's coefficient, or for two classes the
    /// single coefficient with its sign flipped for the first class.
    pub fn class_coefficients(&self, class: usize) -> Vec<f64> {
        if self.n_outputs == 1 {
            let sign = if class == 1 { 1.0 } else { -1.0 };
            self.coef.iter().map(|w| sign * w).collect()
        } else {
            self.coef
                .iter()
                .skip(class)
                .step_by(self.n_outputs)
                .copied()
                .collect()
        }
    }
}

/// `scores = intercept + Σ x_ij · W[j, :]` for row `i`.
fn row_scores(weights: &[f64], intercept: &[f64], x: &CsrMatrix, i: usize, scores: &mut [f64]) {
    let k = intercept.len();
    scores.copy_from_slice(intercept);
    let (columns, values) = x.row(i);
    for (&j, &value) in columns.iter().zip(values) {
        let w = &weights[j as usize * k..(j as usize + 1) * k];
        for (score, w) in scores.iter_mut().zip(w) {
            *score += value * w;
        }
    }
}

/// The penalized mean log loss. Parameters: the weights term-major (`n_cols × K`), then the
/// `K` intercepts.
struct SparseLogLoss<'a> {
    x: &'a CsrMatrix,
    y: &'a [usize],
    n_outputs: usize,
    c: f64,
}

impl Differentiable for SparseLogLoss<'_> {
    fn n_params(&self) -> usize {
        (self.x.n_cols + 1) * self.n_outputs
    }

    fn loss_gradient(&self, theta: &[f64], gradient: &mut [f64]) -> f64 {
        gradient.fill(0.0);
        let k = self.n_outputs;
        let x = self.x;
        let (weights, intercepts) = theta.split_at(x.n_cols * k);
        let (weight_gradient, intercept_gradient) = gradient.split_at_mut(x.n_cols * k);
        let mut scores = vec![0.0; k];
        let mut residual = vec![0.0; k];
        let mut loss = 0.0;
        for (i, &class) in self.y.iter().enumerate() {
            row_scores(weights, intercepts, x, i, &mut scores);
            if k == 1 {
                // log(1 + e^z) − y·z and its derivative σ(z) − y, stable for any z.
                let z = scores[0];
                let y = if class == 1 { 1.0 } else { 0.0 };
                let (softplus, sigmoid) = if z > 0.0 {
                    let e = (-z).exp();
                    (z + e.ln_1p(), 1.0 / (1.0 + e))
                } else {
                    let e = z.exp();
                    (e.ln_1p(), e / (1.0 + e))
                };
                loss += softplus - y * z;
                residual[0] = sigmoid - y;
            } else {
                let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut total = 0.0;
                for (r, &score) in residual.iter_mut().zip(&scores) {
                    *r = (score - max).exp();
                    total += *r;
                }
                loss += max + total.ln() - scores[class];
                for r in residual.iter_mut() {
                    *r /= total;
                }
                residual[class] -= 1.0;
            }
            let (columns, values) = x.row(i);
            for (&j, &value) in columns.iter().zip(values) {
                let g = &mut weight_gradient[j as usize * k..(j as usize + 1) * k];
                for (g, r) in g.iter_mut().zip(&residual) {
                    *g += value * r;
                }
            }
            for (g, r) in intercept_gradient.iter_mut().zip(&residual) {
                *g += r;
            }
        }
        let n = self.y.len() as f64;
        let l2 = 1.0 / (self.c * n);
        let mut penalty = 0.0;
        for (g, w) in weight_gradient.iter_mut().zip(weights) {
            *g = *g / n + l2 * w;
            penalty += w * w;
        }
        for g in intercept_gradient.iter_mut() {
            *g /= n;
        }
        loss / n + 0.5 * l2 * penalty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix() -> (CsrMatrix, Vec<usize>) {
        let mut x = CsrMatrix::new(5);
        let mut y = Vec::new();
        for i in 0..24u32 {
            let a = i % 5;
            let b = (i * 3 + 1) % 5;
            let row = if a < b {
                vec![(a, 0.6), (b, 0.8)]
            } else if a > b {
                vec![(b, 0.8), (a, 0.6)]
            } else {
                vec![(a, 1.0)]
            };
            x.push_row(row);
            y.push(((a + i % 2) % 3) as usize);
        }
        (x, y)
    }

    /// The gradient against central differences, for two and three classes.
    #[test]
    fn gradient_matches_finite_differences() {
        let (x, y3) = matrix();
        let y2: Vec<usize> = y3.iter().map(|&c| c % 2).collect();
        for (y, n_outputs) in [(&y2, 1), (&y3, 3)] {
            let objective = SparseLogLoss {
                x: &x,
                y,
                n_outputs,
                c: 0.7,
            };
            let n = objective.n_params();
            let theta: Vec<f64> = (0..n).map(|i| ((i * 7) % 5) as f64 * 0.3 - 0.6).collect();
            let mut gradient = vec![0.0; n];
            objective.loss_gradient(&theta, &mut gradient);
            let mut scratch = vec![0.0; n];
            for i in 0..n {
                let h = 1e-6;
                let mut plus = theta.clone();
                plus[i] += h;
                let mut minus = theta.clone();
                minus[i] -= h;
                let numeric = (objective.loss_gradient(&plus, &mut scratch)
                    - objective.loss_gradient(&minus, &mut scratch))
                    / (2.0 * h);
                assert!(
                    (numeric - gradient[i]).abs() < 1e-8,
                    "{n_outputs} outputs, parameter {i}: {numeric} vs {}",
                    gradient[i]
                );
            }
        }
    }

    #[test]
    fn cancelling_stops_the_fit() {
        let (x, y) = matrix();
        let result = SparseLogistic::fit(&x, &y, 3, &TextLogisticParams::default(), &mut |_| {
            Control::Cancel
        });
        assert_eq!(result, Err(TextError::Cancelled));
    }
}

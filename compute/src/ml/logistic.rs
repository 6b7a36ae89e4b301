//! Logistic regression like scikit-learn's `LogisticRegression(solver="lbfgs")`: L2-penalized binary and multinomial log loss minimized by L-BFGS on the preprocessed matrix, with a per-iteration trace.
//!
//! The objective is scikit-learn's: the (sample-weighted) mean log loss plus
//! `‖W‖² / (2·C·Σ weights)`, the intercepts not penalized. A loss-and-gradient evaluation is
//! one pass over the rows touching `n_numeric + n_categorical` entries per row and class, so
//! one-hot columns cost nothing extra.

use serde::{Deserialize, Serialize};

use super::gbdt::{argmax, sample_weights, softmax};
use super::matrix::{DesignMatrix, FeatureSpec, TrainSet};
use super::preprocess::{Encoded, Preprocessor, NO_CATEGORY};
use super::{Control, IterationRecord, LogisticParams, MlError, Progress, Task, TrainTrace};

/// Pairs of updates L-BFGS remembers (scipy's `maxcor`, which scikit-learn leaves at 10).
const MEMORY: usize = 10;
/// Line search steps before giving up (scikit-learn's `maxls`).
const MAX_LINE_SEARCH: usize = 50;

/// A fitted logistic regression over the encoded columns
/// ([`Preprocessor::column_names`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    pub spec: FeatureSpec,
    pub params: LogisticParams,
    pub preprocessor: Preprocessor,
    /// One row per output: the positive class for a binary task, every class otherwise
    /// (scikit-learn's `coef_`).
    pub coef: Vec<Vec<f64>>,
    pub intercept: Vec<f64>,
    /// L-BFGS iterations run (scikit-learn's `n_iter_`).
    pub n_iter: usize,
    /// Whether the gradient fell below `tol` (or the objective stopped moving) before
    /// `max_iter`.
    pub converged: bool,
    /// The penalized objective per iteration (index 0 at all-zero coefficients).
    pub trace: TrainTrace,
}

/// Fits a logistic regression on `train` (a classification task); `progress` hears about
/// every L-BFGS iteration and may cancel.
pub fn fit(
    train: &TrainSet,
    params: &LogisticParams,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<LogisticModel, MlError> {
    params.check()?;
    if !train.task().is_classification() {
        return Err(MlError::InvalidTarget {
            column: train.spec.target.column.clone(),
            reason: "is numeric; logistic regression needs classes".to_string(),
        });
    }
    let preprocessor = Preprocessor::fit(&train.x, &params.preprocess)?;
    let x = preprocessor.transform(&train.x)?;
    let n_outputs = if train.task() == Task::Binary {
        1
    } else {
        train.n_classes()
    };
    let weights = sample_weights(train, params.class_weight);
    let objective = Objective {
        x: &x,
        y: &train.y,
        weights: weights.as_deref(),
        weight_sum: weights
            .as_ref()
            .map_or(train.y.len() as f64, |w| w.iter().sum()),
        n_outputs,
        fit_intercept: params.fit_intercept,
        c: params.c,
    };
    let result = lbfgs(&objective, params.max_iter, params.tol, progress)?;
    let p = x.n_columns;
    let coef = (0..n_outputs)
        .map(|k| (0..p).map(|j| result.theta[j * n_outputs + k]).collect())
        .collect();
    let intercept = if params.fit_intercept {
        result.theta[p * n_outputs..].to_vec()
    } else {
        vec![0.0; n_outputs]
    };
    Ok(LogisticModel {
        spec: train.spec.clone(),
        params: params.clone(),
        preprocessor,
        coef,
        intercept,
        n_iter: result.n_iter,
        converged: result.converged,
        trace: TrainTrace {
            iterations: result.trace,
            stopped_early: false,
            n_train: train.y.len(),
            n_validation: 0,
        },
    })
}

/// The penalized log loss. Parameters `theta`: the weights feature-major (`p × K`, so one
/// row's classes sit together), then the `K` intercepts when fitted.
struct Objective<'a> {
    x: &'a Encoded,
    y: &'a [f64],
    weights: Option<&'a [f64]>,
    weight_sum: f64,
    n_outputs: usize,
    fit_intercept: bool,
    c: f64,
}

/// A smooth, strictly convex objective [`lbfgs`] minimizes: its number of parameters, and its
/// value at `theta` with the gradient written to `gradient`. The text classifier's sparse
/// log loss (`crate::text`) is minimized by the same optimizer.
pub(crate) trait Differentiable {
    fn n_params(&self) -> usize;
    fn loss_gradient(&self, theta: &[f64], gradient: &mut [f64]) -> f64;
}

impl Differentiable for Objective<'_> {
    fn n_params(&self) -> usize {
        (self.x.n_columns + usize::from(self.fit_intercept)) * self.n_outputs
    }

    /// The objective at `theta`, its gradient written to `gradient`.
    fn loss_gradient(&self, theta: &[f64], gradient: &mut [f64]) -> f64 {
        gradient.fill(0.0);
        let x = self.x;
        let k = self.n_outputs;
        let p = x.n_columns;
        let n_numeric = x.n_numeric;
        let (weights_part, intercepts) = theta.split_at(p * k);
        let mut loss = 0.0;
        let mut scores = vec![0.0; k];
        let mut probabilities = vec![0.0; k];
        let mut intercept_gradient = vec![0.0; k];
        for row in 0..x.n_rows {
            let numeric = x.numeric_row(row);
            let codes = x.code_row(row);
            let sample_weight = self.weights.map_or(1.0, |w| w[row]);
            let class = self.y[row] as usize;
            if k == 1 {
                let mut z = if self.fit_intercept {
                    intercepts[0]
                } else {
                    0.0
                };
                for (value, w) in numeric.iter().zip(&weights_part[..n_numeric]) {
                    z += value * w;
                }
                for (&code, &offset) in codes.iter().zip(&x.offsets) {
                    if code != NO_CATEGORY {
                        z += weights_part[offset + code as usize];
                    }
                }
                // log(1 + e^z) − y·z and its derivative σ(z) − y, stable for any z.
                let y = class as f64;
                let (softplus, sigmoid) = if z > 0.0 {
                    let e = (-z).exp();
                    (z + e.ln_1p(), 1.0 / (1.0 + e))
                } else {
                    let e = z.exp();
                    (e.ln_1p(), e / (1.0 + e))
                };
                loss += sample_weight * (softplus - y * z);
                let g = sample_weight * (sigmoid - y);
                for (value, grad) in numeric.iter().zip(&mut gradient[..n_numeric]) {
                    *grad += g * value;
                }
                for (&code, &offset) in codes.iter().zip(&x.offsets) {
                    if code != NO_CATEGORY {
                        gradient[offset + code as usize] += g;
                    }
                }
                intercept_gradient[0] += g;
            } else {
                if self.fit_intercept {
                    scores.copy_from_slice(intercepts);
                } else {
                    scores.fill(0.0);
                }
                for (j, value) in numeric.iter().enumerate() {
                    for (score, w) in scores.iter_mut().zip(&weights_part[j * k..(j + 1) * k]) {
                        *score += value * w;
                    }
                }
                for (&code, &offset) in codes.iter().zip(&x.offsets) {
                    if code != NO_CATEGORY {
                        let column = offset + code as usize;
                        for (score, w) in scores
                            .iter_mut()
                            .zip(&weights_part[column * k..(column + 1) * k])
                        {
                            *score += w;
                        }
                    }
                }
                let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut total = 0.0;
                for (probability, &score) in probabilities.iter_mut().zip(&scores) {
                    *probability = (score - max).exp();
                    total += *probability;
                }
                loss += sample_weight * (max + total.ln() - scores[class]);
                for probability in probabilities.iter_mut() {
                    *probability = sample_weight * *probability / total;
                }
                probabilities[class] -= sample_weight;
                for (j, value) in numeric.iter().enumerate() {
                    for (grad, g) in gradient[j * k..(j + 1) * k].iter_mut().zip(&probabilities) {
                        *grad += g * value;
                    }
                }
                for (&code, &offset) in codes.iter().zip(&x.offsets) {
                    if code != NO_CATEGORY {
                        let column = offset + code as usize;
                        for (grad, g) in gradient[column * k..(column + 1) * k]
                            .iter_mut()
                            .zip(&probabilities)
                        {
                            *grad += g;
                        }
                    }
                }
                for (grad, g) in intercept_gradient.iter_mut().zip(&probabilities) {
                    *grad += g;
                }
            }
        }
        let scale = 1.0 / self.weight_sum;
        let l2 = 1.0 / (self.c * self.weight_sum);
        let mut penalty = 0.0;
        for (grad, w) in gradient[..p * k].iter_mut().zip(weights_part) {
            *grad = *grad * scale + l2 * w;
            penalty += w * w;
        }
        if self.fit_intercept {
            for (grad, g) in gradient[p * k..].iter_mut().zip(&intercept_gradient) {
                *grad = g * scale;
            }
        }
        loss * scale + 0.5 * l2 * penalty
    }
}

pub(crate) struct LbfgsResult {
    pub theta: Vec<f64>,
    pub n_iter: usize,
    pub converged: bool,
    pub trace: Vec<IterationRecord>,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |max, v| max.max(v.abs()))
}

/// L-BFGS from zero with a backtracking (Armijo) line search, which suffices for a
/// strictly convex objective: every accepted step has `sᵀy > 0`. Stops like scipy's
/// L-BFGS-B as scikit-learn calls it: the largest gradient component at most `tol`, or a
/// relative decrease of the objective below `64·ε`.
pub(crate) fn lbfgs(
    objective: &dyn Differentiable,
    max_iter: usize,
    tol: f64,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<LbfgsResult, MlError> {
    let n = objective.n_params();
    let mut theta = vec![0.0; n];
    let mut gradient = vec![0.0; n];
    let mut f = objective.loss_gradient(&theta, &mut gradient);
    let record = |iteration: usize, loss: f64| IterationRecord {
        iteration,
        train_loss: loss,
        validation_loss: None,
        n_leaves: 0,
    };
    let mut trace = vec![record(0, f)];
    let mut history_s: Vec<Vec<f64>> = Vec::with_capacity(MEMORY);
    let mut history_y: Vec<Vec<f64>> = Vec::with_capacity(MEMORY);
    // 1 / (yᵀs) per pair, computed once when the pair is stored (each is a pass over n).
    let mut history_rho: Vec<f64> = Vec::with_capacity(MEMORY);
    let mut direction = vec![0.0; n];
    let mut alphas = [0.0; MEMORY];
    let mut theta_new = vec![0.0; n];
    let mut gradient_new = vec![0.0; n];
    let mut converged = max_abs(&gradient) <= tol;
    let mut n_iter = 0;
    while !converged && n_iter < max_iter {
        // Two-loop recursion: direction = −H·gradient.
        direction.copy_from_slice(&gradient);
        for i in (0..history_s.len()).rev() {
            alphas[i] = history_rho[i] * dot(&history_s[i], &direction);
            for (d, y) in direction.iter_mut().zip(&history_y[i]) {
                *d -= alphas[i] * y;
            }
        }
        let (step, gamma) = match (history_s.last(), history_y.last()) {
            (Some(s), Some(y)) => (1.0, dot(s, y) / dot(y, y)),
            _ => (1.0 / dot(&gradient, &gradient).sqrt().max(1.0), 1.0),
        };
        for d in direction.iter_mut() {
            *d *= gamma;
        }
        for i in 0..history_s.len() {
            let beta = history_rho[i] * dot(&history_y[i], &direction);
            for (d, s) in direction.iter_mut().zip(&history_s[i]) {
                *d += (alphas[i] - beta) * s;
            }
        }
        for d in direction.iter_mut() {
            *d = -*d;
        }
        let slope = dot(&gradient, &direction);
        if slope >= 0.0 {
            // Not a descent direction (rounding): restart from steepest descent.
            history_s.clear();
            history_y.clear();
            history_rho.clear();
            continue;
        }
        let mut step = step;
        let mut f_new = f;
        let mut accepted = false;
        for _ in 0..MAX_LINE_SEARCH {
            for ((t, &t0), d) in theta_new.iter_mut().zip(&theta).zip(&direction) {
                *t = t0 + step * d;
            }
            f_new = objective.loss_gradient(&theta_new, &mut gradient_new);
            if f_new <= f + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            // The minimum of the quadratic through f, the slope and f_new, kept within
            // [0.1, 0.5] of the step.
            let quadratic = -slope * step * step / (2.0 * (f_new - f - slope * step));
            step = quadratic.clamp(0.1 * step, 0.5 * step);
        }
        if !accepted {
            break;
        }
        n_iter += 1;
        let s: Vec<f64> = theta_new.iter().zip(&theta).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gradient_new
            .iter()
            .zip(&gradient)
            .map(|(a, b)| a - b)
            .collect();
        let sy = dot(&s, &y);
        if sy > f64::EPSILON * dot(&y, &y) {
            if history_s.len() == MEMORY {
                history_s.remove(0);
                history_y.remove(0);
                history_rho.remove(0);
            }
            history_rho.push(1.0 / sy);
            history_s.push(s);
            history_y.push(y);
        }
        let relative_decrease = (f - f_new) / f.abs().max(f_new.abs()).max(1.0);
        std::mem::swap(&mut theta, &mut theta_new);
        std::mem::swap(&mut gradient, &mut gradient_new);
        f = f_new;
        let step_record = record(n_iter, f);
        trace.push(step_record);
        converged = max_abs(&gradient) <= tol || relative_decrease <= 64.0 * f64::EPSILON;
        if progress(Progress {
            fraction_done: n_iter as f64 / max_iter as f64,
            steps_done: n_iter,
            iteration: Some(step_record),
        }) == Control::Cancel
        {
            return Err(MlError::Cancelled);
        }
    }
    Ok(LbfgsResult {
        theta,
        n_iter,
        converged,
        trace,
    })
}

impl LogisticModel {
    pub fn task(&self) -> Task {
        self.spec.target.task
    }

    /// Raw scores, row-major with one column per output.
    pub fn decision_function(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        let encoded = self.preprocessor.transform(x)?;
        let k = self.coef.len();
        let mut scores = Vec::with_capacity(encoded.n_rows * k);
        for row in 0..encoded.n_rows {
            for (coef, intercept) in self.coef.iter().zip(&self.intercept) {
                scores.push(encoded.dot(row, coef) + intercept);
            }
        }
        Ok(scores)
    }

    /// The predicted class indices.
    pub fn predict(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        Ok(self
            .predict_proba(x)?
            .iter()
            .map(|p| argmax(p) as f64)
            .collect())
    }

    /// Class probabilities per row, classes in `spec.target.classes` order.
    pub fn predict_proba(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        let scores = self.decision_function(x)?;
        if self.coef.len() == 1 {
            return Ok(scores
                .iter()
                .map(|&z| {
                    let p = 1.0 / (1.0 + (-z).exp());
                    vec![1.0 - p, p]
                })
                .collect());
        }
        Ok(scores
            .chunks(self.coef.len())
            .map(|scores| {
                let mut p = vec![0.0; scores.len()];
                softmax(scores, &mut p);
                p
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never_cancel(_: Progress) -> Control {
        Control::Continue
    }

    fn set(task: Task, n_classes: usize) -> TrainSet {
        let n = 60;
        let x0: Vec<f64> = (0..n).map(|i| ((i * 37) % 23) as f64 / 7.0).collect();
        let x1: Vec<f64> = (0..n).map(|i| ((i * 11) % 13) as f64).collect();
        let colour: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| {
                ((x0[i] + 0.3 * x1[i] + colour[i] + (i % 4) as f64) as usize % n_classes) as f64
            })
            .collect();
        let x = DesignMatrix::new(n, vec![x0, x1, colour], vec![None, None, Some(3)]).unwrap();
        let classes = (0..n_classes).map(|c| c.to_string()).collect();
        TrainSet::from_matrix(x, y, task, classes).unwrap()
    }

    /// The gradient against central differences of the objective.
    #[test]
    fn gradient_matches_finite_differences() {
        for (task, n_classes) in [(Task::Binary, 2), (Task::Multiclass, 3)] {
            let train = set(task, n_classes);
            let pre = Preprocessor::fit(&train.x, &Default::default()).unwrap();
            let x = pre.transform(&train.x).unwrap();
            let weights: Vec<f64> = (0..train.y.len()).map(|i| 1.0 + (i % 3) as f64).collect();
            let objective = Objective {
                x: &x,
                y: &train.y,
                weights: Some(&weights),
                weight_sum: weights.iter().sum(),
                n_outputs: if task == Task::Binary { 1 } else { n_classes },
                fit_intercept: true,
                c: 0.7,
            };
            let n = objective.n_params();
            let theta: Vec<f64> = (0..n).map(|i| ((i * 7) % 5) as f64 * 0.1 - 0.2).collect();
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
                    (numeric - gradient[i]).abs() < 1e-7,
                    "{i}: {numeric} vs {}",
                    gradient[i]
                );
            }
        }
    }

    #[test]
    fn converges_and_traces_a_falling_loss() {
        let train = set(Task::Multiclass, 3);
        let model = fit(&train, &LogisticParams::default(), &mut never_cancel).unwrap();
        assert!(model.converged);
        let losses: Vec<f64> = model
            .trace
            .iterations
            .iter()
            .map(|r| r.train_loss)
            .collect();
        assert!(losses.windows(2).all(|w| w[1] <= w[0]));
        let proba = model.predict_proba(&train.x).unwrap();
        assert!(proba
            .iter()
            .all(|p| (p.iter().sum::<f64>() - 1.0).abs() < 1e-12));
        // The intercepts stay centred: every gradient step keeps their sum at zero.
        assert!(model.intercept.iter().sum::<f64>().abs() < 1e-9);
    }
}

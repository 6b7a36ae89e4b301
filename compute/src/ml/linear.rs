//! Linear regression like scikit-learn's `LinearRegression`, `Ridge`, `Lasso` and `ElasticNet` on the preprocessed matrix: closed forms on the Gram matrix and coordinate descent.
//!
//! Every solver works on `XᵀX` and `Xᵀy` of the centered columns (centering is what fitting
//! an intercept means, as in scikit-learn), built in one pass over the rows: the number of
//! encoded columns is small next to the number of rows for tabular data.

use serde::{Deserialize, Serialize};

use super::linalg::{cholesky_solve, pseudo_inverse_solve};
use super::matrix::{DesignMatrix, FeatureSpec, TrainSet};
use super::preprocess::{Encoded, Preprocessor};
use super::{Control, LinearParams, MlError, Progress, Task};

/// A fitted linear regression: coefficients over the encoded columns
/// ([`Preprocessor::column_names`]) of the standardized features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub spec: FeatureSpec,
    pub params: LinearParams,
    pub preprocessor: Preprocessor,
    pub coef: Vec<f64>,
    pub intercept: f64,
    /// Coordinate descent epochs (0 for the closed forms).
    pub n_iter: usize,
    /// Coordinate descent: the duality gap at the end, in units of `‖y − ȳ‖²`.
    pub dual_gap: Option<f64>,
}

/// Fits a linear regression on `train` (a regression task); `progress` hears about every
/// coordinate descent epoch (once for the closed forms) and may cancel.
pub fn fit(
    train: &TrainSet,
    params: &LinearParams,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<LinearModel, MlError> {
    params.check()?;
    if train.task() != Task::Regression {
        return Err(MlError::InvalidTarget {
            column: train.spec.target.column.clone(),
            reason: "holds classes; linear regression needs a numeric target".to_string(),
        });
    }
    let preprocessor = Preprocessor::fit(&train.x, &params.preprocess)?;
    let x = preprocessor.transform(&train.x)?;
    let solution = solve(&x, &train.y, params, progress)?;
    Ok(LinearModel {
        spec: train.spec.clone(),
        params: params.clone(),
        preprocessor,
        coef: solution.coef,
        intercept: solution.intercept,
        n_iter: solution.n_iter,
        dual_gap: solution.dual_gap,
    })
}

struct Solution {
    coef: Vec<f64>,
    intercept: f64,
    n_iter: usize,
    dual_gap: Option<f64>,
}

fn solve(
    x: &Encoded,
    y: &[f64],
    params: &LinearParams,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<Solution, MlError> {
    let n = x.n_rows;
    if n == 0 {
        return Err(MlError::NoRows);
    }
    let p = x.n_columns;
    let (means, y_mean) = if params.fit_intercept {
        (x.column_means(None), y.iter().sum::<f64>() / n as f64)
    } else {
        (vec![0.0; p], 0.0)
    };
    let (mut gram, xty) = x.gram(
        y,
        params.fit_intercept.then_some((means.as_slice(), y_mean)),
    );
    let (coef, n_iter, dual_gap) = if params.alpha == 0.0 {
        // numpy's lstsq cut-off `eps · max(n, p)` on singular values, but no finer than the
        // eigenvalues of the Gram matrix can be told from zero.
        let rcond = f64::EPSILON * n.max(p) as f64;
        let rcond = rcond.max((p as f64 * f64::EPSILON).sqrt());
        (pseudo_inverse_solve(&gram, &xty, rcond), 0, None)
    } else if params.l1_ratio == 0.0 {
        for i in 0..p {
            gram[i * p + i] += params.alpha;
        }
        let coef =
            cholesky_solve(&gram, &xty).unwrap_or_else(|| pseudo_inverse_solve(&gram, &xty, 1e-8));
        (coef, 0, None)
    } else {
        let y_norm2: f64 = y.iter().map(|v| (v - y_mean) * (v - y_mean)).sum();
        let (coef, n_iter, gap) = coordinate_descent(
            &gram,
            &xty,
            y_norm2,
            params.alpha * params.l1_ratio * n as f64,
            params.alpha * (1.0 - params.l1_ratio) * n as f64,
            params.max_iter,
            params.tol,
            progress,
        )?;
        (coef, n_iter, Some(gap / y_norm2.max(f64::MIN_POSITIVE)))
    };
    if progress(Progress {
        fraction_done: 1.0,
        steps_done: n_iter.max(1),
        iteration: None,
    }) == Control::Cancel
    {
        return Err(MlError::Cancelled);
    }
    let intercept = if params.fit_intercept {
        y_mean - means.iter().zip(&coef).map(|(m, w)| m * w).sum::<f64>()
    } else {
        0.0
    };
    Ok(Solution {
        coef,
        intercept,
        n_iter,
        dual_gap,
    })
}

/// scikit-learn's `enet_coordinate_descent_gram` (cyclic, without the screening rules,
/// which only skip coefficients that are zero at the optimum): minimizes
/// `½‖y − Xw‖² + l1·‖w‖₁ + ½·l2·‖w‖²` given `Q = XᵀX`, `q = Xᵀy`; stops once the largest
/// update is small next to the largest coefficient and the duality gap is below
/// `tol · ‖y‖²`. Returns the coefficients, the epochs run and the last gap.
#[allow(clippy::too_many_arguments)]
fn coordinate_descent(
    gram: &[f64],
    xty: &[f64],
    y_norm2: f64,
    l1: f64,
    l2: f64,
    max_iter: usize,
    tol: f64,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<(Vec<f64>, usize, f64), MlError> {
    let p = xty.len();
    // The coefficient-update test uses `tol` as it is, the gap test scales it by ‖y‖².
    let d_w_tol = tol;
    let tol = tol * y_norm2;
    let mut w = vec![0.0; p];
    let mut qw = vec![0.0; p];
    let mut gap = enet_gap(&w, &qw, xty, y_norm2, l1, l2);
    if (0.0..=tol).contains(&gap) {
        return Ok((w, 0, gap));
    }
    for epoch in 0..max_iter {
        let (mut w_max, mut d_w_max) = (0.0f64, 0.0f64);
        for j in 0..p {
            let q_jj = gram[j * p + j];
            if q_jj == 0.0 {
                continue;
            }
            let w_j = w[j];
            let tmp = xty[j] - qw[j] + w_j * q_jj;
            w[j] = tmp.signum() * (tmp.abs() - l1).max(0.0) / (q_jj + l2);
            if w[j] != w_j {
                let delta = w[j] - w_j;
                for (qw, q) in qw.iter_mut().zip(&gram[j * p..(j + 1) * p]) {
                    *qw += delta * q;
                }
            }
            d_w_max = d_w_max.max((w[j] - w_j).abs());
            w_max = w_max.max(w[j].abs());
        }
        let last = epoch + 1 == max_iter;
        if w_max == 0.0 || d_w_max / w_max <= d_w_tol || last {
            gap = enet_gap(&w, &qw, xty, y_norm2, l1, l2);
            if gap <= tol {
                return Ok((w, epoch + 1, gap));
            }
        }
        if progress(Progress {
            fraction_done: (epoch + 1) as f64 / max_iter as f64,
            steps_done: epoch + 1,
            iteration: None,
        }) == Control::Cancel
        {
            return Err(MlError::Cancelled);
        }
    }
    Ok((w, max_iter, gap))
}

/// The duality gap of the elastic net (scikit-learn's "formulation A") from `Qw`.
fn enet_gap(w: &[f64], qw: &[f64], q: &[f64], y_norm2: f64, l1: f64, l2: f64) -> f64 {
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let w_l2_norm2 = dot(w, w);
    let q_dot_w = dot(q, w);
    let r_norm2 = y_norm2 + dot(w, qw) - 2.0 * q_dot_w;
    let ry = y_norm2 - q_dot_w;
    let dual_norm = w
        .iter()
        .zip(qw)
        .zip(q)
        .map(|((w, qw), q)| (q - qw - l2 * w).abs())
        .fold(0.0, f64::max);
    let w_l1_norm: f64 = w.iter().map(|w| w.abs()).sum();
    let primal = 0.5 * (r_norm2 + l2 * w_l2_norm2) + l1 * w_l1_norm;
    let scale = if dual_norm > l1 { l1 / dual_norm } else { 1.0 };
    let dual = -0.5 * scale * scale * (r_norm2 + l2 * w_l2_norm2) + scale * ry;
    primal - dual
}

impl LinearModel {
    pub fn task(&self) -> Task {
        self.spec.target.task
    }

    /// The predicted values.
    pub fn predict(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        let encoded = self.preprocessor.transform(x)?;
        Ok((0..encoded.n_rows)
            .map(|row| encoded.dot(row, &self.coef) + self.intercept)
            .collect())
    }

    /// The coefficients by encoded column name (`age`, `colour=red`).
    pub fn named_coefficients(&self) -> Vec<(String, f64)> {
        self.preprocessor
            .column_names(&self.spec)
            .into_iter()
            .zip(self.coef.iter().copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never_cancel(_: Progress) -> Control {
        Control::Continue
    }

    /// y = 1 + 2·x0 − x1 exactly, on columns that are already standardized-looking.
    fn train() -> TrainSet {
        let x0 = vec![-1.5, -0.5, 0.5, 1.5, 0.0, 2.0];
        let x1 = vec![1.0, -1.0, 2.0, 0.0, 3.0, -2.0];
        let y = x0.iter().zip(&x1).map(|(a, b)| 1.0 + 2.0 * a - b).collect();
        let x = DesignMatrix::numeric(6, vec![x0, x1]).unwrap();
        TrainSet::from_matrix(x, y, Task::Regression, Vec::new()).unwrap()
    }

    #[test]
    fn ols_recovers_an_exact_line_and_lasso_shrinks_it() {
        let set = train();
        let ols = fit(&set, &LinearParams::ols(), &mut never_cancel).unwrap();
        let predicted = ols.predict(&set.x).unwrap();
        for (p, y) in predicted.iter().zip(&set.y) {
            assert!((p - y).abs() < 1e-10, "{p} vs {y}");
        }
        let lasso = fit(&set, &LinearParams::lasso(0.5), &mut never_cancel).unwrap();
        assert!(lasso.n_iter > 0);
        assert!(lasso.dual_gap.unwrap() <= 1e-4);
        let shrunk: f64 = lasso.coef.iter().map(|w| w.abs()).sum();
        let full: f64 = ols.coef.iter().map(|w| w.abs()).sum();
        assert!(shrunk < full);
    }

    #[test]
    fn elastic_net_with_l2_only_equals_ridge_at_n_times_alpha() {
        let set = train();
        // l1_ratio tiny but positive takes the coordinate descent path.
        let mut enet = LinearParams::elastic_net(0.1, 1e-12);
        enet.tol = 1e-14;
        let enet = fit(&set, &enet, &mut never_cancel).unwrap();
        let ridge = fit(&set, &LinearParams::ridge(0.6), &mut never_cancel).unwrap();
        for (a, b) in enet.coef.iter().zip(&ridge.coef) {
            assert!((a - b).abs() < 1e-8, "{a} vs {b}");
        }
    }

    #[test]
    fn refuses_a_classification_target_and_can_be_cancelled() {
        let set = train();
        let classes = TrainSet::from_matrix(
            set.x.clone(),
            vec![0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
            Task::Binary,
            vec!["a".into(), "b".into()],
        )
        .unwrap();
        assert!(fit(&classes, &LinearParams::ols(), &mut never_cancel).is_err());
        assert_eq!(
            fit(&set, &LinearParams::lasso(0.01), &mut |_| Control::Cancel).unwrap_err(),
            MlError::Cancelled
        );
    }
}

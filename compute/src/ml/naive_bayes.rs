//! Gaussian naive Bayes like scikit-learn's `GaussianNB` on the preprocessed matrix (one-hot columns count as Gaussian features, as they do in a scikit-learn pipeline).

use serde::{Deserialize, Serialize};

use super::gbdt::argmax;
use super::matrix::{DesignMatrix, FeatureSpec, TrainSet};
use super::preprocess::Preprocessor;
use super::{Control, MlError, NaiveBayesParams, Progress, Task};

/// A fitted Gaussian naive Bayes model: per class a prior and, per encoded column, a mean
/// and a variance (scikit-learn's `class_prior_`, `theta_`, `var_`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaiveBayesModel {
    pub spec: FeatureSpec,
    pub params: NaiveBayesParams,
    pub preprocessor: Preprocessor,
    pub class_prior: Vec<f64>,
    pub theta: Vec<Vec<f64>>,
    /// Variances with `epsilon` added.
    pub var: Vec<Vec<f64>>,
    /// `var_smoothing` times the largest column variance.
    pub epsilon: f64,
}

/// Fits Gaussian naive Bayes on `train` (a classification task).
pub fn fit(
    train: &TrainSet,
    params: &NaiveBayesParams,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<NaiveBayesModel, MlError> {
    params.check()?;
    if !train.task().is_classification() {
        return Err(MlError::InvalidTarget {
            column: train.spec.target.column.clone(),
            reason: "is numeric; naive Bayes needs classes".to_string(),
        });
    }
    let preprocessor = Preprocessor::fit(&train.x, &params.preprocess)?;
    let x = preprocessor.transform(&train.x)?;
    let p = x.n_columns;
    let n_classes = train.n_classes();
    let n = x.n_rows as f64;
    let mut counts = vec![0.0f64; n_classes];
    let mut sums = vec![vec![0.0; p]; n_classes];
    let mut row = vec![0.0; p];
    for (i, &class) in train.y.iter().enumerate() {
        let class = class as usize;
        counts[class] += 1.0;
        x.for_each_entry(i, |column, value| sums[class][column] += value);
    }
    let theta: Vec<Vec<f64>> = sums
        .iter()
        .zip(&counts)
        .map(|(sums, &count)| sums.iter().map(|s| s / count.max(1.0)).collect())
        .collect();
    // Two passes, like `numpy.var`: squared deviations from the class means, and from the
    // overall means for epsilon.
    let overall: Vec<f64> = (0..p)
        .map(|j| (0..n_classes).map(|c| sums[c][j]).sum::<f64>() / n)
        .collect();
    let mut var = vec![vec![0.0; p]; n_classes];
    let mut overall_var = vec![0.0; p];
    for (i, &class) in train.y.iter().enumerate() {
        let class = class as usize;
        x.dense_row(i, &mut row);
        for j in 0..p {
            let d = row[j] - theta[class][j];
            var[class][j] += d * d;
            let d = row[j] - overall[j];
            overall_var[j] += d * d;
        }
    }
    let epsilon = params.var_smoothing * overall_var.iter().fold(0.0, |m: f64, v| m.max(v / n));
    for (var, &count) in var.iter_mut().zip(&counts) {
        for v in var.iter_mut() {
            *v = *v / count.max(1.0) + epsilon;
        }
    }
    if progress(Progress {
        fraction_done: 1.0,
        steps_done: 1,
        iteration: None,
    }) == Control::Cancel
    {
        return Err(MlError::Cancelled);
    }
    Ok(NaiveBayesModel {
        spec: train.spec.clone(),
        params: params.clone(),
        preprocessor,
        class_prior: counts.iter().map(|c| c / n).collect(),
        theta,
        var,
        epsilon,
    })
}

impl NaiveBayesModel {
    pub fn task(&self) -> Task {
        self.spec.target.task
    }

    /// Per row, per class: `log P(class) + log P(row | class)` (scikit-learn's
    /// `_joint_log_likelihood`).
    pub fn joint_log_likelihood(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        let encoded = self.preprocessor.transform(x)?;
        let p = encoded.n_columns;
        // The row-independent part of each class's log density.
        let constants: Vec<f64> = self
            .class_prior
            .iter()
            .zip(&self.var)
            .map(|(prior, var)| {
                prior.ln()
                    - 0.5
                        * var
                            .iter()
                            .map(|v| (2.0 * std::f64::consts::PI * v).ln())
                            .sum::<f64>()
            })
            .collect();
        let mut row = vec![0.0; p];
        Ok((0..encoded.n_rows)
            .map(|i| {
                encoded.dense_row(i, &mut row);
                constants
                    .iter()
                    .zip(self.theta.iter().zip(&self.var))
                    .map(|(constant, (theta, var))| {
                        let quadratic: f64 = row
                            .iter()
                            .zip(theta.iter().zip(var))
                            .map(|(x, (mean, v))| (x - mean) * (x - mean) / v)
                            .sum();
                        constant - 0.5 * quadratic
                    })
                    .collect()
            })
            .collect())
    }

    /// The predicted class indices.
    pub fn predict(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        Ok(self
            .joint_log_likelihood(x)?
            .iter()
            .map(|jll| argmax(jll) as f64)
            .collect())
    }

    /// Class probabilities per row.
    pub fn predict_proba(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        Ok(self
            .joint_log_likelihood(x)?
            .into_iter()
            .map(|jll| {
                let max = jll.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let log_total = max + jll.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
                jll.iter().map(|v| (v - log_total).exp()).collect()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_two_gaussian_clusters() {
        let x = DesignMatrix::numeric(6, vec![vec![0.0, 0.2, 0.4, 5.0, 5.2, 5.6]]).unwrap();
        let train = TrainSet::from_matrix(
            x,
            vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
            Task::Binary,
            vec!["a".into(), "b".into()],
        )
        .unwrap();
        let model = fit(&train, &NaiveBayesParams::default(), &mut |_| {
            Control::Continue
        })
        .unwrap();
        assert_eq!(model.class_prior, vec![0.5, 0.5]);
        assert_eq!(model.predict(&train.x).unwrap(), train.y);
        let proba = model.predict_proba(&train.x).unwrap();
        assert!(proba.iter().all(|p| (p[0] + p[1] - 1.0).abs() < 1e-12));
    }
}

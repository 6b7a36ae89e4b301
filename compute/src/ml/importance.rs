//! Permutation importance like `sklearn.inspection.permutation_importance`: how much a score drops when one feature's values are shuffled.

use serde::{Deserialize, Serialize};

use super::matrix::DesignMatrix;
use super::metrics::{
    accuracy_score, balanced_accuracy_score, class_indices, f1_score, log_loss,
    mean_absolute_error, r2_score, roc_auc_score, root_mean_squared_error, Average,
};
use super::model::Model;
use super::rng::{shuffle, SplitMix64};
use super::{Metric, MlError};

/// One feature's importance: the baseline score minus the score with the feature shuffled,
/// per repeat, with their mean and (population) standard deviation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Importance {
    pub feature: String,
    pub importances_mean: f64,
    pub importances_std: f64,
    pub importances: Vec<f64>,
}

/// The model's score on `x` and `y` (values, or class indices) by `metric`, higher better.
pub fn score(model: &Model, x: &DesignMatrix, y: &[f64], metric: Metric) -> Result<f64, MlError> {
    let classification = || -> Result<(Vec<usize>, Vec<Vec<f64>>), MlError> {
        Ok((class_indices(y), model.predict_proba(x)?))
    };
    let predicted_classes = |proba: &[Vec<f64>]| -> Vec<usize> {
        proba.iter().map(|p| super::gbdt::argmax(p)).collect()
    };
    Ok(match metric {
        Metric::R2 => r2_score(y, &model.predict(x)?),
        Metric::NegRootMeanSquaredError => -root_mean_squared_error(y, &model.predict(x)?),
        Metric::NegMeanAbsoluteError => -mean_absolute_error(y, &model.predict(x)?),
        Metric::Accuracy => {
            let (t, proba) = classification()?;
            accuracy_score(&t, &predicted_classes(&proba))
        }
        Metric::BalancedAccuracy => {
            let (t, proba) = classification()?;
            balanced_accuracy_score(
                &t,
                &predicted_classes(&proba),
                proba.first().map_or(0, Vec::len),
            )
        }
        Metric::F1Macro => {
            let (t, proba) = classification()?;
            f1_score(
                &t,
                &predicted_classes(&proba),
                proba.first().map_or(0, Vec::len),
                Average::Macro,
            )
        }
        Metric::NegLogLoss => {
            let (t, proba) = classification()?;
            -log_loss(&t, &proba)
        }
        Metric::RocAuc => {
            let (t, proba) = classification()?;
            roc_auc_score(&t, &proba).unwrap_or(f64::NAN)
        }
    })
}

/// For each feature, shuffles its column `n_repeats` times and records how much `metric`
/// drops (`sklearn.inspection.permutation_importance`). Deterministic for a seed.
pub fn permutation_importance(
    model: &Model,
    x: &DesignMatrix,
    y: &[f64],
    metric: Metric,
    n_repeats: usize,
    seed: u64,
) -> Result<Vec<Importance>, MlError> {
    if n_repeats == 0 {
        return Err(MlError::InvalidParameter {
            name: "n_repeats",
            reason: "must be at least 1".to_string(),
        });
    }
    if y.len() != x.n_rows() {
        return Err(MlError::LengthMismatch {
            what: "y",
            expected: x.n_rows(),
            found: y.len(),
        });
    }
    let baseline = score(model, x, y, metric)?;
    let mut rng = SplitMix64::new(seed);
    let mut shuffled = x.clone();
    let mut importances = Vec::with_capacity(x.n_features());
    for feature in 0..x.n_features() {
        let mut drops = Vec::with_capacity(n_repeats);
        for _ in 0..n_repeats {
            let column = shuffled.column_mut(feature);
            column.copy_from_slice(x.column(feature));
            shuffle(&mut rng, column);
            drops.push(baseline - score(model, &shuffled, y, metric)?);
        }
        shuffled
            .column_mut(feature)
            .copy_from_slice(x.column(feature));
        let name = model
            .spec()
            .features
            .get(feature)
            .map_or_else(|| format!("x{feature}"), |f| f.name.clone());
        importances.push(summarize(name, drops));
    }
    // The free-text columns count as one feature: the rows' documents shuffled.
    if let Some(texts) = x.texts() {
        let mut drops = Vec::with_capacity(n_repeats);
        for _ in 0..n_repeats {
            let mut documents = texts.to_vec();
            shuffle(&mut rng, &mut documents);
            let shuffled = x.clone().with_texts(documents)?;
            drops.push(baseline - score(model, &shuffled, y, metric)?);
        }
        importances.push(summarize(model.spec().text_columns.join(", "), drops));
    }
    Ok(importances)
}

/// One feature's drops with their mean and population standard deviation.
fn summarize(feature: String, drops: Vec<f64>) -> Importance {
    let n = drops.len() as f64;
    let mean = drops.iter().sum::<f64>() / n;
    let variance = drops.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / n;
    Importance {
        feature,
        importances_mean: mean,
        importances_std: variance.sqrt(),
        importances: drops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::{gbdt, Control, GbdtParams, Task, TrainSet};

    #[test]
    fn the_feature_the_target_depends_on_matters_most() {
        let n = 200;
        let signal: Vec<f64> = (0..n).map(|i| f64::from(i % 10)).collect();
        let noise: Vec<f64> = (0..n).map(|i| f64::from((i * 37) % 11)).collect();
        let y: Vec<f64> = signal.iter().map(|s| 3.0 * s).collect();
        let x = DesignMatrix::numeric(n as usize, vec![signal, noise]).unwrap();
        let train = TrainSet::from_matrix(x.clone(), y.clone(), Task::Regression, vec![]).unwrap();
        let model: Model = gbdt::fit(&train, &GbdtParams::default(), 0, &mut |_| {
            Control::Continue
        })
        .unwrap()
        .into();
        let importances = permutation_importance(&model, &x, &y, Metric::R2, 5, 7).unwrap();
        assert_eq!(importances[0].feature, "x0");
        assert!(importances[0].importances_mean > 1.0, "{importances:?}");
        assert!(
            importances[1].importances_mean.abs() < 0.05,
            "{importances:?}"
        );
        assert_eq!(importances[0].importances.len(), 5);
        assert_eq!(
            permutation_importance(&model, &x, &y, Metric::R2, 5, 7).unwrap(),
            importances
        );
    }
}

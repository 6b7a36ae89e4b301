//! Random forests like scikit-learn's `RandomForestRegressor` / `…Classifier`: bootstrap samples, a random feature subset per split, Gini or squared error, splits on 255-bin histograms.

use serde::{Deserialize, Serialize};

use super::bin::{BinMapper, BinnedMatrix};
use super::gbdt::{argmax, check_features, sample_weights};
use super::grow::{grow, GrowParams, LeafValue, RowStats, Scratch, Tree};
use super::matrix::{DesignMatrix, FeatureSpec, TrainSet};
use super::rng::SplitMix64;
use super::{ClassWeight, Control, ForestParams, MaxFeatures, MlError, Progress, Task};

/// A fitted forest; a leaf's outputs are the mean target (regression, minus `offset`) or
/// the class fractions (one output, the positive class's, for binary).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForestModel {
    pub spec: FeatureSpec,
    pub params: ForestParams,
    pub trees: Vec<Tree>,
    /// Regression targets are centred on their mean before growing (so split gains are not
    /// lost to rounding); this adds it back.
    pub offset: f64,
    /// Impurity-based importance per feature, normalized to sum to 1.
    pub feature_importances: Vec<f64>,
}

/// What every tree of a forest (or a lone tree) is grown from.
pub(crate) struct Prepared {
    pub mapper: BinMapper,
    pub binned: BinnedMatrix,
    pub k: usize,
    pub offset: f64,
    /// Per row: `k` values of the target (centred value, or one-hot / positive indicator).
    pub targets: Vec<f64>,
    pub class_weights: Option<Vec<f64>>,
}

pub(crate) fn prepare(
    train: &TrainSet,
    max_bins: usize,
    class_weight: ClassWeight,
    seed: u64,
) -> Result<Prepared, MlError> {
    let n = train.x.n_rows();
    if n == 0 {
        return Err(MlError::NoRows);
    }
    if train.x.n_features() == 0 {
        return Err(MlError::NoFeatures);
    }
    // Categories are split by their codes' order, as scikit-learn's trees see ordinal codes.
    let mapper = BinMapper::fit(&train.x, max_bins, false, seed);
    let binned = mapper.transform(&train.x);
    let (k, offset, targets) = match train.task() {
        Task::Regression => {
            let mean = train.y.iter().sum::<f64>() / n as f64;
            (1, mean, train.y.iter().map(|y| y - mean).collect())
        }
        Task::Binary => (1, 0.0, train.y.clone()),
        Task::Multiclass => {
            let k = train.n_classes();
            let mut targets = vec![0.0; n * k];
            for (row, &class) in train.y.iter().enumerate() {
                targets[row * k + class as usize] = 1.0;
            }
            (k, 0.0, targets)
        }
    };
    Ok(Prepared {
        mapper,
        binned,
        k,
        offset,
        targets,
        class_weights: sample_weights(train, class_weight),
    })
}

/// Grows one tree on rows weighted by `counts` (bootstrap draws; 1 each without bootstrap).
pub(crate) fn grow_tree(
    prepared: &Prepared,
    train: &TrainSet,
    counts: &[u32],
    params: &GrowParams,
    rng: &mut SplitMix64,
    scratch: &mut Scratch,
) -> Tree {
    let k = prepared.k;
    let n = counts.len();
    let mut gradients = vec![0.0; n * k];
    let mut hessians = vec![0.0; n];
    let mut rows: Vec<u32> = Vec::with_capacity(n);
    for (row, &count) in counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        rows.push(row as u32);
        let weight = f64::from(count) * prepared.class_weights.as_ref().map_or(1.0, |w| w[row]);
        hessians[row] = weight;
        for c in 0..k {
            gradients[row * k + c] = weight * prepared.targets[row * k + c];
        }
    }
    let stats = RowStats {
        k,
        gradients: &gradients,
        hessians: Some(&hessians),
        targets: Some(&train.y),
    };
    grow(
        &prepared.binned,
        &prepared.mapper,
        &stats,
        &mut rows,
        params,
        rng,
        scratch,
    )
    .0
}

pub(crate) fn tree_grow_params(
    max_depth: Option<usize>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    max_features: usize,
) -> GrowParams {
    GrowParams {
        max_leaf_nodes: None,
        max_depth,
        min_samples_leaf,
        min_samples_split,
        min_hessian_to_split: 0.0,
        l2_regularization: 0.0,
        max_features,
        leaf_value: LeafValue::Mean,
    }
}

/// Fits a forest on `train`; `progress` hears about every tree and may cancel.
pub fn fit(
    train: &TrainSet,
    params: &ForestParams,
    seed: u64,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<ForestModel, MlError> {
    params.check()?;
    let mut rng = SplitMix64::new(seed);
    let prepared = prepare(train, params.max_bins, params.class_weight, rng.next_u64())?;
    let n = train.x.n_rows();
    let n_features = train.x.n_features();
    let max_features = params
        .max_features
        .unwrap_or(if train.task().is_classification() {
            MaxFeatures::Sqrt
        } else {
            MaxFeatures::Fraction(1.0)
        })
        .resolve(n_features);
    let grow_params = tree_grow_params(
        params.max_depth,
        params.min_samples_split,
        params.min_samples_leaf,
        max_features,
    );
    let mut scratch = Scratch::default();
    let mut trees = Vec::with_capacity(params.n_estimators);
    let mut importances = vec![0.0; n_features];
    let mut counts = vec![0u32; n];
    for index in 0..params.n_estimators {
        let mut tree_rng = SplitMix64::new(rng.next_u64());
        if params.bootstrap {
            counts.iter_mut().for_each(|count| *count = 0);
            for _ in 0..n {
                counts[tree_rng.below(n as u64) as usize] += 1;
            }
        } else {
            counts.iter_mut().for_each(|count| *count = 1);
        }
        let tree = grow_tree(
            &prepared,
            train,
            &counts,
            &grow_params,
            &mut tree_rng,
            &mut scratch,
        );
        add_normalized_gains(&tree, &mut importances);
        trees.push(tree);
        if progress(Progress {
            fraction_done: (index + 1) as f64 / params.n_estimators as f64,
            steps_done: index + 1,
            iteration: None,
        }) == Control::Cancel
        {
            return Err(MlError::Cancelled);
        }
    }
    normalize(&mut importances);
    Ok(ForestModel {
        spec: train.spec.clone(),
        params: params.clone(),
        trees,
        offset: prepared.offset,
        feature_importances: importances,
    })
}

/// Adds a tree's importances, normalized within the tree as scikit-learn does before
/// averaging over a forest.
pub(crate) fn add_normalized_gains(tree: &Tree, totals: &mut [f64]) {
    let mut gains = vec![0.0; totals.len()];
    tree.add_gains(&mut gains);
    normalize(&mut gains);
    for (total, gain) in totals.iter_mut().zip(gains) {
        *total += gain;
    }
}

pub(crate) fn normalize(values: &mut [f64]) {
    let total: f64 = values.iter().sum();
    if total > 0.0 {
        values.iter_mut().for_each(|value| *value /= total);
    }
}

/// The mean over `trees` of each row's leaf outputs, row-major.
pub(crate) fn mean_outputs(trees: &[Tree], x: &DesignMatrix) -> Vec<f64> {
    let k = trees.first().map_or(1, |tree| tree.n_outputs);
    let mut out = vec![0.0; x.n_rows() * k];
    for tree in trees {
        for row in 0..x.n_rows() {
            for (o, v) in out[row * k..(row + 1) * k]
                .iter_mut()
                .zip(tree.leaf_values(x, row))
            {
                *o += v;
            }
        }
    }
    let scale = 1.0 / trees.len().max(1) as f64;
    out.iter_mut().for_each(|o| *o *= scale);
    out
}

/// Turns mean leaf outputs into class probabilities.
pub(crate) fn probabilities(task: Task, outputs: Vec<f64>, n_classes: usize) -> Vec<Vec<f64>> {
    match task {
        Task::Binary => outputs
            .iter()
            .map(|&p| {
                let p = p.clamp(0.0, 1.0);
                vec![1.0 - p, p]
            })
            .collect(),
        _ => outputs
            .chunks(n_classes.max(1))
            .map(<[f64]>::to_vec)
            .collect(),
    }
}

impl ForestModel {
    pub fn task(&self) -> Task {
        self.spec.target.task
    }

    /// Regression: the predicted values; classification: the predicted class indices.
    pub fn predict(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        check_features(&self.spec, x)?;
        if self.task() == Task::Regression {
            return Ok(mean_outputs(&self.trees, x)
                .iter()
                .map(|v| v + self.offset)
                .collect());
        }
        Ok(self
            .predict_proba(x)?
            .iter()
            .map(|p| argmax(p) as f64)
            .collect())
    }

    /// Class probabilities per row: the mean over trees of the leaves' class fractions.
    pub fn predict_proba(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        check_features(&self.spec, x)?;
        if self.task() == Task::Regression {
            return Err(MlError::NotAClassifier {
                model: "random forest",
            });
        }
        Ok(probabilities(
            self.task(),
            mean_outputs(&self.trees, x),
            self.spec.target.classes.len(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forest_separates_classes_and_is_deterministic() {
        let n = 300;
        let x0: Vec<f64> = (0..n).map(|i| (i % 100) as f64).collect();
        let x1: Vec<f64> = (0..n).map(|i| ((i * 7) % 11) as f64).collect();
        let y: Vec<f64> = x0
            .iter()
            .map(|&v| {
                if v < 33.0 {
                    0.0
                } else if v < 66.0 {
                    1.0
                } else {
                    2.0
                }
            })
            .collect();
        let x = DesignMatrix::numeric(n, vec![x0, x1]).unwrap();
        let train = TrainSet::from_matrix(
            x.clone(),
            y.clone(),
            Task::Multiclass,
            vec!["a".into(), "b".into(), "c".into()],
        )
        .unwrap();
        let params = ForestParams {
            n_estimators: 10,
            ..ForestParams::default()
        };
        let a = fit(&train, &params, 3, &mut |_| Control::Continue).unwrap();
        let b = fit(&train, &params, 3, &mut |_| Control::Continue).unwrap();
        assert_eq!(a, b);
        let predicted = a.predict(&x).unwrap();
        assert_eq!(predicted, y);
        let proba = a.predict_proba(&x).unwrap();
        assert!(proba
            .iter()
            .all(|p| (p.iter().sum::<f64>() - 1.0).abs() < 1e-9));
        assert!(a.feature_importances[0] > a.feature_importances[1]);
    }
}

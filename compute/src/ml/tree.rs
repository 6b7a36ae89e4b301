//! One decision tree like scikit-learn's `DecisionTreeRegressor` / `…Classifier`, grown by the forest's code without bootstrap.

use serde::{Deserialize, Serialize};

use super::forest::{grow_tree, mean_outputs, normalize, prepare, probabilities, tree_grow_params};
use super::gbdt::{argmax, check_features};
use super::grow::{Scratch, Tree};
use super::matrix::{DesignMatrix, FeatureSpec, TrainSet};
use super::rng::SplitMix64;
use super::{Control, MlError, Progress, Task, TreeParams};

/// A fitted decision tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TreeModel {
    pub spec: FeatureSpec,
    pub params: TreeParams,
    pub tree: Tree,
    /// The regression target's mean, added back to the leaves' centred means.
    pub offset: f64,
    /// Impurity-based importance per feature, normalized to sum to 1.
    pub feature_importances: Vec<f64>,
}

/// Fits one tree on every row of `train` (progress is reported once, at the end).
pub fn fit(
    train: &TrainSet,
    params: &TreeParams,
    seed: u64,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<TreeModel, MlError> {
    params.check()?;
    let mut rng = SplitMix64::new(seed);
    let prepared = prepare(train, params.max_bins, params.class_weight, rng.next_u64())?;
    let n_features = train.x.n_features();
    let max_features = params
        .max_features
        .map_or(n_features, |m| m.resolve(n_features));
    let grow_params = tree_grow_params(
        params.max_depth,
        params.min_samples_split,
        params.min_samples_leaf,
        max_features,
    );
    let counts = vec![1u32; train.x.n_rows()];
    let tree = grow_tree(
        &prepared,
        train,
        &counts,
        &grow_params,
        &mut rng,
        &mut Scratch::default(),
    );
    let mut feature_importances = vec![0.0; n_features];
    tree.add_gains(&mut feature_importances);
    normalize(&mut feature_importances);
    if progress(Progress {
        fraction_done: 1.0,
        steps_done: 1,
        iteration: None,
    }) == Control::Cancel
    {
        return Err(MlError::Cancelled);
    }
    Ok(TreeModel {
        spec: train.spec.clone(),
        params: params.clone(),
        tree,
        offset: prepared.offset,
        feature_importances,
    })
}

impl TreeModel {
    pub fn task(&self) -> Task {
        self.spec.target.task
    }

    /// Regression: the predicted values; classification: the predicted class indices.
    pub fn predict(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        check_features(&self.spec, x)?;
        let trees = std::slice::from_ref(&self.tree);
        if self.task() == Task::Regression {
            return Ok(mean_outputs(trees, x)
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

    /// The class fractions of each row's leaf.
    pub fn predict_proba(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        check_features(&self.spec, x)?;
        if self.task() == Task::Regression {
            return Err(MlError::NotAClassifier {
                model: "decision tree",
            });
        }
        let trees = std::slice::from_ref(&self.tree);
        Ok(probabilities(
            self.task(),
            mean_outputs(trees, x),
            self.spec.target.classes.len(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_depth_one_is_a_stump() {
        let x = DesignMatrix::numeric(8, vec![(0..8).map(f64::from).collect()]).unwrap();
        let y = vec![1.0, 1.0, 1.0, 1.0, 5.0, 5.0, 9.0, 9.0];
        let train = TrainSet::from_matrix(x.clone(), y, Task::Regression, vec![]).unwrap();
        let params = TreeParams {
            max_depth: Some(1),
            ..TreeParams::default()
        };
        let model = fit(&train, &params, 0, &mut |_| Control::Continue).unwrap();
        assert_eq!(model.tree.n_leaves(), 2);
        // sklearn DecisionTreeRegressor(max_depth=1).fit(X, y).predict(X)
        // -> [1, 1, 1, 1, 7, 7, 7, 7]
        assert_eq!(
            model.predict(&x).unwrap(),
            vec![1.0, 1.0, 1.0, 1.0, 7.0, 7.0, 7.0, 7.0]
        );
        let deep = fit(&train, &TreeParams::default(), 0, &mut |_| {
            Control::Continue
        })
        .unwrap();
        assert_eq!(deep.tree.n_leaves(), 3);
    }
}

//! The one enum every fitted model is stored and predicted through; linear models, kNN or naive Bayes will be more variants.

use serde::{Deserialize, Serialize};

use super::forest::ForestModel;
use super::gbdt::GbdtModel;
use super::matrix::{DesignMatrix, FeatureSpec};
use super::tree::TreeModel;
use super::{MlError, Task};

/// A fitted model, serializable as JSON (with the feature spec that maps new frames).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Model {
    Gbdt(GbdtModel),
    Forest(ForestModel),
    Tree(TreeModel),
}

impl Model {
    pub fn spec(&self) -> &FeatureSpec {
        match self {
            Model::Gbdt(model) => &model.spec,
            Model::Forest(model) => &model.spec,
            Model::Tree(model) => &model.spec,
        }
    }

    pub fn task(&self) -> Task {
        self.spec().target.task
    }

    /// Regression: the predicted values; classification: the predicted class indices into
    /// `spec().target.classes`.
    pub fn predict(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        match self {
            Model::Gbdt(model) => model.predict(x),
            Model::Forest(model) => model.predict(x),
            Model::Tree(model) => model.predict(x),
        }
    }

    /// Class probabilities per row (classification only).
    pub fn predict_proba(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        match self {
            Model::Gbdt(model) => model.predict_proba(x),
            Model::Forest(model) => model.predict_proba(x),
            Model::Tree(model) => model.predict_proba(x),
        }
    }
}

impl From<GbdtModel> for Model {
    fn from(model: GbdtModel) -> Self {
        Model::Gbdt(model)
    }
}

impl From<ForestModel> for Model {
    fn from(model: ForestModel) -> Self {
        Model::Forest(model)
    }
}

impl From<TreeModel> for Model {
    fn from(model: TreeModel) -> Self {
        Model::Tree(model)
    }
}

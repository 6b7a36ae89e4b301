//! The one enum every fitted model is stored and predicted through: trees, boosting, forests, linear and logistic regression, kNN, naive Bayes, and text models on a table's free text.

use serde::{Deserialize, Serialize};

use super::forest::ForestModel;
use super::gbdt::GbdtModel;
use super::knn::KnnModel;
use super::linear::LinearModel;
use super::logistic::LogisticModel;
use super::matrix::{DesignMatrix, FeatureSpec};
use super::naive_bayes::NaiveBayesModel;
use super::tree::TreeModel;
use super::{MlError, Task};
use crate::text::TextModel;

/// A fitted model, serializable as JSON (with the feature spec that maps new frames).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Model {
    Gbdt(GbdtModel),
    Forest(ForestModel),
    Tree(TreeModel),
    Linear(LinearModel),
    Logistic(LogisticModel),
    Knn(KnnModel),
    NaiveBayes(NaiveBayesModel),
    /// Soft voting over models fitted on the same rows (the same feature spec).
    Ensemble(EnsembleModel),
    /// TF-IDF and a classifier on the rows' documents ([`DesignMatrix::texts`]); the
    /// numeric features are not read.
    Text(TextPipelineModel),
}

/// A text model as one of a table's models: the table's feature spec (which names the
/// text columns and the classes) and the fitted vectorizer and classifier, whose classes
/// are the spec's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextPipelineModel {
    pub spec: FeatureSpec,
    pub model: TextModel,
}

impl TextPipelineModel {
    fn documents<'a>(&self, x: &'a DesignMatrix) -> Result<Vec<&'a str>, MlError> {
        let texts = x.texts().ok_or(MlError::NoTexts {
            model: self.model.algorithm_name(),
        })?;
        Ok(texts.iter().map(String::as_str).collect())
    }

    fn predict_proba(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        Ok(self.model.predict_proba(&self.documents(x)?))
    }

    fn predict(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        Ok(self
            .model
            .predict(&self.documents(x)?)
            .class_index
            .into_iter()
            .map(|class| class as f64)
            .collect())
    }
}

/// Models that vote: the mean of their predictions (regression) or of their class
/// probabilities (classification), like scikit-learn's `VotingRegressor` and
/// `VotingClassifier(voting="soft")`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnsembleModel {
    pub members: Vec<Model>,
}

impl EnsembleModel {
    fn predict(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        if self.members[0].task() != Task::Regression {
            let proba = self.predict_proba(x)?;
            return Ok(proba
                .iter()
                .map(|p| super::gbdt::argmax(p) as f64)
                .collect());
        }
        let mut sum = vec![0.0; x.n_rows()];
        for member in &self.members {
            for (total, value) in sum.iter_mut().zip(member.predict(x)?) {
                *total += value;
            }
        }
        let n = self.members.len() as f64;
        Ok(sum.into_iter().map(|total| total / n).collect())
    }

    fn predict_proba(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        let mut sum: Option<Vec<Vec<f64>>> = None;
        for member in &self.members {
            let proba = member.predict_proba(x)?;
            sum = Some(match sum {
                None => proba,
                Some(mut total) => {
                    for (row, p) in total.iter_mut().zip(proba) {
                        for (t, v) in row.iter_mut().zip(p) {
                            *t += v;
                        }
                    }
                    total
                }
            });
        }
        let n = self.members.len() as f64;
        Ok(sum
            .unwrap_or_default()
            .into_iter()
            .map(|row| row.into_iter().map(|v| v / n).collect())
            .collect())
    }
}

impl Model {
    pub fn spec(&self) -> &FeatureSpec {
        match self {
            Model::Gbdt(model) => &model.spec,
            Model::Forest(model) => &model.spec,
            Model::Tree(model) => &model.spec,
            Model::Linear(model) => &model.spec,
            Model::Logistic(model) => &model.spec,
            Model::Knn(model) => &model.spec,
            Model::NaiveBayes(model) => &model.spec,
            Model::Ensemble(model) => model.members[0].spec(),
            Model::Text(model) => &model.spec,
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
            Model::Linear(model) => model.predict(x),
            Model::Logistic(model) => model.predict(x),
            Model::Knn(model) => model.predict(x),
            Model::NaiveBayes(model) => model.predict(x),
            Model::Ensemble(model) => model.predict(x),
            Model::Text(model) => model.predict(x),
        }
    }

    /// Class probabilities per row (classification only).
    pub fn predict_proba(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        match self {
            Model::Gbdt(model) => model.predict_proba(x),
            Model::Forest(model) => model.predict_proba(x),
            Model::Tree(model) => model.predict_proba(x),
            Model::Linear(_) => Err(MlError::NotAClassifier {
                model: "linear regression",
            }),
            Model::Logistic(model) => model.predict_proba(x),
            Model::Knn(model) => model.predict_proba(x),
            Model::NaiveBayes(model) => model.predict_proba(x),
            Model::Ensemble(model) => model.predict_proba(x),
            Model::Text(model) => model.predict_proba(x),
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

impl From<LinearModel> for Model {
    fn from(model: LinearModel) -> Self {
        Model::Linear(model)
    }
}

impl From<LogisticModel> for Model {
    fn from(model: LogisticModel) -> Self {
        Model::Logistic(model)
    }
}

impl From<KnnModel> for Model {
    fn from(model: KnnModel) -> Self {
        Model::Knn(model)
    }
}

impl From<NaiveBayesModel> for Model {
    fn from(model: NaiveBayesModel) -> Self {
        Model::NaiveBayes(model)
    }
}

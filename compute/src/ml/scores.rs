//! Scores and training traces: what a user sees about a fitted model.

use serde::{Deserialize, Serialize};

/// Regression scores on held-out rows (scikit-learn's names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegressionScores {
    pub r2: f64,
    pub rmse: f64,
    pub mae: f64,
    /// `None` when a true value is zero everywhere it matters (scikit-learn then gives a
    /// huge number that says nothing).
    pub mape: Option<f64>,
}

/// Classification scores on held-out rows (scikit-learn's names; macro and weighted
/// averages over the classes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassificationScores {
    pub accuracy: f64,
    pub balanced_accuracy: f64,
    pub macro_precision: f64,
    pub macro_recall: f64,
    pub macro_f1: f64,
    pub weighted_precision: f64,
    pub weighted_recall: f64,
    pub weighted_f1: f64,
    /// Binary: ROC AUC of the positive class; multiclass: one-vs-rest macro average.
    /// `None` when a class is missing from the true labels.
    pub roc_auc: Option<f64>,
    pub log_loss: f64,
    /// `confusion_matrix[true][predicted]`, classes in the model's order.
    pub confusion_matrix: Vec<Vec<u64>>,
}

/// One boosting iteration's losses.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct IterationRecord {
    pub iteration: usize,
    pub train_loss: f64,
    /// Only when early stopping held out a validation set.
    pub validation_loss: Option<f64>,
    /// Leaves over the iteration's trees (one per class for multiclass).
    pub n_leaves: usize,
}

/// How a boosted model got where it is: the losses per iteration (index 0 is the baseline
/// before any tree) and whether early stopping ended the fit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainTrace {
    pub iterations: Vec<IterationRecord>,
    pub stopped_early: bool,
    pub n_train: usize,
    pub n_validation: usize,
}

/// A score where higher is better, by scikit-learn's scorer names (for permutation
/// importance and model selection).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    R2,
    NegRootMeanSquaredError,
    NegMeanAbsoluteError,
    Accuracy,
    BalancedAccuracy,
    F1Macro,
    NegLogLoss,
    RocAuc,
}

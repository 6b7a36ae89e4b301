//! Models written for speed and the metrics that score them: the design matrix, 255-bin histograms, histogram gradient boosting, random forests, decision trees, linear and logistic regression, kNN, naive Bayes, permutation importance.
//!
//! The hyper-parameters (`…Params`), the task, progress reports and scores build without the
//! `engine` feature: the UI edits and shows them. Fitting and predicting need `engine`, in the
//! submodules:
//!
//! * `matrix`: a [`Frame`](crate::frame::Frame) and a target column become a column-major
//!   `f64` design matrix (categories as codes, missing as NaN) and a target; the fitted
//!   `FeatureSpec` maps new frames the same way;
//! * `bin`: up to 255 quantile bins per feature plus a missing bin, as `u8`, like
//!   scikit-learn's `_BinMapper`;
//! * `grow`: the one tree grower behind every model: gradient histograms with the
//!   subtraction trick, in-place row partitions, best-first or depth-first growth;
//! * `gbdt`, `forest` (and its one-tree case `tree`): the models, with scikit-learn's
//!   defaults;
//! * `preprocess`: median imputation, standardization and one-hot encoding for the models
//!   below, fitted and stored with them; `linear` (OLS, Ridge, Lasso, ElasticNet),
//!   `logistic` (L-BFGS), `knn`, `naive_bayes`: scikit-learn's non-tree models on it;
//! * `metrics`: scikit-learn's metrics by their names; `importance`: permutation importance;
//! * `model`: the [`Model`](model::Model) enum every fitted model is stored as.
//!
//! Every fit is single-threaded (it runs in one Web Worker), deterministic for a seed, and
//! reports progress through a callback that can cancel it.

mod params;
mod scores;

pub use params::{
    ClassWeight, EarlyStopping, ForestParams, GbdtParams, KnnParams, LinearParams, LogisticParams,
    MaxFeatures, MissingCategory, NaiveBayesParams, PreprocessParams, TreeParams,
};
pub use scores::{ClassificationScores, IterationRecord, Metric, RegressionScores, TrainTrace};

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[cfg(feature = "engine")]
pub mod bin;
#[cfg(feature = "engine")]
pub mod forest;
#[cfg(feature = "engine")]
pub mod gbdt;
#[cfg(feature = "engine")]
mod grow;
#[cfg(feature = "engine")]
pub mod importance;
#[cfg(feature = "engine")]
pub mod knn;
#[cfg(feature = "engine")]
mod linalg;
#[cfg(feature = "engine")]
pub mod linear;
#[cfg(feature = "engine")]
pub mod logistic;
#[cfg(feature = "engine")]
pub mod matrix;
#[cfg(feature = "engine")]
pub mod metrics;
#[cfg(feature = "engine")]
pub mod model;
#[cfg(feature = "engine")]
pub mod naive_bayes;
#[cfg(feature = "engine")]
pub mod preprocess;
#[cfg(feature = "engine")]
mod rng;
#[cfg(feature = "engine")]
pub mod tree;

#[cfg(feature = "engine")]
pub use importance::{permutation_importance, Importance};
#[cfg(feature = "engine")]
pub use matrix::{train_set, DesignMatrix, FeatureSpec, TrainSet};
#[cfg(feature = "engine")]
pub use model::{EnsembleModel, Model, TextPipelineModel};

/// The learning problem: what the target is and so which loss and metrics apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// A numeric target with many distinct values.
    Regression,
    /// Two classes.
    Binary,
    /// Three or more classes.
    Multiclass,
}

impl Task {
    /// The task a target with `distinct` distinct values poses; `numeric_like` for integer,
    /// float, date and datetime targets. The rule of the profile's target summary
    /// (`profile::ProblemType`): a numeric target with more than
    /// [`MAX_NUMERIC_CLASSES`] values is a regression target, anything else with two values
    /// is binary. `tests/ml_datasets.rs` checks that both agree on every dataset.
    pub fn detect(numeric_like: bool, distinct: usize) -> Task {
        if numeric_like && distinct > MAX_NUMERIC_CLASSES {
            Task::Regression
        } else if distinct <= 2 {
            Task::Binary
        } else {
            Task::Multiclass
        }
    }

    pub fn is_classification(self) -> bool {
        self != Task::Regression
    }
}

/// A numeric target with more distinct values than this is a regression target (the same
/// bound as the profile's insights report).
pub const MAX_NUMERIC_CLASSES: usize = 20;

/// How far a fit has come, reported about once per boosting iteration or tree.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Between 0 and 1.
    pub fraction_done: f64,
    /// Boosting iterations or trees finished so far.
    pub steps_done: usize,
    /// The step's losses, from the fits that have steps with losses (boosting and logistic
    /// regression): what the Debugger's live rules read.
    #[serde(default)]
    pub iteration: Option<IterationRecord>,
}

/// The progress callback's answer: go on, or stop the fit (which then returns
/// [`MlError::Cancelled`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    Cancel,
}

/// A string column whose values average at least this many characters is free text (a
/// review, an email, a tweet), not a category or an identifier: a build's text models read
/// it, and the profile's insights and the Build page draw the same line.
pub const FREE_TEXT_MEAN_CHARS: f64 = 40.0;

/// Everything that can stop building a matrix, fitting or predicting.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum MlError {
    #[error("parameter {name} {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    #[error("column \"{column}\" not found")]
    ColumnNotFound { column: String },
    #[error("column \"{column}\" is {found} but the model was trained on {expected}")]
    ColumnTypeMismatch {
        column: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("target \"{column}\" {reason}")]
    InvalidTarget { column: String, reason: String },
    #[error("no rows to train on")]
    NoRows,
    #[error("no feature columns to train on")]
    NoFeatures,
    #[error("the matrix has {found} features, the model expects {expected}")]
    FeatureCountMismatch { expected: usize, found: usize },
    #[error("{what} has {found} values, expected {expected}")]
    LengthMismatch {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("{model} does not predict probabilities for a regression task")]
    NotAClassifier { model: &'static str },
    #[error("cancelled")]
    Cancelled,
    #[error("only {n_rows} rows to train on; {purpose} needs at least {needed}")]
    TooFewRows {
        n_rows: usize,
        needed: usize,
        purpose: &'static str,
    },
    #[error("feature column \"{column}\" the model was trained on is missing")]
    MissingFeature { column: String },
    #[error("metric {metric} does not apply to a {task} task")]
    MetricMismatch { metric: String, task: String },
    #[error("{algorithm} cannot learn a {task} task")]
    AlgorithmMismatch { algorithm: String, task: String },
    #[error("every candidate model failed; the first: {message}")]
    AllCandidatesFailed { message: String },
    #[error("{model} reads free text, but the rows have no text column")]
    NoTexts { model: &'static str },
    #[error("text model: {message}")]
    Text { message: String },
}

//! Text classification like scikit-learn's `TfidfVectorizer` followed by `MultinomialNB` or `LogisticRegression`: a tokenizer, TF-IDF on sparse rows, two classifiers, top words per class and predictions on typed text.
//!
//! The hyper-parameters, warnings, errors and predictions build without the `engine`
//! feature: the UI edits and shows them. Fitting and predicting need `engine`, in the
//! submodules:
//!
//! * `tokenize`: scikit-learn's default `token_pattern` `(?u)\b\w\w+\b` after lowercasing,
//!   and word n-grams;
//! * `sparse`: a compressed sparse row matrix (`indptr`/`indices`/`data`), written by hand so
//!   no sparse-matrix crate reaches the worker's wasm;
//! * `tfidf`: the fitted vocabulary (sorted like scikit-learn's) and smooth idf, turning texts
//!   into l2-normalized TF-IDF rows;
//! * `naive_bayes`: `MultinomialNB` on those rows;
//! * `logistic`: multinomial (softmax) logistic regression on those rows, its sparse log loss
//!   minimized by the L-BFGS of [`crate::ml::logistic`];
//! * `model`: [`TextModel`](model::TextModel), the vectorizer, classifier and classes kept
//!   together, and [`fit_text`](model::fit_text).
//!
//! Every fit is single-threaded, deterministic (nothing in it is random) and reports progress
//! through the [`Progress`](crate::ml::Progress) callback, which can cancel it.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[cfg(feature = "engine")]
pub mod logistic;
#[cfg(feature = "engine")]
pub mod model;
#[cfg(feature = "engine")]
pub mod naive_bayes;
#[cfg(feature = "engine")]
pub mod sparse;
#[cfg(feature = "engine")]
pub mod tfidf;
#[cfg(feature = "engine")]
pub mod tokenize;

#[cfg(feature = "engine")]
pub use model::{fit_documents, fit_text, TextFit, TextModel};
#[cfg(feature = "engine")]
pub use sparse::CsrMatrix;
#[cfg(feature = "engine")]
pub use tfidf::TfidfVectorizer;

/// How texts become TF-IDF rows, with `TfidfVectorizer`'s names. The defaults are the
/// studio's (and the shared reference scores'): unigrams, `min_df` 2 and sublinear tf;
/// scikit-learn's own are `min_df=1` and `sublinear_tf=False`. Fixed as scikit-learn's
/// defaults: the token pattern `(?u)\b\w\w+\b`, `norm="l2"`, `use_idf`, `smooth_idf`,
/// `max_df=1.0`, no stop words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfidfParams {
    /// Lowercase texts before tokenizing.
    pub lowercase: bool,
    /// The smallest and largest n of the word n-grams: `(1, 1)` unigrams, `(1, 2)` unigrams
    /// and bigrams.
    pub ngram_range: (usize, usize),
    /// Terms found in fewer training texts than this are left out (a count, like an integer
    /// `min_df`).
    pub min_df: usize,
    /// Keep only this many terms, the most frequent over the training texts (ties in
    /// vocabulary order); `None`: all.
    pub max_features: Option<usize>,
    /// Replace a term count `tf` by `1 + ln(tf)`.
    pub sublinear_tf: bool,
}

impl Default for TfidfParams {
    fn default() -> Self {
        TfidfParams {
            lowercase: true,
            ngram_range: (1, 1),
            min_df: 2,
            max_features: None,
            sublinear_tf: true,
        }
    }
}

impl TfidfParams {
    pub fn check(&self) -> Result<(), TextError> {
        let (min_n, max_n) = self.ngram_range;
        if min_n < 1 || max_n < min_n {
            return Err(invalid(
                "ngram_range",
                format!("must be (min_n, max_n) with 1 ≤ min_n ≤ max_n, got ({min_n}, {max_n})"),
            ));
        }
        if max_n > MAX_NGRAM {
            return Err(invalid(
                "ngram_range",
                format!("max_n must be at most {MAX_NGRAM}, got {max_n}"),
            ));
        }
        if self.min_df < 1 {
            return Err(invalid("min_df", "must be at least 1".to_string()));
        }
        if self.max_features == Some(0) {
            return Err(invalid("max_features", "must be at least 1".to_string()));
        }
        Ok(())
    }
}

/// The longest word n-gram [`TfidfParams::ngram_range`] accepts.
pub const MAX_NGRAM: usize = 5;

/// The classifier on the TF-IDF rows, with its hyper-parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextAlgorithm {
    /// `MultinomialNB`.
    NaiveBayes(MultinomialNbParams),
    /// `LogisticRegression(solver="lbfgs")`, multinomial for three or more classes.
    LogisticRegression(TextLogisticParams),
}

impl TextAlgorithm {
    pub fn check(&self) -> Result<(), TextError> {
        match self {
            TextAlgorithm::NaiveBayes(params) => params.check(),
            TextAlgorithm::LogisticRegression(params) => params.check(),
        }
    }

    /// scikit-learn's class name.
    pub fn name(&self) -> &'static str {
        match self {
            TextAlgorithm::NaiveBayes(_) => "MultinomialNB",
            TextAlgorithm::LogisticRegression(_) => "LogisticRegression",
        }
    }
}

/// `MultinomialNB` with `fit_prior=True`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MultinomialNbParams {
    /// Additive (Laplace/Lidstone) smoothing, scikit-learn's 1.0.
    pub alpha: f64,
}

impl Default for MultinomialNbParams {
    fn default() -> Self {
        MultinomialNbParams { alpha: 1.0 }
    }
}

impl MultinomialNbParams {
    pub fn check(&self) -> Result<(), TextError> {
        if self.alpha.is_finite() && self.alpha > 0.0 {
            Ok(())
        } else {
            Err(invalid(
                "alpha",
                format!("must be a positive number, got {}", self.alpha),
            ))
        }
    }
}

/// `LogisticRegression(solver="lbfgs")` on TF-IDF rows: L2 penalty, intercepts fitted and
/// not penalized.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextLogisticParams {
    /// Inverse regularization strength (scikit-learn's `C`).
    pub c: f64,
    /// L-BFGS iterations (scikit-learn's 100).
    pub max_iter: usize,
    /// Stop when the largest gradient component is at most this (scikit-learn's 1e-4).
    pub tol: f64,
}

impl Default for TextLogisticParams {
    fn default() -> Self {
        TextLogisticParams {
            c: 1.0,
            max_iter: 100,
            tol: 1e-4,
        }
    }
}

impl TextLogisticParams {
    pub fn check(&self) -> Result<(), TextError> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(invalid(
                "C",
                format!("must be a positive number, got {}", self.c),
            ));
        }
        if self.max_iter < 1 {
            return Err(invalid("max_iter", "must be at least 1".to_string()));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(invalid(
                "tol",
                format!("must be a positive number, got {}", self.tol),
            ));
        }
        Ok(())
    }
}

fn invalid(name: &'static str, reason: String) -> TextError {
    TextError::InvalidParameter { name, reason }
}

/// Everything that stops a text model from being fitted or used. Rows are 0-based data rows
/// (the first row below the header is 0); messages count from 1, as a user reads a table.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum TextError {
    #[error("parameter {name} {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    #[error("{texts} texts but {labels} labels; give one label per text")]
    LengthMismatch { texts: usize, labels: usize },
    #[error("no labelled rows to train on; fill in the label column")]
    NoRows,
    #[error("every text is empty; choose the column that holds the texts")]
    AllTextsEmpty,
    #[error("only one label, \"{label}\"; a classifier needs texts of at least two labels")]
    OneClass { label: String },
    #[error(
        "label \"{label}\" has a single example (row {}); give it more texts or remove that row",
        .row + 1
    )]
    SingleExample { label: String, row: usize },
    #[error("no word appears in at least {min_df} texts (min_df); lower min_df or add texts")]
    EmptyVocabulary { min_df: usize },
    #[error("class \"{class}\" is not one of the model's classes")]
    UnknownClass { class: String },
    #[error("cancelled")]
    Cancelled,
    #[error(transparent)]
    Ml(crate::ml::MlError),
}

/// Something a fit got past but the user should know, returned beside the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextWarning {
    /// Texts that are missing or blank; they were trained on as empty documents (their
    /// class prior still counts).
    EmptyTexts { count: usize, first_row: usize },
    /// Rows without a label; they were left out.
    MissingLabels { count: usize, first_row: usize },
}

impl fmt::Display for TextWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = |count: usize| if count == 1 { "row" } else { "rows" };
        match *self {
            TextWarning::EmptyTexts { count, first_row } => write!(
                f,
                "{count} {} with an empty text (first: row {}) trained as empty documents",
                rows(count),
                first_row + 1
            ),
            TextWarning::MissingLabels { count, first_row } => write!(
                f,
                "{count} {} without a label (first: row {}) left out",
                rows(count),
                first_row + 1
            ),
        }
    }
}

/// A text model's answers: per text, the predicted class (an index into the model's
/// classes) and the probability of every class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Predictions {
    pub class_index: Vec<usize>,
    /// One row per text, classes in the model's order; each row sums to 1.
    pub proba: Vec<Vec<f64>>,
}

/// A term that speaks for a class, with its score (see `TextModel::top_words`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopWord {
    pub term: String,
    pub score: f64,
}

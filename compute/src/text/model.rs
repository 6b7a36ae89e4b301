//! A fitted text model (TF-IDF vectorizer, classifier and class names kept together, serializable) and `fit_text`, which checks the texts and labels and fits both.

use serde::{Deserialize, Serialize};

use super::logistic::SparseLogistic;
use super::naive_bayes::MultinomialNb;
use super::tfidf::TfidfVectorizer;
use super::{Predictions, TextAlgorithm, TextError, TextWarning, TfidfParams, TopWord};
use crate::ml::gbdt::argmax;
use crate::ml::{Control, Progress};

/// The share of a logistic regression's progress given to reading the texts; the L-BFGS
/// iterations have the rest. Naive Bayes is all reading.
const VECTORIZE_SHARE_LOGISTIC: f64 = 0.1;

/// The fitted classifier on the vectorizer's columns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextClassifier {
    NaiveBayes(MultinomialNb),
    LogisticRegression(SparseLogistic),
}

/// Everything a prediction needs: the vectorizer, the classifier and the class names (sorted,
/// as scikit-learn's `classes_`). Stored as JSON: the vocabulary, idf and weights are flat
/// arrays (on the 50,660 training tweets of `health_tweets`, 17,877 terms and 16 classes,
/// a logistic model is about 7 MB of JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextModel {
    pub vectorizer: TfidfVectorizer,
    pub classifier: TextClassifier,
    pub classes: Vec<String>,
}

/// A fitted model and what the fit got past.
#[derive(Clone, Debug, PartialEq)]
pub struct TextFit {
    pub model: TextModel,
    pub warnings: Vec<TextWarning>,
}

/// Fits `algorithm` on the TF-IDF rows of `texts`, one label per text. Rows without a label
/// are left out and missing or blank texts trained on as empty documents, each counted in a
/// warning. Fails, naming the label or row, when no row has a label, every text is empty,
/// there is a single label, a label has a single example, or no term is in `min_df` texts.
/// `progress` hears about every 1,024 texts read and every L-BFGS iteration, and may cancel.
pub fn fit_text(
    texts: &[Option<&str>],
    labels: &[Option<&str>],
    params: &TfidfParams,
    algorithm: &TextAlgorithm,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<TextFit, TextError> {
    params.check()?;
    algorithm.check()?;
    if texts.len() != labels.len() {
        return Err(TextError::LengthMismatch {
            texts: texts.len(),
            labels: labels.len(),
        });
    }
    let mut warnings = Vec::new();
    let mut rows = Vec::with_capacity(texts.len());
    let mut unlabelled = Vec::new();
    for (row, label) in labels.iter().enumerate() {
        match label {
            Some(label) if !label.is_empty() => rows.push(row),
            _ => unlabelled.push(row),
        }
    }
    if let Some(&first_row) = unlabelled.first() {
        warnings.push(TextWarning::MissingLabels {
            count: unlabelled.len(),
            first_row,
        });
    }
    if rows.is_empty() {
        return Err(TextError::NoRows);
    }
    let is_empty = |row: usize| texts[row].is_none_or(|text| text.trim().is_empty());
    let empty: Vec<usize> = rows.iter().copied().filter(|&row| is_empty(row)).collect();
    if empty.len() == rows.len() {
        return Err(TextError::AllTextsEmpty);
    }
    if let Some(&first_row) = empty.first() {
        warnings.push(TextWarning::EmptyTexts {
            count: empty.len(),
            first_row,
        });
    }

    let (classes, y) = encode_labels(&rows, labels)?;
    let documents: Vec<&str> = rows.iter().map(|&row| texts[row].unwrap_or("")).collect();
    let model = fit_documents(&documents, &y, classes, params, algorithm, progress)?;
    Ok(TextFit { model, warnings })
}

/// Fits `algorithm` on the TF-IDF rows of `documents` whose classes are already encoded:
/// `y[i]` indexes `classes` (a class no document has keeps a zero share). What
/// [`fit_text`] runs once it has checked the labels, and what a table's text feature is
/// fitted with (`crate::automl`), whose classes come from the whole training set.
pub fn fit_documents(
    documents: &[&str],
    y: &[usize],
    classes: Vec<String>,
    params: &TfidfParams,
    algorithm: &TextAlgorithm,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<TextModel, TextError> {
    params.check()?;
    algorithm.check()?;
    if documents.len() != y.len() {
        return Err(TextError::LengthMismatch {
            texts: documents.len(),
            labels: y.len(),
        });
    }
    let share = match algorithm {
        TextAlgorithm::NaiveBayes(_) => 1.0,
        TextAlgorithm::LogisticRegression(_) => VECTORIZE_SHARE_LOGISTIC,
    };
    let (vectorizer, x) = TfidfVectorizer::fit_transform(documents, params, &mut |fraction| {
        progress(Progress {
            fraction_done: share * fraction,
            steps_done: 0,
            iteration: None,
        })
    })?;
    let classifier = match algorithm {
        TextAlgorithm::NaiveBayes(params) => {
            TextClassifier::NaiveBayes(MultinomialNb::fit(&x, y, classes.len(), params))
        }
        TextAlgorithm::LogisticRegression(params) => TextClassifier::LogisticRegression(
            SparseLogistic::fit(&x, y, classes.len(), params, &mut |step| {
                progress(Progress {
                    fraction_done: share + (1.0 - share) * step.fraction_done,
                    ..step
                })
            })?,
        ),
    };
    Ok(TextModel {
        vectorizer,
        classifier,
        classes,
    })
}

/// The sorted distinct labels of `rows` and each row's class index; refuses a single label
/// and a label with a single example.
fn encode_labels(
    rows: &[usize],
    labels: &[Option<&str>],
) -> Result<(Vec<String>, Vec<usize>), TextError> {
    let label = |row: usize| labels[row].unwrap_or("");
    let mut classes: Vec<&str> = rows.iter().map(|&row| label(row)).collect();
    classes.sort_unstable();
    classes.dedup();
    let y: Vec<usize> = rows
        .iter()
        .map(|&row| {
            classes
                .binary_search(&label(row))
                .expect("every label is among the classes")
        })
        .collect();
    if classes.len() == 1 {
        return Err(TextError::OneClass {
            label: classes[0].to_string(),
        });
    }
    let mut count = vec![0usize; classes.len()];
    let mut first_row = vec![0usize; classes.len()];
    for (&row, &class) in rows.iter().zip(&y).rev() {
        count[class] += 1;
        first_row[class] = row;
    }
    if let Some(class) = (0..classes.len()).find(|&class| count[class] == 1) {
        return Err(TextError::SingleExample {
            label: classes[class].to_string(),
            row: first_row[class],
        });
    }
    Ok((classes.into_iter().map(str::to_string).collect(), y))
}

impl TextModel {
    /// The classifier's scikit-learn name.
    pub fn algorithm_name(&self) -> &'static str {
        match self.classifier {
            TextClassifier::NaiveBayes(_) => "MultinomialNB",
            TextClassifier::LogisticRegression(_) => "LogisticRegression",
        }
    }

    /// Class probabilities per text, classes in [`TextModel::classes`] order.
    pub fn predict_proba(&self, texts: &[&str]) -> Vec<Vec<f64>> {
        let x = self.vectorizer.transform(texts);
        match &self.classifier {
            TextClassifier::NaiveBayes(model) => model.predict_proba(&x),
            TextClassifier::LogisticRegression(model) => model.predict_proba(&x),
        }
    }

    /// The most probable class of each text (the first on ties) with every class's
    /// probability.
    pub fn predict(&self, texts: &[&str]) -> Predictions {
        let proba = self.predict_proba(texts);
        Predictions {
            class_index: proba.iter().map(|p| argmax(p)).collect(),
            proba,
        }
    }

    /// The `k` terms that speak most for `class`, highest score first (ties in vocabulary
    /// order). Naive Bayes scores a term by its log probability ratio,
    /// `ln p(term | class) − ln p(term | other classes)`; logistic regression by its
    /// coefficient for the class (for two classes, the one coefficient, negated for the
    /// first class). Terms scoring 0 or less do not speak for the class and are left out.
    pub fn top_words(&self, class: &str, k: usize) -> Result<Vec<TopWord>, TextError> {
        let class = self
            .classes
            .iter()
            .position(|c| c == class)
            .ok_or_else(|| TextError::UnknownClass {
                class: class.to_string(),
            })?;
        let scores = match &self.classifier {
            TextClassifier::NaiveBayes(model) => model.log_prob_ratio(class),
            TextClassifier::LogisticRegression(model) => model.class_coefficients(class),
        };
        let mut order: Vec<usize> = (0..scores.len()).filter(|&j| scores[j] > 0.0).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        Ok(order
            .into_iter()
            .take(k)
            .map(|j| TopWord {
                term: self.vectorizer.vocabulary[j].clone(),
                score: scores[j],
            })
            .collect())
    }
}

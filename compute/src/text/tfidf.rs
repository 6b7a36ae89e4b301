//! TF-IDF like scikit-learn's `TfidfVectorizer`: a vocabulary fitted on training texts (sorted, `min_df`, `max_features`), smooth idf, optional sublinear tf, l2-normalized sparse rows.
//!
//! A text's row holds, for each vocabulary term it contains `tf` times,
//! `w = tf' · idf(term)` with `tf' = 1 + ln(tf)` when `sublinear_tf` (else `tf`) and
//! `idf = ln((1 + n) / (1 + df)) + 1` (`n` training texts, `df` of them containing the term),
//! then the row is divided by its Euclidean norm. Terms the vocabulary lacks are ignored; a
//! text without any known term is an all-zero row.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::sparse::CsrMatrix;
use super::tokenize::for_each_term;
use super::{TextError, TfidfParams};
use crate::ml::Control;

/// Texts between two progress reports while fitting.
const PROGRESS_EVERY: usize = 1024;

/// A fitted vectorizer: the terms (a term's index is its column) and their idf.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfidfVectorizer {
    pub params: TfidfParams,
    /// Sorted by code point (as Python sorts `str`, so in scikit-learn's column order).
    pub vocabulary: Vec<String>,
    /// One per term.
    pub idf: Vec<f64>,
}

impl TfidfVectorizer {
    /// Fits the vocabulary and idf on `texts` and returns their rows. `progress` hears the
    /// fraction of texts read every 1,024 texts and may cancel.
    pub fn fit_transform(
        texts: &[&str],
        params: &TfidfParams,
        progress: &mut dyn FnMut(f64) -> Control,
    ) -> Result<(TfidfVectorizer, CsrMatrix), TextError> {
        params.check()?;
        // Terms get provisional ids in order of first sight; each text keeps its distinct
        // terms with their counts (CSR-like, `text_ptr` into `text_terms`/`text_counts`).
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut text_ptr = vec![0];
        let mut text_terms: Vec<u32> = Vec::new();
        let mut text_counts: Vec<u32> = Vec::new();
        let mut scratch: Vec<u32> = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            if i % PROGRESS_EVERY == 0
                && i > 0
                && progress(i as f64 / texts.len() as f64) == Control::Cancel
            {
                return Err(TextError::Cancelled);
            }
            scratch.clear();
            for_each_term(text, params.lowercase, params.ngram_range, |term| {
                let next = ids.len() as u32;
                let id = match ids.get(term) {
                    Some(&id) => id,
                    None => {
                        ids.insert(term.to_string(), next);
                        next
                    }
                };
                scratch.push(id);
            });
            push_counts(&mut scratch, &mut text_terms, &mut text_counts);
            text_ptr.push(text_terms.len());
        }
        let mut terms = vec![String::new(); ids.len()];
        for (term, id) in ids {
            terms[id as usize] = term;
        }
        let mut df = vec![0usize; terms.len()];
        let mut total = vec![0u64; terms.len()];
        for (&term, &count) in text_terms.iter().zip(&text_counts) {
            df[term as usize] += 1;
            total[term as usize] += u64::from(count);
        }

        let mut kept: Vec<u32> = (0..terms.len() as u32)
            .filter(|&t| df[t as usize] >= params.min_df)
            .collect();
        if kept.is_empty() {
            return Err(TextError::EmptyVocabulary {
                min_df: params.min_df,
            });
        }
        kept.sort_unstable_by(|&a, &b| terms[a as usize].cmp(&terms[b as usize]));
        if let Some(max_features) = params.max_features {
            if kept.len() > max_features {
                // The most frequent terms; the sort is stable, so ties keep vocabulary order
                // (numpy's unstable argsort may pick others among equal counts).
                kept.sort_by(|&a, &b| total[b as usize].cmp(&total[a as usize]));
                kept.truncate(max_features);
                kept.sort_unstable_by(|&a, &b| terms[a as usize].cmp(&terms[b as usize]));
            }
        }
        let mut column = vec![u32::MAX; terms.len()];
        for (j, &t) in kept.iter().enumerate() {
            column[t as usize] = j as u32;
        }
        let n = texts.len();
        let idf = kept
            .iter()
            .map(|&t| smooth_idf(n, df[t as usize]))
            .collect();
        let vocabulary = kept
            .iter()
            .map(|&t| std::mem::take(&mut terms[t as usize]))
            .collect();
        let vectorizer = TfidfVectorizer {
            params: params.clone(),
            vocabulary,
            idf,
        };

        let mut x = CsrMatrix::new(vectorizer.n_features());
        let mut row: Vec<(u32, u32)> = Vec::new();
        for i in 0..n {
            row.clear();
            let range = text_ptr[i]..text_ptr[i + 1];
            for (&term, &count) in text_terms[range.clone()].iter().zip(&text_counts[range]) {
                let j = column[term as usize];
                if j != u32::MAX {
                    row.push((j, count));
                }
            }
            row.sort_unstable();
            vectorizer.push_row(&mut x, &row);
        }
        Ok((vectorizer, x))
    }

    /// The number of columns (vocabulary terms).
    pub fn n_features(&self) -> usize {
        self.vocabulary.len()
    }

    /// The column of `term`, if in the vocabulary.
    pub fn column(&self, term: &str) -> Option<u32> {
        self.vocabulary
            .binary_search_by(|t| t.as_str().cmp(term))
            .ok()
            .map(|j| j as u32)
    }

    /// The TF-IDF rows of `texts`, one per text.
    pub fn transform(&self, texts: &[&str]) -> CsrMatrix {
        let mut x = CsrMatrix::new(self.n_features());
        let mut scratch = Vec::new();
        let mut columns = Vec::new();
        let mut counts = Vec::new();
        let mut row: Vec<(u32, u32)> = Vec::new();
        for text in texts {
            scratch.clear();
            columns.clear();
            counts.clear();
            for_each_term(
                text,
                self.params.lowercase,
                self.params.ngram_range,
                |term| {
                    if let Some(j) = self.column(term) {
                        scratch.push(j);
                    }
                },
            );
            push_counts(&mut scratch, &mut columns, &mut counts);
            row.clear();
            row.extend(columns.iter().copied().zip(counts.iter().copied()));
            self.push_row(&mut x, &row);
        }
        x
    }

    /// Appends the normalized row of `(column, count)` pairs (increasing columns).
    fn push_row(&self, x: &mut CsrMatrix, row: &[(u32, u32)]) {
        let weight = |&(j, count): &(u32, u32)| {
            let tf = if self.params.sublinear_tf {
                1.0 + f64::from(count).ln()
            } else {
                f64::from(count)
            };
            tf * self.idf[j as usize]
        };
        let norm = row.iter().map(|e| weight(e).powi(2)).sum::<f64>().sqrt();
        // An empty row has norm 0 and stays empty; scikit-learn divides by the norm too.
        x.push_row(row.iter().map(|e| (e.0, weight(e) / norm)));
    }
}

/// scikit-learn's smooth idf: `ln((1 + n) / (1 + df)) + 1`, as if one more text held every
/// term once.
fn smooth_idf(n: usize, df: usize) -> f64 {
    ((n + 1) as f64 / (df + 1) as f64).ln() + 1.0
}

/// Sorts `ids` and appends each distinct id with its count.
fn push_counts(ids: &mut [u32], distinct: &mut Vec<u32>, counts: &mut Vec<u32>) {
    ids.sort_unstable();
    for run in ids.chunk_by(|a, b| a == b) {
        distinct.push(run[0]);
        counts.push(run.len() as u32);
    }
}

//! The design matrix: a frame's feature columns as column-major `f64` (categories as codes, missing as NaN) and its target, with the fitted `FeatureSpec` that maps new frames the same way.
//!
//! Free-text columns (long texts, see [`FREE_TEXT_MEAN_CHARS`]) are not categories: they
//! ride beside the numbers as one document per row ([`DesignMatrix::texts`]), which only
//! text models (TF-IDF and a classifier, `crate::text`) read. A table with numbers and a
//! text column is then searched over both kinds of model.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMillisecondType};
use arrow_array::{Array, UInt64Array};
use serde::{Deserialize, Serialize};

use super::{MlError, Task};
use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

/// How one feature column becomes numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// Integers and floats as they are.
    Numeric,
    /// `false` 0, `true` 1.
    Boolean,
    /// Text or categories as the index of their text in `categories` (sorted, learned at
    /// fit time); text not seen then counts as missing.
    Categorical { categories: Vec<String> },
    /// Days since 1970-01-01.
    Date,
    /// Seconds since 1970-01-01T00:00:00.
    Datetime,
}

/// One feature: the column it comes from and how it is encoded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureColumn {
    pub name: String,
    pub column_type: ColumnType,
    pub kind: FeatureKind,
}

impl FeatureColumn {
    /// The number of categories of a categorical feature.
    pub fn n_categories(&self) -> Option<usize> {
        match &self.kind {
            FeatureKind::Categorical { categories } => Some(categories.len()),
            _ => None,
        }
    }
}

/// The target: its column, task and (for classification) the class labels in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetSpec {
    pub column: String,
    pub task: Task,
    /// Sorted like `numpy.unique`: numbers by value, text by code point, `false` first.
    pub classes: Vec<String>,
}

pub use super::FREE_TEXT_MEAN_CHARS;

/// What a fit learned about the columns, enough to turn a new frame into the same matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    pub features: Vec<FeatureColumn>,
    pub target: TargetSpec,
    /// Free-text columns, in frame order: each row's texts joined by a newline make the
    /// row's document ([`DesignMatrix::texts`]). Empty for a table without free text (and
    /// in model files written before text models).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_columns: Vec<String>,
}

/// Rows of one categorical feature whose text was not seen at fit time (they count as
/// missing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnseenCategories {
    pub column: String,
    pub n_rows: usize,
}

/// Features column by column, `f64` with NaN for a missing value.
#[derive(Clone, Debug, PartialEq)]
pub struct DesignMatrix {
    n_rows: usize,
    columns: Vec<Vec<f64>>,
    /// Per feature: `Some(n)` for a categorical feature with codes `0..n`.
    n_categories: Vec<Option<usize>>,
    /// Filled by [`FeatureSpec::transform`].
    pub unseen_categories: Vec<UnseenCategories>,
    /// One document per row when the spec has text columns (shared: row selections of a
    /// large corpus copy the strings they keep once).
    texts: Option<Arc<Vec<String>>>,
}

impl DesignMatrix {
    /// A matrix of numeric features; every column must have `n_rows` values.
    pub fn numeric(n_rows: usize, columns: Vec<Vec<f64>>) -> Result<DesignMatrix, MlError> {
        let n_categories = vec![None; columns.len()];
        DesignMatrix::new(n_rows, columns, n_categories)
    }

    /// A matrix whose feature `j` is categorical with codes `0..n` when
    /// `n_categories[j] == Some(n)` (other values there count as missing).
    pub fn new(
        n_rows: usize,
        columns: Vec<Vec<f64>>,
        n_categories: Vec<Option<usize>>,
    ) -> Result<DesignMatrix, MlError> {
        if n_categories.len() != columns.len() {
            return Err(MlError::LengthMismatch {
                what: "n_categories",
                expected: columns.len(),
                found: n_categories.len(),
            });
        }
        if let Some(column) = columns.iter().find(|column| column.len() != n_rows) {
            return Err(MlError::LengthMismatch {
                what: "a feature column",
                expected: n_rows,
                found: column.len(),
            });
        }
        Ok(DesignMatrix {
            n_rows,
            columns,
            n_categories,
            unseen_categories: Vec::new(),
            texts: None,
        })
    }

    /// This matrix with one document per row beside its numbers.
    pub fn with_texts(mut self, texts: Vec<String>) -> Result<DesignMatrix, MlError> {
        if texts.len() != self.n_rows {
            return Err(MlError::LengthMismatch {
                what: "texts",
                expected: self.n_rows,
                found: texts.len(),
            });
        }
        self.texts = Some(Arc::new(texts));
        Ok(self)
    }

    /// The rows' documents, when the features include free text.
    pub fn texts(&self) -> Option<&[String]> {
        self.texts.as_deref().map(Vec::as_slice)
    }

    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    pub fn n_features(&self) -> usize {
        self.columns.len()
    }

    pub fn column(&self, feature: usize) -> &[f64] {
        &self.columns[feature]
    }

    pub fn columns(&self) -> &[Vec<f64>] {
        &self.columns
    }

    pub fn n_categories(&self, feature: usize) -> Option<usize> {
        self.n_categories[feature]
    }

    /// The rows `rows`, in that order.
    pub fn select_rows(&self, rows: &[usize]) -> DesignMatrix {
        DesignMatrix {
            n_rows: rows.len(),
            columns: self
                .columns
                .iter()
                .map(|column| rows.iter().map(|&row| column[row]).collect())
                .collect(),
            n_categories: self.n_categories.clone(),
            unseen_categories: Vec::new(),
            texts: self
                .texts
                .as_ref()
                .map(|texts| Arc::new(rows.iter().map(|&row| texts[row].clone()).collect())),
        }
    }

    /// The same matrix with feature `feature`'s values replaced (permutation importance).
    pub(crate) fn column_mut(&mut self, feature: usize) -> &mut Vec<f64> {
        &mut self.columns[feature]
    }
}

/// What a model is fitted on: features, target, and what was learned about the columns.
#[derive(Clone, Debug)]
pub struct TrainSet {
    pub x: DesignMatrix,
    /// Regression: the value; classification: the class index into `spec.target.classes`.
    pub y: Vec<f64>,
    pub spec: FeatureSpec,
    /// Rows left out because their target was missing.
    pub dropped_rows: usize,
}

impl TrainSet {
    /// A train set from a matrix and a target already encoded (for tests and callers that
    /// build their own matrices); features are named `x0, x1, …` and numeric unless
    /// categorical in `x`.
    pub fn from_matrix(
        x: DesignMatrix,
        y: Vec<f64>,
        task: Task,
        classes: Vec<String>,
    ) -> Result<TrainSet, MlError> {
        if y.len() != x.n_rows() {
            return Err(MlError::LengthMismatch {
                what: "y",
                expected: x.n_rows(),
                found: y.len(),
            });
        }
        let invalid = |reason: String| MlError::InvalidTarget {
            column: "y".to_string(),
            reason,
        };
        if task.is_classification() {
            if classes.len() < 2 {
                return Err(invalid("needs at least 2 classes".to_string()));
            }
            if let Some(value) = y.iter().find(|&&value| {
                !(value >= 0.0 && value < classes.len() as f64 && value.fract() == 0.0)
            }) {
                return Err(invalid(format!("holds {value}, not a class index")));
            }
        } else if y.iter().any(|value| !value.is_finite()) {
            return Err(invalid(
                "holds a value that is not a finite number".to_string(),
            ));
        }
        let features = (0..x.n_features())
            .map(|feature| FeatureColumn {
                name: format!("x{feature}"),
                column_type: ColumnType::Float,
                kind: match x.n_categories(feature) {
                    Some(n) => FeatureKind::Categorical {
                        categories: (0..n).map(|code| code.to_string()).collect(),
                    },
                    None => FeatureKind::Numeric,
                },
            })
            .collect();
        Ok(TrainSet {
            x,
            y,
            spec: FeatureSpec {
                features,
                target: TargetSpec {
                    column: "y".to_string(),
                    task,
                    classes,
                },
                text_columns: Vec::new(),
            },
            dropped_rows: 0,
        })
    }

    pub fn task(&self) -> Task {
        self.spec.target.task
    }

    pub fn n_classes(&self) -> usize {
        self.spec.target.classes.len()
    }

    /// The rows `rows` of this train set (same spec).
    pub fn select_rows(&self, rows: &[usize]) -> TrainSet {
        TrainSet {
            x: self.x.select_rows(rows),
            y: rows.iter().map(|&row| self.y[row]).collect(),
            spec: self.spec.clone(),
            dropped_rows: 0,
        }
    }
}

/// Builds the train set of `frame` for `target`, with every other column except `exclude`
/// as a feature. `task` overrides the detected task (a numeric target can be asked to be
/// classes). Rows with a missing target are dropped and counted.
pub fn train_set(
    frame: &Frame,
    target: &str,
    exclude: &[&str],
    task: Option<Task>,
) -> Result<TrainSet, MlError> {
    let target_column = frame
        .column(target)
        .ok_or_else(|| MlError::ColumnNotFound {
            column: target.to_string(),
        })?;
    if let Some(missing) = exclude.iter().find(|name| frame.column(name).is_none()) {
        return Err(MlError::ColumnNotFound {
            column: missing.to_string(),
        });
    }
    let encoded = encode_target(target_column, task)?;
    let keep = &encoded.rows;
    let (texts, others): (Vec<&Column>, Vec<&Column>) = frame
        .columns()
        .iter()
        .filter(|column| column.name() != target && !exclude.contains(&column.name()))
        .partition(|column| is_free_text(column, keep));
    let features: Vec<FeatureColumn> = others
        .into_iter()
        .map(|column| fit_feature(column, keep))
        .collect();
    if features.is_empty() && texts.is_empty() {
        return Err(MlError::NoFeatures);
    }
    let spec = FeatureSpec {
        features,
        target: TargetSpec {
            column: target.to_string(),
            task: encoded.task,
            classes: encoded.classes,
        },
        text_columns: texts
            .iter()
            .map(|column| column.name().to_string())
            .collect(),
    };
    let x = spec.transform_rows(frame, Some(keep))?;
    Ok(TrainSet {
        x,
        y: encoded.y,
        spec,
        dropped_rows: frame.n_rows() - keep.len(),
    })
}

impl FeatureSpec {
    /// The matrix of a new frame, its columns found by name. An integer column may stand in
    /// for a float one and text for categories; a missing or otherwise typed column is an
    /// error naming it. Unseen categories become missing and are counted.
    pub fn transform(&self, frame: &Frame) -> Result<DesignMatrix, MlError> {
        self.transform_rows(frame, None)
    }

    pub fn n_features(&self) -> usize {
        self.features.len()
    }

    /// The target column of a new frame encoded like the training target (values, or class
    /// indices); NaN for a missing value or a class not seen at fit time.
    pub fn target_values(&self, frame: &Frame) -> Result<Vec<f64>, MlError> {
        let column = frame
            .column(&self.target.column)
            .ok_or_else(|| MlError::ColumnNotFound {
                column: self.target.column.clone(),
            })?;
        if self.target.task == Task::Regression {
            return Ok((0..column.len())
                .map(|row| number_at(column, row))
                .collect());
        }
        let index: HashMap<&str, usize> = self
            .target
            .classes
            .iter()
            .enumerate()
            .map(|(i, class)| (class.as_str(), i))
            .collect();
        Ok((0..column.len())
            .map(|row| {
                column
                    .display_value(row)
                    .and_then(|label| index.get(label.as_str()).map(|&i| i as f64))
                    .unwrap_or(f64::NAN)
            })
            .collect())
    }

    pub fn task(&self) -> Task {
        self.target.task
    }

    fn transform_rows(
        &self,
        frame: &Frame,
        rows: Option<&[usize]>,
    ) -> Result<DesignMatrix, MlError> {
        let n_rows = rows.map_or(frame.n_rows(), <[usize]>::len);
        let mut columns = Vec::with_capacity(self.features.len());
        let mut unseen_categories = Vec::new();
        for feature in &self.features {
            let column = frame
                .column(&feature.name)
                .ok_or_else(|| MlError::ColumnNotFound {
                    column: feature.name.clone(),
                })?;
            if !compatible(feature.column_type, column.column_type()) {
                return Err(MlError::ColumnTypeMismatch {
                    column: feature.name.clone(),
                    expected: feature.column_type.label(),
                    found: column.column_type().label(),
                });
            }
            let (values, unseen) = encode_feature(column, &feature.kind, rows);
            if unseen > 0 {
                unseen_categories.push(UnseenCategories {
                    column: feature.name.clone(),
                    n_rows: unseen,
                });
            }
            columns.push(values);
        }
        let n_categories = self
            .features
            .iter()
            .map(FeatureColumn::n_categories)
            .collect();
        let mut matrix = DesignMatrix::new(n_rows, columns, n_categories)?;
        matrix.unseen_categories = unseen_categories;
        if self.text_columns.is_empty() {
            return Ok(matrix);
        }
        let mut text_columns = Vec::with_capacity(self.text_columns.len());
        for name in &self.text_columns {
            let column = frame.column(name).ok_or_else(|| MlError::ColumnNotFound {
                column: name.clone(),
            })?;
            if !is_text(column.column_type()) {
                return Err(MlError::ColumnTypeMismatch {
                    column: name.clone(),
                    expected: ColumnType::String.label(),
                    found: column.column_type().label(),
                });
            }
            text_columns.push(column);
        }
        let documents = (0..n_rows)
            .map(|index| {
                let row = rows.map_or(index, |rows| rows[index]);
                let mut document = String::new();
                for (i, column) in text_columns.iter().enumerate() {
                    if i > 0 {
                        document.push('\n');
                    }
                    document.push_str(text_at(column, row).unwrap_or(""));
                }
                document
            })
            .collect();
        matrix.with_texts(documents)
    }
}

/// Whether `column` holds free text over `rows`: strings averaging at least
/// [`FREE_TEXT_MEAN_CHARS`] characters.
fn is_free_text(column: &Column, rows: &[usize]) -> bool {
    if !is_text(column.column_type()) {
        return false;
    }
    let (mut n, mut chars) = (0usize, 0usize);
    for &row in rows {
        if let Some(text) = text_at(column, row) {
            n += 1;
            chars += text.chars().count();
        }
    }
    n > 0 && chars as f64 / n as f64 >= FREE_TEXT_MEAN_CHARS
}

/// The rows `rows` of `frame`, in that order (to split a frame into train and test rows).
pub fn take_rows(frame: &Frame, rows: &[usize]) -> Frame {
    let indices = UInt64Array::from_iter_values(rows.iter().map(|&row| row as u64));
    let columns = frame
        .columns()
        .iter()
        .map(|column| {
            let array = arrow_select::take::take(column.array().as_ref(), &indices, None)
                .expect("row indices are in bounds and every column type supports take");
            Column::new(column.name(), column.column_type(), array)
                .expect("take keeps the Arrow type")
        })
        .collect();
    Frame::new(columns).expect("columns keep their names and equal lengths")
}

fn compatible(trained: ColumnType, found: ColumnType) -> bool {
    use ColumnType::*;
    trained == found
        || matches!(
            (trained, found),
            (Integer, Float) | (Float, Integer) | (String, Categorical) | (Categorical, String)
        )
}

fn is_text(column_type: ColumnType) -> bool {
    matches!(column_type, ColumnType::String | ColumnType::Categorical)
}

fn fit_feature(column: &Column, rows: &[usize]) -> FeatureColumn {
    let kind = match column.column_type() {
        ColumnType::Integer | ColumnType::Float => FeatureKind::Numeric,
        ColumnType::Boolean => FeatureKind::Boolean,
        ColumnType::Date => FeatureKind::Date,
        ColumnType::Datetime => FeatureKind::Datetime,
        ColumnType::String | ColumnType::Categorical => {
            let mut seen: HashSet<&str> = HashSet::new();
            for &row in rows {
                if let Some(text) = text_at(column, row) {
                    seen.insert(text);
                }
            }
            let mut categories: Vec<String> = seen.into_iter().map(str::to_string).collect();
            categories.sort_unstable();
            FeatureKind::Categorical { categories }
        }
    };
    FeatureColumn {
        name: column.name().to_string(),
        column_type: column.column_type(),
        kind,
    }
}

fn text_at(column: &Column, row: usize) -> Option<&str> {
    let array = column.array();
    if array.is_null(row) {
        return None;
    }
    match column.column_type() {
        ColumnType::String => Some(array.as_string::<i32>().value(row)),
        ColumnType::Categorical => {
            let dictionary = array.as_dictionary::<Int32Type>();
            let key = dictionary.keys().value(row) as usize;
            let values = dictionary.values().as_string::<i32>();
            values.is_valid(key).then(|| values.value(key))
        }
        _ => None,
    }
}

/// Row `row` as a number: integers and floats as they are, booleans 0/1, dates in days,
/// datetimes in seconds; NaN when missing.
fn number_at(column: &Column, row: usize) -> f64 {
    let array = column.array();
    if array.is_null(row) {
        return f64::NAN;
    }
    match column.column_type() {
        ColumnType::Integer => array.as_primitive::<Int64Type>().value(row) as f64,
        ColumnType::Float => array.as_primitive::<Float64Type>().value(row),
        ColumnType::Boolean => f64::from(u8::from(array.as_boolean().value(row))),
        ColumnType::Date => f64::from(array.as_primitive::<Date32Type>().value(row)),
        ColumnType::Datetime => {
            array.as_primitive::<TimestampMillisecondType>().value(row) as f64 / 1000.0
        }
        ColumnType::String | ColumnType::Categorical => f64::NAN,
    }
}

fn encode_feature(
    column: &Column,
    kind: &FeatureKind,
    rows: Option<&[usize]>,
) -> (Vec<f64>, usize) {
    let n_rows = rows.map_or(column.len(), <[usize]>::len);
    let row_at = |index: usize| rows.map_or(index, |rows| rows[index]);
    match kind {
        FeatureKind::Categorical { categories } => {
            let code_of: HashMap<&str, usize> = categories
                .iter()
                .enumerate()
                .map(|(code, text)| (text.as_str(), code))
                .collect();
            let mut unseen = 0;
            let mut encode_text = |text: Option<&str>| match text {
                None => f64::NAN,
                Some(text) => match code_of.get(text) {
                    Some(&code) => code as f64,
                    None => {
                        unseen += 1;
                        f64::NAN
                    }
                },
            };
            let values = if column.column_type() == ColumnType::Categorical {
                // Look each dictionary entry up once, then map the keys.
                let dictionary = column.array().as_dictionary::<Int32Type>();
                let texts = dictionary.values().as_string::<i32>();
                let mut per_key: Vec<Option<f64>> = vec![None; texts.len()];
                let keys = dictionary.keys();
                (0..n_rows)
                    .map(|index| {
                        let row = row_at(index);
                        if keys.is_null(row) {
                            return f64::NAN;
                        }
                        let key = keys.value(row) as usize;
                        match per_key[key] {
                            Some(value) => {
                                if value.is_nan() && texts.is_valid(key) {
                                    // An unseen category: count every row of it.
                                    encode_text(Some(texts.value(key)))
                                } else {
                                    value
                                }
                            }
                            None => {
                                let value =
                                    encode_text(texts.is_valid(key).then(|| texts.value(key)));
                                per_key[key] = Some(value);
                                value
                            }
                        }
                    })
                    .collect()
            } else {
                (0..n_rows)
                    .map(|index| encode_text(text_at(column, row_at(index))))
                    .collect()
            };
            (values, unseen)
        }
        _ => {
            let values = if rows.is_none() && column.null_count() == 0 {
                match column.column_type() {
                    ColumnType::Float => column
                        .array()
                        .as_primitive::<Float64Type>()
                        .values()
                        .to_vec(),
                    ColumnType::Integer => column
                        .array()
                        .as_primitive::<Int64Type>()
                        .values()
                        .iter()
                        .map(|&value| value as f64)
                        .collect(),
                    _ => (0..n_rows).map(|row| number_at(column, row)).collect(),
                }
            } else {
                (0..n_rows)
                    .map(|index| number_at(column, row_at(index)))
                    .collect()
            };
            (values, 0)
        }
    }
}

/// A target column as a fit sees it: the rows that have a value, and those values (or class
/// indices), with the task.
pub(crate) struct EncodedTarget {
    /// Rows of the frame with a target, ascending.
    pub(crate) rows: Vec<usize>,
    pub(crate) y: Vec<f64>,
    pub(crate) task: Task,
    pub(crate) classes: Vec<String>,
}

pub(crate) fn encode_target(column: &Column, task: Option<Task>) -> Result<EncodedTarget, MlError> {
    let name = column.name().to_string();
    let invalid = |reason: &str| MlError::InvalidTarget {
        column: name.clone(),
        reason: reason.to_string(),
    };
    let column_type = column.column_type();
    if is_text(column_type) {
        let mut rows = Vec::new();
        let mut texts = Vec::new();
        for row in 0..column.len() {
            if let Some(text) = text_at(column, row) {
                rows.push(row);
                texts.push(text);
            }
        }
        if rows.is_empty() {
            return Err(MlError::NoRows);
        }
        let mut classes: Vec<&str> = texts
            .iter()
            .copied()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        classes.sort_unstable();
        let detected = Task::detect(false, classes.len());
        if task == Some(Task::Regression) {
            return Err(invalid("holds text, so it cannot be a regression target"));
        }
        let task = task.unwrap_or(detected);
        check_classes(task, classes.len(), &invalid)?;
        let index: HashMap<&str, usize> =
            classes.iter().enumerate().map(|(i, &c)| (c, i)).collect();
        let y = texts.iter().map(|text| index[text] as f64).collect();
        return Ok(EncodedTarget {
            rows,
            y,
            task,
            classes: classes.into_iter().map(str::to_string).collect(),
        });
    }
    let mut rows = Vec::new();
    let mut values = Vec::new();
    for row in 0..column.len() {
        let value = number_at(column, row);
        if !value.is_nan() {
            rows.push(row);
            values.push(value);
        }
    }
    if rows.is_empty() {
        return Err(MlError::NoRows);
    }
    let mut distinct = values.clone();
    distinct.sort_unstable_by(f64::total_cmp);
    distinct.dedup();
    let numeric_like = column_type != ColumnType::Boolean;
    let task = task.unwrap_or_else(|| Task::detect(numeric_like, distinct.len()));
    if task == Task::Regression {
        if values.iter().any(|value| value.is_infinite()) {
            return Err(invalid("holds an infinite value"));
        }
        return Ok(EncodedTarget {
            rows,
            y: values,
            task,
            classes: Vec::new(),
        });
    }
    check_classes(task, distinct.len(), &invalid)?;
    let y = values
        .iter()
        .map(|value| distinct.partition_point(|class| class < value) as f64)
        .collect();
    // Labels as the column displays them (dates as dates, 1.5 as "1.5").
    let classes = distinct
        .iter()
        .map(|&class| {
            let row = rows[values
                .iter()
                .position(|&value| value == class)
                .expect("a class occurs")];
            column.display_value(row).unwrap_or_default()
        })
        .collect();
    Ok(EncodedTarget {
        rows,
        y,
        task,
        classes,
    })
}

fn check_classes(
    task: Task,
    n_classes: usize,
    invalid: &dyn Fn(&str) -> MlError,
) -> Result<(), MlError> {
    match (task, n_classes) {
        (_, 0 | 1) => Err(invalid("has a single class; there is nothing to learn")),
        (Task::Binary, 3..) => Err(invalid("has more than two classes, so it is not binary")),
        (Task::Multiclass, 2) => Err(invalid("has two classes; ask for a binary task")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{BooleanArray, Float64Array, Int64Array, StringArray};

    use super::*;

    fn frame() -> Frame {
        Frame::new(vec![
            Column::new(
                "size",
                ColumnType::Float,
                Arc::new(Float64Array::from(vec![
                    Some(1.5),
                    None,
                    Some(3.0),
                    Some(4.0),
                ])),
            )
            .unwrap(),
            Column::new(
                "colour",
                ColumnType::String,
                Arc::new(StringArray::from(vec![
                    Some("red"),
                    Some("blue"),
                    None,
                    Some("red"),
                ])),
            )
            .unwrap(),
            Column::new(
                "ok",
                ColumnType::Boolean,
                Arc::new(BooleanArray::from(vec![true, false, true, false])),
            )
            .unwrap(),
            Column::new(
                "label",
                ColumnType::Integer,
                Arc::new(Int64Array::from(vec![Some(10), Some(2), None, Some(2)])),
            )
            .unwrap(),
        ])
        .unwrap()
    }

    #[test]
    fn encodes_features_and_drops_rows_without_target() {
        let set = train_set(&frame(), "label", &[], None).unwrap();
        assert_eq!(set.task(), Task::Binary);
        assert_eq!(set.spec.target.classes, vec!["2", "10"]);
        assert_eq!(set.dropped_rows, 1);
        assert_eq!(set.y, vec![1.0, 0.0, 0.0]);
        assert_eq!(set.x.column(0)[0], 1.5);
        assert!(set.x.column(0)[1].is_nan());
        assert_eq!(set.x.column(1), &[1.0, 0.0, 1.0]);
        assert_eq!(set.x.column(2), &[1.0, 0.0, 0.0]);
        assert_eq!(set.x.n_categories(1), Some(2));
    }

    #[test]
    fn transform_names_the_missing_or_mistyped_column() {
        let set = train_set(&frame(), "label", &["ok"], None).unwrap();
        let other = Frame::new(vec![frame().columns()[0].clone()]).unwrap();
        assert_eq!(
            set.spec.transform(&other).unwrap_err().to_string(),
            "column \"colour\" not found"
        );
        let retyped = Frame::new(vec![
            frame().columns()[0].clone(),
            Column::new(
                "colour",
                ColumnType::Float,
                Arc::new(Float64Array::from(vec![1.0; 4])),
            )
            .unwrap(),
        ])
        .unwrap();
        assert_eq!(
            set.spec.transform(&retyped).unwrap_err().to_string(),
            "column \"colour\" is float but the model was trained on string"
        );
    }

    #[test]
    fn unseen_categories_become_missing_and_are_counted() {
        let set = train_set(&frame(), "label", &[], None).unwrap();
        let new = Frame::new(vec![
            frame().columns()[0].clone(),
            Column::new(
                "colour",
                ColumnType::String,
                Arc::new(StringArray::from(vec!["green", "red", "green", "blue"])),
            )
            .unwrap(),
            frame().columns()[2].clone(),
        ])
        .unwrap();
        let x = set.spec.transform(&new).unwrap();
        assert!(x.column(1)[0].is_nan());
        assert_eq!(x.column(1)[1], 1.0);
        assert_eq!(
            x.unseen_categories,
            vec![UnseenCategories {
                column: "colour".to_string(),
                n_rows: 2
            }]
        );
    }

    #[test]
    fn single_class_target_is_refused() {
        let frame = Frame::new(vec![
            Column::new(
                "x",
                ColumnType::Float,
                Arc::new(Float64Array::from(vec![1.0, 2.0])),
            )
            .unwrap(),
            Column::new(
                "y",
                ColumnType::String,
                Arc::new(StringArray::from(vec!["a", "a"])),
            )
            .unwrap(),
        ])
        .unwrap();
        assert!(train_set(&frame, "y", &[], None)
            .unwrap_err()
            .to_string()
            .contains("single class"));
    }
}

//! Cells, column access and building, row selection and small statistics shared by the recipe steps.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMillisecondType};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array, Int64Array,
    StringArray, TimestampMillisecondArray, UInt64Array,
};

use super::{StepError, Value};
use crate::frame::calendar::{days_from_civil, days_in_month, MS_PER_DAY};
pub(crate) use crate::frame::calendar::{format_date, format_datetime};
use crate::frame::{Column, Frame, FrameError};
use crate::schema::ColumnType;

/// One value of any column type. Floats compare and hash by value with `-0.0 == 0.0`, so
/// cells can key hash maps (duplicates, groups, joins) and sort totally.
#[derive(Clone, Debug)]
pub(crate) enum Cell<'a> {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(Cow<'a, str>),
    Date(i32),
    Datetime(i64),
}

impl Cell<'_> {
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Cell::Null)
    }

    fn rank(&self) -> u8 {
        match self {
            Cell::Int(_) => 0,
            Cell::Float(_) => 1,
            Cell::Bool(_) => 2,
            Cell::Text(_) => 3,
            Cell::Date(_) => 4,
            Cell::Datetime(_) => 5,
            Cell::Null => 6,
        }
    }

    pub(crate) fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Null => Cell::Null,
            Cell::Int(value) => Cell::Int(value),
            Cell::Float(value) => Cell::Float(value),
            Cell::Bool(value) => Cell::Bool(value),
            Cell::Text(text) => Cell::Text(Cow::Owned(text.into_owned())),
            Cell::Date(value) => Cell::Date(value),
            Cell::Datetime(value) => Cell::Datetime(value),
        }
    }

    /// The text a user reads, as in the data grid.
    pub(crate) fn display(&self) -> Option<String> {
        Some(match self {
            Cell::Null => return None,
            Cell::Int(value) => value.to_string(),
            Cell::Float(value) => value.to_string(),
            Cell::Bool(value) => value.to_string(),
            Cell::Text(text) => text.to_string(),
            Cell::Date(days) => format_date(i64::from(*days)),
            Cell::Datetime(ms) => format_datetime(*ms),
        })
    }

    pub(crate) fn to_value(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(value) => Value::Int(*value),
            Cell::Float(value) => Value::Float(*value),
            Cell::Bool(value) => Value::Bool(*value),
            Cell::Text(text) => Value::Text(text.to_string()),
            Cell::Date(_) | Cell::Datetime(_) => Value::Text(self.display().unwrap_or_default()),
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(value) => Some(*value as f64),
            Cell::Float(value) => Some(*value),
            _ => None,
        }
    }
}

fn normal_bits(value: f64) -> u64 {
    if value == 0.0 {
        0
    } else if value.is_nan() {
        f64::NAN.to_bits()
    } else {
        value.to_bits()
    }
}

impl PartialEq for Cell<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Cell<'_> {}

impl Hash for Cell<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.rank().hash(state);
        match self {
            Cell::Null => {}
            Cell::Int(value) | Cell::Datetime(value) => value.hash(state),
            Cell::Float(value) => normal_bits(*value).hash(state),
            Cell::Bool(value) => value.hash(state),
            Cell::Text(text) => text.hash(state),
            Cell::Date(value) => value.hash(state),
        }
    }
}

impl PartialOrd for Cell<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cell<'_> {
    /// Values of one type in their natural order, missing last.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Cell::Int(a), Cell::Int(b)) | (Cell::Datetime(a), Cell::Datetime(b)) => a.cmp(b),
            (Cell::Float(a), Cell::Float(b)) => {
                f64::from_bits(normal_bits(*a)).total_cmp(&f64::from_bits(normal_bits(*b)))
            }
            (Cell::Bool(a), Cell::Bool(b)) => a.cmp(b),
            (Cell::Text(a), Cell::Text(b)) => a.cmp(b),
            (Cell::Date(a), Cell::Date(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// The cell at `row`; NaN floats read as missing.
pub(crate) fn cell(column: &Column, row: usize) -> Cell<'_> {
    let array = column.array().as_ref();
    if array.is_null(row) {
        return Cell::Null;
    }
    match column.column_type() {
        ColumnType::Integer => Cell::Int(array.as_primitive::<Int64Type>().value(row)),
        ColumnType::Float => {
            let value = array.as_primitive::<Float64Type>().value(row);
            if value.is_nan() {
                Cell::Null
            } else {
                Cell::Float(value)
            }
        }
        ColumnType::Boolean => Cell::Bool(array.as_boolean().value(row)),
        ColumnType::String => Cell::Text(Cow::Borrowed(array.as_string::<i32>().value(row))),
        ColumnType::Categorical => {
            let dictionary = array.as_dictionary::<Int32Type>();
            let key = dictionary.keys().value(row) as usize;
            let values = dictionary.values().as_string::<i32>();
            Cell::Text(Cow::Borrowed(values.value(key)))
        }
        ColumnType::Date => Cell::Date(array.as_primitive::<Date32Type>().value(row)),
        ColumnType::Datetime => {
            Cell::Datetime(array.as_primitive::<TimestampMillisecondType>().value(row))
        }
    }
}

pub(crate) fn cells(column: &Column) -> Vec<Cell<'_>> {
    (0..column.len()).map(|row| cell(column, row)).collect()
}

/// Builds a column of `column_type` from cells of that type (or missing).
pub(crate) fn build<'a>(
    name: &str,
    column_type: ColumnType,
    cells: impl IntoIterator<Item = Cell<'a>>,
) -> Result<Column, StepError> {
    let wrong = |cell: &Cell<'_>| StepError::Column {
        column: name.to_string(),
        message: format!(
            "value {} does not fit a {} column",
            cell.display().unwrap_or_default(),
            column_type.label()
        ),
    };
    let cells = cells.into_iter();
    let array: ArrayRef = match column_type {
        ColumnType::Integer => Arc::new(
            cells
                .map(|cell| match cell {
                    Cell::Null => Ok(None),
                    Cell::Int(value) => Ok(Some(value)),
                    other => Err(wrong(&other)),
                })
                .collect::<Result<Int64Array, _>>()?,
        ),
        ColumnType::Float => Arc::new(
            cells
                .map(|cell| match cell {
                    Cell::Null => Ok(None),
                    Cell::Float(value) => Ok(Some(value)),
                    Cell::Int(value) => Ok(Some(value as f64)),
                    other => Err(wrong(&other)),
                })
                .collect::<Result<Float64Array, _>>()?,
        ),
        ColumnType::Boolean => Arc::new(
            cells
                .map(|cell| match cell {
                    Cell::Null => Ok(None),
                    Cell::Bool(value) => Ok(Some(value)),
                    other => Err(wrong(&other)),
                })
                .collect::<Result<BooleanArray, _>>()?,
        ),
        ColumnType::String | ColumnType::Categorical => {
            let texts = cells
                .map(|cell| match cell {
                    Cell::Null => Ok(None),
                    Cell::Text(text) => Ok(Some(text)),
                    other => Err(wrong(&other)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(text_column(
                name,
                column_type,
                texts.iter().map(Option::as_deref),
            ));
        }
        ColumnType::Date => Arc::new(
            cells
                .map(|cell| match cell {
                    Cell::Null => Ok(None),
                    Cell::Date(value) => Ok(Some(value)),
                    other => Err(wrong(&other)),
                })
                .collect::<Result<Date32Array, _>>()?,
        ),
        ColumnType::Datetime => Arc::new(
            cells
                .map(|cell| match cell {
                    Cell::Null => Ok(None),
                    Cell::Datetime(value) => Ok(Some(value)),
                    other => Err(wrong(&other)),
                })
                .collect::<Result<TimestampMillisecondArray, _>>()?,
        ),
    };
    Ok(Column::new(name, column_type, array).expect("array built for its column type"))
}

/// A string or categorical column (categorical: dictionary in first-seen order).
pub(crate) fn text_column<'a>(
    name: &str,
    column_type: ColumnType,
    texts: impl IntoIterator<Item = Option<&'a str>>,
) -> Column {
    let array: ArrayRef = if column_type == ColumnType::Categorical {
        let mut index_of: HashMap<&str, i32> = HashMap::new();
        let mut values: Vec<&str> = Vec::new();
        let keys: Int32Array = texts
            .into_iter()
            .map(|text| {
                text.map(|text| {
                    *index_of.entry(text).or_insert_with(|| {
                        values.push(text);
                        (values.len() - 1) as i32
                    })
                })
            })
            .collect();
        Arc::new(
            DictionaryArray::<Int32Type>::try_new(keys, Arc::new(StringArray::from(values)))
                .expect("keys index the values"),
        )
    } else {
        Arc::new(texts.into_iter().collect::<StringArray>())
    };
    Column::new(name, column_type, array).expect("array built for its column type")
}

pub(crate) fn float_column(name: &str, values: impl IntoIterator<Item = Option<f64>>) -> Column {
    let array: Float64Array = values
        .into_iter()
        .map(|value| value.filter(|value| value.is_finite()))
        .collect();
    Column::new(name, ColumnType::Float, Arc::new(array)).expect("float array")
}

pub(crate) fn int_column(name: &str, values: impl IntoIterator<Item = Option<i64>>) -> Column {
    let array: Int64Array = values.into_iter().collect();
    Column::new(name, ColumnType::Integer, Arc::new(array)).expect("integer array")
}

pub(crate) fn bool_column(name: &str, values: impl IntoIterator<Item = Option<bool>>) -> Column {
    let array: BooleanArray = values.into_iter().collect();
    Column::new(name, ColumnType::Boolean, Arc::new(array)).expect("boolean array")
}

/// A column with another name, same type and values.
pub(crate) fn renamed(column: &Column, name: &str) -> Column {
    Column::new(name, column.column_type(), column.array().clone()).expect("same array")
}

/// The present values of an integer or float column (NaN is missing).
pub(crate) fn floats(column: &Column) -> Result<Vec<Option<f64>>, StepError> {
    match column.column_type() {
        ColumnType::Integer => Ok(column
            .array()
            .as_primitive::<Int64Type>()
            .iter()
            .map(|value| value.map(|value| value as f64))
            .collect()),
        ColumnType::Float => Ok(column
            .array()
            .as_primitive::<Float64Type>()
            .iter()
            .map(|value| value.filter(|value| !value.is_nan()))
            .collect()),
        other => Err(StepError::Column {
            column: column.name().to_string(),
            message: format!("is {}, not a number; cast it first", other.label()),
        }),
    }
}

/// The texts of a string or categorical column.
pub(crate) fn texts(column: &Column) -> Result<Vec<Option<&str>>, StepError> {
    match column.column_type() {
        ColumnType::String => Ok(column.array().as_string::<i32>().iter().collect()),
        ColumnType::Categorical => {
            let dictionary = column.array().as_dictionary::<Int32Type>();
            let values = dictionary.values().as_string::<i32>();
            Ok(dictionary
                .keys()
                .iter()
                .map(|key| key.map(|key| values.value(key as usize)))
                .collect())
        }
        other => Err(StepError::Column {
            column: column.name().to_string(),
            message: format!("is {}, not text; cast it to string first", other.label()),
        }),
    }
}

/// The index of column `name`, or an error suggesting the closest existing name.
pub(crate) fn find(frame: &Frame, name: &str) -> Result<usize, StepError> {
    if let Some(index) = frame
        .columns()
        .iter()
        .position(|column| column.name() == name)
    {
        return Ok(index);
    }
    let suggestion = frame
        .columns()
        .iter()
        .map(|column| {
            (
                edit_distance(&name.to_lowercase(), &column.name().to_lowercase()),
                column,
            )
        })
        .filter(|(distance, column)| *distance <= (column.name().chars().count() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, column)| column.name().to_string());
    Err(StepError::ColumnNotFound {
        column: name.to_string(),
        suggestion,
    })
}

pub(crate) fn find_all(frame: &Frame, names: &[String]) -> Result<Vec<usize>, StepError> {
    names.iter().map(|name| find(frame, name)).collect()
}

pub(crate) fn column<'a>(frame: &'a Frame, name: &str) -> Result<&'a Column, StepError> {
    Ok(&frame.columns()[find(frame, name)?])
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

pub(crate) fn frame_error(error: FrameError) -> StepError {
    StepError::Invalid {
        message: error.to_string(),
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> StepError {
    StepError::Invalid {
        message: message.into(),
    }
}

pub(crate) fn column_error(column: &str, message: impl Into<String>) -> StepError {
    StepError::Column {
        column: column.to_string(),
        message: message.into(),
    }
}

/// The frame with column `index` replaced by `replacement` (zero or more columns).
pub(crate) fn splice(
    frame: &Frame,
    index: usize,
    replacement: Vec<Column>,
) -> Result<Frame, StepError> {
    let mut columns = frame.columns().to_vec();
    columns.splice(index..=index, replacement);
    Frame::new(columns).map_err(frame_error)
}

/// The frame with `added` inserted after column `index`.
pub(crate) fn insert_after(
    frame: &Frame,
    index: usize,
    added: Vec<Column>,
) -> Result<Frame, StepError> {
    let mut columns = frame.columns().to_vec();
    columns.splice(index + 1..index + 1, added);
    Frame::new(columns).map_err(frame_error)
}

/// Rows `indices` of every column, in that order; `None` gives a missing row.
pub(crate) fn take_rows(frame: &Frame, indices: &[Option<usize>]) -> Result<Frame, StepError> {
    let indices: UInt64Array = indices.iter().map(|i| i.map(|i| i as u64)).collect();
    take_with(frame, &indices)
}

pub(crate) fn select_rows(frame: &Frame, indices: &[usize]) -> Result<Frame, StepError> {
    let indices = UInt64Array::from_iter_values(indices.iter().map(|&i| i as u64));
    take_with(frame, &indices)
}

fn take_with(frame: &Frame, indices: &UInt64Array) -> Result<Frame, StepError> {
    let columns = frame
        .columns()
        .iter()
        .map(|column| {
            let array = arrow_select::take::take(column.array().as_ref(), indices, None)
                .map_err(|error| invalid(error.to_string()))?;
            Column::new(column.name(), column.column_type(), array).map_err(frame_error)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Frame::new(columns).map_err(frame_error)
}

/// `q` in [0, 1] of ascending `sorted` values with numpy's default linear interpolation.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let position = q * (sorted.len() - 1) as f64;
    let lower = position.floor() as usize;
    let upper = (lower + 1).min(sorted.len() - 1);
    let fraction = position - lower as f64;
    // numpy's `_lerp`: the form it uses keeps results exact at the ends.
    let (a, b) = (sorted[lower], sorted[upper]);
    let difference = b - a;
    if fraction >= 0.5 {
        b - difference * (1.0 - fraction)
    } else {
        a + difference * fraction
    }
}

pub(crate) fn sorted_present(values: &[Option<f64>]) -> Vec<f64> {
    let mut present: Vec<f64> = values.iter().flatten().copied().collect();
    present.sort_by(f64::total_cmp);
    present
}

pub(crate) fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Variance with `ddof` degrees of freedom, two-pass.
pub(crate) fn variance(values: &[f64], ddof: usize) -> f64 {
    let center = mean(values);
    values
        .iter()
        .map(|v| (v - center) * (v - center))
        .sum::<f64>()
        / (values.len() as f64 - ddof as f64)
}

/// SplitMix64: a tiny seeded generator that gives the same numbers on every platform.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (Lemire's multiply-shift; the bias is below 2^-32 for any
    /// frame that fits in memory).
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        ((u128::from(self.next_u64()) * bound as u128) >> 64) as usize
    }

    /// A seeded Fisher–Yates shuffle of `0..n`.
    pub(crate) fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, self.below(i + 1));
        }
        order
    }
}

/// Milliseconds since the epoch of a valid civil date and time.
pub(crate) fn civil_ms(year: i64, month: u32, day: u32, hms: (u32, u32, u32)) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let (hour, minute, second) = hms;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * MS_PER_DAY + i64::from(hour * 3600 + minute * 60 + second) * 1000)
}

/// Reads a value as a cell of `column_type` (a parameter: fill value, filter operand,
/// fitted level); dates and datetimes are ISO text.
pub(crate) fn value_cell(value: &Value, column_type: ColumnType) -> Option<Cell<'static>> {
    Some(match (value, column_type) {
        (Value::Null, _) => Cell::Null,
        (Value::Int(v), ColumnType::Integer) => Cell::Int(*v),
        (Value::Float(v), ColumnType::Integer) if v.fract() == 0.0 && v.abs() < 9.0e18 => {
            Cell::Int(*v as i64)
        }
        (Value::Int(v), ColumnType::Float) => Cell::Float(*v as f64),
        (Value::Float(v), ColumnType::Float) => Cell::Float(*v),
        (Value::Bool(v), ColumnType::Boolean) => Cell::Bool(*v),
        (Value::Text(text), ColumnType::String | ColumnType::Categorical) => {
            Cell::Text(Cow::Owned(text.clone()))
        }
        (Value::Int(v), ColumnType::String | ColumnType::Categorical) => {
            Cell::Text(Cow::Owned(v.to_string()))
        }
        (Value::Text(text), ColumnType::Date) => {
            Cell::Date(i32::try_from(super::dates::parse_iso(text)?.div_euclid(MS_PER_DAY)).ok()?)
        }
        (Value::Text(text), ColumnType::Datetime) => Cell::Datetime(super::dates::parse_iso(text)?),
        _ => return None,
    })
}

pub(crate) fn parameter_mismatch() -> StepError {
    invalid("the fitted parameters do not match this step; fit the recipe again")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy() {
        let values = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&values, 0.25), 2.0);
        assert_eq!(quantile(&values, 0.5), 3.0);
        // numpy gives 7.6000000000000005 too.
        assert_eq!(quantile(&values, 0.9), 7.6000000000000005);
        assert_eq!(quantile(&values, 1.0), 10.0);
    }

    #[test]
    fn splitmix_is_stable() {
        // Reference values of SplitMix64 seeded with 0.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let permutation = SplitMix64::new(7).permutation(10);
        let mut sorted = permutation.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn suggests_close_names() {
        let frame = Frame::new(vec![
            int_column("age", [Some(1)]),
            int_column("income", [None]),
        ])
        .unwrap();
        assert_eq!(
            find(&frame, "Age ").unwrap_err().to_string(),
            "column \"Age \" not found; did you mean \"age\"?"
        );
        assert_eq!(
            find(&frame, "zzzzzzzz").unwrap_err().to_string(),
            "column \"zzzzzzzz\" not found"
        );
    }
}

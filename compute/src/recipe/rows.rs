//! Row steps: filter, drop duplicates, sample, sort, drop missing and the train/test split column.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::cell::{
    cell, cells, column, column_error, find_all, invalid, select_rows, text_column, value_cell,
    Cell, SplitMix64,
};
use super::text::compile;
use super::{CompareOp, How, Keep, SplitStrategy, StepError, Value};
use crate::frame::Frame;
use crate::schema::ColumnType;

pub(crate) fn filter_rows(
    frame: &Frame,
    name: &str,
    operator: CompareOp,
    value: &Value,
) -> Result<Frame, StepError> {
    let column = column(frame, name)?;
    let column_type = column.column_type();
    let numeric = matches!(column_type, ColumnType::Integer | ColumnType::Float);
    let operand = |value: &Value| -> Result<Cell<'static>, StepError> {
        let read = if numeric {
            match value {
                Value::Int(v) => Some(Cell::Float(*v as f64)),
                Value::Float(v) => Some(Cell::Float(*v)),
                _ => None,
            }
        } else {
            value_cell(value, column_type)
        };
        match read {
            Some(Cell::Null) | None => Err(column_error(
                name,
                format!(
                    "cannot compare a {} column with {}",
                    column_type.label(),
                    serde_json::to_string(value).unwrap_or_default()
                ),
            )),
            Some(cell) => Ok(cell),
        }
    };
    let row_cell = |row: usize| -> Cell<'_> {
        let value = cell(column, row);
        match (numeric, &value) {
            (true, Cell::Int(v)) => Cell::Float(*v as f64),
            _ => value,
        }
    };
    let keep: Vec<usize> = match operator {
        CompareOp::IsNull => (0..frame.n_rows())
            .filter(|&row| row_cell(row).is_null())
            .collect(),
        CompareOp::NotNull => (0..frame.n_rows())
            .filter(|&row| !row_cell(row).is_null())
            .collect(),
        CompareOp::Contains | CompareOp::Matches => {
            let label = if operator == CompareOp::Contains {
                "contains"
            } else {
                "matches"
            };
            let Value::Text(needle) = value else {
                return Err(column_error(name, format!("{label} needs a text value")));
            };
            if !matches!(column_type, ColumnType::String | ColumnType::Categorical) {
                return Err(column_error(
                    name,
                    format!(
                        "{label} works on text, and this column is {}",
                        column_type.label()
                    ),
                ));
            }
            if operator == CompareOp::Contains {
                (0..frame.n_rows())
                    .filter(|&row| matches!(row_cell(row), Cell::Text(text) if text.contains(needle.as_str())))
                    .collect()
            } else {
                let regex = compile(needle)?;
                (0..frame.n_rows())
                    .filter(
                        |&row| matches!(row_cell(row), Cell::Text(text) if regex.is_match(&text)),
                    )
                    .collect()
            }
        }
        CompareOp::In => {
            let Value::List(items) = value else {
                return Err(column_error(name, "in needs a list of values"));
            };
            let wanted = items.iter().map(operand).collect::<Result<Vec<_>, _>>()?;
            (0..frame.n_rows())
                .filter(|&row| {
                    let value = row_cell(row);
                    !value.is_null() && wanted.contains(&value)
                })
                .collect()
        }
        comparison => {
            let operand = operand(value)?;
            (0..frame.n_rows())
                .filter(|&row| {
                    let value = row_cell(row);
                    if value.is_null() {
                        return false;
                    }
                    let ordering = value.cmp(&operand);
                    match comparison {
                        CompareOp::Eq => ordering == Ordering::Equal,
                        CompareOp::Ne => ordering != Ordering::Equal,
                        CompareOp::Lt => ordering == Ordering::Less,
                        CompareOp::Le => ordering != Ordering::Greater,
                        CompareOp::Gt => ordering == Ordering::Greater,
                        _ => ordering != Ordering::Less,
                    }
                })
                .collect()
        }
    };
    select_rows(frame, &keep)
}

fn subset_indices(frame: &Frame, subset: &Option<Vec<String>>) -> Result<Vec<usize>, StepError> {
    match subset {
        Some(names) => find_all(frame, names),
        None => Ok((0..frame.n_cols()).collect()),
    }
}

pub(crate) fn drop_duplicates(
    frame: &Frame,
    subset: &Option<Vec<String>>,
    keep: Keep,
) -> Result<Frame, StepError> {
    let indices = subset_indices(frame, subset)?;
    let columns: Vec<Vec<Cell<'_>>> = indices
        .iter()
        .map(|&i| cells(&frame.columns()[i]))
        .collect();
    let key = |row: usize| -> Vec<Cell<'_>> { columns.iter().map(|c| c[row].clone()).collect() };
    let n = frame.n_rows();
    let kept: Vec<usize> = match keep {
        Keep::First | Keep::Last => {
            let mut seen = std::collections::HashSet::with_capacity(n);
            let order: Box<dyn Iterator<Item = usize>> = if keep == Keep::First {
                Box::new(0..n)
            } else {
                Box::new((0..n).rev())
            };
            let mut kept: Vec<usize> = order.filter(|&row| seen.insert(key(row))).collect();
            kept.sort_unstable();
            kept
        }
        Keep::None => {
            let mut counts: HashMap<Vec<Cell<'_>>, usize> = HashMap::with_capacity(n);
            for row in 0..n {
                *counts.entry(key(row)).or_default() += 1;
            }
            (0..n).filter(|&row| counts[&key(row)] == 1).collect()
        }
    };
    select_rows(frame, &kept)
}

pub(crate) fn sample_rows(
    frame: &Frame,
    n: Option<usize>,
    frac: Option<f64>,
    seed: u64,
) -> Result<Frame, StepError> {
    let n_rows = frame.n_rows();
    let count = match (n, frac) {
        (Some(n), None) => n,
        (None, Some(frac)) if (0.0..=1.0).contains(&frac) => {
            // pandas rounds half to even.
            (frac * n_rows as f64).round_ties_even() as usize
        }
        (None, Some(frac)) => {
            return Err(invalid(format!("frac must be between 0 and 1, not {frac}")))
        }
        _ => return Err(invalid("give either n or frac, not both or neither")),
    };
    if count > n_rows {
        return Err(invalid(format!(
            "cannot sample {count} rows from {n_rows} without replacement"
        )));
    }
    let mut rng = SplitMix64::new(seed);
    let mut order: Vec<usize> = (0..n_rows).collect();
    for i in 0..count {
        let j = i + rng.below(n_rows - i);
        order.swap(i, j);
    }
    let mut chosen = order[..count].to_vec();
    chosen.sort_unstable();
    select_rows(frame, &chosen)
}

/// Row order of a stable multi-column sort, missing values last in either direction.
pub(crate) fn sorted_order(
    frame: &Frame,
    by: &[String],
    ascending: &[bool],
) -> Result<Vec<usize>, StepError> {
    if !(ascending.is_empty() || ascending.len() == 1 || ascending.len() == by.len()) {
        return Err(invalid(format!(
            "give one ascending flag per column ({}) or one for all, not {}",
            by.len(),
            ascending.len()
        )));
    }
    let indices = find_all(frame, by)?;
    let keys: Vec<Vec<Cell<'_>>> = indices
        .iter()
        .map(|&i| cells(&frame.columns()[i]))
        .collect();
    let direction = |k: usize| {
        ascending
            .get(k)
            .or(ascending.first())
            .copied()
            .unwrap_or(true)
    };
    let mut order: Vec<usize> = (0..frame.n_rows()).collect();
    order.sort_by(|&a, &b| {
        for (k, key) in keys.iter().enumerate() {
            let ordering = match (key[a].is_null(), key[b].is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) if direction(k) => key[a].cmp(&key[b]),
                (false, false) => key[b].cmp(&key[a]),
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    });
    Ok(order)
}

pub(crate) fn sort_rows(
    frame: &Frame,
    by: &[String],
    ascending: &[bool],
) -> Result<Frame, StepError> {
    let order = sorted_order(frame, by, ascending)?;
    select_rows(frame, &order)
}

pub(crate) fn drop_missing(
    frame: &Frame,
    subset: &Option<Vec<String>>,
    how: How,
) -> Result<Frame, StepError> {
    let indices = subset_indices(frame, subset)?;
    let columns: Vec<_> = indices.iter().map(|&i| &frame.columns()[i]).collect();
    let kept: Vec<usize> = (0..frame.n_rows())
        .filter(|&row| {
            let mut missing = columns.iter().map(|column| cell(column, row).is_null());
            match how {
                How::Any => !missing.any(|m| m),
                How::All => columns.is_empty() || !missing.all(|m| m),
            }
        })
        .collect();
    select_rows(frame, &kept)
}

/// Adds `column_name` with `train` / `test`; `ceil(test_size * n)` test rows like sklearn.
pub(crate) fn train_test_split(
    frame: &Frame,
    test_size: f64,
    seed: u64,
    strategy: &SplitStrategy,
    column_name: &str,
) -> Result<Frame, StepError> {
    if !(test_size > 0.0 && test_size < 1.0) {
        return Err(invalid(format!(
            "test_size must be between 0 and 1 (exclusive), not {test_size}"
        )));
    }
    let n = frame.n_rows();
    let n_test = ((test_size * n as f64).ceil() as usize).min(n);
    let mut rng = SplitMix64::new(seed);
    let mut is_test = vec![false; n];
    match strategy {
        SplitStrategy::Random => {
            for &row in &rng.permutation(n)[..n_test] {
                is_test[row] = true;
            }
        }
        SplitStrategy::Time { column } => {
            // Missing times sort first, so they train rather than test.
            let order = sorted_order(frame, std::slice::from_ref(column), &[false])?;
            for &row in &order[..n_test] {
                is_test[row] = true;
            }
        }
        SplitStrategy::Stratified { column: name } => {
            let column = column(frame, name)?;
            let mut classes: HashMap<Cell<'_>, Vec<usize>> = HashMap::new();
            for row in 0..n {
                classes.entry(cell(column, row)).or_default().push(row);
            }
            let mut classes: Vec<(Cell<'_>, Vec<usize>)> = classes.into_iter().collect();
            classes.sort_by(|a, b| a.0.cmp(&b.0));
            // Each class gets the floor of its share; the rows left over go to the classes
            // with the largest remainders (larger classes first on ties).
            let mut quotas: Vec<usize> = Vec::with_capacity(classes.len());
            let mut remainders: Vec<(f64, usize, usize)> = Vec::new();
            for (index, (_, rows)) in classes.iter().enumerate() {
                let exact = rows.len() as f64 * n_test as f64 / n as f64;
                quotas.push(exact.floor() as usize);
                remainders.push((exact - exact.floor(), rows.len(), index));
            }
            remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
            let missing = n_test - quotas.iter().sum::<usize>();
            for &(_, _, index) in remainders.iter().take(missing) {
                quotas[index] += 1;
            }
            for ((_, rows), quota) in classes.iter().zip(quotas) {
                let permutation = rng.permutation(rows.len());
                for &position in &permutation[..quota.min(rows.len())] {
                    is_test[rows[position]] = true;
                }
            }
        }
    }
    let labels = is_test
        .iter()
        .map(|&test| Some(if test { "test" } else { "train" }));
    let mut columns = frame.columns().to_vec();
    columns.push(text_column(column_name, ColumnType::Categorical, labels));
    Frame::new(columns).map_err(super::cell::frame_error)
}

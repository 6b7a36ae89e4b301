//! Categorical encoding steps with fitted vocabularies: one-hot, ordinal codes and grouping rare levels.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, BooleanArray};

use super::cell::{
    bool_column, cells, column_error, find, int_column, parameter_mismatch, splice, text_column,
    value_cell, Cell,
};
use super::{FittedParams, StepError, Value};
use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

/// The sorted distinct present values of a column, as stored parameters.
fn learn_levels(column: &Column) -> Vec<Value> {
    if let Some((keys, values)) = dictionary(column) {
        // Categorical: the dictionary values some row uses, without visiting every row's text.
        let mut used = vec![false; values.len()];
        for key in keys.iter().flatten() {
            used[key as usize] = true;
        }
        let levels: BTreeSet<Cell<'_>> = (0..values.len())
            .filter(|&i| used[i])
            .map(|i| Cell::Text(Cow::Borrowed(values.value(i))))
            .collect();
        return levels.iter().map(Cell::to_value).collect();
    }
    let levels: BTreeSet<Cell<'_>> = cells(column).into_iter().filter(|c| !c.is_null()).collect();
    levels.iter().map(Cell::to_value).collect()
}

/// A categorical column's keys and dictionary values.
fn dictionary(
    column: &Column,
) -> Option<(
    &arrow_array::PrimitiveArray<Int32Type>,
    &arrow_array::StringArray,
)> {
    if column.column_type() != ColumnType::Categorical {
        return None;
    }
    let array = column.array().as_dictionary_opt::<Int32Type>()?;
    Some((array.keys(), array.values().as_string_opt::<i32>()?))
}

/// Each row's index into `levels` (`None` for missing or a value not among them): one
/// lookup per row, or per dictionary value for a categorical column.
fn level_codes<'a>(column: &'a Column, levels: &[Cell<'static>]) -> Vec<Option<usize>> {
    let level_of: HashMap<Cell<'a>, usize> = levels
        .iter()
        .cloned()
        .enumerate()
        .map(|(index, level)| (level, index))
        .collect();
    if let Some((keys, values)) = dictionary(column) {
        let value_level: Vec<Option<usize>> = (0..values.len())
            .map(|i| {
                level_of
                    .get(&Cell::Text(Cow::Borrowed(values.value(i))))
                    .copied()
            })
            .collect();
        return keys
            .iter()
            .map(|key| key.and_then(|key| value_level[key as usize]))
            .collect();
    }
    cells(column)
        .iter()
        .map(|value| level_of.get(value).copied())
        .collect()
}

/// Stored levels read back as cells of the column's type.
fn level_cells(column: &Column, levels: &[Value]) -> Result<Vec<Cell<'static>>, StepError> {
    levels
        .iter()
        .map(|level| {
            value_cell(level, column.column_type()).ok_or_else(|| {
                column_error(
                    column.name(),
                    format!(
                        "was fitted as another type; level {} does not fit a {} column",
                        serde_json::to_string(level).unwrap_or_default(),
                        column.column_type().label()
                    ),
                )
            })
        })
        .collect()
}

fn levels_param(
    column: &Column,
    params: Option<&FittedParams>,
    learn: impl FnOnce(&Column) -> Result<Vec<Value>, StepError>,
) -> Result<Vec<Value>, StepError> {
    match params {
        Some(FittedParams::Levels { levels }) => Ok(levels.clone()),
        Some(_) => Err(parameter_mismatch()),
        None => learn(column),
    }
}

fn check_encodable(column: &Column) -> Result<(), StepError> {
    if column.column_type() == ColumnType::Float {
        return Err(column_error(
            column.name(),
            "is float; bin it first (one level per distinct number is rarely wanted)",
        ));
    }
    Ok(())
}

pub(crate) fn one_hot(
    frame: &Frame,
    name: &str,
    drop_first: bool,
    dummy_na: bool,
    params: Option<&FittedParams>,
) -> Result<(FittedParams, Frame), StepError> {
    let index = find(frame, name)?;
    let column = &frame.columns()[index];
    check_encodable(column)?;
    let levels = levels_param(column, params, |column| Ok(learn_levels(column)))?;
    let level_cells = level_cells(column, &levels)?;
    // Each row's level, found once (not compared with every level).
    let codes = level_codes(column, &level_cells);
    let mut added: Vec<Column> = level_cells
        .iter()
        .enumerate()
        .skip(usize::from(drop_first))
        .map(|(index, level)| {
            let array: BooleanArray = codes
                .iter()
                .map(|code| *code == Some(index))
                .collect::<Vec<bool>>()
                .into();
            Column::new(
                format!("{name}_{}", level.display().unwrap_or_default()),
                ColumnType::Boolean,
                Arc::new(array),
            )
            .expect("a boolean array")
        })
        .collect();
    if dummy_na {
        // Through cells: a NaN in a float column counts as missing too.
        added.push(bool_column(
            &format!("{name}_nan"),
            cells(column).iter().map(|value| Some(value.is_null())),
        ));
    }
    let frame = splice(frame, index, added)?;
    Ok((FittedParams::Levels { levels }, frame))
}

pub(crate) fn ordinal_encode(
    frame: &Frame,
    name: &str,
    unknown_value: Option<i64>,
    params: Option<&FittedParams>,
) -> Result<(FittedParams, Frame), StepError> {
    let index = find(frame, name)?;
    let column = &frame.columns()[index];
    check_encodable(column)?;
    let levels = levels_param(column, params, |column| Ok(learn_levels(column)))?;
    let code_of: HashMap<Cell<'static>, i64> = level_cells(column, &levels)?
        .into_iter()
        .enumerate()
        .map(|(code, level)| (level, code as i64))
        .collect();
    let codes = cells(column).into_iter().map(|value| {
        if value.is_null() {
            None
        } else {
            code_of.get(&value.into_owned()).copied().or(unknown_value)
        }
    });
    let frame = splice(frame, index, vec![int_column(name, codes)])?;
    Ok((FittedParams::Levels { levels }, frame))
}

pub(crate) fn group_rare(
    frame: &Frame,
    name: &str,
    min_frequency: Option<f64>,
    max_categories: Option<usize>,
    other_label: &str,
    params: Option<&FittedParams>,
) -> Result<(FittedParams, Frame), StepError> {
    let index = find(frame, name)?;
    let column = &frame.columns()[index];
    check_encodable(column)?;
    let levels = levels_param(column, params, |column| {
        let mut counts: HashMap<Cell<'_>, usize> = HashMap::new();
        for value in cells(column) {
            if !value.is_null() {
                *counts.entry(value).or_default() += 1;
            }
        }
        let threshold = match min_frequency {
            Some(f) if f < 0.0 => {
                return Err(column_error(
                    column.name(),
                    "min_frequency must not be negative",
                ))
            }
            Some(f) if f < 1.0 => f * column.len() as f64,
            Some(f) => f,
            None => 0.0,
        };
        let mut frequent: Vec<(Cell<'_>, usize)> = counts
            .into_iter()
            .filter(|(_, count)| *count as f64 >= threshold)
            .collect();
        frequent.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(max) = max_categories {
            frequent.truncate(max);
        }
        let kept: BTreeSet<Cell<'_>> = frequent.into_iter().map(|(level, _)| level).collect();
        Ok(kept.iter().map(Cell::to_value).collect())
    })?;
    let kept: HashSet<Cell<'static>> = level_cells(column, &levels)?.into_iter().collect();
    let texts: Vec<Option<String>> = cells(column)
        .into_iter()
        .map(|value| {
            if value.is_null() {
                None
            } else if kept.contains(&value) {
                value.display()
            } else {
                Some(other_label.to_string())
            }
        })
        .collect();
    let output_type = if column.column_type() == ColumnType::Categorical {
        ColumnType::Categorical
    } else {
        ColumnType::String
    };
    let grouped = text_column(name, output_type, texts.iter().map(Option::as_deref));
    let frame = splice(frame, index, vec![grouped])?;
    Ok((FittedParams::Levels { levels }, frame))
}

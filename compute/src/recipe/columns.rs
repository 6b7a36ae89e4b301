//! Column management steps: drop, rename, duplicate, reorder and cast.

use std::borrow::Cow;

use super::cell::{
    build, cell, column_error, find, find_all, frame_error, insert_after, invalid, renamed, splice,
    text_column, Cell,
};
use super::dates::parse_iso;
use super::{OnError, ReorderMode, StepError};
use crate::frame::calendar::MS_PER_DAY;
use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

/// At most this many failing rows are listed in a message.
pub(crate) const LISTED_ROWS: usize = 5;

pub(crate) fn drop_columns(frame: &Frame, names: &[String]) -> Result<Frame, StepError> {
    let indices = find_all(frame, names)?;
    let columns = frame
        .columns()
        .iter()
        .enumerate()
        .filter(|(index, _)| !indices.contains(index))
        .map(|(_, column)| column.clone())
        .collect();
    Frame::new(columns).map_err(frame_error)
}

pub(crate) fn rename_column(frame: &Frame, name: &str, new_name: &str) -> Result<Frame, StepError> {
    let index = find(frame, name)?;
    splice(
        frame,
        index,
        vec![renamed(&frame.columns()[index], new_name)],
    )
}

pub(crate) fn duplicate_column(
    frame: &Frame,
    name: &str,
    new_name: &str,
) -> Result<Frame, StepError> {
    let index = find(frame, name)?;
    insert_after(
        frame,
        index,
        vec![renamed(&frame.columns()[index], new_name)],
    )
}

pub(crate) fn reorder_columns(
    frame: &Frame,
    names: &[String],
    mode: ReorderMode,
) -> Result<Frame, StepError> {
    let indices = find_all(frame, names)?;
    let mut seen = vec![false; frame.n_cols()];
    for (&index, name) in indices.iter().zip(names) {
        if std::mem::replace(&mut seen[index], true) {
            return Err(invalid(format!("column \"{name}\" is listed twice")));
        }
    }
    if mode == ReorderMode::Exact && indices.len() != frame.n_cols() {
        let missing: Vec<String> = frame
            .columns()
            .iter()
            .enumerate()
            .filter(|(index, _)| !seen[*index])
            .map(|(_, column)| format!("\"{}\"", column.name()))
            .collect();
        return Err(invalid(format!(
            "an exact order must list every column; missing {}",
            missing.join(", ")
        )));
    }
    let rest = (0..frame.n_cols()).filter(|index| !seen[*index]);
    let columns = indices
        .iter()
        .copied()
        .chain(rest)
        .map(|index| frame.columns()[index].clone())
        .collect();
    Frame::new(columns).map_err(frame_error)
}

pub(crate) fn cast(
    frame: &Frame,
    name: &str,
    to: ColumnType,
    on_error: OnError,
) -> Result<Frame, StepError> {
    let index = find(frame, name)?;
    let column = &frame.columns()[index];
    let cast = cast_column(column, to, on_error)?;
    splice(frame, index, vec![cast])
}

/// Converts a column; values that cannot be converted fail (listed) or become missing.
pub(crate) fn cast_column(
    column: &Column,
    to: ColumnType,
    on_error: OnError,
) -> Result<Column, StepError> {
    use ColumnType::*;
    let from = column.column_type();
    if from == to {
        return Ok(column.clone());
    }
    if matches!(
        (from, to),
        (Date | Datetime, Integer | Float | Boolean) | (Boolean, Date | Datetime)
    ) || (matches!(from, Integer | Float) && matches!(to, Date | Datetime))
    {
        return Err(column_error(
            column.name(),
            format!("cannot cast {} to {}", from.label(), to.label()),
        ));
    }
    if to == Categorical || to == String {
        let texts: Vec<Option<std::string::String>> = (0..column.len())
            .map(|row| cell(column, row).display())
            .collect();
        return Ok(text_column(
            column.name(),
            to,
            texts.iter().map(Option::as_deref),
        ));
    }
    let mut failed = Vec::new();
    let mut count = 0;
    let converted: Vec<Cell<'static>> = (0..column.len())
        .map(|row| {
            let value = cell(column, row);
            if value.is_null() {
                return Cell::Null;
            }
            match convert(&value, to) {
                Some(converted) => converted,
                None => {
                    count += 1;
                    if failed.len() < LISTED_ROWS {
                        failed.push(row + 1);
                    }
                    Cell::Null
                }
            }
        })
        .collect();
    if count > 0 && on_error == OnError::Fail {
        return Err(StepError::Conversion {
            column: column.name().to_string(),
            to: to.label(),
            count,
            rows: failed,
        });
    }
    build(column.name(), to, converted)
}

fn convert(value: &Cell<'_>, to: ColumnType) -> Option<Cell<'static>> {
    Some(match (value, to) {
        (Cell::Float(v), ColumnType::Integer) => {
            if v.fract() != 0.0 || v.abs() >= 9.2e18 {
                return None;
            }
            Cell::Int(*v as i64)
        }
        (Cell::Bool(v), ColumnType::Integer) => Cell::Int(i64::from(*v)),
        (Cell::Text(text), ColumnType::Integer) => {
            let text = text.trim();
            if text.is_empty() {
                return Some(Cell::Null);
            }
            Cell::Int(text.parse().ok()?)
        }
        (Cell::Int(v), ColumnType::Float) => Cell::Float(*v as f64),
        (Cell::Bool(v), ColumnType::Float) => Cell::Float(f64::from(u8::from(*v))),
        (Cell::Text(text), ColumnType::Float) => {
            let text = text.trim();
            if text.is_empty() {
                return Some(Cell::Null);
            }
            let value: f64 = text.parse().ok()?;
            if !value.is_finite() {
                return None;
            }
            Cell::Float(value)
        }
        (Cell::Int(v), ColumnType::Boolean) => match v {
            0 => Cell::Bool(false),
            1 => Cell::Bool(true),
            _ => return None,
        },
        (Cell::Float(v), ColumnType::Boolean) => match v {
            v if *v == 0.0 => Cell::Bool(false),
            v if *v == 1.0 => Cell::Bool(true),
            _ => return None,
        },
        (Cell::Text(text), ColumnType::Boolean) => {
            match text.trim().to_ascii_lowercase().as_str() {
                "" => Cell::Null,
                "true" | "t" | "yes" | "y" | "1" => Cell::Bool(true),
                "false" | "f" | "no" | "n" | "0" => Cell::Bool(false),
                _ => return None,
            }
        }
        (Cell::Datetime(ms), ColumnType::Date) => {
            Cell::Date(i32::try_from(ms.div_euclid(MS_PER_DAY)).ok()?)
        }
        (Cell::Date(days), ColumnType::Datetime) => Cell::Datetime(i64::from(*days) * MS_PER_DAY),
        (Cell::Text(text), ColumnType::Date) => {
            let text = text.trim();
            if text.is_empty() {
                return Some(Cell::Null);
            }
            let ms = parse_iso(text)?;
            if ms.rem_euclid(MS_PER_DAY) != 0 {
                return None;
            }
            Cell::Date(i32::try_from(ms.div_euclid(MS_PER_DAY)).ok()?)
        }
        (Cell::Text(text), ColumnType::Datetime) => {
            let text = text.trim();
            if text.is_empty() {
                return Some(Cell::Null);
            }
            Cell::Datetime(parse_iso(text)?)
        }
        (Cell::Text(text), ColumnType::String | ColumnType::Categorical) => {
            Cell::Text(Cow::Owned(text.to_string()))
        }
        _ => return None,
    })
}

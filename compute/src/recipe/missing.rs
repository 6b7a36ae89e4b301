//! Missing-value steps: fitted imputation (SimpleImputer), forward/backward fill and missing indicators.

use std::collections::HashMap;

use super::cell::{
    bool_column, build, cell, cells, column_error, find, find_all, floats, frame_error,
    insert_after, parameter_mismatch, quantile, sorted_present, splice, take_rows, value_cell,
    Cell,
};
use super::{FillStrategy, FittedParams, StepError, Value};
use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

/// The value `strategy` fills `column` with, learnt from its present values.
fn learn_fill(
    column: &Column,
    strategy: FillStrategy,
    fill_value: &Value,
) -> Result<Value, StepError> {
    let name = column.name();
    let nothing = || column_error(name, "has no values to learn a fill value from");
    Ok(match strategy {
        FillStrategy::Constant => {
            if fill_value == &Value::Null {
                return Err(column_error(
                    name,
                    "the constant strategy needs a fill_value",
                ));
            }
            fill_value.clone()
        }
        FillStrategy::Mean => {
            let present: Vec<f64> = floats(column)?.into_iter().flatten().collect();
            if present.is_empty() {
                return Err(nothing());
            }
            Value::Float(super::cell::mean(&present))
        }
        FillStrategy::Median => {
            let sorted = sorted_present(&floats(column)?);
            if sorted.is_empty() {
                return Err(nothing());
            }
            Value::Float(quantile(&sorted, 0.5))
        }
        FillStrategy::MostFrequent => {
            let mut counts: HashMap<Cell<'_>, usize> = HashMap::new();
            for value in cells(column) {
                if !value.is_null() {
                    *counts.entry(value).or_default() += 1;
                }
            }
            // Ties go to the smallest value, like sklearn.
            let best = counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .ok_or_else(nothing)?;
            best.0.to_value()
        }
    })
}

fn fill_column(
    column: &Column,
    strategy: FillStrategy,
    value: &Value,
) -> Result<Column, StepError> {
    let name = column.name();
    let column_type = column.column_type();
    let target = match (strategy, column_type, value) {
        (FillStrategy::Mean | FillStrategy::Median, _, _) => ColumnType::Float,
        (_, ColumnType::Integer, Value::Float(v)) if v.fract() != 0.0 => ColumnType::Float,
        _ => column_type,
    };
    if target == ColumnType::Float
        && !matches!(column_type, ColumnType::Integer | ColumnType::Float)
    {
        return Err(column_error(
            name,
            format!("is {}, not a number", column_type.label()),
        ));
    }
    let fill = value_cell(value, target).ok_or_else(|| {
        column_error(
            name,
            format!(
                "fill value {} does not fit a {} column",
                serde_json::to_string(value).unwrap_or_default(),
                column_type.label()
            ),
        )
    })?;
    build(
        name,
        target,
        cells(column)
            .into_iter()
            .map(|value| if value.is_null() { fill.clone() } else { value }),
    )
}

pub(crate) fn fill_missing(
    frame: &Frame,
    names: &[String],
    strategy: FillStrategy,
    fill_value: &Value,
    params: Option<&FittedParams>,
) -> Result<(FittedParams, Frame), StepError> {
    let indices = find_all(frame, names)?;
    let values = match params {
        Some(FittedParams::FillValues { values }) if values.len() == names.len() => values.clone(),
        Some(_) => return Err(parameter_mismatch()),
        None => indices
            .iter()
            .map(|&index| learn_fill(&frame.columns()[index], strategy, fill_value))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let mut columns = frame.columns().to_vec();
    for (&index, value) in indices.iter().zip(&values) {
        columns[index] = fill_column(&frame.columns()[index], strategy, value)?;
    }
    let frame = Frame::new(columns).map_err(frame_error)?;
    Ok((FittedParams::FillValues { values }, frame))
}

/// Carries the last present value forward (or the next one backward) into missing rows.
pub(crate) fn fill_direction(
    frame: &Frame,
    names: &[String],
    forward: bool,
) -> Result<Frame, StepError> {
    let mut frame = frame.clone();
    for name in names {
        let index = find(&frame, name)?;
        let column = &frame.columns()[index];
        let n = column.len();
        let mut source = vec![None; n];
        let mut last = None;
        let rows: Box<dyn Iterator<Item = usize>> = if forward {
            Box::new(0..n)
        } else {
            Box::new((0..n).rev())
        };
        for row in rows {
            if !cell(column, row).is_null() {
                last = Some(row);
            }
            source[row] = last;
        }
        let single = Frame::new(vec![column.clone()]).map_err(frame_error)?;
        let filled = take_rows(&single, &source)?.columns()[0].clone();
        frame = splice(&frame, index, vec![filled])?;
    }
    Ok(frame)
}

pub(crate) fn missing_indicator(frame: &Frame, names: &[String]) -> Result<Frame, StepError> {
    let mut frame = frame.clone();
    for name in names {
        let index = find(&frame, name)?;
        let column = &frame.columns()[index];
        let indicator = bool_column(
            &format!("{name}_missing"),
            (0..column.len()).map(|row| Some(cell(column, row).is_null())),
        );
        frame = insert_after(&frame, index, vec![indicator])?;
    }
    Ok(frame)
}

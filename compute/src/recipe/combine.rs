//! Steps that combine rows or datasets: group-by aggregation, joins and concatenation.

use std::collections::{HashMap, HashSet};

use arrow_array::{new_null_array, Array};

use super::cell::{
    cell, cells, find, find_all, float_column, frame_error, int_column, invalid, quantile, renamed,
    select_rows, take_rows, variance, Cell,
};
use super::columns::cast_column;
use super::{AggregateFunction, Aggregation, DatasetRef, JoinHow, OnError, StepError};
use crate::frame::{arrow_type, Column, Frame};
use crate::schema::ColumnType;

pub(crate) fn group_by_aggregate(
    frame: &Frame,
    keys: &[String],
    aggregations: &[Aggregation],
) -> Result<Frame, StepError> {
    if keys.is_empty() {
        return Err(invalid("group by needs at least one key column"));
    }
    let key_indices = find_all(frame, keys)?;
    let key_cells: Vec<Vec<Cell<'_>>> = key_indices
        .iter()
        .map(|&i| cells(&frame.columns()[i]))
        .collect();
    let mut group_of: HashMap<Vec<Cell<'_>>, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for row in 0..frame.n_rows() {
        let key: Vec<Cell<'_>> = key_cells.iter().map(|c| c[row].clone()).collect();
        // Like pandas (dropna=True), rows with a missing key belong to no group.
        if key.iter().any(Cell::is_null) {
            continue;
        }
        let group = *group_of.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[group].push(row);
    }
    // pandas sorts groups by key.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    let key_of = |group: usize| -> Vec<&Cell<'_>> {
        let row = groups[group][0];
        key_cells.iter().map(|c| &c[row]).collect()
    };
    order.sort_by(|&a, &b| key_of(a).cmp(&key_of(b)));
    let groups: Vec<&Vec<usize>> = order.iter().map(|&g| &groups[g]).collect();

    let firsts: Vec<usize> = groups.iter().map(|rows| rows[0]).collect();
    let key_frame = Frame::new(
        key_indices
            .iter()
            .map(|&i| frame.columns()[i].clone())
            .collect(),
    )
    .map_err(frame_error)?;
    let mut columns = select_rows(&key_frame, &firsts)?.columns().to_vec();
    for aggregation in aggregations {
        let column = &frame.columns()[find(frame, &aggregation.column)?];
        let name = format!("{}_{}", aggregation.column, aggregation.agg.label());
        columns.push(aggregate(column, &name, aggregation.agg, &groups)?);
    }
    Frame::new(columns).map_err(frame_error)
}

fn aggregate(
    column: &Column,
    name: &str,
    agg: AggregateFunction,
    groups: &[&Vec<usize>],
) -> Result<Column, StepError> {
    let values = cells(column);
    let present = |rows: &Vec<usize>| -> Vec<usize> {
        rows.iter()
            .copied()
            .filter(|&row| !values[row].is_null())
            .collect()
    };
    let numbers = |rows: &Vec<usize>| -> Result<Vec<f64>, StepError> {
        present(rows)
            .into_iter()
            .map(|row| {
                values[row].as_f64().ok_or_else(|| {
                    super::cell::column_error(
                        column.name(),
                        format!(
                            "is {}, and {} needs numbers",
                            column.column_type().label(),
                            agg.label()
                        ),
                    )
                })
            })
            .collect()
    };
    // Aggregations that pick a row keep the column's type.
    let pick = |choose: &dyn Fn(Vec<usize>) -> Option<usize>| -> Result<Column, StepError> {
        let rows: Vec<Option<usize>> = groups.iter().map(|rows| choose(present(rows))).collect();
        let single = Frame::new(vec![renamed(column, name)]).map_err(frame_error)?;
        Ok(take_rows(&single, &rows)?.columns()[0].clone())
    };
    Ok(match agg {
        AggregateFunction::Count => int_column(
            name,
            groups.iter().map(|rows| Some(present(rows).len() as i64)),
        ),
        AggregateFunction::NUnique => int_column(
            name,
            groups.iter().map(|rows| {
                let distinct: HashSet<&Cell<'_>> =
                    present(rows).iter().map(|&r| &values[r]).collect();
                Some(distinct.len() as i64)
            }),
        ),
        AggregateFunction::Sum if column.column_type() == ColumnType::Integer => {
            let sums = groups
                .iter()
                .map(|rows| {
                    present(rows)
                        .iter()
                        .try_fold(0i64, |sum, &row| match values[row] {
                            Cell::Int(v) => sum.checked_add(v),
                            _ => Some(sum),
                        })
                        .map(Some)
                        .ok_or_else(|| {
                            super::cell::column_error(column.name(), "the sum overflows an integer")
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            int_column(name, sums)
        }
        AggregateFunction::Sum => float_column(
            name,
            groups
                .iter()
                .map(|rows| numbers(rows).map(|v| Some(v.iter().sum())))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        AggregateFunction::Mean | AggregateFunction::Median | AggregateFunction::Std => {
            let stats = groups
                .iter()
                .map(|rows| {
                    let mut v = numbers(rows)?;
                    Ok(match agg {
                        _ if v.is_empty() => None,
                        AggregateFunction::Mean => Some(super::cell::mean(&v)),
                        AggregateFunction::Median => {
                            v.sort_by(f64::total_cmp);
                            Some(quantile(&v, 0.5))
                        }
                        _ if v.len() < 2 => None,
                        _ => Some(variance(&v, 1).sqrt()),
                    })
                })
                .collect::<Result<Vec<_>, StepError>>()?;
            float_column(name, stats)
        }
        AggregateFunction::First => pick(&|rows| rows.first().copied())?,
        AggregateFunction::Min => {
            pick(&|rows| rows.into_iter().min_by(|&a, &b| values[a].cmp(&values[b])))?
        }
        AggregateFunction::Max => {
            // The first of equal maxima, like pandas.
            pick(&|rows| {
                rows.into_iter()
                    .rev()
                    .max_by(|&a, &b| values[a].cmp(&values[b]))
            })?
        }
    })
}

/// Key types that join: equal, or text stored either way.
fn join_compatible(left: ColumnType, right: ColumnType) -> bool {
    let text = |t| matches!(t, ColumnType::String | ColumnType::Categorical);
    left == right || (text(left) && text(right))
}

pub(crate) fn resolve(
    dataset: &DatasetRef,
    datasets: &dyn Fn(&DatasetRef) -> Option<Frame>,
) -> Result<Frame, StepError> {
    let frame = datasets(dataset).ok_or_else(|| {
        invalid(format!(
            "dataset \"{}\" is not available; import it again or remove this step",
            dataset.dataset_id
        ))
    })?;
    if !dataset.content_hash.is_empty() && frame.content_hash().to_hex() != dataset.content_hash {
        return Err(invalid(format!(
            "dataset \"{}\" has changed since this step was written; pick it again",
            dataset.dataset_id
        )));
    }
    Ok(frame)
}

pub(crate) fn join(
    left: &Frame,
    right: &Frame,
    on: &[String],
    how: JoinHow,
    suffixes: &(String, String),
) -> Result<Frame, StepError> {
    if on.is_empty() {
        return Err(invalid("a join needs at least one key column"));
    }
    let left_keys = find_all(left, on)?;
    let right_keys = find_all(right, on).map_err(|error| match error {
        StepError::ColumnNotFound { column, .. } => invalid(format!(
            "column \"{column}\" not found in the right dataset"
        )),
        other => other,
    })?;
    for ((name, &l), &r) in on.iter().zip(&left_keys).zip(&right_keys) {
        let (lt, rt) = (
            left.columns()[l].column_type(),
            right.columns()[r].column_type(),
        );
        if !join_compatible(lt, rt) {
            return Err(invalid(format!(
                "cannot join on \"{name}\": {} on the left, {} on the right",
                lt.label(),
                rt.label()
            )));
        }
    }
    let right_cells: Vec<Vec<Cell<'_>>> = right_keys
        .iter()
        .map(|&i| cells(&right.columns()[i]))
        .collect();
    let mut matches: HashMap<Vec<Cell<'_>>, Vec<usize>> = HashMap::new();
    for row in 0..right.n_rows() {
        let key: Vec<Cell<'_>> = right_cells.iter().map(|c| c[row].clone()).collect();
        if !key.iter().any(Cell::is_null) {
            matches.entry(key).or_default().push(row);
        }
    }
    let mut left_rows = Vec::new();
    let mut right_rows: Vec<Option<usize>> = Vec::new();
    for row in 0..left.n_rows() {
        let key: Vec<Cell<'_>> = left_keys
            .iter()
            .map(|&i| cell(&left.columns()[i], row))
            .collect();
        // Missing keys never match (SQL semantics).
        let found = if key.iter().any(Cell::is_null) {
            None
        } else {
            matches.get(&key)
        };
        match found {
            Some(rows) => {
                for &r in rows {
                    left_rows.push(row);
                    right_rows.push(Some(r));
                }
            }
            None if how == JoinHow::Left => {
                left_rows.push(row);
                right_rows.push(None);
            }
            None => {}
        }
    }
    let left_part = select_rows(left, &left_rows)?;
    let right_values: Vec<Column> = right
        .columns()
        .iter()
        .enumerate()
        .filter(|(i, _)| !right_keys.contains(i))
        .map(|(_, column)| column.clone())
        .collect();
    let right_part = take_rows(&Frame::new(right_values).map_err(frame_error)?, &right_rows)?;
    let clashes: HashSet<&str> = right_part
        .columns()
        .iter()
        .map(Column::name)
        .filter(|name| left.column(name).is_some() && !on.iter().any(|key| key == name))
        .collect();
    let mut columns: Vec<Column> = left_part
        .columns()
        .iter()
        .map(|c| {
            if clashes.contains(c.name()) {
                renamed(c, &format!("{}{}", c.name(), suffixes.0))
            } else {
                c.clone()
            }
        })
        .collect();
    columns.extend(right_part.columns().iter().map(|c| {
        if clashes.contains(c.name()) {
            renamed(c, &format!("{}{}", c.name(), suffixes.1))
        } else {
            c.clone()
        }
    }));
    Frame::new(columns).map_err(frame_error)
}

pub(crate) fn concatenate(top: &Frame, bottom: &Frame) -> Result<Frame, StepError> {
    let mut names: Vec<&str> = top.columns().iter().map(Column::name).collect();
    for column in bottom.columns() {
        if top.column(column.name()).is_none() {
            names.push(column.name());
        }
    }
    let columns = names
        .into_iter()
        .map(|name| {
            let (upper, lower) = (top.column(name), bottom.column(name));
            let column_type = match (upper, lower) {
                (Some(a), Some(b)) if a.column_type() == b.column_type() => a.column_type(),
                (Some(a), Some(b)) if join_compatible(a.column_type(), b.column_type()) => {
                    ColumnType::String
                }
                (Some(a), Some(b)) => {
                    return Err(invalid(format!(
                        "cannot append column \"{name}\": {} here, {} in the other dataset; cast one first",
                        a.column_type().label(),
                        b.column_type().label()
                    )))
                }
                (Some(a), None) => a.column_type(),
                (None, Some(b)) => b.column_type(),
                (None, None) => unreachable!("every name comes from one of the frames"),
            };
            let part = |column: Option<&Column>, len: usize| -> Result<_, StepError> {
                Ok(match column {
                    Some(column) => cast_column(column, column_type, OnError::Fail)?.array().clone(),
                    None => new_null_array(&arrow_type(column_type), len),
                })
            };
            let upper = part(upper, top.n_rows())?;
            let lower = part(lower, bottom.n_rows())?;
            let array = arrow_select::concat::concat(&[upper.as_ref() as &dyn Array, lower.as_ref()])
                .map_err(|error| invalid(error.to_string()))?;
            Column::new(name, column_type, array).map_err(frame_error)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Frame::new(columns).map_err(frame_error)
}

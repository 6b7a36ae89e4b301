//! Point samples of two numeric columns for a scatter plot: the rows where both are present and finite, sampled down to a bound.

use thiserror::Error;

use super::cells::{sample_rows, Cells};
use super::PairSample;
use crate::frame::Frame;
use crate::schema::ColumnType;

/// Why two columns cannot be plotted against each other.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ScatterError {
    #[error("column \"{column}\" not found")]
    ColumnNotFound { column: String },
    #[error("column \"{column}\" is {} and a scatter plot needs numbers, dates or datetimes", column_type.label())]
    NotNumeric {
        column: String,
        column_type: ColumnType,
    },
}

fn numeric_cells<'a>(frame: &'a Frame, name: &str) -> Result<Cells<'a>, ScatterError> {
    let column = frame
        .column(name)
        .ok_or_else(|| ScatterError::ColumnNotFound {
            column: name.to_string(),
        })?;
    match column.column_type() {
        ColumnType::Integer
        | ColumnType::Float
        | ColumnType::Boolean
        | ColumnType::Date
        | ColumnType::Datetime => Ok(Cells::new(column)),
        column_type => Err(ScatterError::NotNumeric {
            column: name.to_string(),
            column_type,
        }),
    }
}

/// At most `max_points` of the rows where both `x` and `y` hold finite numbers, drawn
/// uniformly (the same for the same seed), in row order; dates count in days and
/// datetimes in their stored unit, like the profile's histograms.
pub fn sample_pairs(
    frame: &Frame,
    x: &str,
    y: &str,
    max_points: usize,
    seed: u64,
) -> Result<PairSample, ScatterError> {
    let x_cells = numeric_cells(frame, x)?;
    let y_cells = numeric_cells(frame, y)?;
    let both: Vec<(f64, f64)> = (0..frame.n_rows())
        .filter_map(|row| {
            let a = x_cells.number(row).filter(|v| v.is_finite())?;
            let b = y_cells.number(row).filter(|v| v.is_finite())?;
            Some((a, b))
        })
        .collect();
    let n_pairs = both.len() as u64;
    let picked: Vec<(f64, f64)> = if both.len() <= max_points {
        both
    } else {
        sample_rows(both.len(), max_points, seed)
            .into_iter()
            .map(|i| both[i])
            .collect()
    };
    Ok(PairSample {
        x_column: x.to_string(),
        y_column: y.to_string(),
        x: picked.iter().map(|p| p.0).collect(),
        y: picked.iter().map(|p| p.1).collect(),
        n_pairs,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Float64Array, StringArray};

    use super::*;
    use crate::frame::Column;

    fn frame() -> Frame {
        let xs: Vec<Option<f64>> = (0..100)
            .map(|i| if i % 10 == 0 { None } else { Some(i as f64) })
            .collect();
        let ys: Vec<Option<f64>> = (0..100)
            .map(|i| {
                if i == 5 {
                    Some(f64::NAN)
                } else {
                    Some(2.0 * i as f64)
                }
            })
            .collect();
        let names: Vec<Option<&str>> = (0..100).map(|_| Some("a")).collect();
        Frame::new(vec![
            Column::new("x", ColumnType::Float, Arc::new(Float64Array::from(xs))).unwrap(),
            Column::new("y", ColumnType::Float, Arc::new(Float64Array::from(ys))).unwrap(),
            Column::new(
                "name",
                ColumnType::String,
                Arc::new(StringArray::from(names)),
            )
            .unwrap(),
        ])
        .unwrap()
    }

    #[test]
    fn keeps_rows_where_both_are_finite_and_samples_down() {
        let all = sample_pairs(&frame(), "x", "y", 1000, 1).unwrap();
        assert_eq!(all.n_pairs, 89, "10 missing x, one NaN y");
        assert_eq!(all.x.len(), 89);
        assert!(all.x.iter().zip(&all.y).all(|(a, b)| *b == 2.0 * a));
        let some = sample_pairs(&frame(), "x", "y", 20, 1).unwrap();
        assert_eq!(some.x.len(), 20);
        assert_eq!(some.n_pairs, 89);
        assert_eq!(some, sample_pairs(&frame(), "x", "y", 20, 1).unwrap());
        assert!(some.x.windows(2).all(|w| w[0] < w[1]), "row order kept");
    }

    #[test]
    fn names_a_missing_or_text_column() {
        assert_eq!(
            sample_pairs(&frame(), "x", "z", 10, 1)
                .unwrap_err()
                .to_string(),
            "column \"z\" not found"
        );
        assert_eq!(
            sample_pairs(&frame(), "name", "y", 10, 1)
                .unwrap_err()
                .to_string(),
            "column \"name\" is string and a scatter plot needs numbers, dates or datetimes"
        );
    }
}

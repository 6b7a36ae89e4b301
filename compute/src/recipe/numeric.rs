//! Numeric steps: fitted scalers (sklearn's formulas), log, power, clip, binning (pandas qcut/cut) and outliers.

use super::cell::{
    column_error, find, find_all, float_column, floats, frame_error, int_column, invalid,
    parameter_mismatch, quantile, select_rows, sorted_present, splice, text_column, variance,
};
use super::columns::LISTED_ROWS;
use super::{
    BinLabels, BinStrategy, FittedParams, OnError, OutlierAction, OutlierMethod, StepError,
};
use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

/// The scalers' fitted form: `(x - center) / scale` per column.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scaler {
    Standard {
        with_mean: bool,
        with_std: bool,
    },
    MinMax {
        feature_range: (f64, f64),
    },
    Robust {
        quantile_range: (f64, f64),
        with_centering: bool,
        with_scaling: bool,
    },
    MaxAbs,
}

/// sklearn's `_handle_zeros_in_scale`: a (near-)zero scale leaves values unscaled.
fn nonzero_scale(scale: f64) -> f64 {
    if scale < 10.0 * f64::EPSILON {
        1.0
    } else {
        scale
    }
}

fn learn_scaler(scaler: Scaler, column: &Column) -> Result<(f64, f64), StepError> {
    let sorted = sorted_present(&floats(column)?);
    if sorted.is_empty() {
        return Err(column_error(
            column.name(),
            "has no values to learn a scale from",
        ));
    }
    Ok(match scaler {
        Scaler::Standard {
            with_mean,
            with_std,
        } => {
            let center = super::cell::mean(&sorted);
            let scale = if with_std {
                nonzero_scale(variance(&sorted, 0).sqrt())
            } else {
                1.0
            };
            (if with_mean { center } else { 0.0 }, scale)
        }
        Scaler::MinMax { feature_range } => {
            if feature_range.0 >= feature_range.1 {
                return Err(invalid(format!(
                    "feature_range minimum {} must be smaller than its maximum {}",
                    feature_range.0, feature_range.1
                )));
            }
            let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
            (min, nonzero_scale(max - min))
        }
        Scaler::Robust {
            quantile_range: (low, high),
            with_centering,
            with_scaling,
        } => {
            if !(0.0 <= low && low <= high && high <= 100.0) {
                return Err(invalid(format!("invalid quantile_range ({low}, {high})")));
            }
            let center = if with_centering {
                quantile(&sorted, 0.5)
            } else {
                0.0
            };
            let scale = if with_scaling {
                nonzero_scale(quantile(&sorted, high / 100.0) - quantile(&sorted, low / 100.0))
            } else {
                1.0
            };
            (center, scale)
        }
        Scaler::MaxAbs => {
            let max = sorted[0].abs().max(sorted[sorted.len() - 1].abs());
            (0.0, nonzero_scale(max))
        }
    })
}

pub(crate) fn scale(
    frame: &Frame,
    names: &[String],
    scaler: Scaler,
    params: Option<&FittedParams>,
) -> Result<(FittedParams, Frame), StepError> {
    let indices = find_all(frame, names)?;
    let (center, scale) = match params {
        Some(FittedParams::Scaler { center, scale })
            if center.len() == names.len() && scale.len() == names.len() =>
        {
            (center.clone(), scale.clone())
        }
        Some(_) => return Err(parameter_mismatch()),
        None => indices
            .iter()
            .map(|&index| learn_scaler(scaler, &frame.columns()[index]))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .unzip(),
    };
    let mut columns = frame.columns().to_vec();
    for (k, &index) in indices.iter().enumerate() {
        let column = &frame.columns()[index];
        let (c, s) = (center[k], scale[k]);
        let values = floats(column)?;
        let scaled = values.into_iter().map(|value| {
            value.map(|x| match scaler {
                // sklearn's form: X * scale_ + min_.
                Scaler::MinMax {
                    feature_range: (low, high),
                } => {
                    let factor = (high - low) / s;
                    x * factor + (low - c * factor)
                }
                _ => (x - c) / s,
            })
        });
        columns[index] = float_column(column.name(), scaled);
    }
    let frame = Frame::new(columns).map_err(frame_error)?;
    Ok((FittedParams::Scaler { center, scale }, frame))
}

/// Applies `f` to each listed column; `None` from `f` is an invalid input value.
fn map_floats(
    frame: &Frame,
    names: &[String],
    on_error: OnError,
    what: &str,
    f: impl Fn(f64) -> Option<f64>,
) -> Result<Frame, StepError> {
    let indices = find_all(frame, names)?;
    let mut columns = frame.columns().to_vec();
    for &index in &indices {
        let column = &frame.columns()[index];
        let mut failed = Vec::new();
        let mut count = 0;
        let values: Vec<Option<f64>> = floats(column)?
            .into_iter()
            .enumerate()
            .map(|(row, value)| {
                let x = value?;
                let result = f(x);
                if result.is_none() {
                    count += 1;
                    if failed.len() < LISTED_ROWS {
                        failed.push((row + 1).to_string());
                    }
                }
                result
            })
            .collect();
        if count > 0 && on_error == OnError::Fail {
            let more = if count > failed.len() { ", …" } else { "" };
            return Err(column_error(
                column.name(),
                format!(
                    "{count} values are {what} (rows {}{more}); set on_error to null to make them missing",
                    failed.join(", ")
                ),
            ));
        }
        columns[index] = float_column(column.name(), values);
    }
    Frame::new(columns).map_err(frame_error)
}

pub(crate) fn log(frame: &Frame, names: &[String], on_error: OnError) -> Result<Frame, StepError> {
    map_floats(frame, names, on_error, "not positive", |x| {
        (x > 0.0).then(|| x.ln())
    })
}

pub(crate) fn log1p(
    frame: &Frame,
    names: &[String],
    on_error: OnError,
) -> Result<Frame, StepError> {
    map_floats(frame, names, on_error, "-1 or less", |x| {
        (x > -1.0).then(|| x.ln_1p())
    })
}

pub(crate) fn power(frame: &Frame, names: &[String], exponent: f64) -> Result<Frame, StepError> {
    map_floats(frame, names, OnError::Null, "", |x| {
        Some(x.powf(exponent)).filter(|y| y.is_finite())
    })
}

/// Clips to `[lower, upper]`; an integer column stays integer when both bounds are whole.
fn clip_column(column: &Column, lower: f64, upper: f64) -> Result<Column, StepError> {
    let values = floats(column)?;
    let whole = |bound: f64| bound.fract() == 0.0 || bound.is_infinite();
    let clipped = values
        .into_iter()
        .map(|value| value.map(|x| x.max(lower).min(upper)));
    Ok(
        if column.column_type() == ColumnType::Integer && whole(lower) && whole(upper) {
            int_column(column.name(), clipped.map(|value| value.map(|x| x as i64)))
        } else {
            float_column(column.name(), clipped)
        },
    )
}

pub(crate) fn clip(
    frame: &Frame,
    names: &[String],
    lower: Option<f64>,
    upper: Option<f64>,
) -> Result<Frame, StepError> {
    let (lower, upper) = (
        lower.unwrap_or(f64::NEG_INFINITY),
        upper.unwrap_or(f64::INFINITY),
    );
    if lower > upper {
        return Err(invalid(format!("lower {lower} is above upper {upper}")));
    }
    let mut columns = frame.columns().to_vec();
    for &index in &find_all(frame, names)? {
        columns[index] = clip_column(&frame.columns()[index], lower, upper)?;
    }
    Frame::new(columns).map_err(frame_error)
}

/// pandas `qcut` (quantile) or `cut` (uniform) edges of the present values.
fn learn_edges(
    column: &Column,
    strategy: BinStrategy,
    n_bins: usize,
) -> Result<Vec<f64>, StepError> {
    if n_bins == 0 {
        return Err(invalid("n_bins must be at least 1"));
    }
    let sorted = sorted_present(&floats(column)?);
    if sorted.is_empty() {
        return Err(column_error(
            column.name(),
            "has no values to learn bin edges from",
        ));
    }
    Ok(match strategy {
        BinStrategy::Quantile => {
            let mut edges: Vec<f64> = (0..=n_bins)
                .map(|i| quantile(&sorted, i as f64 / n_bins as f64))
                .collect();
            edges.dedup();
            if edges.len() < 2 {
                let value = edges[0];
                edges = vec![value, value];
            }
            edges
        }
        BinStrategy::Uniform => {
            let (mut min, mut max) = (sorted[0], sorted[sorted.len() - 1]);
            let equal = min == max;
            if equal {
                let adjust = |v: f64| if v == 0.0 { 0.001 } else { 0.001 * v.abs() };
                min -= adjust(min);
                max += adjust(max);
            }
            // numpy's linspace, then pandas widens the first edge by 0.1% of the range.
            let step = (max - min) / n_bins as f64;
            let mut edges: Vec<f64> = (0..n_bins).map(|i| min + i as f64 * step).collect();
            edges.push(max);
            if !equal {
                edges[0] -= (max - min) * 0.001;
            }
            edges
        }
    })
}

/// Right-closed bin of `x`, the first bin closed on both sides; values outside the edges
/// go to the nearest end bin.
fn bin_of(edges: &[f64], x: f64) -> usize {
    let n_bins = edges.len() - 1;
    // Number of edges strictly below x (numpy searchsorted side="left").
    let below = edges.partition_point(|&edge| edge < x);
    below.saturating_sub(1).min(n_bins.saturating_sub(1))
}

/// pandas `_round_frac`: rounds to `precision` digits after the first significant one.
fn round_frac(x: f64, precision: i32) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let digits = if x.trunc() == 0.0 {
        -(x.fract().abs().log10().floor() as i32) - 1 + precision
    } else {
        precision
    };
    let factor = 10f64.powi(digits);
    (x * factor).round_ties_even() / factor
}

/// Python's `repr` of a float (`40.0`, not `40`).
fn python_float(x: f64) -> String {
    let text = x.to_string();
    if text.contains(['.', 'e', 'N', 'i']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// pandas interval labels: edges rounded at the smallest precision ≥ 3 that keeps them
/// distinct; the first left edge lowered by 10^-precision (include_lowest).
pub(crate) fn interval_labels(edges: &[f64], include_lowest: bool) -> Vec<String> {
    let distinct = |precision: i32| {
        let rounded: Vec<f64> = edges.iter().map(|&e| round_frac(e, precision)).collect();
        rounded.windows(2).all(|pair| pair[0] != pair[1])
    };
    let precision = (3..20).find(|&p| distinct(p)).unwrap_or(3);
    let mut breaks: Vec<f64> = edges.iter().map(|&e| round_frac(e, precision)).collect();
    if include_lowest {
        breaks[0] -= 10f64.powi(-precision);
    }
    breaks
        .windows(2)
        .map(|pair| format!("({}, {}]", python_float(pair[0]), python_float(pair[1])))
        .collect()
}

pub(crate) fn bin(
    frame: &Frame,
    name: &str,
    strategy: BinStrategy,
    n_bins: usize,
    labels: BinLabels,
    params: Option<&FittedParams>,
) -> Result<(FittedParams, Frame), StepError> {
    let index = find(frame, name)?;
    let column = &frame.columns()[index];
    let edges = match params {
        Some(FittedParams::BinEdges { edges }) if edges.len() >= 2 => edges.clone(),
        Some(_) => return Err(parameter_mismatch()),
        None => learn_edges(column, strategy, n_bins)?,
    };
    let codes: Vec<Option<usize>> = floats(column)?
        .into_iter()
        .map(|value| value.map(|x| bin_of(&edges, x)))
        .collect();
    let binned = match labels {
        BinLabels::Integer => int_column(name, codes.iter().map(|c| c.map(|c| c as i64))),
        BinLabels::Interval => {
            let names = interval_labels(&edges, strategy == BinStrategy::Quantile);
            text_column(
                name,
                ColumnType::Categorical,
                codes
                    .iter()
                    .map(|code| code.map(|code| names[code].as_str())),
            )
        }
    };
    let frame = splice(frame, index, vec![binned])?;
    Ok((FittedParams::BinEdges { edges }, frame))
}

fn learn_bounds(column: &Column, method: OutlierMethod) -> Result<(f64, f64), StepError> {
    let sorted = sorted_present(&floats(column)?);
    if sorted.is_empty() {
        return Err(column_error(
            column.name(),
            "has no values to learn outlier bounds from",
        ));
    }
    Ok(match method {
        OutlierMethod::Std { k } => {
            let center = super::cell::mean(&sorted);
            let spread = k * variance(&sorted, 0).sqrt();
            (center - spread, center + spread)
        }
        OutlierMethod::RobustZ { k } => {
            let median = quantile(&sorted, 0.5);
            let mut deviations: Vec<f64> = sorted.iter().map(|x| (x - median).abs()).collect();
            deviations.sort_by(f64::total_cmp);
            let mad = quantile(&deviations, 0.5);
            if mad == 0.0 {
                // Half the values equal the median: a robust z-score is undefined, so no
                // value is called an outlier.
                (f64::MIN, f64::MAX)
            } else {
                let spread = k * mad / 0.6745;
                (median - spread, median + spread)
            }
        }
        OutlierMethod::Quantile { q_low, q_high } => {
            if !(0.0 <= q_low && q_low <= q_high && q_high <= 1.0) {
                return Err(invalid(format!(
                    "quantiles must satisfy 0 <= q_low <= q_high <= 1, not ({q_low}, {q_high})"
                )));
            }
            (quantile(&sorted, q_low), quantile(&sorted, q_high))
        }
    })
}

pub(crate) fn handle_outliers(
    frame: &Frame,
    names: &[String],
    method: OutlierMethod,
    action: OutlierAction,
    params: Option<&FittedParams>,
) -> Result<(FittedParams, Frame), StepError> {
    let indices = find_all(frame, names)?;
    let (lower, upper): (Vec<f64>, Vec<f64>) = match params {
        Some(FittedParams::Bounds { lower, upper })
            if lower.len() == names.len() && upper.len() == names.len() =>
        {
            (lower.clone(), upper.clone())
        }
        Some(_) => return Err(parameter_mismatch()),
        None => indices
            .iter()
            .map(|&index| learn_bounds(&frame.columns()[index], method))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .unzip(),
    };
    let frame = match action {
        OutlierAction::Clip => {
            let mut columns = frame.columns().to_vec();
            for (k, &index) in indices.iter().enumerate() {
                columns[index] = clip_column(&frame.columns()[index], lower[k], upper[k])?;
            }
            Frame::new(columns).map_err(frame_error)?
        }
        OutlierAction::Remove => {
            let mut keep = vec![true; frame.n_rows()];
            for (k, &index) in indices.iter().enumerate() {
                for (row, value) in floats(&frame.columns()[index])?.into_iter().enumerate() {
                    if value.is_some_and(|x| x < lower[k] || x > upper[k]) {
                        keep[row] = false;
                    }
                }
            }
            let rows: Vec<usize> = (0..frame.n_rows()).filter(|&row| keep[row]).collect();
            select_rows(frame, &rows)?
        }
    };
    Ok((FittedParams::Bounds { lower, upper }, frame))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pandas_labels_and_bins() {
        // What pandas prints for penguins' bill_length_mm quartiles, float noise included.
        assert_eq!(
            interval_labels(&[32.1, 39.225, 44.45, 48.5, 59.6], true),
            vec![
                "(32.099000000000004, 39.225]",
                "(39.225, 44.45]",
                "(44.45, 48.5]",
                "(48.5, 59.6]"
            ]
        );
        let edges = [0.0, 1.0, 2.0];
        assert_eq!(bin_of(&edges, 0.0), 0);
        assert_eq!(bin_of(&edges, 1.0), 0);
        assert_eq!(bin_of(&edges, 1.5), 1);
        assert_eq!(bin_of(&edges, 9.0), 1);
        assert_eq!(bin_of(&edges, -9.0), 0);
    }
}

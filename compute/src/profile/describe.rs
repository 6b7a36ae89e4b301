//! The profile: per-column statistics, duplicates and correlations over all rows or a sample.

use std::borrow::Cow;

use arrow_array::Array;

use super::cells::{
    count_duplicate_rows, count_values, sample_rows, take_rows, Cells, ValueCounts,
};
use super::kernels::{finite, histogram, mean_std, pearson, quantile_sorted, skew_kurtosis};
use super::{
    ColumnProfile, CorrelationMatrix, DatasetProfile, Histogram, NumericSummary, ProfileOptions,
    Quantiles, TextLengths, TopValue, HISTOGRAM_BARS, HISTOGRAM_BINS, MAX_CORRELATION_COLUMNS,
    NUMERIC_TOP_VALUES_MAX_DISTINCT, TOP_VALUES,
};
use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

/// Profiles `frame`: every row, or (when it has more than `options.max_rows`) a
/// deterministic uniform sample, which the result reports in `sampled_rows`.
pub fn profile(frame: &Frame, options: &ProfileOptions) -> DatasetProfile {
    let sampled_rows = match options.max_rows {
        Some(max_rows) if frame.n_rows() > max_rows => Some(max_rows as u64),
        _ => None,
    };
    let profiled = profiled_frame(frame, sampled_rows, options.seed);
    let cells: Vec<Cells<'_>> = profiled.columns().iter().map(Cells::new).collect();
    let columns: Vec<ColumnProfile> = profiled
        .columns()
        .iter()
        .zip(&cells)
        .zip(frame.columns())
        .map(|((column, cells), whole)| {
            let memory_bytes = whole.array().get_array_memory_size() as u64;
            profile_column(column, cells, memory_bytes, options.exact_distinct_limit)
        })
        .collect();
    DatasetProfile {
        n_rows: frame.n_rows() as u64,
        n_cols: frame.n_cols() as u64,
        sampled_rows,
        sample_seed: options.seed,
        duplicate_rows: count_duplicate_rows(&cells, profiled.n_rows()),
        missing_cells: columns.iter().map(|column| column.missing).sum(),
        memory_bytes: frame.estimated_size_bytes(),
        correlations: correlations(&profiled, &cells),
        columns,
    }
}

/// The rows a profile describes: the frame itself, or the sample of `sampled_rows` rows
/// drawn with `seed` (the same rows every time).
pub(crate) fn profiled_frame(
    frame: &Frame,
    sampled_rows: Option<u64>,
    seed: u64,
) -> Cow<'_, Frame> {
    match sampled_rows {
        Some(k) if (k as usize) < frame.n_rows() => Cow::Owned(take_rows(
            frame,
            &sample_rows(frame.n_rows(), k as usize, seed),
        )),
        _ => Cow::Borrowed(frame),
    }
}

fn top_values(column: &Column, counts: &ValueCounts, k: usize) -> Vec<TopValue> {
    counts
        .entries
        .iter()
        .take(k)
        .map(|entry| TopValue {
            value: column
                .display_value(entry.first_row)
                .expect("counted values are present"),
            count: entry.count,
        })
        .collect()
}

fn profile_column(
    column: &Column,
    cells: &Cells<'_>,
    memory_bytes: u64,
    exact_distinct_limit: usize,
) -> ColumnProfile {
    let n = column.len();
    let counts = count_values(cells, exact_distinct_limit);
    let mut profile = ColumnProfile {
        name: column.name().to_string(),
        column_type: column.column_type(),
        count: counts.present,
        missing: n as u64 - counts.present,
        distinct: counts.distinct,
        distinct_is_approximate: counts.approximate,
        min: None,
        max: None,
        min_text: None,
        max_text: None,
        numeric: None,
        text_lengths: None,
        top_values: Vec::new(),
        histogram: None,
        memory_bytes,
    };
    if counts.present == 0 {
        return profile;
    }
    match column.column_type() {
        ColumnType::Integer | ColumnType::Float | ColumnType::Date | ColumnType::Datetime => {
            let values: Vec<f64> = (0..n).filter_map(|row| cells.number(row)).collect();
            let mut sorted = values.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
            let row_of = |target: f64| (0..n).find(|&row| cells.number(row) == Some(target));
            profile.min = finite(min);
            profile.max = finite(max);
            profile.min_text = row_of(min).and_then(|row| column.display_value(row));
            profile.max_text = row_of(max).and_then(|row| column.display_value(row));
            if matches!(
                column.column_type(),
                ColumnType::Integer | ColumnType::Float
            ) {
                profile.numeric = Some(numeric_summary(&values, &sorted));
            }
            let finite_values: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
            if !finite_values.is_empty() {
                let (edges, counts) = histogram(&finite_values, HISTOGRAM_BINS);
                profile.histogram = Some(Histogram::Bins { edges, counts });
            }
            let top_count = counts.entries.first().map_or(0, |entry| entry.count);
            if counts.distinct <= NUMERIC_TOP_VALUES_MAX_DISTINCT
                || top_count * 10 >= counts.present
            {
                profile.top_values = top_values(column, &counts, TOP_VALUES);
            }
        }
        ColumnType::Boolean | ColumnType::String | ColumnType::Categorical => {
            profile.top_values = top_values(column, &counts, TOP_VALUES);
            let bars = top_values(column, &counts, HISTOGRAM_BARS);
            let shown: u64 = bars.iter().map(|bar| bar.count).sum();
            profile.histogram = Some(Histogram::Bars {
                bars,
                other_count: counts.present - shown,
            });
            if column.column_type() != ColumnType::Boolean {
                profile.text_lengths = Some(text_lengths(cells, n));
            }
        }
    }
    profile
}

fn numeric_summary(values: &[f64], sorted: &[f64]) -> NumericSummary {
    let (mean, std) = mean_std(values);
    let (skewness, kurtosis) = skew_kurtosis(values);
    let quantile = |q: f64| finite(quantile_sorted(sorted, q));
    NumericSummary {
        mean: finite(mean),
        std: std.and_then(finite),
        quantiles: Quantiles {
            p01: quantile(0.01),
            p05: quantile(0.05),
            p25: quantile(0.25),
            p50: quantile(0.5),
            p75: quantile(0.75),
            p95: quantile(0.95),
            p99: quantile(0.99),
        },
        skewness: finite(skewness),
        kurtosis: finite(kurtosis),
        zeros: values.iter().filter(|&&x| x == 0.0).count() as u64,
        infinite: values.iter().filter(|x| x.is_infinite()).count() as u64,
    }
}

fn text_lengths(cells: &Cells<'_>, n: usize) -> TextLengths {
    let (mut min, mut max, mut total, mut count) = (u64::MAX, 0u64, 0u64, 0u64);
    let mut add = |length: u64, times: u64| {
        min = min.min(length);
        max = max.max(length);
        total += length * times;
        count += times;
    };
    if let Cells::Categorical {
        keys,
        values,
        canonical,
    } = cells
    {
        // Count per dictionary key first: a category's length is measured once.
        let mut per_key = vec![0u64; values.len()];
        for row in 0..n {
            if keys.is_valid(row) {
                if let Some(&Some(key)) = canonical.get(keys.value(row) as usize) {
                    per_key[key as usize] += 1;
                }
            }
        }
        for (key, &times) in per_key.iter().enumerate() {
            if times > 0 {
                add(values.value(key).chars().count() as u64, times);
            }
        }
    } else {
        for row in 0..n {
            if let Some(text) = cells.text(row) {
                add(text.chars().count() as u64, 1);
            }
        }
    }
    TextLengths {
        min,
        mean: total as f64 / count as f64,
        max,
    }
}

/// Pearson correlations of the first [`MAX_CORRELATION_COLUMNS`] integer and float columns.
fn correlations(frame: &Frame, cells: &[Cells<'_>]) -> CorrelationMatrix {
    let numeric: Vec<(String, Vec<f64>)> = frame
        .columns()
        .iter()
        .zip(cells)
        .filter(|(column, _)| {
            matches!(
                column.column_type(),
                ColumnType::Integer | ColumnType::Float
            )
        })
        .take(MAX_CORRELATION_COLUMNS)
        .map(|(column, cells)| {
            let values = (0..column.len())
                .map(|row| cells.number(row).unwrap_or(f64::NAN))
                .collect();
            (column.name().to_string(), values)
        })
        .collect();
    let k = numeric.len();
    let mut values = vec![vec![None; k]; k];
    // pandas fills the lower triangle, x the later column, and mirrors it.
    for i in 0..k {
        for j in 0..=i {
            let r = finite(pearson(&numeric[i].1, &numeric[j].1));
            values[i][j] = r;
            values[j][i] = r;
        }
    }
    CorrelationMatrix {
        columns: numeric.into_iter().map(|(name, _)| name).collect(),
        values,
    }
}

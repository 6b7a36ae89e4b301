//! Regular series from a frame: rows grouped by item and sorted by time, the frequency detected on the calendar, duplicate and off-grid timestamps refused by row, short gaps interpolated with a warning and long ones refused.

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMillisecondType};
use arrow_array::Array;
use serde::{Deserialize, Serialize};

use super::{ForecastError, ForecastOptions, ForecastWarning, Frequency};
use crate::frame::calendar::{
    civil_from_days, days_from_civil, days_in_month, format_date, format_datetime, MS_PER_DAY,
};
use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

const MS_PER_HOUR: i64 = 3_600_000;

/// Fewer points than this cannot be forecast (nor backtested).
pub const MIN_POINTS: usize = 3;

/// Where a frequency's steps fall: a fixed number of milliseconds from an anchor, or a
/// number of calendar months on one day of the month (or the last) at one time of day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub frequency: Frequency,
    /// The first timestamp, in milliseconds since 1970-01-01: step 0.
    pub anchor_ms: i64,
    /// The time column's type: dates or datetimes (for display).
    pub time_type: ColumnType,
}

/// A date's calendar parts: months since year 0, day of month, whether it is the month's
/// last day, milliseconds into the day.
fn calendar_parts(ms: i64) -> (i64, u32, bool, i64) {
    let days = ms.div_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    (
        year * 12 + i64::from(month) - 1,
        day,
        day == days_in_month(year, month),
        ms.rem_euclid(MS_PER_DAY),
    )
}

impl Grid {
    fn months(self) -> Option<i64> {
        match self.frequency {
            Frequency::Monthly => Some(1),
            Frequency::Quarterly => Some(3),
            Frequency::Yearly => Some(12),
            _ => None,
        }
    }

    fn step_ms(self) -> i64 {
        match self.frequency {
            Frequency::Hourly => MS_PER_HOUR,
            Frequency::Daily => MS_PER_DAY,
            _ => 7 * MS_PER_DAY,
        }
    }

    /// The step `ms` falls on, `None` when it is off the grid.
    pub fn index(self, ms: i64) -> Option<i64> {
        match self.months() {
            Some(months) => {
                let (anchor_month, anchor_day, anchor_last, anchor_time) =
                    calendar_parts(self.anchor_ms);
                let (month, day, last, time) = calendar_parts(ms);
                // A series on the 31st lands on every month's last day.
                let day_matches = day == anchor_day || (anchor_last && last && anchor_day >= 28);
                let offset = month - anchor_month;
                (time == anchor_time && day_matches && offset.rem_euclid(months) == 0)
                    .then_some(offset / months)
            }
            None => {
                let offset = ms - self.anchor_ms;
                (offset.rem_euclid(self.step_ms()) == 0).then_some(offset / self.step_ms())
            }
        }
    }

    /// The timestamp of step `index`, in milliseconds.
    pub fn at(self, index: i64) -> i64 {
        match self.months() {
            Some(months) => {
                let (anchor_month, anchor_day, anchor_last, anchor_time) =
                    calendar_parts(self.anchor_ms);
                let month = anchor_month + index * months;
                let (year, month) = (month.div_euclid(12), month.rem_euclid(12) as u32 + 1);
                let last = days_in_month(year, month);
                let day = if anchor_last && anchor_day >= 28 {
                    last
                } else {
                    anchor_day.min(last)
                };
                days_from_civil(year, month, day) * MS_PER_DAY + anchor_time
            }
            None => self.anchor_ms + index * self.step_ms(),
        }
    }

    /// A timestamp as the time column displays it.
    pub fn display(self, ms: i64) -> String {
        display_time(self.time_type, ms)
    }
}

fn display_time(time_type: ColumnType, ms: i64) -> String {
    if time_type == ColumnType::Date {
        format_date(ms.div_euclid(MS_PER_DAY))
    } else {
        format_datetime(ms)
    }
}

/// (year, month, day, day of week with Monday 0, day of year from 0, hour) of a timestamp.
pub fn calendar_of(ms: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = ms.div_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = (days + 3).rem_euclid(7) as u32;
    let day_of_year = (days - days_from_civil(year, 1, 1)) as u32;
    let hour = (ms.rem_euclid(MS_PER_DAY) / MS_PER_HOUR) as u32;
    (year, month, day, weekday, day_of_year, hour)
}

/// One regular series: a value (and each covariate's) at every step from the grid's anchor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub item: Option<String>,
    pub grid: Grid,
    pub values: Vec<f64>,
    /// One vector per covariate, one value per step (NaN when unknown).
    pub covariates: Vec<Vec<f64>>,
}

impl Series {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The timestamp of step `index` (0: the first of the history), in milliseconds.
    pub fn timestamp(&self, index: usize) -> i64 {
        self.grid.at(index as i64)
    }
}

/// The frame's series and what preparing them got past.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    pub series: Vec<Series>,
    pub warnings: Vec<ForecastWarning>,
}

/// A column's rows as milliseconds since 1970-01-01 (`None` when missing).
fn time_values(column: &Column) -> Result<Vec<Option<i64>>, ForecastError> {
    let array = column.array();
    let get = |row: usize| -> Option<i64> {
        if array.is_null(row) {
            return None;
        }
        Some(match column.column_type() {
            ColumnType::Date => {
                i64::from(array.as_primitive::<Date32Type>().value(row)) * MS_PER_DAY
            }
            _ => array.as_primitive::<TimestampMillisecondType>().value(row),
        })
    };
    match column.column_type() {
        ColumnType::Date | ColumnType::Datetime => Ok((0..column.len()).map(get).collect()),
        other => Err(ForecastError::NotATimeColumn {
            column: column.name().to_string(),
            found: other.label(),
        }),
    }
}

/// A numeric column's rows (NaN when missing).
pub(crate) fn numeric_values(
    column: &Column,
    role: &'static str,
) -> Result<Vec<f64>, ForecastError> {
    let array = column.array();
    let values = match column.column_type() {
        ColumnType::Integer => {
            let ints = array.as_primitive::<Int64Type>();
            (0..column.len())
                .map(|row| {
                    if array.is_null(row) {
                        f64::NAN
                    } else {
                        ints.value(row) as f64
                    }
                })
                .collect()
        }
        ColumnType::Float => {
            let floats = array.as_primitive::<Float64Type>();
            (0..column.len())
                .map(|row| {
                    if array.is_null(row) {
                        f64::NAN
                    } else {
                        floats.value(row)
                    }
                })
                .collect()
        }
        other => {
            return Err(ForecastError::NotNumeric {
                column: column.name().to_string(),
                role,
                found: other.label(),
            })
        }
    };
    Ok(values)
}

fn column<'a>(frame: &'a Frame, name: &str) -> Result<&'a Column, ForecastError> {
    frame
        .column(name)
        .ok_or_else(|| ForecastError::ColumnNotFound {
            column: name.to_string(),
        })
}

/// Each item's id (`None` for a single series) and its rows.
type Groups = Vec<(Option<String>, Vec<usize>)>;

/// Rows grouped by item id, items in the order they first appear.
fn group_rows(frame: &Frame, item_column: Option<&str>) -> Result<Groups, ForecastError> {
    let Some(name) = item_column else {
        return Ok(vec![(None, (0..frame.n_rows()).collect())]);
    };
    let column = column(frame, name)?;
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Groups = Vec::new();
    for row in 0..frame.n_rows() {
        let item = column.display_value(row).unwrap_or_default();
        let group = *index.entry(item.clone()).or_insert_with(|| {
            groups.push((Some(item), Vec::new()));
            groups.len() - 1
        });
        groups[group].1.push(row);
    }
    Ok(groups)
}

/// Describes a spacing in milliseconds as a person would: "2 days", "90 minutes".
fn describe_ms(ms: i64) -> String {
    let units = [
        (MS_PER_DAY, "day"),
        (MS_PER_HOUR, "hour"),
        (60_000, "minute"),
        (1000, "second"),
        (1, "millisecond"),
    ];
    let (size, unit) = units
        .into_iter()
        .find(|(size, _)| ms % size == 0)
        .expect("every spacing is a whole number of milliseconds");
    let n = ms / size;
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// The frequency of sorted, distinct timestamps: the coarsest grid every timestamp is on
/// with some neighbours one step apart. A series with nearly every timestamp on a grid
/// but a few off is refused naming the first stray row.
pub fn detect_grid(
    item: &Option<String>,
    times: &[(i64, usize)],
    time_type: ColumnType,
) -> Result<Grid, ForecastError> {
    let anchor_ms = times[0].0;
    let candidates = [
        Frequency::Yearly,
        Frequency::Quarterly,
        Frequency::Monthly,
        Frequency::Weekly,
        Frequency::Daily,
        Frequency::Hourly,
    ];
    let mut near: Option<(Grid, usize, f64)> = None;
    for frequency in candidates {
        let grid = Grid {
            frequency,
            anchor_ms,
            time_type,
        };
        let indexes: Vec<Option<i64>> = times.iter().map(|&(ms, _)| grid.index(ms)).collect();
        let on: Vec<i64> = indexes.iter().flatten().copied().collect();
        let one_step = on.windows(2).any(|pair| pair[1] - pair[0] == 1);
        if on.len() == times.len() && one_step {
            return Ok(grid);
        }
        let share = on.len() as f64 / times.len() as f64;
        if one_step && share >= 0.9 && near.is_none_or(|(_, _, best)| share > best) {
            let stray = indexes
                .iter()
                .position(Option::is_none)
                .expect("some timestamp is off the grid");
            near = Some((grid, stray, share));
        }
    }
    if let Some((grid, stray, _)) = near {
        let (ms, row) = times[stray];
        return Err(ForecastError::OffGrid {
            item: item.clone(),
            timestamp: grid.display(ms),
            row,
            frequency: grid.frequency,
        });
    }
    let mut spacings: HashMap<i64, usize> = HashMap::new();
    for pair in times.windows(2) {
        *spacings.entry(pair[1].0 - pair[0].0).or_default() += 1;
    }
    let (&common, _) = spacings
        .iter()
        .max_by_key(|&(&spacing, &count)| (count, std::cmp::Reverse(spacing)))
        .expect("at least two timestamps");
    Err(ForecastError::IrregularSpacing {
        item: item.clone(),
        reason: format!("the most common spacing is {}", describe_ms(common)),
    })
}

/// Fills the NaN runs of `values` linearly between their neighbours (constant before the
/// first and after the last known value); returns how many were filled.
pub fn interpolate(values: &mut [f64]) -> usize {
    let known: Vec<usize> = (0..values.len())
        .filter(|&i| values[i].is_finite())
        .collect();
    let (Some(&first), Some(&last)) = (known.first(), known.last()) else {
        return 0;
    };
    let mut filled = 0;
    for i in 0..first {
        values[i] = values[first];
        filled += 1;
    }
    for i in last + 1..values.len() {
        values[i] = values[last];
        filled += 1;
    }
    for pair in known.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        for i in a + 1..b {
            let t = (i - a) as f64 / (b - a) as f64;
            values[i] = values[a] + t * (values[b] - values[a]);
            filled += 1;
        }
    }
    filled
}

/// The series of `frame`: one per item, on its detected grid, gaps and missing targets
/// filled when few (see [`ForecastOptions::max_gap_fraction`]).
pub fn prepare(frame: &Frame, options: &ForecastOptions) -> Result<Prepared, ForecastError> {
    options.check()?;
    let time_column = column(frame, &options.time_column)?;
    let times = time_values(time_column)?;
    let target = numeric_values(column(frame, &options.target)?, "the target")?;
    let covariates: Vec<Vec<f64>> = options
        .covariates
        .iter()
        .map(|name| numeric_values(column(frame, name)?, "a covariate"))
        .collect::<Result<_, _>>()?;
    let time_type = time_column.column_type();
    let mut series = Vec::new();
    let mut warnings = Vec::new();
    for (item, rows) in group_rows(frame, options.item_column.as_deref())? {
        let mut timed: Vec<(i64, usize)> = Vec::with_capacity(rows.len());
        for &row in &rows {
            match times[row] {
                Some(ms) => timed.push((ms, row)),
                None => {
                    return Err(ForecastError::MissingTimestamp {
                        item,
                        column: options.time_column.clone(),
                        row,
                    })
                }
            }
        }
        timed.sort_unstable();
        if let Some(pair) = timed.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(ForecastError::DuplicateTimestamp {
                item,
                timestamp: display_time(time_type, pair[0].0),
                first_row: pair[0].1,
                second_row: pair[1].1,
            });
        }
        let n_known = timed
            .iter()
            .filter(|&&(_, row)| target[row].is_finite())
            .count();
        if n_known < MIN_POINTS {
            return Err(ForecastError::TooFewPoints {
                item,
                n_points: n_known,
                needed: MIN_POINTS,
            });
        }
        let grid = detect_grid(&item, &timed, time_type)?;
        let steps: Vec<usize> = timed
            .iter()
            .map(|&(ms, _)| grid.index(ms).expect("every timestamp is on the grid") as usize)
            .collect();
        let n_steps = steps[steps.len() - 1] + 1;
        let missing_steps = n_steps - steps.len();
        if missing_steps > 0 {
            let (longest, after) = steps
                .windows(2)
                .enumerate()
                .map(|(i, pair)| (pair[1] - pair[0] - 1, i))
                .max_by_key(|&(gap, i)| (gap, std::cmp::Reverse(i)))
                .expect("a gap between two steps");
            let first_gap = steps
                .windows(2)
                .position(|pair| pair[1] - pair[0] > 1)
                .expect("a gap between two steps");
            if missing_steps as f64 > options.max_gap_fraction * n_steps as f64 {
                return Err(ForecastError::TooManyGaps {
                    item,
                    frequency: grid.frequency,
                    missing_steps,
                    n_steps,
                    longest,
                    after: grid.display(timed[after].0),
                    max_fraction: options.max_gap_fraction,
                });
            }
            warnings.push(ForecastWarning::GapsFilled {
                item: item.clone(),
                missing_steps,
                n_gaps: steps
                    .windows(2)
                    .filter(|pair| pair[1] - pair[0] > 1)
                    .count(),
                first_after: grid.display(timed[first_gap].0),
            });
        }
        let mut values = vec![f64::NAN; n_steps];
        let mut series_covariates = vec![vec![f64::NAN; n_steps]; covariates.len()];
        for (&step, &(_, row)) in steps.iter().zip(&timed) {
            values[step] = target[row];
            for (column, values) in covariates.iter().zip(&mut series_covariates) {
                values[step] = column[row];
            }
        }
        let unknown: Vec<usize> = timed
            .iter()
            .filter(|&&(_, row)| !target[row].is_finite())
            .map(|&(_, row)| row)
            .collect();
        if let Some(&first_row) = unknown.iter().min() {
            warnings.push(ForecastWarning::MissingTargetFilled {
                item: item.clone(),
                count: unknown.len(),
                first_row,
            });
        }
        interpolate(&mut values);
        for values in &mut series_covariates {
            interpolate(values);
        }
        series.push(Series {
            item,
            grid,
            values,
            covariates: series_covariates,
        });
    }
    Ok(Prepared { series, warnings })
}

/// The future rows of one item: each row's step after the history's last (1 is the next
/// step) and the covariates per step ahead (NaN where no row gives them).
#[derive(Clone, Debug, PartialEq)]
pub struct Future {
    pub rows: Vec<(usize, usize)>,
    pub horizon: usize,
    pub covariates: Vec<Vec<f64>>,
}

/// Places the rows of `frame` after the histories of `series` (by item), refusing rows
/// off their item's grid or not after its history.
pub fn place_future(
    frame: &Frame,
    options: &ForecastOptions,
    series: &[Series],
) -> Result<Vec<Future>, ForecastError> {
    let times = time_values(column(frame, &options.time_column)?)?;
    let covariates: Vec<Vec<f64>> = options
        .covariates
        .iter()
        .map(|name| numeric_values(column(frame, name)?, "a covariate"))
        .collect::<Result<_, _>>()?;
    let mut futures: Vec<Future> = series
        .iter()
        .map(|_| Future {
            rows: Vec::new(),
            horizon: 0,
            covariates: Vec::new(),
        })
        .collect();
    for (item, rows) in group_rows(frame, options.item_column.as_deref())? {
        let index = series
            .iter()
            .position(|series| series.item == item)
            .ok_or_else(|| ForecastError::UnknownItem {
                item: item.clone().unwrap_or_default(),
            })?;
        let history = &series[index];
        let last = history.len() as i64 - 1;
        let future = &mut futures[index];
        for row in rows {
            let ms = times[row].ok_or_else(|| ForecastError::MissingTimestamp {
                item: item.clone(),
                column: options.time_column.clone(),
                row,
            })?;
            let step = history
                .grid
                .index(ms)
                .ok_or_else(|| ForecastError::OffGrid {
                    item: item.clone(),
                    timestamp: history.grid.display(ms),
                    row,
                    frequency: history.grid.frequency,
                })?;
            if step <= last {
                return Err(ForecastError::FutureNotAfterHistory {
                    item: item.clone(),
                    timestamp: history.grid.display(ms),
                    row,
                    last: history.grid.display(history.grid.at(last)),
                });
            }
            future.rows.push((row, (step - last) as usize));
        }
        future.horizon = future.rows.iter().map(|&(_, step)| step).max().unwrap_or(0);
        future.covariates = vec![vec![f64::NAN; future.horizon]; covariates.len()];
        for &(row, step) in &future.rows {
            for (column, values) in covariates.iter().zip(&mut future.covariates) {
                values[step - 1] = column[row];
            }
        }
    }
    Ok(futures)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: i64, month: u32, day: u32) -> i64 {
        days_from_civil(year, month, day) * MS_PER_DAY
    }

    fn detect(times: &[i64]) -> Result<Grid, ForecastError> {
        let timed: Vec<(i64, usize)> = times.iter().copied().zip(0..).collect();
        detect_grid(&None, &timed, ColumnType::Date)
    }

    #[test]
    fn detects_calendar_and_fixed_frequencies() {
        let monthly: Vec<i64> = (1..=12).map(|m| day(2020, m, 1)).collect();
        assert_eq!(detect(&monthly).unwrap().frequency, Frequency::Monthly);
        let month_ends: Vec<i64> = (1..=12)
            .map(|m| day(2021, m, days_in_month(2021, m)))
            .collect();
        let grid = detect(&month_ends).unwrap();
        assert_eq!(grid.frequency, Frequency::Monthly);
        assert_eq!(grid.at(1), day(2021, 2, 28));
        assert_eq!(grid.at(13), day(2022, 2, 28));
        let yearly: Vec<i64> = (2000..2010).map(|y| day(y, 7, 1)).collect();
        assert_eq!(detect(&yearly).unwrap().frequency, Frequency::Yearly);
        let quarterly: Vec<i64> = (0..8)
            .map(|q| day(2000 + q / 4, (q % 4) as u32 * 3 + 1, 1))
            .collect();
        assert_eq!(detect(&quarterly).unwrap().frequency, Frequency::Quarterly);
        let daily: Vec<i64> = (0..30).map(|d| day(2020, 1, 1) + d * MS_PER_DAY).collect();
        assert_eq!(detect(&daily).unwrap().frequency, Frequency::Daily);
        let weekly: Vec<i64> = (0..30)
            .map(|w| day(2020, 1, 6) + 7 * w * MS_PER_DAY)
            .collect();
        assert_eq!(detect(&weekly).unwrap().frequency, Frequency::Weekly);
        let hourly: Vec<i64> = (0..50).map(|h| day(2020, 1, 1) + h * MS_PER_HOUR).collect();
        assert_eq!(detect(&hourly).unwrap().frequency, Frequency::Hourly);
    }

    #[test]
    fn a_stray_timestamp_is_named_and_odd_spacing_described() {
        let mut daily: Vec<i64> = (0..30).map(|d| day(2020, 1, 1) + d * MS_PER_DAY).collect();
        daily[10] += 12 * MS_PER_HOUR;
        let message = detect(&daily).unwrap_err().to_string();
        assert!(message.contains("row 11"), "{message}");
        assert!(message.contains("daily"), "{message}");
        let every_other: Vec<i64> = (0..30)
            .map(|d| day(2020, 1, 1) + 2 * d * MS_PER_DAY)
            .collect();
        let message = detect(&every_other).unwrap_err().to_string();
        assert!(message.contains("2 days"), "{message}");
    }

    #[test]
    fn interpolates_runs_linearly_and_ends_flat() {
        let mut values = vec![f64::NAN, 1.0, f64::NAN, f64::NAN, 4.0, f64::NAN];
        assert_eq!(interpolate(&mut values), 4);
        assert_eq!(values, vec![1.0, 1.0, 2.0, 3.0, 4.0, 4.0]);
    }

    #[test]
    fn calendar_of_knows_weekdays() {
        // 2024-01-01 was a Monday.
        let (_, _, _, weekday, day_of_year, _) = calendar_of(day(2024, 1, 1));
        assert_eq!((weekday, day_of_year), (0, 0));
        let (_, _, _, weekday, day_of_year, _) = calendar_of(day(2024, 12, 31));
        assert_eq!((weekday, day_of_year), (1, 365));
    }
}

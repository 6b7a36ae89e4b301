//! Gradient boosting for forecasting: `HistGradientBoostingRegressor` on lag, rolling-mean, calendar and covariate features, each value predicted relative to the mean of the last season and the forecast made one step at a time on its own predictions.

use serde::{Deserialize, Serialize};

use super::series::{calendar_of, Grid};
use super::{ForecastError, Frequency};
use crate::ml::gbdt::{self, GbdtModel};
use crate::ml::{Control, DesignMatrix, GbdtParams, Task, TrainSet};

/// Fewer training rows than this (after the longest lag) are refused.
const MIN_TRAIN_ROWS: usize = 20;

/// A fitted boosted forecaster and the feature layout it was trained on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoostedForecaster {
    pub season_length: usize,
    /// Values are taken relative to the mean of this many previous values.
    pub window: usize,
    pub lags: Vec<usize>,
    pub frequency: Frequency,
    pub n_covariates: usize,
    pub model: GbdtModel,
}

/// The lags, base window and earliest usable step for a series of `n` points.
fn layout(season_length: usize, frequency: Frequency, n: usize) -> (Vec<usize>, usize) {
    let m = season_length.max(1);
    let window = if m > 1 { m } else { 3 };
    let mut lags: Vec<usize> = (1..=m.max(3)).collect();
    if m > 1 {
        lags.push(2 * m);
    }
    // A year ago on the same weekday, when a daily history holds a few years.
    if frequency == Frequency::Daily && n > 3 * 364 {
        lags.push(364);
    }
    (lags, window)
}

fn calendar_features(frequency: Frequency, ms: i64) -> Vec<f64> {
    let (_, month, _, weekday, day_of_year, hour) = calendar_of(ms);
    match frequency {
        Frequency::Hourly => vec![f64::from(hour), f64::from(weekday)],
        Frequency::Daily => vec![f64::from(weekday), f64::from(day_of_year), f64::from(month)],
        Frequency::Weekly => vec![f64::from(day_of_year / 7)],
        Frequency::Monthly | Frequency::Quarterly => vec![f64::from(month)],
        Frequency::Yearly => Vec::new(),
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The features of step `t` from `values[..t]` (history, then predictions) and the base
/// the target is taken relative to.
fn features_at(
    values: &[f64],
    t: usize,
    lags: &[usize],
    window: usize,
    calendar: Vec<f64>,
    covariates: impl Iterator<Item = f64>,
) -> (Vec<f64>, f64) {
    let base = mean(&values[t - window..t]);
    let mut row: Vec<f64> = lags.iter().map(|&lag| values[t - lag] - base).collect();
    row.push(base);
    let earlier = if t >= 2 * window {
        base - mean(&values[t - 2 * window..t - window])
    } else {
        f64::NAN
    };
    row.push(earlier);
    row.extend(calendar);
    row.extend(covariates);
    (row, base)
}

fn first_step(lags: &[usize], window: usize) -> usize {
    lags.iter().copied().max().unwrap_or(1).max(window)
}

fn to_matrix(rows: &[Vec<f64>]) -> Result<DesignMatrix, ForecastError> {
    let n_features = rows.first().map_or(0, Vec::len);
    let columns: Vec<Vec<f64>> = (0..n_features)
        .map(|j| rows.iter().map(|row| row[j]).collect())
        .collect();
    DesignMatrix::numeric(rows.len(), columns).map_err(ForecastError::Ml)
}

impl BoostedForecaster {
    /// Fits on `values` (and `covariates`, one vector per covariate, aligned with them) on
    /// `grid`; refuses a history too short for its lags.
    pub fn fit(
        values: &[f64],
        covariates: &[Vec<f64>],
        grid: Grid,
        season_length: usize,
        seed: u64,
    ) -> Result<BoostedForecaster, ForecastError> {
        let label = super::ForecastMethod::GradientBoosting { season_length }.label();
        let (lags, window) = layout(season_length, grid.frequency, values.len());
        let start = first_step(&lags, window);
        if values.len() < start + MIN_TRAIN_ROWS {
            return Err(ForecastError::CannotFit {
                method: label,
                reason: format!(
                    "{} points, it needs at least {} (its longest lag and {MIN_TRAIN_ROWS} rows)",
                    values.len(),
                    start + MIN_TRAIN_ROWS
                ),
            });
        }
        let mut rows = Vec::with_capacity(values.len() - start);
        let mut y = Vec::with_capacity(values.len() - start);
        for t in start..values.len() {
            let (row, base) = features_at(
                values,
                t,
                &lags,
                window,
                calendar_features(grid.frequency, grid.at(t as i64)),
                covariates.iter().map(|column| column[t]),
            );
            rows.push(row);
            y.push(values[t] - base);
        }
        let n_rows = rows.len();
        let train = TrainSet::from_matrix(to_matrix(&rows)?, y, Task::Regression, Vec::new())
            .map_err(ForecastError::Ml)?;
        let params = GbdtParams {
            min_samples_leaf: if n_rows < 1000 { 5 } else { 20 },
            max_iter: 200,
            learning_rate: 0.05,
            ..GbdtParams::default()
        };
        let model = gbdt::fit(&train, &params, seed, &mut |_| Control::Continue)
            .map_err(ForecastError::Ml)?;
        Ok(BoostedForecaster {
            season_length,
            window,
            lags,
            frequency: grid.frequency,
            n_covariates: covariates.len(),
            model,
        })
    }

    /// The next `horizon` values after `history` (on `grid`, step 0 its first value), each
    /// step fed back as the next one's lag; `future_covariates` one vector per covariate,
    /// one value per step ahead.
    pub fn forecast(
        &self,
        history: &[f64],
        grid: Grid,
        horizon: usize,
        future_covariates: &[Vec<f64>],
    ) -> Result<Vec<f64>, ForecastError> {
        let mut values = history.to_vec();
        let n = history.len();
        for k in 0..horizon {
            let t = n + k;
            let (row, base) = features_at(
                &values,
                t,
                &self.lags,
                self.window,
                calendar_features(self.frequency, grid.at(t as i64)),
                (0..self.n_covariates).map(|j| {
                    future_covariates
                        .get(j)
                        .and_then(|c| c.get(k))
                        .copied()
                        .unwrap_or(f64::NAN)
                }),
            );
            let prediction = self
                .model
                .predict(&to_matrix(&[row])?)
                .map_err(ForecastError::Ml)?[0];
            values.push(base + prediction);
        }
        Ok(values.split_off(n))
    }
}

/// The longest calendar cycle of a frequency: a year of days, weeks, months or quarters, a
/// week of hours. Yearly series have none.
pub fn long_period(frequency: Frequency) -> Option<usize> {
    match frequency {
        Frequency::Hourly => Some(168),
        Frequency::Daily => Some(365),
        Frequency::Weekly => Some(52),
        Frequency::Monthly => Some(12),
        Frequency::Quarterly => Some(4),
        Frequency::Yearly => None,
    }
}

/// Boosting on calendar features over a trend, a decomposition forecast: the trend is a
/// centred moving average over the longest calendar cycle, carried forward along its slope
/// over the last cycle; what is left (the ratio to the trend for a positive series, else
/// the difference) is learned from calendar features and covariates alone, so a long
/// horizon does not feed on its own predictions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarBoosted {
    pub period: usize,
    pub frequency: Frequency,
    pub multiplicative: bool,
    /// The last value of the centred trend, at step `trend_end` of the history.
    pub trend_last: f64,
    pub trend_end: usize,
    /// Trend change per step over the last cycle.
    pub slope: f64,
    pub n_covariates: usize,
    pub model: GbdtModel,
}

impl CalendarBoosted {
    /// The fewest points this method fits on, for a cycle of `period`.
    pub fn min_points(period: usize) -> usize {
        3 * period + MIN_TRAIN_ROWS
    }

    pub fn fit(
        values: &[f64],
        covariates: &[Vec<f64>],
        grid: Grid,
        seed: u64,
    ) -> Result<CalendarBoosted, ForecastError> {
        let label = super::ForecastMethod::CalendarBoosting.label();
        let cannot = |reason: String| ForecastError::CannotFit {
            method: label.clone(),
            reason,
        };
        let Some(period) = long_period(grid.frequency) else {
            return Err(cannot(
                "a yearly series has no calendar features".to_string(),
            ));
        };
        let n = values.len();
        if n < Self::min_points(period) {
            return Err(cannot(format!(
                "{n} points, it needs at least {} (three cycles of {period})",
                Self::min_points(period)
            )));
        }
        let half = period / 2;
        // trend[t] for t in half..n-(period-half): the mean of values[t-half..t-half+period].
        let mut trend = vec![f64::NAN; n];
        let mut sum: f64 = values[..period].iter().sum();
        for t in half..=n - period + half {
            if t > half {
                sum += values[t - half + period - 1] - values[t - half - 1];
            }
            trend[t] = sum / period as f64;
        }
        let trend_end = n - period + half;
        let multiplicative = values.iter().all(|&v| v > 0.0);
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for t in half..=trend_end {
            let mut row = calendar_features(grid.frequency, grid.at(t as i64));
            row.extend(covariates.iter().map(|column| column[t]));
            rows.push(row);
            y.push(if multiplicative {
                values[t] / trend[t] - 1.0
            } else {
                values[t] - trend[t]
            });
        }
        let slope = (trend[trend_end] - trend[trend_end - period]) / period as f64;
        let train = TrainSet::from_matrix(to_matrix(&rows)?, y, Task::Regression, Vec::new())
            .map_err(ForecastError::Ml)?;
        let params = GbdtParams {
            min_samples_leaf: if rows.len() < 1000 { 5 } else { 20 },
            max_iter: 200,
            learning_rate: 0.05,
            ..GbdtParams::default()
        };
        let model = gbdt::fit(&train, &params, seed, &mut |_| Control::Continue)
            .map_err(ForecastError::Ml)?;
        Ok(CalendarBoosted {
            period,
            frequency: grid.frequency,
            multiplicative,
            trend_last: trend[trend_end],
            trend_end,
            slope,
            n_covariates: covariates.len(),
            model,
        })
    }

    /// The next `horizon` values after a history of `n` points on `grid`.
    pub fn forecast(
        &self,
        n: usize,
        grid: Grid,
        horizon: usize,
        future_covariates: &[Vec<f64>],
    ) -> Result<Vec<f64>, ForecastError> {
        let rows: Vec<Vec<f64>> = (0..horizon)
            .map(|k| {
                let mut row = calendar_features(self.frequency, grid.at((n + k) as i64));
                row.extend((0..self.n_covariates).map(|j| {
                    future_covariates
                        .get(j)
                        .and_then(|c| c.get(k))
                        .copied()
                        .unwrap_or(f64::NAN)
                }));
                row
            })
            .collect();
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let effects = self
            .model
            .predict(&to_matrix(&rows)?)
            .map_err(ForecastError::Ml)?;
        Ok(effects
            .iter()
            .enumerate()
            .map(|(k, effect)| {
                let trend = self.trend_last + self.slope * (n + k - self.trend_end) as f64;
                if self.multiplicative {
                    trend * (1.0 + effect)
                } else {
                    trend + effect
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::calendar::{days_from_civil, MS_PER_DAY};
    use crate::schema::ColumnType;

    #[test]
    fn follows_a_seasonal_pattern_with_a_covariate() {
        let grid = Grid {
            frequency: Frequency::Daily,
            anchor_ms: days_from_civil(2024, 1, 1) * MS_PER_DAY,
            time_type: ColumnType::Date,
        };
        let pattern = [10.0, 12.0, 11.0, 13.0, 15.0, 30.0, 28.0];
        let promo: Vec<f64> = (0..260).map(|t| f64::from(t % 11 == 0)).collect();
        let y: Vec<f64> = (0..260).map(|t| pattern[t % 7] + 20.0 * promo[t]).collect();
        let model =
            BoostedForecaster::fit(&y[..240], &[promo[..240].to_vec()], grid, 7, 0).unwrap();
        let forecast = model
            .forecast(&y[..240], grid, 20, &[promo[240..].to_vec()])
            .unwrap();
        let mae: f64 = forecast
            .iter()
            .zip(&y[240..])
            .map(|(f, a)| (f - a).abs())
            .sum::<f64>()
            / 20.0;
        assert!(mae < 3.0, "mae {mae}: {forecast:?}");
        let short = BoostedForecaster::fit(&y[..20], &[], grid, 7, 0).unwrap_err();
        assert!(short.to_string().contains("20 points"), "{short}");
    }
}

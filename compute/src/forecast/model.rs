//! The forecasting fit: season length detected per series, candidates ranked by a rolling-origin backtest, the best refitted on the whole history, its intervals from the backtest's errors, and the fitted [`ForecastModel`] that forecasts future rows.

use serde::{Deserialize, Serialize};

use super::boost::{long_period, BoostedForecaster, CalendarBoosted};
use super::ets::{self, HoltWinters};
use super::metrics::{forecast_metrics, mase_scale};
use super::series::{numeric_values, place_future, prepare, Series};
use super::{
    Component, ForecastError, ForecastMethod, ForecastMetrics, ForecastOptions, ForecastPoint,
    ForecastReport, ForecastWarning, Frequency, HistoryPoint, HoltWintersSpec, ItemReport,
    LeaderboardRow, HISTORY_SHOWN,
};
use crate::frame::Frame;
use crate::ml::{Control, Progress};

/// A candidate's fitted state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fitted {
    Naive { last: f64 },
    SeasonalNaive { last_season: Vec<f64> },
    HoltWinters(HoltWinters),
    GradientBoosting(Box<BoostedForecaster>),
    CalendarBoosting(Box<CalendarBoosted>),
}

/// The interval half of a model: per step ahead, the offsets of P10 and P90 from the
/// forecast (relative to it when `relative`, as for a positive series whose errors grow
/// with its level).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub relative: bool,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

impl Interval {
    fn band(&self, k: usize, point: f64) -> (f64, f64) {
        if self.lower.is_empty() {
            return (point, point);
        }
        // Beyond the backtest horizon the last step's spread is kept.
        let k = k.min(self.lower.len() - 1);
        let (lower, upper) = if self.relative {
            (point * (1.0 + self.lower[k]), point * (1.0 + self.upper[k]))
        } else {
            (point + self.lower[k], point + self.upper[k])
        };
        (lower.min(point), upper.max(point))
    }
}

/// One series' fitted model: its history, the chosen method, fitted state and interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemModel {
    pub series: Series,
    pub season_length: usize,
    pub method: ForecastMethod,
    pub fitted: Fitted,
    pub interval: Interval,
}

/// Everything forecasting new rows needs, per item; stored as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastModel {
    pub options: ForecastOptions,
    pub items: Vec<ItemModel>,
}

/// A fitted model and its report.
#[derive(Clone, Debug, PartialEq)]
pub struct ForecastFit {
    pub model: ForecastModel,
    pub report: ForecastReport,
}

/// How far to forecast: a number of steps for every series, or the rows of a future frame
/// (each item's horizon is then its furthest row).
#[derive(Clone, Copy, Debug)]
pub enum Horizon<'a> {
    Steps(usize),
    Future(&'a Frame),
}

/// One future row's forecast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowForecast {
    pub row: usize,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// The first lags of the autocorrelation of the first differences at the season length
/// must reach this (or the 95% white-noise bound, if larger) to confirm a season.
const MIN_SEASONAL_ACF: f64 = 0.1;

/// The autocorrelation of `values` at `lag`.
fn autocorrelation(values: &[f64], lag: usize) -> f64 {
    let n = values.len();
    if lag >= n {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let denominator: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    if denominator == 0.0 {
        return 0.0;
    }
    let numerator: f64 = (lag..n)
        .map(|t| (values[t] - mean) * (values[t - lag] - mean))
        .sum();
    numerator / denominator
}

/// The season length of a series: the one asked for (refused when shorter than two seasons),
/// else the first natural period of the frequency that the autocorrelation of the first
/// differences confirms, else 1.
pub fn season_length(
    series: &Series,
    asked: Option<usize>,
    warnings: &mut Vec<ForecastWarning>,
) -> Result<usize, ForecastError> {
    let n = series.len();
    if let Some(m) = asked {
        if m > 1 && n < 2 * m {
            return Err(ForecastError::TooFewForSeason {
                item: series.item.clone(),
                n_points: n,
                season_length: m,
                needed: 2 * m,
            });
        }
        return Ok(m);
    }
    let differences: Vec<f64> = series.values.windows(2).map(|w| w[1] - w[0]).collect();
    let bound = MIN_SEASONAL_ACF.max(1.96 / (differences.len().max(1) as f64).sqrt());
    let periods = series.grid.frequency.natural_periods();
    for (i, &m) in periods.iter().enumerate() {
        if n < 2 * m {
            if i == 0 {
                warnings.push(ForecastWarning::TooShortForSeason {
                    item: series.item.clone(),
                    season_length: m,
                    n_points: n,
                });
            }
            continue;
        }
        if autocorrelation(&differences, m) > bound {
            return Ok(m);
        }
    }
    if let (Some(&m), true) = (
        periods.first(),
        n >= 2 * periods.first().copied().unwrap_or(0),
    ) {
        warnings.push(ForecastWarning::SeasonNotConfirmed {
            item: series.item.clone(),
            season_length: m,
        });
    }
    Ok(1)
}

/// The candidates for a series with season `m` (1: none); multiplicative seasons only for
/// positive series, calendar features only with a `frequency` that has a calendar cycle.
pub fn candidates(m: usize, positive: bool, frequency: Option<Frequency>) -> Vec<ForecastMethod> {
    let hw = |trend: Option<Component>, damped_trend: bool, seasonal: Option<Component>| {
        ForecastMethod::HoltWinters(HoltWintersSpec {
            trend,
            damped_trend,
            seasonal,
            seasonal_periods: if seasonal.is_some() { m } else { 0 },
        })
    };
    let add = Some(Component::Add);
    let mut methods = vec![ForecastMethod::Naive];
    if m > 1 {
        methods.push(ForecastMethod::SeasonalNaive { season_length: m });
        methods.push(hw(add, false, add));
        if positive {
            methods.push(hw(add, false, Some(Component::Mul)));
        }
        methods.push(hw(add, true, add));
        if positive {
            methods.push(hw(add, true, Some(Component::Mul)));
        }
    } else {
        methods.push(hw(None, false, None));
        methods.push(hw(add, false, None));
        methods.push(hw(add, true, None));
    }
    methods.push(ForecastMethod::GradientBoosting { season_length: m });
    if frequency.is_some_and(|frequency| long_period(frequency).is_some()) {
        methods.push(ForecastMethod::CalendarBoosting);
    }
    methods
}

/// The fewest points a method is fitted on.
fn min_points(method: &ForecastMethod, frequency: Frequency) -> usize {
    match method {
        ForecastMethod::Naive => 1,
        ForecastMethod::SeasonalNaive { season_length } => *season_length,
        ForecastMethod::HoltWinters(spec) => ets::min_points(spec),
        // The boosting refuses short histories itself (it knows its lags).
        ForecastMethod::GradientBoosting { season_length } => 2 * (*season_length).max(2) + 20,
        ForecastMethod::CalendarBoosting => {
            CalendarBoosted::min_points(long_period(frequency).unwrap_or(usize::MAX / 4))
        }
    }
}

/// Fits `method` on the first `end` steps of `series`.
fn fit_method(
    method: &ForecastMethod,
    series: &Series,
    end: usize,
    seed: u64,
) -> Result<Fitted, ForecastError> {
    let values = &series.values[..end];
    match method {
        ForecastMethod::Naive => Ok(Fitted::Naive {
            last: values[end - 1],
        }),
        ForecastMethod::SeasonalNaive { season_length } => Ok(Fitted::SeasonalNaive {
            last_season: values[end - season_length..].to_vec(),
        }),
        ForecastMethod::HoltWinters(spec) => {
            HoltWinters::fit(values, spec).map(Fitted::HoltWinters)
        }
        ForecastMethod::GradientBoosting { season_length } => {
            let covariates: Vec<Vec<f64>> = series
                .covariates
                .iter()
                .map(|c| c[..end].to_vec())
                .collect();
            BoostedForecaster::fit(values, &covariates, series.grid, *season_length, seed)
                .map(|model| Fitted::GradientBoosting(Box::new(model)))
        }
        ForecastMethod::CalendarBoosting => {
            let covariates: Vec<Vec<f64>> = series
                .covariates
                .iter()
                .map(|c| c[..end].to_vec())
                .collect();
            CalendarBoosted::fit(values, &covariates, series.grid, seed)
                .map(|model| Fitted::CalendarBoosting(Box::new(model)))
        }
    }
}

/// The `horizon` values after the first `end` steps of `series`; covariates after `end`
/// come from `future_covariates` (per covariate, per step ahead).
fn forecast_fitted(
    fitted: &Fitted,
    series: &Series,
    end: usize,
    horizon: usize,
    future_covariates: &[Vec<f64>],
) -> Result<Vec<f64>, ForecastError> {
    Ok(match fitted {
        Fitted::Naive { last } => vec![*last; horizon],
        Fitted::SeasonalNaive { last_season } => (0..horizon)
            .map(|k| last_season[k % last_season.len()])
            .collect(),
        Fitted::HoltWinters(model) => model.forecast(horizon),
        Fitted::GradientBoosting(model) => model.forecast(
            &series.values[..end],
            series.grid,
            horizon,
            future_covariates,
        )?,
        Fitted::CalendarBoosting(model) => {
            model.forecast(end, series.grid, horizon, future_covariates)?
        }
    })
}

/// The backtest origins for a history of `n` points and a horizon `h`: the last `h` points
/// held out, then earlier cut-offs a share of the horizon apart.
fn origins(n: usize, h: usize, n_origins: usize) -> Vec<usize> {
    let step = h.div_ceil(n_origins).max(1);
    (0..n_origins)
        .filter_map(|j| n.checked_sub(h + j * step))
        .filter(|&origin| origin >= 1)
        .collect()
}

/// One candidate's backtest: metrics pooled over origins and its errors per origin.
struct Backtest {
    row: LeaderboardRow,
    /// Per origin, per step: `actual − forecast` (or relative to the forecast).
    errors: Vec<Vec<f64>>,
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let (below, above) = (position.floor() as usize, position.ceil() as usize);
    sorted[below] + (position - below as f64) * (sorted[above] - sorted[below])
}

/// z of the normal distribution's 90th percentile: P10 and P90 sit this many standard
/// deviations from the forecast.
const Z_90: f64 = 1.281_551_565_544_600_5;

/// The interval per step from the backtest errors: a normal band of `±z₉₀·σ` where σ is
/// the root mean square of every origin's errors at steps within a window around the
/// step (a tenth of the horizon each side, at least one), made non-decreasing along the
/// horizon. With a few origins the empirical 10th and 90th percentiles of so few errors
/// were too narrow (half the values inside on seasonal random walks, see the coverage test
/// in `tests/forecast_models.rs`); the root mean square also counts the bias.
fn interval_from(errors: &[Vec<f64>], horizon: usize, relative: bool) -> Interval {
    let width = (horizon / 10).max(1);
    let mut lower = Vec::with_capacity(horizon);
    let mut upper = Vec::with_capacity(horizon);
    let mut sigma_so_far: f64 = 0.0;
    for k in 0..horizon {
        let from = k.saturating_sub(width);
        let to = (k + width).min(horizon - 1);
        let pool: Vec<f64> = errors
            .iter()
            .flat_map(|origin| origin[from..=to].iter().copied())
            .filter(|e| e.is_finite())
            .collect();
        if pool.is_empty() {
            return Interval {
                relative,
                lower: Vec::new(),
                upper: Vec::new(),
            };
        }
        let sigma = (pool.iter().map(|e| e * e).sum::<f64>() / pool.len() as f64).sqrt();
        sigma_so_far = sigma_so_far.max(sigma);
        lower.push(-Z_90 * sigma_so_far);
        upper.push(Z_90 * sigma_so_far);
    }
    Interval {
        relative,
        lower,
        upper,
    }
}

struct ItemFit {
    model: ItemModel,
    report: ItemReport,
}

#[allow(clippy::too_many_arguments)]
fn fit_item(
    series: Series,
    horizon: usize,
    future_covariates: &[Vec<f64>],
    options: &ForecastOptions,
    warnings: &mut Vec<ForecastWarning>,
    done: &mut usize,
    total: usize,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<ItemFit, ForecastError> {
    let n = series.len();
    if horizon > n {
        return Err(ForecastError::HorizonTooLong {
            item: series.item.clone(),
            horizon,
            n_history: n,
        });
    }
    let m = season_length(&series, options.season_length, warnings)?;
    let positive = series.values.iter().all(|&v| v > 0.0);
    let methods = candidates(m, positive, Some(series.grid.frequency));
    let cuts = origins(n, horizon, options.n_backtest_origins);
    if cuts.len() < options.n_backtest_origins {
        warnings.push(ForecastWarning::FewerOrigins {
            item: series.item.clone(),
            n_origins: cuts.len(),
        });
    }
    let scale = mase_scale(&series.values, m);
    let mut backtests: Vec<Backtest> = Vec::with_capacity(methods.len());
    for method in &methods {
        let usable: Vec<usize> = cuts
            .iter()
            .copied()
            .filter(|&origin| origin >= min_points(method, series.grid.frequency))
            .collect();
        let mut actual = Vec::new();
        let mut predicted = Vec::new();
        let mut errors = Vec::new();
        let mut failure = None;
        for &origin in &usable {
            let future: Vec<Vec<f64>> = series
                .covariates
                .iter()
                .map(|c| c[origin..origin + horizon].to_vec())
                .collect();
            let outcome = fit_method(method, &series, origin, options.seed)
                .and_then(|fitted| forecast_fitted(&fitted, &series, origin, horizon, &future));
            *done += 1;
            if progress(Progress {
                fraction_done: (*done as f64 / total as f64).min(1.0),
                steps_done: *done,
                iteration: None,
            }) == Control::Cancel
            {
                return Err(ForecastError::Cancelled);
            }
            match outcome {
                Ok(forecast) if forecast.iter().all(|v| v.is_finite()) => {
                    let truth = &series.values[origin..origin + horizon];
                    errors.push(
                        truth
                            .iter()
                            .zip(&forecast)
                            .map(|(a, f)| if positive { (a - f) / f } else { a - f })
                            .collect(),
                    );
                    actual.extend_from_slice(truth);
                    predicted.extend(forecast);
                }
                Ok(_) => {
                    failure = Some("the forecast is not finite".to_string());
                    break;
                }
                Err(error @ ForecastError::Cancelled) => return Err(error),
                Err(error) => {
                    failure = Some(error.to_string());
                    break;
                }
            }
        }
        if usable.is_empty() && failure.is_none() {
            failure = Some(format!(
                "the history is too short to backtest it (it needs {} points before a horizon of {horizon})",
                min_points(method, series.grid.frequency)
            ));
        }
        let ok = failure.is_none();
        backtests.push(Backtest {
            row: LeaderboardRow {
                method: method.clone(),
                label: method.label(),
                rank: None,
                backtest: ok.then(|| forecast_metrics(&actual, &predicted, scale)),
                n_origins: if ok { usable.len() } else { 0 },
                failure,
            },
            errors,
        });
    }
    let mut order: Vec<usize> = (0..backtests.len())
        .filter(|&i| backtests[i].row.backtest.is_some())
        .collect();
    order.sort_by(|&a, &b| {
        let mae = |i: usize| backtests[i].row.backtest.map_or(f64::INFINITY, |m| m.mae);
        mae(a).total_cmp(&mae(b)).then(a.cmp(&b))
    });
    for (rank, &i) in order.iter().enumerate() {
        backtests[i].row.rank = Some(rank + 1);
    }
    // Without any backtest (a history barely longer than the horizon) the naive forecast
    // is kept, with a random walk's interval from the one-step changes.
    let (best, interval) = match order.first() {
        Some(&i) => (i, interval_from(&backtests[i].errors, horizon, positive)),
        None => (0, random_walk_interval(&series.values, horizon)),
    };
    let method = methods[best].clone();
    let fitted = fit_method(&method, &series, n, options.seed).map_err(|error| {
        ForecastError::AllCandidatesFailed {
            item: series.item.clone(),
            message: error.to_string(),
        }
    })?;
    let forecast = forecast_fitted(&fitted, &series, n, horizon, future_covariates)?;
    let history_from = n.saturating_sub(HISTORY_SHOWN);
    let report = ItemReport {
        item: series.item.clone(),
        frequency: series.grid.frequency,
        season_length: m,
        n_history: n,
        best: method.clone(),
        best_label: method.label(),
        leaderboard: order
            .iter()
            .map(|&i| backtests[i].row.clone())
            .chain(
                backtests
                    .iter()
                    .filter(|b| b.row.rank.is_none())
                    .map(|b| b.row.clone()),
            )
            .collect(),
        history: (history_from..n)
            .map(|t| HistoryPoint {
                timestamp: series.grid.display(series.timestamp(t)),
                value: series.values[t],
            })
            .collect(),
        forecast: forecast
            .iter()
            .enumerate()
            .map(|(k, &point)| {
                let (p10, p90) = interval.band(k, point);
                ForecastPoint {
                    timestamp: series.grid.display(series.timestamp(n + k)),
                    p10,
                    p50: point,
                    p90,
                }
            })
            .collect(),
    };
    Ok(ItemFit {
        model: ItemModel {
            series,
            season_length: m,
            method,
            fitted,
            interval,
        },
        report,
    })
}

fn random_walk_interval(values: &[f64], horizon: usize) -> Interval {
    let mut changes: Vec<f64> = values.windows(2).map(|w| w[1] - w[0]).collect();
    if changes.is_empty() {
        changes.push(0.0);
    }
    changes.sort_by(f64::total_cmp);
    let (q10, q90) = (quantile(&changes, 0.1), quantile(&changes, 0.9));
    let root = |k: usize| ((k + 1) as f64).sqrt();
    Interval {
        relative: false,
        lower: (0..horizon).map(|k| q10 * root(k)).collect(),
        upper: (0..horizon).map(|k| q90 * root(k)).collect(),
    }
}

/// Prepares the series of `train`, picks and fits a model per series by a rolling-origin
/// backtest over [`candidates`], and forecasts `horizon` steps. `progress` hears about
/// every candidate fitted at a backtest origin and may cancel.
pub fn fit_forecast(
    train: &Frame,
    options: &ForecastOptions,
    horizon: Horizon<'_>,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<ForecastFit, ForecastError> {
    let prepared = prepare(train, options)?;
    let mut warnings = prepared.warnings;
    let n_items = prepared.series.len();
    let horizons: Vec<(usize, Vec<Vec<f64>>)> = match horizon {
        Horizon::Steps(steps) => (0..n_items)
            .map(|_| (steps, vec![vec![f64::NAN; steps]; options.covariates.len()]))
            .collect(),
        Horizon::Future(frame) => place_future(frame, options, &prepared.series)?
            .into_iter()
            .map(|future| (future.horizon, future.covariates))
            .collect(),
    };
    let longest = horizons.iter().map(|(h, _)| *h).max().unwrap_or(0);
    if longest == 0 {
        return Err(ForecastError::NoHorizon);
    }
    let total = n_items * 8 * options.n_backtest_origins;
    let mut done = 0;
    let mut items = Vec::with_capacity(n_items);
    let mut reports = Vec::with_capacity(n_items);
    for (series, (h, future)) in prepared.series.into_iter().zip(horizons) {
        // An item without future rows is still fitted, at the longest horizon.
        let (h, future) = if h == 0 {
            (
                longest,
                vec![vec![f64::NAN; longest]; options.covariates.len()],
            )
        } else {
            (h, future)
        };
        let fit = fit_item(
            series,
            h,
            &future,
            options,
            &mut warnings,
            &mut done,
            total,
            progress,
        )?;
        items.push(fit.model);
        reports.push(fit.report);
    }
    Ok(ForecastFit {
        model: ForecastModel {
            options: options.clone(),
            items,
        },
        report: ForecastReport {
            target: options.target.clone(),
            time_column: options.time_column.clone(),
            item_column: options.item_column.clone(),
            covariates: options.covariates.clone(),
            horizon: longest,
            items: reports,
            warnings,
        },
    })
}

impl ForecastModel {
    /// The forecast for every row of `future` (rows after their item's history, on its
    /// grid), in row order.
    pub fn predict(&self, future: &Frame) -> Result<Vec<RowForecast>, ForecastError> {
        let series: Vec<Series> = self.items.iter().map(|item| item.series.clone()).collect();
        let futures = place_future(future, &self.options, &series)?;
        let mut rows = Vec::with_capacity(future.n_rows());
        for (item, future) in self.items.iter().zip(futures) {
            if future.horizon == 0 {
                continue;
            }
            let n = item.series.len();
            let forecast = forecast_fitted(
                &item.fitted,
                &item.series,
                n,
                future.horizon,
                &future.covariates,
            )?;
            for &(row, step) in &future.rows {
                let point = forecast[step - 1];
                let (p10, p90) = item.interval.band(step - 1, point);
                rows.push(RowForecast {
                    row,
                    p10,
                    p50: point,
                    p90,
                });
            }
        }
        rows.sort_by_key(|forecast| forecast.row);
        Ok(rows)
    }

    /// The forecast errors on `future`'s target values, when it has the target column with
    /// a value in every row: mae, rmse, mape and smape pooled over every row, mase the mean
    /// of the items' (each scaled by its own history). `None` without target values.
    pub fn score(
        &self,
        future: &Frame,
        forecasts: &[RowForecast],
    ) -> Result<Option<ForecastMetrics>, ForecastError> {
        let Some(column) = future.column(&self.options.target) else {
            return Ok(None);
        };
        let actual = numeric_values(column, "the target")?;
        if actual.iter().any(|v| !v.is_finite()) || forecasts.is_empty() {
            return Ok(None);
        }
        let truth: Vec<f64> = forecasts.iter().map(|f| actual[f.row]).collect();
        let points: Vec<f64> = forecasts.iter().map(|f| f.p50).collect();
        let mut metrics = forecast_metrics(&truth, &points, None);
        let series: Vec<Series> = self.items.iter().map(|item| item.series.clone()).collect();
        let futures = place_future(future, &self.options, &series)?;
        let mut mases = Vec::new();
        for (item, future) in self.items.iter().zip(futures) {
            if future.rows.is_empty() {
                continue;
            }
            let rows: Vec<usize> = future.rows.iter().map(|&(row, _)| row).collect();
            let item_truth: Vec<f64> = rows.iter().map(|&row| actual[row]).collect();
            let item_points: Vec<f64> = rows
                .iter()
                .map(|row| {
                    forecasts
                        .iter()
                        .find(|f| f.row == *row)
                        .map_or(f64::NAN, |f| f.p50)
                })
                .collect();
            let scale = mase_scale(&item.series.values, item.season_length);
            if let Some(mase) = forecast_metrics(&item_truth, &item_points, scale).mase {
                mases.push(mase);
            }
        }
        metrics.mase = (!mases.is_empty()).then(|| mases.iter().sum::<f64>() / mases.len() as f64);
        Ok(Some(metrics))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("forecast models always serialize")
    }

    pub fn from_json(json: &str) -> Result<ForecastModel, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// What-if: item `item`'s forecast for `horizon` steps after its history with the
    /// future covariates given (one list per covariate in the options' order, one value per
    /// step; NaN where unknown). Methods that read no covariates forecast as before.
    pub fn forecast_item(
        &self,
        item: usize,
        horizon: usize,
        covariates: &[Vec<f64>],
    ) -> Result<Vec<ForecastPoint>, ForecastError> {
        let Some(model) = self.items.get(item) else {
            return Err(ForecastError::InvalidParameter {
                name: "item",
                reason: format!(
                    "the model has {} series, not {}",
                    self.items.len(),
                    item + 1
                ),
            });
        };
        if covariates.len() != self.options.covariates.len()
            || covariates.iter().any(|values| values.len() != horizon)
        {
            return Err(ForecastError::InvalidParameter {
                name: "covariates",
                reason: format!(
                    "expected {} covariate lists of {horizon} values each",
                    self.options.covariates.len()
                ),
            });
        }
        let n = model.series.len();
        let forecast = forecast_fitted(&model.fitted, &model.series, n, horizon, covariates)?;
        Ok(forecast
            .iter()
            .enumerate()
            .map(|(k, &point)| {
                let (p10, p90) = model.interval.band(k, point);
                ForecastPoint {
                    timestamp: model.series.grid.display(model.series.timestamp(n + k)),
                    p10,
                    p50: point,
                    p90,
                }
            })
            .collect())
    }

    /// The frequency of the first series.
    pub fn frequency(&self) -> Option<Frequency> {
        self.items.first().map(|item| item.series.grid.frequency)
    }
}

/// `frame` with the forecasts beside its rows: `prediction` (the P50), `p10`, `p50`, `p90`
/// (empty for a row without one), as a batch forecast's CSV and the CLI's predictions write.
pub fn with_forecasts(frame: &Frame, forecasts: &[RowForecast]) -> Result<Frame, ForecastError> {
    use crate::frame::Column;
    use crate::schema::ColumnType;

    let mut columns: Vec<Vec<Option<f64>>> = vec![vec![None; frame.n_rows()]; 4];
    for forecast in forecasts {
        let values = [forecast.p50, forecast.p10, forecast.p50, forecast.p90];
        for (column, value) in columns.iter_mut().zip(values) {
            column[forecast.row] = Some(value);
        }
    }
    let mut out: Vec<Column> = frame.columns().to_vec();
    for (name, values) in ["prediction", "p10", "p50", "p90"].into_iter().zip(columns) {
        if frame.column(name).is_some() {
            return Err(ForecastError::OutputColumnExists {
                column: name.to_string(),
            });
        }
        let array = std::sync::Arc::new(arrow_array::Float64Array::from(values));
        out.push(Column::new(name, ColumnType::Float, array).expect("a float array"));
    }
    Ok(Frame::new(out).expect("distinct names, one value per row"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_step_back_from_the_end() {
        assert_eq!(origins(115, 29, 3), vec![86, 76, 66]);
        assert_eq!(origins(10, 9, 3), vec![1]);
        assert_eq!(origins(5, 5, 3), Vec::<usize>::new());
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&sorted, 0.1), 1.4);
        assert_eq!(quantile(&sorted, 0.5), 3.0);
        assert_eq!(quantile(&sorted, 0.9), 4.6);
    }

    #[test]
    fn autocorrelation_sees_a_season() {
        let values: Vec<f64> = (0..120).map(|t| [1.0, 5.0, 2.0, 7.0][t % 4]).collect();
        assert!(autocorrelation(&values, 4) > 0.9);
        assert!(autocorrelation(&values, 3) < 0.0);
    }
}

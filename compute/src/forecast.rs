//! Time-series forecasting like statsmodels' `ExponentialSmoothing` beside naive baselines and gradient boosting on lags: series prepared from a frame (frequency detected, gaps reported), candidates chosen by a rolling-origin backtest, P10/P50/P90 intervals, forecast metrics.
//!
//! The options, method specs, metrics, warnings, errors and the report build without the
//! `engine` feature: the UI edits and shows them. Preparing, fitting and forecasting need
//! `engine`, in the submodules:
//!
//! * `series`: a frame becomes one regular series per item (time column, target, optional
//!   item-id column and numeric covariates), its frequency detected (hourly, daily,
//!   weekly, monthly, quarterly, yearly; months and years by the calendar), duplicate and
//!   off-grid timestamps refused by row, short gaps filled by linear interpolation with a
//!   warning, long ones refused;
//! * `metrics`: mae, rmse, mape, smape and mase (scaled by the in-sample seasonal naive
//!   error, as the shared reference scores are);
//! * `optimize`: a small L-BFGS with finite-difference gradients on an unbounded
//!   reparametrization, for the smoothing parameters and initial states;
//! * `ets`: Holt-Winters / ETS with statsmodels' recursions, heuristic initialization and
//!   bounds (additive or multiplicative seasonality, additive trend, optionally damped);
//! * `boost`: histogram gradient boosting ([`crate::ml::gbdt`]) on lag, rolling-mean,
//!   calendar and covariate features, forecasting recursively one step at a time;
//! * `model`: the candidates, the rolling-origin backtest that ranks them, the residual
//!   quantiles behind the intervals, [`ForecastModel`](model::ForecastModel) and
//!   [`fit_forecast`](model::fit_forecast).
//!
//! Every fit is single-threaded, deterministic (the boosting is seeded) and reports
//! progress through the [`Progress`](crate::ml::Progress) callback, which can cancel it.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[cfg(feature = "engine")]
pub mod boost;
#[cfg(feature = "engine")]
pub mod ets;
#[cfg(feature = "engine")]
pub mod metrics;
#[cfg(feature = "engine")]
pub mod model;
#[cfg(feature = "engine")]
pub mod optimize;
#[cfg(feature = "engine")]
pub mod series;

#[cfg(feature = "engine")]
pub use model::{fit_forecast, with_forecasts, ForecastFit, ForecastModel, Horizon};

/// The spacing of a regular series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Hourly,
    Daily,
    Weekly,
    /// Calendar months, on the same day of the month (or every month's last day).
    Monthly,
    /// Three calendar months.
    Quarterly,
    /// Calendar years.
    Yearly,
}

impl Frequency {
    /// pandas' offset alias.
    pub fn alias(self) -> &'static str {
        match self {
            Frequency::Hourly => "h",
            Frequency::Daily => "D",
            Frequency::Weekly => "W",
            Frequency::Monthly => "MS",
            Frequency::Quarterly => "QS",
            Frequency::Yearly => "YS",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Frequency::Hourly => "hourly",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Yearly => "yearly",
        }
    }

    /// One step in words, for messages: "1 day", "3 months".
    pub fn steps(self, n: u64) -> String {
        let unit = match self {
            Frequency::Hourly => "hour",
            Frequency::Daily => "day",
            Frequency::Weekly => "week",
            Frequency::Monthly => "month",
            Frequency::Quarterly => "quarter",
            Frequency::Yearly => "year",
        };
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    }

    /// The season lengths the calendar suggests, most likely first: a day of hours, a week
    /// of days, a year of weeks, months or quarters. Yearly series have none.
    pub fn natural_periods(self) -> &'static [usize] {
        match self {
            Frequency::Hourly => &[24, 168],
            Frequency::Daily => &[7],
            Frequency::Weekly => &[52],
            Frequency::Monthly => &[12],
            Frequency::Quarterly => &[4],
            Frequency::Yearly => &[],
        }
    }
}

/// How a Holt-Winters component enters the forecast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// statsmodels' `"add"`.
    Add,
    /// statsmodels' `"mul"`.
    Mul,
}

impl Component {
    pub fn name(self) -> &'static str {
        match self {
            Component::Add => "add",
            Component::Mul => "mul",
        }
    }
}

/// A Holt-Winters / ETS specification with statsmodels' `ExponentialSmoothing` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HoltWintersSpec {
    /// `None`: no trend (simple exponential smoothing or seasonal only). Only an additive
    /// trend is offered.
    pub trend: Option<Component>,
    pub damped_trend: bool,
    /// `None`: no seasonality.
    pub seasonal: Option<Component>,
    /// Season length (statsmodels' `seasonal_periods`); 0 without seasonality.
    pub seasonal_periods: usize,
}

/// One candidate forecasting method.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastMethod {
    /// Every future value is the last observed one.
    Naive,
    /// Every future value is the observed one a season earlier.
    SeasonalNaive {
        season_length: usize,
    },
    HoltWinters(HoltWintersSpec),
    /// `HistGradientBoostingRegressor` on lag, rolling-mean, calendar and covariate
    /// features, forecasting one step at a time on its own predictions.
    GradientBoosting {
        season_length: usize,
    },
    /// `HistGradientBoostingRegressor` on calendar features and covariates over a trend
    /// (a centred moving average over the longest calendar cycle, carried along its slope).
    CalendarBoosting,
}

impl ForecastMethod {
    /// Whether the method reads covariates (only the boosting ones do), so a what-if on
    /// future covariates can change its forecast.
    pub fn reads_covariates(&self) -> bool {
        matches!(
            self,
            ForecastMethod::GradientBoosting { .. } | ForecastMethod::CalendarBoosting
        )
    }

    /// The name a leaderboard shows, like the shared reference scores':
    /// `HoltWinters(trend=add,seasonal=mul,m=12)`.
    pub fn label(&self) -> String {
        match self {
            ForecastMethod::Naive => "naive(last value)".to_string(),
            ForecastMethod::SeasonalNaive { season_length } => {
                format!("seasonal_naive(m={season_length})")
            }
            ForecastMethod::HoltWinters(spec) => {
                let mut parts = Vec::new();
                if let Some(trend) = spec.trend {
                    parts.push(format!("trend={}", trend.name()));
                    if spec.damped_trend {
                        parts.push("damped".to_string());
                    }
                }
                if let Some(seasonal) = spec.seasonal {
                    parts.push(format!("seasonal={}", seasonal.name()));
                    parts.push(format!("m={}", spec.seasonal_periods));
                }
                if parts.is_empty() {
                    "SimpleExpSmoothing".to_string()
                } else {
                    format!("HoltWinters({})", parts.join(","))
                }
            }
            ForecastMethod::GradientBoosting { season_length } => {
                format!("HistGradientBoosting(lags, m={season_length})")
            }
            ForecastMethod::CalendarBoosting => "HistGradientBoosting(calendar, trend)".to_string(),
        }
    }
}

/// What to forecast and how. The horizon is not here: it is the number of future steps
/// asked for (the future rows' timestamps, or a count).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastOptions {
    pub time_column: String,
    pub target: String,
    /// A column naming the series each row belongs to; `None`: one series.
    pub item_column: Option<String>,
    /// Numeric columns known in advance for the future rows too; only gradient boosting
    /// uses them.
    pub covariates: Vec<String>,
    /// `None`: detected from the frequency's natural periods, confirmed by autocorrelation.
    pub season_length: Option<usize>,
    /// Rolling-origin backtest folds per candidate.
    pub n_backtest_origins: usize,
    /// At most this share of a series' steps may be missing and filled by interpolation;
    /// more is refused.
    pub max_gap_fraction: f64,
    /// The boosting's seed.
    pub seed: u64,
}

impl ForecastOptions {
    pub fn new(time_column: impl Into<String>, target: impl Into<String>) -> ForecastOptions {
        ForecastOptions {
            time_column: time_column.into(),
            target: target.into(),
            item_column: None,
            covariates: Vec::new(),
            season_length: None,
            n_backtest_origins: 3,
            max_gap_fraction: 0.05,
            seed: 0,
        }
    }

    pub fn check(&self) -> Result<(), ForecastError> {
        if self.n_backtest_origins < 1 {
            return Err(ForecastError::InvalidParameter {
                name: "n_backtest_origins",
                reason: "must be at least 1".to_string(),
            });
        }
        if !(self.max_gap_fraction >= 0.0 && self.max_gap_fraction < 1.0) {
            return Err(ForecastError::InvalidParameter {
                name: "max_gap_fraction",
                reason: format!("must be in [0, 1), got {}", self.max_gap_fraction),
            });
        }
        if self.season_length == Some(0) {
            return Err(ForecastError::InvalidParameter {
                name: "season_length",
                reason: "must be at least 1".to_string(),
            });
        }
        Ok(())
    }
}

/// Forecast errors with the reference scores' names; `mape` and `smape` in percent (as
/// the shared reference scores give them), `mase` scaled by the in-sample mean absolute
/// error of the seasonal naive forecast (lag 1 without a season).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastMetrics {
    pub mae: f64,
    pub rmse: f64,
    /// `None` when every actual value is zero.
    pub mape: Option<f64>,
    pub smape: f64,
    /// `None` when the in-sample scale is zero (a constant history).
    pub mase: Option<f64>,
}

/// One candidate's backtest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeaderboardRow {
    pub method: ForecastMethod,
    pub label: String,
    /// 1 for the chosen one; `None` when it failed.
    pub rank: Option<usize>,
    /// Pooled over every backtest origin; `None` when it failed.
    pub backtest: Option<ForecastMetrics>,
    pub n_origins: usize,
    /// Why it failed, when it did.
    pub failure: Option<String>,
}

/// One forecast step with its interval: P50 is the point forecast, P10 and P90 a normal
/// band around it whose spread is the root mean square of the chosen model's backtest
/// errors at nearby steps ahead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastPoint {
    /// As the time column displays it.
    pub timestamp: String,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// One observed point of the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryPoint {
    pub timestamp: String,
    pub value: f64,
}

/// One series' forecast: what was detected, the leaderboard, the chosen model's forecast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemReport {
    /// The item id; `None` for a single series.
    pub item: Option<String>,
    pub frequency: Frequency,
    /// 1 when no season was found.
    pub season_length: usize,
    pub n_history: usize,
    pub best: ForecastMethod,
    pub best_label: String,
    pub leaderboard: Vec<LeaderboardRow>,
    /// The last points of the history (at most [`HISTORY_SHOWN`]).
    pub history: Vec<HistoryPoint>,
    pub forecast: Vec<ForecastPoint>,
}

/// At most this many history points are kept in a report, enough to draw before the
/// forecast.
pub const HISTORY_SHOWN: usize = 500;

/// What a forecast fit shows a user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastReport {
    pub target: String,
    pub time_column: String,
    pub item_column: Option<String>,
    pub covariates: Vec<String>,
    pub horizon: usize,
    pub items: Vec<ItemReport>,
    pub warnings: Vec<ForecastWarning>,
}

/// Something preparation or fitting got past but the user should know.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastWarning {
    /// Missing steps filled by linear interpolation.
    GapsFilled {
        item: Option<String>,
        missing_steps: usize,
        n_gaps: usize,
        /// The timestamp before the first gap.
        first_after: String,
    },
    /// Rows whose target is missing, filled by linear interpolation.
    MissingTargetFilled {
        item: Option<String>,
        count: usize,
        first_row: usize,
    },
    /// The calendar suggested this season length but the autocorrelation did not confirm
    /// it, so no seasonal model was tried.
    SeasonNotConfirmed {
        item: Option<String>,
        season_length: usize,
    },
    /// Too short for two seasons of the natural period: no seasonal model was tried.
    TooShortForSeason {
        item: Option<String>,
        season_length: usize,
        n_points: usize,
    },
    /// Only this many backtest origins fit in the history (fewer than asked).
    FewerOrigins {
        item: Option<String>,
        n_origins: usize,
    },
}

fn item_prefix(item: &Option<String>) -> String {
    match item {
        Some(item) => format!("item \"{item}\": "),
        None => String::new(),
    }
}

impl fmt::Display for ForecastWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForecastWarning::GapsFilled {
                item,
                missing_steps,
                n_gaps,
                first_after,
            } => write!(
                f,
                "{}{missing_steps} missing timestamps in {n_gaps} gaps (the first after {first_after}) filled by linear interpolation",
                item_prefix(item)
            ),
            ForecastWarning::MissingTargetFilled {
                item,
                count,
                first_row,
            } => write!(
                f,
                "{}{count} rows without a target value (first: row {}) filled by linear interpolation",
                item_prefix(item),
                first_row + 1
            ),
            ForecastWarning::SeasonNotConfirmed {
                item,
                season_length,
            } => write!(
                f,
                "{}no season of {season_length} steps in the autocorrelation; only non-seasonal models were tried",
                item_prefix(item)
            ),
            ForecastWarning::TooShortForSeason {
                item,
                season_length,
                n_points,
            } => write!(
                f,
                "{}{n_points} points are fewer than two seasons of {season_length}; only non-seasonal models were tried",
                item_prefix(item)
            ),
            ForecastWarning::FewerOrigins { item, n_origins } => write!(
                f,
                "{}the history holds only {n_origins} backtest origins",
                item_prefix(item)
            ),
        }
    }
}

/// Everything that stops a series from being prepared or forecast. Rows are 0-based data
/// rows (the first row below the header is 0); messages count from 1, as a user reads a
/// table. `item` is `None` for a single series.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ForecastError {
    #[error("parameter {name} {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    #[error("column \"{column}\" not found")]
    ColumnNotFound { column: String },
    #[error("time column \"{column}\" is {found}; it must hold dates or datetimes")]
    NotATimeColumn { column: String, found: &'static str },
    #[error("column \"{column}\" is {found}; {role} must be numeric")]
    NotNumeric {
        column: String,
        role: &'static str,
        found: &'static str,
    },
    #[error("{}row {} has no timestamp in \"{column}\"", item_prefix(.item), .row + 1)]
    MissingTimestamp {
        item: Option<String>,
        column: String,
        row: usize,
    },
    #[error("{}timestamp {timestamp} appears twice (rows {} and {})", item_prefix(.item), .first_row + 1, .second_row + 1)]
    DuplicateTimestamp {
        item: Option<String>,
        timestamp: String,
        first_row: usize,
        second_row: usize,
    },
    #[error("{}timestamp {timestamp} (row {}) is off the {} grid of the other rows; the spacing is irregular", item_prefix(.item), .row + 1, .frequency.label())]
    OffGrid {
        item: Option<String>,
        timestamp: String,
        row: usize,
        frequency: Frequency,
    },
    #[error("{}timestamps are irregular: {reason}; forecasting needs an hourly, daily, weekly, monthly, quarterly or yearly series", item_prefix(.item))]
    IrregularSpacing {
        item: Option<String>,
        reason: String,
    },
    #[error("{}{missing_steps} of {n_steps} {} steps are missing (the longest gap: {} after {after}); at most {max_percent}% can be filled, give the missing rows", item_prefix(.item), .frequency.label(), .frequency.steps(*.longest as u64), max_percent = .max_fraction * 100.0)]
    TooManyGaps {
        item: Option<String>,
        frequency: Frequency,
        missing_steps: usize,
        n_steps: usize,
        longest: usize,
        after: String,
        max_fraction: f64,
    },
    #[error("{}only {n_points} points with a target value; forecasting needs at least {needed}", item_prefix(.item))]
    TooFewPoints {
        item: Option<String>,
        n_points: usize,
        needed: usize,
    },
    #[error("{}a horizon of {horizon} steps is longer than the history of {n_history} points", item_prefix(.item))]
    HorizonTooLong {
        item: Option<String>,
        horizon: usize,
        n_history: usize,
    },
    #[error("{}{n_points} points are too few for a season of {season_length}: it needs at least {needed} (two seasons)", item_prefix(.item))]
    TooFewForSeason {
        item: Option<String>,
        n_points: usize,
        season_length: usize,
        needed: usize,
    },
    #[error("{}future timestamp {timestamp} (row {}) is not after the history's last, {last}", item_prefix(.item), .row + 1)]
    FutureNotAfterHistory {
        item: Option<String>,
        timestamp: String,
        row: usize,
        last: String,
    },
    #[error("item \"{item}\" of the future rows has no history")]
    UnknownItem { item: String },
    #[error("no future rows to forecast")]
    NoHorizon,
    #[error("{}every candidate failed; the first: {message}", item_prefix(.item))]
    AllCandidatesFailed {
        item: Option<String>,
        message: String,
    },
    #[error("{method} cannot be fitted: {reason}")]
    CannotFit { method: String, reason: String },
    #[error("the future rows already have a column \"{column}\", which the forecast would write")]
    OutputColumnExists { column: String },
    #[error("cancelled")]
    Cancelled,
    #[error(transparent)]
    Ml(crate::ml::MlError),
}

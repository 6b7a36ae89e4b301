//! Holt-Winters / ETS like statsmodels' `ExponentialSmoothing(...).fit()`: its error-correction recursions, heuristic initial states, and the smoothing parameters and initial states fitted together by minimizing the sum of squared one-step errors within its bounds.
//!
//! statsmodels' bounds: `0 ≤ α ≤ 1`, `0 ≤ β ≤ α`, `0 ≤ γ ≤ 1 − α`, `0.8 ≤ φ ≤ 0.995`;
//! multiplicative seasonal states positive. They are reached through logistic maps from an
//! unbounded vector, so [`super::optimize::minimize`] needs no box constraints. Like
//! statsmodels, a brute-force grid over (α, β, γ) with the heuristic states picks a start.
//! One difference: statsmodels forecasts with the seasonal state of the last observed
//! phase as it was before the last update (`s[nobs + m - 1] = s[nobs - 1]` in its
//! `_predict`); here every phase uses its latest state.

use serde::{Deserialize, Serialize};

use super::optimize::minimize;
use super::{Component, ForecastError, HoltWintersSpec};

/// statsmodels' `LOWER_BOUND`, `sqrt(f64::EPSILON)`: α stays this far inside (0, 1).
const LOWER_BOUND: f64 = 1.490_116_119_384_765_6e-8;
const PHI_BOUNDS: (f64, f64) = (0.8, 0.995);
/// scipy's L-BFGS-B default `ftol` (`factr` 1e7 × machine epsilon).
const FTOL: f64 = 2.220_446_049_250_313e-9;
const MAX_ITER: usize = 1000;

/// A fitted Holt-Winters model with statsmodels' parameter names and its final states.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoltWinters {
    pub spec: HoltWintersSpec,
    pub smoothing_level: f64,
    pub smoothing_trend: f64,
    pub smoothing_seasonal: f64,
    /// 1 without damping.
    pub damping_trend: f64,
    pub initial_level: f64,
    pub initial_trend: f64,
    pub initial_seasonal: Vec<f64>,
    /// The sum of squared one-step errors on the history.
    pub sse: f64,
    /// After the last observation.
    pub level: f64,
    pub trend: f64,
    /// The latest seasonal state of each phase, `season[j]` for the `j`-th step ahead
    /// (modulo the season length).
    pub season: Vec<f64>,
}

/// The parameters of one recursion run.
#[derive(Clone, Copy, Debug)]
struct Smoothing {
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
}

struct States {
    level: f64,
    trend: f64,
    season: Vec<f64>,
}

fn sigmoid(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

/// Runs the recursions over `y` from the initial states; returns the sum of squared
/// one-step errors (infinite when a multiplicative model leaves positive values) and the
/// final states.
fn run(
    spec: &HoltWintersSpec,
    p: Smoothing,
    level: f64,
    trend: f64,
    initial_seasonal: &[f64],
    y: &[f64],
) -> (f64, States) {
    let m = initial_seasonal.len();
    let has_trend = spec.trend.is_some();
    let mul = spec.seasonal == Some(Component::Mul);
    let mut season: Vec<f64> = Vec::with_capacity(y.len() + m);
    season.extend_from_slice(initial_seasonal);
    let (mut l, mut b) = (level, if has_trend { trend } else { 0.0 });
    let mut sse = 0.0;
    for (i, &yi) in y.iter().enumerate() {
        let base = l + p.phi * b;
        let (s, fitted) = if m == 0 {
            (0.0, base)
        } else if mul {
            let s = season[i];
            (s, base * s)
        } else {
            let s = season[i];
            (s, base + s)
        };
        let error = yi - fitted;
        sse += error * error;
        let new_l = if m == 0 {
            p.alpha * yi + (1.0 - p.alpha) * base
        } else if mul {
            if s <= 0.0 || base <= 0.0 {
                return (
                    f64::INFINITY,
                    States {
                        level: l,
                        trend: b,
                        season: Vec::new(),
                    },
                );
            }
            p.alpha * yi / s + (1.0 - p.alpha) * base
        } else {
            p.alpha * (yi - s) + (1.0 - p.alpha) * base
        };
        let new_b = if has_trend {
            p.beta * (new_l - l) + (1.0 - p.beta) * p.phi * b
        } else {
            0.0
        };
        if m > 0 {
            let new_s = if mul {
                p.gamma * yi / base + (1.0 - p.gamma) * s
            } else {
                p.gamma * (yi - base) + (1.0 - p.gamma) * s
            };
            season.push(new_s);
        }
        l = new_l;
        b = new_b;
    }
    let n = y.len();
    let latest = if m == 0 {
        Vec::new()
    } else {
        season[n..n + m].to_vec()
    };
    let sse = if sse.is_finite() { sse } else { f64::INFINITY };
    (
        sse,
        States {
            level: l,
            trend: b,
            season: latest,
        },
    )
}

/// statsmodels' initial states for `initialization_method="estimated"`: the heuristic of
/// Hyndman & Athanasopoulos §2.6 (a centred moving average over up to five seasons, then a
/// line through its first ten values) when there are at least `10 + 2·(m // 2)` points,
/// else the simple one (the first season's mean and the step to the second's).
pub fn initial_states(
    y: &[f64],
    has_trend: bool,
    seasonal: Option<Component>,
    m: usize,
) -> (f64, f64, Vec<f64>) {
    let n = y.len();
    let m = if seasonal.is_some() { m } else { 0 };
    let min_obs = 10 + 2 * (m / 2);
    if n < min_obs || (m > 0 && n < 2 * m) {
        return simple_states(y, has_trend, seasonal, m);
    }
    let mut trend_series: Vec<f64> = y.to_vec();
    let mut season = Vec::new();
    if let Some(component) = seasonal {
        let k_cycles = (n / m).min(5).max(min_obs.div_ceil(m));
        let length = (m * k_cycles).min(n);
        let part = &y[..length];
        // pandas' rolling(m, center=True), and for an even m then shift(-1).rolling(2).
        let mut ma = vec![f64::NAN; length];
        if m % 2 == 1 {
            let half = m / 2;
            for t in half..length.saturating_sub(half) {
                ma[t] = part[t - half..=t + half].iter().sum::<f64>() / m as f64;
            }
        } else {
            let half = m / 2;
            for t in half..length.saturating_sub(half) {
                let inner: f64 = part[t + 1 - half..t + half].iter().sum();
                ma[t] = (0.5 * part[t - half] + inner + 0.5 * part[t + half]) / m as f64;
            }
        }
        let mut sums = vec![0.0; m];
        let mut counts = vec![0usize; m];
        for t in 0..length {
            if ma[t].is_finite() {
                let detrended = match component {
                    Component::Add => part[t] - ma[t],
                    Component::Mul => part[t] / ma[t],
                };
                sums[t % m] += detrended;
                counts[t % m] += 1;
            }
        }
        season = sums
            .iter()
            .zip(&counts)
            .map(|(sum, &count)| sum / count.max(1) as f64)
            .collect();
        let mean = season.iter().sum::<f64>() / m as f64;
        for s in season.iter_mut() {
            match component {
                Component::Add => *s -= mean,
                Component::Mul => *s /= mean,
            }
        }
        trend_series = ma.into_iter().filter(|v| v.is_finite()).collect();
    }
    // Least squares of the first ten values on 1..=10.
    let points = &trend_series[..trend_series.len().min(10)];
    let k = points.len() as f64;
    let mean_x = (k + 1.0) / 2.0;
    let mean_y = points.iter().sum::<f64>() / k;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, &v) in points.iter().enumerate() {
        let dx = (i + 1) as f64 - mean_x;
        sxy += dx * (v - mean_y);
        sxx += dx * dx;
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let level = mean_y - slope * mean_x;
    (level, if has_trend { slope } else { 0.0 }, season)
}

fn simple_states(
    y: &[f64],
    has_trend: bool,
    seasonal: Option<Component>,
    m: usize,
) -> (f64, f64, Vec<f64>) {
    let n = y.len();
    match seasonal {
        Some(component) if m > 0 && n >= 2 * m => {
            let level = y[..m].iter().sum::<f64>() / m as f64;
            let trend = (y[m..2 * m].iter().sum::<f64>() / m as f64 - level) / m as f64;
            let season = y[..m]
                .iter()
                .map(|&v| match component {
                    Component::Add => v - level,
                    Component::Mul => v / level,
                })
                .collect();
            (level, if has_trend { trend } else { 0.0 }, season)
        }
        _ => {
            let trend = if n >= 2 { y[1] - y[0] } else { 0.0 };
            (y[0], if has_trend { trend } else { 0.0 }, Vec::new())
        }
    }
}

/// The fewest points a specification can be fitted on.
pub fn min_points(spec: &HoltWintersSpec) -> usize {
    if spec.seasonal.is_some() {
        (2 * spec.seasonal_periods).max(4)
    } else if spec.trend.is_some() {
        4
    } else {
        2
    }
}

/// Where each parameter sits in the unbounded vector.
struct Layout {
    spec: HoltWintersSpec,
    m: usize,
}

impl Layout {
    fn n_params(&self) -> usize {
        let trend = usize::from(self.spec.trend.is_some());
        let seasonal = usize::from(self.m > 0);
        let damped = usize::from(self.spec.trend.is_some() && self.spec.damped_trend);
        1 + trend + seasonal + damped + 1 + trend + self.m
    }

    fn decode(&self, u: &[f64]) -> (Smoothing, f64, f64, Vec<f64>) {
        let mut i = 0;
        let mut next = || {
            i += 1;
            u[i - 1]
        };
        let alpha = LOWER_BOUND + (1.0 - 2.0 * LOWER_BOUND) * sigmoid(next());
        let has_trend = self.spec.trend.is_some();
        let beta = if has_trend {
            alpha * sigmoid(next())
        } else {
            0.0
        };
        let gamma = if self.m > 0 {
            (1.0 - alpha) * sigmoid(next())
        } else {
            0.0
        };
        let phi = if has_trend && self.spec.damped_trend {
            PHI_BOUNDS.0 + (PHI_BOUNDS.1 - PHI_BOUNDS.0) * sigmoid(next())
        } else {
            1.0
        };
        let level = next();
        let trend = if has_trend { next() } else { 0.0 };
        let season: Vec<f64> = (0..self.m).map(|_| next()).collect();
        (
            Smoothing {
                alpha,
                beta,
                gamma,
                phi,
            },
            level,
            trend,
            season,
        )
    }

    fn encode(&self, p: Smoothing, level: f64, trend: f64, season: &[f64]) -> Vec<f64> {
        let has_trend = self.spec.trend.is_some();
        let mut u = vec![logit((p.alpha - LOWER_BOUND) / (1.0 - 2.0 * LOWER_BOUND))];
        if has_trend {
            u.push(logit(p.beta / p.alpha));
        }
        if self.m > 0 {
            u.push(logit(p.gamma / (1.0 - p.alpha)));
        }
        if has_trend && self.spec.damped_trend {
            u.push(logit(
                (p.phi - PHI_BOUNDS.0) / (PHI_BOUNDS.1 - PHI_BOUNDS.0),
            ));
        }
        u.push(level);
        if has_trend {
            u.push(trend);
        }
        u.extend_from_slice(season);
        debug_assert_eq!(u.len(), self.n_params());
        u
    }
}

impl HoltWinters {
    /// Fits `spec` on `y`, refusing too few points for it and a multiplicative season on
    /// values that are not all positive.
    pub fn fit(y: &[f64], spec: &HoltWintersSpec) -> Result<HoltWinters, ForecastError> {
        let label = super::ForecastMethod::HoltWinters(*spec).label();
        let cannot = |reason: String| ForecastError::CannotFit {
            method: label.clone(),
            reason,
        };
        let m = if spec.seasonal.is_some() {
            spec.seasonal_periods
        } else {
            0
        };
        if spec.seasonal.is_some() && m < 2 {
            return Err(cannot(format!("a season of {m} steps is too short")));
        }
        if y.len() < min_points(spec) {
            return Err(cannot(format!(
                "{} points, it needs at least {}",
                y.len(),
                min_points(spec)
            )));
        }
        if y.iter().any(|v| !v.is_finite()) {
            return Err(cannot(
                "the series holds a value that is not a number".to_string(),
            ));
        }
        if spec.seasonal == Some(Component::Mul) && y.iter().any(|&v| v <= 0.0) {
            return Err(cannot(
                "a multiplicative season needs positive values".to_string(),
            ));
        }
        // Fitted on values of about 1, so finite differences and the line search see
        // parameters of comparable size; states are scaled back below.
        let scale = {
            let mean = y.iter().map(|v| v.abs()).sum::<f64>() / y.len() as f64;
            if mean > 0.0 {
                mean
            } else {
                1.0
            }
        };
        let scaled: Vec<f64> = y.iter().map(|v| v / scale).collect();
        let has_trend = spec.trend.is_some();
        let (level0, trend0, season0) = initial_states(&scaled, has_trend, spec.seasonal, m);
        let layout = Layout { spec: *spec, m };
        let mut objective = |u: &[f64]| {
            let (p, level, trend, season) = layout.decode(u);
            run(spec, p, level, trend, &season, &scaled).0
        };
        let phi0 = if has_trend && spec.damped_trend {
            0.99
        } else {
            1.0
        };
        // statsmodels' default start, then the best point of a brute-force grid.
        let default_alpha = 0.5 / m.max(1) as f64;
        let mut starts = vec![Smoothing {
            alpha: default_alpha,
            beta: 0.1 * default_alpha,
            gamma: 0.05 * (1.0 - default_alpha),
            phi: phi0,
        }];
        let mut best_grid: Option<(f64, Smoothing)> = None;
        for &alpha in &[0.05, 0.2, 0.4, 0.6, 0.8, 0.95] {
            for &beta in if has_trend {
                &[0.02, 0.2, 0.6][..]
            } else {
                &[0.5][..]
            } {
                for &gamma in if m > 0 {
                    &[0.02, 0.2, 0.6][..]
                } else {
                    &[0.5][..]
                } {
                    let p = Smoothing {
                        alpha,
                        beta: beta * alpha,
                        gamma: gamma * (1.0 - alpha),
                        phi: phi0,
                    };
                    let sse = run(spec, p, level0, trend0, &season0, &scaled).0;
                    if best_grid.is_none_or(|(best, _)| sse < best) {
                        best_grid = Some((sse, p));
                    }
                }
            }
        }
        if let Some((_, p)) = best_grid {
            starts.push(p);
        }
        let mut best: Option<(f64, Vec<f64>)> = None;
        for p in starts {
            let u0 = layout.encode(p, level0, trend0, &season0);
            let minimum = minimize(&mut objective, &u0, MAX_ITER, FTOL);
            if minimum.value.is_finite()
                && best
                    .as_ref()
                    .is_none_or(|(value, _)| minimum.value < *value)
            {
                best = Some((minimum.value, minimum.x));
            }
        }
        let Some((_, u)) = best else {
            return Err(cannot(
                "the fit found no finite sum of squared errors".to_string(),
            ));
        };
        let (p, level, trend, season) = layout.decode(&u);
        let (sse, states) = run(spec, p, level, trend, &season, &scaled);
        let seasonal_scale = if spec.seasonal == Some(Component::Add) {
            scale
        } else {
            1.0
        };
        Ok(HoltWinters {
            spec: *spec,
            smoothing_level: p.alpha,
            smoothing_trend: p.beta,
            smoothing_seasonal: p.gamma,
            damping_trend: p.phi,
            initial_level: level * scale,
            initial_trend: trend * scale,
            initial_seasonal: season.iter().map(|s| s * seasonal_scale).collect(),
            sse: sse * scale * scale,
            level: states.level * scale,
            trend: states.trend * scale,
            season: states.season.iter().map(|s| s * seasonal_scale).collect(),
        })
    }

    /// The next `horizon` values: `(l + (φ + … + φ^k)·b)` plus or times the phase's season.
    pub fn forecast(&self, horizon: usize) -> Vec<f64> {
        let phi = self.damping_trend;
        let mut damped_sum = 0.0;
        let mut power = 1.0;
        (0..horizon)
            .map(|k| {
                power *= phi;
                damped_sum += power;
                let base = self.level + damped_sum * self.trend;
                if self.season.is_empty() {
                    base
                } else {
                    let s = self.season[k % self.season.len()];
                    match self.spec.seasonal {
                        Some(Component::Mul) => base * s,
                        _ => base + s,
                    }
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(
        trend: Option<Component>,
        damped: bool,
        seasonal: Option<Component>,
        m: usize,
    ) -> HoltWintersSpec {
        HoltWintersSpec {
            trend,
            damped_trend: damped,
            seasonal,
            seasonal_periods: m,
        }
    }

    #[test]
    fn recovers_a_seasonal_line_exactly() {
        let pattern = [3.0, -1.0, 0.0, -2.0];
        let y: Vec<f64> = (0..40)
            .map(|t| 10.0 + 0.5 * t as f64 + pattern[t % 4])
            .collect();
        let model = HoltWinters::fit(
            &y,
            &spec(Some(Component::Add), false, Some(Component::Add), 4),
        )
        .unwrap();
        let forecast = model.forecast(8);
        for (k, value) in forecast.iter().enumerate() {
            let t = 40 + k;
            let expected = 10.0 + 0.5 * t as f64 + pattern[t % 4];
            assert!(
                (value - expected).abs() < 1e-3,
                "step {k}: {value} vs {expected}"
            );
        }
    }

    #[test]
    fn multiplicative_season_scales_with_the_level() {
        let pattern = [1.2, 0.8, 1.0];
        let y: Vec<f64> = (0..36)
            .map(|t| (50.0 + 2.0 * t as f64) * pattern[t % 3])
            .collect();
        let model = HoltWinters::fit(
            &y,
            &spec(Some(Component::Add), false, Some(Component::Mul), 3),
        )
        .unwrap();
        for (k, value) in model.forecast(6).iter().enumerate() {
            let t = 36 + k;
            let expected = (50.0 + 2.0 * t as f64) * pattern[t % 3];
            assert!(
                (value - expected).abs() / expected < 1e-3,
                "step {k}: {value} vs {expected}"
            );
        }
        let negative = [1.0, -1.0, 2.0, 3.0, 1.0, -1.0, 2.0, 3.0];
        let error =
            HoltWinters::fit(&negative, &spec(None, false, Some(Component::Mul), 4)).unwrap_err();
        assert!(error.to_string().contains("positive"), "{error}");
    }

    #[test]
    fn damped_trend_flattens_and_respects_bounds() {
        let y: Vec<f64> = (0..30)
            .map(|t| 100.0 + 3.0 * t as f64 - 0.05 * (t * t) as f64)
            .collect();
        let model = HoltWinters::fit(&y, &spec(Some(Component::Add), true, None, 0)).unwrap();
        assert!((PHI_BOUNDS.0..=PHI_BOUNDS.1).contains(&model.damping_trend));
        assert!(model.smoothing_trend <= model.smoothing_level);
        let forecast = model.forecast(200);
        let late_step = forecast[199] - forecast[198];
        let early_step = forecast[1] - forecast[0];
        assert!(
            late_step.abs() < early_step.abs(),
            "{early_step} then {late_step}"
        );
    }

    #[test]
    fn simple_exponential_smoothing_forecasts_a_flat_line() {
        let y = [5.0, 7.0, 6.0, 8.0, 7.0, 6.5, 7.5];
        let model = HoltWinters::fit(&y, &spec(None, false, None, 0)).unwrap();
        let forecast = model.forecast(3);
        assert_eq!(forecast[0], forecast[2]);
        assert!((0.0..=1.0).contains(&model.smoothing_level));
    }

    #[test]
    fn heuristic_states_match_statsmodels_on_a_short_series() {
        // statsmodels.tsa.exponential_smoothing.initialization._initialization_heuristic
        // on AirPassengers' first 36 months with trend="add", seasonal="mul", m=12.
        let y = [
            112.0, 118.0, 132.0, 129.0, 121.0, 135.0, 148.0, 148.0, 136.0, 119.0, 104.0, 118.0,
            115.0, 126.0, 141.0, 135.0, 125.0, 149.0, 170.0, 170.0, 158.0, 133.0, 114.0, 140.0,
            145.0, 150.0, 178.0, 163.0, 172.0, 178.0, 199.0, 199.0, 184.0, 162.0, 146.0, 166.0,
        ];
        let (level, trend, season) = initial_states(&y, true, Some(Component::Mul), 12);
        assert!((level - EXPECTED_LEVEL).abs() < 1e-9, "{level}");
        assert!((trend - EXPECTED_TREND).abs() < 1e-9, "{trend}");
        assert!(
            (season[0] - EXPECTED_SEASON_0).abs() < 1e-9,
            "{}",
            season[0]
        );
    }

    const EXPECTED_LEVEL: f64 = 124.677_777_777_777_72;
    const EXPECTED_TREND: f64 = 1.058_585_858_585_864_5;
    const EXPECTED_SEASON_0: f64 = 0.901_472_873_093_378_4;
}

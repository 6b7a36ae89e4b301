//! Forecast errors: mae, rmse, mape and smape (in percent), and mase scaled by the in-sample seasonal naive error, as the shared reference scores compute them.

use super::ForecastMetrics;

pub fn mae(actual: &[f64], forecast: &[f64]) -> f64 {
    mean(actual.iter().zip(forecast).map(|(a, f)| (a - f).abs()))
}

pub fn rmse(actual: &[f64], forecast: &[f64]) -> f64 {
    mean(actual.iter().zip(forecast).map(|(a, f)| (a - f) * (a - f))).sqrt()
}

/// `100 · mean(|a − f| / |a|)` over the actual values that are not zero; `None` when all
/// are.
pub fn mape(actual: &[f64], forecast: &[f64]) -> Option<f64> {
    let terms: Vec<f64> = actual
        .iter()
        .zip(forecast)
        .filter(|(a, _)| **a != 0.0)
        .map(|(a, f)| ((a - f) / a).abs())
        .collect();
    (!terms.is_empty()).then(|| 100.0 * mean(terms.into_iter()))
}

/// `100 · mean(2|a − f| / (|a| + |f|))`, a term counting 0 when both are zero.
pub fn smape(actual: &[f64], forecast: &[f64]) -> f64 {
    100.0
        * mean(actual.iter().zip(forecast).map(|(a, f)| {
            let denominator = a.abs() + f.abs();
            if denominator == 0.0 {
                0.0
            } else {
                2.0 * (a - f).abs() / denominator
            }
        }))
}

/// The mean absolute error of the in-sample seasonal naive forecast, `mean |y[t] −
/// y[t − m]|` (`m` 1 without a season): mase's denominator. `None` when the history is too
/// short or the scale is zero.
pub fn mase_scale(history: &[f64], season_length: usize) -> Option<f64> {
    let m = season_length.max(1);
    if history.len() <= m {
        return None;
    }
    let scale = mean(history.windows(m + 1).map(|w| (w[m] - w[0]).abs()));
    (scale > 0.0 && scale.is_finite()).then_some(scale)
}

/// Every metric at once; `scale` from [`mase_scale`].
pub fn forecast_metrics(actual: &[f64], forecast: &[f64], scale: Option<f64>) -> ForecastMetrics {
    let mae = mae(actual, forecast);
    ForecastMetrics {
        mae,
        rmse: rmse(actual, forecast),
        mape: mape(actual, forecast),
        smape: smape(actual, forecast),
        mase: scale.map(|scale| mae / scale),
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(sum, n), v| (sum + v, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn match_hand_computed_values() {
        let actual = [100.0, 200.0, 0.0, 50.0];
        let forecast = [110.0, 180.0, 5.0, 50.0];
        // errors 10, 20, 5, 0
        close(mae(&actual, &forecast), 35.0 / 4.0);
        close(rmse(&actual, &forecast), (525.0f64 / 4.0).sqrt());
        // the zero actual is left out: (0.1 + 0.1 + 0) / 3
        close(mape(&actual, &forecast).unwrap(), 100.0 * 0.2 / 3.0);
        // 20/210, 40/380, 10/5, 0
        close(
            smape(&actual, &forecast),
            100.0 * (20.0 / 210.0 + 40.0 / 380.0 + 2.0 + 0.0) / 4.0,
        );
        assert_eq!(mape(&[0.0], &[1.0]), None);
        close(smape(&[0.0], &[0.0]), 0.0);
    }

    #[test]
    fn mase_is_scaled_by_the_seasonal_naive_error_in_sample() {
        let history = [1.0, 2.0, 4.0, 3.0, 5.0, 8.0];
        // lag 1: 1, 2, 1, 2, 3 -> 1.8; lag 3: 2, 3, 4 -> 3
        close(mase_scale(&history, 1).unwrap(), 1.8);
        close(mase_scale(&history, 3).unwrap(), 3.0);
        assert_eq!(mase_scale(&[2.0, 2.0, 2.0], 1), None);
        assert_eq!(mase_scale(&[1.0, 2.0], 2), None);
        let m = forecast_metrics(&[10.0, 12.0], &[9.0, 14.0], Some(3.0));
        close(m.mae, 1.5);
        close(m.mase.unwrap(), 0.5);
    }
}

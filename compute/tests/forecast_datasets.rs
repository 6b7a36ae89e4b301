//! Forecasting on the shared time-series datasets, on their fixed splits (the last 20% of
//! rows): the chosen model's MAE at most 1.05× the best reference (statsmodels 0.15's
//! `ExponentialSmoothing` or seasonal naive, `reference_scores.csv`), and our Holt-Winters
//! in the reference's own configuration fitting the history as well as statsmodels (its
//! sum of squared errors at most 0.5% above) with a holdout MAE within 5% of statsmodels'.

use std::path::Path;

use compute::csv::{read_csv, CsvOptions};
use compute::forecast::ets::HoltWinters;
use compute::forecast::metrics::mae;
use compute::forecast::model::Horizon;
use compute::forecast::{fit_forecast, Component, ForecastOptions, HoltWintersSpec};
use compute::frame::Frame;
use compute::ml::matrix::take_rows;
use compute::ml::Control;

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");

/// The best MAE of the reference models for `name`.
fn best_reference_mae(name: &str) -> f64 {
    let text = std::fs::read_to_string(Path::new(DATASETS).join("reference_scores.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let column = header.iter().position(|h| *h == "mae").unwrap();
    text.lines()
        .filter(|line| line.starts_with(&format!("timeseries,{name},")))
        .map(|line| {
            // The model names hold quoted commas: count fields from the end.
            let fields: Vec<&str> = line.split(',').collect();
            fields[fields.len() - (header.len() - column)]
                .parse::<f64>()
                .unwrap()
        })
        .fold(f64::INFINITY, f64::min)
}

/// The dataset's training and test frames (split on its test_idx file) and the test targets.
fn split(name: &str, target: &str) -> (Frame, Frame, Vec<f64>) {
    let folder = Path::new(DATASETS).join("timeseries");
    let bytes = std::fs::read(folder.join(format!("{name}.csv"))).unwrap();
    let frame = read_csv(name, &bytes, CsvOptions::default()).unwrap().frame;
    let mut is_test = vec![false; frame.n_rows()];
    for row in std::fs::read_to_string(folder.join(format!("{name}.test_idx.txt")))
        .unwrap()
        .split_whitespace()
    {
        is_test[row.parse::<usize>().unwrap()] = true;
    }
    let rows = |test: bool| -> Vec<usize> {
        (0..frame.n_rows())
            .filter(|&r| is_test[r] == test)
            .collect()
    };
    let (train, test) = (
        take_rows(&frame, &rows(false)),
        take_rows(&frame, &rows(true)),
    );
    let column = test.column(target).unwrap();
    let actual = (0..column.len())
        .map(|row| column.display_value(row).unwrap().parse::<f64>().unwrap())
        .collect();
    (train, test, actual)
}

fn values(frame: &Frame, target: &str) -> Vec<f64> {
    let column = frame.column(target).unwrap();
    (0..column.len())
        .map(|row| column.display_value(row).unwrap().parse::<f64>().unwrap())
        .collect()
}

fn check(name: &str, time: &str, target: &str) {
    let (train, test, actual) = split(name, target);
    let options = ForecastOptions::new(time, target);
    let fit = fit_forecast(&train, &options, Horizon::Future(&test), &mut |_| {
        Control::Continue
    })
    .unwrap_or_else(|error| panic!("{name}: {error}"));
    let item = &fit.report.items[0];
    for row in &item.leaderboard {
        eprintln!(
            "{name}: {:>3} {:<45} backtest mae {}{}",
            row.rank.map_or("-".to_string(), |r| r.to_string()),
            row.label,
            row.backtest
                .map_or("-".to_string(), |m| format!("{:.4}", m.mae)),
            row.failure
                .as_deref()
                .map_or(String::new(), |f| format!("  ({f})"))
        );
    }
    let rows = fit.model.predict(&test).unwrap();
    let forecast: Vec<f64> = rows.iter().map(|r| r.p50).collect();
    let ours = mae(&actual, &forecast);
    let inside = rows
        .iter()
        .filter(|r| r.p10 <= actual[r.row] && actual[r.row] <= r.p90)
        .count();
    eprintln!(
        "{name}: P10-P90 holds {inside} of {} test values",
        rows.len()
    );
    let reference = best_reference_mae(name);
    eprintln!(
        "{name}: chose {}, mae {ours:.4}, best reference {reference:.4}",
        item.best_label
    );
    assert!(
        ours <= 1.05 * reference,
        "{name}: {} mae {ours:.4} > 1.05 × reference {reference:.4}",
        item.best_label
    );
}

/// Our Holt-Winters in statsmodels' configuration, on the training values: its sum of
/// squared errors and its MAE on the test values.
fn holt_winters_fit(name: &str, target: &str, seasonal: Component, m: usize) -> (f64, f64) {
    let (train, _, actual) = split(name, target);
    let spec = HoltWintersSpec {
        trend: Some(Component::Add),
        damped_trend: false,
        seasonal: Some(seasonal),
        seasonal_periods: m,
    };
    let model = HoltWinters::fit(&values(&train, target), &spec).unwrap();
    eprintln!(
        "{name}: sse {:.4}, alpha {:.6}, beta {:.6}, gamma {:.6}, l0 {:.4}, b0 {:.4}",
        model.sse,
        model.smoothing_level,
        model.smoothing_trend,
        model.smoothing_seasonal,
        model.initial_level,
        model.initial_trend
    );
    (model.sse, mae(&actual, &model.forecast(actual.len())))
}

#[test]
fn air_passengers_within_5_percent_of_the_best_reference() {
    check("air_passengers", "month", "passengers");
}

#[test]
fn co2_mauna_loa_within_5_percent_of_the_best_reference() {
    check("co2_mauna_loa", "month", "co2_ppm");
}

#[test]
fn us_births_daily_within_5_percent_of_the_best_reference() {
    check("us_births_daily", "date", "births");
}

#[test]
fn holt_winters_matches_statsmodels_in_its_configuration() {
    // statsmodels 0.15 ExponentialSmoothing(trend="add", seasonal=…, seasonal_periods=m).fit():
    // its sse and test MAE. On air_passengers we find a lower sse (6004 against 6085: α 0.89
    // where statsmodels stops at α = 1) whose forecast is 2.8% worse on the test months; on
    // co2_mauna_loa a neighbouring minimum 0.09% above statsmodels' (α 0.565 against 0.585).
    for (name, target, seasonal, m, sse, statsmodels) in [
        (
            "air_passengers",
            "passengers",
            Component::Mul,
            12,
            6_085.045_302_197_896,
            21.959_653_535_887_252,
        ),
        (
            "co2_mauna_loa",
            "co2_ppm",
            Component::Add,
            12,
            46.586_027_121_573_366,
            3.169_005_139_481_805_6,
        ),
        (
            "us_births_daily",
            "births",
            Component::Add,
            7,
            613_359_492.772_325_9,
            561.135_523_036_92,
        ),
    ] {
        let (our_sse, ours) = holt_winters_fit(name, target, seasonal, m);
        eprintln!("{name}: ours sse {our_sse:.4} mae {ours:.4}, statsmodels sse {sse:.4} mae {statsmodels:.4}");
        assert!(
            our_sse <= sse * 1.005,
            "{name}: sse {our_sse} > 1.005 × statsmodels' {sse}"
        );
        assert!(
            (ours - statsmodels).abs() <= 0.05 * statsmodels,
            "{name}: ours {ours} vs statsmodels {statsmodels}"
        );
    }
}

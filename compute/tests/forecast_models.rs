//! Forecasting on small series built here: bad input refused by name (duplicate and stray
//! timestamps, a horizon longer than the history, too few points for a season), gaps
//! filled with a warning, several items and a covariate, intervals whose empirical coverage
//! is near their 80%, and no series that makes preparation or fitting panic.

use compute::csv::{read_csv, CsvOptions};
use compute::forecast::model::Horizon;
use compute::forecast::series::prepare;
use compute::forecast::{fit_forecast, ForecastError, ForecastOptions, ForecastWarning, Frequency};
use compute::frame::Frame;
use compute::ml::Control;
use proptest::prelude::*;

fn frame(csv: &str) -> Frame {
    read_csv("series.csv", csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame
}

/// `YYYY-MM-DD` of day `d` after 2020-01-01 (no library: 2020 has 366 days, 2021+ 365).
fn date(d: usize) -> String {
    let mut days = d;
    let mut year = 2020;
    loop {
        let length = if year % 4 == 0 { 366 } else { 365 };
        if days < length {
            break;
        }
        days -= length;
        year += 1;
    }
    let lengths = [
        31,
        if year % 4 == 0 { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while days >= lengths[month] {
        days -= lengths[month];
        month += 1;
    }
    format!("{year:04}-{:02}-{:02}", month + 1, days + 1)
}

fn month(k: usize) -> String {
    format!("{:04}-{:02}-01", 2000 + k / 12, k % 12 + 1)
}

fn daily_csv(values: &[f64]) -> String {
    let mut csv = String::from("date,value\n");
    for (d, v) in values.iter().enumerate() {
        csv.push_str(&format!("{},{v}\n", date(d)));
    }
    csv
}

fn fit(
    train: &Frame,
    options: &ForecastOptions,
    steps: usize,
) -> Result<compute::forecast::ForecastFit, ForecastError> {
    fit_forecast(train, options, Horizon::Steps(steps), &mut |_| {
        Control::Continue
    })
}

#[test]
fn a_duplicate_timestamp_is_named_with_both_rows() {
    let csv = "date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n2020-01-02,4\n2020-01-04,5\n";
    let error = prepare(&frame(csv), &ForecastOptions::new("date", "value")).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, ForecastError::DuplicateTimestamp { .. }),
        "{message}"
    );
    assert!(message.contains("2020-01-02"), "{message}");
    assert!(message.contains("rows 2 and 4"), "{message}");
}

#[test]
fn irregular_timestamps_are_refused_by_row_or_by_spacing() {
    let mut csv = String::from("time,value\n");
    for d in 0..30 {
        let hour = if d == 17 { "12:00:00" } else { "00:00:00" };
        csv.push_str(&format!("{} {hour},{d}\n", date(d)));
    }
    let message = prepare(&frame(&csv), &ForecastOptions::new("time", "value"))
        .unwrap_err()
        .to_string();
    assert!(message.contains("row 18"), "{message}");
    assert!(message.contains("12:00:00"), "{message}");
    assert!(message.contains("irregular"), "{message}");

    let mut csv = String::from("date,value\n");
    for (i, d) in [0, 3, 5, 9, 10, 15, 21, 22, 30].iter().enumerate() {
        csv.push_str(&format!("{},{i}\n", date(*d)));
    }
    let message = prepare(&frame(&csv), &ForecastOptions::new("date", "value"))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("irregular") || message.contains("missing"),
        "{message}"
    );
}

#[test]
fn a_few_gaps_are_filled_with_a_warning_and_many_refused() {
    let mut values: Vec<f64> = (0..100).map(|d| d as f64).collect();
    let mut csv = String::from("date,value\n");
    for (d, v) in values.iter().enumerate() {
        if d != 40 && d != 41 {
            csv.push_str(&format!("{},{v}\n", date(d)));
        }
    }
    let prepared = prepare(&frame(&csv), &ForecastOptions::new("date", "value")).unwrap();
    assert_eq!(prepared.series[0].values, values);
    assert_eq!(prepared.series[0].grid.frequency, Frequency::Daily);
    let warning = &prepared.warnings[0];
    assert!(
        matches!(
            warning,
            ForecastWarning::GapsFilled {
                missing_steps: 2,
                n_gaps: 1,
                ..
            }
        ),
        "{warning:?}"
    );
    assert!(
        warning.to_string().contains("after 2020-02-09"),
        "{warning}"
    );

    values.truncate(60);
    let mut csv = String::from("date,value\n");
    for (d, v) in values.iter().enumerate() {
        if !(20..30).contains(&d) {
            csv.push_str(&format!("{},{v}\n", date(d)));
        }
    }
    let message = prepare(&frame(&csv), &ForecastOptions::new("date", "value"))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("10 of 60 daily steps are missing"),
        "{message}"
    );
    assert!(message.contains("10 days after 2020-01-20"), "{message}");
}

#[test]
fn a_horizon_longer_than_the_history_names_the_item() {
    let mut csv = String::from("month,store,sales\n");
    for k in 0..30 {
        csv.push_str(&format!("{},north,{}\n", month(k), 10 + k % 12));
    }
    for k in 0..8 {
        csv.push_str(&format!("{},south,{}\n", month(k), 5 + k));
    }
    let mut options = ForecastOptions::new("month", "sales");
    options.item_column = Some("store".to_string());
    let message = fit(&frame(&csv), &options, 12).unwrap_err().to_string();
    assert!(message.contains("item \"south\""), "{message}");
    assert!(
        message.contains("horizon of 12 steps is longer than the history of 8"),
        "{message}"
    );
}

#[test]
fn too_few_points_for_the_season_names_the_item_and_the_need() {
    let mut csv = String::from("month,store,sales\n");
    for k in 0..20 {
        csv.push_str(&format!("{},east,{}\n", month(k), 10 + k % 12));
    }
    let mut options = ForecastOptions::new("month", "sales");
    options.item_column = Some("store".to_string());
    options.season_length = Some(12);
    let message = fit(&frame(&csv), &options, 3).unwrap_err().to_string();
    assert!(message.contains("item \"east\""), "{message}");
    assert!(
        message.contains("20 points are too few for a season of 12"),
        "{message}"
    );
    assert!(message.contains("at least 24"), "{message}");
    // Detected rather than asked for, the season is left out with a warning.
    options.season_length = None;
    let fitted = fit(&frame(&csv), &options, 3).unwrap();
    assert_eq!(fitted.report.items[0].season_length, 1);
    assert!(fitted.report.warnings.iter().any(|w| matches!(
        w,
        ForecastWarning::TooShortForSeason {
            season_length: 12,
            ..
        }
    )));
}

#[test]
fn a_text_time_column_is_refused_by_name() {
    let csv = "when,value\nsoon,1\nlater,2\nlast,3\n";
    let message = prepare(&frame(csv), &ForecastOptions::new("when", "value"))
        .unwrap_err()
        .to_string();
    assert!(message.contains("time column \"when\""), "{message}");
}

/// A seeded uniform in [0, 1).
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// About standard normal (a sum of 12 uniforms).
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

#[test]
fn intervals_cover_about_80_percent_of_future_values() {
    let pattern = [
        0.0, 2.0, 5.0, 3.0, -1.0, -4.0, -6.0, -3.0, 0.0, 1.0, 2.0, 1.0,
    ];
    let (n_items, n_train, horizon) = (16, 96, 12);
    let mut rng = Rng(7);
    let mut train = String::from("month,item,value\n");
    let mut future = Vec::new();
    for item in 0..n_items {
        let slope = 0.05 * rng.normal();
        let mut level = 50.0;
        for k in 0..n_train + horizon {
            level += 0.3 * rng.normal() + slope;
            let value = level + pattern[k % 12] + rng.normal();
            if k < n_train {
                train.push_str(&format!("{},i{item},{value}\n", month(k)));
            } else {
                future.push(value);
            }
        }
    }
    let mut options = ForecastOptions::new("month", "value");
    options.item_column = Some("item".to_string());
    let fitted = fit(&frame(&train), &options, horizon).unwrap();
    let mut inside = 0;
    let mut above_p50 = 0;
    for (i, report) in fitted.report.items.iter().enumerate() {
        for (k, point) in report.forecast.iter().enumerate() {
            let actual = future[i * horizon + k];
            assert!(point.p10 <= point.p50 && point.p50 <= point.p90);
            inside += usize::from(point.p10 <= actual && actual <= point.p90);
            above_p50 += usize::from(actual > point.p50);
        }
    }
    let total = (n_items * horizon) as f64;
    let coverage = inside as f64 / total;
    let above = above_p50 as f64 / total;
    eprintln!("P10-P90 coverage {coverage:.3}, above P50 {above:.3}");
    assert!((0.65..=0.93).contains(&coverage), "coverage {coverage}");
    assert!((0.25..=0.75).contains(&above), "share above P50 {above}");
}

#[test]
fn a_covariate_known_in_advance_helps_the_boosting() {
    // Sales jump on promotion days; only gradient boosting sees the promotion column.
    let mut rng = Rng(3);
    let n = 400;
    let promo: Vec<u8> = (0..n + 28).map(|_| u8::from(rng.uniform() < 0.2)).collect();
    let sales: Vec<f64> = (0..n + 28)
        .map(|d| {
            100.0
                + [0.0, 5.0, 3.0, 2.0, 8.0, 20.0, 15.0][d % 7]
                + 40.0 * f64::from(promo[d])
                + rng.normal()
        })
        .collect();
    let mut train = String::from("date,promo,sales\n");
    let mut future = String::from("date,promo\n");
    for d in 0..n + 28 {
        if d < n {
            train.push_str(&format!("{},{},{}\n", date(d), promo[d], sales[d]));
        } else {
            future.push_str(&format!("{},{}\n", date(d), promo[d]));
        }
    }
    let mut options = ForecastOptions::new("date", "sales");
    options.covariates = vec!["promo".to_string()];
    let future = frame(&future);
    let fitted = fit_forecast(
        &frame(&train),
        &options,
        Horizon::Future(&future),
        &mut |_| Control::Continue,
    )
    .unwrap();
    let forecasts = fitted.model.predict(&future).unwrap();
    let mae = forecasts
        .iter()
        .map(|f| (f.p50 - sales[n + f.row]).abs())
        .sum::<f64>()
        / forecasts.len() as f64;
    let best = &fitted.report.items[0].best_label;
    assert!(best.contains("GradientBoosting"), "{best}");
    assert!(mae < 6.0, "{best}: mae {mae}");
}

#[test]
fn fitting_is_deterministic_and_the_model_round_trips() {
    let values: Vec<f64> = (0..80)
        .map(|d| 10.0 + [1.0, 3.0, 2.0, 5.0, 4.0, 9.0, 7.0][d % 7] + 0.1 * d as f64)
        .collect();
    let train = frame(&daily_csv(&values));
    let options = ForecastOptions::new("date", "value");
    let first = fit(&train, &options, 14).unwrap();
    let second = fit(&train, &options, 14).unwrap();
    assert_eq!(first.report, second.report);
    let model = compute::forecast::ForecastModel::from_json(&first.model.to_json()).unwrap();
    let future = frame(&format!("date\n{}\n{}\n", date(80), date(86)));
    let forecasts = model.predict(&future).unwrap();
    assert_eq!(forecasts[0].p50, first.report.items[0].forecast[0].p50);
    assert_eq!(forecasts[1].p50, first.report.items[0].forecast[6].p50);
    let past = frame(&format!("date\n{}\n", date(3)));
    let message = model.predict(&past).unwrap_err().to_string();
    assert!(
        message.contains("not after the history's last"),
        "{message}"
    );
}

#[test]
fn cancelling_stops_the_fit() {
    let values: Vec<f64> = (0..60).map(|d| (d % 7) as f64).collect();
    let error = fit_forecast(
        &frame(&daily_csv(&values)),
        &ForecastOptions::new("date", "value"),
        Horizon::Steps(7),
        &mut |_| Control::Cancel,
    )
    .unwrap_err();
    assert_eq!(error, ForecastError::Cancelled);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn no_series_makes_preparation_or_fitting_panic(
        rows in prop::collection::vec((0usize..60, prop::option::of(-1e6f64..1e6)), 0..40),
        horizon in 1usize..20,
        constant in any::<bool>(),
    ) {
        let mut csv = String::from("date,value\n");
        for (day, value) in &rows {
            let value = if constant { Some(1.0) } else { *value };
            csv.push_str(&format!("{},{}\n", date(*day), value.map_or(String::new(), |v| v.to_string())));
        }
        let Ok(imported) = read_csv("series.csv", csv.as_bytes(), CsvOptions::default()) else {
            return Ok(());
        };
        let options = ForecastOptions::new("date", "value");
        let _ = prepare(&imported.frame, &options);
        if let Ok(fitted) = fit(&imported.frame, &options, horizon) {
            for point in &fitted.report.items[0].forecast {
                prop_assert!(point.p10 <= point.p50 && point.p50 <= point.p90 || !point.p50.is_finite());
            }
        }
    }
}

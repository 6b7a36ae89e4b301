//! Times our logistic regression on one shared dataset, for `bench/linear_bench.py`.
//!
//! `cargo run --release -p compute --example bench_linear -- DATASETS_DIR CASE [REPEATS]`
//!
//! CASE is `telco_churn` (target `churn`) or `nycflights13` (binary target
//! `arr_delay > 15`, without `tailnum`, `time_hour`, `flight`). The file is read and split
//! on `<name>.test_idx.txt` once; each repeat times `logistic::fit` (which fits and applies
//! the preprocessing too) with the default parameters. Prints one JSON line: the median fit
//! time, the test log loss and accuracy, the training objective and the iterations.

use std::path::Path;
use std::time::Instant;

use compute::csv::{read_csv, CsvOptions};
use compute::ml::matrix::take_rows;
use compute::ml::metrics::{class_indices, classification_scores};
use compute::ml::{logistic, train_set, Control, LogisticParams, Task, TrainSet};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: bench_linear DATASETS_DIR telco_churn|nycflights13 [REPEATS]");
        std::process::exit(2);
    }
    let repeats: usize = args
        .get(2)
        .map_or(5, |text| text.parse().expect("REPEATS is a number"));
    let (folder, name, target, exclude, threshold): (&str, &str, &str, &[&str], Option<f64>) =
        match args[1].as_str() {
            "telco_churn" => ("binary", "telco_churn", "churn", &[], None),
            "nycflights13" => (
                "regression",
                "nycflights13_arr_delay",
                "arr_delay",
                &["tailnum", "time_hour", "flight"],
                Some(15.0),
            ),
            other => fail(format!("unknown case {other}")),
        };
    let dir = Path::new(&args[0]).join(folder);
    let bytes = std::fs::read(dir.join(format!("{name}.csv")))
        .unwrap_or_else(|error| fail(format!("cannot read {name}.csv: {error}")));
    let frame = read_csv(name, &bytes, CsvOptions::default())
        .unwrap_or_else(|error| fail(error.to_string()))
        .frame;
    let test_text = std::fs::read_to_string(dir.join(format!("{name}.test_idx.txt")))
        .unwrap_or_else(|error| fail(format!("cannot read the test rows: {error}")));
    let mut test_rows: Vec<usize> = test_text
        .split_whitespace()
        .map(|row| row.parse().expect("a row number"))
        .collect();
    test_rows.sort_unstable();
    let mut is_test = vec![false; frame.n_rows()];
    for &row in &test_rows {
        is_test[row] = true;
    }
    let train_rows: Vec<usize> = (0..frame.n_rows()).filter(|&row| !is_test[row]).collect();
    let (train_frame, test_frame) = (
        take_rows(&frame, &train_rows),
        take_rows(&frame, &test_rows),
    );
    let set =
        train_set(&train_frame, target, exclude, None).unwrap_or_else(|e| fail(e.to_string()));
    let x_test = set
        .spec
        .transform(&test_frame)
        .unwrap_or_else(|e| fail(e.to_string()));
    let y_test = set
        .spec
        .target_values(&test_frame)
        .unwrap_or_else(|e| fail(e.to_string()));
    // A numeric target becomes "late" (1) or not (0).
    let (train, y_test) = match threshold {
        Some(threshold) => {
            let late = |y: &f64| f64::from(u8::from(*y > threshold));
            let y = set.y.iter().map(late).collect();
            let classes = vec!["on_time".to_string(), "late".to_string()];
            let train = TrainSet {
                y,
                spec: compute::ml::FeatureSpec {
                    target: compute::ml::matrix::TargetSpec {
                        column: format!("{target} > {threshold}"),
                        task: Task::Binary,
                        classes,
                    },
                    ..set.spec.clone()
                },
                ..set
            };
            (train, y_test.iter().map(late).collect::<Vec<f64>>())
        }
        None => (set, y_test),
    };

    let params = LogisticParams::default();
    let mut fit_secs = Vec::new();
    let mut model = None;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let fitted = logistic::fit(&train, &params, &mut |_| Control::Continue)
            .unwrap_or_else(|e| fail(e.to_string()));
        fit_secs.push(started.elapsed().as_secs_f64());
        model = Some(fitted);
    }
    let model = model.expect("at least one repeat");
    let proba = model
        .predict_proba(&x_test)
        .unwrap_or_else(|e| fail(e.to_string()));
    let scores = classification_scores(&class_indices(&y_test), &proba);
    let objective = model
        .trace
        .iterations
        .last()
        .map_or(f64::NAN, |r| r.train_loss);
    println!(
        "{name}: {} train rows, {} encoded columns, fit median {:.4} s, {} iterations",
        train.y.len(),
        model.coef[0].len(),
        median(fit_secs.clone()),
        model.n_iter
    );
    println!(
        "{{\"fit_secs\": {}, \"log_loss\": {}, \"accuracy\": {}, \"objective\": {objective}, \"n_iter\": {}, \"n_train\": {}, \"n_columns\": {}}}",
        median(fit_secs),
        scores.log_loss,
        scores.accuracy,
        model.n_iter,
        train.y.len(),
        model.coef[0].len()
    );
}

//! Times our tree models on one dataset's fixed split, for `bench/train_bench.py`.
//!
//! `cargo run --release -p compute --example bench_train -- FILE TARGET [EXCLUDED,…] [MODELS] [SEED]`
//!
//! Reads `FILE` and the test rows in `FILE`'s `<name>.test_idx.txt`, builds the design
//! matrix from the training rows (every column but `TARGET` and the comma-separated
//! `EXCLUDED` ones), then fits each of `MODELS` (default `gbdt,forest`) once with default
//! parameters and seed `SEED` (default 0), timing the fit alone, and scores it on the test rows (r2, or
//! accuracy and macro F1). Prints one line per model and one JSON line per model that the
//! Python harness parses.

use std::time::Instant;

use compute::csv::{read_csv, CsvOptions};
use compute::ml::matrix::take_rows;
use compute::ml::metrics::{class_indices, classification_scores, regression_scores};
use compute::ml::{forest, gbdt, train_set, Control, ForestParams, GbdtParams, Model, Task};

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: bench_train FILE TARGET [EXCLUDED,…] [MODELS] [SEED]");
        std::process::exit(2);
    }
    let (path, target) = (&args[0], &args[1]);
    let excluded: Vec<&str> = args
        .get(2)
        .map(|list| list.split(',').filter(|name| !name.is_empty()).collect())
        .unwrap_or_default();
    let models: Vec<&str> = args
        .get(3)
        .map_or("gbdt,forest", String::as_str)
        .split(',')
        .collect();
    let seed: u64 = args.get(4).map_or(0, |text| {
        text.parse()
            .unwrap_or_else(|error| fail(format!("SEED {text}: {error}")))
    });
    let bytes =
        std::fs::read(path).unwrap_or_else(|error| fail(format!("cannot read {path}: {error}")));
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let frame = read_csv(file_name, &bytes, CsvOptions::default())
        .unwrap_or_else(|error| fail(error.to_string()))
        .frame;
    let index_path = format!("{}.test_idx.txt", path.trim_end_matches(".csv"));
    let text = std::fs::read_to_string(&index_path)
        .unwrap_or_else(|error| fail(format!("cannot read {index_path}: {error}")));
    let mut is_test = vec![false; frame.n_rows()];
    for row in text.split_whitespace() {
        is_test[row
            .parse::<usize>()
            .unwrap_or_else(|error| fail(format!("{index_path}: {error}")))] = true;
    }
    let test_rows: Vec<usize> = (0..frame.n_rows()).filter(|&row| is_test[row]).collect();
    let train_rows: Vec<usize> = (0..frame.n_rows()).filter(|&row| !is_test[row]).collect();
    let (train_frame, test_frame) = (
        take_rows(&frame, &train_rows),
        take_rows(&frame, &test_rows),
    );

    let started = Instant::now();
    let train = train_set(&train_frame, target, &excluded, None)
        .unwrap_or_else(|error| fail(error.to_string()));
    let x_test = train
        .spec
        .transform(&test_frame)
        .unwrap_or_else(|error| fail(error.to_string()));
    let y_test = train
        .spec
        .target_values(&test_frame)
        .unwrap_or_else(|error| fail(error.to_string()));
    let matrix_secs = started.elapsed().as_secs_f64();

    for &name in &models {
        let started = Instant::now();
        let model: Model = match name {
            "gbdt" => gbdt::fit(&train, &GbdtParams::default(), seed, &mut |_| {
                Control::Continue
            })
            .map(Model::from),
            "forest" => forest::fit(&train, &ForestParams::default(), seed, &mut |_| {
                Control::Continue
            })
            .map(Model::from),
            other => fail(format!("unknown model {other}; use gbdt or forest")),
        }
        .unwrap_or_else(|error| fail(error.to_string()));
        let fit_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let (metric, score, macro_f1) = if train.task() == Task::Regression {
            let predicted = model
                .predict(&x_test)
                .unwrap_or_else(|error| fail(error.to_string()));
            ("r2", regression_scores(&y_test, &predicted).r2, None)
        } else {
            let proba = model
                .predict_proba(&x_test)
                .unwrap_or_else(|error| fail(error.to_string()));
            let scores = classification_scores(&class_indices(&y_test), &proba);
            ("accuracy", scores.accuracy, Some(scores.macro_f1))
        };
        let predict_secs = started.elapsed().as_secs_f64();
        let iterations = match &model {
            Model::Gbdt(model) => model.n_iter(),
            Model::Forest(model) => model.trees.len(),
            // Only the tree models are timed here; the linear ones have bench_linear.
            _ => 1,
        };
        println!(
            "{file_name} {name}: fit {fit_secs:.3} s ({iterations} iterations/trees), {metric} {score:.4}, predict {predict_secs:.3} s (matrix {matrix_secs:.3} s, {} train rows, {} features)",
            train.x.n_rows(),
            train.x.n_features()
        );
        println!(
            "{{\"model\": \"{name}\", \"fit_secs\": {fit_secs}, \"metric\": \"{metric}\", \"score\": {score}, \"macro_f1\": {}, \"n_iter\": {iterations}, \"n_train\": {}}}",
            macro_f1.map_or("null".to_string(), |f| f.to_string()),
            train.x.n_rows()
        );
    }
}

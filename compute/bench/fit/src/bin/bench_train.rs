//! Times our tree models on one dataset's fixed split, natively, for `compute/bench/train_bench.py`
//! and `fit_bench.py`.
//!
//! `cargo run --release -p bench-fit --bin bench_train -- FILE TARGET [EXCLUDED,…] [MODELS] [SEED]`
//!
//! Reads `FILE` and the test rows in `FILE`'s `<name>.test_idx.txt`, builds the design
//! matrix from the training rows (every column but `TARGET` and the comma-separated
//! `EXCLUDED` ones), then fits each of `MODELS` (default `gbdt,forest`) once with default
//! parameters and seed `SEED` (default 0), timing the fit alone, and scores it on the test
//! rows (r2, or accuracy and macro F1): the code the wasm build runs (`bench_fit::fit_tree`).
//! Prints one line per model and one JSON line per model that the Python harness parses.

use std::time::Instant;

use bench_fit::{fit_tree, Case};

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
    let index_path = format!("{}.test_idx.txt", path.trim_end_matches(".csv"));
    let test_idx = std::fs::read_to_string(&index_path)
        .unwrap_or_else(|error| fail(format!("cannot read {index_path}: {error}")));

    let origin = Instant::now();
    let clock = || origin.elapsed().as_secs_f64();
    let started = clock();
    let case =
        Case::read(file_name, &bytes, &test_idx, target, &excluded).unwrap_or_else(|e| fail(e));
    let matrix_secs = clock() - started;
    for &name in &models {
        let result = fit_tree(&case, name, seed, &clock).unwrap_or_else(|e| fail(e));
        println!(
            "{file_name} {name}: fit {:.3} s ({} iterations/trees), {} {:.4}, predict {:.3} s (read + matrix {matrix_secs:.3} s, {} train rows, {} features)",
            result["fit_secs"].as_f64().unwrap_or(f64::NAN),
            result["n_iter"],
            result["metric"].as_str().unwrap_or(""),
            result["score"].as_f64().unwrap_or(f64::NAN),
            result["predict_secs"].as_f64().unwrap_or(f64::NAN),
            result["n_train"],
            result["n_features"],
        );
        println!("{result}");
    }
}

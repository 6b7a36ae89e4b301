//! Times our forecasting on one shared time series, natively, for
//! `compute/bench/forecast_bench.py`.
//!
//! `cargo run --release -p bench-fit --bin bench_forecast -- DATASETS_DIR NAME [REPEATS]`
//!
//! NAME is `air_passengers`, `co2_mauna_loa` or `us_births_daily` (`timeseries/<NAME>.csv`,
//! split on `<NAME>.test_idx.txt`). Each repeat times a whole fit (backtest of every
//! candidate, refit of the best): the code the wasm build runs
//! (`bench_fit::fit_forecast_case`). Prints one JSON line: the chosen model, the median fit
//! time and the MAE on the test rows.

use std::path::Path;
use std::time::Instant;

use bench_fit::{fit_forecast_case, ForecastCase};

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: bench_forecast DATASETS_DIR air_passengers|co2_mauna_loa|us_births_daily [REPEATS]");
        std::process::exit(2);
    }
    let repeats: usize = args
        .get(2)
        .map_or(1, |text| text.parse().expect("REPEATS is a number"));
    let name = args[1].as_str();
    let dir = Path::new(&args[0]).join("timeseries");
    let bytes = std::fs::read(dir.join(format!("{name}.csv")))
        .unwrap_or_else(|error| fail(format!("cannot read {name}.csv: {error}")));
    let test_idx = std::fs::read_to_string(dir.join(format!("{name}.test_idx.txt")))
        .unwrap_or_else(|error| fail(format!("cannot read the test rows: {error}")));
    let case = ForecastCase::read(name, &bytes, &test_idx).unwrap_or_else(|e| fail(e));
    let origin = Instant::now();
    let clock = || origin.elapsed().as_secs_f64();
    let result = fit_forecast_case(&case, repeats, &clock).unwrap_or_else(|e| fail(e));
    println!(
        "{name}: {}, fit median {:.3} s, mae {:.4}",
        result["best"],
        result["fit_secs"].as_f64().unwrap_or(f64::NAN),
        result["mae"].as_f64().unwrap_or(f64::NAN),
    );
    println!("{result}");
}

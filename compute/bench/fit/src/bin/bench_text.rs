//! Times our text classification on one shared text dataset, natively, for
//! `compute/bench/text_bench.py`.
//!
//! `cargo run --release -p bench-fit --bin bench_text -- DATASETS_DIR NAME MODEL [REPEATS]`
//!
//! NAME is `spam_assassin` or `health_tweets` (`text/<NAME>.csv`, split on
//! `<NAME>.test_idx.txt`), MODEL `nb` or `logistic`. Each repeat times a whole `fit_text`
//! (TF-IDF with the studio's defaults, then the classifier): the code the wasm build runs
//! (`bench_fit::fit_text_case`). Prints one JSON line: the median fit time, the test accuracy
//! and macro F1, the vocabulary size, the iterations and the stored model's JSON size.

use std::path::Path;
use std::time::Instant;

use bench_fit::{fit_text_case, text_label, TextCase};

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!(
            "usage: bench_text DATASETS_DIR spam_assassin|health_tweets nb|logistic [REPEATS]"
        );
        std::process::exit(2);
    }
    let repeats: usize = args
        .get(3)
        .map_or(1, |text| text.parse().expect("REPEATS is a number"));
    let name = args[1].as_str();
    let label = text_label(name).unwrap_or_else(|e| fail(e));
    let dir = Path::new(&args[0]).join("text");
    let bytes = std::fs::read(dir.join(format!("{name}.csv")))
        .unwrap_or_else(|error| fail(format!("cannot read {name}.csv: {error}")));
    let test_idx = std::fs::read_to_string(dir.join(format!("{name}.test_idx.txt")))
        .unwrap_or_else(|error| fail(format!("cannot read the test rows: {error}")));
    let case = TextCase::read(name, &bytes, &test_idx, label).unwrap_or_else(|e| fail(e));

    let origin = Instant::now();
    let clock = || origin.elapsed().as_secs_f64();
    let result = fit_text_case(&case, &args[2], repeats, &clock).unwrap_or_else(|e| fail(e));
    println!(
        "{name} {}: {} train texts, {} terms, fit median {:.3} s, accuracy {:.4}",
        args[2],
        result["n_train"],
        result["n_features"],
        result["fit_secs"].as_f64().unwrap_or(f64::NAN),
        result["accuracy"].as_f64().unwrap_or(f64::NAN),
    );
    println!("{result}");
}

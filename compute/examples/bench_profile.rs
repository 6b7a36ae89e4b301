//! Times the profile and the insights report of one CSV file, for `bench/profile_bench.py`.
//!
//! `cargo run --release -p compute --example bench_profile -- FILE [REPEATS] [TARGET]`
//!
//! The file is read once; each repeat profiles every row (no sampling, like pandas) and
//! then builds the insights report (with `TARGET` when given). Prints the medians and one
//! JSON line that the Python harness parses.

use std::time::Instant;

use compute::csv::{read_csv, CsvOptions};
use compute::profile::{insights, profile, ProfileOptions};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: bench_profile FILE [REPEATS] [TARGET]");
        std::process::exit(2);
    };
    let repeats: usize = args
        .next()
        .map_or(5, |text| text.parse().expect("REPEATS is a number"));
    let target = args.next();
    let bytes = std::fs::read(&path).unwrap_or_else(|error| {
        eprintln!("cannot read {path}: {error}");
        std::process::exit(1);
    });
    let file_name = path.rsplit('/').next().unwrap_or(&path);
    let frame = read_csv(file_name, &bytes, CsvOptions::default())
        .unwrap_or_else(|error| {
            eprintln!("{error}");
            std::process::exit(1);
        })
        .frame;
    let options = ProfileOptions {
        max_rows: None,
        ..ProfileOptions::default()
    };

    let (mut profile_secs, mut insights_secs) = (Vec::new(), Vec::new());
    let mut n_insights = 0;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let dataset_profile = profile(&frame, &options);
        profile_secs.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        let report =
            insights(&frame, &dataset_profile, target.as_deref()).unwrap_or_else(|error| {
                eprintln!("{error}");
                std::process::exit(1);
            });
        insights_secs.push(started.elapsed().as_secs_f64());
        n_insights = report.insights.len();
    }
    let runs = profile_secs.len();
    let (profile_secs, insights_secs) = (median(profile_secs), median(insights_secs));
    println!(
        "{file_name}: {} rows x {} cols, profile median {profile_secs:.4} s, insights median {insights_secs:.4} s over {runs} runs, {n_insights} insights",
        frame.n_rows(),
        frame.n_cols(),
    );
    println!(
        "{{\"profile_secs\": {profile_secs}, \"insights_secs\": {insights_secs}, \"n_rows\": {}, \"n_cols\": {}}}",
        frame.n_rows(),
        frame.n_cols()
    );
}

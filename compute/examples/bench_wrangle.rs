//! Times the profile and a recipe's fit + transform on one CSV file, for `bench/wrangle_bench.py`.
//!
//! `cargo run --release -p compute --example bench_wrangle -- FILE [RECIPE.json] [REPEATS]`
//!
//! The file is read once; each repeat profiles every row with the options the studio's
//! worker uses, builds the insights report, and fits and applies the recipe (default:
//! `bench/wrangle_recipe.json`, the recipe the wasm run imports too). Prints the medians
//! and one JSON line that the Python harness parses, with the output's shape and the sum of
//! its `gain` column so that every tool can be checked to have done the same work.

use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use compute::csv::{read_csv, CsvOptions};
use compute::profile::{insights, profile, ProfileOptions};
use compute::recipe::Recipe;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: bench_wrangle FILE [RECIPE.json] [REPEATS]");
        std::process::exit(2);
    };
    let recipe_path = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/bench/wrangle_recipe.json").to_string()
    });
    let repeats: usize = args
        .next()
        .map_or(3, |text| text.parse().expect("REPEATS is a number"));
    let bytes = std::fs::read(&path).unwrap_or_else(|error| fail(format!("{path}: {error}")));
    let recipe_json = std::fs::read_to_string(&recipe_path)
        .unwrap_or_else(|error| fail(format!("{recipe_path}: {error}")));
    let recipe = Recipe::from_json(&recipe_json).unwrap_or_else(|error| fail(error));
    let file_name = path.rsplit('/').next().unwrap_or(&path);
    let frame = read_csv(file_name, &bytes, CsvOptions::default())
        .unwrap_or_else(|error| fail(error))
        .frame;
    let options = ProfileOptions::default();

    let (mut profile_secs, mut insights_secs, mut recipe_secs) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut out = None;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let dataset_profile = profile(&frame, &options);
        profile_secs.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        insights(&frame, &dataset_profile, None).unwrap_or_else(|error| fail(error));
        insights_secs.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        let (_, transformed) = recipe
            .fit_transform(&frame)
            .unwrap_or_else(|error| fail(error));
        recipe_secs.push(started.elapsed().as_secs_f64());
        out = Some(transformed);
    }
    let out = out.expect("at least one repeat");
    // Where the recipe's time goes: each step fitted and applied alone on the previous
    // step's output (once; the medians above are for the whole recipe).
    let mut current = frame.clone();
    let mut step_secs = Vec::new();
    for step in &recipe.steps {
        let single = Recipe::new("step", vec![step.clone()]);
        let started = Instant::now();
        let (_, next) = single
            .fit_transform(&current)
            .unwrap_or_else(|error| fail(error));
        step_secs.push(format!(
            "{} {:.4} s",
            step.op(),
            started.elapsed().as_secs_f64()
        ));
        current = next;
    }
    println!("recipe steps: {}", step_secs.join(", "));
    let gain_sum: f64 = out.column("gain").map_or(f64::NAN, |gain| {
        gain.array()
            .as_primitive::<Float64Type>()
            .iter()
            .flatten()
            .filter(|value| !value.is_nan())
            .sum()
    });
    let runs = profile_secs.len();
    let (profile_secs, insights_secs, recipe_secs) = (
        median(profile_secs),
        median(insights_secs),
        median(recipe_secs),
    );
    println!(
        "{file_name}: {} rows x {} cols; medians over {runs} runs: profile {profile_secs:.4} s, \
         insights {insights_secs:.4} s, recipe fit+transform {recipe_secs:.4} s -> {} rows x {} cols",
        frame.n_rows(),
        frame.n_cols(),
        out.n_rows(),
        out.n_cols(),
    );
    println!(
        "{{\"profile_secs\": {profile_secs}, \"insights_secs\": {insights_secs}, \"recipe_secs\": {recipe_secs}, \
         \"n_rows\": {}, \"n_cols\": {}, \"out_rows\": {}, \"out_cols\": {}, \"gain_sum\": {gain_sum}}}",
        frame.n_rows(),
        frame.n_cols(),
        out.n_rows(),
        out.n_cols(),
    );
}

//! Times our image classification on the shared 8×8 digits, natively, for
//! `compute/bench/image_bench.py`.
//!
//! `cargo run --release -p bench-fit --bin bench_image -- DATASETS_DIR BUILD FEATURES [SEED]`
//!
//! BUILD is `quick`, `standard` or `logistic` (LogisticRegression alone), FEATURES `pixels`,
//! `hog` or `pixels+hog`. Reads `image/digits_8x8_png/<label>/<file>.png`, splits them on
//! `digits_8x8.test_idx.txt` through `digits_8x8.csv`'s `file` column, and runs
//! `bench_fit::fit_image_case`. Prints one JSON line.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use bench_fit::{fit_image_case, ImageCase};

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!(
            "usage: bench_image DATASETS_DIR quick|standard|logistic pixels|hog|pixels+hog [SEED]"
        );
        std::process::exit(2);
    }
    let seed: u64 = args
        .get(3)
        .map_or(0, |text| text.parse().expect("SEED is a number"));
    let dir = Path::new(&args[0]).join("image");
    let read = |path: &Path| {
        std::fs::read(path).unwrap_or_else(|error| fail(format!("{}: {error}", path.display())))
    };
    let csv = read(&dir.join("digits_8x8.csv"));
    let test_idx = String::from_utf8(read(&dir.join("digits_8x8.test_idx.txt")))
        .unwrap_or_else(|_| fail("the test rows are not text".to_string()));
    let mut entries = HashMap::new();
    let root = dir.join("digits_8x8_png");
    for class in std::fs::read_dir(&root).unwrap_or_else(|e| fail(format!("{e}"))) {
        let class = class.unwrap_or_else(|e| fail(format!("{e}"))).path();
        for file in std::fs::read_dir(&class).unwrap_or_else(|e| fail(format!("{e}"))) {
            let file = file.unwrap_or_else(|e| fail(format!("{e}"))).path();
            let name = format!(
                "{}/{}",
                class.file_name().unwrap().to_string_lossy(),
                file.file_name().unwrap().to_string_lossy()
            );
            entries.insert(name, read(&file));
        }
    }
    let case = ImageCase::split(&csv, &test_idx, entries).unwrap_or_else(|e| fail(e));
    let origin = Instant::now();
    let clock = || origin.elapsed().as_secs_f64();
    let result =
        fit_image_case(&case, &args[1], &args[2], seed, &clock).unwrap_or_else(|e| fail(e));
    println!("{result}");
}

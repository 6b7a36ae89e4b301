//! Times parse + type inference of one CSV file, for `bench/import_bench.py`.
//!
//! `cargo run --release -p compute --example bench_import -- FILE [REPEATS] [CHUNK_BYTES]`
//!
//! The file is read into memory once; each repeat pushes it through a fresh `CsvImporter`
//! (in `CHUNK_BYTES` pieces when given, as the browser does with `File.slice`) and
//! finishes it. Prints the median and one JSON line that the Python harness parses.

use std::time::Instant;

use compute::csv::{CsvImporter, CsvOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: bench_import FILE [REPEATS] [CHUNK_BYTES]");
        std::process::exit(2);
    };
    let repeats: usize = args
        .next()
        .map_or(5, |text| text.parse().expect("REPEATS is a number"));
    let chunk_bytes: Option<usize> = args
        .next()
        .map(|text| text.parse().expect("CHUNK_BYTES is a number"));
    let bytes = std::fs::read(&path).unwrap_or_else(|error| {
        eprintln!("cannot read {path}: {error}");
        std::process::exit(1);
    });
    let file_name = path.rsplit('/').next().unwrap_or(&path);

    let mut durations_secs = Vec::with_capacity(repeats);
    let mut shape = (0, 0);
    let mut size_bytes = 0;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let mut importer = CsvImporter::new(file_name, CsvOptions::default());
        match chunk_bytes {
            Some(chunk_bytes) => {
                for chunk in bytes.chunks(chunk_bytes.max(1)) {
                    importer.push(chunk).unwrap_or_else(|error| fail(&error));
                }
            }
            None => importer.push(&bytes).unwrap_or_else(|error| fail(&error)),
        }
        let imported = importer.finish().unwrap_or_else(|error| fail(&error));
        durations_secs.push(started.elapsed().as_secs_f64());
        shape = (imported.frame.n_rows(), imported.frame.n_cols());
        size_bytes = imported.frame.estimated_size_bytes();
    }
    durations_secs.sort_by(f64::total_cmp);
    let median_secs = durations_secs[durations_secs.len() / 2];
    println!(
        "{file_name}: {} rows x {} cols, median {median_secs:.4} s over {} runs ({:.0} MB/s), frame {:.1} MB",
        shape.0,
        shape.1,
        durations_secs.len(),
        bytes.len() as f64 / median_secs / 1e6,
        size_bytes as f64 / 1e6
    );
    println!(
        "{{\"file\":\"{file_name}\",\"n_rows\":{},\"n_cols\":{},\"median_secs\":{median_secs},\"runs_secs\":{:?},\"frame_bytes\":{size_bytes}}}",
        shape.0, shape.1, durations_secs
    );
}

fn fail(error: &dyn std::fmt::Display) -> ! {
    eprintln!("{error}");
    std::process::exit(1);
}

//! What several dataset tests share: where the shared datasets are, and a dataset split into
//! the fixed training and test rows its `test_idx` file names (the split of the reference
//! scores).

use std::path::Path;

use compute::csv::{read_csv, CsvOptions};
use compute::frame::Frame;
use compute::ml::matrix::take_rows;

pub const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");

/// `<folder>/<name>.csv` as training rows and test rows, by `<name>.test_idx.txt`.
pub fn split(folder: &str, name: &str) -> (Frame, Frame) {
    let path = Path::new(DATASETS).join(folder).join(format!("{name}.csv"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let frame = read_csv(name, &bytes, CsvOptions::default()).unwrap().frame;
    let index = Path::new(DATASETS)
        .join(folder)
        .join(format!("{name}.test_idx.txt"));
    let mut is_test = vec![false; frame.n_rows()];
    for row in std::fs::read_to_string(index).unwrap().split_whitespace() {
        is_test[row.parse::<usize>().unwrap()] = true;
    }
    let (test, train): (Vec<usize>, Vec<usize>) = (0..frame.n_rows()).partition(|&r| is_test[r]);
    (take_rows(&frame, &train), take_rows(&frame, &test))
}

//! Seeded k-fold splits of a training set, stratified for classes, and the holdout split (the first of five folds).

use super::AutomlOptions;
use crate::frame::Frame;
use crate::ml::matrix::{encode_target, take_rows};
use crate::ml::{MlError, Task, TrainSet};
use crate::profile::kernels::SplitMix64;

/// One split of the training rows: fit on `train_rows`, score on `validation_rows`. Both
/// sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    pub index: usize,
    pub train_rows: Vec<usize>,
    pub validation_rows: Vec<usize>,
}

/// `n_folds` folds of the rows of `y` (values, or class indices for a classification
/// `task`): shuffled with `seed`, and for classes stratified so that every fold's class
/// counts differ by at most one from `count / n_folds` (like `StratifiedKFold(shuffle=True)`;
/// the exact rows differ from scikit-learn's, the proportions do not). Deterministic.
pub fn k_folds(y: &[f64], task: Task, n_folds: usize, seed: u64) -> Result<Vec<Fold>, MlError> {
    if n_folds < 2 {
        return Err(MlError::InvalidParameter {
            name: "n_folds",
            reason: format!("must be at least 2, got {n_folds}"),
        });
    }
    if y.len() < n_folds {
        return Err(MlError::TooFewRows {
            n_rows: y.len(),
            needed: n_folds,
            purpose: "cross-validation with one row per fold",
        });
    }
    let mut order: Vec<usize> = (0..y.len()).collect();
    let mut rng = SplitMix64::new(seed);
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    if task.is_classification() {
        // Shuffled, then grouped by class (stable): dealing rows out in turn gives every
        // fold its share of each class.
        order.sort_by_key(|&row| y[row] as usize);
    }
    let mut assigned = vec![0; y.len()];
    for (position, &row) in order.iter().enumerate() {
        assigned[row] = position % n_folds;
    }
    Ok((0..n_folds)
        .map(|index| {
            let (validation_rows, train_rows) =
                (0..y.len()).partition(|&row| assigned[row] == index);
            Fold {
                index,
                train_rows,
                validation_rows,
            }
        })
        .collect())
}

/// The share of rows a holdout split validates on.
pub const HOLDOUT_FRACTION: f64 = 0.2;

/// One split holding out a fifth of the rows: the first of five [`k_folds`].
pub fn holdout(y: &[f64], task: Task, seed: u64) -> Result<Fold, MlError> {
    let n_folds = (1.0 / HOLDOUT_FRACTION).round() as usize;
    if y.len() < n_folds {
        return Err(MlError::TooFewRows {
            n_rows: y.len(),
            needed: n_folds,
            purpose: "a holdout split of a fifth of the rows",
        });
    }
    Ok(k_folds(y, task, n_folds, seed)?.swap_remove(0))
}

/// Training sets with fewer rows than this are cross-validated [`SMALL_DATA_REPEATS`]
/// times: one partition of a few hundred rows ranks near-tied candidates by chance.
pub const REPEAT_BELOW_ROWS: usize = 1_000;
/// How many shuffles of k folds a small training set is scored on.
pub const SMALL_DATA_REPEATS: usize = 3;

/// How many times `n_rows` training rows are cross-validated.
pub fn n_repeats(n_rows: usize) -> usize {
    if n_rows < REPEAT_BELOW_ROWS {
        SMALL_DATA_REPEATS
    } else {
        1
    }
}

/// The folds of a training set: `n_folds`-fold cross-validation repeated
/// [`n_repeats`]`(rows)` times (each repeat shuffled by its own seed, the first by `seed`;
/// folds numbered on across repeats), or one holdout split.
pub fn split(train: &TrainSet, n_folds: Option<usize>, seed: u64) -> Result<Vec<Fold>, MlError> {
    match n_folds {
        Some(n_folds) => {
            let mut folds = Vec::new();
            for repeat in 0..n_repeats(train.y.len()) {
                // The first repeat is the one-partition split; later ones reshuffle.
                let repeat_seed = seed ^ (repeat as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                for fold in k_folds(&train.y, train.task(), n_folds, repeat_seed)? {
                    folds.push(Fold {
                        index: folds.len(),
                        ..fold
                    });
                }
            }
            Ok(folds)
        }
        None => Ok(vec![holdout(&train.y, train.task(), seed)?]),
    }
}

/// One stored dataset's rows split for a model: fitted (and searched) on `train`,
/// evaluated on `holdout`.
#[derive(Clone, Debug)]
pub struct DatasetSplit {
    pub train: Frame,
    pub holdout: Frame,
    /// The task the whole dataset's target poses (asked for, or detected on every row with
    /// a target).
    pub task: Task,
    /// Rows in neither frame: their target is missing.
    pub n_rows_without_target: usize,
}

/// Splits `frame`'s rows with a known `options.target` into training rows and a holdout
/// of a fifth of them (the [`holdout`] split: shuffled with `options.seed`, stratified for
/// classes). Rows whose target is missing go to neither. Refuses a missing or empty target
/// column and a target that cannot be learnt (one class, text asked to be a regression
/// target) with the messages a search would give.
pub fn split_dataset(frame: &Frame, options: &AutomlOptions) -> Result<DatasetSplit, MlError> {
    let column = frame
        .column(&options.target)
        .ok_or_else(|| MlError::ColumnNotFound {
            column: options.target.clone(),
        })?;
    if column.null_count() == column.len() {
        return Err(MlError::InvalidTarget {
            column: options.target.clone(),
            reason: "has no values: every row is missing".to_string(),
        });
    }
    let encoded = encode_target(column, options.task)?;
    let fold = holdout(&encoded.y, encoded.task, options.seed)?;
    let rows_of = |positions: &[usize]| -> Vec<usize> {
        positions.iter().map(|&i| encoded.rows[i]).collect()
    };
    Ok(DatasetSplit {
        train: take_rows(frame, &rows_of(&fold.train_rows)),
        holdout: take_rows(frame, &rows_of(&fold.validation_rows)),
        task: encoded.task,
        n_rows_without_target: frame.n_rows() - encoded.rows.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class_counts(y: &[f64], rows: &[usize], n_classes: usize) -> Vec<usize> {
        let mut counts = vec![0; n_classes];
        for &row in rows {
            counts[y[row] as usize] += 1;
        }
        counts
    }

    #[test]
    fn stratified_folds_keep_class_ratios() {
        // 70 / 20 / 10 rows of three classes, interleaved.
        let y: Vec<f64> = (0..100)
            .map(|i| match i % 10 {
                0..=6 => 0.0,
                7 | 8 => 1.0,
                _ => 2.0,
            })
            .collect();
        let folds = k_folds(&y, Task::Multiclass, 5, 7).unwrap();
        assert_eq!(folds.len(), 5);
        let mut seen = vec![0; y.len()];
        for fold in &folds {
            assert_eq!(class_counts(&y, &fold.validation_rows, 3), vec![14, 4, 2]);
            assert_eq!(class_counts(&y, &fold.train_rows, 3), vec![56, 16, 8]);
            for &row in &fold.validation_rows {
                seen[row] += 1;
            }
            assert!(fold.train_rows.windows(2).all(|w| w[0] < w[1]));
        }
        assert!(seen.iter().all(|&n| n == 1), "each row validates once");
    }

    fn train_of(n: usize) -> TrainSet {
        let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 4 == 0))).collect();
        TrainSet::from_matrix(
            crate::ml::matrix::DesignMatrix::numeric(n, vec![x]).unwrap(),
            y,
            Task::Binary,
            vec!["no".into(), "yes".into()],
        )
        .unwrap()
    }

    #[test]
    fn small_training_sets_are_cross_validated_three_times_over() {
        let small = split(&train_of(200), Some(5), 4).unwrap();
        assert_eq!(small.len(), 15);
        assert!(small.iter().enumerate().all(|(i, fold)| fold.index == i));
        // The first repeat is the one-partition split; each repeat validates every row once.
        let single = k_folds(&train_of(200).y, Task::Binary, 5, 4).unwrap();
        assert_eq!(small[..5], single[..]);
        for repeat in small.chunks(5) {
            let mut seen = vec![0; 200];
            for fold in repeat {
                for &row in &fold.validation_rows {
                    seen[row] += 1;
                }
            }
            assert!(seen.iter().all(|&n| n == 1));
        }
        assert_ne!(
            small[5].validation_rows, small[0].validation_rows,
            "reshuffled"
        );
        let large = split(&train_of(REPEAT_BELOW_ROWS), Some(5), 4).unwrap();
        assert_eq!(large.len(), 5);
        assert_eq!(split(&train_of(200), None, 4).unwrap().len(), 1, "holdout");
    }

    #[test]
    fn uneven_classes_differ_by_at_most_one() {
        let y: Vec<f64> = (0..23).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
        for fold in k_folds(&y, Task::Binary, 5, 1).unwrap() {
            let counts = class_counts(&y, &fold.validation_rows, 2);
            assert!(
                (3..=4).contains(&counts[0]) && (1..=2).contains(&counts[1]),
                "{counts:?}"
            );
        }
    }

    #[test]
    fn folds_are_deterministic_for_a_seed_and_shuffled() {
        let y: Vec<f64> = (0..50).map(f64::from).collect();
        let a = k_folds(&y, Task::Regression, 5, 42).unwrap();
        assert_eq!(a, k_folds(&y, Task::Regression, 5, 42).unwrap());
        assert_ne!(a, k_folds(&y, Task::Regression, 5, 43).unwrap());
        assert_ne!(a[0].validation_rows, (0..10).collect::<Vec<_>>());
        assert!(a.iter().all(|fold| fold.validation_rows.len() == 10));
    }

    #[test]
    fn fewer_rows_than_folds_is_an_error() {
        let error = k_folds(&[1.0, 2.0, 3.0], Task::Regression, 5, 0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "only 3 rows to train on; cross-validation with one row per fold needs at least 5"
        );
        assert!(holdout(&[0.0, 1.0, 0.0, 1.0], Task::Binary, 0).is_err());
        let fold = holdout(
            &[0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
            Task::Binary,
            0,
        )
        .unwrap();
        assert_eq!(fold.validation_rows.len(), 2);
        assert_eq!(fold.train_rows.len(), 8);
    }

    fn frame(csv: &str) -> Frame {
        crate::csv::read_csv(
            "inline.csv",
            csv.as_bytes(),
            crate::csv::CsvOptions::default(),
        )
        .unwrap()
        .frame
    }

    fn texts(frame: &Frame, column: &str) -> Vec<String> {
        let column = frame.column(column).unwrap();
        (0..column.len())
            .map(|row| column.display_value(row).unwrap_or_default())
            .collect()
    }

    #[test]
    fn a_dataset_splits_stratified_into_training_and_holdout_rows() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/datasets/multiclass/penguins.csv"
        );
        let bytes = std::fs::read(path).expect("shared datasets are beside the repo");
        let penguins = crate::csv::read_csv("penguins.csv", &bytes, Default::default())
            .unwrap()
            .frame;
        let options = AutomlOptions::new("species");
        let split = split_dataset(&penguins, &options).unwrap();
        assert_eq!(split.task, Task::Multiclass);
        assert_eq!(split.train.n_rows() + split.holdout.n_rows(), 344);
        assert_eq!(split.holdout.n_rows(), 69, "a fifth, rounded up per class");
        for (species, count) in [("Adelie", 152.0), ("Gentoo", 124.0), ("Chinstrap", 68.0)] {
            let held = texts(&split.holdout, "species")
                .iter()
                .filter(|s| *s == species)
                .count() as f64;
            assert!((held - count / 5.0).abs() < 1.0, "{species}: {held}");
        }
        // Seeded: the same seed splits the same way, another seed another way.
        let again = split_dataset(&penguins, &options).unwrap();
        assert_eq!(again.holdout.content_hash(), split.holdout.content_hash());
        let other = AutomlOptions {
            seed: 1,
            ..options.clone()
        };
        let other = split_dataset(&penguins, &other).unwrap();
        assert_ne!(other.holdout.content_hash(), split.holdout.content_hash());
    }

    #[test]
    fn rows_without_a_target_go_to_neither_side() {
        let mut csv = String::from("x,y\n");
        for i in 0..23 {
            let y = match i % 4 {
                0 => "",
                1 => "a",
                _ => "b",
            };
            csv.push_str(&format!("{i},{y}\n"));
        }
        let split = split_dataset(&frame(&csv), &AutomlOptions::new("y")).unwrap();
        assert_eq!(split.n_rows_without_target, 6);
        assert_eq!(split.train.n_rows() + split.holdout.n_rows(), 17);
        assert!(texts(&split.train, "y").iter().all(|y| !y.is_empty()));
        assert!(texts(&split.holdout, "y").iter().all(|y| !y.is_empty()));
        assert_eq!(split.task, Task::Binary);
    }

    #[test]
    fn a_dataset_that_cannot_be_split_says_why() {
        let error = |csv: &str, target: &str| {
            split_dataset(&frame(csv), &AutomlOptions::new(target))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error("x,y\n1,\n2,\n", "y"),
            "target \"y\" has no values: every row is missing"
        );
        assert_eq!(error("x,y\n1,2\n", "z"), "column \"z\" not found");
        assert_eq!(
            error("x,y\n1,a\n2,a\n3,a\n4,a\n5,a\n6,a\n", "y"),
            "target \"y\" has a single class; there is nothing to learn"
        );
        assert_eq!(
            error("x,y\n1,a\n2,b\n3,a\n", "y"),
            "only 3 rows to train on; a holdout split of a fifth of the rows needs at least 5"
        );
    }
}

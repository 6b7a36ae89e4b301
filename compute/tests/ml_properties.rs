//! Tree models on arbitrary small matrices with missing values: no panic, finite
//! predictions, probabilities that sum to 1, the same model for the same seed.

use compute::ml::{
    forest, gbdt, tree, Control, DesignMatrix, EarlyStopping, ForestParams, GbdtParams, Model,
    Task, TrainSet, TreeParams,
};
use proptest::prelude::*;

/// A cell: mostly small numbers (so ties and repeated values occur), sometimes missing.
fn cell() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => (-5i32..5).prop_map(f64::from),
        3 => -1e3f64..1e3,
        1 => Just(f64::NAN),
    ]
}

/// (task, matrix, target) with 1–40 rows and 1–4 features, the last one categorical when
/// `categorical`.
fn train_set() -> impl Strategy<Value = TrainSet> {
    (1usize..40, 1usize..5, 0usize..3, any::<bool>()).prop_flat_map(|(n, p, task, categorical)| {
        let columns = proptest::collection::vec(proptest::collection::vec(cell(), n), p);
        let n_classes = [0usize, 2, 3][task];
        let y = if n_classes == 0 {
            proptest::collection::vec(-100f64..100.0, n).boxed()
        } else {
            proptest::collection::vec((0..n_classes).prop_map(|c| c as f64), n).boxed()
        };
        (columns, y).prop_map(move |(mut columns, y)| {
            let mut n_categories = vec![None; p];
            if categorical {
                n_categories[p - 1] = Some(4);
                for value in columns[p - 1].iter_mut() {
                    *value = if value.is_nan() {
                        f64::NAN
                    } else {
                        value.abs() % 4.0
                    };
                }
            }
            let x = DesignMatrix::new(n, columns, n_categories).unwrap();
            let (task, classes) = match n_classes {
                0 => (Task::Regression, vec![]),
                2 => (Task::Binary, vec!["a".into(), "b".into()]),
                _ => (Task::Multiclass, vec!["a".into(), "b".into(), "c".into()]),
            };
            TrainSet::from_matrix(x, y, task, classes).unwrap()
        })
    })
}

fn go_on(_: compute::ml::Progress) -> Control {
    Control::Continue
}

fn fit_all(train: &TrainSet, seed: u64) -> Vec<Model> {
    let gbdt_params = GbdtParams {
        max_iter: 5,
        min_samples_leaf: 2,
        early_stopping: if seed.is_multiple_of(2) {
            EarlyStopping::On
        } else {
            EarlyStopping::Off
        },
        ..GbdtParams::default()
    };
    let forest_params = ForestParams {
        n_estimators: 3,
        ..ForestParams::default()
    };
    vec![
        gbdt::fit(train, &gbdt_params, seed, &mut go_on)
            .unwrap()
            .into(),
        forest::fit(train, &forest_params, seed, &mut go_on)
            .unwrap()
            .into(),
        tree::fit(train, &TreeParams::default(), seed, &mut go_on)
            .unwrap()
            .into(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fits_predict_finite_values_and_repeat(train in train_set(), seed in 0u64..4) {
        let models = fit_all(&train, seed);
        for model in &models {
            let predicted = model.predict(&train.x).unwrap();
            prop_assert_eq!(predicted.len(), train.x.n_rows());
            prop_assert!(predicted.iter().all(|v| v.is_finite()));
            if train.task().is_classification() {
                for p in model.predict_proba(&train.x).unwrap() {
                    prop_assert_eq!(p.len(), train.n_classes());
                    prop_assert!(p.iter().all(|v| v.is_finite() && (-1e-12..=1.0 + 1e-12).contains(v)));
                    prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
                }
            } else {
                prop_assert!(model.predict_proba(&train.x).is_err());
            }
        }
        prop_assert_eq!(fit_all(&train, seed), models);
    }
}

//! Histogram gradient boosting like scikit-learn's `HistGradientBoostingRegressor` / `…Classifier`: squared error, log loss and multinomial log loss, early stopping on a held-out loss, a per-iteration trace.

use serde::{Deserialize, Serialize};

use super::bin::BinMapper;
use super::grow::{grow, GrowParams, LeafValue, RowStats, Scratch, Tree};
use super::matrix::{DesignMatrix, FeatureSpec, TrainSet};
use super::rng::{shuffle, SplitMix64};
use super::{
    ClassWeight, Control, EarlyStopping, GbdtParams, IterationRecord, MlError, Progress, Task,
    TrainTrace,
};

/// Early stopping is on by default above this many training rows (scikit-learn's `"auto"`).
pub const AUTO_EARLY_STOPPING_ROWS: usize = 10_000;
/// Children must hold at least this much hessian (scikit-learn's `min_hessian_to_split`).
const MIN_HESSIAN_TO_SPLIT: f64 = 1e-3;

/// A fitted boosted model: a baseline plus, per iteration, one tree per output (one output
/// for regression and binary, one per class for multiclass).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GbdtModel {
    pub spec: FeatureSpec,
    pub params: GbdtParams,
    pub baseline: Vec<f64>,
    pub trees: Vec<Vec<Tree>>,
    pub trace: TrainTrace,
}

/// Fits a boosted model on `train`; `progress` hears about every iteration and may cancel.
pub fn fit(
    train: &TrainSet,
    params: &GbdtParams,
    seed: u64,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<GbdtModel, MlError> {
    params.check()?;
    let n = train.x.n_rows();
    if n == 0 {
        return Err(MlError::NoRows);
    }
    if train.x.n_features() == 0 {
        return Err(MlError::NoFeatures);
    }
    let task = train.task();
    let n_outputs = if task == Task::Multiclass {
        train.n_classes()
    } else {
        1
    };
    let mut rng = SplitMix64::new(seed);
    let weights = sample_weights(train, params.class_weight);

    let early_stopping = match params.early_stopping {
        EarlyStopping::Auto => n > AUTO_EARLY_STOPPING_ROWS,
        EarlyStopping::On => true,
        EarlyStopping::Off => false,
    };
    let (train_rows, validation_rows) = if early_stopping {
        validation_split(train, params.validation_fraction, &mut rng)
    } else {
        ((0..n).collect(), Vec::new())
    };
    let subset = |rows: &[usize]| -> (DesignMatrix, Vec<f64>, Option<Vec<f64>>) {
        (
            train.x.select_rows(rows),
            rows.iter().map(|&row| train.y[row]).collect(),
            weights
                .as_ref()
                .map(|weights| rows.iter().map(|&row| weights[row]).collect()),
        )
    };
    let (x_train, y_train, w_train) = if early_stopping {
        subset(&train_rows)
    } else {
        (train.x.clone(), train.y.clone(), weights.clone())
    };
    let (x_val, y_val, w_val) = subset(&validation_rows);
    let mapper = BinMapper::fit(
        &x_train,
        params.max_bins,
        params.native_categorical,
        rng.next_u64(),
    );
    let binned = mapper.transform(&x_train);
    let binned_val = mapper.transform(&x_val);
    let n_train = binned.n_rows();
    let n_val = binned_val.n_rows();
    if n_train == 0 {
        return Err(MlError::NoRows);
    }

    let loss = Loss { task, n_outputs };
    let baseline = loss.baseline(&y_train, w_train.as_deref());
    let mut raw_train: Vec<f64> = baseline
        .iter()
        .copied()
        .cycle()
        .take(n_train * n_outputs)
        .collect();
    let mut raw_val: Vec<f64> = baseline
        .iter()
        .copied()
        .cycle()
        .take(n_val * n_outputs)
        .collect();
    let mut trace = TrainTrace {
        iterations: vec![IterationRecord {
            iteration: 0,
            train_loss: loss.loss(&y_train, &raw_train, w_train.as_deref()),
            validation_loss: early_stopping.then(|| loss.loss(&y_val, &raw_val, w_val.as_deref())),
            n_leaves: 0,
        }],
        stopped_early: false,
        n_train,
        n_validation: n_val,
    };

    let grow_params = GrowParams {
        max_leaf_nodes: params.max_leaf_nodes,
        max_depth: params.max_depth,
        min_samples_leaf: params.min_samples_leaf,
        min_samples_split: 2,
        min_hessian_to_split: MIN_HESSIAN_TO_SPLIT,
        l2_regularization: params.l2_regularization,
        max_features: binned.n_features(),
        leaf_value: LeafValue::Newton {
            shrinkage: params.learning_rate,
        },
    };
    let constant_hessian = task == Task::Regression && w_train.is_none();
    let mut gradients = vec![0.0; n_train * n_outputs];
    let mut hessians = vec![
        0.0;
        if constant_hessian {
            0
        } else {
            n_train * n_outputs
        }
    ];
    let mut rows: Vec<u32> = Vec::with_capacity(n_train);
    let mut scratch = Scratch::default();
    let mut trees: Vec<Vec<Tree>> = Vec::with_capacity(params.max_iter);
    let mut validation_losses: Vec<f64> = trace.iterations[0].validation_loss.into_iter().collect();

    for iteration in 1..=params.max_iter {
        loss.gradients(
            &y_train,
            &raw_train,
            w_train.as_deref(),
            &mut gradients,
            &mut hessians,
        );
        let mut iteration_trees = Vec::with_capacity(n_outputs);
        let mut n_leaves = 0;
        for output in 0..n_outputs {
            let block = output * n_train..(output + 1) * n_train;
            let stats = RowStats {
                k: 1,
                gradients: &gradients[block.clone()],
                hessians: (!constant_hessian).then(|| &hessians[block]),
                targets: None,
            };
            rows.clear();
            rows.extend(0..n_train as u32);
            let (tree, leaves) = grow(
                &binned,
                &mapper,
                &stats,
                &mut rows,
                &grow_params,
                &mut rng,
                &mut scratch,
            );
            for leaf in &leaves {
                let value = tree.values[leaf.value_index];
                for &row in &rows[leaf.start..leaf.end] {
                    raw_train[row as usize * n_outputs + output] += value;
                }
            }
            for row in 0..n_val {
                raw_val[row * n_outputs + output] += tree.leaf_values_binned(&binned_val, row)[0];
            }
            n_leaves += tree.n_leaves();
            iteration_trees.push(tree);
        }
        let all_stumps = n_leaves == n_outputs;
        trees.push(iteration_trees);
        let validation_loss = early_stopping.then(|| loss.loss(&y_val, &raw_val, w_val.as_deref()));
        let record = IterationRecord {
            iteration,
            train_loss: loss.loss(&y_train, &raw_train, w_train.as_deref()),
            validation_loss,
            n_leaves,
        };
        trace.iterations.push(record);
        if progress(Progress {
            fraction_done: iteration as f64 / params.max_iter as f64,
            steps_done: iteration,
            iteration: Some(record),
        }) == Control::Cancel
        {
            return Err(MlError::Cancelled);
        }
        if let Some(validation_loss) = validation_loss {
            validation_losses.push(validation_loss);
            if should_stop(&validation_losses, params.n_iter_no_change, params.tol) {
                trace.stopped_early = true;
                break;
            }
        }
        if all_stumps {
            // Every tree of this iteration is a single leaf: nothing is left to learn.
            break;
        }
    }
    Ok(GbdtModel {
        spec: train.spec.clone(),
        params: params.clone(),
        baseline,
        trees,
        trace,
    })
}

/// scikit-learn's `_should_stop` on losses: stop when none of the last `n_iter_no_change`
/// losses is below the one before them by more than `tol`.
fn should_stop(losses: &[f64], n_iter_no_change: usize, tol: f64) -> bool {
    if losses.len() <= n_iter_no_change {
        return false;
    }
    let reference = losses[losses.len() - 1 - n_iter_no_change];
    !losses[losses.len() - n_iter_no_change..]
        .iter()
        .any(|&loss| loss < reference - tol)
}

/// Row weights from the class weights (`None` when every row weighs 1).
pub(crate) fn sample_weights(train: &TrainSet, class_weight: ClassWeight) -> Option<Vec<f64>> {
    if class_weight == ClassWeight::None || !train.task().is_classification() {
        return None;
    }
    let n_classes = train.n_classes();
    let mut counts = vec![0usize; n_classes];
    for &class in &train.y {
        counts[class as usize] += 1;
    }
    let n = train.y.len() as f64;
    let per_class: Vec<f64> = counts
        .iter()
        .map(|&count| {
            if count == 0 {
                0.0
            } else {
                n / (n_classes as f64 * count as f64)
            }
        })
        .collect();
    Some(
        train
            .y
            .iter()
            .map(|&class| per_class[class as usize])
            .collect(),
    )
}

/// A shuffled split holding out `fraction` of the rows, stratified by class for
/// classification (like `train_test_split(…, stratify=y)`).
fn validation_split(
    train: &TrainSet,
    fraction: f64,
    rng: &mut SplitMix64,
) -> (Vec<usize>, Vec<usize>) {
    let n = train.y.len();
    let groups: Vec<Vec<usize>> = if train.task().is_classification() {
        let mut groups = vec![Vec::new(); train.n_classes()];
        for (row, &class) in train.y.iter().enumerate() {
            groups[class as usize].push(row);
        }
        groups
    } else {
        vec![(0..n).collect()]
    };
    let (mut kept, mut held) = (Vec::new(), Vec::new());
    for mut group in groups {
        shuffle(rng, &mut group);
        let n_held =
            ((group.len() as f64 * fraction).round() as usize).min(group.len().saturating_sub(1));
        held.extend_from_slice(&group[..n_held]);
        kept.extend_from_slice(&group[n_held..]);
    }
    kept.sort_unstable();
    held.sort_unstable();
    (kept, held)
}

struct Loss {
    task: Task,
    n_outputs: usize,
}

fn weighted_mean(values: impl Iterator<Item = f64>, weights: Option<&[f64]>) -> f64 {
    let (mut total, mut weight_total) = (0.0, 0.0);
    match weights {
        Some(weights) => {
            for (value, &weight) in values.zip(weights) {
                total += value * weight;
                weight_total += weight;
            }
        }
        None => {
            for value in values {
                total += value;
                weight_total += 1.0;
            }
        }
    }
    if weight_total > 0.0 {
        total / weight_total
    } else {
        0.0
    }
}

fn sigmoid(raw: f64) -> f64 {
    1.0 / (1.0 + (-raw).exp())
}

/// `log(1 + exp(x))` without overflow.
fn log1p_exp(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

impl Loss {
    /// The raw prediction before any tree: the (weighted) mean, the log odds, or the log
    /// class priors.
    fn baseline(&self, y: &[f64], weights: Option<&[f64]>) -> Vec<f64> {
        match self.task {
            Task::Regression => vec![weighted_mean(y.iter().copied(), weights)],
            Task::Binary => {
                let p = weighted_mean(y.iter().copied(), weights).clamp(1e-15, 1.0 - 1e-15);
                vec![(p / (1.0 - p)).ln()]
            }
            Task::Multiclass => {
                let logs: Vec<f64> = (0..self.n_outputs)
                    .map(|class| {
                        let p = weighted_mean(
                            y.iter().map(|&c| f64::from(u8::from(c as usize == class))),
                            weights,
                        );
                        p.clamp(1e-15, 1.0).ln()
                    })
                    .collect();
                let mean = logs.iter().sum::<f64>() / logs.len() as f64;
                logs.iter().map(|log| log - mean).collect()
            }
        }
    }

    /// The (weighted) mean loss: half squared error, log loss, or multinomial log loss, as
    /// scikit-learn's losses define them.
    fn loss(&self, y: &[f64], raw: &[f64], weights: Option<&[f64]>) -> f64 {
        let k = self.n_outputs;
        match self.task {
            Task::Regression => weighted_mean(
                y.iter()
                    .zip(raw)
                    .map(|(y, raw)| 0.5 * (y - raw) * (y - raw)),
                weights,
            ),
            Task::Binary => weighted_mean(
                y.iter().zip(raw).map(|(y, &raw)| log1p_exp(raw) - y * raw),
                weights,
            ),
            Task::Multiclass => weighted_mean(
                y.iter().enumerate().map(|(row, &class)| {
                    let scores = &raw[row * k..(row + 1) * k];
                    log_sum_exp(scores) - scores[class as usize]
                }),
                weights,
            ),
        }
    }

    /// Gradients and hessians of every row for every output; output `o`'s are at
    /// `o * n .. (o + 1) * n`. `hessians` is empty for unweighted squared error (all 1).
    fn gradients(
        &self,
        y: &[f64],
        raw: &[f64],
        weights: Option<&[f64]>,
        gradients: &mut [f64],
        hessians: &mut [f64],
    ) {
        let n = y.len();
        let k = self.n_outputs;
        let weight = |row: usize| weights.map_or(1.0, |weights| weights[row]);
        match self.task {
            Task::Regression => {
                for row in 0..n {
                    gradients[row] = (raw[row] - y[row]) * weight(row);
                    if !hessians.is_empty() {
                        hessians[row] = weight(row);
                    }
                }
            }
            Task::Binary => {
                for row in 0..n {
                    let p = sigmoid(raw[row]);
                    let w = weight(row);
                    gradients[row] = (p - y[row]) * w;
                    hessians[row] = (p * (1.0 - p)).max(1e-16) * w;
                }
            }
            Task::Multiclass => {
                let mut p = vec![0.0; k];
                for row in 0..n {
                    softmax(&raw[row * k..(row + 1) * k], &mut p);
                    let w = weight(row);
                    let class = y[row] as usize;
                    for (output, &p) in p.iter().enumerate() {
                        let target = f64::from(u8::from(output == class));
                        gradients[output * n + row] = (p - target) * w;
                        hessians[output * n + row] = (p * (1.0 - p)).max(1e-16) * w;
                    }
                }
            }
        }
    }
}

fn log_sum_exp(scores: &[f64]) -> f64 {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + scores.iter().map(|s| (s - max).exp()).sum::<f64>().ln()
}

pub(crate) fn softmax(scores: &[f64], out: &mut [f64]) {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for (o, &s) in out.iter_mut().zip(scores) {
        *o = (s - max).exp();
        total += *o;
    }
    for o in out.iter_mut() {
        *o /= total;
    }
}

impl GbdtModel {
    pub fn task(&self) -> Task {
        self.spec.target.task
    }

    /// Raw scores, row-major with one column per output.
    pub fn decision_function(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        check_features(&self.spec, x)?;
        let k = self.baseline.len();
        let mut raw: Vec<f64> = self
            .baseline
            .iter()
            .copied()
            .cycle()
            .take(x.n_rows() * k)
            .collect();
        for iteration in &self.trees {
            for (output, tree) in iteration.iter().enumerate() {
                for row in 0..x.n_rows() {
                    raw[row * k + output] += tree.leaf_values(x, row)[0];
                }
            }
        }
        Ok(raw)
    }

    /// Regression: the predicted values; classification: the predicted class indices.
    pub fn predict(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        if self.task() == Task::Regression {
            return self.decision_function(x);
        }
        Ok(self
            .predict_proba(x)?
            .iter()
            .map(|p| argmax(p) as f64)
            .collect())
    }

    /// Class probabilities per row, classes in `spec.target.classes` order.
    pub fn predict_proba(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        let raw = self.decision_function(x)?;
        match self.task() {
            Task::Regression => Err(MlError::NotAClassifier {
                model: "gradient boosting",
            }),
            Task::Binary => Ok(raw
                .iter()
                .map(|&raw| {
                    let p = sigmoid(raw);
                    vec![1.0 - p, p]
                })
                .collect()),
            Task::Multiclass => {
                let k = self.baseline.len();
                Ok(raw
                    .chunks(k)
                    .map(|scores| {
                        let mut p = vec![0.0; k];
                        softmax(scores, &mut p);
                        p
                    })
                    .collect())
            }
        }
    }

    /// Boosting iterations kept (scikit-learn's `n_iter_`).
    pub fn n_iter(&self) -> usize {
        self.trees.len()
    }

    /// Scores of a matrix binned by a mapper (for tests comparing with the raw path).
    #[cfg(test)]
    fn decision_function_binned(&self, x: &super::bin::BinnedMatrix) -> Vec<f64> {
        let k = self.baseline.len();
        let mut raw: Vec<f64> = self
            .baseline
            .iter()
            .copied()
            .cycle()
            .take(x.n_rows() * k)
            .collect();
        for iteration in &self.trees {
            for (output, tree) in iteration.iter().enumerate() {
                for row in 0..x.n_rows() {
                    raw[row * k + output] += tree.leaf_values_binned(x, row)[0];
                }
            }
        }
        raw
    }
}

pub(crate) fn check_features(spec: &FeatureSpec, x: &DesignMatrix) -> Result<(), MlError> {
    if x.n_features() != spec.n_features() {
        return Err(MlError::FeatureCountMismatch {
            expected: spec.n_features(),
            found: x.n_features(),
        });
    }
    Ok(())
}

/// The index of the largest value (the first on ties, like `numpy.argmax`).
pub(crate) fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &value) in values.iter().enumerate() {
        if value > values[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never_cancel(_: Progress) -> Control {
        Control::Continue
    }

    #[test]
    fn should_stop_like_sklearn() {
        assert!(!should_stop(&[1.0, 0.9, 0.8], 2, 1e-7));
        assert!(should_stop(&[1.0, 0.9, 0.95, 0.91], 2, 1e-7));
        assert!(!should_stop(&[1.0, 0.9, 0.95, 0.89], 2, 1e-7));
    }

    #[test]
    fn learns_a_step_and_raw_and_binned_paths_agree() {
        let n = 400;
        let x0: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
        let x1: Vec<f64> = (0..n)
            .map(|i| {
                if i % 7 == 0 {
                    f64::NAN
                } else {
                    (i % 13) as f64
                }
            })
            .collect();
        let y: Vec<f64> = x0
            .iter()
            .map(|&v| if v > 0.5 { 10.0 } else { 0.0 })
            .collect();
        let x = DesignMatrix::numeric(n, vec![x0, x1]).unwrap();
        let train = TrainSet::from_matrix(x.clone(), y.clone(), Task::Regression, vec![]).unwrap();
        let model = fit(&train, &GbdtParams::default(), 0, &mut never_cancel).unwrap();
        let predicted = model.predict(&x).unwrap();
        let mse: f64 = predicted
            .iter()
            .zip(&y)
            .map(|(p, y)| (p - y) * (p - y))
            .sum::<f64>()
            / n as f64;
        assert!(mse < 0.01, "mse {mse}");
        let mapper = BinMapper::fit(&x, 255, true, 0);
        let binned = model.decision_function_binned(&mapper.transform(&x));
        for (a, b) in binned.iter().zip(&predicted) {
            assert!((a - b).abs() < 1e-9);
        }
        // The trace starts at the baseline and the training loss falls.
        let first = model.trace.iterations[0].train_loss;
        let last = model.trace.iterations.last().unwrap().train_loss;
        assert!(last < first / 100.0);
    }

    #[test]
    fn cancel_stops_the_fit() {
        let x = DesignMatrix::numeric(50, vec![(0..50).map(f64::from).collect()]).unwrap();
        let y = (0..50).map(|i| f64::from(i % 2)).collect();
        let train =
            TrainSet::from_matrix(x, y, Task::Binary, vec!["a".into(), "b".into()]).unwrap();
        let mut calls = 0;
        let result = fit(&train, &GbdtParams::default(), 0, &mut |_| {
            calls += 1;
            if calls == 3 {
                Control::Cancel
            } else {
                Control::Continue
            }
        });
        assert_eq!(result.unwrap_err(), MlError::Cancelled);
    }
}

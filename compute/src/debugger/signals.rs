//! The signals of a fitted model for the post-fit rules: its trace, class counts, tree depths, importance shares and scores; learning curves by training-set size for any model; one-feature scores for TargetLeakage.
//!
//! A worker composes them after a fit on a split's training rows: [`model_signals`] for
//! the model itself, then (both refit models, so they cost several fits) [`learning_curve`]
//! and [`single_feature_scores`], plus the candidate's fold scores from the leaderboard;
//! [`diagnose`](super::diagnose) reads the result.

use super::{
    leakage_metric, loss_from_score, ClassCount, FeatureScore, LearningCurvePoint, ModelSignals,
};
use crate::automl::cv::Fold;
use crate::automl::evaluate::{
    classification_metric, dummy_classification_scores, dummy_classifier, dummy_regressor,
    regression_metric, sample_rows,
};
use crate::automl::{ModelSpec, IMPORTANCE_REPEATS, MAX_IMPORTANCE_ROWS};
use crate::ml::importance::score;
use crate::ml::metrics::{class_indices, confusion_matrix, regression_scores};
use crate::ml::{
    permutation_importance, tree, Control, DesignMatrix, FeatureSpec, Metric, MlError, Model, Task,
    TrainSet, TreeParams,
};
use crate::profile::kernels::SplitMix64;

/// The training-set sizes of a learning curve, as fractions of the training rows.
pub const LEARNING_CURVE_FRACTIONS: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 1.0];

/// The smallest leaf of TargetLeakage's one-feature trees. They are limited by leaf size,
/// not depth: on one feature, greedy splits peel about one class off per level (ten equal
/// classes need depth 9, and depth 5 misses a fifth of them). Scoring on held-out rows
/// keeps memorized noise from passing for a leak; leaves of five rows keep the trees small.
pub const LEAKAGE_MIN_SAMPLES_LEAF: usize = 5;

/// TargetLeakage fits and scores on at most this many training and validation rows each
/// (a seeded sample), so the check stays a fraction of the fit it follows.
pub const MAX_LEAKAGE_ROWS: usize = 10_000;

/// The signals of `model`, fitted on `fold.train_rows` of `train`: its trace (boosting,
/// logistic regression), the training class counts, the validation confusion matrix, its
/// trees' depths and configured `max_depth`, importance per feature (impurity or gain for
/// tree models, permutation importance on validation rows for the others), and its scores
/// by `metric` on the training rows, the validation rows, and the dummy baseline's on the
/// training rows. Learning curve, fold scores and one-feature scores are left empty.
pub fn model_signals(
    model: &Model,
    train: &TrainSet,
    fold: &Fold,
    metric: Metric,
    seed: u64,
) -> Result<ModelSignals, MlError> {
    let task = train.task();
    let mut signals = ModelSignals::new(task, metric);
    let x_train = train.x.select_rows(&fold.train_rows);
    let y_train: Vec<f64> = fold.train_rows.iter().map(|&row| train.y[row]).collect();
    let x_validation = train.x.select_rows(&fold.validation_rows);
    let y_validation: Vec<f64> = fold
        .validation_rows
        .iter()
        .map(|&row| train.y[row])
        .collect();

    signals.trace = match model {
        Model::Gbdt(model) => model.trace.iterations.clone(),
        Model::Logistic(model) => model.trace.iterations.clone(),
        _ => Vec::new(),
    };
    if task.is_classification() {
        let mut counts = vec![0u64; train.n_classes()];
        for &class in &y_train {
            counts[class as usize] += 1;
        }
        signals.class_counts = train
            .spec
            .target
            .classes
            .iter()
            .zip(counts)
            .map(|(class, count)| ClassCount {
                class: class.clone(),
                count,
            })
            .collect();
        if !y_validation.is_empty() {
            let predicted = class_indices(&model.predict(&x_validation)?);
            signals.validation_confusion = Some(confusion_matrix(
                &class_indices(&y_validation),
                &predicted,
                train.n_classes(),
            ));
        }
    }
    let depths = tree_depths(model);
    signals.tree_depths = depths.depths;
    signals.max_depth = depths.max_depth;
    signals.feature_importances = importances(model, &x_validation, &y_validation, metric, seed)?;
    signals.train_score = Some(score(model, &x_train, &y_train, metric)?);
    if !y_validation.is_empty() {
        signals.validation_score = Some(score(model, &x_validation, &y_validation, metric)?);
    }
    signals.baseline_score = Some(baseline_score(&y_train, task, train.n_classes(), metric));
    Ok(signals)
}

/// The dummy baseline's score by `metric` on the rows it was fitted on: the mean
/// (`DummyRegressor`) or the most frequent class (`DummyClassifier(strategy=
/// "most_frequent")`), as the evaluation report's baseline.
pub fn baseline_score(y_train: &[f64], task: Task, n_classes: usize, metric: Metric) -> f64 {
    if task == Task::Regression {
        let mean = dummy_regressor(y_train);
        regression_metric(
            metric,
            &regression_scores(y_train, &vec![mean; y_train.len()]),
        )
    } else {
        let majority = dummy_classifier(y_train, n_classes);
        let scores = dummy_classification_scores(&class_indices(y_train), majority, n_classes);
        classification_metric(metric, &scores)
    }
}

struct Depths {
    depths: Vec<usize>,
    max_depth: Option<usize>,
}

/// The depth of every tree of a model (boosting: every tree of every iteration), and the
/// largest `max_depth` its tree models were given (`None` if any was unlimited, or the
/// model has no trees).
fn tree_depths(model: &Model) -> Depths {
    let mut depths = Vec::new();
    let mut limits: Vec<Option<usize>> = Vec::new();
    collect_depths(model, &mut depths, &mut limits);
    let max_depth = if limits.is_empty() || limits.contains(&None) {
        None
    } else {
        limits.into_iter().flatten().max()
    };
    Depths { depths, max_depth }
}

fn collect_depths(model: &Model, depths: &mut Vec<usize>, limits: &mut Vec<Option<usize>>) {
    // A node is a leaf when its feature is u32::MAX (`ml::grow::Node`); its children are
    // indices into the same node list.
    macro_rules! depth_of {
        ($tree:expr) => {
            depth(
                &$tree
                    .nodes
                    .iter()
                    .map(|node| {
                        (node.feature != u32::MAX)
                            .then_some((node.left as usize, node.right as usize))
                    })
                    .collect::<Vec<_>>(),
            )
        };
    }
    match model {
        Model::Gbdt(model) => {
            depths.extend(model.trees.iter().flatten().map(|tree| depth_of!(tree)));
            limits.push(model.params.max_depth);
        }
        Model::Forest(model) => {
            depths.extend(model.trees.iter().map(|tree| depth_of!(tree)));
            limits.push(model.params.max_depth);
        }
        Model::Tree(model) => {
            depths.push(depth_of!(model.tree));
            limits.push(model.params.max_depth);
        }
        Model::Ensemble(ensemble) => {
            for member in &ensemble.members {
                collect_depths(member, depths, limits);
            }
        }
        Model::Linear(_)
        | Model::Logistic(_)
        | Model::Knn(_)
        | Model::NaiveBayes(_)
        | Model::Text(_) => {}
    }
}

/// The depth of a tree given each node's children (`None` for a leaf), the root at index
/// 0: a lone leaf has depth 0.
fn depth(children: &[Option<(usize, usize)>]) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(0usize, 0usize)];
    while let Some((node, level)) = stack.pop() {
        match children.get(node).copied().flatten() {
            Some((left, right)) => {
                stack.push((left, level + 1));
                stack.push((right, level + 1));
            }
            None => deepest = deepest.max(level),
        }
    }
    deepest
}

/// Importance per feature: impurity decrease for trees and forests, summed split gains for
/// boosting, permutation importance (seeded, on at most
/// [`MAX_IMPORTANCE_ROWS`] validation rows) for every other model.
fn importances(
    model: &Model,
    x_validation: &DesignMatrix,
    y_validation: &[f64],
    metric: Metric,
    seed: u64,
) -> Result<Vec<FeatureScore>, MlError> {
    let spec: &FeatureSpec = model.spec();
    let named = |values: Vec<f64>| -> Vec<FeatureScore> {
        spec.features
            .iter()
            .zip(values)
            .map(|(feature, value)| FeatureScore {
                feature: feature.name.clone(),
                value,
            })
            .collect()
    };
    Ok(match model {
        Model::Tree(model) => named(model.feature_importances.clone()),
        Model::Forest(model) => named(model.feature_importances.clone()),
        Model::Gbdt(model) => {
            let mut gains = vec![0.0; spec.n_features()];
            for tree in model.trees.iter().flatten() {
                tree.add_gains(&mut gains);
            }
            named(gains)
        }
        _ => {
            if y_validation.is_empty() {
                return Ok(Vec::new());
            }
            let rows = sample_rows(y_validation.len(), MAX_IMPORTANCE_ROWS, seed);
            let x = x_validation.select_rows(&rows);
            let y: Vec<f64> = rows.iter().map(|&row| y_validation[row]).collect();
            permutation_importance(model, &x, &y, metric, IMPORTANCE_REPEATS, seed)?
                .into_iter()
                .map(|importance| FeatureScore {
                    feature: importance.feature,
                    value: importance.importances_mean,
                })
                .collect()
        }
    })
}

/// `fold.train_rows` in a seeded order whose every prefix holds each class in about its
/// share (rows of a class spread evenly over the order), so a learning curve's small
/// training sets are not missing classes by chance.
fn stratified_order(train: &TrainSet, rows: &[usize], seed: u64) -> Vec<usize> {
    let n_groups = if train.task().is_classification() {
        train.n_classes()
    } else {
        1
    };
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
    for &row in rows {
        let group = if n_groups == 1 {
            0
        } else {
            train.y[row] as usize
        };
        groups[group].push(row);
    }
    let mut rng = SplitMix64::new(seed);
    let mut keyed: Vec<(f64, usize, usize)> = Vec::with_capacity(rows.len());
    for (group_index, group) in groups.iter_mut().enumerate() {
        for i in (1..group.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            group.swap(i, j);
        }
        let len = group.len() as f64;
        for (position, &row) in group.iter().enumerate() {
            keyed.push(((position as f64 + 0.5) / len, group_index, row));
        }
    }
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, _, row)| row).collect()
}

/// A learning curve: `spec` fitted on growing prefixes (`fractions` of the training rows,
/// in [`stratified_order`]) and scored by `metric` on each prefix and on the validation
/// rows. Sizes are rounded, at least one row, and repeated sizes are fitted once.
/// Deterministic for a seed.
pub fn learning_curve(
    spec: &ModelSpec,
    train: &TrainSet,
    fold: &Fold,
    metric: Metric,
    fractions: &[f64],
    seed: u64,
) -> Result<Vec<LearningCurvePoint>, MlError> {
    if fold.train_rows.is_empty() {
        return Err(MlError::NoRows);
    }
    if let Some(&bad) = fractions
        .iter()
        .find(|f| f.is_nan() || **f <= 0.0 || **f > 1.0)
    {
        return Err(MlError::InvalidParameter {
            name: "fractions",
            reason: format!("must lie in (0, 1], got {bad}"),
        });
    }
    let order = stratified_order(train, &fold.train_rows, seed);
    let x_validation = train.x.select_rows(&fold.validation_rows);
    let y_validation: Vec<f64> = fold
        .validation_rows
        .iter()
        .map(|&row| train.y[row])
        .collect();
    let mut points: Vec<LearningCurvePoint> = Vec::with_capacity(fractions.len());
    for &fraction in fractions {
        let n = ((fraction * order.len() as f64).round() as usize).clamp(1, order.len());
        if points.iter().any(|p| p.n_train_rows == n) {
            continue;
        }
        let mut rows = order[..n].to_vec();
        rows.sort_unstable();
        let subset = train.select_rows(&rows);
        let model = spec.fit(&subset, seed, &mut |_| Control::Continue)?;
        let train_score = score(&model, &subset.x, &subset.y, metric)?;
        let validation_score = score(&model, &x_validation, &y_validation, metric)?;
        points.push(LearningCurvePoint {
            n_train_rows: n,
            fraction,
            train_score,
            validation_score,
            train_loss: loss_from_score(metric, train_score),
            validation_loss: loss_from_score(metric, validation_score),
        });
    }
    Ok(points)
}

/// For every feature, a decision tree (leaves of at least [`LEAKAGE_MIN_SAMPLES_LEAF`]
/// rows) fitted on that feature alone (on at most [`MAX_LEAKAGE_ROWS`] of the training rows) and scored on the
/// validation rows by [`leakage_metric`]: balanced accuracy or r2.
pub fn single_feature_scores(
    train: &TrainSet,
    fold: &Fold,
    seed: u64,
) -> Result<Vec<FeatureScore>, MlError> {
    let pick = |rows: &[usize], salt: u64| -> Vec<usize> {
        sample_rows(rows.len(), MAX_LEAKAGE_ROWS, seed ^ salt)
            .into_iter()
            .map(|i| rows[i])
            .collect()
    };
    let train_rows = pick(&fold.train_rows, 0);
    let validation_rows = pick(&fold.validation_rows, 0x9e37_79b9_7f4a_7c15);
    if train_rows.is_empty() || validation_rows.is_empty() {
        return Err(MlError::NoRows);
    }
    let metric = leakage_metric(train.task());
    let y_train: Vec<f64> = train_rows.iter().map(|&row| train.y[row]).collect();
    let y_validation: Vec<f64> = validation_rows.iter().map(|&row| train.y[row]).collect();
    let params = TreeParams {
        max_depth: None,
        min_samples_leaf: LEAKAGE_MIN_SAMPLES_LEAF,
        ..TreeParams::default()
    };
    let mut scores = Vec::with_capacity(train.x.n_features());
    for (feature, column_spec) in train.spec.features.iter().enumerate() {
        let column = train.x.column(feature);
        let categories = vec![train.x.n_categories(feature)];
        let one = |rows: &[usize]| {
            DesignMatrix::new(
                rows.len(),
                vec![rows.iter().map(|&row| column[row]).collect()],
                categories.clone(),
            )
        };
        let subset = TrainSet {
            x: one(&train_rows)?,
            y: y_train.clone(),
            spec: FeatureSpec {
                features: vec![column_spec.clone()],
                target: train.spec.target.clone(),
                text_columns: Vec::new(),
            },
            dropped_rows: 0,
        };
        let model: Model = tree::fit(&subset, &params, seed, &mut |_| Control::Continue)?.into();
        scores.push(FeatureScore {
            feature: column_spec.name.clone(),
            value: score(&model, &one(&validation_rows)?, &y_validation, metric)?,
        });
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_levels_below_the_root() {
        assert_eq!(depth(&[None]), 0);
        // 0 → (1, 2); 2 → (3, 4); 4 → (5, 6).
        let children = [
            Some((1, 2)),
            None,
            Some((3, 4)),
            None,
            Some((5, 6)),
            None,
            None,
        ];
        assert_eq!(depth(&children), 3);
    }

    #[test]
    fn every_prefix_of_the_stratified_order_keeps_the_class_shares() {
        let n = 200;
        // 150 rows of class 0, 50 of class 1.
        let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 4 == 0))).collect();
        let x = DesignMatrix::numeric(n, vec![(0..n).map(|i| i as f64).collect()]).unwrap();
        let train = TrainSet::from_matrix(x, y.clone(), Task::Binary, vec!["a".into(), "b".into()])
            .unwrap();
        let rows: Vec<usize> = (0..n).collect();
        let order = stratified_order(&train, &rows, 7);
        assert_eq!(order.len(), n);
        for prefix in [20, 50, 100] {
            let ones = order[..prefix].iter().filter(|&&r| y[r] == 1.0).count();
            assert!(ones.abs_diff(prefix / 4) <= 1, "{prefix}: {ones}");
        }
        assert_eq!(order, stratified_order(&train, &rows, 7));
        assert_ne!(order, stratified_order(&train, &rows, 8));
    }
}

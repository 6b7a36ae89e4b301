//! The Debugger: rules that watch a fit step by step and inspect the fitted model — SageMaker Debugger's LossNotDecreasing, Overfit, Overtraining, ClassImbalance, TreeDepth and FeatureImportanceOverweight with its defaults, plus Underfit, TargetLeakage and FoldSpread — each finding explaining itself with its numbers and suggesting a fix.
//!
//! The types here build without the `engine` feature: the UI chooses the rules, their
//! parameters and which of them stop training ([`DebuggerConfig`]), and shows
//! [`Finding`]s, [`LearningCurvePoint`]s and [`FoldSpread`]s. The work needs `engine`, in
//! the submodules:
//!
//! * `rules`: the rules on plain data. [`LiveDebugger`](rules::LiveDebugger) is fed one
//!   [`IterationRecord`] at a time (a fit's progress callback carries one per boosting or
//!   L-BFGS iteration) and says when a stop-rule fired; [`diagnose`](rules::diagnose) runs
//!   every enabled rule on a finished model's [`ModelSignals`];
//! * `signals`: the signals of a fitted model (trace, class counts, tree depths, importance
//!   shares, train / validation / dummy scores), learning curves by training-set size for
//!   any model, and one-feature scores for TargetLeakage.
//!
//! Every rule compares *losses*, lower better. A trace's losses are the fit's own (half
//! squared error, log loss, or the penalized logistic objective); a score becomes a loss by
//! [`loss_from_score`]: `1 − score` for scores whose best is 1 (accuracy, balanced
//! accuracy, macro F1, ROC AUC, r2) and `−score` for the negated errors (so RMSE, MAE and
//! log loss themselves).
//!
//! SageMaker's defaults are quoted from "List of Debugger built-in rules" in the Amazon
//! SageMaker developer guide (<https://docs.aws.amazon.com/sagemaker/latest/dg/debugger-built-in-rules.html>);
//! each parameter's doc names its source.

use serde::{Deserialize, Serialize};

use crate::ml::{IterationRecord, Metric, Task};

#[cfg(feature = "engine")]
pub mod build;
#[cfg(feature = "engine")]
pub mod rules;
#[cfg(feature = "engine")]
pub mod signals;

#[cfg(feature = "engine")]
pub use rules::{diagnose, LiveDebugger, Observation};

/// A rule, by SageMaker Debugger's name where SageMaker has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rule {
    /// The loss did not fall over `num_steps` steps (SageMaker's `LossNotDecreasing`).
    LossNotDecreasing,
    /// Validation loss above training loss by more than `ratio_threshold` of the training
    /// loss (SageMaker's `Overfit`).
    Overfit,
    /// Training loss still improving while the validation loss stopped improving
    /// (SageMaker's `Overtraining`).
    Overtraining,
    /// Largest class over smallest class count too high, or a minority class mostly
    /// mispredicted (SageMaker's `ClassImbalance`).
    ClassImbalance,
    /// Fitted trees deeper than `depth` (SageMaker's `TreeDepth`).
    TreeDepth,
    /// The top `nfeatures` hold more than `threshold` of the importance (SageMaker's
    /// `FeatureImportanceOverweight`).
    FeatureImportanceOverweight,
    /// The model barely beats a dummy on its own training rows (not in SageMaker).
    Underfit,
    /// One feature alone predicts the target nearly perfectly (not in SageMaker).
    TargetLeakage,
    /// Cross-validation folds disagree by much of what the model gains over a dummy (not in
    /// SageMaker).
    FoldSpread,
}

impl Rule {
    /// Every rule, in the order a settings panel lists them.
    pub const ALL: [Rule; 9] = [
        Rule::LossNotDecreasing,
        Rule::Overfit,
        Rule::Overtraining,
        Rule::ClassImbalance,
        Rule::TreeDepth,
        Rule::FeatureImportanceOverweight,
        Rule::Underfit,
        Rule::TargetLeakage,
        Rule::FoldSpread,
    ];

    /// The rules that read a fit's steps and so can run live and stop it.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            Rule::LossNotDecreasing | Rule::Overfit | Rule::Overtraining
        )
    }

    /// The rule's name as SageMaker spells it (ours in the same style).
    pub fn name(self) -> &'static str {
        match self {
            Rule::LossNotDecreasing => "LossNotDecreasing",
            Rule::Overfit => "Overfit",
            Rule::Overtraining => "Overtraining",
            Rule::ClassImbalance => "ClassImbalance",
            Rule::TreeDepth => "TreeDepth",
            Rule::FeatureImportanceOverweight => "FeatureImportanceOverweight",
            Rule::Underfit => "Underfit",
            Rule::TargetLeakage => "TargetLeakage",
            Rule::FoldSpread => "FoldSpread",
        }
    }
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; the model may be fine.
    Info,
    /// The model is likely worse than it could be.
    Warning,
    /// The model's scores cannot be trusted (e.g. a leak).
    Critical,
}

/// One number behind a finding, by name (e.g. `ratio` 0.43).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub name: String,
    pub value: f64,
}

/// What a rule found: a title, an explanation with the numbers that triggered it, a
/// concrete fix, and the numbers themselves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    /// The fit's step (boosting or L-BFGS iteration) the rule fired at; `None` for rules
    /// on the finished model.
    pub step: Option<usize>,
    pub severity: Severity,
    pub title: String,
    pub explanation: String,
    pub suggestion: String,
    pub evidence: Vec<Evidence>,
}

/// SageMaker's `LossNotDecreasing`: every `num_steps` steps, the loss must have fallen by
/// at least `diff_percent` percent since the step `num_steps` before. The validation loss
/// is read when the fit has one, else the training loss (SageMaker reads `EVAL` before
/// `TRAIN`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LossNotDecreasingParams {
    /// SageMaker's default: 10.
    pub num_steps: usize,
    /// SageMaker's default: none, "checks if the loss is decreasing", i.e. 0.
    pub diff_percent: f64,
}

impl Default for LossNotDecreasingParams {
    fn default() -> Self {
        LossNotDecreasingParams {
            num_steps: 10,
            diff_percent: 0.0,
        }
    }
}

/// SageMaker's `Overfit`: from `start_step` on, `(validation − train) / train >
/// ratio_threshold` for `patience` consecutive steps. A training loss of 0 (a tree that
/// memorized its rows) makes the ratio undefined: the training loss is floored at
/// [`LOSS_FLOOR`], so any validation loss above that floor fires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OverfitParams {
    /// SageMaker's default: 0.
    pub start_step: usize,
    /// SageMaker's default: 1.
    pub patience: usize,
    /// SageMaker's default: 0.1.
    pub ratio_threshold: f64,
}

impl Default for OverfitParams {
    fn default() -> Self {
        OverfitParams {
            start_step: 0,
            patience: 1,
            ratio_threshold: 0.1,
        }
    }
}

/// SageMaker's `Overtraining`: the validation loss reached no new optimum for
/// `patience_validation` steps while the training loss reached one within the last
/// `patience_train` steps. A loss reaches a new optimum when it falls below the best so far
/// by more than `delta` of that best: SageMaker documents `delta` as "the minimum threshold
/// by how much the error should improve before it is considered as a new optimum" without
/// a unit, and we read it relative because our losses live on different scales (log loss,
/// half squared error in the target's units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OvertrainingParams {
    /// SageMaker's default: 5.
    pub patience_train: usize,
    /// SageMaker's default: 10.
    pub patience_validation: usize,
    /// SageMaker's default: 0.1.
    pub delta: f64,
}

impl Default for OvertrainingParams {
    fn default() -> Self {
        OvertrainingParams {
            patience_train: 5,
            patience_validation: 10,
            delta: 0.1,
        }
    }
}

/// SageMaker's `ClassImbalance`: the largest class count over the smallest above
/// `threshold_imbalance`, or a minority class (fewer than half the largest class's rows)
/// mispredicted on validation rows more often than `threshold_misprediction`. SageMaker
/// checks mispredictions for every class; we keep it to minority classes, since on
/// balanced data a class the model misses is Underfit's business, not imbalance's.
/// SageMaker's `samples` (labels to see before judging) does not apply: the whole training
/// target is counted at once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClassImbalanceParams {
    /// SageMaker's default: 10.
    pub threshold_imbalance: f64,
    /// SageMaker's default: 0.7.
    pub threshold_misprediction: f64,
}

impl Default for ClassImbalanceParams {
    fn default() -> Self {
        ClassImbalanceParams {
            threshold_imbalance: 10.0,
            threshold_misprediction: 0.7,
        }
    }
}

/// SageMaker's `TreeDepth`: the depth of the fitted trees against `depth`. SageMaker
/// measures a tree's depth as log2 of its largest node id (XGBoost numbers nodes level by
/// level); ours are counted exactly from the root. Fires when the deepest tree is deeper
/// than `depth`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TreeDepthParams {
    /// SageMaker's default: 4.
    pub depth: usize,
}

impl Default for TreeDepthParams {
    fn default() -> Self {
        TreeDepthParams { depth: 4 }
    }
}

/// SageMaker's `FeatureImportanceOverweight`: the `nfeatures` largest importance shares
/// sum to more than `threshold`. Negative (permutation) importances count as 0; with
/// `nfeatures` features or fewer the rule says nothing (their shares always sum to 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeatureImportanceOverweightParams {
    /// SageMaker's default: 0.8.
    pub threshold: f64,
    /// SageMaker's default: 3.
    pub nfeatures: usize,
}

impl Default for FeatureImportanceOverweightParams {
    fn default() -> Self {
        FeatureImportanceOverweightParams {
            threshold: 0.8,
            nfeatures: 3,
        }
    }
}

/// Underfit (ours): on its own training rows, the model closes less than `min_gap_closed`
/// of the gap between the dummy baseline's score and a perfect score, in the task's metric:
/// `(train − baseline) / (perfect − baseline) < min_gap_closed`. 0.25 because a model
/// that cannot get a quarter of the way from a dummy to perfect on rows it has seen lacks
/// capacity or features; a depth-1 tree on ten balanced classes is right on at most two
/// classes (accuracy about 0.2 against the dummy's 0.1, a ninth of the gap).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnderfitParams {
    pub min_gap_closed: f64,
}

impl Default for UnderfitParams {
    fn default() -> Self {
        UnderfitParams {
            min_gap_closed: 0.25,
        }
    }
}

/// TargetLeakage (ours): a decision tree on one feature alone scores at least
/// `threshold` on held-out rows: balanced accuracy for classes (so a majority class
/// cannot pass for a leak), r2 for numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetLeakageParams {
    pub threshold: f64,
}

impl Default for TargetLeakageParams {
    fn default() -> Self {
        TargetLeakageParams { threshold: 0.99 }
    }
}

/// FoldSpread (ours): the folds' score standard deviation exceeds `max_std_ratio` of the
/// mean fold score's distance from the dummy baseline (of its absolute value when no
/// baseline is known): the model's gain over a dummy is then partly the luck of the
/// partition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FoldSpreadParams {
    pub max_std_ratio: f64,
}

impl Default for FoldSpreadParams {
    fn default() -> Self {
        FoldSpreadParams { max_std_ratio: 0.1 }
    }
}

/// Every rule's parameters, each defaulting to SageMaker's (or ours, documented on the
/// rule).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleParams {
    pub loss_not_decreasing: LossNotDecreasingParams,
    pub overfit: OverfitParams,
    pub overtraining: OvertrainingParams,
    pub class_imbalance: ClassImbalanceParams,
    pub tree_depth: TreeDepthParams,
    pub feature_importance_overweight: FeatureImportanceOverweightParams,
    pub underfit: UnderfitParams,
    pub target_leakage: TargetLeakageParams,
    pub fold_spread: FoldSpreadParams,
}

/// Which rules run, with what parameters, and which of them stop training when they fire
/// (only live rules can: see [`Rule::is_live`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DebuggerConfig {
    pub enabled: Vec<Rule>,
    pub stop_on: Vec<Rule>,
    pub params: RuleParams,
}

impl Default for DebuggerConfig {
    /// Every rule on, none stopping training.
    fn default() -> Self {
        DebuggerConfig {
            enabled: Rule::ALL.to_vec(),
            stop_on: Vec::new(),
            params: RuleParams::default(),
        }
    }
}

impl DebuggerConfig {
    pub fn is_enabled(&self, rule: Rule) -> bool {
        self.enabled.contains(&rule)
    }
}

/// One point of a learning curve: the model fitted on the first `n_train_rows` of the
/// training rows (a seeded, class-stratified order), scored on those rows and on the
/// validation rows by the task's metric, with the scores as losses ([`loss_from_score`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearningCurvePoint {
    pub n_train_rows: usize,
    pub fraction: f64,
    pub train_score: f64,
    pub validation_score: f64,
    pub train_loss: f64,
    pub validation_loss: f64,
}

/// What the Debugger found about one build, stored with its report: the live rules' findings
/// during the refit, then the post-fit rules' on a diagnosis split of the training rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub findings: Vec<Finding>,
    /// The chosen model's learning curve on the diagnosis split.
    pub learning_curve: Vec<LearningCurvePoint>,
    /// The chosen candidate's cross-validation scores.
    pub fold_spread: Option<FoldSpread>,
    /// Set when a stop-rule ended the refit: the model kept is the fit up to that step.
    pub stopped: Option<Stopped>,
    /// Training rows the post-fit rules fitted on and scored on (a seeded sample of at
    /// most [`DIAGNOSIS_MAX_ROWS`] of the training rows, split four to one).
    pub n_diagnosis_rows: usize,
    pub train_score: Option<f64>,
    pub validation_score: Option<f64>,
    pub baseline_score: Option<f64>,
}

/// The post-fit rules fit on at most this many training rows (a seeded sample), so the
/// diagnosis stays a fraction of the build it follows.
pub const DIAGNOSIS_MAX_ROWS: usize = 20_000;

/// A stop-rule ended a fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stopped {
    pub rule: Rule,
    /// The iteration the rule fired at: the kept model has this many.
    pub step: usize,
}

/// Cross-validation scores of one candidate, fold by fold, with their mean and
/// (population) standard deviation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoldSpread {
    pub fold_scores: Vec<f64>,
    pub mean: f64,
    pub std: f64,
}

impl FoldSpread {
    pub fn new(fold_scores: Vec<f64>) -> FoldSpread {
        let n = fold_scores.len().max(1) as f64;
        let mean = fold_scores.iter().sum::<f64>() / n;
        let variance = fold_scores
            .iter()
            .map(|s| (s - mean) * (s - mean))
            .sum::<f64>()
            / n;
        FoldSpread {
            fold_scores,
            mean,
            std: variance.sqrt(),
        }
    }
}

/// A class and its training rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassCount {
    pub class: String,
    pub count: u64,
}

/// A number per feature: an importance, or a one-feature model's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureScore {
    pub feature: String,
    pub value: f64,
}

/// Everything the post-fit rules read about a model, as plain data (so they can be tested
/// without fitting anything). Empty vectors and `None`s mean "not known": the rules that
/// need them stay silent.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSignals {
    pub task: Task,
    /// The metric the scores below are in (higher better).
    pub metric: Metric,
    /// Per-iteration losses (boosting, logistic regression), replayed through the live rules.
    pub trace: Vec<IterationRecord>,
    pub learning_curve: Vec<LearningCurvePoint>,
    /// Training rows per class, classes in the model's order.
    pub class_counts: Vec<ClassCount>,
    /// `confusion[true][predicted]` on validation rows, classes in the model's order.
    pub validation_confusion: Option<Vec<Vec<u64>>>,
    /// Depth of every fitted tree (0 for a single leaf).
    pub tree_depths: Vec<usize>,
    /// The configured `max_depth`, `None` when unlimited.
    pub max_depth: Option<usize>,
    /// Importance per feature (any non-negative scale; shares are taken by the rule).
    pub feature_importances: Vec<FeatureScore>,
    /// The model's score on its own training rows.
    pub train_score: Option<f64>,
    pub validation_score: Option<f64>,
    /// The dummy baseline's score on the training rows (mean, or most frequent class).
    pub baseline_score: Option<f64>,
    pub fold_scores: Vec<f64>,
    /// Held-out score of a one-feature model per feature, in [`leakage_metric`].
    pub single_feature_scores: Vec<FeatureScore>,
}

impl ModelSignals {
    /// Signals of a `task` model scored by `metric`, nothing else known yet.
    pub fn new(task: Task, metric: Metric) -> ModelSignals {
        ModelSignals {
            task,
            metric,
            trace: Vec::new(),
            learning_curve: Vec::new(),
            class_counts: Vec::new(),
            validation_confusion: None,
            tree_depths: Vec::new(),
            max_depth: None,
            feature_importances: Vec::new(),
            train_score: None,
            validation_score: None,
            baseline_score: None,
            fold_scores: Vec::new(),
            single_feature_scores: Vec::new(),
        }
    }
}

/// The training loss below which [`OverfitParams`]'s ratio divides by this instead (a
/// memorized training set has loss 0).
pub const LOSS_FLOOR: f64 = 1e-9;

/// The best score `metric` can reach: 1 for accuracy, balanced accuracy, macro F1, ROC AUC
/// and r2; 0 for the negated errors.
pub fn perfect_score(metric: Metric) -> f64 {
    match metric {
        Metric::NegRootMeanSquaredError | Metric::NegMeanAbsoluteError | Metric::NegLogLoss => 0.0,
        Metric::R2
        | Metric::Accuracy
        | Metric::BalancedAccuracy
        | Metric::F1Macro
        | Metric::RocAuc => 1.0,
    }
}

/// A score as a loss, lower better: its distance below [`perfect_score`] (`1 − accuracy`,
/// `1 − r2`, RMSE, MAE, log loss).
pub fn loss_from_score(metric: Metric, score: f64) -> f64 {
    perfect_score(metric) - score
}

/// The metric TargetLeakage scores one-feature models by: balanced accuracy for classes,
/// r2 for numbers.
pub fn leakage_metric(task: Task) -> Metric {
    if task.is_classification() {
        Metric::BalancedAccuracy
    } else {
        Metric::R2
    }
}

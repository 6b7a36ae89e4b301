//! Runs from a training job: the build's parent run and one child run per candidate its search tried, read from the AutoML report.
//!
//! Names follow MLflow's scikit-learn autolog and scikit-learn itself, so a user who knows
//! either reads them at once:
//!
//! * **params** (text, as MLflow keeps them): the job's `task`, `target`, `build`,
//!   `metric` (the scorer, e.g. `f1_macro`), `validation` (e.g. `5-fold cross-validation`)
//!   with `cv_folds`/`cv_repeats` or `validation_split`, `seed`, `n_train_rows`,
//!   `n_features`; the model's `algorithm` (`gbdt`, `forest`, … as in the model spec),
//!   `estimator` (scikit-learn's class, e.g. `HistGradientBoostingClassifier`) and every
//!   hyper-parameter by its scikit-learn name (`max_depth`, `learning_rate`). Values are
//!   written as Python's `str()` writes them (`None`, `True`, `0.1`), as autolog does;
//!   nested settings get dotted keys (`preprocess.missing_category`) and an ensemble's
//!   members `member_<i>.<name>`.
//! * **metrics** of the build: the holdout scores by the names of the studio's score
//!   types, which are scikit-learn's metric functions' (`accuracy`, `balanced_accuracy`,
//!   `macro_f1`, `weighted_f1`, `roc_auc`, `log_loss`; `r2`, `rmse`, `mae`, `mape`), the
//!   dummy baseline's as `baseline_<name>`, then `cv_<scorer>` and `cv_<scorer>_std` (mean
//!   and standard deviation over the folds, e.g. `cv_f1_macro`; the scorer keeps
//!   scikit-learn's scorer name, `neg_…` included), `fit_secs` (the refit), `search_secs`.
//!   Each candidate has `cv_<scorer>`, `cv_<scorer>_std`, `fit_secs` and `rank`.
//! * **history**: the best model's `train_loss` and `validation_loss` per boosting (or
//!   L-BFGS) iteration, and `fold_<scorer>` per fold when there are at least two folds.
//!   A metric with a history also has its last step's value among the metrics, as MLflow
//!   shows a metric's latest value.
//! * **tags**: `source` = `automl`, `algorithm`, `estimator`, `label` (the spec's short
//!   description), `build`; a candidate's `best` = `true` when it is the model kept,
//!   `error` with a failed candidate's message, `skipped` = `time_budget` for one never
//!   launched.
//!
//! JSON has no NaN or infinity and runs are stored as JSON, so a score that is not finite
//! (ROC AUC on a fold holding one class) is left out rather than stored.

use std::collections::BTreeMap;

use serde_json::Value as Json;
use thiserror::Error;

use super::{MetricHistory, MetricStep, RunKind, RunRecord, RunStatus, RUN_SCHEMA_VERSION};
use crate::automl::{
    metric_name, task_name, AutomlReport, Build, CandidateStatus, EvaluationDetail, LeaderboardRow,
    ModelSpec, Validation,
};
use crate::debugger::Diagnosis;
use crate::ml::{ClassificationScores, RegressionScores, TrainTrace};

/// The ids of a build's runs.
#[derive(Clone, Debug, PartialEq)]
pub enum RunIds {
    /// Candidates get `<build_run_id>-c<candidate>`, `<candidate>` being the candidate's
    /// index in the search (stable across leaderboard orders).
    Derived { build_run_id: String },
    /// Fresh ids from the caller: one per leaderboard row, in its order.
    Given {
        build_run_id: String,
        candidate_run_ids: Vec<String>,
    },
}

impl RunIds {
    fn build_run_id(&self) -> &str {
        match self {
            RunIds::Derived { build_run_id } | RunIds::Given { build_run_id, .. } => build_run_id,
        }
    }
}

/// What the report does not know about its job.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildContext<'a> {
    pub experiment_id: String,
    pub run_ids: RunIds,
    /// `None`: `<estimator> on <dataset>`.
    pub run_name: Option<String>,
    /// The stored model the build produced.
    pub model_id: Option<String>,
    /// The Train action that records the build in lineage.
    pub action_id: Option<String>,
    pub dataset_id: Option<String>,
    pub dataset_name: Option<String>,
    pub dataset_content_hash: Option<String>,
    pub recipe_hashes: Vec<String>,
    pub started_at_ms: f64,
    pub duration_secs: f64,
    pub code_version: String,
    /// The kept model's training trace, when it has one (boosting, logistic regression).
    pub trace: Option<&'a TrainTrace>,
}

/// A build's runs: the parent, then one child per leaderboard row in its order.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildRuns {
    pub build: RunRecord,
    pub candidates: Vec<RunRecord>,
}

impl BuildRuns {
    /// Every run, the build first.
    pub fn into_runs(self) -> Vec<RunRecord> {
        let mut runs = vec![self.build];
        runs.extend(self.candidates);
        runs
    }
}

#[derive(Clone, Debug, Error, PartialEq)]
pub enum BuildRunsError {
    #[error("{given} candidate run ids given for a leaderboard of {expected} rows")]
    CandidateIdCount { expected: usize, given: usize },
}

/// The runs that record one AutoML build.
pub fn runs_for_build(
    report: &AutomlReport,
    context: &BuildContext<'_>,
) -> Result<BuildRuns, BuildRunsError> {
    let build_run_id = context.run_ids.build_run_id().to_string();
    let candidate_ids: Vec<String> = match &context.run_ids {
        RunIds::Derived { build_run_id } => report
            .leaderboard
            .iter()
            .map(|row| format!("{build_run_id}-c{}", row.candidate))
            .collect(),
        RunIds::Given {
            candidate_run_ids, ..
        } => {
            if candidate_run_ids.len() != report.leaderboard.len() {
                return Err(BuildRunsError::CandidateIdCount {
                    expected: report.leaderboard.len(),
                    given: candidate_run_ids.len(),
                });
            }
            candidate_run_ids.clone()
        }
    };
    let scorer = metric_name(report.metric);
    let ended_ms = (context.started_at_ms + context.duration_secs * 1000.0).round();
    let job_params = job_params(report);

    let mut build = base_run(context, build_run_id.clone(), report.seed);
    build.kind = RunKind::Build;
    build.name = context.run_name.clone().unwrap_or_else(|| {
        let estimator = report.best.spec.algorithm(report.task);
        match &context.dataset_name {
            Some(dataset) => format!("{estimator} on {dataset}"),
            None => estimator.to_string(),
        }
    });
    build.status = RunStatus::Finished;
    build.duration_secs = context.duration_secs;
    build.params = job_params.clone();
    build.params.extend(model_params(&report.best.spec, report));
    build.model_id = context.model_id.clone();
    build.action_id = context.action_id.clone();
    build.tags = model_tags(&report.best, report);
    if !report.excluded_columns.is_empty() {
        build.tags.insert(
            "excluded_columns".to_string(),
            serde_json::to_string(&report.excluded_columns).expect("a list of strings serializes"),
        );
    }
    if !report.warnings.is_empty() {
        build
            .tags
            .insert("warnings".to_string(), report.warnings.join("\n"));
    }
    if let Some(holdout) = &report.holdout {
        let (scores, baseline) = holdout_scores(&holdout.detail);
        for (name, value) in &scores {
            insert_finite(&mut build.metrics, name, *value);
        }
        for (name, value) in &baseline {
            insert_finite(&mut build.metrics, &format!("baseline_{name}"), *value);
        }
        build
            .params
            .insert("n_test_rows".to_string(), holdout.n_rows.to_string());
    }
    cv_metrics(&mut build, &report.best, scorer, ended_ms);
    insert_finite(&mut build.metrics, "fit_secs", report.refit_secs);
    insert_finite(&mut build.metrics, "search_secs", report.search_secs);
    if let Some(trace) = context.trace {
        let train = trace
            .iterations
            .iter()
            .map(|record| (record.iteration as u64, record.train_loss));
        push_history(&mut build, "train_loss", train, ended_ms);
        let validation = trace.iterations.iter().filter_map(|record| {
            record
                .validation_loss
                .map(|loss| (record.iteration as u64, loss))
        });
        push_history(&mut build, "validation_loss", validation, ended_ms);
    }
    if let Some(diagnosis) = &report.diagnosis {
        with_diagnosis(&mut build, diagnosis, ended_ms);
    }

    let candidates = report
        .leaderboard
        .iter()
        .zip(candidate_ids)
        .map(|(row, run_id)| {
            let mut run = base_run(context, run_id, report.seed);
            run.kind = RunKind::Candidate;
            run.parent_run_id = Some(build_run_id.clone());
            run.name = row.label.clone();
            run.duration_secs = row.fit_secs;
            run.params = job_params.clone();
            run.params.extend(model_params(&row.spec, report));
            run.tags = model_tags(row, report);
            run.status = match &row.status {
                CandidateStatus::Done => RunStatus::Finished,
                CandidateStatus::Failed { message } => {
                    run.tags.insert("error".to_string(), message.clone());
                    RunStatus::Failed
                }
                CandidateStatus::Skipped => {
                    run.tags
                        .insert("skipped".to_string(), "time_budget".to_string());
                    RunStatus::Killed
                }
            };
            if row.candidate == report.best.candidate && row.spec == report.best.spec {
                run.tags.insert("best".to_string(), "true".to_string());
            }
            cv_metrics(&mut run, row, scorer, ended_ms);
            insert_finite(&mut run.metrics, "fit_secs", row.fit_secs);
            if let Some(rank) = row.rank {
                run.metrics.insert("rank".to_string(), rank as f64);
            }
            run
        })
        .collect();
    Ok(BuildRuns { build, candidates })
}

/// The Debugger's diagnosis on the build's run: its findings, the learning curve as
/// `learning_curve_train_score` / `learning_curve_validation_score` by training rows, and
/// tags a filter can match: `debugger.findings` (the rules that fired, comma-separated)
/// and `debugger.stopped_by` (the rule that ended training, if one did).
fn with_diagnosis(run: &mut RunRecord, diagnosis: &Diagnosis, ended_ms: f64) {
    run.findings = diagnosis.findings.clone();
    let points = &diagnosis.learning_curve;
    let train = points
        .iter()
        .map(|p| (p.n_train_rows as u64, p.train_score));
    push_history(run, "learning_curve_train_score", train, ended_ms);
    let validation = points
        .iter()
        .map(|p| (p.n_train_rows as u64, p.validation_score));
    push_history(run, "learning_curve_validation_score", validation, ended_ms);
    let fired: Vec<&str> = diagnosis.findings.iter().map(|f| f.rule.name()).collect();
    run.tags
        .insert("debugger.findings".to_string(), fired.join(","));
    if let Some(stopped) = &diagnosis.stopped {
        run.tags.insert(
            "debugger.stopped_by".to_string(),
            format!("{} at iteration {}", stopped.rule.name(), stopped.step),
        );
    }
}

/// A run with the context's fields and nothing else; the caller fills the rest.
pub(super) fn base_run(context: &BuildContext<'_>, run_id: String, seed: u64) -> RunRecord {
    RunRecord {
        schema_version: RUN_SCHEMA_VERSION,
        run_id,
        experiment_id: context.experiment_id.clone(),
        name: String::new(),
        kind: RunKind::Build,
        parent_run_id: None,
        // The report keeps no clock per candidate: they started with the search.
        started_at_ms: context.started_at_ms,
        status: RunStatus::Finished,
        duration_secs: 0.0,
        params: BTreeMap::new(),
        metrics: BTreeMap::new(),
        history: Vec::new(),
        dataset_id: context.dataset_id.clone(),
        dataset_name: context.dataset_name.clone(),
        dataset_content_hash: context.dataset_content_hash.clone(),
        recipe_hashes: context.recipe_hashes.clone(),
        seed: Some(seed),
        code_version: context.code_version.clone(),
        tags: BTreeMap::new(),
        notes: String::new(),
        artifacts: Vec::new(),
        model_id: None,
        action_id: None,
        findings: Vec::new(),
    }
}

/// The params every run of the job shares.
fn job_params(report: &AutomlReport) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    let mut put = |key: &str, value: String| {
        params.insert(key.to_string(), value);
    };
    put("task", task_name(report.task).to_string());
    put("target", report.target.clone());
    put(
        "build",
        match report.build {
            Build::Quick => "quick",
            Build::Standard => "standard",
        }
        .to_string(),
    );
    put("metric", metric_name(report.metric).to_string());
    put("validation", report.validation.describe());
    match report.validation {
        Validation::CrossValidation { n_folds, n_repeats } => {
            put("cv_folds", n_folds.to_string());
            put("cv_repeats", n_repeats.to_string());
        }
        Validation::Holdout { fraction } => put("validation_split", python_float(fraction)),
    }
    put("seed", report.seed.to_string());
    put("n_train_rows", report.n_train_rows.to_string());
    put("n_features", report.features.len().to_string());
    params
}

/// Python's `str()` of a float: `0.1`, `3.0`, `1e-07`.
fn python_float(value: f64) -> String {
    serde_json::Number::from_f64(value).map_or_else(
        || super::table::non_finite_text(value).to_string(),
        |number| number.to_string(),
    )
}

/// The model's params: `algorithm`, `estimator` and its hyper-parameters.
fn model_params(spec: &ModelSpec, report: &AutomlReport) -> BTreeMap<String, String> {
    let mut params = spec_params(spec);
    params.insert(
        "estimator".to_string(),
        spec.algorithm(report.task).to_string(),
    );
    params
}

/// A model spec's hyper-parameters flattened to MLflow params, with `algorithm` (the
/// spec's serde tag: `gbdt`, `forest`, `ensemble`, …).
pub fn spec_params(spec: &ModelSpec) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    let json = serde_json::to_value(spec).expect("a model spec serializes as JSON");
    if let Some(algorithm) = json.get("algorithm").and_then(Json::as_str) {
        params.insert("algorithm".to_string(), algorithm.to_string());
    }
    match spec {
        ModelSpec::Ensemble(ensemble) => {
            params.insert("n_members".to_string(), ensemble.members.len().to_string());
            for (index, member) in ensemble.members.iter().enumerate() {
                for (key, value) in spec_params(member) {
                    params.insert(format!("member_{index}.{key}"), value);
                }
            }
        }
        _ => {
            if let Some(Json::Object(fields)) = json.get("params") {
                for (key, value) in fields {
                    flatten(key, value, &mut params);
                }
            }
        }
    }
    params
}

/// One JSON value as params: scalars as Python writes them, objects with dotted keys,
/// arrays with their index. A one-entry object holding a scalar is how serde writes an
/// enum variant with data (`MaxFeatures::Fraction(0.5)` is `{"fraction": 0.5}`): it
/// becomes that scalar, which is what scikit-learn takes (`max_features=0.5`).
fn flatten(key: &str, value: &Json, params: &mut BTreeMap<String, String>) {
    match value {
        Json::Null => {
            params.insert(key.to_string(), "None".to_string());
        }
        Json::Bool(b) => {
            params.insert(
                key.to_string(),
                if *b { "True" } else { "False" }.to_string(),
            );
        }
        Json::Number(n) => {
            params.insert(key.to_string(), n.to_string());
        }
        Json::String(s) => {
            params.insert(key.to_string(), s.clone());
        }
        Json::Array(items) if items.is_empty() => {
            params.insert(key.to_string(), "[]".to_string());
        }
        Json::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                flatten(&format!("{key}.{index}"), item, params);
            }
        }
        Json::Object(fields) => {
            let mut entries = fields.iter();
            match (entries.next(), entries.next()) {
                (Some((_, inner)), None) if !inner.is_object() && !inner.is_array() => {
                    flatten(key, inner, params)
                }
                _ => {
                    for (field, inner) in fields {
                        flatten(&format!("{key}.{field}"), inner, params);
                    }
                }
            }
        }
    }
}

fn model_tags(row: &LeaderboardRow, report: &AutomlReport) -> BTreeMap<String, String> {
    let spec_tag = serde_json::to_value(&row.spec)
        .ok()
        .and_then(|json| {
            json.get("algorithm")
                .and_then(Json::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    BTreeMap::from([
        ("source".to_string(), "automl".to_string()),
        ("algorithm".to_string(), spec_tag),
        (
            "estimator".to_string(),
            row.spec.algorithm(report.task).to_string(),
        ),
        ("label".to_string(), row.label.clone()),
        (
            "build".to_string(),
            match report.build {
                Build::Quick => "quick",
                Build::Standard => "standard",
            }
            .to_string(),
        ),
    ])
}

fn cv_metrics(run: &mut RunRecord, row: &LeaderboardRow, scorer: &str, ended_ms: f64) {
    if let Some(mean) = row.cv_mean {
        insert_finite(&mut run.metrics, &format!("cv_{scorer}"), mean);
    }
    if let Some(std) = row.cv_std {
        insert_finite(&mut run.metrics, &format!("cv_{scorer}_std"), std);
    }
    if row.fold_scores.len() >= 2 {
        let folds = row
            .fold_scores
            .iter()
            .enumerate()
            .map(|(fold, &score)| (fold as u64, score));
        push_history(run, &format!("fold_{scorer}"), folds, ended_ms);
    }
}

/// Adds a history of finite values, and its last value among the metrics.
fn push_history(
    run: &mut RunRecord,
    key: &str,
    steps: impl Iterator<Item = (u64, f64)>,
    timestamp_ms: f64,
) {
    let steps: Vec<MetricStep> = steps
        .filter(|(_, value)| value.is_finite())
        .map(|(step, value)| MetricStep {
            step,
            value,
            timestamp_ms,
        })
        .collect();
    if let Some(last) = steps.last() {
        run.metrics.insert(key.to_string(), last.value);
        run.history.push(MetricHistory {
            key: key.to_string(),
            steps,
        });
    }
}

pub(super) fn insert_finite(metrics: &mut BTreeMap<String, f64>, key: &str, value: f64) {
    if value.is_finite() {
        metrics.insert(key.to_string(), value);
    }
}

/// Scores by their names.
type NamedScores = Vec<(&'static str, f64)>;

/// The holdout's scores and the baseline's, by name.
fn holdout_scores(detail: &EvaluationDetail) -> (NamedScores, NamedScores) {
    match detail {
        EvaluationDetail::Regression {
            scores, baseline, ..
        } => (regression(scores), regression(baseline)),
        EvaluationDetail::Classification {
            scores, baseline, ..
        } => (classification(scores), classification(baseline)),
    }
}

fn regression(scores: &RegressionScores) -> NamedScores {
    let mut named = vec![
        ("r2", scores.r2),
        ("rmse", scores.rmse),
        ("mae", scores.mae),
    ];
    if let Some(mape) = scores.mape {
        named.push(("mape", mape));
    }
    named
}

fn classification(scores: &ClassificationScores) -> NamedScores {
    let mut named = vec![
        ("accuracy", scores.accuracy),
        ("balanced_accuracy", scores.balanced_accuracy),
        ("macro_precision", scores.macro_precision),
        ("macro_recall", scores.macro_recall),
        ("macro_f1", scores.macro_f1),
        ("weighted_precision", scores.weighted_precision),
        ("weighted_recall", scores.weighted_recall),
        ("weighted_f1", scores.weighted_f1),
        ("log_loss", scores.log_loss),
    ];
    if let Some(roc_auc) = scores.roc_auc {
        named.push(("roc_auc", roc_auc));
    }
    named
}

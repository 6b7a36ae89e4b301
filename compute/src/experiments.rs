//! Experiments like MLflow's tracking: every training run (each AutoML candidate too) with its parameters, metrics (final and per step), dataset and recipe hashes, seed, status, tags and notes, grouped in experiments.
//!
//! The records here are stored (IndexedDB stores `experiments` and `runs`) and shown by the
//! UI, so they build without the `engine` feature. A build (one training job) is a parent
//! run; each candidate its search tried is a child run (`parent_run_id`), as MLflow nests
//! runs. Keys of params, metrics and tags are MLflow's: free text without `/` at either end.
//!
//! What the worker does with them lives in the submodules, pure functions on `&[RunRecord]`
//! that build without the `engine` feature (plain Rust and serde):
//!
//! * `build`: the runs of one training job, from its AutoML report;
//! * `filter`: the filter language of MLflow's `search_runs`
//!   (`metrics.r2 > 0.8 and params.max_depth < 8`);
//! * `table`: the runs table's query (filter, search, sort, columns) and its row windows;
//! * `compare`: 2–20 runs side by side, their curves, parallel coordinates and scatter;
//! * `csv`: runs as a CSV file;
//! * `mlflow`: runs written as and read from MLflow's `mlruns/` folder layout.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod build;
pub mod compare;
pub mod csv;
pub mod filter;
pub mod forecast;
pub mod mlflow;
pub mod table;
mod yaml;

pub use build::{runs_for_build, BuildContext, BuildRuns, BuildRunsError, RunIds};
pub use compare::{
    compare_runs, select_runs, CompareError, CompareOptions, Comparison, HistoryView,
};
pub use csv::runs_csv;
pub use filter::{parse_filter, Filter, QueryError};
pub use forecast::runs_for_forecast;
pub use mlflow::{mlflow_folder, read_mlflow_folder, ImportError, MlflowExport, MlflowImport};
pub use table::{default_columns, query_runs, Cell, RunQuery, RunRow, RunWindow, SortKey};

/// The shape experiment and run records are written in today.
pub const RUN_SCHEMA_VERSION: u32 = 1;

/// A named group of runs. By default one per dataset name and target ("penguins → species").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentRecord {
    pub schema_version: u32,
    pub experiment_id: String,
    pub name: String,
    pub created_at_ms: f64,
    /// Set for a default experiment: the dataset name and target it gathers.
    #[serde(default)]
    pub dataset_name: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl ExperimentRecord {
    /// The default experiment of a dataset and target, named like `penguins → species`.
    /// An experiment a user named (not tied to a dataset and target).
    pub fn named(
        experiment_id: impl Into<String>,
        name: &str,
        created_at_ms: f64,
    ) -> ExperimentRecord {
        ExperimentRecord {
            schema_version: RUN_SCHEMA_VERSION,
            experiment_id: experiment_id.into(),
            name: name.to_string(),
            created_at_ms,
            dataset_name: None,
            target: None,
            tags: BTreeMap::new(),
        }
    }

    pub fn default_for(
        experiment_id: impl Into<String>,
        dataset_name: &str,
        target: &str,
        created_at_ms: f64,
    ) -> ExperimentRecord {
        ExperimentRecord {
            schema_version: RUN_SCHEMA_VERSION,
            experiment_id: experiment_id.into(),
            name: format!("{dataset_name} → {target}"),
            created_at_ms,
            dataset_name: Some(dataset_name.to_string()),
            target: Some(target.to_string()),
            tags: BTreeMap::new(),
        }
    }
}

/// The default experiment gathering the runs of `dataset_name` and `target`, if there is
/// one yet (a user-named experiment never is, even with the same dataset and target).
pub fn default_experiment<'a>(
    experiments: &'a [ExperimentRecord],
    dataset_name: &str,
    target: &str,
) -> Option<&'a ExperimentRecord> {
    experiments.iter().find(|experiment| {
        experiment.dataset_name.as_deref() == Some(dataset_name)
            && experiment.target.as_deref() == Some(target)
            && experiment.name == format!("{dataset_name} → {target}")
    })
}

/// A run's state, by MLflow's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunStatus {
    Running,
    Finished,
    Failed,
    Killed,
}

impl RunStatus {
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Running => "RUNNING",
            RunStatus::Finished => "FINISHED",
            RunStatus::Failed => "FAILED",
            RunStatus::Killed => "KILLED",
        }
    }
}

/// What a run stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// One training job: a build (AutoML or one chosen algorithm) that produced a model.
    Build,
    /// One candidate a build's search cross-validated (a child of its build's run).
    Candidate,
    /// Read from an MLflow-style folder.
    Imported,
}

/// One value of a metric at a step (a boosting iteration, a fold, a training-set size).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricStep {
    pub step: u64,
    pub value: f64,
    pub timestamp_ms: f64,
}

/// A metric's values over the steps of a run, in step order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricHistory {
    pub key: String,
    pub steps: Vec<MetricStep>,
}

/// Something a run produced or keeps: the model, plot data, a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunArtifact {
    pub name: String,
    /// The lineage artifact, when the studio stores it.
    #[serde(default)]
    pub artifact_id: Option<String>,
    /// BLAKE3 hex of its content, when known.
    #[serde(default)]
    pub content_hash: Option<String>,
}

/// One run: everything needed to compare it with others and to trace it back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema_version: u32,
    pub run_id: String,
    pub experiment_id: String,
    pub name: String,
    pub kind: RunKind,
    /// The build's run, for a candidate.
    #[serde(default)]
    pub parent_run_id: Option<String>,
    pub status: RunStatus,
    pub started_at_ms: f64,
    pub duration_secs: f64,
    pub params: BTreeMap<String, String>,
    /// Final values (the last step's value for a metric with a history).
    pub metrics: BTreeMap<String, f64>,
    /// Per-step values: training and validation loss per iteration, score per fold,
    /// learning curves by training-set size.
    #[serde(default)]
    pub history: Vec<MetricHistory>,
    #[serde(default)]
    pub dataset_id: Option<String>,
    #[serde(default)]
    pub dataset_name: Option<String>,
    /// BLAKE3 hex of the dataset version's canonical content.
    #[serde(default)]
    pub dataset_content_hash: Option<String>,
    /// Content hashes of the recipes that made the dataset version, oldest first.
    #[serde(default)]
    pub recipe_hashes: Vec<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    pub code_version: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub artifacts: Vec<RunArtifact>,
    /// The stored model a build produced.
    #[serde(default)]
    pub model_id: Option<String>,
    /// The Train action that records this run in lineage.
    #[serde(default)]
    pub action_id: Option<String>,
    /// What the Debugger's rules found (a build's run, when they ran).
    #[serde(default)]
    pub findings: Vec<crate::debugger::Finding>,
}

impl RunRecord {
    /// The history of metric `key`, if the run logged one.
    pub fn history(&self, key: &str) -> Option<&MetricHistory> {
        self.history.iter().find(|history| history.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_experiments_are_found_by_dataset_and_target() {
        let penguins = ExperimentRecord::default_for("e1", "penguins", "species", 1.0);
        assert_eq!(penguins.name, "penguins → species");
        let mut renamed = ExperimentRecord::default_for("e2", "penguins", "island", 2.0);
        renamed.name = "islands, tuned".to_string();
        let experiments = [renamed, penguins];
        assert_eq!(
            default_experiment(&experiments, "penguins", "species").map(|e| &e.experiment_id[..]),
            Some("e1")
        );
        assert!(default_experiment(&experiments, "penguins", "island").is_none());
        assert!(default_experiment(&experiments, "iris", "species").is_none());
    }
}

//! The worker protocol: one closed request enum and one event enum, versioned, every message carrying its request id.
//!
//! Messages cross `postMessage` as JSON text; a `File`/`Blob` handle may travel beside a
//! request (structured clone shares the handle, not the bytes). Errors cross as data: a
//! [`JobError`] with a kind and the sentence a user reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::records::DatasetRecord;

/// Bumped whenever a request or event changes shape; a worker refuses other versions.
pub const PROTOCOL_VERSION: u32 = 5;

/// Unique per client session; replies and progress carry the id of the request they answer.
pub type RequestId = u64;

/// What the UI sends to a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestEnvelope {
    pub protocol_version: u32,
    pub request_id: RequestId,
    pub request: Request,
}

/// What a worker sends back: any number of progress events, then exactly one terminal event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub protocol_version: u32,
    pub request_id: RequestId,
    pub event: Event,
}

/// Where the bytes of an import come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportSource {
    /// A `File` handle travels beside the request.
    AttachedFile,
    /// A file bundled with the app (a sample dataset), fetched by the worker.
    BundledSample { url: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Parse a CSV/TSV file in chunks and store it as a new dataset with its lineage.
    ImportCsv {
        source: ImportSource,
        file_name: String,
    },
    ListDatasets,
    /// Rows `[start, start + len)` of a dataset, as display strings.
    RowWindow {
        dataset_id: String,
        start: u64,
        len: u32,
    },
    RenameDataset {
        dataset_id: String,
        new_name: String,
    },
    DeleteDataset {
        dataset_id: String,
    },
    /// The audit log, oldest first, with whether its hash chain holds.
    AuditLog,
    /// Profile a dataset and report its data quality (with insights about `target` if
    /// given); computed once per content and target, then read from storage.
    ProfileDataset {
        dataset_id: String,
        target: Option<String>,
    },
    /// Apply `recipe` to the first `max_rows` rows of a dataset, for a live preview.
    PreviewRecipe {
        dataset_id: String,
        recipe: crate::recipe::Recipe,
        max_rows: u32,
    },
    /// Fit `recipe` on a whole dataset and store the result as a new version with lineage.
    ApplyRecipe {
        dataset_id: String,
        recipe: crate::recipe::Recipe,
        new_name: String,
    },
    /// A dataset version as CSV (formula-injection safe); the bytes travel beside the reply
    /// as a transferred `ArrayBuffer`, not inside the JSON.
    ExportCsv {
        dataset_id: String,
    },
    /// At most `max_points` rows of two numeric columns, for a scatter plot.
    SampleColumnPair {
        dataset_id: String,
        x: String,
        y: String,
        max_points: u32,
    },
    /// Save a recipe in the library under its name (replacing one of the same name).
    SaveRecipe {
        recipe: crate::recipe::Recipe,
    },
    /// The recipe library, by name.
    ListSavedRecipes,
    DeleteSavedRecipe {
        name: String,
    },
    /// A dataset version as an Arrow IPC file (see `compute::export::write_arrow`); the
    /// bytes travel beside the reply like an `ExportCsv`'s.
    ExportArrow {
        dataset_id: String,
    },
    /// AutoML on a dataset version: the rows are split (seeded, stratified for classes) into
    /// training rows and a 20% holdout; the search runs on the training rows, the best model
    /// is evaluated on the holdout and stored as a model with its Train lineage.
    TrainModel {
        dataset_id: String,
        /// The model's name; empty: `<target> from <dataset>`.
        name: String,
        options: crate::automl::AutomlOptions,
        /// How many other workers run shards `1..=helpers` of the candidate jobs
        /// ([`Request::TrainShard`]); this worker runs shard 0, waits for their results
        /// ([`Request::DeliverShard`]) and runs whatever they could not.
        #[serde(default)]
        helpers: u32,
        /// The experiment its run goes in, by name (created if new); empty: the default
        /// experiment of the dataset and target.
        #[serde(default)]
        experiment: String,
    },
    /// A helper's part of a `TrainModel`: the same rows, split and candidates, but only the
    /// candidate jobs of `shard`; the reply carries their fold results.
    TrainShard {
        dataset_id: String,
        options: crate::automl::AutomlOptions,
        shard: crate::automl::Shard,
    },
    /// A helper's fold results for the `TrainModel` request `target_request_id` (empty when
    /// the helper failed: the lead then runs those jobs itself).
    DeliverShard {
        target_request_id: RequestId,
        results: Vec<crate::automl::FoldResult>,
    },
    /// Every stored model, newest first, as summaries.
    ListModels,
    /// One stored model with its whole report.
    GetModel {
        model_id: String,
    },
    DeleteModel {
        model_id: String,
    },
    /// A what-if prediction on one row given as text per input column (a missing or empty
    /// value is missing); nothing is stored.
    PredictOne {
        model_id: String,
        values: BTreeMap<String, Option<String>>,
    },
    /// Batch prediction: the attached CSV file's rows through the model; the predictions CSV
    /// (the input columns, then `prediction` and `proba_<class>`) travels beside the reply,
    /// and the batch is recorded as a Predict action.
    PredictCsv {
        model_id: String,
        file_name: String,
    },
    /// A model as a file (a [`crate::records::ModelExport`] as JSON) beside the reply.
    ExportModel {
        model_id: String,
    },
    /// Stores the model in the attached exported model file as a new model.
    ImportModel {
        file_name: String,
    },
    /// Every experiment with how many runs it holds.
    ListExperiments,
    /// A window of the runs table: filtered, searched and sorted by the worker, which keeps
    /// the runs in memory (read again when another worker writes runs).
    QueryRuns {
        query: crate::experiments::table::RunQuery,
    },
    /// One run whole: params, metrics with their history, tags, notes, findings.
    GetRun {
        run_id: String,
    },
    /// 2–20 runs side by side, with chart data.
    CompareRuns {
        run_ids: Vec<String>,
        options: crate::experiments::compare::CompareOptions,
    },
    /// Replaces a run's tags and notes (the rest of a run is what happened and stays).
    UpdateRun {
        run_id: String,
        tags: BTreeMap<String, String>,
        notes: String,
    },
    /// The runs of an experiment (or all) as a CSV file beside the reply.
    ExportRunsCsv {
        experiment_id: Option<String>,
    },
    /// The runs of an experiment (or all) as a zip of an MLflow `mlruns/` folder beside the
    /// reply.
    ExportRunsMlflow {
        experiment_id: Option<String>,
    },
    /// Stores the runs of the attached zip of an MLflow `mlruns/` folder (ours or MLflow's).
    ImportRuns {
        file_name: String,
    },
    /// Stores the runs of an MLflow `mlruns/` folder picked whole: the attachment is its
    /// files one after the other (a Blob made of the Files, so the page reads no byte),
    /// `files` their paths inside the folder and sizes, in that order.
    ImportRunsFolder {
        folder_name: String,
        files: Vec<FolderFile>,
    },
    /// Fit a forecast model on a stored dataset version (candidates ranked by a
    /// rolling-origin backtest) and forecast `horizon` steps after each series' history;
    /// stored with its lineage and runs.
    TrainForecast {
        dataset_id: String,
        /// Empty: "<target> from <dataset>".
        name: String,
        options: crate::forecast::ForecastOptions,
        horizon: u64,
    },
    /// Batch forecast: the attached CSV of future rows (time column, item column and
    /// covariates as in training) through the model; the CSV with `prediction`, `p10`,
    /// `p50`, `p90` travels beside the reply, and the batch is recorded as a Predict action.
    ForecastCsv {
        forecast_id: String,
        file_name: String,
    },
    /// A forecast model as a file (a [`crate::records::ForecastExport`] as JSON) beside the
    /// reply.
    ExportForecast {
        forecast_id: String,
    },
    /// Stores the forecast model in the attached exported file as a new forecast model.
    ImportForecast {
        file_name: String,
    },
    /// Every stored forecast model, newest first, as summaries.
    ListForecasts,
    /// One stored forecast model with its whole report.
    GetForecast {
        forecast_id: String,
    },
    DeleteForecast {
        forecast_id: String,
    },
    /// What-if: series `item`'s forecast again with these future covariates (one list per
    /// covariate in the model's order, one value per step; `None` unknown); nothing is
    /// stored.
    WhatIfForecast {
        forecast_id: String,
        item: u64,
        covariates: Vec<Vec<Option<f64>>>,
    },
    /// Stop the request with this id; it ends with `JobError { kind: Cancelled }` and stores nothing.
    Cancel {
        target_request_id: RequestId,
    },
    /// Stores the images of a folder of class folders picked or dropped whole: the
    /// attachment is its files one after the other (as for [`Request::ImportRunsFolder`]),
    /// `files` their paths and sizes; a path ending in `/` (size 0) is a folder, so that an
    /// empty class folder a drop saw is refused by name.
    ImportImageFolder {
        folder_name: String,
        files: Vec<FolderFile>,
    },
    /// Stores the images of the attached zip of class folders.
    ImportImageZip {
        file_name: String,
    },
    /// Every stored image set, newest first, as summaries.
    ListImageSets,
    /// Thumbnails of an image set, their PNG bytes one after the other beside the reply.
    ImageThumbnails {
        image_set_id: String,
        select: ThumbnailSelect,
    },
    /// AutoML on an image set's features (pixels and HOG): a seeded, stratified fifth of the
    /// images held out, the search on the rest, the best model evaluated on the holdout and
    /// stored as an image model with its Train lineage and runs.
    TrainImages {
        image_set_id: String,
        /// The model's name; empty: `label from <image set>`.
        name: String,
        /// Build, metric, seed and budget (the target and dropped columns are the images').
        options: crate::automl::AutomlOptions,
        /// The experiment its run goes in, by name; empty: the image set's default one.
        experiment: String,
    },
    /// Predicts the attached image file with an image model; nothing is stored.
    PredictImage {
        model_id: String,
        file_name: String,
    },
    /// Deletes an image set (its images too unless another set has the same content); its
    /// lineage and the models trained on it stay.
    DeleteImageSet {
        image_set_id: String,
    },
}

/// Which thumbnails of an image set to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ThumbnailSelect {
    /// The first `n` images of each class, in path order: a gallery.
    PerClass { n: u32 },
    /// These images, by path (misclassified examples); unknown paths are left out.
    Files { files: Vec<String> },
}

/// One thumbnail of a [`Reply::ImageThumbnails`]: its image and how many of the attached
/// bytes are its PNG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThumbnailRef {
    pub file: String,
    pub class: String,
    pub size_bytes: u64,
}

/// An image set in a list: enough to show and pick one, without its per-image entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageSetSummary {
    pub image_set_id: String,
    pub name: String,
    pub created_at_ms: f64,
    pub content_hash: String,
    pub n_images: u64,
    pub size: crate::image::ImageSize,
    pub color: crate::image::ColorMode,
    pub classes: Vec<crate::records::ClassCount>,
    pub stored_bytes: u64,
    pub source_file_name: String,
    pub warnings: Vec<String>,
}

impl ImageSetSummary {
    pub fn of(record: &crate::records::ImageSetRecord) -> ImageSetSummary {
        ImageSetSummary {
            image_set_id: record.image_set_id.clone(),
            name: record.name.clone(),
            created_at_ms: record.created_at_ms,
            content_hash: record.content_hash.clone(),
            n_images: record.images.len() as u64,
            size: record.size,
            color: record.color,
            classes: record.classes.clone(),
            stored_bytes: record.stored_bytes,
            source_file_name: record.source.file_name.clone(),
            warnings: record.warnings.clone(),
        }
    }
}

/// Adjacently tagged: `Reply` and `Progress` carry their own `type` tag inside `body`.
// An event is built once per message and serialized at once; boxing the reply buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", content = "body", rename_all = "snake_case")]
pub enum Event {
    Progress(Progress),
    Done(Reply),
    Failed(JobError),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// A short phrase: "reading", "storing".
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

impl Progress {
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    Imported {
        dataset: DatasetRecord,
        warnings: Vec<String>,
        parse_secs: f64,
    },
    Datasets {
        datasets: Vec<DatasetRecord>,
    },
    Rows {
        dataset_id: String,
        start: u64,
        rows: Vec<Vec<Option<String>>>,
    },
    Renamed {
        dataset: DatasetRecord,
    },
    Deleted {
        dataset_id: String,
    },
    AuditLog {
        entries: Vec<crate::records::AuditEntry>,
        chain_valid: bool,
    },
    Profile {
        dataset_id: String,
        profile: Box<crate::records::ProfileRecord>,
        /// False when the profile was read from storage.
        computed: bool,
        /// Seconds the worker spent computing the profile and its insights (not loading rows
        /// or storing the result); 0 when it was read from storage.
        compute_secs: f64,
    },
    RecipePreview {
        dataset_id: String,
        columns: Vec<crate::schema::ColumnSummary>,
        rows: Vec<Vec<Option<String>>>,
        /// Rows the preview started from and ended with (filters change the count).
        n_rows_in: u64,
        n_rows_out: u64,
    },
    Transformed {
        dataset: DatasetRecord,
        /// Seconds the worker spent fitting and applying the recipe (not loading rows,
        /// hashing, encoding or storing the new version).
        compute_secs: f64,
    },
    /// The CSV bytes are attached to the message.
    ExportedCsv {
        dataset_id: String,
        file_name: String,
        size_bytes: u64,
    },
    ColumnPair {
        dataset_id: String,
        sample: crate::profile::PairSample,
    },
    /// The recipe library after the request, sorted by name.
    SavedRecipes {
        recipes: Vec<crate::records::SavedRecipe>,
    },
    /// The Arrow IPC file's bytes are attached to the message.
    ExportedArrow {
        dataset_id: String,
        file_name: String,
        size_bytes: u64,
    },
    /// A model stored by `TrainModel` or `ImportModel`, or read by `GetModel`.
    Model {
        model: Box<crate::records::ModelRecord>,
    },
    Models {
        models: Vec<ModelSummary>,
    },
    ModelDeleted {
        model_id: String,
    },
    /// A helper's fold results (see [`Request::TrainShard`]).
    ShardResults {
        results: Vec<crate::automl::FoldResult>,
    },
    /// The acknowledgement of a `DeliverShard`.
    ShardDelivered,
    Prediction {
        model_id: String,
        prediction: OnePrediction,
    },
    /// The predictions CSV is attached to the message.
    PredictedCsv {
        model_id: String,
        file_name: String,
        n_rows: u64,
        size_bytes: u64,
        /// E.g. unseen categories, per column.
        warnings: Vec<String>,
    },
    /// The exported model file is attached to the message.
    ExportedModel {
        model_id: String,
        file_name: String,
        size_bytes: u64,
    },
    Experiments {
        experiments: Vec<ExperimentSummary>,
    },
    Runs {
        window: crate::experiments::table::RunWindow,
    },
    Run {
        run: Box<crate::experiments::RunRecord>,
    },
    Comparison {
        comparison: crate::experiments::compare::Comparison,
    },
    /// The runs CSV is attached to the message.
    ExportedRunsCsv {
        file_name: String,
        n_runs: u64,
        size_bytes: u64,
    },
    /// The zip of an MLflow folder is attached to the message.
    ExportedRunsMlflow {
        file_name: String,
        n_runs: u64,
        size_bytes: u64,
        warnings: Vec<String>,
    },
    ImportedRuns {
        n_experiments: u64,
        n_runs: u64,
        warnings: Vec<String>,
    },
    /// A forecast model stored by `TrainForecast` or `ImportForecast`, or read by
    /// `GetForecast`.
    Forecast {
        forecast: Box<crate::records::ForecastRecord>,
    },
    Forecasts {
        forecasts: Vec<ForecastSummary>,
    },
    ForecastDeleted {
        forecast_id: String,
    },
    /// The exported forecast model file is attached to the message.
    ExportedForecast {
        forecast_id: String,
        file_name: String,
        size_bytes: u64,
    },
    /// The forecasts CSV is attached to the message.
    ForecastedCsv {
        forecast_id: String,
        file_name: String,
        n_rows: u64,
        size_bytes: u64,
        warnings: Vec<String>,
    },
    /// The what-if forecast of one series.
    WhatIfForecast {
        forecast_id: String,
        item: u64,
        points: Vec<crate::forecast::ForecastPoint>,
    },
    /// The acknowledgement of a `Cancel` request itself.
    CancelRequested,
    /// An image set stored by `ImportImageFolder` or `ImportImageZip`.
    ImportedImages {
        image_set: ImageSetSummary,
        /// Images left out, resized or converted, each naming its file.
        warnings: Vec<String>,
        /// Seconds spent decoding the images and making their thumbnails.
        decode_secs: f64,
    },
    ImageSets {
        image_sets: Vec<ImageSetSummary>,
    },
    /// The thumbnails' PNG bytes are attached, one after the other in this order.
    ImageThumbnails {
        image_set_id: String,
        thumbnails: Vec<ThumbnailRef>,
    },
    ImageSetDeleted {
        image_set_id: String,
    },
}

/// One file of a folder sent whole (see [`Request::ImportRunsFolder`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderFile {
    pub path: String,
    pub size_bytes: u64,
}

/// An experiment in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentSummary {
    pub experiment: crate::experiments::ExperimentRecord,
    /// Builds (top-level runs) and all runs, candidates included.
    pub n_builds: u64,
    pub n_runs: u64,
}

/// A model in a list: enough to pick one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub model_id: String,
    pub name: String,
    pub created_at_ms: f64,
    pub dataset_name: String,
    pub target: String,
    pub task: crate::ml::Task,
    /// The best candidate's label, e.g. `gbdt(learning_rate=0.1, …)`.
    pub best_label: String,
    pub metric: crate::ml::Metric,
    /// Holdout score and the dummy baseline's, by `metric`.
    pub holdout_score: Option<f64>,
    pub baseline_score: Option<f64>,
    pub origin: crate::records::ModelOrigin,
    /// The image set an image model was trained on (`None` for a model of a table).
    #[serde(default)]
    pub image_set_id: Option<String>,
}

impl ModelSummary {
    pub fn of(record: &crate::records::ModelRecord) -> ModelSummary {
        let scores = record.holdout_scores();
        ModelSummary {
            model_id: record.model_id.clone(),
            name: record.name.clone(),
            created_at_ms: record.created_at_ms,
            dataset_name: record.dataset_name.clone(),
            target: record.report.target.clone(),
            task: record.report.task,
            best_label: record.report.best.label.clone(),
            metric: record.report.metric,
            holdout_score: scores.map(|s| s.0),
            baseline_score: scores.map(|s| s.1),
            origin: record.origin.clone(),
            image_set_id: record.image.as_ref().map(|i| i.image_set_id.clone()),
        }
    }
}

/// A forecast model in a list: enough to pick one (its report, with every series'
/// history and forecast, comes with `GetForecast`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastSummary {
    pub forecast_id: String,
    pub name: String,
    pub created_at_ms: f64,
    pub dataset_name: String,
    pub target: String,
    pub n_series: u64,
    pub horizon: u64,
    /// The first series' chosen method and its backtest MAE.
    pub best_label: String,
    pub backtest_mae: Option<f64>,
    pub imported_from: Option<String>,
}

impl ForecastSummary {
    pub fn of(record: &crate::records::ForecastRecord) -> ForecastSummary {
        let first = record.report.items.first();
        ForecastSummary {
            forecast_id: record.forecast_id.clone(),
            name: record.name.clone(),
            created_at_ms: record.created_at_ms,
            dataset_name: record.dataset_name.clone(),
            target: record.options.target.clone(),
            n_series: record.report.items.len() as u64,
            horizon: record.report.horizon as u64,
            best_label: first
                .map(|item| item.best_label.clone())
                .unwrap_or_default(),
            backtest_mae: first.and_then(|item| {
                item.leaderboard
                    .iter()
                    .find(|row| row.rank == Some(1))
                    .and_then(|row| row.backtest)
                    .map(|metrics| metrics.mae)
            }),
            imported_from: record.imported_from.clone(),
        }
    }
}

/// A what-if prediction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OnePrediction {
    /// The predicted value (regression) or class label, as text.
    pub prediction: String,
    /// Regression: the value.
    pub value: Option<f64>,
    /// Classification: each class with its probability, in the model's class order.
    pub probabilities: Vec<(String, f64)>,
    /// E.g. a category the model never saw, or a number that could not be read.
    pub warnings: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The user's input is wrong: the message says what and where.
    BadInput,
    NotFound,
    /// The browser's storage refused: quota, private mode, a blocked upgrade.
    Storage,
    QuotaExceeded,
    Cancelled,
    /// A message the worker cannot read (wrong version, bad JSON).
    Protocol,
    Internal,
}

/// An error as it crosses the worker boundary: what kind, and the words a user reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct JobError {
    pub kind: ErrorKind,
    pub message: String,
}

impl JobError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        JobError {
            kind,
            message: message.into(),
        }
    }

    pub fn cancelled() -> Self {
        JobError::new(ErrorKind::Cancelled, "cancelled; nothing was stored")
    }
}

impl RequestEnvelope {
    pub fn new(request_id: RequestId, request: Request) -> Self {
        RequestEnvelope {
            protocol_version: PROTOCOL_VERSION,
            request_id,
            request,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("requests always serialize")
    }

    /// Reads a request, refusing other protocol versions with a message that says which.
    pub fn from_json(text: &str) -> Result<Self, JobError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| JobError::new(ErrorKind::Protocol, format!("unreadable request: {e}")))?;
        let version = value.get("protocol_version").and_then(|v| v.as_u64());
        if version != Some(PROTOCOL_VERSION as u64) {
            return Err(JobError::new(
                ErrorKind::Protocol,
                format!(
                    "request speaks protocol version {}, this worker speaks {PROTOCOL_VERSION}; reload the page",
                    version.map_or("none".to_string(), |v| v.to_string())
                ),
            ));
        }
        serde_json::from_value(value)
            .map_err(|e| JobError::new(ErrorKind::Protocol, format!("unreadable request: {e}")))
    }
}

impl EventEnvelope {
    pub fn new(request_id: RequestId, event: Event) -> Self {
        EventEnvelope {
            protocol_version: PROTOCOL_VERSION,
            request_id,
            event,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("events always serialize")
    }

    pub fn from_json(text: &str) -> Result<Self, JobError> {
        serde_json::from_str(text)
            .map_err(|e| JobError::new(ErrorKind::Protocol, format!("unreadable event: {e}")))
    }

    pub fn is_terminal(&self) -> bool {
        !matches!(self.event, Event::Progress(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_through_json() {
        let requests = [
            Request::ImportCsv {
                source: ImportSource::AttachedFile,
                file_name: "penguins.csv".into(),
            },
            Request::ImportCsv {
                source: ImportSource::BundledSample {
                    url: "samples/iris.csv".into(),
                },
                file_name: "iris.csv".into(),
            },
            Request::ListDatasets,
            Request::RowWindow {
                dataset_id: "ds-1".into(),
                start: 40,
                len: 20,
            },
            Request::SampleColumnPair {
                dataset_id: "ds-1".into(),
                x: "bill_length_mm".into(),
                y: "body_mass_g".into(),
                max_points: 2000,
            },
            Request::SaveRecipe {
                recipe: crate::recipe::Recipe::new("clean", Vec::new()),
            },
            Request::ListSavedRecipes,
            Request::DeleteSavedRecipe {
                name: "clean".into(),
            },
            Request::ExportArrow {
                dataset_id: "ds-1".into(),
            },
            Request::TrainModel {
                dataset_id: "ds-1".into(),
                name: String::new(),
                options: crate::automl::AutomlOptions {
                    drop: vec!["year".into()],
                    build: crate::automl::Build::Standard,
                    metric: Some(crate::ml::Metric::F1Macro),
                    time_budget_secs: Some(60.0),
                    ..crate::automl::AutomlOptions::new("species")
                },
                helpers: 1,
                experiment: "my study".into(),
            },
            Request::TrainShard {
                dataset_id: "ds-1".into(),
                options: crate::automl::AutomlOptions::new("species"),
                shard: crate::automl::Shard { index: 1, count: 2 },
            },
            Request::DeliverShard {
                target_request_id: 7,
                results: vec![crate::automl::FoldResult {
                    candidate: 3,
                    fold: 1,
                    outcome: crate::automl::FoldOutcome::Scored { score: 0.5 },
                    fit_secs: 0.25,
                }],
            },
            Request::TrainForecast {
                dataset_id: "ds-1".into(),
                name: String::new(),
                options: crate::forecast::ForecastOptions::new("month", "passengers"),
                horizon: 12,
            },
            Request::ForecastCsv {
                forecast_id: "forecast-1".into(),
                file_name: "future.csv".into(),
            },
            Request::ExportForecast {
                forecast_id: "forecast-1".into(),
            },
            Request::ImportForecast {
                file_name: "passengers.forecast.json".into(),
            },
            Request::ListForecasts,
            Request::GetForecast {
                forecast_id: "forecast-1".into(),
            },
            Request::DeleteForecast {
                forecast_id: "forecast-1".into(),
            },
            Request::WhatIfForecast {
                forecast_id: "forecast-1".into(),
                item: 0,
                covariates: vec![vec![Some(1.0), None]],
            },
            Request::ListModels,
            Request::GetModel {
                model_id: "model-1".into(),
            },
            Request::DeleteModel {
                model_id: "model-1".into(),
            },
            Request::PredictOne {
                model_id: "model-1".into(),
                values: BTreeMap::from([
                    ("island".to_string(), Some("Dream".to_string())),
                    ("bill_length_mm".to_string(), None),
                ]),
            },
            Request::PredictCsv {
                model_id: "model-1".into(),
                file_name: "new.csv".into(),
            },
            Request::ExportModel {
                model_id: "model-1".into(),
            },
            Request::ImportModel {
                file_name: "penguins.model.json".into(),
            },
            Request::ListExperiments,
            Request::QueryRuns {
                query: crate::experiments::table::RunQuery {
                    experiment_id: Some("exp-1".into()),
                    filter: "metrics.r2 > 0.8 and params.max_depth < 8".into(),
                    search: "gbdt".into(),
                    include_candidates: true,
                    sort: vec![crate::experiments::table::SortKey {
                        column: "metrics.r2".into(),
                        descending: true,
                    }],
                    columns: vec!["name".into(), "metrics.r2".into()],
                    start: 100,
                    len: 50,
                },
            },
            Request::GetRun {
                run_id: "run-1".into(),
            },
            Request::CompareRuns {
                run_ids: vec!["run-1".into(), "run-2".into()],
                options: crate::experiments::compare::CompareOptions {
                    view: crate::experiments::compare::HistoryView::AtStep(3),
                    scatter: None,
                },
            },
            Request::UpdateRun {
                run_id: "run-1".into(),
                tags: BTreeMap::from([("reviewed".to_string(), "yes".to_string())]),
                notes: "fine".into(),
            },
            Request::ExportRunsCsv {
                experiment_id: None,
            },
            Request::ExportRunsMlflow {
                experiment_id: Some("exp-1".into()),
            },
            Request::ImportRuns {
                file_name: "mlruns.zip".into(),
            },
            Request::ImportRunsFolder {
                folder_name: "mlruns".into(),
                files: vec![FolderFile {
                    path: "mlruns/0/meta.yaml".into(),
                    size_bytes: 12,
                }],
            },
            Request::Cancel {
                target_request_id: 7,
            },
            Request::ImportImageFolder {
                folder_name: "digits".into(),
                files: vec![
                    FolderFile {
                        path: "digits/0/a.png".into(),
                        size_bytes: 90,
                    },
                    FolderFile {
                        path: "digits/1/".into(),
                        size_bytes: 0,
                    },
                ],
            },
            Request::ImportImageZip {
                file_name: "digits.zip".into(),
            },
            Request::ListImageSets,
            Request::ImageThumbnails {
                image_set_id: "img-1".into(),
                select: ThumbnailSelect::PerClass { n: 24 },
            },
            Request::ImageThumbnails {
                image_set_id: "img-1".into(),
                select: ThumbnailSelect::Files {
                    files: vec!["digits/3/x.png".into()],
                },
            },
            Request::TrainImages {
                image_set_id: "img-1".into(),
                name: String::new(),
                options: crate::automl::AutomlOptions {
                    build: crate::automl::Build::Quick,
                    ..crate::automl::AutomlOptions::new("label")
                },
                experiment: String::new(),
            },
            Request::PredictImage {
                model_id: "model-1".into(),
                file_name: "seven.png".into(),
            },
            Request::DeleteImageSet {
                image_set_id: "img-1".into(),
            },
        ];
        for (i, request) in requests.into_iter().enumerate() {
            let envelope = RequestEnvelope::new(i as u64, request);
            let back = RequestEnvelope::from_json(&envelope.to_json()).unwrap();
            assert_eq!(back, envelope);
        }
    }

    #[test]
    fn another_protocol_version_is_refused_by_name() {
        let text = r#"{"protocol_version":99,"request_id":1,"request":{"type":"list_datasets"}}"#;
        let error = RequestEnvelope::from_json(text).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Protocol);
        assert!(error.message.contains("version 99"), "{}", error.message);
    }

    #[test]
    fn garbage_is_a_protocol_error_not_a_panic() {
        for text in ["", "{", "[]", r#"{"protocol_version":1}"#] {
            assert_eq!(
                RequestEnvelope::from_json(text).unwrap_err().kind,
                ErrorKind::Protocol
            );
        }
    }

    #[test]
    fn every_event_round_trips_through_json() {
        let dataset: DatasetRecord = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "dataset_id": "ds-1", "name": "penguins", "n_rows": 344,
            "n_cols": 1, "stored_bytes": 10, "created_at_ms": 1.5, "content_hash": "ab",
            "columns": [{"name": "species", "column_type": "categorical", "missing_count": 0}],
            "rows_per_chunk": 100, "n_chunks": 4,
            "source": {"file_name": "penguins.csv", "size_bytes": 16735, "content_hash": "cd"},
            "artifact_id": "art-1"
        }))
        .unwrap();
        let events = [
            Event::Progress(Progress {
                stage: "reading".into(),
                done: 1,
                total: 2,
            }),
            Event::Done(Reply::Imported {
                dataset: dataset.clone(),
                warnings: vec!["blank line 3 skipped".into()],
                parse_secs: 0.25,
            }),
            Event::Done(Reply::Datasets {
                datasets: vec![dataset.clone()],
            }),
            Event::Done(Reply::Rows {
                dataset_id: "ds-1".into(),
                start: 0,
                rows: vec![vec![Some("Adelie".into()), None]],
            }),
            Event::Done(Reply::Renamed { dataset }),
            Event::Done(Reply::Deleted {
                dataset_id: "ds-1".into(),
            }),
            Event::Done(Reply::AuditLog {
                entries: Vec::new(),
                chain_valid: true,
            }),
            Event::Done(Reply::ExportedArrow {
                dataset_id: "ds-1".into(),
                file_name: "penguins.arrow".into(),
                size_bytes: 9,
            }),
            Event::Done(Reply::Models {
                models: vec![ModelSummary {
                    model_id: "model-1".into(),
                    name: "species from penguins".into(),
                    created_at_ms: 2.5,
                    dataset_name: "penguins".into(),
                    target: "species".into(),
                    task: crate::ml::Task::Multiclass,
                    best_label: "gaussian_nb".into(),
                    metric: crate::ml::Metric::Accuracy,
                    holdout_score: Some(0.97),
                    baseline_score: None,
                    origin: crate::records::ModelOrigin::Imported {
                        file_name: "p.model.json".into(),
                    },
                    image_set_id: None,
                }],
            }),
            Event::Done(Reply::ModelDeleted {
                model_id: "model-1".into(),
            }),
            Event::Done(Reply::Prediction {
                model_id: "model-1".into(),
                prediction: OnePrediction {
                    prediction: "Adelie".into(),
                    value: None,
                    probabilities: vec![("Adelie".into(), 0.75), ("Gentoo".into(), 0.25)],
                    warnings: vec!["column \"island\": unseen".into()],
                },
            }),
            Event::Done(Reply::PredictedCsv {
                model_id: "model-1".into(),
                file_name: "new-predictions.csv".into(),
                n_rows: 3,
                size_bytes: 120,
                warnings: Vec::new(),
            }),
            Event::Done(Reply::ExportedModel {
                model_id: "model-1".into(),
                file_name: "species from penguins.model.json".into(),
                size_bytes: 4096,
            }),
            Event::Done(Reply::CancelRequested),
            Event::Done(Reply::ImageSets {
                image_sets: vec![ImageSetSummary {
                    image_set_id: "img-1".into(),
                    name: "digits".into(),
                    created_at_ms: 3.5,
                    content_hash: "ab".into(),
                    n_images: 2,
                    size: crate::image::ImageSize::new(8, 8),
                    color: crate::image::ColorMode::Gray,
                    classes: vec![crate::records::ClassCount {
                        class: "0".into(),
                        n_images: 2,
                    }],
                    stored_bytes: 400,
                    source_file_name: "digits".into(),
                    warnings: vec!["digits/0/x.txt: left out".into()],
                }],
            }),
            Event::Done(Reply::ImageThumbnails {
                image_set_id: "img-1".into(),
                thumbnails: vec![ThumbnailRef {
                    file: "digits/0/a.png".into(),
                    class: "0".into(),
                    size_bytes: 90,
                }],
            }),
            Event::Done(Reply::ImageSetDeleted {
                image_set_id: "img-1".into(),
            }),
            Event::Failed(JobError::cancelled()),
        ];
        for event in events {
            let envelope = EventEnvelope::new(3, event);
            let back = EventEnvelope::from_json(&envelope.to_json()).unwrap();
            assert_eq!(back, envelope);
        }
    }

    #[test]
    fn only_progress_is_not_terminal() {
        let progress = EventEnvelope::new(
            1,
            Event::Progress(Progress {
                stage: "reading".into(),
                done: 1,
                total: 2,
            }),
        );
        assert!(!progress.is_terminal());
        assert!(EventEnvelope::new(1, Event::Failed(JobError::cancelled())).is_terminal());
    }
}

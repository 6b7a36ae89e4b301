//! Stored records: datasets, lineage artifacts, actions, edges and the audit log, each carrying a schema version.
//!
//! These are the only serializable types besides the protocol, so changing one is a
//! compatibility decision: bump [`RECORD_SCHEMA_VERSION`] and teach [`migrate`] the old shape.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::schema::ColumnSummary;

/// The shape every record below is written in today.
pub const RECORD_SCHEMA_VERSION: u32 = 1;

/// The object stores, by name. Metadata and blobs are apart so that listing never loads data.
pub mod stores {
    pub const DATASETS: &str = "datasets";
    pub const BLOBS: &str = "blobs";
    pub const ARTIFACTS: &str = "artifacts";
    pub const ACTIONS: &str = "actions";
    pub const EDGES: &str = "edges";
    pub const AUDIT: &str = "audit";
    /// Profiles and insights reports, keyed by [`super::profile_key`].
    pub const PROFILES: &str = "profiles";
    /// Applied recipes with their fitted parameters, keyed by their artifact id.
    pub const RECIPES: &str = "recipes";
    /// The recipe library: recipes saved by name, keyed by name (a later save of the same
    /// name replaces the earlier one; the audit log keeps every save).
    pub const SAVED_RECIPES: &str = "saved_recipes";
    /// Trained and imported models ([`super::ModelRecord`]), keyed by model id.
    pub const MODELS: &str = "models";
    /// The fitted models themselves ([`super::ModelFileRecord`]), keyed by model id, apart
    /// from `models` so that listing never loads one.
    pub const MODEL_FILES: &str = "model_files";
    /// Experiments ([`crate::experiments::ExperimentRecord`]), keyed by experiment id.
    pub const EXPERIMENTS: &str = "experiments";
    /// Runs ([`crate::experiments::RunRecord`]), keyed by run id.
    pub const RUNS: &str = "runs";
    /// Small bookkeeping values by name, e.g. [`super::RUNS_REVISION`].
    pub const META: &str = "meta";
    /// Forecast models ([`super::ForecastRecord`]), keyed by forecast id; their fitted
    /// `ForecastModel` is a [`super::ModelFileRecord`] in `model_files` under the same id.
    pub const FORECASTS: &str = "forecasts";
    /// Image sets ([`super::ImageSetRecord`]), keyed by image set id.
    pub const IMAGE_SETS: &str = "image_sets";
    /// The image files as imported, keyed by [`super::image_key`] (the set's content hash
    /// and the image's position), apart from `image_sets` so that listing never loads one.
    pub const IMAGE_FILES: &str = "image_files";
    /// Each image at its set's common size and colour model as a lossless PNG, keyed like
    /// `image_files`: the gallery's thumbnails and, decoded, the pixels a training reads.
    pub const IMAGE_THUMBS: &str = "image_thumbs";
    pub const ALL: [&str; 18] = [
        DATASETS,
        BLOBS,
        ARTIFACTS,
        ACTIONS,
        EDGES,
        AUDIT,
        PROFILES,
        RECIPES,
        SAVED_RECIPES,
        MODELS,
        MODEL_FILES,
        EXPERIMENTS,
        RUNS,
        META,
        FORECASTS,
        IMAGE_SETS,
        IMAGE_FILES,
        IMAGE_THUMBS,
    ];
}

/// The [`stores::META`] key whose value changes (a fresh id) in every transaction that
/// writes runs, so a worker that keeps the runs in memory knows when to read them again.
pub const RUNS_REVISION: &str = "runs_revision";

/// The value stored under [`RUNS_REVISION`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub schema_version: u32,
    pub revision: String,
}

/// A dataset version as the Data page lists it. Its rows live in `blobs` under
/// [`DatasetRecord::blob_key`], shared by every dataset with the same content hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    pub schema_version: u32,
    pub dataset_id: String,
    pub name: String,
    pub n_rows: u64,
    pub n_cols: u64,
    /// Bytes the rows take in storage (the Arrow IPC chunks).
    pub stored_bytes: u64,
    pub created_at_ms: f64,
    /// BLAKE3 of the frame's canonical encoding, hex.
    pub content_hash: String,
    pub columns: Vec<ColumnSummary>,
    pub rows_per_chunk: u64,
    pub n_chunks: u64,
    pub source: SourceFile,
    /// The lineage artifact that stands for this dataset version.
    pub artifact_id: String,
    /// The dataset this version was made from by a recipe (`None` for an import).
    #[serde(default)]
    pub parent_dataset_id: Option<String>,
    /// The recipe that made it from its parent.
    #[serde(default)]
    pub recipe: Option<crate::recipe::Recipe>,
}

impl DatasetRecord {
    pub fn short_hash(&self) -> &str {
        &self.content_hash[..self.content_hash.len().min(12)]
    }
}

/// Key of one stored chunk of a dataset's rows.
pub fn blob_key(content_hash: &str, chunk_index: u64) -> String {
    format!("{content_hash}/{chunk_index:06}")
}

/// Key of the stored profile of the rows with `content_hash`, for one target (or none).
pub fn profile_key(content_hash: &str, target: Option<&str>) -> String {
    match target {
        Some(target) => format!("{content_hash}/target={target}"),
        None => content_hash.to_string(),
    }
}

/// Key of one image of the image set with `content_hash` in [`stores::IMAGE_FILES`] and
/// [`stores::IMAGE_THUMBS`]; keys sort in image order.
pub fn image_key(content_hash: &str, index: u64) -> String {
    format!("{content_hash}/{index:06}")
}

/// A folder of class folders (or a zip of one) as imported: its classes, every image's
/// path, class and size, and the common shape the images were brought to. The images
/// themselves live in [`stores::IMAGE_FILES`] and [`stores::IMAGE_THUMBS`] under
/// [`image_key`], shared by every image set with the same content hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageSetRecord {
    pub schema_version: u32,
    pub image_set_id: String,
    pub name: String,
    pub created_at_ms: f64,
    /// BLAKE3 over every image's path, class and bytes in path order, hex.
    pub content_hash: String,
    /// The lineage artifact that stands for this image set.
    pub artifact_id: String,
    /// The size and colour model every image was brought to.
    pub size: crate::image::ImageSize,
    pub color: crate::image::ColorMode,
    /// Sorted, with their image counts.
    pub classes: Vec<ClassCount>,
    /// In path order: position `i` is stored under `image_key(content_hash, i)`.
    pub images: Vec<ImageEntry>,
    /// Bytes of the image files and thumbnails in storage.
    pub stored_bytes: u64,
    /// The folder or zip the images came from (size and BLAKE3 of all its bytes).
    pub source: SourceFile,
    /// Images left out, resized or converted, each naming its file.
    pub warnings: Vec<String>,
}

/// A class of an image set and how many images it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCount {
    pub class: String,
    pub n_images: u64,
}

/// One image of an image set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageEntry {
    /// Its path in the folder or zip, with `/` separators.
    pub file: String,
    pub class: String,
    /// Its size as imported (before it was brought to the set's size).
    pub width: u32,
    pub height: u32,
    pub size_bytes: u64,
}

/// What an image model reads and what its evaluation showed beside the confusion matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageModelInfo {
    pub image_set_id: String,
    pub image_set_name: String,
    /// The image set's content hash, under which its thumbnails are stored.
    pub image_set_content_hash: String,
    pub size: crate::image::ImageSize,
    pub color: crate::image::ColorMode,
    pub features: crate::image::FeatureParams,
    pub classes: Vec<String>,
    /// Holdout images the model got wrong, the most confident first.
    pub misclassified: Vec<crate::image::Misclassified>,
}

/// A profile and its data quality report, as stored: computed once per content and target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileRecord {
    pub schema_version: u32,
    pub content_hash: String,
    pub target: Option<String>,
    pub artifact_id: String,
    pub created_at_ms: f64,
    pub profile: crate::profile::DatasetProfile,
    pub insights: crate::profile::InsightsReport,
}

/// A recipe as applied to a dataset: the steps and what fitting them learnt (means,
/// vocabularies…), so the same transform can be applied to new data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecipeRecord {
    pub schema_version: u32,
    pub artifact_id: String,
    /// BLAKE3 of the recipe's JSON.
    pub content_hash: String,
    pub recipe: crate::recipe::Recipe,
    /// The fitted recipe's JSON (fitted parameters need the engine to be read).
    pub fitted_json: String,
    pub created_at_ms: f64,
}

/// A recipe saved by name in the library, reusable on any dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedRecipe {
    pub schema_version: u32,
    /// The recipe's name, trimmed; the library's key.
    pub name: String,
    /// BLAKE3 of the recipe's JSON.
    pub content_hash: String,
    pub recipe: crate::recipe::Recipe,
    pub saved_at_ms: f64,
}

/// A model as the Build page lists and shows it: how it was trained and its evaluation.
/// The fitted model is a [`ModelFileRecord`] under the same id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelRecord {
    pub schema_version: u32,
    pub model_id: String,
    pub name: String,
    pub created_at_ms: f64,
    /// The dataset version it was trained on (it may since have been deleted; lineage
    /// keeps its artifact).
    pub dataset_id: String,
    pub dataset_name: String,
    pub dataset_content_hash: String,
    /// The lineage artifact that stands for this model.
    pub artifact_id: String,
    /// BLAKE3 of the model file's JSON ([`ModelFileRecord::json`]), hex.
    pub content_hash: String,
    /// Leaderboard, holdout evaluation beside the dummy baseline, column impact.
    pub report: crate::automl::AutomlReport,
    /// Rows the model was fitted on and rows held out for the evaluation.
    pub n_train_rows: u64,
    pub n_holdout_rows: u64,
    /// The columns a prediction needs, in the model's order, with what a what-if form shows.
    pub inputs: Vec<ModelInput>,
    /// Seconds the whole training job took (search, refit, evaluation).
    pub train_secs: f64,
    pub origin: ModelOrigin,
    /// An image model: what it reads (its model file is then an `image::ImageModel`) and
    /// its misclassified holdout images. `None` for a model of a table.
    #[serde(default)]
    pub image: Option<ImageModelInfo>,
}

/// A forecast model as the Forecast page lists and shows it: what it forecasts, its
/// backtest leaderboard and forecast per series. The fitted model is a [`ModelFileRecord`]
/// under the same id (its JSON a `forecast::ForecastModel`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastRecord {
    pub schema_version: u32,
    pub forecast_id: String,
    pub name: String,
    pub created_at_ms: f64,
    pub dataset_id: String,
    pub dataset_name: String,
    pub dataset_content_hash: String,
    /// The lineage artifact that stands for this model.
    pub artifact_id: String,
    /// BLAKE3 of the model file's JSON, hex.
    pub content_hash: String,
    pub options: crate::forecast::ForecastOptions,
    /// Per series: frequency, season, leaderboard, history and forecast with P10/P50/P90.
    pub report: crate::forecast::ForecastReport,
    pub n_rows: u64,
    /// Seconds the whole job took.
    pub train_secs: f64,
    /// The build's run in Experiments (`None` for an imported model: its runs stayed where
    /// it was trained).
    pub run_id: Option<String>,
    /// The exported file it was imported from; `None`: trained here.
    #[serde(default)]
    pub imported_from: Option<String>,
}

/// What `ExportForecast` writes and `ImportForecast` reads: the record and the fitted model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastExport {
    /// Always [`FORECAST_EXPORT_FORMAT`].
    pub format: String,
    pub record: ForecastRecord,
    /// The fitted `ForecastModel`'s JSON text; its BLAKE3 must equal `record.content_hash`.
    pub model_file: String,
}

/// The `format` of an exported forecast model file.
pub const FORECAST_EXPORT_FORMAT: &str = "ml-studio-forecast/1";

/// Where a stored model came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelOrigin {
    Trained,
    /// Imported from an exported model file.
    Imported {
        file_name: String,
    },
}

/// One column a model reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInput {
    pub name: String,
    /// The type the training column had; a prediction value is read as this type.
    pub column_type: crate::schema::ColumnType,
    /// Categorical inputs: the categories the model knows, sorted (others count as missing).
    pub categories: Vec<String>,
    /// What a what-if form starts from: the training rows' median (numbers) or most
    /// frequent value (others); `None` when every value was missing.
    pub default: Option<String>,
}

impl ModelRecord {
    /// The holdout score of the model and of the dummy baseline, by the run's metric.
    pub fn holdout_scores(&self) -> Option<(f64, f64)> {
        self.report
            .holdout
            .as_ref()
            .map(|holdout| (holdout.score, holdout.baseline_score))
    }
}

/// A fitted model as stored: `json` is an `automl::run::ModelFile` (read with the engine),
/// kept as the exact text its [`ModelRecord::content_hash`] was taken of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFileRecord {
    pub schema_version: u32,
    pub model_id: String,
    pub content_hash: String,
    pub json: String,
}

/// What `ExportModel` writes and `ImportModel` reads: the record and the fitted model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelExport {
    /// Always [`MODEL_EXPORT_FORMAT`]: says what the file is when someone opens it.
    pub format: String,
    pub record: ModelRecord,
    /// The model file's JSON text; its BLAKE3 must equal `record.content_hash`.
    pub model_file: String,
}

/// The `format` of an exported model file.
pub const MODEL_EXPORT_FORMAT: &str = "ml-studio-model/1";

/// The file a dataset was imported from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    pub file_name: String,
    pub size_bytes: u64,
    /// BLAKE3 of the file's bytes exactly as read, hex.
    pub content_hash: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    SourceFile,
    DatasetVersion,
    /// A dataset version's profile and data quality report.
    Profile,
    /// A recipe as applied, with what it learnt from its input.
    Recipe,
    /// A trained (or imported) model.
    Model,
    /// Images in class folders, imported from a folder or a zip.
    ImageSet,
    /// Predictions a model made on a file, downloaded by the user (only its hash is kept).
    PredictionBatch,
}

/// Anything produced or used: named, typed and content-addressed (SageMaker's Artifact).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtifactRecord {
    pub schema_version: u32,
    pub artifact_id: String,
    pub kind: ArtifactKind,
    pub name: String,
    pub content_hash: String,
    pub created_at_ms: f64,
    pub properties: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Import,
    Profile,
    Transform,
    /// AutoML: a model trained on a dataset version.
    Train,
    /// A batch prediction of a model on a file.
    Predict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Completed,
}

/// A job that used and produced artifacts (SageMaker's Action / TrialComponent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub schema_version: u32,
    pub action_id: String,
    pub kind: ActionKind,
    pub status: ActionStatus,
    pub parameters: BTreeMap<String, String>,
    pub started_at_ms: f64,
    pub ended_at_ms: f64,
    /// The studio build that ran it.
    pub code_version: String,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
}

/// SageMaker's association types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EdgeType {
    ContributedTo,
    Produced,
    DerivedFrom,
    AssociatedWith,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdgeRecord {
    pub schema_version: u32,
    pub edge_id: String,
    pub source_id: String,
    pub destination_id: String,
    pub edge_type: EdgeType,
}

/// One line of the append-only audit log. `hash` covers every other field, `prev_hash`
/// included, so changing or dropping any entry breaks the chain after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub schema_version: u32,
    pub seq: u64,
    pub at_ms: f64,
    /// What happened: "import", "rename", "delete".
    pub event: String,
    /// The record it happened to.
    pub subject_id: String,
    pub details: BTreeMap<String, String>,
    /// Hex hash of the entry before (64 zeros for the first).
    pub prev_hash: String,
    pub hash: String,
}

/// Why a stored record could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("a {store} record was written by a newer version of the studio (schema {found}, this build reads up to {RECORD_SCHEMA_VERSION}); update the page")]
    FromTheFuture { store: String, found: u64 },
    #[error("a {store} record is damaged: {reason}")]
    Damaged { store: String, reason: String },
}

/// Brings a stored record of any earlier schema version to today's shape. Version 1 is the
/// first, so there is nothing to rewrite yet; the shape of the function is the contract.
pub fn migrate<T: serde::de::DeserializeOwned>(
    store: &str,
    mut value: serde_json::Value,
) -> Result<T, RecordError> {
    let found = value
        .get("schema_version")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    if found > RECORD_SCHEMA_VERSION as u64 {
        return Err(RecordError::FromTheFuture {
            store: store.to_string(),
            found,
        });
    }
    if found == 0 {
        // Records from before versioning never existed in a release; treat as damage.
        return Err(RecordError::Damaged {
            store: store.to_string(),
            reason: "it has no schema_version".to_string(),
        });
    }
    if let Some(object) = value.as_object_mut() {
        object.insert("schema_version".into(), RECORD_SCHEMA_VERSION.into());
    }
    serde_json::from_value(value).map_err(|e| RecordError::Damaged {
        store: store.to_string(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_from_a_newer_build_is_refused_with_a_reason() {
        let value = serde_json::json!({"schema_version": 9, "seq": 0});
        let error = migrate::<AuditEntry>(stores::AUDIT, value).unwrap_err();
        assert!(error.to_string().contains("newer version"), "{error}");
    }

    #[test]
    fn a_damaged_record_names_its_store() {
        let value = serde_json::json!({"schema_version": 1, "seq": "x"});
        let error = migrate::<AuditEntry>(stores::AUDIT, value).unwrap_err();
        assert!(
            error.to_string().contains("audit record is damaged"),
            "{error}"
        );
    }

    #[test]
    fn image_keys_sort_in_image_order() {
        let mut keys: Vec<String> = [10, 2, 1].iter().map(|i| image_key("ab", *i)).collect();
        keys.sort();
        assert_eq!(keys, ["ab/000001", "ab/000002", "ab/000010"]);
    }

    #[test]
    fn blob_keys_sort_in_chunk_order() {
        let mut keys: Vec<String> = [10, 2, 1].iter().map(|i| blob_key("ab", *i)).collect();
        keys.sort();
        assert_eq!(keys, ["ab/000001", "ab/000002", "ab/000010"]);
    }
}

//! Lineage logic: the records an import, rename or delete writes, as one atomic batch, and the audit log's hash chain.
//!
//! Models too: training, a batch prediction, importing and deleting a model each write
//! one batch with their artifacts, action and audit entry.
//!
//! Pure functions on plain data. The worker's IndexedDB store applies a [`WriteBatch`] in
//! one transaction; [`MemoryStore`] applies it the same way natively, so the rules here are
//! tested without a browser.

mod forecast;
pub use forecast::{
    export_forecast, plan_delete_forecast, plan_forecast, plan_import_forecast, ForecastInput,
};

use std::collections::BTreeMap;

use serde::Serialize;

use crate::automl::cv::HOLDOUT_FRACTION;
use crate::automl::search::{metric_name, task_name};
use crate::experiments::{ExperimentRecord, RunArtifact, RunRecord};
use crate::hash::{hash_bytes, ContentHash};
use crate::records::{
    blob_key, profile_key, stores, ActionKind, ActionRecord, ActionStatus, ArtifactKind,
    ArtifactRecord, AuditEntry, DatasetRecord, EdgeRecord, EdgeType, ModelExport, ModelFileRecord,
    ModelOrigin, ModelRecord, ProfileRecord, Revision, SourceFile, MODEL_EXPORT_FORMAT,
    RECORD_SCHEMA_VERSION, RUNS_REVISION,
};
use crate::schema::ColumnSummary;

/// The hash a chain starts from.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The build that writes records; kept in every action.
pub const CODE_VERSION: &str = concat!("studio ", env!("CARGO_PKG_VERSION"));

/// A fresh id: a prefix and 16 hex digits of BLAKE3 over caller-supplied entropy (the
/// worker passes `crypto.getRandomValues`), so compute stays free of any RNG.
pub fn make_id(prefix: &str, entropy: &[u8]) -> String {
    let hash = hash_bytes(entropy).to_hex();
    format!("{prefix}-{}", &hash[..16])
}

/// One write. A batch of them is applied all or nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// A metadata record, stored as the JSON of its type.
    Put {
        store: &'static str,
        key: String,
        value: serde_json::Value,
    },
    /// Bytes in the blob store.
    PutBlob {
        key: String,
        bytes: Vec<u8>,
    },
    /// Bytes in another store of bytes ([`stores::IMAGE_FILES`], [`stores::IMAGE_THUMBS`]).
    PutBytes {
        store: &'static str,
        key: String,
        bytes: Vec<u8>,
    },
    Delete {
        store: &'static str,
        key: String,
    },
    /// Deletes a dataset version's row chunks unless a dataset still refers to the same
    /// content; decided inside the transaction, after the batch's earlier deletes.
    DeleteRowsUnlessShared {
        content_hash: String,
        n_chunks: u64,
    },
    /// Deletes an image set's images (files and thumbnails) unless another image set has
    /// the same content; decided inside the transaction, after the batch's earlier deletes.
    DeleteImagesUnlessShared {
        content_hash: String,
        n_images: u64,
    },
    /// The next audit-log entry: sealed against the current head inside the transaction.
    Audit(AuditDraft),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct WriteBatch {
    pub ops: Vec<Op>,
}

impl WriteBatch {
    /// A new dataset version: its row chunks, its record, and the artifact that stands for
    /// it in lineage.
    fn put_dataset_version(&mut self, dataset: &DatasetRecord, chunks: Vec<Vec<u8>>) {
        for (index, bytes) in chunks.into_iter().enumerate() {
            self.ops.push(Op::PutBlob {
                key: blob_key(&dataset.content_hash, index as u64),
                bytes,
            });
        }
        self.put(stores::DATASETS, &dataset.dataset_id, dataset);
        let artifact = ArtifactRecord {
            schema_version: RECORD_SCHEMA_VERSION,
            artifact_id: dataset.artifact_id.clone(),
            kind: ArtifactKind::DatasetVersion,
            name: dataset.name.clone(),
            content_hash: dataset.content_hash.clone(),
            created_at_ms: dataset.created_at_ms,
            properties: BTreeMap::from([
                ("dataset_id".into(), dataset.dataset_id.clone()),
                ("n_rows".into(), dataset.n_rows.to_string()),
                ("n_cols".into(), dataset.n_cols.to_string()),
            ]),
        };
        self.put(stores::ARTIFACTS, &artifact.artifact_id, &artifact);
    }

    /// A model: its record, its file (apart, so that listing never loads one) and the
    /// artifact that stands for it in lineage.
    fn put_model(&mut self, model: &ModelRecord, json: String) {
        let file = ModelFileRecord {
            schema_version: RECORD_SCHEMA_VERSION,
            model_id: model.model_id.clone(),
            content_hash: model.content_hash.clone(),
            json,
        };
        self.put(stores::MODELS, &model.model_id, model);
        self.put(stores::MODEL_FILES, &model.model_id, &file);
        let mut properties = BTreeMap::from([
            ("model_id".to_string(), model.model_id.clone()),
            ("algorithm".to_string(), model.report.best.algorithm.clone()),
            ("label".to_string(), model.report.best.label.clone()),
            ("task".to_string(), task_name(model.report.task).to_string()),
            ("target".to_string(), model.report.target.clone()),
            (
                "metric".to_string(),
                metric_name(model.report.metric).to_string(),
            ),
        ]);
        if let Some((score, baseline)) = model.holdout_scores() {
            properties.insert("holdout_score".into(), score.to_string());
            properties.insert("baseline_score".into(), baseline.to_string());
        }
        let artifact = ArtifactRecord {
            schema_version: RECORD_SCHEMA_VERSION,
            artifact_id: model.artifact_id.clone(),
            kind: ArtifactKind::Model,
            name: model.name.clone(),
            content_hash: model.content_hash.clone(),
            created_at_ms: model.created_at_ms,
            properties,
        };
        self.put(stores::ARTIFACTS, &artifact.artifact_id, &artifact);
    }

    /// Lineage edges `(source, destination, type)`, keyed `source>destination`.
    /// Runs (and an experiment to create, if any), with a fresh runs revision so that any
    /// worker's cache of runs reads them again.
    fn put_runs(
        &mut self,
        experiment: Option<&ExperimentRecord>,
        runs: &[RunRecord],
        revision: &str,
    ) {
        if let Some(experiment) = experiment {
            self.put(stores::EXPERIMENTS, &experiment.experiment_id, experiment);
        }
        for run in runs {
            self.put(stores::RUNS, &run.run_id, run);
        }
        let revision = Revision {
            schema_version: RECORD_SCHEMA_VERSION,
            revision: revision.to_string(),
        };
        self.put(stores::META, RUNS_REVISION, &revision);
    }

    fn put_edges(&mut self, edges: &[(&String, &String, EdgeType)]) {
        for &(source_id, destination_id, edge_type) in edges {
            let edge = EdgeRecord {
                schema_version: RECORD_SCHEMA_VERSION,
                edge_id: format!("{source_id}>{destination_id}"),
                source_id: source_id.clone(),
                destination_id: destination_id.clone(),
                edge_type,
            };
            self.put(stores::EDGES, &edge.edge_id, &edge);
        }
    }

    fn put<T: Serialize>(&mut self, store: &'static str, key: &str, record: &T) {
        self.ops.push(Op::Put {
            store,
            key: key.to_string(),
            value: serde_json::to_value(record).expect("records always serialize"),
        });
    }
}

/// An audit entry before it is chained.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditDraft {
    pub at_ms: f64,
    pub event: String,
    pub subject_id: String,
    pub details: BTreeMap<String, String>,
}

/// Chains a draft after `prev` (or starts the log).
pub fn seal(prev: Option<&AuditEntry>, draft: AuditDraft) -> AuditEntry {
    let mut entry = AuditEntry {
        schema_version: RECORD_SCHEMA_VERSION,
        seq: prev.map_or(0, |p| p.seq + 1),
        at_ms: draft.at_ms,
        event: draft.event,
        subject_id: draft.subject_id,
        details: draft.details,
        prev_hash: prev.map_or(GENESIS_HASH.to_string(), |p| p.hash.clone()),
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry).to_hex();
    entry
}

fn entry_hash(entry: &AuditEntry) -> ContentHash {
    // The JSON of the entry with `hash` blank: serde_json writes struct fields in
    // declaration order and BTreeMap keys sorted, so the encoding is canonical.
    let mut unsealed = entry.clone();
    unsealed.hash = String::new();
    hash_bytes(&serde_json::to_vec(&unsealed).expect("entries always serialize"))
}

/// Where a chain first fails to hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("audit entry {seq} does not match its hash: it was changed after it was written")]
    Altered { seq: u64 },
    #[error(
        "audit entry {seq} does not follow the entry before it: an entry was removed or reordered"
    )]
    Broken { seq: u64 },
}

/// Checks every link of the audit log, oldest first.
pub fn verify_chain(entries: &[AuditEntry]) -> Result<(), ChainError> {
    let mut prev: Option<&AuditEntry> = None;
    for entry in entries {
        let expected_prev = prev.map_or(GENESIS_HASH, |p| p.hash.as_str());
        let expected_seq = prev.map_or(0, |p| p.seq + 1);
        if entry.prev_hash != expected_prev || entry.seq != expected_seq {
            return Err(ChainError::Broken { seq: entry.seq });
        }
        if entry_hash(entry).to_hex() != entry.hash {
            return Err(ChainError::Altered { seq: entry.seq });
        }
        prev = Some(entry);
    }
    Ok(())
}

/// Everything known about an import once the file is parsed and encoded.
#[derive(Clone, Debug)]
pub struct ImportInput {
    pub dataset_id: String,
    pub source_artifact_id: String,
    pub dataset_artifact_id: String,
    pub action_id: String,
    pub dataset_name: String,
    pub source: SourceFile,
    pub content_hash: ContentHash,
    pub n_rows: u64,
    pub columns: Vec<ColumnSummary>,
    pub rows_per_chunk: u64,
    /// Arrow IPC chunks of the rows, in order.
    pub chunks: Vec<Vec<u8>>,
    /// What the reader decided (delimiter, header) and was asked.
    pub parameters: BTreeMap<String, String>,
    pub started_at_ms: f64,
    pub ended_at_ms: f64,
}

impl ActionRecord {
    /// A finished action of this build: the one place an action's boilerplate is filled in.
    fn completed(
        kind: ActionKind,
        action_id: String,
        parameters: BTreeMap<String, String>,
        (started_at_ms, ended_at_ms): (f64, f64),
        inputs: Vec<String>,
        outputs: Vec<String>,
    ) -> ActionRecord {
        ActionRecord {
            schema_version: RECORD_SCHEMA_VERSION,
            action_id,
            kind,
            status: ActionStatus::Completed,
            parameters,
            started_at_ms,
            ended_at_ms,
            code_version: CODE_VERSION.to_string(),
            inputs,
            outputs,
        }
    }
}

/// The records one import writes: the dataset, its blobs, two artifacts (the file and the
/// dataset version), the Import action, its edges and an audit entry.
pub fn plan_import(input: ImportInput) -> (DatasetRecord, WriteBatch) {
    let content_hash = input.content_hash.to_hex();
    let stored_bytes = input.chunks.iter().map(|c| c.len() as u64).sum();
    let dataset = DatasetRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        dataset_id: input.dataset_id.clone(),
        name: input.dataset_name.clone(),
        n_rows: input.n_rows,
        n_cols: input.columns.len() as u64,
        stored_bytes,
        created_at_ms: input.ended_at_ms,
        content_hash: content_hash.clone(),
        columns: input.columns,
        rows_per_chunk: input.rows_per_chunk,
        n_chunks: input.chunks.len() as u64,
        source: input.source.clone(),
        artifact_id: input.dataset_artifact_id.clone(),
        parent_dataset_id: None,
        recipe: None,
    };
    let source_artifact = ArtifactRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        artifact_id: input.source_artifact_id.clone(),
        kind: ArtifactKind::SourceFile,
        name: input.source.file_name.clone(),
        content_hash: input.source.content_hash.clone(),
        created_at_ms: input.started_at_ms,
        properties: BTreeMap::from([("size_bytes".into(), input.source.size_bytes.to_string())]),
    };
    let action = ActionRecord::completed(
        ActionKind::Import,
        input.action_id.clone(),
        input.parameters,
        (input.started_at_ms, input.ended_at_ms),
        vec![input.source_artifact_id.clone()],
        vec![input.dataset_artifact_id.clone()],
    );
    let edges = [
        (
            &input.source_artifact_id,
            &input.action_id,
            EdgeType::ContributedTo,
        ),
        (
            &input.action_id,
            &input.dataset_artifact_id,
            EdgeType::Produced,
        ),
        (
            &input.dataset_artifact_id,
            &input.source_artifact_id,
            EdgeType::DerivedFrom,
        ),
    ];

    let mut batch = WriteBatch::default();
    batch.put_dataset_version(&dataset, input.chunks);
    batch.put(
        stores::ARTIFACTS,
        &source_artifact.artifact_id,
        &source_artifact,
    );
    batch.put(stores::ACTIONS, &action.action_id, &action);
    batch.put_edges(&edges);
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms: input.ended_at_ms,
        event: "import".into(),
        subject_id: input.dataset_artifact_id,
        details: BTreeMap::from([
            ("dataset_id".into(), dataset.dataset_id.clone()),
            ("content_hash".into(), content_hash),
            ("source_file".into(), input.source.file_name),
            ("source_hash".into(), input.source.content_hash),
            ("action_id".into(), input.action_id),
        ]),
    }));
    (dataset, batch)
}

/// Everything known once a folder of class folders (or a zip of one) has been read.
#[derive(Clone, Debug)]
pub struct ImportImagesInput {
    pub image_set_id: String,
    pub source_artifact_id: String,
    pub image_set_artifact_id: String,
    pub action_id: String,
    pub name: String,
    /// The folder or zip: its name, the size and BLAKE3 of all its bytes as read.
    pub source: SourceFile,
    pub prepared: crate::image::set::PreparedImageSet,
    /// How it was read (`reader`: folder or zip).
    pub parameters: BTreeMap<String, String>,
    pub started_at_ms: f64,
    pub ended_at_ms: f64,
}

/// At most this many warnings are kept in an image set's record (a photo set scaled down
/// warns once per photo); the last line counts the rest.
pub const MAX_STORED_IMAGE_WARNINGS: usize = 100;

/// The records an image import writes: the image set, every image's file and thumbnail
/// (keyed by the set's content hash, so the same images imported twice are stored once),
/// two artifacts (the folder or zip, the image set), the Import action, its edges and an
/// audit entry.
pub fn plan_import_images(
    input: ImportImagesInput,
) -> (crate::records::ImageSetRecord, WriteBatch) {
    let prepared = input.prepared;
    let content_hash = prepared.content_hash.to_hex();
    let stored_bytes = prepared
        .files
        .iter()
        .chain(&prepared.thumbnails)
        .map(|bytes| bytes.len() as u64)
        .sum();
    let mut warnings: Vec<String> = prepared
        .warnings
        .iter()
        .take(MAX_STORED_IMAGE_WARNINGS)
        .map(ToString::to_string)
        .collect();
    if prepared.warnings.len() > MAX_STORED_IMAGE_WARNINGS {
        warnings.push(format!(
            "… and {} more",
            prepared.warnings.len() - MAX_STORED_IMAGE_WARNINGS
        ));
    }
    let record = crate::records::ImageSetRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        image_set_id: input.image_set_id.clone(),
        name: input.name.clone(),
        created_at_ms: input.ended_at_ms,
        content_hash: content_hash.clone(),
        artifact_id: input.image_set_artifact_id.clone(),
        size: prepared.dataset.size,
        color: prepared.dataset.color,
        classes: prepared.classes,
        images: prepared.entries,
        stored_bytes,
        source: input.source.clone(),
        warnings,
    };
    let source_artifact = ArtifactRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        artifact_id: input.source_artifact_id.clone(),
        kind: ArtifactKind::SourceFile,
        name: input.source.file_name.clone(),
        content_hash: input.source.content_hash.clone(),
        created_at_ms: input.started_at_ms,
        properties: BTreeMap::from([("size_bytes".into(), input.source.size_bytes.to_string())]),
    };
    let set_artifact = ArtifactRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        artifact_id: input.image_set_artifact_id.clone(),
        kind: ArtifactKind::ImageSet,
        name: record.name.clone(),
        content_hash: content_hash.clone(),
        created_at_ms: record.created_at_ms,
        properties: BTreeMap::from([
            ("image_set_id".into(), record.image_set_id.clone()),
            ("n_images".into(), record.images.len().to_string()),
            ("n_classes".into(), record.classes.len().to_string()),
            ("image_size".into(), record.size.to_string()),
            ("color".into(), record.color.label().to_string()),
        ]),
    };
    let action = ActionRecord::completed(
        ActionKind::Import,
        input.action_id.clone(),
        input.parameters,
        (input.started_at_ms, input.ended_at_ms),
        vec![input.source_artifact_id.clone()],
        vec![input.image_set_artifact_id.clone()],
    );
    let edges = [
        (
            &input.source_artifact_id,
            &input.action_id,
            EdgeType::ContributedTo,
        ),
        (
            &input.action_id,
            &input.image_set_artifact_id,
            EdgeType::Produced,
        ),
        (
            &input.image_set_artifact_id,
            &input.source_artifact_id,
            EdgeType::DerivedFrom,
        ),
    ];
    let mut batch = WriteBatch::default();
    for (index, (file, thumbnail)) in prepared
        .files
        .into_iter()
        .zip(prepared.thumbnails)
        .enumerate()
    {
        let key = crate::records::image_key(&content_hash, index as u64);
        batch.ops.push(Op::PutBytes {
            store: stores::IMAGE_FILES,
            key: key.clone(),
            bytes: file,
        });
        batch.ops.push(Op::PutBytes {
            store: stores::IMAGE_THUMBS,
            key,
            bytes: thumbnail,
        });
    }
    batch.put(stores::IMAGE_SETS, &record.image_set_id, &record);
    batch.put(stores::ARTIFACTS, &set_artifact.artifact_id, &set_artifact);
    batch.put(
        stores::ARTIFACTS,
        &source_artifact.artifact_id,
        &source_artifact,
    );
    batch.put(stores::ACTIONS, &action.action_id, &action);
    batch.put_edges(&edges);
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms: input.ended_at_ms,
        event: "import_images".into(),
        subject_id: input.image_set_artifact_id,
        details: BTreeMap::from([
            ("image_set_id".into(), record.image_set_id.clone()),
            ("content_hash".into(), content_hash),
            ("n_images".into(), record.images.len().to_string()),
            ("source_file".into(), input.source.file_name),
            ("source_hash".into(), input.source.content_hash),
            ("action_id".into(), input.action_id),
        ]),
    }));
    (record, batch)
}

/// Deletes an image set's record and (unless another image set has the same content) its
/// images; its lineage (artifacts, actions, edges) stays, so the models trained on it still
/// say what they were trained on.
pub fn plan_delete_image_set(set: &crate::records::ImageSetRecord, at_ms: f64) -> WriteBatch {
    let mut batch = WriteBatch::default();
    batch.ops.push(Op::Delete {
        store: stores::IMAGE_SETS,
        key: set.image_set_id.clone(),
    });
    batch.ops.push(Op::DeleteImagesUnlessShared {
        content_hash: set.content_hash.clone(),
        n_images: set.images.len() as u64,
    });
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms,
        event: "delete_image_set".into(),
        subject_id: set.artifact_id.clone(),
        details: BTreeMap::from([
            ("image_set_id".into(), set.image_set_id.clone()),
            ("name".into(), set.name.clone()),
            ("content_hash".into(), set.content_hash.clone()),
        ]),
    }));
    batch
}

/// Everything known once a dataset version is profiled.
#[derive(Clone, Debug)]
pub struct ProfileInput {
    pub artifact_id: String,
    pub action_id: String,
    pub target: Option<String>,
    pub profile: crate::profile::DatasetProfile,
    pub insights: crate::profile::InsightsReport,
    pub options: crate::profile::ProfileOptions,
    pub started_at_ms: f64,
    pub ended_at_ms: f64,
}

/// The records a profile writes: the stored report, a Profile artifact derived from the
/// dataset version, the Profile action that used one and produced the other, and an audit
/// entry.
pub fn plan_profile(dataset: &DatasetRecord, input: ProfileInput) -> (ProfileRecord, WriteBatch) {
    let report_json =
        serde_json::to_vec(&(&input.profile, &input.insights)).expect("profiles always serialize");
    let report_hash = hash_bytes(&report_json).to_hex();
    let record = ProfileRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        content_hash: dataset.content_hash.clone(),
        target: input.target.clone(),
        artifact_id: input.artifact_id.clone(),
        created_at_ms: input.ended_at_ms,
        profile: input.profile,
        insights: input.insights,
    };
    let mut parameters = BTreeMap::from([
        ("seed".to_string(), input.options.seed.to_string()),
        (
            "max_rows".to_string(),
            input
                .options
                .max_rows
                .map_or("all".to_string(), |n| n.to_string()),
        ),
    ]);
    if let Some(target) = &input.target {
        parameters.insert("target".into(), target.clone());
    }
    let artifact = ArtifactRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        artifact_id: input.artifact_id.clone(),
        kind: ArtifactKind::Profile,
        name: format!("profile of {}", dataset.name),
        content_hash: report_hash.clone(),
        created_at_ms: input.ended_at_ms,
        properties: BTreeMap::from([("dataset_content_hash".into(), dataset.content_hash.clone())]),
    };
    let action = ActionRecord::completed(
        ActionKind::Profile,
        input.action_id.clone(),
        parameters,
        (input.started_at_ms, input.ended_at_ms),
        vec![dataset.artifact_id.clone()],
        vec![input.artifact_id.clone()],
    );
    let edges = [
        (
            &dataset.artifact_id,
            &input.action_id,
            EdgeType::ContributedTo,
        ),
        (&input.action_id, &input.artifact_id, EdgeType::Produced),
        (
            &input.artifact_id,
            &dataset.artifact_id,
            EdgeType::DerivedFrom,
        ),
    ];
    let mut batch = WriteBatch::default();
    batch.put(
        stores::PROFILES,
        &profile_key(&dataset.content_hash, input.target.as_deref()),
        &record,
    );
    batch.put(stores::ARTIFACTS, &artifact.artifact_id, &artifact);
    batch.put(stores::ACTIONS, &action.action_id, &action);
    batch.put_edges(&edges);
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms: input.ended_at_ms,
        event: "profile".into(),
        subject_id: input.artifact_id,
        details: BTreeMap::from([
            ("dataset_id".into(), dataset.dataset_id.clone()),
            ("dataset_content_hash".into(), dataset.content_hash.clone()),
            ("report_hash".into(), report_hash),
            ("action_id".into(), input.action_id),
        ]),
    }));
    (record, batch)
}

/// Everything known once a recipe has been applied to a dataset version.
#[derive(Clone, Debug)]
pub struct TransformInput {
    pub dataset_id: String,
    pub dataset_artifact_id: String,
    pub recipe_artifact_id: String,
    pub action_id: String,
    pub dataset_name: String,
    pub recipe: crate::recipe::Recipe,
    pub fitted_json: String,
    /// Artifact ids of the other dataset versions the recipe read (join, concatenate).
    pub other_inputs: Vec<String>,
    pub content_hash: ContentHash,
    pub n_rows: u64,
    pub columns: Vec<ColumnSummary>,
    pub rows_per_chunk: u64,
    pub chunks: Vec<Vec<u8>>,
    pub started_at_ms: f64,
    pub ended_at_ms: f64,
}

/// The records applying a recipe writes: the new dataset version (its parent and recipe
/// named), its rows, the recipe artifact with its fitted parameters, the Transform action
/// (used: the parent version and the recipe; produced: the new version), edges and an audit
/// entry.
pub fn plan_transform(
    parent: &DatasetRecord,
    input: TransformInput,
) -> (DatasetRecord, WriteBatch) {
    let content_hash = input.content_hash.to_hex();
    let recipe_hash = recipe_hash(&input.recipe);
    let stored_bytes = input.chunks.iter().map(|c| c.len() as u64).sum();
    let dataset = DatasetRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        dataset_id: input.dataset_id.clone(),
        name: input.dataset_name.clone(),
        n_rows: input.n_rows,
        n_cols: input.columns.len() as u64,
        stored_bytes,
        created_at_ms: input.ended_at_ms,
        content_hash: content_hash.clone(),
        columns: input.columns,
        rows_per_chunk: input.rows_per_chunk,
        n_chunks: input.chunks.len() as u64,
        source: parent.source.clone(),
        artifact_id: input.dataset_artifact_id.clone(),
        parent_dataset_id: Some(parent.dataset_id.clone()),
        recipe: Some(input.recipe.clone()),
    };
    let recipe_record = crate::records::RecipeRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        artifact_id: input.recipe_artifact_id.clone(),
        content_hash: recipe_hash.clone(),
        recipe: input.recipe.clone(),
        fitted_json: input.fitted_json,
        created_at_ms: input.ended_at_ms,
    };
    let recipe_artifact = ArtifactRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        artifact_id: input.recipe_artifact_id.clone(),
        kind: ArtifactKind::Recipe,
        name: if input.recipe.name.is_empty() {
            format!("recipe for {}", input.dataset_name)
        } else {
            input.recipe.name.clone()
        },
        content_hash: recipe_hash.clone(),
        created_at_ms: input.ended_at_ms,
        properties: BTreeMap::from([("n_steps".into(), input.recipe.steps.len().to_string())]),
    };
    let action = ActionRecord::completed(
        ActionKind::Transform,
        input.action_id.clone(),
        BTreeMap::from([
            ("recipe_hash".into(), recipe_hash.clone()),
            ("n_steps".into(), input.recipe.steps.len().to_string()),
        ]),
        (input.started_at_ms, input.ended_at_ms),
        [parent.artifact_id.clone(), input.recipe_artifact_id.clone()]
            .into_iter()
            .chain(input.other_inputs.iter().cloned())
            .collect(),
        vec![input.dataset_artifact_id.clone()],
    );
    let mut edges = vec![
        (
            &parent.artifact_id,
            &input.action_id,
            EdgeType::ContributedTo,
        ),
        (
            &input.recipe_artifact_id,
            &input.action_id,
            EdgeType::ContributedTo,
        ),
        (
            &input.action_id,
            &input.dataset_artifact_id,
            EdgeType::Produced,
        ),
        (
            &input.dataset_artifact_id,
            &parent.artifact_id,
            EdgeType::DerivedFrom,
        ),
    ];
    for other in &input.other_inputs {
        edges.push((other, &input.action_id, EdgeType::ContributedTo));
        edges.push((&input.dataset_artifact_id, other, EdgeType::DerivedFrom));
    }
    let mut batch = WriteBatch::default();
    batch.put_dataset_version(&dataset, input.chunks);
    batch.put(stores::RECIPES, &recipe_record.artifact_id, &recipe_record);
    batch.put(
        stores::ARTIFACTS,
        &recipe_artifact.artifact_id,
        &recipe_artifact,
    );
    batch.put(stores::ACTIONS, &action.action_id, &action);
    batch.put_edges(&edges);
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms: input.ended_at_ms,
        event: "transform".into(),
        subject_id: input.dataset_artifact_id,
        details: BTreeMap::from([
            ("dataset_id".into(), dataset.dataset_id.clone()),
            ("parent_dataset_id".into(), parent.dataset_id.clone()),
            ("content_hash".into(), content_hash),
            ("recipe_hash".into(), recipe_hash),
            ("action_id".into(), input.action_id),
        ]),
    }));
    (dataset, batch)
}

/// Saves a recipe in the library under its (trimmed) name, replacing an earlier recipe of
/// that name; the audit log records the save with the recipe's hash.
pub fn plan_save_recipe(
    recipe: &crate::recipe::Recipe,
    at_ms: f64,
) -> Result<(crate::records::SavedRecipe, WriteBatch), ChangeError> {
    let name = checked_name(&recipe.name, ChangeError::EmptyRecipeName)?;
    let mut recipe = recipe.clone();
    recipe.name = name.to_string();
    let content_hash = hash_bytes(recipe.to_json().as_bytes()).to_hex();
    let saved = crate::records::SavedRecipe {
        schema_version: RECORD_SCHEMA_VERSION,
        name: recipe.name.clone(),
        content_hash: content_hash.clone(),
        recipe,
        saved_at_ms: at_ms,
    };
    let mut batch = WriteBatch::default();
    batch.put(stores::SAVED_RECIPES, &saved.name, &saved);
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms,
        event: "save_recipe".into(),
        subject_id: saved.name.clone(),
        details: BTreeMap::from([
            ("content_hash".into(), content_hash),
            ("n_steps".into(), saved.recipe.steps.len().to_string()),
        ]),
    }));
    Ok((saved, batch))
}

/// Removes a recipe from the library (datasets it made keep their own copy of it).
pub fn plan_delete_saved_recipe(name: &str, at_ms: f64) -> WriteBatch {
    let mut batch = WriteBatch::default();
    batch.ops.push(Op::Delete {
        store: stores::SAVED_RECIPES,
        key: name.to_string(),
    });
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms,
        event: "delete_saved_recipe".into(),
        subject_id: name.to_string(),
        details: BTreeMap::new(),
    }));
    batch
}

/// Why a user's change to a dataset was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("a dataset name cannot be empty")]
    EmptyName,
    #[error("give the recipe a name to save it in the library")]
    EmptyRecipeName,
    #[error("a name can be at most {max} characters (this one has {found})")]
    NameTooLong { max: usize, found: usize },
    #[error("a tag needs a name")]
    EmptyTagKey,
    #[error("tag \"{key}\": {reason}")]
    BadTag { key: String, reason: String },
    #[error("notes can be at most {max} characters (these have {found})")]
    NotesTooLong { max: usize, found: usize },
}

/// Imported runs and their experiments (an id already stored is replaced: importing the
/// same folder twice keeps one copy), a fresh runs revision and an audit entry naming the
/// file and its hash.
pub fn plan_import_runs(
    experiments: &[ExperimentRecord],
    runs: &[RunRecord],
    source: &SourceFile,
    at_ms: f64,
) -> WriteBatch {
    let mut batch = WriteBatch::default();
    for experiment in experiments {
        batch.put(stores::EXPERIMENTS, &experiment.experiment_id, experiment);
    }
    batch.put_runs(
        None,
        runs,
        &format!("import@{at_ms}@{}", source.content_hash),
    );
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms,
        event: "import_runs".into(),
        subject_id: source.content_hash.clone(),
        details: BTreeMap::from([
            ("file_name".into(), source.file_name.clone()),
            ("n_experiments".into(), experiments.len().to_string()),
            ("n_runs".into(), runs.len().to_string()),
        ]),
    }));
    batch
}

/// MLflow's limits: a tag key of 250 characters, a value of 5,000.
pub const MAX_TAG_KEY_CHARS: usize = 250;
pub const MAX_TAG_VALUE_CHARS: usize = 5_000;
pub const MAX_NOTES_CHARS: usize = 50_000;

/// A run's tags and notes replaced (what happened in the run stays): the run, a fresh runs
/// revision and an audit entry. Tag keys are trimmed; a key that is empty, too long or
/// starts or ends with `/` (a path in MLflow's folders) is refused by name.
pub fn plan_update_run(
    mut run: RunRecord,
    tags: BTreeMap<String, String>,
    notes: String,
    at_ms: f64,
) -> Result<(RunRecord, WriteBatch), ChangeError> {
    let mut checked = BTreeMap::new();
    for (key, value) in tags {
        let key = key.trim().to_string();
        let bad = |reason: String| ChangeError::BadTag {
            key: key.clone(),
            reason,
        };
        if key.is_empty() {
            return Err(ChangeError::EmptyTagKey);
        }
        if key.chars().count() > MAX_TAG_KEY_CHARS {
            return Err(bad(format!(
                "a name can be at most {MAX_TAG_KEY_CHARS} characters"
            )));
        }
        if key.starts_with('/') || key.ends_with('/') || key.contains("..") {
            return Err(bad("a name cannot start or end with / or hold ..".into()));
        }
        if value.chars().count() > MAX_TAG_VALUE_CHARS {
            return Err(bad(format!(
                "a value can be at most {MAX_TAG_VALUE_CHARS} characters"
            )));
        }
        checked.insert(key, value);
    }
    let found = notes.chars().count();
    if found > MAX_NOTES_CHARS {
        return Err(ChangeError::NotesTooLong {
            max: MAX_NOTES_CHARS,
            found,
        });
    }
    run.tags = checked;
    run.notes = notes;
    let mut batch = WriteBatch::default();
    batch.put_runs(
        None,
        std::slice::from_ref(&run),
        &format!("{}@{at_ms}", run.run_id),
    );
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms,
        event: "update_run".into(),
        subject_id: run.run_id.clone(),
        details: BTreeMap::from([
            ("experiment_id".into(), run.experiment_id.clone()),
            ("n_tags".into(), run.tags.len().to_string()),
            ("notes_chars".into(), found.to_string()),
        ]),
    }));
    Ok((run, batch))
}

pub const MAX_NAME_CHARS: usize = 200;

/// A user-given name trimmed, refused when empty (with `empty`) or too long.
fn checked_name(name: &str, empty: ChangeError) -> Result<&str, ChangeError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(empty);
    }
    let found = name.chars().count();
    if found > MAX_NAME_CHARS {
        return Err(ChangeError::NameTooLong {
            max: MAX_NAME_CHARS,
            found,
        });
    }
    Ok(name)
}

/// Renames a dataset: the record changes, the artifact (immutable, content-addressed) does
/// not, and the audit log says who was called what.
pub fn plan_rename(
    dataset: &DatasetRecord,
    new_name: &str,
    at_ms: f64,
) -> Result<(DatasetRecord, WriteBatch), ChangeError> {
    let new_name = checked_name(new_name, ChangeError::EmptyName)?;
    let mut renamed = dataset.clone();
    renamed.name = new_name.to_string();
    let mut batch = WriteBatch::default();
    batch.put(stores::DATASETS, &renamed.dataset_id, &renamed);
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms,
        event: "rename".into(),
        subject_id: dataset.artifact_id.clone(),
        details: BTreeMap::from([
            ("dataset_id".into(), dataset.dataset_id.clone()),
            ("from".into(), dataset.name.clone()),
            ("to".into(), renamed.name.clone()),
        ]),
    }));
    Ok((renamed, batch))
}

/// Deletes a dataset's record, and its rows unless another dataset has the same content.
/// Lineage records stay: a model trained on it must still say what it came from.
pub fn plan_delete(dataset: &DatasetRecord, at_ms: f64) -> WriteBatch {
    let mut batch = WriteBatch::default();
    batch.ops.push(Op::Delete {
        store: stores::DATASETS,
        key: dataset.dataset_id.clone(),
    });
    batch.ops.push(Op::DeleteRowsUnlessShared {
        content_hash: dataset.content_hash.clone(),
        n_chunks: dataset.n_chunks,
    });
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms,
        event: "delete".into(),
        subject_id: dataset.artifact_id.clone(),
        details: BTreeMap::from([
            ("dataset_id".into(), dataset.dataset_id.clone()),
            ("name".into(), dataset.name.clone()),
        ]),
    }));
    batch
}

/// The name a trained model is stored under: the user's (trimmed), or
/// `<target> from <dataset name>` when they gave none. Refused when too long, before any
/// training starts.
pub fn model_name(name: &str, target: &str, dataset_name: &str) -> Result<String, ChangeError> {
    if name.trim().is_empty() {
        return Ok(format!("{target} from {dataset_name}"));
    }
    checked_name(name, ChangeError::EmptyName).map(str::to_string)
}

/// Everything known once a model has been trained on a dataset version.
#[derive(Clone, Debug)]
pub struct TrainInput {
    pub model_id: String,
    pub artifact_id: String,
    pub action_id: String,
    /// See [`model_name`].
    pub name: String,
    pub options: crate::automl::AutomlOptions,
    pub run: crate::automl::run::AutomlRun,
    pub inputs: Vec<crate::records::ModelInput>,
    pub n_train_rows: u64,
    pub n_holdout_rows: u64,
    pub started_at_ms: f64,
    pub ended_at_ms: f64,
    /// The experiment the runs belong to, when this training creates it.
    pub new_experiment: Option<ExperimentRecord>,
    /// The build's run first, then its candidates' (see `experiments::runs_for_build`).
    pub runs: Vec<RunRecord>,
}

/// The records training writes: the model (its record and, apart, its file), a Model
/// artifact whose content hash is BLAKE3 of the model file's JSON, the Train action (used:
/// the dataset version; produced: the model; its parameters name the build's run and
/// experiment), the runs, edges and an audit entry.
pub fn plan_train(dataset: &DatasetRecord, input: TrainInput) -> (ModelRecord, WriteBatch) {
    let json = input.run.model_file.to_json();
    let trained_on = TrainedOn {
        id: &dataset.dataset_id,
        name: &dataset.name,
        content_hash: &dataset.content_hash,
        artifact_id: &dataset.artifact_id,
    };
    let common = TrainCommon {
        model_id: input.model_id,
        artifact_id: input.artifact_id,
        action_id: input.action_id,
        name: input.name,
        options: input.options,
        inputs: input.inputs,
        n_train_rows: input.n_train_rows,
        n_holdout_rows: input.n_holdout_rows,
        started_at_ms: input.started_at_ms,
        ended_at_ms: input.ended_at_ms,
        new_experiment: input.new_experiment,
        runs: input.runs,
    };
    plan_trained_model(trained_on, input.run.report, json, None, common)
}

/// What every training knows at its end, whether of a table or of images.
struct TrainCommon {
    model_id: String,
    artifact_id: String,
    action_id: String,
    name: String,
    options: crate::automl::AutomlOptions,
    inputs: Vec<crate::records::ModelInput>,
    n_train_rows: u64,
    n_holdout_rows: u64,
    started_at_ms: f64,
    ended_at_ms: f64,
    new_experiment: Option<ExperimentRecord>,
    runs: Vec<RunRecord>,
}

/// Everything known once a model has been trained on an image set.
#[derive(Clone, Debug)]
pub struct TrainImagesInput {
    pub model_id: String,
    pub artifact_id: String,
    pub action_id: String,
    /// See [`model_name`].
    pub name: String,
    pub options: crate::automl::AutomlOptions,
    pub run: crate::image::ImageRun,
    pub n_train_rows: u64,
    pub n_holdout_rows: u64,
    pub started_at_ms: f64,
    pub ended_at_ms: f64,
    /// The experiment the runs belong to, when this training creates it.
    pub new_experiment: Option<ExperimentRecord>,
    /// The build's run first, then its candidates'.
    pub runs: Vec<RunRecord>,
}

/// The records training on an image set writes, as [`plan_train`] does for a dataset
/// version: the model (its file is the [`crate::image::ImageModel`]'s JSON; its record
/// says what images it reads and keeps its misclassified holdout images), a Model artifact,
/// the Train action (used: the image set; produced: the model), the runs, edges and an
/// audit entry.
pub fn plan_train_images(
    image_set: &crate::records::ImageSetRecord,
    input: TrainImagesInput,
) -> (ModelRecord, WriteBatch) {
    let json = input.run.model.to_json();
    let image = crate::records::ImageModelInfo {
        image_set_id: image_set.image_set_id.clone(),
        image_set_name: image_set.name.clone(),
        image_set_content_hash: image_set.content_hash.clone(),
        size: input.run.model.size,
        color: input.run.model.color,
        features: input.run.model.features.clone(),
        classes: input.run.model.classes.clone(),
        misclassified: input.run.misclassified,
    };
    let trained_on = TrainedOn {
        id: &image_set.image_set_id,
        name: &image_set.name,
        content_hash: &image_set.content_hash,
        artifact_id: &image_set.artifact_id,
    };
    let common = TrainCommon {
        model_id: input.model_id,
        artifact_id: input.artifact_id,
        action_id: input.action_id,
        name: input.name,
        options: input.options,
        // A what-if form of pixels means nothing: an image model predicts images.
        inputs: Vec::new(),
        n_train_rows: input.n_train_rows,
        n_holdout_rows: input.n_holdout_rows,
        started_at_ms: input.started_at_ms,
        ended_at_ms: input.ended_at_ms,
        new_experiment: input.new_experiment,
        runs: input.runs,
    };
    plan_trained_model(trained_on, input.run.report, json, Some(image), common)
}

/// What a model was trained on: a dataset version or an image set.
struct TrainedOn<'a> {
    id: &'a str,
    name: &'a str,
    content_hash: &'a str,
    artifact_id: &'a str,
}

/// The records a training writes (see [`plan_train`]), for a model of a table or of images.
fn plan_trained_model(
    trained_on: TrainedOn<'_>,
    report: crate::automl::AutomlReport,
    json: String,
    image: Option<crate::records::ImageModelInfo>,
    input: TrainCommon,
) -> (ModelRecord, WriteBatch) {
    let content_hash = hash_bytes(json.as_bytes()).to_hex();
    let record = ModelRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        model_id: input.model_id.clone(),
        name: input.name,
        created_at_ms: input.ended_at_ms,
        dataset_id: trained_on.id.to_string(),
        dataset_name: trained_on.name.to_string(),
        dataset_content_hash: trained_on.content_hash.to_string(),
        artifact_id: input.artifact_id.clone(),
        content_hash: content_hash.clone(),
        report,
        n_train_rows: input.n_train_rows,
        n_holdout_rows: input.n_holdout_rows,
        inputs: input.inputs,
        train_secs: (input.ended_at_ms - input.started_at_ms) / 1000.0,
        origin: ModelOrigin::Trained,
        image,
    };
    let trained_on_artifact = trained_on.artifact_id.to_string();
    let options = &input.options;
    let mut parameters = BTreeMap::from([
        ("target".to_string(), record.report.target.clone()),
        (
            "task".to_string(),
            task_name(record.report.task).to_string(),
        ),
        (
            "build".to_string(),
            build_name(record.report.build).to_string(),
        ),
        (
            "metric".to_string(),
            metric_name(record.report.metric).to_string(),
        ),
        ("seed".to_string(), record.report.seed.to_string()),
        (
            "drop".to_string(),
            serde_json::to_string(&options.drop).expect("names always serialize"),
        ),
        (
            "time_budget_secs".to_string(),
            options
                .time_budget_secs
                .or_else(|| options.build.default_time_budget_secs())
                .map_or("none".to_string(), |secs| secs.to_string()),
        ),
        ("holdout_fraction".to_string(), HOLDOUT_FRACTION.to_string()),
    ]);
    if let Some(build_run) = input.runs.first() {
        parameters.insert("run_id".to_string(), build_run.run_id.clone());
        parameters.insert("experiment_id".to_string(), build_run.experiment_id.clone());
    }
    if let Some(spec) = &options.algorithm {
        parameters.insert(
            "algorithm".to_string(),
            serde_json::to_string(spec).expect("specs always serialize"),
        );
    }
    if let Some(image) = &record.image {
        parameters.insert("image_set_id".to_string(), image.image_set_id.clone());
        parameters.insert(
            "features".to_string(),
            serde_json::to_string(&image.features).expect("parameters always serialize"),
        );
        parameters.insert("image_size".to_string(), image.size.to_string());
        parameters.insert("color".to_string(), image.color.label().to_string());
    }
    let action = ActionRecord::completed(
        ActionKind::Train,
        input.action_id.clone(),
        parameters,
        (input.started_at_ms, input.ended_at_ms),
        vec![trained_on_artifact.clone()],
        vec![input.artifact_id.clone()],
    );
    let edges = [
        (
            &trained_on_artifact,
            &input.action_id,
            EdgeType::ContributedTo,
        ),
        (&input.action_id, &input.artifact_id, EdgeType::Produced),
        (
            &input.artifact_id,
            &trained_on_artifact,
            EdgeType::DerivedFrom,
        ),
    ];
    let mut batch = WriteBatch::default();
    batch.put_model(&record, json);
    batch.put(stores::ACTIONS, &action.action_id, &action);
    let mut runs = input.runs;
    if let Some(build_run) = runs.first_mut() {
        // The build's run keeps the model it produced, as its lineage artifact.
        build_run.artifacts.push(RunArtifact {
            name: "model".to_string(),
            artifact_id: Some(input.artifact_id.clone()),
            content_hash: Some(content_hash.clone()),
        });
        let revision = build_run.run_id.clone();
        batch.put_runs(input.new_experiment.as_ref(), &runs, &revision);
    }
    batch.put_edges(&edges);
    let mut details = BTreeMap::from([
        ("model_id".into(), record.model_id.clone()),
        ("content_hash".into(), content_hash),
        ("action_id".into(), input.action_id),
    ]);
    if record.image.is_some() {
        details.insert("image_set_id".into(), trained_on.id.to_string());
        details.insert(
            "image_set_content_hash".into(),
            trained_on.content_hash.to_string(),
        );
    } else {
        details.insert("dataset_id".into(), trained_on.id.to_string());
        details.insert(
            "dataset_content_hash".into(),
            trained_on.content_hash.to_string(),
        );
    }
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms: input.ended_at_ms,
        event: if record.image.is_some() {
            "train_images".into()
        } else {
            "train".into()
        },
        subject_id: input.artifact_id,
        details,
    }));
    (record, batch)
}

fn build_name(build: crate::automl::Build) -> &'static str {
    match build {
        crate::automl::Build::Quick => "quick",
        crate::automl::Build::Standard => "standard",
    }
}

/// The content hash of a recipe as applied: BLAKE3 of its JSON, hex (its Recipe artifact's).
pub fn recipe_hash(recipe: &crate::recipe::Recipe) -> String {
    hash_bytes(recipe.to_json().as_bytes()).to_hex()
}

/// Everything known once a model has predicted a file's rows.
#[derive(Clone, Debug)]
pub struct PredictInput {
    pub source_artifact_id: String,
    pub batch_artifact_id: String,
    pub action_id: String,
    /// The uploaded file.
    pub source: SourceFile,
    /// The predictions CSV: its file name, BLAKE3 and rows.
    pub output_file_name: String,
    pub output_hash: String,
    pub n_rows: u64,
    pub started_at_ms: f64,
    pub ended_at_ms: f64,
}

/// The records a batch prediction writes (the predictions themselves are only downloaded):
/// the uploaded file as a SourceFile artifact, a PredictionBatch artifact with the output's
/// hash, the Predict action (used: the model and the file; produced: the batch), edges and
/// an audit entry.
pub fn plan_predict(model: &ModelRecord, input: PredictInput) -> WriteBatch {
    plan_predict_by(
        PredictedBy {
            model_id: &model.model_id,
            artifact_id: &model.artifact_id,
            content_hash: &model.content_hash,
        },
        input,
    )
}

/// What a Predict action records of the model that predicted: a table model or a forecast
/// model (`ForecastRecord`'s id, artifact and hash).
#[derive(Clone, Copy, Debug)]
pub struct PredictedBy<'a> {
    pub model_id: &'a str,
    pub artifact_id: &'a str,
    pub content_hash: &'a str,
}

/// [`plan_predict`] for any model.
pub fn plan_predict_by(model: PredictedBy<'_>, input: PredictInput) -> WriteBatch {
    let model_artifact_id = model.artifact_id.to_string();
    let source_artifact = ArtifactRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        artifact_id: input.source_artifact_id.clone(),
        kind: ArtifactKind::SourceFile,
        name: input.source.file_name.clone(),
        content_hash: input.source.content_hash.clone(),
        created_at_ms: input.started_at_ms,
        properties: BTreeMap::from([("size_bytes".into(), input.source.size_bytes.to_string())]),
    };
    let batch_artifact = ArtifactRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        artifact_id: input.batch_artifact_id.clone(),
        kind: ArtifactKind::PredictionBatch,
        name: input.output_file_name.clone(),
        content_hash: input.output_hash.clone(),
        created_at_ms: input.ended_at_ms,
        properties: BTreeMap::from([
            ("n_rows".into(), input.n_rows.to_string()),
            ("model_id".into(), model.model_id.to_string()),
        ]),
    };
    let action = ActionRecord::completed(
        ActionKind::Predict,
        input.action_id.clone(),
        BTreeMap::from([
            ("model_id".into(), model.model_id.to_string()),
            ("model_content_hash".into(), model.content_hash.to_string()),
        ]),
        (input.started_at_ms, input.ended_at_ms),
        vec![
            model.artifact_id.to_string(),
            input.source_artifact_id.clone(),
        ],
        vec![input.batch_artifact_id.clone()],
    );
    let edges = [
        (
            &model_artifact_id,
            &input.action_id,
            EdgeType::ContributedTo,
        ),
        (
            &input.source_artifact_id,
            &input.action_id,
            EdgeType::ContributedTo,
        ),
        (
            &input.action_id,
            &input.batch_artifact_id,
            EdgeType::Produced,
        ),
        (
            &input.batch_artifact_id,
            &model_artifact_id,
            EdgeType::DerivedFrom,
        ),
        (
            &input.batch_artifact_id,
            &input.source_artifact_id,
            EdgeType::DerivedFrom,
        ),
    ];
    let mut batch = WriteBatch::default();
    batch.put(
        stores::ARTIFACTS,
        &source_artifact.artifact_id,
        &source_artifact,
    );
    batch.put(
        stores::ARTIFACTS,
        &batch_artifact.artifact_id,
        &batch_artifact,
    );
    batch.put(stores::ACTIONS, &action.action_id, &action);
    batch.put_edges(&edges);
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms: input.ended_at_ms,
        event: "predict".into(),
        subject_id: input.batch_artifact_id,
        details: BTreeMap::from([
            ("model_id".into(), model.model_id.to_string()),
            ("source_file".into(), input.source.file_name),
            ("source_hash".into(), input.source.content_hash),
            ("output_hash".into(), input.output_hash),
            ("n_rows".into(), input.n_rows.to_string()),
            ("action_id".into(), input.action_id),
        ]),
    }));
    batch
}

/// Why an exported model file was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelImportError {
    #[error("{file_name} is not an exported model file: {reason}")]
    NotAModelFile { file_name: String, reason: String },
    #[error(
        "{file_name} is a model file of format \"{found}\"; this studio reads \"{expected}\" here"
    )]
    OtherFormat {
        file_name: String,
        found: String,
        expected: &'static str,
    },
    #[error("{file_name} is damaged: its fitted model does not match the content hash recorded when it was exported")]
    HashMismatch { file_name: String },
    #[error("the model in {file_name} cannot be read: {reason}")]
    UnreadableModel { file_name: String, reason: String },
}

/// Everything known once an exported model file has been read.
#[derive(Clone, Debug)]
pub struct ImportModelInput {
    pub model_id: String,
    pub artifact_id: String,
    pub source_artifact_id: String,
    pub action_id: String,
    /// The file as read: name, size and BLAKE3 of its bytes.
    pub source: SourceFile,
    /// The file's text.
    pub text: String,
    pub at_ms: f64,
}

/// The records importing an exported model writes, once the file checks out (its format,
/// its model's BLAKE3 against the record's content hash, a model this build can read): the
/// model under a new id with its own Model artifact (origin: imported from the file), the
/// file as a SourceFile artifact, an Import action from one to the other, edges and an
/// audit entry.
pub fn plan_import_model(
    input: ImportModelInput,
) -> Result<(ModelRecord, WriteBatch), ModelImportError> {
    let file_name = input.source.file_name.clone();
    let not_a_model_file = |reason: String| ModelImportError::NotAModelFile {
        file_name: file_name.clone(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(&input.text).map_err(|e| not_a_model_file(e.to_string()))?;
    let format = value
        .get("format")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| not_a_model_file("it has no \"format\"".to_string()))?;
    if format != MODEL_EXPORT_FORMAT {
        return Err(ModelImportError::OtherFormat {
            file_name,
            found: format.to_string(),
            expected: MODEL_EXPORT_FORMAT,
        });
    }
    let model_file = value
        .get("model_file")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| not_a_model_file("it has no \"model_file\"".to_string()))?
        .to_string();
    let record_value = value
        .get("record")
        .cloned()
        .ok_or_else(|| not_a_model_file("it has no \"record\"".to_string()))?;
    let mut record: ModelRecord = crate::records::migrate(stores::MODELS, record_value)
        .map_err(|e| not_a_model_file(e.to_string()))?;
    if hash_bytes(model_file.as_bytes()).to_hex() != record.content_hash {
        return Err(ModelImportError::HashMismatch { file_name });
    }
    let readable = if record.image.is_some() {
        crate::image::ImageModel::from_json(&model_file).map(drop)
    } else {
        crate::automl::run::ModelFile::from_json(&model_file).map(drop)
    };
    readable.map_err(|reason| ModelImportError::UnreadableModel {
        file_name: file_name.clone(),
        reason,
    })?;
    record.model_id = input.model_id.clone();
    record.artifact_id = input.artifact_id.clone();
    record.created_at_ms = input.at_ms;
    record.origin = ModelOrigin::Imported {
        file_name: file_name.clone(),
    };
    let mut batch = WriteBatch::default();
    batch.put_model(&record, model_file);
    batch.import_lineage(
        &input,
        MODEL_EXPORT_FORMAT,
        "import_model",
        BTreeMap::from([
            ("model_id".into(), record.model_id.clone()),
            ("content_hash".into(), record.content_hash.clone()),
        ]),
    );
    Ok((record, batch))
}

impl WriteBatch {
    /// The lineage of a model read from an exported file: the file as a SourceFile
    /// artifact, an Import action from it to the model's artifact, edges and an audit entry
    /// (`event`, with `details` and the file's name and hash).
    fn import_lineage(
        &mut self,
        input: &ImportModelInput,
        format: &str,
        event: &str,
        mut details: BTreeMap<String, String>,
    ) {
        let file_name = input.source.file_name.clone();
        let source_artifact = ArtifactRecord {
            schema_version: RECORD_SCHEMA_VERSION,
            artifact_id: input.source_artifact_id.clone(),
            kind: ArtifactKind::SourceFile,
            name: file_name.clone(),
            content_hash: input.source.content_hash.clone(),
            created_at_ms: input.at_ms,
            properties: BTreeMap::from([(
                "size_bytes".into(),
                input.source.size_bytes.to_string(),
            )]),
        };
        let action = ActionRecord::completed(
            ActionKind::Import,
            input.action_id.clone(),
            BTreeMap::from([
                ("reader".to_string(), "model".to_string()),
                ("format".to_string(), format.to_string()),
            ]),
            (input.at_ms, input.at_ms),
            vec![input.source_artifact_id.clone()],
            vec![input.artifact_id.clone()],
        );
        let edges = [
            (
                &input.source_artifact_id,
                &input.action_id,
                EdgeType::ContributedTo,
            ),
            (&input.action_id, &input.artifact_id, EdgeType::Produced),
            (
                &input.artifact_id,
                &input.source_artifact_id,
                EdgeType::DerivedFrom,
            ),
        ];
        self.put(
            stores::ARTIFACTS,
            &source_artifact.artifact_id,
            &source_artifact,
        );
        self.put(stores::ACTIONS, &action.action_id, &action);
        self.put_edges(&edges);
        details.insert("source_file".into(), file_name);
        details.insert("source_hash".into(), input.source.content_hash.clone());
        details.insert("action_id".into(), input.action_id.clone());
        self.ops.push(Op::Audit(AuditDraft {
            at_ms: input.at_ms,
            event: event.into(),
            subject_id: input.artifact_id.clone(),
            details,
        }));
    }
}

/// What `ExportModel` writes: the record and the model file's exact text, as JSON.
pub fn export_model(record: &ModelRecord, model_file: &ModelFileRecord) -> Vec<u8> {
    let export = ModelExport {
        format: MODEL_EXPORT_FORMAT.to_string(),
        record: record.clone(),
        model_file: model_file.json.clone(),
    };
    serde_json::to_vec(&export).expect("records always serialize")
}

/// Deletes a model's record and file; its lineage (artifact, actions, edges) stays, so the
/// predictions it made still say where they came from.
pub fn plan_delete_model(model: &ModelRecord, at_ms: f64) -> WriteBatch {
    let mut batch = WriteBatch::default();
    batch.ops.push(Op::Delete {
        store: stores::MODELS,
        key: model.model_id.clone(),
    });
    batch.ops.push(Op::Delete {
        store: stores::MODEL_FILES,
        key: model.model_id.clone(),
    });
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms,
        event: "delete_model".into(),
        subject_id: model.artifact_id.clone(),
        details: BTreeMap::from([
            ("model_id".into(), model.model_id.clone()),
            ("name".into(), model.name.clone()),
            ("content_hash".into(), model.content_hash.clone()),
        ]),
    }));
    batch
}

/// An in-memory store with IndexedDB's all-or-nothing batches: the native stand-in the
/// lineage rules are tested against.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    pub records: BTreeMap<&'static str, BTreeMap<String, serde_json::Value>>,
    pub blobs: BTreeMap<String, Vec<u8>>,
    /// The other stores of bytes, by store and key.
    pub bytes: BTreeMap<(&'static str, String), Vec<u8>>,
    pub audit: Vec<AuditEntry>,
}

impl MemoryStore {
    pub fn apply(&mut self, batch: WriteBatch) {
        // Work on a copy and swap it in at the end, as a transaction commits.
        let mut next = self.clone();
        for op in batch.ops {
            match op {
                Op::Put { store, key, value } => {
                    next.records.entry(store).or_default().insert(key, value);
                }
                Op::PutBlob { key, bytes } => {
                    next.blobs.insert(key, bytes);
                }
                Op::PutBytes { store, key, bytes } => {
                    next.bytes.insert((store, key), bytes);
                }
                Op::Delete { store, key } => {
                    if store == stores::BLOBS {
                        next.blobs.remove(&key);
                    } else if let Some(records) = next.records.get_mut(store) {
                        records.remove(&key);
                    }
                }
                Op::DeleteRowsUnlessShared {
                    content_hash,
                    n_chunks,
                } => {
                    if !next.rows_shared(&content_hash) {
                        for index in 0..n_chunks {
                            next.blobs.remove(&blob_key(&content_hash, index));
                        }
                    }
                }
                Op::DeleteImagesUnlessShared {
                    content_hash,
                    n_images,
                } => {
                    if !next.images_shared(&content_hash) {
                        for index in 0..n_images {
                            let key = crate::records::image_key(&content_hash, index);
                            next.bytes.remove(&(stores::IMAGE_FILES, key.clone()));
                            next.bytes.remove(&(stores::IMAGE_THUMBS, key));
                        }
                    }
                }
                Op::Audit(draft) => {
                    let entry = seal(next.audit.last(), draft);
                    next.audit.push(entry);
                }
            }
        }
        *self = next;
    }

    pub fn datasets(&self) -> Vec<DatasetRecord> {
        self.records
            .get(stores::DATASETS)
            .map(|records| {
                records
                    .values()
                    .map(|v| serde_json::from_value(v.clone()).expect("stored by plan_import"))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn dataset(&self, dataset_id: &str) -> Option<DatasetRecord> {
        self.datasets()
            .into_iter()
            .find(|d| d.dataset_id == dataset_id)
    }

    /// Whether any image set keeps images under `content_hash`.
    pub fn images_shared(&self, content_hash: &str) -> bool {
        self.records.get(stores::IMAGE_SETS).is_some_and(|sets| {
            sets.values().any(|set| {
                set.get("content_hash").and_then(serde_json::Value::as_str) == Some(content_hash)
            })
        })
    }

    /// Whether any dataset keeps rows under `content_hash`.
    pub fn rows_shared(&self, content_hash: &str) -> bool {
        self.datasets()
            .iter()
            .any(|d| d.content_hash == content_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::{read_csv, CsvOptions};
    use crate::recipe::{Recipe, Step};

    const PENGUINS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/datasets/multiclass/penguins.csv"
    );

    fn import(store: &mut MemoryStore, file_name: &str, bytes: &[u8], salt: &str) -> DatasetRecord {
        let imported = read_csv(file_name, bytes, CsvOptions::default()).unwrap();
        let frame = imported.frame;
        let rows_per_chunk = 100;
        let input = ImportInput {
            dataset_id: make_id("ds", salt.as_bytes()),
            source_artifact_id: make_id("art", format!("{salt}src").as_bytes()),
            dataset_artifact_id: make_id("art", format!("{salt}ds").as_bytes()),
            action_id: make_id("act", salt.as_bytes()),
            dataset_name: file_name.trim_end_matches(".csv").to_string(),
            source: SourceFile {
                file_name: file_name.to_string(),
                size_bytes: bytes.len() as u64,
                content_hash: hash_bytes(bytes).to_hex(),
            },
            content_hash: frame.content_hash(),
            n_rows: frame.n_rows() as u64,
            columns: frame.column_summaries(),
            rows_per_chunk,
            chunks: frame.to_ipc_chunks(rows_per_chunk as usize).unwrap(),
            parameters: BTreeMap::from([("delimiter".into(), ",".into())]),
            started_at_ms: 1.0,
            ended_at_ms: 2.0,
        };
        let (dataset, batch) = plan_import(input);
        store.apply(batch);
        dataset
    }

    fn penguins() -> Vec<u8> {
        std::fs::read(PENGUINS).expect("shared datasets are beside the repo")
    }

    #[test]
    fn an_import_records_dataset_blobs_lineage_and_audit_together() {
        let mut store = MemoryStore::default();
        let dataset = import(&mut store, "penguins.csv", &penguins(), "a");
        assert_eq!((dataset.n_rows, dataset.n_cols), (344, 8));
        assert_eq!(store.datasets(), vec![dataset.clone()]);
        assert_eq!(store.blobs.len() as u64, dataset.n_chunks);
        assert_eq!(dataset.n_chunks, 4);
        assert_eq!(store.records[stores::ARTIFACTS].len(), 2);
        assert_eq!(store.records[stores::ACTIONS].len(), 1);
        assert_eq!(store.records[stores::EDGES].len(), 3);
        let action: ActionRecord = serde_json::from_value(
            store.records[stores::ACTIONS]
                .values()
                .next()
                .unwrap()
                .clone(),
        )
        .unwrap();
        assert_eq!(action.outputs, vec![dataset.artifact_id.clone()]);
        assert_eq!(store.audit.len(), 1);
        assert_eq!(store.audit[0].details["content_hash"], dataset.content_hash);
        assert_eq!(
            store.audit[0].details["source_hash"],
            hash_bytes(&penguins()).to_hex()
        );
        verify_chain(&store.audit).unwrap();
    }

    #[test]
    fn stored_chunks_read_back_to_the_same_content_hash() {
        let mut store = MemoryStore::default();
        let dataset = import(&mut store, "penguins.csv", &penguins(), "a");
        let chunks: Vec<&[u8]> = (0..dataset.n_chunks)
            .map(|i| store.blobs[&blob_key(&dataset.content_hash, i)].as_slice())
            .collect();
        let frame = crate::frame::Frame::from_ipc_chunks(&chunks).unwrap();
        assert_eq!(frame.content_hash().to_hex(), dataset.content_hash);
    }

    #[test]
    fn deleting_one_of_two_identical_datasets_keeps_the_shared_rows() {
        let mut store = MemoryStore::default();
        let first = import(&mut store, "penguins.csv", &penguins(), "a");
        let second = import(&mut store, "penguins copy.csv", &penguins(), "b");
        assert_eq!(first.content_hash, second.content_hash);
        store.apply(plan_delete(&first, 3.0));
        assert_eq!(store.datasets(), vec![second.clone()]);
        assert_eq!(store.blobs.len() as u64, second.n_chunks);

        store.apply(plan_delete(&second, 4.0));
        assert!(store.datasets().is_empty());
        assert!(store.blobs.is_empty());
        // Lineage outlives the data: both imports stay traceable.
        assert_eq!(store.records[stores::ARTIFACTS].len(), 4);
        let events: Vec<&str> = store.audit.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(events, ["import", "import", "delete", "delete"]);
        verify_chain(&store.audit).unwrap();
    }

    #[test]
    fn renaming_changes_the_name_not_the_artifact() {
        let mut store = MemoryStore::default();
        let dataset = import(&mut store, "penguins.csv", &penguins(), "a");
        let (renamed, batch) = plan_rename(&dataset, "  Palmer penguins ", 5.0).unwrap();
        store.apply(batch);
        assert_eq!(
            store.dataset(&dataset.dataset_id).unwrap().name,
            "Palmer penguins"
        );
        assert_eq!(renamed.artifact_id, dataset.artifact_id);
        assert_eq!(store.audit[1].details["from"], "penguins");
        assert_eq!(
            plan_rename(&dataset, "   ", 5.0).unwrap_err(),
            ChangeError::EmptyName
        );
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert!(plan_rename(&dataset, &long, 5.0).is_err());
    }

    #[test]
    fn tampering_with_the_audit_log_shows() {
        let mut store = MemoryStore::default();
        import(&mut store, "a.csv", b"x,y\n1,2\n", "a");
        import(&mut store, "b.csv", b"x,y\n3,4\n", "b");
        import(&mut store, "c.csv", b"x,y\n5,6\n", "c");
        verify_chain(&store.audit).unwrap();

        let mut altered = store.audit.clone();
        altered[1]
            .details
            .insert("source_file".into(), "evil.csv".into());
        assert_eq!(verify_chain(&altered), Err(ChainError::Altered { seq: 1 }));

        let mut dropped = store.audit.clone();
        dropped.remove(1);
        assert_eq!(verify_chain(&dropped), Err(ChainError::Broken { seq: 2 }));
    }

    #[test]
    fn a_profile_is_an_artifact_derived_from_its_dataset() {
        let mut store = MemoryStore::default();
        let dataset = import(&mut store, "penguins.csv", &penguins(), "a");
        let frame = read_csv("penguins.csv", &penguins(), CsvOptions::default())
            .unwrap()
            .frame;
        let options = crate::profile::ProfileOptions::default();
        let profile = crate::profile::profile(&frame, &options);
        let insights = crate::profile::insights(&frame, &profile, Some("species")).unwrap();
        let (record, batch) = plan_profile(
            &dataset,
            ProfileInput {
                artifact_id: "art-profile".into(),
                action_id: "act-profile".into(),
                target: Some("species".into()),
                profile,
                insights,
                options,
                started_at_ms: 3.0,
                ended_at_ms: 4.0,
            },
        );
        store.apply(batch);
        let key = profile_key(&dataset.content_hash, Some("species"));
        let stored: ProfileRecord =
            serde_json::from_value(store.records[stores::PROFILES][&key].clone()).unwrap();
        assert_eq!(stored, record);
        assert_eq!(stored.profile.column("bill_length_mm").unwrap().missing, 2);
        let action: ActionRecord =
            serde_json::from_value(store.records[stores::ACTIONS]["act-profile"].clone()).unwrap();
        assert_eq!(action.inputs, vec![dataset.artifact_id.clone()]);
        assert_eq!(action.parameters["target"], "species");
        assert!(store.records[stores::EDGES]
            .contains_key(&format!("art-profile>{}", dataset.artifact_id)));
        assert_eq!(store.audit.last().unwrap().event, "profile");
        verify_chain(&store.audit).unwrap();
    }

    #[test]
    fn a_transform_records_its_parent_recipe_and_new_version() {
        use crate::recipe::FillStrategy;
        let mut store = MemoryStore::default();
        let parent = import(&mut store, "penguins.csv", &penguins(), "a");
        let frame = read_csv("penguins.csv", &penguins(), CsvOptions::default())
            .unwrap()
            .frame;
        let recipe = Recipe::new(
            "clean",
            vec![
                Step::FillMissing {
                    columns: vec!["bill_length_mm".into()],
                    strategy: FillStrategy::Median,
                    fill_value: crate::recipe::Value::Null,
                },
                Step::OneHot {
                    column: "island".into(),
                    drop_first: false,
                    dummy_na: false,
                },
            ],
        );
        let (fitted, out) = recipe.fit_transform(&frame).unwrap();
        let (dataset, batch) = plan_transform(
            &parent,
            TransformInput {
                dataset_id: "ds-child".into(),
                dataset_artifact_id: "art-child".into(),
                recipe_artifact_id: "art-recipe".into(),
                action_id: "act-transform".into(),
                dataset_name: "penguins (clean)".into(),
                recipe: recipe.clone(),
                fitted_json: fitted.to_json(),
                // As if the recipe had joined a lookup table.
                other_inputs: vec!["art-lookup".into()],
                content_hash: out.content_hash(),
                n_rows: out.n_rows() as u64,
                columns: out.column_summaries(),
                rows_per_chunk: 1000,
                chunks: out.to_ipc_chunks(1000).unwrap(),
                started_at_ms: 5.0,
                ended_at_ms: 6.0,
            },
        );
        store.apply(batch);
        let stored = store.dataset("ds-child").unwrap();
        assert_eq!(stored, dataset);
        assert_eq!(
            stored.parent_dataset_id.as_deref(),
            Some(parent.dataset_id.as_str())
        );
        assert_eq!(stored.recipe.as_ref(), Some(&recipe));
        assert_eq!(
            stored.n_cols,
            8 - 1 + 3,
            "island became three one-hot columns"
        );
        let bill = stored
            .columns
            .iter()
            .find(|c| c.name == "bill_length_mm")
            .unwrap();
        assert_eq!(bill.missing_count, 0);
        let action: ActionRecord =
            serde_json::from_value(store.records[stores::ACTIONS]["act-transform"].clone())
                .unwrap();
        assert_eq!(
            action.inputs,
            vec![
                parent.artifact_id.clone(),
                "art-recipe".to_string(),
                "art-lookup".to_string()
            ]
        );
        assert!(store.records[stores::EDGES].contains_key("art-lookup>act-transform"));
        assert!(store.records[stores::EDGES].contains_key("art-child>art-lookup"));
        assert_eq!(action.outputs, vec!["art-child".to_string()]);
        let recipe_record: crate::records::RecipeRecord =
            serde_json::from_value(store.records[stores::RECIPES]["art-recipe"].clone()).unwrap();
        let refitted = crate::recipe::FittedRecipe::from_json(&recipe_record.fitted_json).unwrap();
        assert_eq!(
            refitted.transform(&frame).unwrap().content_hash(),
            out.content_hash()
        );
        assert!(
            store.records[stores::EDGES].contains_key(&format!("art-child>{}", parent.artifact_id))
        );
        assert_eq!(store.audit.last().unwrap().event, "transform");
        verify_chain(&store.audit).unwrap();
    }

    #[test]
    fn saving_a_recipe_replaces_by_name_and_is_audited() {
        let mut store = MemoryStore::default();
        let recipe = Recipe::new(
            "  clean  ",
            vec![Step::DropColumns {
                columns: vec!["sex".into()],
            }],
        );
        let (saved, batch) = plan_save_recipe(&recipe, 1.0).unwrap();
        assert_eq!(saved.name, "clean");
        store.apply(batch);
        let mut longer = recipe.clone();
        longer.steps.push(Step::DropColumns {
            columns: vec!["year".into()],
        });
        let (resaved, batch) = plan_save_recipe(&longer, 2.0).unwrap();
        assert_ne!(resaved.content_hash, saved.content_hash);
        store.apply(batch);
        let library = &store.records[stores::SAVED_RECIPES];
        assert_eq!(library.len(), 1, "the same name replaces the earlier save");
        let stored: crate::records::SavedRecipe =
            serde_json::from_value(library["clean"].clone()).unwrap();
        assert_eq!(stored.recipe.steps.len(), 2);
        store.apply(plan_delete_saved_recipe("clean", 3.0));
        assert!(store.records[stores::SAVED_RECIPES].is_empty());
        let events: Vec<&str> = store.audit.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(
            events,
            ["save_recipe", "save_recipe", "delete_saved_recipe"]
        );
        verify_chain(&store.audit).unwrap();
        assert_eq!(
            plan_save_recipe(&Recipe::new(" ", Vec::new()), 4.0).unwrap_err(),
            ChangeError::EmptyRecipeName
        );
    }

    #[test]
    fn a_runs_tags_and_notes_change_and_bad_tags_are_refused_by_name() {
        let run = crate::experiments::RunRecord {
            schema_version: RECORD_SCHEMA_VERSION,
            run_id: "run-1".into(),
            experiment_id: "exp-1".into(),
            name: "tree".into(),
            kind: crate::experiments::RunKind::Build,
            parent_run_id: None,
            status: crate::experiments::RunStatus::Finished,
            started_at_ms: 1.0,
            duration_secs: 2.0,
            params: BTreeMap::from([("max_depth".into(), "3".into())]),
            metrics: BTreeMap::from([("accuracy".into(), 0.9)]),
            history: Vec::new(),
            dataset_id: None,
            dataset_name: None,
            dataset_content_hash: None,
            recipe_hashes: Vec::new(),
            seed: Some(0),
            code_version: CODE_VERSION.into(),
            tags: BTreeMap::new(),
            notes: String::new(),
            artifacts: Vec::new(),
            model_id: None,
            action_id: None,
            findings: Vec::new(),
        };
        let tags = BTreeMap::from([(" reviewed ".to_string(), "yes".to_string())]);
        let (updated, batch) = plan_update_run(run.clone(), tags, "fine".into(), 5.0).unwrap();
        assert_eq!(updated.tags["reviewed"], "yes");
        assert_eq!(updated.notes, "fine");
        // What happened in the run stays.
        assert_eq!(updated.params, run.params);
        assert_eq!(updated.metrics, run.metrics);
        let mut store = MemoryStore::default();
        store.apply(batch);
        assert!(store.records[stores::RUNS].contains_key("run-1"));
        assert!(store.records[stores::META].contains_key(RUNS_REVISION));
        assert_eq!(store.audit.last().unwrap().event, "update_run");

        for (key, value, expected) in [
            (" ", "x", "a tag needs a name"),
            ("/path", "x", "tag \"/path\""),
            ("k", &"v".repeat(MAX_TAG_VALUE_CHARS + 1), "tag \"k\""),
        ] {
            let tags = BTreeMap::from([(key.to_string(), value.to_string())]);
            let error = plan_update_run(run.clone(), tags, String::new(), 6.0).unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
        }
        let long = "n".repeat(MAX_NOTES_CHARS + 1);
        assert!(matches!(
            plan_update_run(run, BTreeMap::new(), long, 7.0),
            Err(ChangeError::NotesTooLong { .. })
        ));
    }

    #[test]
    fn ids_differ_with_entropy() {
        assert_ne!(make_id("ds", &[1]), make_id("ds", &[2]));
        assert!(make_id("ds", &[1]).starts_with("ds-"));
        assert_eq!(make_id("ds", &[1]).len(), 3 + 16);
    }

    /// A Quick model of penguins' species trained on a stored dataset, as the worker does.
    fn train_penguins(store: &mut MemoryStore, dataset: &DatasetRecord, seed: u64) -> ModelRecord {
        use crate::automl::run::{Training, TrainingStep};
        let frame = read_csv("penguins.csv", &penguins(), CsvOptions::default())
            .unwrap()
            .frame;
        let options = crate::automl::AutomlOptions {
            seed,
            drop: vec!["year".into()],
            ..crate::automl::AutomlOptions::new("species")
        };
        let mut training = Training::on_dataset(&frame, &options, &|| 0.0).unwrap();
        let run = loop {
            if let TrainingStep::Finished(run) = training.step(&|| 0.0).unwrap() {
                break *run;
            }
        };
        let name = model_name("", "species", &dataset.name).unwrap();
        let (record, batch) = plan_train(
            dataset,
            TrainInput {
                model_id: format!("model-{seed}"),
                artifact_id: format!("art-model-{seed}"),
                action_id: format!("act-train-{seed}"),
                name,
                options,
                run,
                inputs: training.inputs().to_vec(),
                n_train_rows: training.n_train_rows() as u64,
                n_holdout_rows: training.n_test_rows() as u64,
                started_at_ms: 10.0,
                ended_at_ms: 2010.0,
                new_experiment: None,
                runs: Vec::new(),
            },
        );
        store.apply(batch);
        record
    }

    fn stored<T: serde::de::DeserializeOwned>(store: &MemoryStore, name: &str, key: &str) -> T {
        serde_json::from_value(store.records[name][key].clone()).unwrap()
    }

    /// Two classes of 8×8 grayscale images, dark and light, ten each (with noise so that
    /// no two are alike).
    fn image_entries() -> Vec<(String, Vec<u8>)> {
        use crate::image::{thumbnail_png, ColorMode, ImageSize};
        let mut entries = Vec::new();
        for (class, base) in [("dark", 20u8), ("light", 220u8)] {
            for i in 0..10u8 {
                let pixels: Vec<u8> = (0..64u8)
                    .map(|p| base.wrapping_add((p.wrapping_mul(7) ^ i.wrapping_mul(13)) % 25))
                    .collect();
                let png = thumbnail_png(ImageSize::new(8, 8), ColorMode::Gray, &pixels);
                entries.push((format!("shades/{class}/{i}.png"), png));
            }
        }
        entries
    }

    fn import_images(store: &mut MemoryStore, salt: &str) -> crate::records::ImageSetRecord {
        let entries = image_entries();
        let prepared = crate::image::set::prepare_image_set(&entries).unwrap();
        let (record, batch) = plan_import_images(ImportImagesInput {
            image_set_id: format!("img-{salt}"),
            source_artifact_id: format!("art-src-{salt}"),
            image_set_artifact_id: format!("art-img-{salt}"),
            action_id: format!("act-{salt}"),
            name: "shades".into(),
            source: SourceFile {
                file_name: "shades".into(),
                size_bytes: 1234,
                content_hash: "f".repeat(64),
            },
            prepared,
            parameters: BTreeMap::from([("reader".into(), "folder".into())]),
            started_at_ms: 1.0,
            ended_at_ms: 2.0,
        });
        store.apply(batch);
        record
    }

    #[test]
    fn an_image_import_records_the_set_its_images_lineage_and_audit_together() {
        let mut store = MemoryStore::default();
        let record = import_images(&mut store, "a");
        assert_eq!(record.images.len(), 20);
        assert_eq!(record.classes.len(), 2);
        assert_eq!(
            stored::<crate::records::ImageSetRecord>(&store, stores::IMAGE_SETS, "img-a"),
            record
        );
        for store_name in [stores::IMAGE_FILES, stores::IMAGE_THUMBS] {
            let keys: Vec<&String> = store
                .bytes
                .keys()
                .filter(|(name, _)| *name == store_name)
                .map(|(_, key)| key)
                .collect();
            assert_eq!(keys.len(), 20, "{store_name}");
            assert_eq!(*keys[0], crate::records::image_key(&record.content_hash, 0));
        }
        let artifact: ArtifactRecord = stored(&store, stores::ARTIFACTS, "art-img-a");
        assert_eq!(artifact.kind, ArtifactKind::ImageSet);
        assert_eq!(artifact.content_hash, record.content_hash);
        let action: ActionRecord = stored(&store, stores::ACTIONS, "act-a");
        assert_eq!(action.kind, ActionKind::Import);
        assert_eq!(action.inputs, ["art-src-a"]);
        assert_eq!(action.outputs, ["art-img-a"]);
        assert_eq!(store.records[stores::EDGES].len(), 3);
        assert_eq!(store.audit.len(), 1);
        assert_eq!(store.audit[0].event, "import_images");
        // The same images again: a second set, the same stored images.
        let again = import_images(&mut store, "b");
        assert_eq!(again.content_hash, record.content_hash);
        assert_eq!(store.bytes.len(), 40);
        verify_chain(&store.audit).unwrap();
    }

    #[test]
    fn deleting_one_of_two_identical_image_sets_keeps_the_shared_images() {
        let mut store = MemoryStore::default();
        let first = import_images(&mut store, "a");
        let second = import_images(&mut store, "b");
        store.apply(plan_delete_image_set(&first, 3.0));
        assert!(!store.records[stores::IMAGE_SETS].contains_key("img-a"));
        assert_eq!(store.bytes.len(), 40, "the other set still needs them");
        store.apply(plan_delete_image_set(&second, 4.0));
        assert!(store.records[stores::IMAGE_SETS].is_empty());
        assert!(store.bytes.is_empty());
        // Lineage outlives the data.
        let artifact: ArtifactRecord = stored(&store, stores::ARTIFACTS, "art-img-a");
        assert_eq!(artifact.kind, ArtifactKind::ImageSet);
        assert_eq!(store.audit.last().unwrap().event, "delete_image_set");
        verify_chain(&store.audit).unwrap();
    }

    #[test]
    fn a_model_trained_on_images_is_stored_with_its_lineage() {
        use crate::image::model::{ImageTraining, ImageTrainingStep};
        let mut store = MemoryStore::default();
        let set = import_images(&mut store, "a");
        let thumbnails: Vec<Vec<u8>> = store
            .bytes
            .iter()
            .filter(|((name, _), _)| *name == stores::IMAGE_THUMBS)
            .map(|(_, bytes)| bytes.clone())
            .collect();
        let dataset = crate::image::set::dataset_from_thumbnails(&set, &thumbnails).unwrap();
        let options = crate::automl::AutomlOptions {
            build: crate::automl::Build::Quick,
            ..crate::automl::AutomlOptions::new("label")
        };
        let params = crate::image::FeatureParams::default();
        let mut training = ImageTraining::new(&dataset, &params, &options, &|| 0.0).unwrap();
        let run = loop {
            if let ImageTrainingStep::Finished(run) = training.step(&|| 0.0).unwrap() {
                break *run;
            }
        };
        let (record, batch) = plan_train_images(
            &set,
            TrainImagesInput {
                model_id: "model-img".into(),
                artifact_id: "art-model-img".into(),
                action_id: "act-train-img".into(),
                name: model_name("", "label", &set.name).unwrap(),
                options,
                run,
                n_train_rows: training.training().n_train_rows() as u64,
                n_holdout_rows: training.training().n_test_rows() as u64,
                started_at_ms: 10.0,
                ended_at_ms: 20.0,
                new_experiment: None,
                runs: Vec::new(),
            },
        );
        store.apply(batch);
        assert_eq!((record.n_train_rows, record.n_holdout_rows), (16, 4));
        assert!(record.inputs.is_empty());
        let image = record.image.as_ref().unwrap();
        assert_eq!(image.image_set_id, "img-a");
        assert_eq!(image.classes, ["dark", "light"]);
        assert_eq!(record.dataset_content_hash, set.content_hash);
        let file: ModelFileRecord = stored(&store, stores::MODEL_FILES, "model-img");
        assert_eq!(
            hash_bytes(file.json.as_bytes()).to_hex(),
            record.content_hash
        );
        crate::image::ImageModel::from_json(&file.json).unwrap();
        let action: ActionRecord = stored(&store, stores::ACTIONS, "act-train-img");
        assert_eq!(action.kind, ActionKind::Train);
        assert_eq!(action.inputs, vec![set.artifact_id.clone()]);
        assert_eq!(action.outputs, ["art-model-img"]);
        assert_eq!(action.parameters["image_set_id"], "img-a");
        let last = store.audit.last().unwrap();
        assert_eq!(last.event, "train_images");
        assert_eq!(last.details["image_set_content_hash"], set.content_hash);
        // Exported and imported again, an image model stays an image model.
        let exported = export_model(&record, &file);
        let (imported, _) = plan_import_model(ImportModelInput {
            model_id: "model-img-2".into(),
            artifact_id: "art-model-img-2".into(),
            source_artifact_id: "art-src-model".into(),
            action_id: "act-import-model".into(),
            source: SourceFile {
                file_name: "shades.model.json".into(),
                size_bytes: exported.len() as u64,
                content_hash: hash_bytes(&exported).to_hex(),
            },
            text: String::from_utf8(exported).unwrap(),
            at_ms: 30.0,
        })
        .unwrap();
        assert_eq!(imported.image, record.image);
    }

    #[test]
    fn a_trained_model_is_stored_with_its_lineage() {
        let mut store = MemoryStore::default();
        let dataset = import(&mut store, "penguins.csv", &penguins(), "a");
        let model = train_penguins(&mut store, &dataset, 0);
        assert_eq!(model.name, "species from penguins");
        assert_eq!(
            stored::<ModelRecord>(&store, stores::MODELS, "model-0"),
            model
        );
        let file: ModelFileRecord = stored(&store, stores::MODEL_FILES, "model-0");
        assert_eq!(
            hash_bytes(file.json.as_bytes()).to_hex(),
            model.content_hash
        );
        assert_eq!(file.content_hash, model.content_hash);
        assert_eq!((model.n_train_rows, model.n_holdout_rows), (275, 69));
        let holdout = model
            .report
            .holdout
            .as_ref()
            .expect("evaluated on the holdout");
        assert_eq!(holdout.n_rows, 69);
        assert_eq!(model.train_secs, 2.0);
        assert_eq!(model.origin, ModelOrigin::Trained);
        assert!(model.inputs.iter().all(|input| input.name != "year"));
        let island = model.inputs.iter().find(|i| i.name == "island").unwrap();
        assert_eq!(island.categories, ["Biscoe", "Dream", "Torgersen"]);

        let artifact: ArtifactRecord = stored(&store, stores::ARTIFACTS, "art-model-0");
        assert_eq!(artifact.kind, ArtifactKind::Model);
        assert_eq!(artifact.content_hash, model.content_hash);
        assert_eq!(artifact.properties["task"], "multiclass");
        assert_eq!(artifact.properties["metric"], "accuracy");
        assert_eq!(
            artifact.properties["holdout_score"],
            holdout.score.to_string()
        );
        let action: ActionRecord = stored(&store, stores::ACTIONS, "act-train-0");
        assert_eq!(action.kind, ActionKind::Train);
        assert_eq!(action.inputs, vec![dataset.artifact_id.clone()]);
        assert_eq!(action.outputs, vec!["art-model-0".to_string()]);
        assert_eq!(action.parameters["target"], "species");
        assert_eq!(action.parameters["build"], "quick");
        assert_eq!(action.parameters["drop"], "[\"year\"]");
        assert_eq!(action.parameters["time_budget_secs"], "none");
        assert!(store.records[stores::EDGES]
            .contains_key(&format!("art-model-0>{}", dataset.artifact_id)));
        assert_eq!(store.audit.last().unwrap().event, "train");
        verify_chain(&store.audit).unwrap();
    }

    #[test]
    fn the_same_seed_trains_the_same_model() {
        let mut store = MemoryStore::default();
        let dataset = import(&mut store, "penguins.csv", &penguins(), "a");
        let first = train_penguins(&mut store, &dataset, 7);
        let second = train_penguins(&mut MemoryStore::default(), &dataset, 7);
        assert_eq!(first.content_hash, second.content_hash);
        assert_eq!(first.report.leaderboard, second.report.leaderboard);
    }

    #[test]
    fn model_names_default_and_are_checked() {
        assert_eq!(
            model_name("  ", "species", "penguins").unwrap(),
            "species from penguins"
        );
        assert_eq!(model_name(" mine ", "y", "d").unwrap(), "mine");
        assert!(model_name(&"x".repeat(MAX_NAME_CHARS + 1), "y", "d").is_err());
    }

    #[test]
    fn a_batch_prediction_records_the_file_the_model_and_the_output() {
        let mut store = MemoryStore::default();
        let dataset = import(&mut store, "penguins.csv", &penguins(), "a");
        let model = train_penguins(&mut store, &dataset, 0);
        store.apply(plan_predict(
            &model,
            PredictInput {
                source_artifact_id: "art-new".into(),
                batch_artifact_id: "art-batch".into(),
                action_id: "act-predict".into(),
                source: SourceFile {
                    file_name: "new.csv".into(),
                    size_bytes: 12,
                    content_hash: "feed".into(),
                },
                output_file_name: "new-predictions.csv".into(),
                output_hash: "beef".into(),
                n_rows: 3,
                started_at_ms: 20.0,
                ended_at_ms: 21.0,
            },
        ));
        let source: ArtifactRecord = stored(&store, stores::ARTIFACTS, "art-new");
        assert_eq!(source.kind, ArtifactKind::SourceFile);
        assert_eq!(source.content_hash, "feed");
        let output: ArtifactRecord = stored(&store, stores::ARTIFACTS, "art-batch");
        assert_eq!(output.kind, ArtifactKind::PredictionBatch);
        assert_eq!(output.content_hash, "beef");
        assert_eq!(output.properties["n_rows"], "3");
        let action: ActionRecord = stored(&store, stores::ACTIONS, "act-predict");
        assert_eq!(action.kind, ActionKind::Predict);
        assert_eq!(
            action.inputs,
            vec![model.artifact_id.clone(), "art-new".to_string()]
        );
        assert_eq!(action.outputs, vec!["art-batch".to_string()]);
        assert!(store.records[stores::EDGES].contains_key("art-batch>art-model-0"));
        assert_eq!(store.audit.last().unwrap().event, "predict");
        assert!(
            !store.records.contains_key(stores::BLOBS),
            "only the predictions' hash is kept"
        );
        verify_chain(&store.audit).unwrap();
    }

    fn import_input(text: String) -> ImportModelInput {
        ImportModelInput {
            model_id: "model-imported".into(),
            artifact_id: "art-imported".into(),
            source_artifact_id: "art-file".into(),
            action_id: "act-import-model".into(),
            source: SourceFile {
                file_name: "penguins.model.json".into(),
                size_bytes: text.len() as u64,
                content_hash: hash_bytes(text.as_bytes()).to_hex(),
            },
            text,
            at_ms: 30.0,
        }
    }

    #[test]
    fn an_exported_model_imports_as_a_new_model_and_a_tampered_one_is_refused() {
        let mut store = MemoryStore::default();
        let dataset = import(&mut store, "penguins.csv", &penguins(), "a");
        let model = train_penguins(&mut store, &dataset, 0);
        let file: ModelFileRecord = stored(&store, stores::MODEL_FILES, "model-0");
        let exported = String::from_utf8(export_model(&model, &file)).unwrap();

        let (imported, batch) = plan_import_model(import_input(exported.clone())).unwrap();
        store.apply(batch);
        assert_eq!(imported.model_id, "model-imported");
        assert_eq!(imported.artifact_id, "art-imported");
        assert_eq!(imported.content_hash, model.content_hash);
        assert_eq!(imported.report, model.report);
        assert_eq!(
            imported.origin,
            ModelOrigin::Imported {
                file_name: "penguins.model.json".into()
            }
        );
        let file_again: ModelFileRecord = stored(&store, stores::MODEL_FILES, "model-imported");
        assert_eq!(file_again.json, file.json);
        let action: ActionRecord = stored(&store, stores::ACTIONS, "act-import-model");
        assert_eq!(action.kind, ActionKind::Import);
        assert_eq!(action.inputs, vec!["art-file".to_string()]);
        assert_eq!(action.outputs, vec!["art-imported".to_string()]);
        let artifact: ArtifactRecord = stored(&store, stores::ARTIFACTS, "art-imported");
        assert_eq!(artifact.kind, ArtifactKind::Model);
        assert_eq!(store.audit.last().unwrap().event, "import_model");
        assert_eq!(store.records[stores::MODELS].len(), 2);

        // One changed number in the model: the hash no longer matches.
        let mut export: ModelExport = serde_json::from_str(&exported).unwrap();
        export.model_file = export.model_file.replacen("\"seed\":0", "\"seed\":1", 1);
        assert_ne!(export.model_file, file.json);
        let tampered = serde_json::to_string(&export).unwrap();
        let error = plan_import_model(import_input(tampered)).unwrap_err();
        assert!(matches!(error, ModelImportError::HashMismatch { .. }));
        assert_eq!(
            error.to_string(),
            "penguins.model.json is damaged: its fitted model does not match the content hash recorded when it was exported"
        );

        let mut other = export.clone();
        other.format = "something-else/2".into();
        let error = plan_import_model(import_input(serde_json::to_string(&other).unwrap()))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "penguins.model.json is a model file of format \"something-else/2\"; this studio reads \"ml-studio-model/1\" here"
        );
        let error = plan_import_model(import_input("species,island\n".into()))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("penguins.model.json is not an exported model file: "),
            "{error}"
        );
        verify_chain(&store.audit).unwrap();
    }

    #[test]
    fn deleting_a_model_keeps_its_lineage() {
        let mut store = MemoryStore::default();
        let dataset = import(&mut store, "penguins.csv", &penguins(), "a");
        let model = train_penguins(&mut store, &dataset, 0);
        store.apply(plan_delete_model(&model, 40.0));
        assert!(store.records[stores::MODELS].is_empty());
        assert!(store.records[stores::MODEL_FILES].is_empty());
        assert!(store.records[stores::ARTIFACTS].contains_key("art-model-0"));
        assert!(store.records[stores::ACTIONS].contains_key("act-train-0"));
        let events: Vec<&str> = store.audit.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(events, ["import", "train", "delete_model"]);
        verify_chain(&store.audit).unwrap();
    }
}

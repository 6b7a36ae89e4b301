//! The records a forecast model writes when it is trained and when it is deleted.

use std::collections::BTreeMap;

use super::{stores, ActionRecord, AuditDraft, ImportModelInput, ModelImportError, Op, WriteBatch};
use crate::experiments::{ExperimentRecord, RunArtifact, RunRecord};
use crate::forecast::{ForecastOptions, ForecastReport};
use crate::hash::hash_bytes;
use crate::records::{
    ActionKind, ArtifactKind, ArtifactRecord, DatasetRecord, EdgeType, ForecastExport,
    ForecastRecord, ModelFileRecord, FORECAST_EXPORT_FORMAT, RECORD_SCHEMA_VERSION,
};

/// Everything known once a forecast model has been fitted on a dataset version.
#[derive(Clone, Debug)]
pub struct ForecastInput {
    pub forecast_id: String,
    pub artifact_id: String,
    pub action_id: String,
    /// See [`super::model_name`].
    pub name: String,
    pub options: ForecastOptions,
    pub report: ForecastReport,
    /// The fitted `forecast::ForecastModel` as JSON.
    pub model_json: String,
    pub n_rows: u64,
    pub started_at_ms: f64,
    pub ended_at_ms: f64,
    pub new_experiment: Option<ExperimentRecord>,
    /// The build's run first, then its candidates' (`experiments::runs_for_forecast`).
    pub runs: Vec<RunRecord>,
}

/// The records a forecast writes: its record and (apart) its model file, a Model artifact
/// whose content hash is BLAKE3 of the model's JSON, the Train action (used: the dataset
/// version; produced: the model; its parameters say what was forecast and name the run),
/// the runs, edges and an audit entry — one batch, one transaction.
pub fn plan_forecast(
    dataset: &DatasetRecord,
    input: ForecastInput,
) -> (ForecastRecord, WriteBatch) {
    let content_hash = hash_bytes(input.model_json.as_bytes()).to_hex();
    let build_run_id = input.runs.first().map(|run| run.run_id.clone());
    let record = ForecastRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        forecast_id: input.forecast_id.clone(),
        name: input.name,
        created_at_ms: input.ended_at_ms,
        dataset_id: dataset.dataset_id.clone(),
        dataset_name: dataset.name.clone(),
        dataset_content_hash: dataset.content_hash.clone(),
        artifact_id: input.artifact_id.clone(),
        content_hash: content_hash.clone(),
        options: input.options.clone(),
        report: input.report,
        n_rows: input.n_rows,
        train_secs: (input.ended_at_ms - input.started_at_ms) / 1000.0,
        run_id: build_run_id,
        imported_from: None,
    };
    let options = &input.options;
    let best = record
        .report
        .items
        .first()
        .map(|item| item.best_label.clone())
        .unwrap_or_default();
    let mut parameters = BTreeMap::from([
        ("task".to_string(), "forecast".to_string()),
        ("target".to_string(), options.target.clone()),
        ("time_column".to_string(), options.time_column.clone()),
        (
            "item_column".to_string(),
            options.item_column.clone().unwrap_or_else(|| "none".into()),
        ),
        (
            "covariates".to_string(),
            serde_json::to_string(&options.covariates).expect("names always serialize"),
        ),
        ("horizon".to_string(), record.report.horizon.to_string()),
        (
            "season_length".to_string(),
            options
                .season_length
                .map_or("auto".to_string(), |m| m.to_string()),
        ),
        (
            "n_backtest_origins".to_string(),
            options.n_backtest_origins.to_string(),
        ),
        ("seed".to_string(), options.seed.to_string()),
        ("method".to_string(), best),
    ]);
    if let Some(build_run) = input.runs.first() {
        parameters.insert("run_id".to_string(), build_run.run_id.clone());
        parameters.insert("experiment_id".to_string(), build_run.experiment_id.clone());
    }
    let action = ActionRecord::completed(
        ActionKind::Train,
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
    batch.put_forecast(&record, input.model_json);
    batch.put(stores::ACTIONS, &action.action_id, &action);
    let mut runs = input.runs;
    if let Some(build_run) = runs.first_mut() {
        build_run.artifacts.push(RunArtifact {
            name: "model".to_string(),
            artifact_id: Some(input.artifact_id.clone()),
            content_hash: Some(content_hash.clone()),
        });
        let revision = build_run.run_id.clone();
        batch.put_runs(input.new_experiment.as_ref(), &runs, &revision);
    }
    batch.put_edges(&edges);
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms: input.ended_at_ms,
        event: "train_forecast".into(),
        subject_id: input.artifact_id,
        details: BTreeMap::from([
            ("forecast_id".into(), record.forecast_id.clone()),
            ("content_hash".into(), content_hash),
            ("dataset_id".into(), dataset.dataset_id.clone()),
            ("dataset_content_hash".into(), dataset.content_hash.clone()),
            ("action_id".into(), input.action_id),
        ]),
    }));
    (record, batch)
}

impl WriteBatch {
    /// A forecast model: its record, its file (apart, so that listing never loads one) and
    /// the artifact that stands for it in lineage.
    fn put_forecast(&mut self, record: &ForecastRecord, json: String) {
        let best = record
            .report
            .items
            .first()
            .map(|item| item.best_label.clone())
            .unwrap_or_default();
        let artifact = ArtifactRecord {
            schema_version: RECORD_SCHEMA_VERSION,
            artifact_id: record.artifact_id.clone(),
            kind: ArtifactKind::Model,
            name: record.name.clone(),
            content_hash: record.content_hash.clone(),
            created_at_ms: record.created_at_ms,
            properties: BTreeMap::from([
                ("forecast_id".to_string(), record.forecast_id.clone()),
                ("task".to_string(), "forecast".to_string()),
                ("target".to_string(), record.options.target.clone()),
                ("label".to_string(), best),
            ]),
        };
        let file = ModelFileRecord {
            schema_version: RECORD_SCHEMA_VERSION,
            model_id: record.forecast_id.clone(),
            content_hash: record.content_hash.clone(),
            json,
        };
        self.put(stores::FORECASTS, &record.forecast_id, record);
        self.put(stores::MODEL_FILES, &record.forecast_id, &file);
        self.put(stores::ARTIFACTS, &artifact.artifact_id, &artifact);
    }
}

/// What `ExportForecast` writes: the record and the model file's exact text, as JSON.
pub fn export_forecast(record: &ForecastRecord, model_file: &ModelFileRecord) -> Vec<u8> {
    let export = ForecastExport {
        format: FORECAST_EXPORT_FORMAT.to_string(),
        record: record.clone(),
        model_file: model_file.json.clone(),
    };
    serde_json::to_vec(&export).expect("records always serialize")
}

/// The records importing an exported forecast model writes, once the file checks out (its
/// format, its model's BLAKE3 against the record's content hash, a model this build can
/// read): the forecast under a new id with its own Model artifact, the file as a SourceFile
/// artifact, an Import action from one to the other, edges and an audit entry.
pub fn plan_import_forecast(
    input: ImportModelInput,
) -> Result<(ForecastRecord, WriteBatch), ModelImportError> {
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
    if format != FORECAST_EXPORT_FORMAT {
        return Err(ModelImportError::OtherFormat {
            file_name,
            found: format.to_string(),
            expected: FORECAST_EXPORT_FORMAT,
        });
    }
    let export: ForecastExport =
        serde_json::from_value(value).map_err(|e| not_a_model_file(e.to_string()))?;
    let mut record = export.record;
    if hash_bytes(export.model_file.as_bytes()).to_hex() != record.content_hash {
        return Err(ModelImportError::HashMismatch { file_name });
    }
    crate::forecast::ForecastModel::from_json(&export.model_file).map_err(|reason| {
        ModelImportError::UnreadableModel {
            file_name: file_name.clone(),
            reason: reason.to_string(),
        }
    })?;
    record.forecast_id = input.model_id.clone();
    record.artifact_id = input.artifact_id.clone();
    record.created_at_ms = input.at_ms;
    record.run_id = None;
    record.imported_from = Some(file_name.clone());
    let mut batch = WriteBatch::default();
    batch.put_forecast(&record, export.model_file);
    batch.import_lineage(
        &input,
        FORECAST_EXPORT_FORMAT,
        "import_forecast",
        BTreeMap::from([
            ("forecast_id".into(), record.forecast_id.clone()),
            ("content_hash".into(), record.content_hash.clone()),
        ]),
    );
    Ok((record, batch))
}

/// Deletes a forecast's record and model file; its lineage and runs stay.
pub fn plan_delete_forecast(forecast: &ForecastRecord, at_ms: f64) -> WriteBatch {
    let mut batch = WriteBatch::default();
    for store in [stores::FORECASTS, stores::MODEL_FILES] {
        batch.ops.push(Op::Delete {
            store,
            key: forecast.forecast_id.clone(),
        });
    }
    batch.ops.push(Op::Audit(AuditDraft {
        at_ms,
        event: "delete_forecast".into(),
        subject_id: forecast.artifact_id.clone(),
        details: BTreeMap::from([
            ("forecast_id".into(), forecast.forecast_id.clone()),
            ("name".into(), forecast.name.clone()),
            ("content_hash".into(), forecast.content_hash.clone()),
        ]),
    }));
    batch
}

//! The model jobs: train (AutoML on a stored dataset, one fold job per step with a chance to cancel between), list, read, delete, predict one row or a CSV file, export and import.

use std::collections::BTreeMap;
use std::rc::Rc;

use compute::automl::inputs::{missing_features, one_prediction, one_row, with_predictions};
use compute::automl::run::{predict, unseen_warnings, ModelFile, Training, TrainingStep};
use compute::automl::{AutomlOptions, Shard};
use compute::experiments::{
    default_experiment, runs_for_build, BuildContext, ExperimentRecord, RunIds,
};
use compute::lineage::{
    export_model, make_id, model_name, plan_delete_model, plan_import_model, plan_predict,
    plan_train, recipe_hash, ImportModelInput, PredictInput, TrainInput, CODE_VERSION,
    MAX_NAME_CHARS,
};
use compute::ml::{MlError, Model};
use compute::protocol::{ErrorKind, JobError, ModelSummary, Progress, Reply, RequestId};
use compute::records::{DatasetRecord, ModelRecord, SourceFile};

use super::{
    entropy, file_stem, let_messages_in, load_frame, now_ms, pause_ms, read_csv_file, read_slice,
    Context, Finished,
};
use crate::store::Store;

fn bad_input(error: impl std::fmt::Display) -> JobError {
    JobError::new(ErrorKind::BadInput, error.to_string())
}

/// The engine's errors are about the user's data (a one-class target, a missing column…),
/// except a cancel.
fn ml_error(error: MlError) -> JobError {
    match error {
        MlError::Cancelled => JobError::cancelled(),
        error => bad_input(error),
    }
}

fn seconds() -> f64 {
    now_ms() / 1000.0
}

/// What a `TrainModel` request asks.
pub(super) struct TrainJob<'a> {
    pub dataset_id: &'a str,
    pub name: &'a str,
    /// The experiment's name; empty: the dataset and target's default experiment.
    pub experiment: &'a str,
    pub options: AutomlOptions,
    /// Workers running the other shards of the candidate jobs (0: this worker runs all).
    pub helpers: usize,
}

/// How long a lead waits between looks for its helpers' results.
const DELIVERY_POLL_MS: u32 = 25;

pub(super) async fn train_model(
    ctx: &Context,
    request_id: RequestId,
    job: TrainJob<'_>,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let TrainJob {
        dataset_id,
        name,
        experiment,
        options,
        helpers,
    } = job;
    let experiment = experiment.trim();
    if experiment.chars().count() > MAX_NAME_CHARS {
        return Err(bad_input(format!(
            "an experiment name can be at most {MAX_NAME_CHARS} characters"
        )));
    }
    let store = ctx.store().await?;
    let dataset = store.dataset(dataset_id).await?;
    // Checked before any work: a name too long should not cost a training.
    let name = model_name(name, &options.target, &dataset.name).map_err(bad_input)?;
    let started_at_ms = now_ms();
    let frame = load_frame(ctx, &store, request_id, &dataset, progress).await?;
    let mut training = Training::on_dataset(&frame, &options, &seconds).map_err(ml_error)?;
    // The training keeps only what it fits and evaluates on.
    drop(frame);
    if helpers > 0 {
        training.shard(
            Shard {
                index: 0,
                count: helpers + 1,
            },
            &seconds,
        );
    }
    let report = |training: &Training| {
        let (done, total) = training.progress();
        progress(Progress {
            stage: training.stage(),
            done: done as u64,
            total: total as u64,
        });
    };
    report(&training);
    let run = loop {
        // A wasm worker hears no message while a step runs: every step (one fold job, the
        // refit, the evaluation) ends with a chance for a Cancel to arrive.
        let_messages_in().await;
        ctx.check_cancelled(request_id)?;
        match training.step(&seconds).map_err(ml_error)? {
            TrainingStep::Finished(run) => break *run,
            TrainingStep::Job { .. } | TrainingStep::Refitted | TrainingStep::Evaluated => {
                report(&training)
            }
            TrainingStep::AwaitingResults => {
                report(&training);
                // Every helper answers, with its results or (failed) none; the jobs nobody
                // ran then run here.
                let results = loop {
                    if let Some(results) = ctx.take_deliveries(request_id, helpers) {
                        break results;
                    }
                    pause_ms(DELIVERY_POLL_MS).await;
                    ctx.check_cancelled(request_id)?;
                };
                training.accept(results, &seconds);
                report(&training);
            }
        }
    };
    let ended_at_ms = now_ms();
    let model_id = make_id("model", &entropy());
    let action_id = make_id("act", &entropy());
    // The experiment named, or the default one of this dataset and target; the first build
    // in it makes it.
    let experiments = store.experiments().await?;
    let found = if experiment.is_empty() {
        default_experiment(&experiments, &dataset.name, &options.target)
    } else {
        experiments.iter().find(|e| e.name == experiment)
    };
    let (experiment_id, new_experiment) = match found {
        Some(found) => (found.experiment_id.clone(), None),
        None => {
            let id = make_id("exp", &entropy());
            let created = if experiment.is_empty() {
                ExperimentRecord::default_for(id, &dataset.name, &options.target, ended_at_ms)
            } else {
                ExperimentRecord::named(id, experiment, ended_at_ms)
            };
            (created.experiment_id.clone(), Some(created))
        }
    };
    let trace = match &run.model_file.model {
        Model::Gbdt(model) => Some(&model.trace),
        Model::Logistic(model) => Some(&model.trace),
        _ => None,
    };
    let context = BuildContext {
        experiment_id,
        run_ids: RunIds::Derived {
            build_run_id: make_id("run", &entropy()),
        },
        run_name: (!name.is_empty()).then(|| name.clone()),
        model_id: Some(model_id.clone()),
        action_id: Some(action_id.clone()),
        dataset_id: Some(dataset.dataset_id.clone()),
        dataset_name: Some(dataset.name.clone()),
        dataset_content_hash: Some(dataset.content_hash.clone()),
        recipe_hashes: recipe_hashes(&store, &dataset).await,
        started_at_ms,
        duration_secs: (ended_at_ms - started_at_ms) / 1000.0,
        code_version: CODE_VERSION.to_string(),
        trace,
    };
    let runs = runs_for_build(&run.report, &context)
        .map_err(|e| JobError::new(ErrorKind::Internal, e.to_string()))?
        .into_runs();
    let (record, batch) = plan_train(
        &dataset,
        TrainInput {
            model_id,
            artifact_id: make_id("art", &entropy()),
            action_id,
            name,
            options,
            run,
            inputs: training.inputs().to_vec(),
            n_train_rows: training.n_train_rows() as u64,
            n_holdout_rows: training.n_test_rows() as u64,
            started_at_ms,
            ended_at_ms,
            new_experiment,
            runs,
        },
    );
    ctx.commit(&store, request_id, batch).await?;
    Ok(Reply::Model {
        model: Box::new(record),
    })
}

/// The content hashes of the recipes that made `dataset` from its import, oldest first (as
/// far as the chain's versions are still stored).
async fn recipe_hashes(store: &Store, dataset: &DatasetRecord) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut current = dataset.clone();
    while let Some(recipe) = &current.recipe {
        hashes.push(recipe_hash(recipe));
        let Some(parent_id) = current.parent_dataset_id.clone() else {
            break;
        };
        match store.dataset(&parent_id).await {
            Ok(parent) => current = parent,
            Err(_) => break,
        }
    }
    hashes.reverse();
    hashes
}

/// A helper's part of a training: the same split and candidates as the lead's (same rows,
/// same seed), only `shard`'s candidate jobs, one per step with a chance to cancel between.
pub(super) async fn train_shard(
    ctx: &Context,
    request_id: RequestId,
    dataset_id: &str,
    options: AutomlOptions,
    shard: Shard,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let dataset = store.dataset(dataset_id).await?;
    let frame = load_frame(ctx, &store, request_id, &dataset, progress).await?;
    let mut training = Training::on_dataset(&frame, &options, &seconds).map_err(ml_error)?;
    drop(frame);
    training.shard(shard, &seconds);
    loop {
        let_messages_in().await;
        ctx.check_cancelled(request_id)?;
        let (done, total) = training.progress();
        progress(Progress {
            stage: training.stage(),
            done: done as u64,
            total: total as u64,
        });
        match training.step(&seconds).map_err(ml_error)? {
            TrainingStep::AwaitingResults => break,
            TrainingStep::Job { .. } => {}
            TrainingStep::Refitted | TrainingStep::Evaluated | TrainingStep::Finished(_) => {
                unreachable!("a shard stops before the refit")
            }
        }
    }
    Ok(Reply::ShardResults {
        results: training.fold_results().to_vec(),
    })
}

pub(super) async fn list_models(ctx: &Context) -> Result<Reply, JobError> {
    let models = ctx.store().await?.models().await?;
    Ok(Reply::Models {
        models: models.iter().map(ModelSummary::of).collect(),
    })
}

pub(super) async fn get_model(ctx: &Context, model_id: &str) -> Result<Reply, JobError> {
    Ok(Reply::Model {
        model: Box::new(ctx.store().await?.model(model_id).await?),
    })
}

pub(super) async fn delete_model(ctx: &Context, model_id: &str) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let model = store.model(model_id).await?;
    store.apply(plan_delete_model(&model, now_ms())).await?;
    Ok(Reply::ModelDeleted {
        model_id: model_id.to_string(),
    })
}

/// The fitted model of `record`, decoded once per content: a what-if form predicts again
/// on every edit.
async fn fitted_model(
    ctx: &Context,
    store: &Store,
    record: &ModelRecord,
) -> Result<Rc<ModelFile>, JobError> {
    if record.image.is_some() {
        return Err(bad_input(format!(
            "model \"{}\" predicts images, not rows: drop an image on its page",
            record.name
        )));
    }
    let cached = ctx
        .model_cache
        .borrow()
        .as_ref()
        .filter(|(content_hash, _)| *content_hash == record.content_hash)
        .map(|(_, model)| model.clone());
    if let Some(model) = cached {
        return Ok(model);
    }
    let file = store.model_file(&record.model_id).await?;
    let model = Rc::new(ModelFile::from_json(&file.json).map_err(|reason| {
        JobError::new(
            ErrorKind::Storage,
            format!(
                "the stored model \"{}\" cannot be read: {reason}",
                record.name
            ),
        )
    })?);
    *ctx.model_cache.borrow_mut() = Some((record.content_hash.clone(), model.clone()));
    Ok(model)
}

pub(super) async fn predict_one(
    ctx: &Context,
    model_id: &str,
    values: BTreeMap<String, Option<String>>,
) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let record = store.model(model_id).await?;
    let model = fitted_model(ctx, &store, &record).await?;
    let (row, warnings) = one_row(&record.inputs, &values).map_err(bad_input)?;
    let predictions = predict(&model.model, &row).map_err(ml_error)?;
    Ok(Reply::Prediction {
        model_id: model_id.to_string(),
        prediction: one_prediction(&predictions, &record.inputs, &values, warnings),
    })
}

pub(super) async fn predict_csv(
    ctx: &Context,
    request_id: RequestId,
    model_id: &str,
    file_name: &str,
    attachment: Option<web_sys::Blob>,
    progress: &dyn Fn(Progress),
) -> Result<Finished, JobError> {
    let blob = attachment.ok_or_else(|| {
        JobError::new(ErrorKind::Protocol, "a prediction arrived without its file")
    })?;
    let store = ctx.store().await?;
    let record = store.model(model_id).await?;
    let model = fitted_model(ctx, &store, &record).await?;
    let started_at_ms = now_ms();
    let (imported, source) = read_csv_file(ctx, request_id, file_name, &blob, progress).await?;
    let frame = imported.frame;
    let missing = missing_features(model.model.spec(), &frame);
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|name| format!("\"{name}\"")).collect();
        return Err(bad_input(format!(
            "{file_name} lacks {} the model needs: {}",
            if missing.len() == 1 {
                "a column"
            } else {
                "columns"
            },
            names.join(", ")
        )));
    }
    progress(Progress {
        stage: "predicting".into(),
        done: 0,
        total: 1,
    });
    let predictions = predict(&model.model, &frame).map_err(ml_error)?;
    let out = with_predictions(&frame, &predictions);
    drop(frame);
    let bytes = compute::export::write_csv(&out);
    let stem = file_stem(file_name).unwrap_or("predictions");
    let output_file_name = format!("{stem}-predictions.csv");
    let mut warnings = imported.warnings;
    warnings.extend(unseen_warnings(&predictions.unseen_categories, file_name));
    let n_rows = out.n_rows() as u64;
    let batch = plan_predict(
        &record,
        PredictInput {
            source_artifact_id: make_id("art", &entropy()),
            batch_artifact_id: make_id("art", &entropy()),
            action_id: make_id("act", &entropy()),
            source,
            output_file_name: output_file_name.clone(),
            output_hash: blake3::hash(&bytes).to_hex().to_string(),
            n_rows,
            started_at_ms,
            ended_at_ms: now_ms(),
        },
    );
    ctx.commit(&store, request_id, batch).await?;
    Ok(Finished {
        reply: Reply::PredictedCsv {
            model_id: model_id.to_string(),
            file_name: output_file_name,
            n_rows,
            size_bytes: bytes.len() as u64,
            warnings,
        },
        bytes: Some(bytes),
    })
}

pub(super) async fn export(ctx: &Context, model_id: &str) -> Result<Finished, JobError> {
    let store = ctx.store().await?;
    let record = store.model(model_id).await?;
    let file = store.model_file(model_id).await?;
    let bytes = export_model(&record, &file);
    Ok(Finished {
        reply: Reply::ExportedModel {
            model_id: model_id.to_string(),
            file_name: format!("{}.model.json", record.name),
            size_bytes: bytes.len() as u64,
        },
        bytes: Some(bytes),
    })
}

/// An exported model file as read for an import: fresh ids (the model's prefixed
/// `id_prefix`), the file's name, size and BLAKE3, and its text.
pub(super) async fn import_input(
    id_prefix: &str,
    file_name: &str,
    attachment: Option<web_sys::Blob>,
) -> Result<ImportModelInput, JobError> {
    let blob = attachment.ok_or_else(|| {
        JobError::new(
            ErrorKind::Protocol,
            "a model import arrived without its file",
        )
    })?;
    let size_bytes = blob.size() as u64;
    // Read whole, so held to the same limit as a CSV import, before any byte is read.
    compute::csv::check_import_size(file_name, size_bytes).map_err(bad_input)?;
    let bytes = read_slice(&blob, 0, size_bytes).await?;
    let content_hash = blake3::hash(&bytes).to_hex().to_string();
    let text = String::from_utf8(bytes).map_err(|_| {
        bad_input(format!(
            "{file_name} is not an exported model file: it is not text"
        ))
    })?;
    Ok(ImportModelInput {
        model_id: make_id(id_prefix, &entropy()),
        artifact_id: make_id("art", &entropy()),
        source_artifact_id: make_id("art", &entropy()),
        action_id: make_id("act", &entropy()),
        source: SourceFile {
            file_name: file_name.to_string(),
            size_bytes,
            content_hash,
        },
        text,
        at_ms: now_ms(),
    })
}

pub(super) async fn import(
    ctx: &Context,
    request_id: RequestId,
    file_name: &str,
    attachment: Option<web_sys::Blob>,
) -> Result<Reply, JobError> {
    let input = import_input("model", file_name, attachment).await?;
    let (record, batch) = plan_import_model(input).map_err(bad_input)?;
    ctx.commit(&*ctx.store().await?, request_id, batch).await?;
    Ok(Reply::Model {
        model: Box::new(record),
    })
}

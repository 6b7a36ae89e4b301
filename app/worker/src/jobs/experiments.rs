//! The experiment jobs: list experiments, answer the runs table's queries from runs kept in memory (read again when the runs' revision changes), read, compare, annotate, export (CSV, MLflow zip) and import runs.

use std::collections::BTreeMap;
use std::rc::Rc;

use compute::archive::{read_zip, write_zip};
use compute::experiments::compare::{compare_runs, select_runs, CompareOptions};
use compute::experiments::table::{default_columns, query_runs, RunQuery};
use compute::experiments::{
    mlflow_folder, read_mlflow_folder, runs_csv, ExperimentRecord, RunKind, RunRecord,
};
use compute::lineage::{plan_import_runs, plan_update_run};
use compute::protocol::{
    ErrorKind, ExperimentSummary, FolderFile, JobError, Progress, Reply, RequestId,
};
use compute::records::SourceFile;

use super::{let_messages_in, now_ms, read_slice, Context, Finished};

impl Context {
    /// Every run, from memory when no worker has written runs since they were read.
    pub(super) async fn runs(&self) -> Result<Rc<Vec<RunRecord>>, JobError> {
        let store = self.store().await?;
        let revision = store.runs_revision().await?;
        if let Some((cached, runs)) = self.runs_cache.borrow().as_ref() {
            if *cached == revision {
                return Ok(runs.clone());
            }
        }
        let runs = Rc::new(store.runs().await?);
        *self.runs_cache.borrow_mut() = Some((revision, runs.clone()));
        Ok(runs)
    }
}

pub async fn list_experiments(ctx: &Context) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let experiments = store.experiments().await?;
    let runs = ctx.runs().await?;
    let experiments = experiments
        .into_iter()
        .map(|experiment| {
            let mine = runs
                .iter()
                .filter(|run| run.experiment_id == experiment.experiment_id);
            let (mut n_builds, mut n_runs) = (0, 0);
            for run in mine {
                n_runs += 1;
                if run.kind != RunKind::Candidate {
                    n_builds += 1;
                }
            }
            ExperimentSummary {
                experiment,
                n_builds,
                n_runs,
            }
        })
        .collect();
    Ok(Reply::Experiments { experiments })
}

pub async fn query(ctx: &Context, query: &RunQuery) -> Result<Reply, JobError> {
    let runs = ctx.runs().await?;
    let mut query = query.clone();
    if query.columns.is_empty() {
        // A new table: the columns that say most about the runs it shows.
        let shown: Vec<&RunRecord> = runs
            .iter()
            .filter(|run| {
                query
                    .experiment_id
                    .as_deref()
                    .is_none_or(|id| run.experiment_id == id)
            })
            .collect();
        query.columns = default_columns(&shown);
    }
    let window =
        query_runs(&runs, &query).map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
    Ok(Reply::Runs { window })
}

pub async fn get_run(ctx: &Context, run_id: &str) -> Result<Reply, JobError> {
    let run = ctx.store().await?.run(run_id).await?;
    Ok(Reply::Run { run: Box::new(run) })
}

pub async fn compare(
    ctx: &Context,
    run_ids: &[String],
    options: &CompareOptions,
) -> Result<Reply, JobError> {
    let runs = ctx.runs().await?;
    let chosen = select_runs(&runs, run_ids)
        .map_err(|e| JobError::new(ErrorKind::NotFound, e.to_string()))?;
    let comparison = compare_runs(&chosen, options)
        .map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
    Ok(Reply::Comparison { comparison })
}

pub async fn update_run(
    ctx: &Context,
    request_id: RequestId,
    run_id: &str,
    tags: BTreeMap<String, String>,
    notes: String,
) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let run = store.run(run_id).await?;
    let (run, batch) = plan_update_run(run, tags, notes, now_ms())
        .map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
    ctx.commit(&store, request_id, batch).await?;
    Ok(Reply::Run { run: Box::new(run) })
}

pub async fn export_csv(ctx: &Context, experiment_id: Option<&str>) -> Result<Finished, JobError> {
    let runs = ctx.runs().await?;
    let chosen: Vec<RunRecord> = runs
        .iter()
        .filter(|run| experiment_id.is_none_or(|id| run.experiment_id == id))
        .cloned()
        .collect();
    let name = match experiment_id {
        Some(id) => {
            let experiments = ctx.store().await?.experiments().await?;
            experiments
                .into_iter()
                .find(|e| e.experiment_id == id)
                .map_or_else(|| id.to_string(), |e| e.name)
        }
        None => "all experiments".to_string(),
    };
    let bytes = runs_csv(&chosen).into_bytes();
    Ok(Finished {
        reply: Reply::ExportedRunsCsv {
            file_name: format!("{name} runs.csv"),
            n_runs: chosen.len() as u64,
            size_bytes: bytes.len() as u64,
        },
        bytes: Some(bytes),
    })
}

pub async fn export_mlflow(
    ctx: &Context,
    experiment_id: Option<&str>,
) -> Result<Finished, JobError> {
    let runs = ctx.runs().await?;
    let chosen: Vec<RunRecord> = runs
        .iter()
        .filter(|run| experiment_id.is_none_or(|id| run.experiment_id == id))
        .cloned()
        .collect();
    let experiments: Vec<ExperimentRecord> = ctx
        .store()
        .await?
        .experiments()
        .await?
        .into_iter()
        .filter(|e| experiment_id.is_none_or(|id| e.experiment_id == id))
        .collect();
    let export = mlflow_folder(&experiments, &chosen);
    let bytes = write_zip(&export.files);
    let file_name = match (experiment_id, experiments.first()) {
        (Some(_), Some(experiment)) => format!("{} mlruns.zip", experiment.name),
        _ => "mlruns.zip".to_string(),
    };
    Ok(Finished {
        reply: Reply::ExportedRunsMlflow {
            file_name,
            n_runs: chosen.len() as u64,
            size_bytes: bytes.len() as u64,
            warnings: export.warnings,
        },
        bytes: Some(bytes),
    })
}

/// Stores the runs of a zip of an MLflow folder: read whole (held to the import size
/// limit first), unpacked with the archive's limits, checked, then written in one
/// transaction, so a damaged file stores nothing.
pub async fn import_runs(
    ctx: &Context,
    request_id: RequestId,
    file_name: &str,
    attachment: Option<web_sys::Blob>,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let (bytes, source) = read_attachment(file_name, attachment, progress).await?;
    let files = read_zip(file_name, &bytes).map_err(bad_input)?;
    drop(bytes);
    store_runs(ctx, request_id, &source, &files, progress).await
}

/// Stores the runs of an MLflow folder picked whole: its files arrive one after the other
/// in one attachment and are cut apart by their sizes.
pub async fn import_runs_folder(
    ctx: &Context,
    request_id: RequestId,
    folder_name: &str,
    files: &[FolderFile],
    attachment: Option<web_sys::Blob>,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let (bytes, source) = read_attachment(folder_name, attachment, progress).await?;
    let total: u64 = files.iter().map(|f| f.size_bytes).sum();
    if total != bytes.len() as u64 {
        return Err(JobError::new(
            ErrorKind::Protocol,
            format!(
                "the folder {folder_name} arrived with {} bytes, its files say {total}",
                bytes.len()
            ),
        ));
    }
    let mut offset = 0usize;
    let mut unpacked = Vec::with_capacity(files.len());
    for file in files {
        let end = offset + file.size_bytes as usize;
        unpacked.push((file.path.clone(), bytes[offset..end].to_vec()));
        offset = end;
    }
    drop(bytes);
    store_runs(ctx, request_id, &source, &unpacked, progress).await
}

fn bad_input(error: impl std::fmt::Display) -> JobError {
    JobError::new(ErrorKind::BadInput, error.to_string())
}

/// The attachment's bytes, held to the import size limit before any is read, and the
/// source it stands for (its name and BLAKE3).
async fn read_attachment(
    name: &str,
    attachment: Option<web_sys::Blob>,
    progress: &dyn Fn(Progress),
) -> Result<(Vec<u8>, SourceFile), JobError> {
    let blob = attachment.ok_or_else(|| {
        JobError::new(
            ErrorKind::Protocol,
            "a runs import arrived without its files",
        )
    })?;
    let size_bytes = blob.size() as u64;
    compute::csv::check_import_size(name, size_bytes).map_err(bad_input)?;
    progress(Progress {
        stage: format!("reading {name}"),
        done: 0,
        total: 3,
    });
    let bytes = read_slice(&blob, 0, size_bytes).await?;
    let source = SourceFile {
        file_name: name.to_string(),
        size_bytes,
        content_hash: blake3::hash(&bytes).to_hex().to_string(),
    };
    Ok((bytes, source))
}

/// Reads MLflow runs from a folder's files and stores them in one transaction.
async fn store_runs(
    ctx: &Context,
    request_id: RequestId,
    source: &SourceFile,
    files: &[(String, Vec<u8>)],
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let_messages_in().await;
    ctx.check_cancelled(request_id)?;
    progress(Progress {
        stage: format!("reading {} files of MLflow runs", files.len()),
        done: 1,
        total: 3,
    });
    let imported =
        read_mlflow_folder(files).map_err(|e| bad_input(format!("{}: {e}", source.file_name)))?;
    progress(Progress {
        stage: format!("storing {} runs", imported.runs.len()),
        done: 2,
        total: 3,
    });
    let batch = plan_import_runs(&imported.experiments, &imported.runs, source, now_ms());
    ctx.commit(&*ctx.store().await?, request_id, batch).await?;
    Ok(Reply::ImportedRuns {
        n_experiments: imported.experiments.len() as u64,
        n_runs: imported.runs.len() as u64,
        warnings: imported.warnings,
    })
}

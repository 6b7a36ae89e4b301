//! The experiment jobs: list experiments, answer the runs table's queries from runs kept in memory (read again when the runs' revision changes), read, compare, annotate and export runs.

use std::collections::BTreeMap;
use std::rc::Rc;

use compute::experiments::compare::{compare_runs, select_runs, CompareOptions};
use compute::experiments::table::{default_columns, query_runs, RunQuery};
use compute::experiments::{runs_csv, RunKind, RunRecord};
use compute::lineage::plan_update_run;
use compute::protocol::{ErrorKind, ExperimentSummary, JobError, Reply, RequestId};

use super::{now_ms, Context, Finished};

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

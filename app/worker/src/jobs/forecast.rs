//! The forecast jobs: train (a forecast model on a stored dataset version, with its lineage and runs), list, delete, export and import, a batch forecast of a CSV of future rows, and a what-if forecast on future covariates.

use compute::experiments::{
    default_experiment, runs_for_forecast, BuildContext, ExperimentRecord, RunIds,
};
use compute::forecast::{
    fit_forecast, with_forecasts, ForecastError, ForecastModel, ForecastOptions, Horizon,
};
use compute::lineage::{
    export_forecast, make_id, model_name, plan_delete_forecast, plan_forecast,
    plan_import_forecast, plan_predict_by, ForecastInput, PredictInput, PredictedBy, CODE_VERSION,
};
use compute::ml::Control;
use compute::protocol::{ErrorKind, ForecastSummary, JobError, Progress, Reply, RequestId};

use super::{
    entropy, file_stem, let_messages_in, load_frame, now_ms, read_csv_file, Context, Finished,
};
use crate::store::Store;

/// Forecasting errors are about the user's data (a duplicate timestamp, a horizon longer
/// than the history…), except a cancel.
fn forecast_error(error: ForecastError) -> JobError {
    match error {
        ForecastError::Cancelled => JobError::cancelled(),
        error => JobError::new(ErrorKind::BadInput, error.to_string()),
    }
}

/// The most steps a forecast may ask for: enough for years of daily points, small enough
/// that a typo cannot keep a worker busy for minutes.
const MAX_HORIZON: u64 = 5_000;

pub(super) async fn train(
    ctx: &Context,
    request_id: RequestId,
    dataset_id: &str,
    name: &str,
    options: ForecastOptions,
    horizon: u64,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    if horizon == 0 || horizon > MAX_HORIZON {
        return Err(JobError::new(
            ErrorKind::BadInput,
            format!("the horizon must be between 1 and {MAX_HORIZON} steps, got {horizon}"),
        ));
    }
    options.check().map_err(forecast_error)?;
    let store = ctx.store().await?;
    let dataset = store.dataset(dataset_id).await?;
    let name = model_name(name, &options.target, &dataset.name)
        .map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
    let started_at_ms = now_ms();
    let frame = load_frame(ctx, &store, request_id, &dataset, progress).await?;
    let_messages_in().await;
    ctx.check_cancelled(request_id)?;
    // The fit is one synchronous call: progress is posted as each candidate is fitted at a
    // backtest origin; a Cancel is seen before anything is stored.
    let fit = fit_forecast(
        &frame,
        &options,
        Horizon::Steps(horizon as usize),
        &mut |step| {
            progress(Progress {
                stage: "backtesting".to_string(),
                done: (step.fraction_done * 1000.0) as u64,
                total: 1000,
            });
            Control::Continue
        },
    )
    .map_err(forecast_error)?;
    let n_rows = frame.n_rows() as u64;
    drop(frame);
    let ended_at_ms = now_ms();
    let forecast_id = make_id("forecast", &entropy());
    let action_id = make_id("act", &entropy());
    let experiments = store.experiments().await?;
    let (experiment_id, new_experiment) =
        match default_experiment(&experiments, &dataset.name, &options.target) {
            Some(found) => (found.experiment_id.clone(), None),
            None => {
                let created = ExperimentRecord::default_for(
                    make_id("exp", &entropy()),
                    &dataset.name,
                    &options.target,
                    ended_at_ms,
                );
                (created.experiment_id.clone(), Some(created))
            }
        };
    let context = BuildContext {
        experiment_id,
        run_ids: RunIds::Derived {
            build_run_id: make_id("run", &entropy()),
        },
        run_name: Some(name.clone()),
        model_id: Some(forecast_id.clone()),
        action_id: Some(action_id.clone()),
        dataset_id: Some(dataset.dataset_id.clone()),
        dataset_name: Some(dataset.name.clone()),
        dataset_content_hash: Some(dataset.content_hash.clone()),
        recipe_hashes: Vec::new(),
        started_at_ms,
        duration_secs: (ended_at_ms - started_at_ms) / 1000.0,
        code_version: CODE_VERSION.to_string(),
        trace: None,
    };
    let runs = runs_for_forecast(&fit.report, &options, &context);
    let (record, batch) = plan_forecast(
        &dataset,
        ForecastInput {
            forecast_id,
            artifact_id: make_id("art", &entropy()),
            action_id,
            name,
            options,
            report: fit.report,
            model_json: fit.model.to_json(),
            n_rows,
            started_at_ms,
            ended_at_ms,
            new_experiment,
            runs,
        },
    );
    ctx.commit(&store, request_id, batch).await?;
    Ok(Reply::Forecast {
        forecast: Box::new(record),
    })
}

pub(super) async fn list(ctx: &Context) -> Result<Reply, JobError> {
    let forecasts = ctx.store().await?.forecasts().await?;
    Ok(Reply::Forecasts {
        forecasts: forecasts.iter().map(ForecastSummary::of).collect(),
    })
}

pub(super) async fn get(ctx: &Context, forecast_id: &str) -> Result<Reply, JobError> {
    Ok(Reply::Forecast {
        forecast: Box::new(ctx.store().await?.forecast(forecast_id).await?),
    })
}

pub(super) async fn delete(ctx: &Context, forecast_id: &str) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let forecast = store.forecast(forecast_id).await?;
    store
        .apply(plan_delete_forecast(&forecast, now_ms()))
        .await?;
    Ok(Reply::ForecastDeleted {
        forecast_id: forecast_id.to_string(),
    })
}

/// The stored model of a forecast record, read from its model file.
async fn fitted(store: &Store, forecast_id: &str) -> Result<ForecastModel, JobError> {
    let file = store.model_file(forecast_id).await?;
    ForecastModel::from_json(&file.json).map_err(|e| {
        JobError::new(
            ErrorKind::Storage,
            format!("the stored forecast model cannot be read: {e}"),
        )
    })
}

/// A batch forecast: the attached CSV's future rows through the model, the forecasts CSV
/// beside the reply, the batch recorded as a Predict action.
pub(super) async fn forecast_csv(
    ctx: &Context,
    request_id: RequestId,
    forecast_id: &str,
    file_name: &str,
    attachment: Option<web_sys::Blob>,
    progress: &dyn Fn(Progress),
) -> Result<Finished, JobError> {
    let blob = attachment.ok_or_else(|| {
        JobError::new(
            ErrorKind::Protocol,
            "a batch forecast arrived without its file",
        )
    })?;
    let store = ctx.store().await?;
    let record = store.forecast(forecast_id).await?;
    let model = fitted(&store, forecast_id).await?;
    let started_at_ms = now_ms();
    let (imported, source) = read_csv_file(ctx, request_id, file_name, &blob, progress).await?;
    let frame = imported.frame;
    progress(Progress {
        stage: "forecasting".into(),
        done: 0,
        total: 1,
    });
    let in_file = |error: ForecastError| match error {
        ForecastError::Cancelled => JobError::cancelled(),
        error => JobError::new(ErrorKind::BadInput, format!("{file_name}: {error}")),
    };
    let forecasts = model.predict(&frame).map_err(in_file)?;
    let out = with_forecasts(&frame, &forecasts).map_err(in_file)?;
    drop(frame);
    let bytes = compute::export::write_csv(&out);
    let stem = file_stem(file_name).unwrap_or("future");
    let output_file_name = format!("{stem}-forecast.csv");
    let n_rows = out.n_rows() as u64;
    let batch = plan_predict_by(
        PredictedBy {
            model_id: &record.forecast_id,
            artifact_id: &record.artifact_id,
            content_hash: &record.content_hash,
        },
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
        reply: Reply::ForecastedCsv {
            forecast_id: forecast_id.to_string(),
            file_name: output_file_name,
            n_rows,
            size_bytes: bytes.len() as u64,
            warnings: imported.warnings,
        },
        bytes: Some(bytes),
    })
}

pub(super) async fn export(ctx: &Context, forecast_id: &str) -> Result<Finished, JobError> {
    let store = ctx.store().await?;
    let record = store.forecast(forecast_id).await?;
    let file = store.model_file(forecast_id).await?;
    let bytes = export_forecast(&record, &file);
    Ok(Finished {
        reply: Reply::ExportedForecast {
            forecast_id: forecast_id.to_string(),
            file_name: format!("{}.forecast.json", record.name),
            size_bytes: bytes.len() as u64,
        },
        bytes: Some(bytes),
    })
}

/// Stores the forecast model of an exported file under a new id, with its import lineage.
pub(super) async fn import(
    ctx: &Context,
    request_id: RequestId,
    file_name: &str,
    attachment: Option<web_sys::Blob>,
) -> Result<Reply, JobError> {
    let input = super::models::import_input("forecast", file_name, attachment).await?;
    let (record, batch) = plan_import_forecast(input)
        .map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
    ctx.commit(&*ctx.store().await?, request_id, batch).await?;
    Ok(Reply::Forecast {
        forecast: Box::new(record),
    })
}

/// The forecast of one series again with the future covariates given; nothing is stored.
pub(super) async fn what_if(
    ctx: &Context,
    forecast_id: &str,
    item: u64,
    covariates: Vec<Vec<Option<f64>>>,
) -> Result<Reply, JobError> {
    let model = fitted(&*ctx.store().await?, forecast_id).await?;
    let horizon = covariates
        .first()
        .map_or_else(|| store_horizon(&model, item), Vec::len);
    let covariates: Vec<Vec<f64>> = covariates
        .into_iter()
        .map(|values| values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
        .collect();
    let points = model
        .forecast_item(item as usize, horizon, &covariates)
        .map_err(forecast_error)?;
    Ok(Reply::WhatIfForecast {
        forecast_id: forecast_id.to_string(),
        item,
        points,
    })
}

/// Without covariates, a what-if forecasts as far as the model's intervals reach.
fn store_horizon(model: &ForecastModel, item: u64) -> usize {
    model
        .items
        .get(item as usize)
        .map_or(1, |item| item.interval.lower.len().max(1))
}

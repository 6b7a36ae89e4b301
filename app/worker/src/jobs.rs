//! The jobs a worker runs: each request becomes calls into `compute` and the store, with progress and cancellation between chunks.
//!
//! The model jobs (train, predict, export, import) live in `models`, the image jobs in
//! `images`.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use compute::csv::{check_import_size, CsvImporter, CsvOptions};
use compute::frame::Frame;
use compute::lineage::{make_id, plan_delete, plan_import, plan_rename, verify_chain, ImportInput};
use compute::protocol::{ErrorKind, ImportSource, JobError, Progress, Reply, Request, RequestId};
use compute::recipe::{DatasetRef, Recipe};
use compute::records::{DatasetRecord, SourceFile};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::store::Store;

mod experiments;
mod forecast;
mod images;
mod models;

/// Bytes read from a file per step: big enough to parse efficiently, small enough that
/// progress moves and a cancel is seen within a fraction of a second.
const READ_CHUNK_BYTES: u64 = 4 << 20;

/// Target size of one stored row chunk; a row window loads only the chunks it spans.
const STORED_CHUNK_BYTES: u64 = 2 << 20;

/// At most this many rows in one window request.
pub const MAX_WINDOW_ROWS: u32 = 1000;

/// Chunks `first..=last` of the dataset with `content_hash`, decoded.
struct DecodedChunks {
    content_hash: String,
    first: u64,
    last: u64,
    frame: Rc<Frame>,
}

/// Every run, with the runs' revision it was read at (`None`: no run was ever written).
type CachedRuns = (Option<String>, Rc<Vec<compute::experiments::RunRecord>>);

/// What jobs of one worker share.
pub struct Context {
    pub db_name: String,
    store: RefCell<Option<Rc<Store>>>,
    cancelled: RefCell<HashSet<RequestId>>,
    /// The last row chunks decoded for a window: scrolling nearby reuses them.
    window_cache: RefCell<Option<DecodedChunks>>,
    /// The other datasets the last recipe read (join, concatenate), by content hash: a
    /// live preview re-runs on every edit and should not reload them each time. Holds
    /// only what the latest recipe uses.
    others_cache: RefCell<HashMap<String, Frame>>,
    /// The last model decoded for a prediction, by content hash: a what-if form predicts
    /// again on every edit.
    model_cache: RefCell<Option<(String, Rc<compute::automl::run::ModelFile>)>>,
    /// Helpers' fold results per training request, one entry per helper that answered.
    deliveries: RefCell<HashMap<RequestId, Vec<Vec<compute::automl::FoldResult>>>>,
    /// Every run with the runs' revision it was read at (see `experiments::runs`).
    runs_cache: RefCell<Option<CachedRuns>>,
}

impl Context {
    pub fn new(db_name: &str) -> Self {
        Context {
            db_name: db_name.to_string(),
            store: RefCell::new(None),
            cancelled: RefCell::new(HashSet::new()),
            window_cache: RefCell::new(None),
            others_cache: RefCell::new(HashMap::new()),
            model_cache: RefCell::new(None),
            deliveries: RefCell::new(HashMap::new()),
            runs_cache: RefCell::new(None),
        }
    }

    pub fn cancel(&self, request_id: RequestId) {
        self.cancelled.borrow_mut().insert(request_id);
    }

    /// Stores a job's result unless it was cancelled: pending messages are let in first, so
    /// a `Cancel` posted while a long synchronous step ran (parsing the last slice, hashing,
    /// fitting) is seen before anything is written. Every job that stores a result ends here.
    async fn commit(
        &self,
        store: &Store,
        request_id: RequestId,
        batch: compute::lineage::WriteBatch,
    ) -> Result<(), JobError> {
        let_messages_in().await;
        self.check_cancelled(request_id)?;
        store.apply(batch).await
    }

    fn check_cancelled(&self, request_id: RequestId) -> Result<(), JobError> {
        if self.cancelled.borrow().contains(&request_id) {
            Err(JobError::cancelled())
        } else {
            Ok(())
        }
    }

    pub fn forget(&self, request_id: RequestId) {
        self.cancelled.borrow_mut().remove(&request_id);
        self.deliveries.borrow_mut().remove(&request_id);
    }

    /// Keeps a helper's fold results for the training request `target_request_id`, which
    /// takes them when every helper has answered.
    pub fn deliver(&self, target_request_id: RequestId, results: Vec<compute::automl::FoldResult>) {
        self.deliveries
            .borrow_mut()
            .entry(target_request_id)
            .or_default()
            .push(results);
    }

    /// Every helper's fold results for `request_id` once `helpers` have answered.
    fn take_deliveries(
        &self,
        request_id: RequestId,
        helpers: usize,
    ) -> Option<Vec<compute::automl::FoldResult>> {
        let mut deliveries = self.deliveries.borrow_mut();
        if deliveries.get(&request_id).map_or(0, Vec::len) < helpers {
            return None;
        }
        Some(
            deliveries
                .remove(&request_id)
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .collect(),
        )
    }

    async fn store(&self) -> Result<Rc<Store>, JobError> {
        if let Some(store) = self.store.borrow().as_ref() {
            return Ok(store.clone());
        }
        let store = Rc::new(Store::open(&self.db_name).await?);
        *self.store.borrow_mut() = Some(store.clone());
        Ok(store)
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Lets the worker's event loop run once (a zero-delay timer), so that a `Cancel` posted
/// while a long synchronous step ran is seen before anything is stored.
async fn let_messages_in() {
    pause_ms(0).await;
}

/// Waits `ms` milliseconds, letting messages in meanwhile.
async fn pause_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let scheduled = set_timeout
            .map(|f| f.call2(&global, &resolve, &JsValue::from(ms)).is_ok())
            .unwrap_or(false);
        if !scheduled {
            // No timer here: go on at once; the cancel is then seen at the next await.
            resolve.call0(&JsValue::NULL).ok();
        }
    });
    // A resolve-only promise cannot reject.
    JsFuture::from(promise).await.ok();
}

/// Sixteen random bytes from the browser's CSPRNG, for ids.
fn entropy() -> Vec<u8> {
    let mut bytes = vec![0u8; 16];
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .ok()
        .and_then(|c| c.dyn_into::<web_sys::Crypto>().ok());
    match crypto.and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok()) {
        Some(_) => bytes,
        // Without crypto (never in a supported browser) ids still differ by time and chance.
        None => format!("{}{}", now_ms(), js_sys::Math::random()).into_bytes(),
    }
}

fn js_error(context: &str, error: JsValue) -> JobError {
    let detail = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_string());
    JobError::new(ErrorKind::BadInput, format!("{context}: {detail}"))
}

/// A finished job: its reply, and bytes to transfer beside it (an export).
pub struct Finished {
    pub reply: Reply,
    pub bytes: Option<Vec<u8>>,
}

pub async fn run(
    ctx: &Context,
    request_id: RequestId,
    request: Request,
    attachment: Option<web_sys::Blob>,
    progress: &dyn Fn(Progress),
) -> Result<Finished, JobError> {
    match request {
        Request::ExportCsv { dataset_id } => {
            export(ctx, request_id, &dataset_id, ExportFormat::Csv, progress).await
        }
        Request::ExportArrow { dataset_id } => {
            export(ctx, request_id, &dataset_id, ExportFormat::Arrow, progress).await
        }
        Request::PredictCsv {
            model_id,
            file_name,
        } => {
            models::predict_csv(ctx, request_id, &model_id, &file_name, attachment, progress).await
        }
        Request::ExportModel { model_id } => models::export(ctx, &model_id).await,
        Request::ExportForecast { forecast_id } => forecast::export(ctx, &forecast_id).await,
        Request::ForecastCsv {
            forecast_id,
            file_name,
        } => {
            forecast::forecast_csv(
                ctx,
                request_id,
                &forecast_id,
                &file_name,
                attachment,
                progress,
            )
            .await
        }
        Request::ExportRunsCsv { experiment_id } => {
            experiments::export_csv(ctx, experiment_id.as_deref()).await
        }
        Request::ExportRunsMlflow { experiment_id } => {
            experiments::export_mlflow(ctx, experiment_id.as_deref()).await
        }
        Request::ImageThumbnails {
            image_set_id,
            select,
        } => images::thumbnails(ctx, &image_set_id, &select).await,
        request => {
            let reply = reply_to(ctx, request_id, request, attachment, progress).await?;
            Ok(Finished { reply, bytes: None })
        }
    }
}

enum ExportFormat {
    Csv,
    Arrow,
}

async fn export(
    ctx: &Context,
    request_id: RequestId,
    dataset_id: &str,
    format: ExportFormat,
    progress: &dyn Fn(Progress),
) -> Result<Finished, JobError> {
    let store = ctx.store().await?;
    let dataset = store.dataset(dataset_id).await?;
    let frame = load_frame(ctx, &store, request_id, &dataset, progress).await?;
    let dataset_id = dataset_id.to_string();
    let (reply, bytes) = match format {
        ExportFormat::Csv => {
            let bytes = compute::export::write_csv(&frame);
            let reply = Reply::ExportedCsv {
                dataset_id,
                file_name: format!("{}.csv", dataset.name),
                size_bytes: bytes.len() as u64,
            };
            (reply, bytes)
        }
        ExportFormat::Arrow => {
            let bytes = compute::export::write_arrow(&frame)
                .map_err(|e| JobError::new(ErrorKind::Internal, e.to_string()))?;
            let reply = Reply::ExportedArrow {
                dataset_id,
                file_name: format!("{}.arrow", dataset.name),
                size_bytes: bytes.len() as u64,
            };
            (reply, bytes)
        }
    };
    Ok(Finished {
        reply,
        bytes: Some(bytes),
    })
}

async fn reply_to(
    ctx: &Context,
    request_id: RequestId,
    request: Request,
    attachment: Option<web_sys::Blob>,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    match request {
        Request::ImportCsv { source, file_name } => {
            let blob = match source {
                ImportSource::AttachedFile => attachment.ok_or_else(|| {
                    JobError::new(ErrorKind::Protocol, "an import arrived without its file")
                })?,
                ImportSource::BundledSample { url } => fetch_blob(&url).await?,
            };
            import_csv(ctx, request_id, &file_name, &blob, progress).await
        }
        Request::ListDatasets => Ok(Reply::Datasets {
            datasets: ctx.store().await?.datasets().await?,
        }),
        Request::RowWindow {
            dataset_id,
            start,
            len,
        } => row_window(ctx, &dataset_id, start, len.min(MAX_WINDOW_ROWS)).await,
        Request::RenameDataset {
            dataset_id,
            new_name,
        } => {
            let store = ctx.store().await?;
            let dataset = store.dataset(&dataset_id).await?;
            let (renamed, batch) = plan_rename(&dataset, &new_name, now_ms())
                .map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
            store.apply(batch).await?;
            Ok(Reply::Renamed { dataset: renamed })
        }
        Request::DeleteDataset { dataset_id } => {
            let store = ctx.store().await?;
            let dataset = store.dataset(&dataset_id).await?;
            store.apply(plan_delete(&dataset, now_ms())).await?;
            Ok(Reply::Deleted { dataset_id })
        }
        Request::AuditLog => {
            let entries = ctx.store().await?.audit_log().await?;
            let chain_valid = verify_chain(&entries).is_ok();
            Ok(Reply::AuditLog {
                entries,
                chain_valid,
            })
        }
        Request::SampleColumnPair {
            dataset_id,
            x,
            y,
            max_points,
        } => {
            let store = ctx.store().await?;
            let dataset = store.dataset(&dataset_id).await?;
            let frame = load_frame(ctx, &store, request_id, &dataset, progress).await?;
            let sample = compute::profile::sample_pairs(&frame, &x, &y, max_points as usize, 0)
                .map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
            Ok(Reply::ColumnPair { dataset_id, sample })
        }
        Request::SaveRecipe { recipe } => {
            let store = ctx.store().await?;
            let (_, batch) = compute::lineage::plan_save_recipe(&recipe, now_ms())
                .map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
            store.apply(batch).await?;
            Ok(Reply::SavedRecipes {
                recipes: store.saved_recipes().await?,
            })
        }
        Request::ListSavedRecipes => Ok(Reply::SavedRecipes {
            recipes: ctx.store().await?.saved_recipes().await?,
        }),
        Request::DeleteSavedRecipe { name } => {
            let store = ctx.store().await?;
            store
                .apply(compute::lineage::plan_delete_saved_recipe(&name, now_ms()))
                .await?;
            Ok(Reply::SavedRecipes {
                recipes: store.saved_recipes().await?,
            })
        }
        Request::PreviewRecipe {
            dataset_id,
            recipe,
            max_rows,
        } => preview_recipe(ctx, request_id, &dataset_id, &recipe, max_rows).await,
        Request::ApplyRecipe {
            dataset_id,
            recipe,
            new_name,
        } => apply_recipe(ctx, request_id, &dataset_id, recipe, &new_name, progress).await,
        Request::ProfileDataset { dataset_id, target } => {
            profile_dataset(ctx, request_id, &dataset_id, target, progress).await
        }
        Request::TrainModel {
            dataset_id,
            name,
            options,
            helpers,
            experiment,
        } => {
            let job = models::TrainJob {
                dataset_id: &dataset_id,
                name: &name,
                experiment: &experiment,
                options,
                helpers: helpers as usize,
            };
            models::train_model(ctx, request_id, job, progress).await
        }
        Request::TrainShard {
            dataset_id,
            options,
            shard,
        } => models::train_shard(ctx, request_id, &dataset_id, options, shard, progress).await,
        // Kept at once when the message arrived (see `bridge::serve`).
        Request::DeliverShard { .. } => Ok(Reply::ShardDelivered),
        Request::ListModels => models::list_models(ctx).await,
        Request::GetModel { model_id } => models::get_model(ctx, &model_id).await,
        Request::DeleteModel { model_id } => models::delete_model(ctx, &model_id).await,
        Request::PredictOne { model_id, values } => {
            models::predict_one(ctx, &model_id, values).await
        }
        Request::ImportModel { file_name } => {
            models::import(ctx, request_id, &file_name, attachment).await
        }
        Request::ListExperiments => experiments::list_experiments(ctx).await,
        Request::QueryRuns { query } => experiments::query(ctx, &query).await,
        Request::GetRun { run_id } => experiments::get_run(ctx, &run_id).await,
        Request::CompareRuns { run_ids, options } => {
            experiments::compare(ctx, &run_ids, &options).await
        }
        Request::UpdateRun {
            run_id,
            tags,
            notes,
        } => experiments::update_run(ctx, request_id, &run_id, tags, notes).await,
        Request::ImportRuns { file_name } => {
            experiments::import_runs(ctx, request_id, &file_name, attachment, progress).await
        }
        Request::ImportRunsFolder { folder_name, files } => {
            experiments::import_runs_folder(
                ctx,
                request_id,
                &folder_name,
                &files,
                attachment,
                progress,
            )
            .await
        }
        Request::TrainForecast {
            dataset_id,
            name,
            options,
            horizon,
        } => {
            forecast::train(
                ctx,
                request_id,
                &dataset_id,
                &name,
                options,
                horizon,
                progress,
            )
            .await
        }
        Request::ListForecasts => forecast::list(ctx).await,
        Request::GetForecast { forecast_id } => forecast::get(ctx, &forecast_id).await,
        Request::ImportForecast { file_name } => {
            forecast::import(ctx, request_id, &file_name, attachment).await
        }
        Request::DeleteForecast { forecast_id } => forecast::delete(ctx, &forecast_id).await,
        Request::WhatIfForecast {
            forecast_id,
            item,
            covariates,
        } => forecast::what_if(ctx, &forecast_id, item, covariates).await,
        Request::Cancel { target_request_id } => {
            ctx.cancel(target_request_id);
            Ok(Reply::CancelRequested)
        }
        Request::ImportImageFolder { folder_name, files } => {
            images::import_folder(ctx, request_id, &folder_name, &files, attachment, progress).await
        }
        Request::ImportImageZip { file_name } => {
            images::import_zip(ctx, request_id, &file_name, attachment, progress).await
        }
        Request::ListImageSets => images::list_image_sets(ctx).await,
        Request::TrainImages {
            image_set_id,
            name,
            options,
            experiment,
        } => {
            let job = images::TrainImagesJob {
                image_set_id: &image_set_id,
                name: &name,
                experiment: &experiment,
                options,
            };
            images::train_images(ctx, request_id, job, progress).await
        }
        Request::PredictImage {
            model_id,
            file_name,
        } => images::predict_image(ctx, &model_id, &file_name, attachment).await,
        Request::DeleteImageSet { image_set_id } => {
            images::delete_image_set(ctx, request_id, &image_set_id).await
        }
        Request::ExportCsv { .. }
        | Request::ExportArrow { .. }
        | Request::PredictCsv { .. }
        | Request::ForecastCsv { .. }
        | Request::ExportForecast { .. }
        | Request::ExportModel { .. }
        | Request::ExportRunsCsv { .. }
        | Request::ExportRunsMlflow { .. }
        | Request::ImageThumbnails { .. } => {
            unreachable!("handled by run")
        }
    }
}

async fn profile_dataset(
    ctx: &Context,
    request_id: RequestId,
    dataset_id: &str,
    target: Option<String>,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let dataset = store.dataset(dataset_id).await?;
    let key = compute::records::profile_key(&dataset.content_hash, target.as_deref());
    if let Some(stored) = store.profile(&key).await? {
        return Ok(Reply::Profile {
            dataset_id: dataset_id.to_string(),
            profile: Box::new(stored),
            computed: false,
            compute_secs: 0.0,
        });
    }
    let started_at_ms = now_ms();
    let frame = load_frame(ctx, &store, request_id, &dataset, progress).await?;
    ctx.check_cancelled(request_id)?;
    progress(Progress {
        stage: "profiling".into(),
        done: dataset.n_chunks,
        total: dataset.n_chunks + 1,
    });
    let options = compute::profile::ProfileOptions::default();
    let compute_started_ms = now_ms();
    let profile = compute::profile::profile(&frame, &options);
    let mut insights = compute::profile::insights(&frame, &profile, target.as_deref())
        .map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
    let compute_secs = (now_ms() - compute_started_ms) / 1000.0;
    ctx.check_cancelled(request_id)?;
    if insights.target.is_some() {
        progress(Progress {
            stage: "training a quick model".into(),
            done: dataset.n_chunks,
            total: dataset.n_chunks + 1,
        });
        compute::profile::attach_quick_model(&mut insights, &frame, profile.sample_seed);
    }
    let (record, batch) = compute::lineage::plan_profile(
        &dataset,
        compute::lineage::ProfileInput {
            artifact_id: make_id("art", &entropy()),
            action_id: make_id("act", &entropy()),
            target,
            profile,
            insights,
            options,
            started_at_ms,
            ended_at_ms: now_ms(),
        },
    );
    ctx.commit(&store, request_id, batch).await?;
    Ok(Reply::Profile {
        dataset_id: dataset_id.to_string(),
        profile: Box::new(record),
        computed: true,
        compute_secs,
    })
}

async fn fetch_blob(url: &str) -> Result<web_sys::Blob, JobError> {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let response: web_sys::Response = JsFuture::from(scope.fetch_with_str(url))
        .await
        .map_err(|e| js_error(&format!("the sample {url} could not be loaded"), e))?
        .unchecked_into();
    if !response.ok() {
        return Err(JobError::new(
            ErrorKind::NotFound,
            format!(
                "the sample {url} could not be loaded (HTTP {})",
                response.status()
            ),
        ));
    }
    let blob = JsFuture::from(
        response
            .blob()
            .map_err(|e| js_error("reading the sample", e))?,
    )
    .await
    .map_err(|e| js_error("reading the sample", e))?;
    Ok(blob.unchecked_into())
}

async fn read_slice(blob: &web_sys::Blob, start: u64, end: u64) -> Result<Vec<u8>, JobError> {
    let slice = blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|e| js_error("reading the file", e))?;
    let buffer = JsFuture::from(slice.array_buffer())
        .await
        .map_err(|e| js_error("reading the file (was it moved or deleted?)", e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Reads a CSV/TSV file in slices with the importer every import uses (its errors name
/// the row and column), reporting progress and honouring cancel between slices; returns
/// the parsed file and the file's name, size and BLAKE3.
async fn read_csv_file(
    ctx: &Context,
    request_id: RequestId,
    file_name: &str,
    blob: &web_sys::Blob,
    progress: &dyn Fn(Progress),
) -> Result<(compute::csv::Imported, SourceFile), JobError> {
    let total = blob.size() as u64;
    let bad_input =
        |e: compute::csv::ImportError| JobError::new(ErrorKind::BadInput, e.to_string());
    check_import_size(file_name, total).map_err(bad_input)?;

    let mut importer = CsvImporter::new(file_name, CsvOptions::default());
    let mut file_hasher = blake3::Hasher::new();
    let mut offset = 0;
    progress(Progress {
        stage: "reading".into(),
        done: 0,
        total,
    });
    while offset < total {
        ctx.check_cancelled(request_id)?;
        let end = (offset + READ_CHUNK_BYTES).min(total);
        let bytes = read_slice(blob, offset, end).await?;
        file_hasher.update(&bytes);
        importer.push(&bytes).map_err(bad_input)?;
        offset = end;
        progress(Progress {
            stage: "reading".into(),
            done: offset,
            total,
        });
    }
    ctx.check_cancelled(request_id)?;
    let imported = importer.finish().map_err(bad_input)?;
    let source = SourceFile {
        file_name: file_name.to_string(),
        size_bytes: total,
        content_hash: file_hasher.finalize().to_hex().to_string(),
    };
    Ok((imported, source))
}

async fn import_csv(
    ctx: &Context,
    request_id: RequestId,
    file_name: &str,
    blob: &web_sys::Blob,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let started_at_ms = now_ms();
    let (imported, source) = read_csv_file(ctx, request_id, file_name, blob, progress).await?;
    let parse_secs = (now_ms() - started_at_ms) / 1000.0;
    let frame = imported.frame;

    progress(Progress {
        stage: "storing".into(),
        done: 0,
        total: 1,
    });
    let rows_per_chunk = rows_per_chunk(&frame);
    let chunks = frame
        .to_ipc_chunks(rows_per_chunk as usize)
        .map_err(|e| JobError::new(ErrorKind::Internal, e.to_string()))?;
    let dataset_name = file_stem(file_name).unwrap_or(file_name).to_string();
    let parameters = BTreeMap::from([
        (
            "delimiter".to_string(),
            (imported.delimiter as char).to_string(),
        ),
        ("has_header".to_string(), imported.has_header.to_string()),
        ("reader".to_string(), "csv".to_string()),
    ]);
    let (dataset, batch) = plan_import(ImportInput {
        dataset_id: make_id("ds", &entropy()),
        source_artifact_id: make_id("art", &entropy()),
        dataset_artifact_id: make_id("art", &entropy()),
        action_id: make_id("act", &entropy()),
        dataset_name,
        source,
        content_hash: frame.content_hash(),
        n_rows: frame.n_rows() as u64,
        columns: frame.column_summaries(),
        rows_per_chunk,
        chunks,
        parameters,
        started_at_ms,
        ended_at_ms: now_ms(),
    });
    // The last moment a cancel can win: after this the import is committed whole.
    ctx.commit(&*ctx.store().await?, request_id, batch).await?;
    Ok(Reply::Imported {
        dataset,
        warnings: imported.warnings,
        parse_secs,
    })
}

async fn row_window(
    ctx: &Context,
    dataset_id: &str,
    start: u64,
    len: u32,
) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let dataset = store.dataset(dataset_id).await?;
    let start = start.min(dataset.n_rows);
    let end = (start + len as u64).min(dataset.n_rows);
    if start >= end {
        return Ok(Reply::Rows {
            dataset_id: dataset_id.to_string(),
            start,
            rows: Vec::new(),
        });
    }
    let first = start / dataset.rows_per_chunk;
    let last = (end - 1) / dataset.rows_per_chunk;
    let cached = ctx
        .window_cache
        .borrow()
        .as_ref()
        .filter(|d| d.content_hash == dataset.content_hash && d.first == first && d.last == last)
        .map(|d| d.frame.clone());
    let frame = match cached {
        Some(frame) => frame,
        None => {
            let chunks = store.chunks(&dataset.content_hash, first, last).await?;
            let frame = Rc::new(decode(&dataset, &chunks)?);
            *ctx.window_cache.borrow_mut() = Some(DecodedChunks {
                content_hash: dataset.content_hash.clone(),
                first,
                last,
                frame: frame.clone(),
            });
            frame
        }
    };
    let offset = (start - first * dataset.rows_per_chunk) as usize;
    Ok(Reply::Rows {
        dataset_id: dataset_id.to_string(),
        start,
        rows: frame.row_window(offset, (end - start) as usize),
    })
}

/// Loads all rows of a dataset, chunk by chunk, reporting progress and honouring cancel.
async fn load_frame(
    ctx: &Context,
    store: &Store,
    request_id: RequestId,
    dataset: &DatasetRecord,
    progress: &dyn Fn(Progress),
) -> Result<Frame, JobError> {
    let mut chunks = Vec::with_capacity(dataset.n_chunks as usize);
    for index in 0..dataset.n_chunks {
        ctx.check_cancelled(request_id)?;
        chunks.extend(store.chunks(&dataset.content_hash, index, index).await?);
        progress(Progress {
            stage: "loading rows".into(),
            done: index + 1,
            total: dataset.n_chunks + 1,
        });
    }
    decode(dataset, &chunks)
}

fn decode(dataset: &DatasetRecord, chunks: &[Vec<u8>]) -> Result<Frame, JobError> {
    let slices: Vec<&[u8]> = chunks.iter().map(|c| c.as_slice()).collect();
    Frame::from_ipc_chunks(&slices).map_err(|e| {
        JobError::new(
            ErrorKind::Storage,
            format!("stored rows of {} are damaged: {e}", dataset.name),
        )
    })
}

/// Rows a preview shows at most.
const PREVIEW_ROWS: usize = 50;

/// The other datasets a recipe reads (join, concatenate), loaded whole and keyed by id,
/// with their artifact ids for lineage. A missing one is a clear error naming the step's
/// dataset; a changed one is caught by the step itself (content hash).
struct OtherDatasets {
    frames: HashMap<String, Frame>,
    artifact_ids: Vec<String>,
}

impl OtherDatasets {
    async fn load(
        ctx: &Context,
        store: &Store,
        request_id: RequestId,
        recipe: &Recipe,
    ) -> Result<OtherDatasets, JobError> {
        let mut frames = HashMap::new();
        let mut artifact_ids = Vec::new();
        let mut used = HashMap::new();
        for reference in recipe.dataset_refs() {
            if frames.contains_key(&reference.dataset_id) {
                continue;
            }
            let other = store.dataset(&reference.dataset_id).await.map_err(|error| {
                if error.kind == ErrorKind::NotFound {
                    JobError::new(
                        ErrorKind::BadInput,
                        format!(
                            "the recipe reads dataset \"{}\", which is no longer stored; pick another dataset or remove that step",
                            reference.dataset_id
                        ),
                    )
                } else {
                    error
                }
            })?;
            // Versions are immutable and keyed by content hash, so a cached frame is never stale.
            let cached = ctx.others_cache.borrow().get(&other.content_hash).cloned();
            let frame = match cached {
                Some(frame) => frame,
                None => load_frame(ctx, store, request_id, &other, &|_| {}).await?,
            };
            artifact_ids.push(other.artifact_id.clone());
            used.insert(other.content_hash.clone(), frame.clone());
            frames.insert(reference.dataset_id.clone(), frame);
        }
        *ctx.others_cache.borrow_mut() = used;
        Ok(OtherDatasets {
            frames,
            artifact_ids,
        })
    }

    fn get(&self, reference: &DatasetRef) -> Option<Frame> {
        self.frames.get(&reference.dataset_id).cloned()
    }
}

async fn preview_recipe(
    ctx: &Context,
    request_id: RequestId,
    dataset_id: &str,
    recipe: &Recipe,
    max_rows: u32,
) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let dataset = store.dataset(dataset_id).await?;
    // The first chunk holds the head of the data: enough for a live preview.
    let chunks = if dataset.n_chunks == 0 {
        Vec::new()
    } else {
        store.chunks(&dataset.content_hash, 0, 0).await?
    };
    let frame = decode(&dataset, &chunks)?;
    let others = OtherDatasets::load(ctx, &store, request_id, recipe).await?;
    let head = (max_rows as usize).min(frame.n_rows());
    let out = compute::recipe::preview_with(recipe, &frame, head, &|r| others.get(r))
        .map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
    Ok(Reply::RecipePreview {
        dataset_id: dataset_id.to_string(),
        columns: out.column_summaries(),
        rows: out.row_window(0, PREVIEW_ROWS),
        n_rows_in: head as u64,
        n_rows_out: out.n_rows() as u64,
    })
}

async fn apply_recipe(
    ctx: &Context,
    request_id: RequestId,
    dataset_id: &str,
    recipe: Recipe,
    new_name: &str,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let parent = store.dataset(dataset_id).await?;
    let new_name = new_name.trim();
    if new_name.is_empty() {
        return Err(JobError::new(
            ErrorKind::BadInput,
            "a dataset name cannot be empty",
        ));
    }
    let started_at_ms = now_ms();
    let frame = load_frame(ctx, &store, request_id, &parent, progress).await?;
    let others = OtherDatasets::load(ctx, &store, request_id, &recipe).await?;
    progress(Progress {
        stage: "transforming".into(),
        done: parent.n_chunks,
        total: parent.n_chunks + 1,
    });
    let compute_started_ms = now_ms();
    let (fitted, out) = recipe
        .fit_transform_with(&frame, &|r| others.get(r))
        .map_err(|e| JobError::new(ErrorKind::BadInput, e.to_string()))?;
    let compute_secs = (now_ms() - compute_started_ms) / 1000.0;
    drop(frame);
    ctx.check_cancelled(request_id)?;
    let rows_per_chunk = rows_per_chunk(&out);
    let chunks = out
        .to_ipc_chunks(rows_per_chunk as usize)
        .map_err(|e| JobError::new(ErrorKind::Internal, e.to_string()))?;
    let (dataset, batch) = compute::lineage::plan_transform(
        &parent,
        compute::lineage::TransformInput {
            dataset_id: make_id("ds", &entropy()),
            dataset_artifact_id: make_id("art", &entropy()),
            recipe_artifact_id: make_id("art", &entropy()),
            action_id: make_id("act", &entropy()),
            dataset_name: new_name.to_string(),
            recipe,
            fitted_json: fitted.to_json(),
            other_inputs: others.artifact_ids,
            content_hash: out.content_hash(),
            n_rows: out.n_rows() as u64,
            columns: out.column_summaries(),
            rows_per_chunk,
            chunks,
            started_at_ms,
            ended_at_ms: now_ms(),
        },
    );
    ctx.commit(&store, request_id, batch).await?;
    Ok(Reply::Transformed {
        dataset,
        compute_secs,
    })
}

/// A file name without its directory and last extension (`penguins` of `data/penguins.csv`),
/// `None` when nothing is left.
fn file_stem(file_name: &str) -> Option<&str> {
    std::path::Path::new(file_name)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
}

/// Rows per stored chunk so that a chunk holds about [`STORED_CHUNK_BYTES`].
fn rows_per_chunk(frame: &Frame) -> u64 {
    let bytes_per_row = (frame.estimated_size_bytes() / (frame.n_rows().max(1) as u64)).max(1);
    (STORED_CHUNK_BYTES / bytes_per_row).clamp(256, 1 << 20)
}

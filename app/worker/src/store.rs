//! The one door to IndexedDB: opens and migrates the database, applies a lineage `WriteBatch` in one transaction, reads records and row chunks.
//!
//! Records are stored as plain JS objects made from their JSON (so IndexedDB indexes can see
//! their fields) and read back through `compute::records::migrate`; row chunks are
//! `Uint8Array`s of Arrow IPC bytes in their own store, so listing never loads data.

use compute::experiments::{ExperimentRecord, RunRecord};
use compute::lineage::{seal, Op, WriteBatch};
use compute::protocol::{ErrorKind, JobError};
use compute::records::{
    image_key, migrate, stores, AuditEntry, DatasetRecord, ForecastRecord, ImageSetRecord,
    ModelFileRecord, ModelRecord, ProfileRecord, Revision, SavedRecipe, RUNS_REVISION,
};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use indexed_db_futures::{KeyPath, KeyRange};
use wasm_bindgen::{JsCast, JsValue};

/// The database the app uses; tests open others.
pub const DEFAULT_DB_NAME: &str = "ml-studio";

/// Bump with every change of stores or indexes, and add a step to the upgrade below.
/// 1: datasets, blobs, artifacts, actions, edges, audit. 2: profiles. 3: recipes.
/// 4: saved_recipes (the recipe library). 5: models, model_files. 6: experiments, runs, meta.
/// 7: image_sets, image_files, image_thumbs. 8: forecasts.
const DB_VERSION: u32 = 8;

const BY_CONTENT_HASH: &str = "by_content_hash";

pub struct Store {
    db: Database,
}

fn storage_error(context: &str, error: impl std::fmt::Display) -> JobError {
    let text = error.to_string();
    if text.contains("Quota") || text.contains("quota") {
        JobError::new(
            ErrorKind::QuotaExceeded,
            format!(
                "the browser's storage for this site is full while {context}; delete datasets you no longer need, or allow more storage in the browser's site settings"
            ),
        )
    } else {
        JobError::new(
            ErrorKind::Storage,
            format!("storage failed while {context}: {text}"),
        )
    }
}

fn to_js(value: &serde_json::Value) -> Result<JsValue, JobError> {
    js_sys::JSON::parse(&value.to_string()).map_err(|_| {
        JobError::new(
            ErrorKind::Internal,
            "a record could not be converted for storage",
        )
    })
}

fn from_js<T: serde::de::DeserializeOwned>(store: &str, value: JsValue) -> Result<T, JobError> {
    let text: String = js_sys::JSON::stringify(&value)
        .map_err(|_| {
            JobError::new(
                ErrorKind::Storage,
                format!("a {store} record cannot be read"),
            )
        })?
        .into();
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        JobError::new(
            ErrorKind::Storage,
            format!("a {store} record cannot be read: {e}"),
        )
    })?;
    migrate(store, json).map_err(|e| JobError::new(ErrorKind::Storage, e.to_string()))
}

fn model_not_found(model_id: &str) -> JobError {
    JobError::new(
        ErrorKind::NotFound,
        format!("model {model_id} no longer exists; it may have been deleted in another tab"),
    )
}

/// Writes `bytes` as a `Uint8Array` under `key` in a store of bytes.
async fn put_bytes(
    tx: &Transaction<'_>,
    store: &str,
    key: String,
    bytes: &[u8],
    context: &str,
) -> Result<(), JobError> {
    let object_store = tx
        .object_store(store)
        .map_err(|e| storage_error(context, e))?;
    let array: JsValue = js_sys::Uint8Array::from(bytes).into();
    object_store
        .put(array)
        .with_key(key)
        .primitive()
        .map_err(|e| storage_error(context, e))?
        .await
        .map_err(|e| storage_error(context, e))?;
    Ok(())
}

fn audit_key(seq: u64) -> String {
    format!("{seq:020}")
}

impl Store {
    /// Opens (creating or upgrading) the database. A page open in another tab with an older
    /// version blocks the upgrade; the message says so instead of hanging silently.
    pub async fn open(db_name: &str) -> Result<Store, JobError> {
        let db = Database::open(db_name)
            .with_version(DB_VERSION)
            .with_on_blocked(|_event| Ok(()))
            .with_on_upgrade_needed(|event, db| {
                // Each step takes the database from one version to the next, so a browser
                // that last ran any earlier build arrives at today's stores.
                let old_version = event.old_version() as u32;
                if old_version < 1 {
                    for name in [
                        stores::DATASETS,
                        stores::BLOBS,
                        stores::ARTIFACTS,
                        stores::ACTIONS,
                        stores::EDGES,
                        stores::AUDIT,
                    ] {
                        let store = db.create_object_store(name).build()?;
                        if name == stores::DATASETS {
                            store
                                .create_index(BY_CONTENT_HASH, KeyPath::One("content_hash"))
                                .build()?;
                        }
                    }
                }
                if old_version < 2 {
                    db.create_object_store(stores::PROFILES).build()?;
                }
                if old_version < 3 {
                    db.create_object_store(stores::RECIPES).build()?;
                }
                if old_version < 4 {
                    db.create_object_store(stores::SAVED_RECIPES).build()?;
                }
                if old_version < 5 {
                    db.create_object_store(stores::MODELS).build()?;
                    db.create_object_store(stores::MODEL_FILES).build()?;
                }
                if old_version < 6 {
                    db.create_object_store(stores::EXPERIMENTS).build()?;
                    db.create_object_store(stores::RUNS).build()?;
                    db.create_object_store(stores::META).build()?;
                }
                if old_version < 7 {
                    db.create_object_store(stores::IMAGE_SETS)
                        .build()?
                        .create_index(BY_CONTENT_HASH, KeyPath::One("content_hash"))
                        .build()?;
                    db.create_object_store(stores::IMAGE_FILES).build()?;
                    db.create_object_store(stores::IMAGE_THUMBS).build()?;
                }
                if old_version < 8 {
                    db.create_object_store(stores::FORECASTS).build()?;
                }
                Ok(())
            })
            .await
            .map_err(|e| storage_error("opening the database", e))?;
        Ok(Store { db })
    }

    fn tx(&self, names: &[&str], mode: TransactionMode) -> Result<Transaction<'_>, JobError> {
        self.db
            .transaction(names.to_vec())
            .with_mode(mode)
            .build()
            .map_err(|e| storage_error("starting a transaction", e))
    }

    /// Applies a whole batch in one read-write transaction: every write lands or none does.
    pub async fn apply(&self, batch: WriteBatch) -> Result<(), JobError> {
        let tx = self.tx(&stores::ALL, TransactionMode::Readwrite)?;
        for op in batch.ops {
            match op {
                Op::Put { store, key, value } => {
                    let object_store = tx
                        .object_store(store)
                        .map_err(|e| storage_error("writing", e))?;
                    object_store
                        .put(to_js(&value)?)
                        .with_key(key)
                        .primitive()
                        .map_err(|e| storage_error("writing a record", e))?
                        .await
                        .map_err(|e| storage_error("writing a record", e))?;
                }
                Op::PutBlob { key, bytes } => {
                    put_bytes(&tx, stores::BLOBS, key, &bytes, "writing rows").await?;
                }
                Op::PutBytes { store, key, bytes } => {
                    put_bytes(&tx, store, key, &bytes, "writing images").await?;
                }
                Op::Delete { store, key } => {
                    let object_store = tx
                        .object_store(store)
                        .map_err(|e| storage_error("deleting", e))?;
                    object_store
                        .delete(key)
                        .primitive()
                        .map_err(|e| storage_error("deleting", e))?
                        .await
                        .map_err(|e| storage_error("deleting", e))?;
                }
                Op::DeleteRowsUnlessShared {
                    content_hash,
                    n_chunks,
                } => {
                    let datasets = tx
                        .object_store(stores::DATASETS)
                        .map_err(|e| storage_error("deleting", e))?;
                    let index = datasets
                        .index(BY_CONTENT_HASH)
                        .map_err(|e| storage_error("deleting", e))?;
                    let sharing = index
                        .count()
                        .with_query(content_hash.clone())
                        .primitive()
                        .map_err(|e| storage_error("deleting rows", e))?
                        .await
                        .map_err(|e| storage_error("deleting rows", e))?;
                    if sharing == 0 {
                        let blobs = tx
                            .object_store(stores::BLOBS)
                            .map_err(|e| storage_error("deleting", e))?;
                        for chunk in 0..n_chunks {
                            blobs
                                .delete(compute::records::blob_key(&content_hash, chunk))
                                .primitive()
                                .map_err(|e| storage_error("deleting rows", e))?
                                .await
                                .map_err(|e| storage_error("deleting rows", e))?;
                        }
                    }
                }
                Op::DeleteImagesUnlessShared {
                    content_hash,
                    n_images,
                } => {
                    let sets = tx
                        .object_store(stores::IMAGE_SETS)
                        .map_err(|e| storage_error("deleting", e))?;
                    let index = sets
                        .index(BY_CONTENT_HASH)
                        .map_err(|e| storage_error("deleting", e))?;
                    let sharing = index
                        .count()
                        .with_query(content_hash.clone())
                        .primitive()
                        .map_err(|e| storage_error("deleting images", e))?
                        .await
                        .map_err(|e| storage_error("deleting images", e))?;
                    if sharing == 0 && n_images > 0 {
                        let range = KeyRange::Bound(
                            image_key(&content_hash, 0),
                            false,
                            image_key(&content_hash, n_images - 1),
                            false,
                        );
                        for name in [stores::IMAGE_FILES, stores::IMAGE_THUMBS] {
                            tx.object_store(name)
                                .map_err(|e| storage_error("deleting", e))?
                                .delete::<String, _>(range.clone())
                                .primitive()
                                .map_err(|e| storage_error("deleting images", e))?
                                .await
                                .map_err(|e| storage_error("deleting images", e))?;
                        }
                    }
                }
                Op::Audit(draft) => {
                    // Sealed here, inside the transaction, so two writers can never chain onto
                    // the same head: IndexedDB runs overlapping read-write transactions in turn.
                    let audit = tx
                        .object_store(stores::AUDIT)
                        .map_err(|e| storage_error("auditing", e))?;
                    let count = audit
                        .count()
                        .primitive()
                        .map_err(|e| storage_error("auditing", e))?
                        .await
                        .map_err(|e| storage_error("auditing", e))?
                        as u64;
                    let prev: Option<AuditEntry> = if count == 0 {
                        None
                    } else {
                        let value: Option<JsValue> = audit
                            .get(audit_key(count - 1))
                            .primitive()
                            .map_err(|e| storage_error("auditing", e))?
                            .await
                            .map_err(|e| storage_error("auditing", e))?;
                        match value {
                            Some(v) => Some(from_js(stores::AUDIT, v)?),
                            None => None,
                        }
                    };
                    let entry = seal(prev.as_ref(), draft);
                    let value = serde_json::to_value(&entry).expect("entries always serialize");
                    audit
                        .put(to_js(&value)?)
                        .with_key(audit_key(entry.seq))
                        .primitive()
                        .map_err(|e| storage_error("auditing", e))?
                        .await
                        .map_err(|e| storage_error("auditing", e))?;
                }
            }
        }
        tx.commit()
            .await
            .map_err(|e| storage_error("committing", e))
    }

    /// Every record of a store, in key order.
    async fn all<T: serde::de::DeserializeOwned>(
        &self,
        name: &'static str,
        context: &str,
    ) -> Result<Vec<T>, JobError> {
        let tx = self.tx(&[name], TransactionMode::Readonly)?;
        let store = tx
            .object_store(name)
            .map_err(|e| storage_error(context, e))?;
        let values = store
            .get_all::<JsValue>()
            .primitive()
            .map_err(|e| storage_error(context, e))?
            .await
            .map_err(|e| storage_error(context, e))?;
        let mut records = Vec::new();
        for value in values {
            let value = value.map_err(|e| storage_error(context, e))?;
            records.push(from_js::<T>(name, value)?);
        }
        Ok(records)
    }

    pub async fn datasets(&self) -> Result<Vec<DatasetRecord>, JobError> {
        let mut datasets: Vec<DatasetRecord> =
            self.all(stores::DATASETS, "listing datasets").await?;
        datasets.sort_by(|a, b| a.created_at_ms.total_cmp(&b.created_at_ms));
        Ok(datasets)
    }

    /// The recipe library, sorted by name (the store's key order).
    pub async fn saved_recipes(&self) -> Result<Vec<SavedRecipe>, JobError> {
        self.all(stores::SAVED_RECIPES, "listing saved recipes")
            .await
    }

    pub async fn dataset(&self, dataset_id: &str) -> Result<DatasetRecord, JobError> {
        match self.get(stores::DATASETS, dataset_id, "reading a dataset").await? {
            Some(v) => from_js(stores::DATASETS, v),
            None => Err(JobError::new(
                ErrorKind::NotFound,
                format!("dataset {dataset_id} no longer exists; it may have been deleted in another tab"),
            )),
        }
    }

    /// The record under `key` in store `name`, if any.
    async fn get(
        &self,
        name: &'static str,
        key: &str,
        context: &str,
    ) -> Result<Option<JsValue>, JobError> {
        let tx = self.tx(&[name], TransactionMode::Readonly)?;
        let store = tx
            .object_store(name)
            .map_err(|e| storage_error(context, e))?;
        store
            .get(key.to_string())
            .primitive()
            .map_err(|e| storage_error(context, e))?
            .await
            .map_err(|e| storage_error(context, e))
    }

    /// Every stored model, newest first.
    pub async fn models(&self) -> Result<Vec<ModelRecord>, JobError> {
        let mut models: Vec<ModelRecord> = self.all(stores::MODELS, "listing models").await?;
        models.sort_by(|a, b| b.created_at_ms.total_cmp(&a.created_at_ms));
        Ok(models)
    }

    pub async fn model(&self, model_id: &str) -> Result<ModelRecord, JobError> {
        match self
            .get(stores::MODELS, model_id, "reading a model")
            .await?
        {
            Some(v) => from_js(stores::MODELS, v),
            None => Err(model_not_found(model_id)),
        }
    }

    /// The fitted model stored beside the record `model_id`.
    pub async fn model_file(&self, model_id: &str) -> Result<ModelFileRecord, JobError> {
        match self
            .get(stores::MODEL_FILES, model_id, "reading a model file")
            .await?
        {
            Some(v) => from_js(stores::MODEL_FILES, v),
            None => Err(model_not_found(model_id)),
        }
    }

    /// Every stored forecast model, newest first.
    pub async fn forecasts(&self) -> Result<Vec<ForecastRecord>, JobError> {
        let mut forecasts: Vec<ForecastRecord> =
            self.all(stores::FORECASTS, "listing forecasts").await?;
        forecasts.sort_by(|a, b| b.created_at_ms.total_cmp(&a.created_at_ms));
        Ok(forecasts)
    }

    pub async fn forecast(&self, forecast_id: &str) -> Result<ForecastRecord, JobError> {
        match self
            .get(stores::FORECASTS, forecast_id, "reading a forecast")
            .await?
        {
            Some(v) => from_js(stores::FORECASTS, v),
            None => Err(JobError::new(
                ErrorKind::NotFound,
                format!(
                    "forecast {forecast_id} no longer exists; it may have been deleted in another tab"
                ),
            )),
        }
    }

    /// Every experiment, oldest first.
    pub async fn experiments(&self) -> Result<Vec<ExperimentRecord>, JobError> {
        let mut experiments: Vec<ExperimentRecord> =
            self.all(stores::EXPERIMENTS, "listing experiments").await?;
        experiments.sort_by(|a, b| a.created_at_ms.total_cmp(&b.created_at_ms));
        Ok(experiments)
    }

    /// Every run, in key order.
    pub async fn runs(&self) -> Result<Vec<RunRecord>, JobError> {
        self.all(stores::RUNS, "listing runs").await
    }

    pub async fn run(&self, run_id: &str) -> Result<RunRecord, JobError> {
        match self.get(stores::RUNS, run_id, "reading a run").await? {
            Some(v) => from_js(stores::RUNS, v),
            None => Err(JobError::new(
                ErrorKind::NotFound,
                format!("run {run_id} no longer exists"),
            )),
        }
    }

    /// The value of [`compute::records::RUNS_REVISION`]: it changes whenever runs are written.
    pub async fn runs_revision(&self) -> Result<Option<String>, JobError> {
        match self
            .get(stores::META, RUNS_REVISION, "reading the runs' revision")
            .await?
        {
            Some(v) => Ok(Some(from_js::<Revision>(stores::META, v)?.revision)),
            None => Ok(None),
        }
    }

    /// The stored profile under `key` (see `compute::records::profile_key`), if any.
    pub async fn profile(&self, key: &str) -> Result<Option<ProfileRecord>, JobError> {
        let tx = self.tx(&[stores::PROFILES], TransactionMode::Readonly)?;
        let store = tx
            .object_store(stores::PROFILES)
            .map_err(|e| storage_error("reading", e))?;
        let value: Option<JsValue> = store
            .get(key.to_string())
            .primitive()
            .map_err(|e| storage_error("reading a profile", e))?
            .await
            .map_err(|e| storage_error("reading a profile", e))?;
        value.map(|v| from_js(stores::PROFILES, v)).transpose()
    }

    /// The stored bytes of chunks `[first, last]` of a dataset, in order.
    pub async fn chunks(
        &self,
        content_hash: &str,
        first: u64,
        last: u64,
    ) -> Result<Vec<Vec<u8>>, JobError> {
        let tx = self.tx(&[stores::BLOBS], TransactionMode::Readonly)?;
        let store = tx
            .object_store(stores::BLOBS)
            .map_err(|e| storage_error("reading rows", e))?;
        let mut chunks = Vec::new();
        for index in first..=last {
            let key = compute::records::blob_key(content_hash, index);
            let value: Option<JsValue> = store
                .get(key.clone())
                .primitive()
                .map_err(|e| storage_error("reading rows", e))?
                .await
                .map_err(|e| storage_error("reading rows", e))?;
            let array = value
                .and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok())
                .ok_or_else(|| {
                    JobError::new(
                        ErrorKind::Storage,
                        format!("rows chunk {key} is missing from storage"),
                    )
                })?;
            chunks.push(array.to_vec());
        }
        Ok(chunks)
    }

    /// Every stored image set, newest first.
    pub async fn image_sets(&self) -> Result<Vec<ImageSetRecord>, JobError> {
        let mut sets: Vec<ImageSetRecord> =
            self.all(stores::IMAGE_SETS, "listing image sets").await?;
        sets.sort_by(|a, b| b.created_at_ms.total_cmp(&a.created_at_ms));
        Ok(sets)
    }

    pub async fn image_set(&self, image_set_id: &str) -> Result<ImageSetRecord, JobError> {
        match self
            .get(stores::IMAGE_SETS, image_set_id, "reading an image set")
            .await?
        {
            Some(v) => from_js(stores::IMAGE_SETS, v),
            None => Err(JobError::new(
                ErrorKind::NotFound,
                format!("image set {image_set_id} no longer exists; it may have been deleted in another tab"),
            )),
        }
    }

    /// The stored bytes of images `first..=last` of the image set with `content_hash`
    /// from `store` (`image_files` or `image_thumbs`), in image order, read in one request.
    pub async fn image_bytes(
        &self,
        store: &'static str,
        content_hash: &str,
        first: u64,
        last: u64,
    ) -> Result<Vec<Vec<u8>>, JobError> {
        let tx = self.tx(&[store], TransactionMode::Readonly)?;
        let object_store = tx
            .object_store(store)
            .map_err(|e| storage_error("reading images", e))?;
        let range = KeyRange::Bound(
            image_key(content_hash, first),
            false,
            image_key(content_hash, last),
            false,
        );
        let values = object_store
            .get_all::<JsValue>()
            .with_query::<String, _>(range)
            .primitive()
            .map_err(|e| storage_error("reading images", e))?
            .await
            .map_err(|e| storage_error("reading images", e))?;
        let mut images = Vec::new();
        for value in values {
            let array = value
                .map_err(|e| storage_error("reading images", e))?
                .dyn_into::<js_sys::Uint8Array>()
                .map_err(|_| JobError::new(ErrorKind::Storage, "a stored image is not bytes"))?;
            images.push(array.to_vec());
        }
        let expected = (last + 1).saturating_sub(first) as usize;
        if images.len() != expected {
            return Err(JobError::new(
                ErrorKind::Storage,
                format!(
                    "storage holds {} of the {expected} images asked for; the image set is damaged, import it again",
                    images.len()
                ),
            ));
        }
        Ok(images)
    }

    /// The stored bytes of one image of the image set with `content_hash`.
    pub async fn image(
        &self,
        store: &'static str,
        content_hash: &str,
        index: u64,
    ) -> Result<Vec<u8>, JobError> {
        let mut images = self.image_bytes(store, content_hash, index, index).await?;
        Ok(images.pop().unwrap_or_default())
    }

    pub async fn audit_log(&self) -> Result<Vec<AuditEntry>, JobError> {
        // Keys are zero-padded sequence numbers, so key order is chain order.
        self.all(stores::AUDIT, "reading the audit log").await
    }

    /// Closes this connection; deleting or upgrading the database waits for every open one.
    pub fn close(self) {
        self.db.close();
    }

    /// Removes the whole database (tests use it to start clean).
    pub async fn delete_database(self) -> Result<(), JobError> {
        self.db
            .delete()
            .map_err(|e| storage_error("deleting the database", e))?
            .await
            .map_err(|e| storage_error("deleting the database", e))
    }
}

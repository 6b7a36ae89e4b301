//! The Images page: import a folder of class folders (picked, or dropped whole) or a zip of one through a worker (progress, cancel), list and delete image sets, show a gallery of thumbnails per class, train an image classifier with AutoML in a worker (progress, cancel) and open its models.
//!
//! The page only asks and shows: decoding, thumbnails, features, the search and every
//! prediction run in a worker. Thumbnails arrive as PNG bytes transferred beside the reply
//! and go straight into Blob URLs; signals hold only the URLs and names.

use compute::automl::{AutomlOptions, Build};
use compute::protocol::{
    ErrorKind, FolderFile, ImageSetSummary, ModelSummary, Progress, Reply, Request, RequestId,
    ThumbnailRef, ThumbnailSelect,
};
use compute::records::ClassCount;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::bridge;
use crate::format;
use crate::pages::model::ModelView;

/// Thumbnails a gallery shows per class.
const GALLERY_PER_CLASS: u32 = 12;

/// The column an image model's classes are in (`compute::image::features::LABEL_COLUMN`,
/// which needs the engine); the worker sets it anyway.
const LABEL: &str = "label";

/// A job in flight (an import or a training).
#[derive(Clone, Debug, PartialEq)]
struct Job {
    request_id: RequestId,
    what: String,
    stage: String,
    done: u64,
    total: u64,
}

impl Job {
    fn new(request_id: RequestId, what: String) -> Job {
        Job {
            request_id,
            what,
            stage: "starting".into(),
            done: 0,
            total: 0,
        }
    }

    fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).min(1.0)
        }
    }
}

/// Thumbnails as Blob URLs, revoked when dropped (when the gallery that shows them goes).
pub struct ThumbnailUrls {
    pub thumbnails: Vec<(ThumbnailRef, String)>,
}

impl Drop for ThumbnailUrls {
    fn drop(&mut self) {
        for (_, url) in &self.thumbnails {
            // A URL already revoked or never made: nothing to free.
            web_sys::Url::revoke_object_url(url).ok();
        }
    }
}

/// Asks a worker for thumbnails of an image set and makes a Blob URL of each, cutting the
/// transferred buffer into views (no byte is copied or read here).
pub async fn thumbnail_urls(
    image_set_id: String,
    select: ThumbnailSelect,
) -> Result<ThumbnailUrls, String> {
    let pool = bridge::pool().map_err(|e| format::error(&e))?;
    let request_id = pool.next_request_id();
    let request = Request::ImageThumbnails {
        image_set_id,
        select,
    };
    let (reply, buffer) = pool
        .request_with_bytes(request_id, request, None, |_| {})
        .await
        .map_err(|e| format::error(&e))?;
    let Reply::ImageThumbnails { thumbnails, .. } = reply else {
        return Err(format!("unexpected reply: {reply:?}"));
    };
    let Some(buffer) = buffer else {
        return Ok(ThumbnailUrls {
            thumbnails: Vec::new(),
        });
    };
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/png");
    let mut offset = 0u32;
    let mut urls = ThumbnailUrls {
        thumbnails: Vec::with_capacity(thumbnails.len()),
    };
    for thumbnail in thumbnails {
        let length = thumbnail.size_bytes as u32;
        let view = js_sys::Uint8Array::new_with_byte_offset_and_length(&buffer, offset, length);
        offset += length;
        let parts = js_sys::Array::of1(&view);
        let url = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob))
            .map_err(|_| "this browser could not show a thumbnail".to_string())?;
        urls.thumbnails.push((thumbnail, url));
    }
    Ok(urls)
}

#[derive(Clone, Copy)]
struct ImagesState {
    sets: RwSignal<Vec<ImageSetSummary>>,
    models: RwSignal<Vec<ModelSummary>>,
    selected_set: RwSignal<Option<String>>,
    selected_model: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    import_job: RwSignal<Option<Job>>,
    import_error: RwSignal<Option<String>>,
    import_warnings: RwSignal<Vec<String>>,
    train_job: RwSignal<Option<Job>>,
    train_error: RwSignal<Option<String>>,
}

impl ImagesState {
    fn refresh(self) {
        spawn_local(async move {
            let sets = bridge::call(Request::ListImageSets, None, |_| {}).await;
            let models = bridge::call(Request::ListModels, None, |_| {}).await;
            if self.sets.is_disposed() {
                return;
            }
            match sets {
                Ok(Reply::ImageSets { image_sets }) => {
                    let selected = self.selected_set.get_untracked();
                    if !selected
                        .as_ref()
                        .is_some_and(|id| image_sets.iter().any(|s| &s.image_set_id == id))
                    {
                        self.selected_set
                            .set(image_sets.first().map(|s| s.image_set_id.clone()));
                    }
                    self.sets.set(image_sets);
                }
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => self.notice.set(Some(format::error(&error))),
            }
            match models {
                Ok(Reply::Models { models }) => self.models.set(
                    models
                        .into_iter()
                        .filter(|m| m.image_set_id.is_some())
                        .collect(),
                ),
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => self.notice.set(Some(format::error(&error))),
            }
        });
    }

    /// Sends an import (the folder's files or the zip as one attachment) and follows it.
    fn import(self, request: Request, attachment: web_sys::Blob, what: String) {
        let pool = match bridge::pool() {
            Ok(pool) => pool,
            Err(error) => {
                self.import_error.set(Some(format::error(&error)));
                return;
            }
        };
        let request_id = pool.next_request_id();
        self.import_error.set(None);
        self.import_warnings.set(Vec::new());
        self.import_job.set(Some(Job::new(request_id, what)));
        let job = self.import_job;
        let on_progress = move |p: Progress| {
            job.try_update(|job| {
                if let Some(job) = job.as_mut().filter(|j| j.request_id == request_id) {
                    job.stage = p.stage;
                    job.done = p.done;
                    job.total = p.total;
                }
            });
        };
        spawn_local(async move {
            let result = pool
                .request(request_id, request, Some(attachment), on_progress)
                .await;
            if job.is_disposed() {
                return;
            }
            job.set(None);
            match result {
                Ok(Reply::ImportedImages {
                    image_set,
                    warnings,
                    ..
                }) => {
                    self.selected_set.set(Some(image_set.image_set_id.clone()));
                    self.selected_model.set(None);
                    self.import_warnings.set(warnings);
                    self.refresh();
                }
                Ok(other) => self
                    .import_error
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) if error.kind == ErrorKind::Cancelled => {}
                Err(error) => self.import_error.set(Some(format::error(&error))),
            }
        });
    }

    /// Files (with their paths inside the folder; a path ending in `/` is a folder) sent
    /// whole as one Blob made of them.
    fn import_folder(self, folder_name: String, files: Vec<(String, Option<web_sys::File>)>) {
        let parts = js_sys::Array::new();
        let mut listed = Vec::with_capacity(files.len());
        for (path, file) in files {
            match file {
                Some(file) => {
                    listed.push(FolderFile {
                        path,
                        size_bytes: file.size() as u64,
                    });
                    parts.push(&file);
                }
                None => listed.push(FolderFile {
                    path,
                    size_bytes: 0,
                }),
            }
        }
        if parts.length() == 0 {
            self.import_error.set(Some(format!(
                "the folder {folder_name} holds no files; give a folder with one subfolder of PNG or JPEG images per class"
            )));
            return;
        }
        let Ok(blob) = web_sys::Blob::new_with_blob_sequence(&parts) else {
            self.import_error
                .set(Some("this browser could not read the folder".to_string()));
            return;
        };
        let request = Request::ImportImageFolder {
            folder_name: folder_name.clone(),
            files: listed,
        };
        self.import(request, blob, format!("the folder {folder_name}"));
    }

    fn import_zip(self, file: web_sys::File) {
        let file_name = file.name();
        let request = Request::ImportImageZip {
            file_name: file_name.clone(),
        };
        self.import(request, file.into(), file_name);
    }

    fn delete(self, image_set_id: String) {
        spawn_local(async move {
            let result = bridge::call(Request::DeleteImageSet { image_set_id }, None, |_| {}).await;
            if self.sets.is_disposed() {
                return;
            }
            match result {
                Ok(Reply::ImageSetDeleted { .. }) => {
                    self.selected_set.set(None);
                    self.selected_model.set(None);
                    self.refresh();
                }
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => self.notice.set(Some(format::error(&error))),
            }
        });
    }

    fn train(self, image_set_id: String, name: String, build: Build) {
        let pool = match bridge::pool() {
            Ok(pool) => pool,
            Err(error) => {
                self.train_error.set(Some(format::error(&error)));
                return;
            }
        };
        let request_id = pool.next_request_id();
        self.train_error.set(None);
        self.train_job
            .set(Some(Job::new(request_id, "training".to_string())));
        let job = self.train_job;
        let on_progress = move |p: Progress| {
            job.try_update(|job| {
                if let Some(job) = job.as_mut().filter(|j| j.request_id == request_id) {
                    job.stage = p.stage;
                    job.done = p.done;
                    job.total = p.total;
                }
            });
        };
        let request = Request::TrainImages {
            image_set_id,
            name,
            options: AutomlOptions {
                build,
                ..AutomlOptions::new(LABEL)
            },
            experiment: String::new(),
        };
        spawn_local(async move {
            let result = pool.request(request_id, request, None, on_progress).await;
            if job.is_disposed() {
                return;
            }
            job.set(None);
            match result {
                Ok(Reply::Model { model }) => {
                    self.selected_model.set(Some(model.model_id.clone()));
                    self.refresh();
                }
                Ok(other) => self
                    .train_error
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) if error.kind == ErrorKind::Cancelled => {}
                Err(error) => self.train_error.set(Some(format::error(&error))),
            }
        });
    }
}

/// A picked folder's files with their paths (`webkitRelativePath`, which starts with the
/// folder's name).
fn picked_folder(list: &web_sys::FileList) -> (String, Vec<(String, Option<web_sys::File>)>) {
    let mut files = Vec::new();
    for index in 0..list.length() {
        let Some(file) = list.get(index) else {
            continue;
        };
        let path = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| file.name());
        files.push((path, Some(file)));
    }
    let folder_name = files
        .first()
        .and_then(|(path, _)| path.split('/').next())
        .unwrap_or("images")
        .to_string();
    (folder_name, files)
}

/// Calls `object.name(args…)` on a JS object whose method web-sys does not bind here (the
/// File and Directory Entries API), returning what it returns.
fn call_method(object: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let function: js_sys::Function = js_sys::Reflect::get(object, &name.into())?.dyn_into()?;
    let array: js_sys::Array = args.iter().copied().collect();
    function.apply(object, &array)
}

/// Awaits a callback-style method (`method(onSuccess, onError)`) of an entry.
async fn callback_result(object: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    let mut failure = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if let Err(error) = call_method(object, name, &[&resolve, &reject]) {
            failure = Some(error);
        }
    });
    if let Some(error) = failure {
        return Err(error);
    }
    JsFuture::from(promise).await
}

/// Every file and folder under dropped entries, by path (`fullPath` without its leading
/// `/`; folders end in `/`): listing is not reading, no byte is touched here.
async fn walk_entries(
    roots: Vec<JsValue>,
) -> Result<Vec<(String, Option<web_sys::File>)>, JsValue> {
    let mut found = Vec::new();
    let mut stack = roots;
    while let Some(entry) = stack.pop() {
        let path = js_sys::Reflect::get(&entry, &"fullPath".into())?
            .as_string()
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string();
        let is_directory = js_sys::Reflect::get(&entry, &"isDirectory".into())?
            .as_bool()
            .unwrap_or(false);
        if is_directory {
            found.push((format!("{path}/"), None));
            let reader = call_method(&entry, "createReader", &[])?;
            // `readEntries` answers in batches until an empty one.
            loop {
                let batch: js_sys::Array = callback_result(&reader, "readEntries").await?.into();
                if batch.length() == 0 {
                    break;
                }
                stack.extend(batch.iter());
            }
        } else {
            let file: web_sys::File = callback_result(&entry, "file").await?.dyn_into()?;
            found.push((path, Some(file)));
        }
    }
    Ok(found)
}

#[component]
pub fn ImagesPage() -> impl IntoView {
    let state = ImagesState {
        sets: RwSignal::new(Vec::new()),
        models: RwSignal::new(Vec::new()),
        selected_set: RwSignal::new(None),
        selected_model: RwSignal::new(None),
        notice: RwSignal::new(None),
        import_job: RwSignal::new(None),
        import_error: RwSignal::new(None),
        import_warnings: RwSignal::new(Vec::new()),
        train_job: RwSignal::new(None),
        train_error: RwSignal::new(None),
    };
    state.refresh();
    let dragging = RwSignal::new(false);

    let on_folder = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(list) = input.files() else {
            return;
        };
        let (folder_name, files) = picked_folder(&list);
        input.set_value("");
        state.import_folder(folder_name, files);
    };
    let on_zip = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let file = input.files().and_then(|list| list.get(0));
        input.set_value("");
        if let Some(file) = file {
            state.import_zip(file);
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let Some(transfer) = ev.data_transfer() else {
            return;
        };
        // Entries must be taken while the event is handled; walking them can wait.
        let items = js_sys::Reflect::get(&transfer, &"items".into()).unwrap_or(JsValue::NULL);
        let n_items = js_sys::Reflect::get(&items, &"length".into())
            .ok()
            .and_then(|n| n.as_f64())
            .unwrap_or(0.0) as u32;
        let mut roots = Vec::new();
        for index in 0..n_items {
            let Ok(item) = js_sys::Reflect::get_u32(&items, index) else {
                continue;
            };
            if let Ok(entry) = call_method(&item, "webkitGetAsEntry", &[]) {
                if !entry.is_null() && !entry.is_undefined() {
                    roots.push(entry);
                }
            }
        }
        let single_zip = transfer
            .files()
            .filter(|files| files.length() == 1)
            .and_then(|files| files.get(0))
            .filter(|file| file.name().to_lowercase().ends_with(".zip"));
        if let Some(zip) = single_zip {
            state.import_zip(zip);
            return;
        }
        if roots.is_empty() {
            state.import_error.set(Some(
                "drop a folder of class folders, or a zip of one".to_string(),
            ));
            return;
        }
        let folder_name = if roots.len() == 1 {
            js_sys::Reflect::get(&roots[0], &"name".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_else(|| "images".to_string())
        } else {
            "images".to_string()
        };
        spawn_local(async move {
            match walk_entries(roots).await {
                Ok(files) => state.import_folder(folder_name, files),
                Err(_) => {
                    state.import_error.try_set(Some(
                        "this browser could not list the dropped folder; pick it with the button instead"
                            .to_string(),
                    ));
                }
            }
        });
    };

    let cancel_import = move |_| {
        if let (Ok(pool), Some(job)) = (bridge::pool(), state.import_job.get_untracked()) {
            pool.cancel(job.request_id);
        }
    };

    view! {
        <div class="images-page" data-testid="images-page">
            <aside class="image-set-list">
                <h2>"Image sets"</h2>
                <div
                    class="drop-zone"
                    class:dragging=move || dragging.get()
                    data-testid="images-drop"
                    on:dragover=move |ev: web_sys::DragEvent| {
                        ev.prevent_default();
                        dragging.set(true);
                    }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=on_drop
                >
                    <p>"Drop a folder with one subfolder of PNG or JPEG images per class (or a zip of one) here, or "</p>
                    <label class="file-button">
                        "pick a folder"
                        <input type="file" prop:webkitdirectory=true multiple=true data-testid="images-import-folder" on:change=on_folder />
                    </label>
                    <p>" or "</p>
                    <label class="file-button">
                        "a zip"
                        <input type="file" accept=".zip,application/zip" data-testid="images-import-zip" on:change=on_zip />
                    </label>
                </div>
                {move || state.import_job.get().map(|job| view! {
                    <div class="job" data-testid="images-import-job">
                        <span>{format!("Importing {} · {} {} of {}", job.what, job.stage, job.done, job.total)}</span>
                        <progress max="1" value=job.fraction()></progress>
                        <button data-testid="images-import-cancel" on:click=cancel_import>"Cancel"</button>
                    </div>
                })}
                {move || state.import_error.get().map(|m| view! {
                    <p class="error" role="alert" data-testid="images-import-error">{m}</p>
                })}
                <ul class="warnings">
                    {move || state.import_warnings.get().into_iter().map(|w| view! {
                        <li class="warning" data-testid="images-import-warning">{w}</li>
                    }).collect_view()}
                </ul>
                {move || state.notice.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <For
                    each=move || state.sets.get()
                    key=|s| s.image_set_id.clone()
                    children=move |set| {
                        let id = set.image_set_id.clone();
                        let for_class = id.clone();
                        view! {
                            <button
                                class="experiment-item"
                                class:active=move || state.selected_set.get().as_deref() == Some(for_class.as_str())
                                data-testid="image-set-item"
                                data-name=set.name.clone()
                                on:click=move |_| {
                                    state.selected_set.set(Some(id.clone()));
                                    state.selected_model.set(None);
                                }
                            >
                                <span class="name">{set.name.clone()}</span>
                                <span class="muted">
                                    {format!(" {} images · {} classes", format::count(set.n_images), set.classes.len())}
                                </span>
                            </button>
                        }
                    }
                />
                {move || state.sets.with(|s| s.is_empty()).then(|| view! {
                    <p class="hint" data-testid="images-empty">
                        "No image sets yet. Each class is a folder of images named after it (digits/3/x.png); the images stay on this device."
                    </p>
                })}
            </aside>
            <section class="image-set-panel">
                {move || {
                    let id = state.selected_set.get()?;
                    let set = state.sets.with(|sets| sets.iter().find(|s| s.image_set_id == id).cloned())?;
                    Some(view! { <ImageSetPanel set=set state=state /> })
                }}
            </section>
        </div>
    }
}

#[component]
fn ImageSetPanel(set: ImageSetSummary, state: ImagesState) -> impl IntoView {
    let image_set_id = set.image_set_id.clone();
    let summary = format!(
        "{} images in {} classes · {} {} · {} stored · imported from {} on {}",
        format::count(set.n_images),
        set.classes.len(),
        set.size,
        set.color.label(),
        format::bytes(set.stored_bytes),
        set.source_file_name,
        format::date_time(set.created_at_ms),
    );
    let name = RwSignal::new(String::new());
    let build = RwSignal::new(Build::Quick);
    let train = {
        let image_set_id = image_set_id.clone();
        move |_| {
            state.train(
                image_set_id.clone(),
                name.get_untracked(),
                build.get_untracked(),
            )
        }
    };
    let cancel_train = move |_| {
        if let (Ok(pool), Some(job)) = (bridge::pool(), state.train_job.get_untracked()) {
            pool.cancel(job.request_id);
        }
    };
    let models_of_set = {
        let image_set_id = image_set_id.clone();
        move || {
            state.models.with(|models| {
                models
                    .iter()
                    .filter(|m| m.image_set_id.as_deref() == Some(image_set_id.as_str()))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        }
    };
    let warnings = set.warnings.clone();
    let confirming = RwSignal::new(false);
    let delete = {
        let image_set_id = image_set_id.clone();
        move |_| state.delete(image_set_id.clone())
    };
    view! {
        <h2 data-testid="image-set-title">{set.name.clone()}</h2>
        <p data-testid="image-set-summary">{summary}</p>
        <div class="actions">
            {move || if confirming.get() {
                let delete = delete.clone();
                view! {
                    <span>"Delete this image set? Models trained on it and its lineage stay. "</span>
                    <button class="danger" data-testid="image-set-delete-confirm" on:click=delete>"Delete"</button>
                    <button on:click=move |_| confirming.set(false)>"Keep"</button>
                }
                    .into_any()
            } else {
                view! { <button data-testid="image-set-delete" on:click=move |_| confirming.set(true)>"Delete image set"</button> }.into_any()
            }}
        </div>
        {(!warnings.is_empty()).then(|| view! {
            <details class="warnings" data-testid="image-set-warnings">
                <summary>{format!("{} notes from the import", warnings.len())}</summary>
                <ul>
                    {warnings.into_iter().map(|w| view! { <li class="warning">{w}</li> }).collect_view()}
                </ul>
            </details>
        })}
        <section class="train-images" data-testid="images-train-form">
            <h3>"Train an image classifier"</h3>
            <p class="hint">
                "Each image becomes its pixels and a histogram of gradient orientations (HOG); AutoML searches the table models on them, holding a fifth of the images out to evaluate the best one."
            </p>
            <label>
                "Model name "
                <input
                    type="text"
                    placeholder="label from the image set"
                    data-testid="images-model-name"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <label>
                " Build "
                <select
                    data-testid="images-build"
                    on:change=move |ev| {
                        build.set(if event_target_value(&ev) == "standard" { Build::Standard } else { Build::Quick })
                    }
                >
                    <option value="quick" selected=true>"Quick"</option>
                    <option value="standard">"Standard"</option>
                </select>
            </label>
            <button
                data-testid="images-train"
                disabled=move || state.train_job.with(Option::is_some)
                on:click=train
            >
                "Train"
            </button>
            {move || state.train_job.get().map(|job| view! {
                <div class="job" data-testid="images-train-job">
                    <span>{format!("Training · {} {} of {}", job.stage, job.done, job.total)}</span>
                    <progress max="1" value=job.fraction()></progress>
                    <button data-testid="images-train-cancel" on:click=cancel_train>"Cancel"</button>
                </div>
            })}
            {move || state.train_error.get().map(|m| view! {
                <p class="error" role="alert" data-testid="images-train-error">{m}</p>
            })}
        </section>
        <section class="image-models">
            <h3>"Models of this image set"</h3>
            <ul class="model-list">
                <For
                    each=models_of_set
                    key=|m| m.model_id.clone()
                    children=move |m| {
                        let id = m.model_id.clone();
                        let for_class = id.clone();
                        let score = m.holdout_score.map_or("–".to_string(), |s| format!("{s:.3}"));
                        view! {
                            <li>
                                <button
                                    class="experiment-item"
                                    class:active=move || state.selected_model.get().as_deref() == Some(for_class.as_str())
                                    data-testid="image-model-item"
                                    on:click=move |_| state.selected_model.set(Some(id.clone()))
                                >
                                    {format!("{} · {} · holdout {score}", m.name, m.best_label)}
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
            {move || state.selected_model.get().map(|model_id| {
                let on_deleted = Callback::new(move |_| {
                    state.selected_model.set(None);
                    state.refresh();
                });
                view! { <ModelView model_id=model_id on_deleted=on_deleted /> }
            })}
        </section>
        <Gallery image_set_id=image_set_id classes=set.classes.clone() />
    }
}

#[derive(Clone)]
enum GalleryState {
    Loading,
    Ready(std::rc::Rc<ThumbnailUrls>),
    Failed(String),
}

/// A class's first thumbnails, class by class, with its image count.
#[component]
fn Gallery(image_set_id: String, classes: Vec<ClassCount>) -> impl IntoView {
    let counts = classes;
    let loaded = RwSignal::new_local(GalleryState::Loading);
    spawn_local(async move {
        let result = thumbnail_urls(
            image_set_id,
            ThumbnailSelect::PerClass {
                n: GALLERY_PER_CLASS,
            },
        )
        .await;
        loaded.try_set(match result {
            Ok(urls) => GalleryState::Ready(std::rc::Rc::new(urls)),
            Err(message) => GalleryState::Failed(message),
        });
    });
    move || match loaded.get() {
        GalleryState::Loading => view! { <p class="hint">"Loading thumbnails…"</p> }.into_any(),
        GalleryState::Failed(message) => {
            view! { <p class="error" role="alert" data-testid="gallery-error">{message}</p> }
                .into_any()
        }
        GalleryState::Ready(urls) => {
            let mut classes: Vec<(String, Vec<(String, String)>)> = Vec::new();
            for (thumbnail, url) in &urls.thumbnails {
                match classes.last_mut() {
                    Some((class, list)) if *class == thumbnail.class => {
                        list.push((thumbnail.file.clone(), url.clone()))
                    }
                    _ => classes.push((
                        thumbnail.class.clone(),
                        vec![(thumbnail.file.clone(), url.clone())],
                    )),
                }
            }
            let count_of = |class: &str| {
                counts
                    .iter()
                    .find(|c| c.class == class)
                    .map_or(0, |c| c.n_images)
            };
            view! {
                <section class="gallery" data-testid="gallery">
                    <h3>"Gallery"</h3>
                    {classes.into_iter().map(|(class, thumbs)| view! {
                        <div class="gallery-class" data-testid="gallery-class" data-class=class.clone()>
                            <h4>
                                {class.clone()}
                                <span class="muted" data-testid="gallery-class-count">{format!(" · {} images", format::count(count_of(&class)))}</span>
                            </h4>
                            <div class="thumbs">
                                {thumbs.into_iter().map(|(file, url)| view! {
                                    <img src=url alt=file.clone() title=file data-testid="gallery-thumb" />
                                }).collect_view()}
                            </div>
                        </div>
                    }).collect_view()}
                </section>
            }
            .into_any()
        }
    }
}

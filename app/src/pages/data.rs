//! The Data page: import files or samples through a worker (progress, cancel), list datasets, preview rows in a virtualized grid, rename, delete.

use compute::protocol::{ErrorKind, ImportSource, Progress, Reply, Request, RequestId};
use compute::records::DatasetRecord;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::bridge;
use crate::format;
use crate::pages::profile::ProfilePanel;
use crate::pages::recipe::RecipePanel;

/// Samples bundled in `public/samples` (licences in `public/samples/README.md`).
const SAMPLES: [(&str, &str); 5] = [
    ("penguins.csv", "Palmer penguins · 344 × 8"),
    ("iris.csv", "Iris · 150 × 5"),
    ("wine.csv", "Wine · 178 × 14"),
    ("breast_cancer.csv", "Breast cancer · 569 × 31"),
    ("diabetes.csv", "Diabetes · 442 × 11"),
];

/// Height of one preview row in pixels; the grid positions rows by it.
const ROW_HEIGHT_PX: f64 = 28.0;
const VIEWPORT_HEIGHT_PX: f64 = 420.0;
/// Rows fetched around the visible ones, so small scrolls need no request.
const WINDOW_MARGIN_ROWS: u64 = 40;

#[derive(Clone, Debug, PartialEq)]
enum JobState {
    Running { stage: String, fraction: f64 },
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
struct ImportJob {
    request_id: RequestId,
    file_name: String,
    state: JobState,
}

#[derive(Clone, Debug, PartialEq)]
struct RowWindow {
    dataset_id: String,
    start: u64,
    rows: Vec<Vec<Option<String>>>,
}

#[derive(Clone, Copy)]
struct DataState {
    datasets: RwSignal<Vec<DatasetRecord>>,
    jobs: RwSignal<Vec<ImportJob>>,
    selected: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    /// The last finished import: what, and how long the worker took to read and parse it.
    last_import: RwSignal<Option<(String, u64, f64)>>,
    /// The last recipe applied: the new version, and how long the worker took to fit and
    /// transform.
    last_apply: RwSignal<Option<(DatasetRecord, f64)>>,
}

impl DataState {
    fn refresh(self) {
        spawn_local(async move {
            let result = bridge::call(Request::ListDatasets, None, |_| {}).await;
            // The page may have been left while the worker answered.
            if self.datasets.is_disposed() {
                return;
            }
            match result {
                Ok(Reply::Datasets { datasets }) => {
                    if let Some(id) = self.selected.get_untracked() {
                        if !datasets.iter().any(|d| d.dataset_id == id) {
                            self.selected.set(None);
                        }
                    }
                    self.datasets.set(datasets);
                }
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => self.notice.set(Some(format::error(&error))),
            }
        });
    }

    fn import(self, file_name: String, source: ImportSource, blob: Option<web_sys::Blob>) {
        let pool = match bridge::pool() {
            Ok(pool) => pool,
            Err(error) => {
                self.notice.set(Some(format::error(&error)));
                return;
            }
        };
        let request_id = pool.next_request_id();
        self.jobs.update(|jobs| {
            jobs.push(ImportJob {
                request_id,
                file_name: file_name.clone(),
                state: JobState::Running {
                    stage: "starting".into(),
                    fraction: 0.0,
                },
            })
        });
        let jobs = self.jobs;
        let on_progress = move |p: Progress| {
            jobs.try_update(|jobs| {
                if let Some(job) = jobs.iter_mut().find(|j| j.request_id == request_id) {
                    job.state = JobState::Running {
                        fraction: p.fraction(),
                        stage: p.stage,
                    };
                }
            });
        };
        spawn_local(async move {
            let request = Request::ImportCsv { source, file_name };
            let result = pool.request(request_id, request, blob, on_progress).await;
            if jobs.is_disposed() {
                return;
            }
            match result {
                Ok(Reply::Imported {
                    dataset,
                    parse_secs,
                    ..
                }) => {
                    jobs.update(|jobs| jobs.retain(|j| j.request_id != request_id));
                    self.last_import
                        .set(Some((dataset.name.clone(), dataset.n_rows, parse_secs)));
                    self.selected.set(Some(dataset.dataset_id.clone()));
                    self.refresh();
                }
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) if error.kind == ErrorKind::Cancelled => {
                    jobs.update(|jobs| jobs.retain(|j| j.request_id != request_id));
                }
                Err(error) => jobs.update(|jobs| {
                    if let Some(job) = jobs.iter_mut().find(|j| j.request_id == request_id) {
                        job.state = JobState::Failed(format::error(&error));
                    }
                }),
            }
        });
    }
}

#[component]
pub fn DataPage() -> impl IntoView {
    let state = DataState {
        datasets: RwSignal::new(Vec::new()),
        jobs: RwSignal::new(Vec::new()),
        selected: RwSignal::new(None),
        notice: RwSignal::new(None),
        last_import: RwSignal::new(None),
        last_apply: RwSignal::new(None),
    };
    state.refresh();

    view! {
        <section class="data-page">
            <h1>"Data"</h1>
            <ImportPanel state=state />
            {move || {
                state
                    .notice
                    .get()
                    .map(|text| {
                        view! {
                            <p class="notice" role="alert" data-testid="notice">
                                {text}
                                <button on:click=move |_| state.notice.set(None)>"Dismiss"</button>
                            </p>
                        }
                    })
            }}
            <StorageStatus />
            <ImportJobs state=state />
            {move || {
                state
                    .last_import
                    .get()
                    .map(|(name, n_rows, parse_secs)| {
                        view! {
                            <p class="done" data-testid="import-done" data-parse-secs=parse_secs>
                                {format!(
                                    "Imported {name}: {} rows read and parsed in {parse_secs:.2} s.",
                                    format::count(n_rows),
                                )}
                            </p>
                        }
                    })
            }}
            {move || {
                state
                    .last_apply
                    .get()
                    .map(|(dataset, compute_secs)| {
                        view! {
                            <p class="done" data-testid="apply-done" data-compute-secs=compute_secs>
                                {format!(
                                    "Recipe applied: {} ({} rows × {} columns), fitted and transformed in {compute_secs:.2} s.",
                                    dataset.name,
                                    format::count(dataset.n_rows),
                                    dataset.n_cols,
                                )}
                            </p>
                        }
                    })
            }}
            <DatasetList state=state />
            {move || {
                let selected = state.selected.get()?;
                let dataset = state
                    .datasets
                    .with(|d| d.iter().find(|d| d.dataset_id == selected).cloned())?;
                Some(
                    view! {
                        <Preview dataset=dataset.clone() />
                        <RecipePanel
                            dataset=dataset.clone()
                            on_applied=Callback::new(move |(dataset, compute_secs): (DatasetRecord, f64)| {
                                state.selected.set(Some(dataset.dataset_id.clone()));
                                state.last_apply.set(Some((dataset, compute_secs)));
                                state.refresh();
                            })
                        />
                        <ProfilePanel dataset=dataset />
                    },
                )
            }}
        </section>
    }
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

#[component]
fn ImportPanel(state: DataState) -> impl IntoView {
    let dragging = RwSignal::new(false);
    let import_files = move |files: Vec<web_sys::File>| {
        for file in files {
            state.import(file.name(), ImportSource::AttachedFile, Some(file.into()));
        }
    };
    view! {
        <div
            class="drop-zone"
            class:dragging=move || dragging.get()
            data-testid="drop-zone"
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(false);
                import_files(files_of(ev.data_transfer().and_then(|d| d.files())));
            }
        >
            <p>"Drop CSV or TSV files here, or "</p>
            <label class="button">
                "choose files"
                <input
                    type="file"
                    multiple
                    accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
                    data-testid="file-input"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        import_files(files_of(input.files()));
                        // Choosing the same file again must fire `change` again.
                        input.set_value("");
                    }
                />
            </label>
            <div class="samples">
                <span>"or load a sample: "</span>
                {SAMPLES
                    .into_iter()
                    .map(|(file, title)| {
                        view! {
                            <button
                                class="sample"
                                title=title
                                data-testid=format!("sample-{}", file.trim_end_matches(".csv"))
                                on:click=move |_| {
                                    state
                                        .import(
                                            file.to_string(),
                                            ImportSource::BundledSample {
                                                url: format!("./samples/{file}"),
                                            },
                                            None,
                                        )
                                }
                            >
                                {file.trim_end_matches(".csv")}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <p class="hint">"Files are read and stored in this browser only."</p>
        </div>
    }
}

#[component]
fn ImportJobs(state: DataState) -> impl IntoView {
    view! {
        <ul class="jobs">
            <For
                each=move || state.jobs.get()
                key=|job| (job.request_id, format!("{:?}", job.state))
                children=move |job| {
                    let request_id = job.request_id;
                    match job.state {
                        JobState::Running { stage, fraction } => {
                            view! {
                                <li class="job" data-testid="import-job">
                                    <span class="job-name">{job.file_name}</span>
                                    <progress
                                        max="1"
                                        value=fraction
                                        data-testid="import-progress"
                                    ></progress>
                                    <span class="job-stage">
                                        {format!("{stage} {:.0}%", fraction * 100.0)}
                                    </span>
                                    <button
                                        data-testid="import-cancel"
                                        on:click=move |_| {
                                            if let Ok(pool) = bridge::pool() {
                                                pool.cancel(request_id);
                                            }
                                        }
                                    >
                                        "Cancel"
                                    </button>
                                </li>
                            }
                                .into_any()
                        }
                        JobState::Failed(message) => {
                            view! {
                                <li class="job failed" role="alert">
                                    <span class="job-name">{job.file_name}</span>
                                    <span class="error" data-testid="import-error">
                                        {message}
                                    </span>
                                    <button on:click=move |_| {
                                        state
                                            .jobs
                                            .update(|jobs| jobs.retain(|j| j.request_id != request_id))
                                    }>"Dismiss"</button>
                                </li>
                            }
                                .into_any()
                        }
                    }
                }
            />
        </ul>
    }
}

#[component]
fn DatasetList(state: DataState) -> impl IntoView {
    view! {
        <table class="datasets" data-testid="dataset-list">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th class="num">"Rows"</th>
                    <th class="num">"Columns"</th>
                    <th class="num">"Size"</th>
                    <th>"Created"</th>
                    <th>"Hash"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || state.datasets.get()
                    key=|d| (d.dataset_id.clone(), d.name.clone())
                    children=move |dataset| view! { <DatasetRow state=state dataset=dataset /> }
                />
            </tbody>
        </table>
        <Show when=move || state.datasets.with(|d| d.is_empty())>
            <p class="empty" data-testid="no-datasets">
                "No datasets yet. Import a file or load a sample."
            </p>
        </Show>
    }
}

#[component]
fn DatasetRow(state: DataState, dataset: DatasetRecord) -> impl IntoView {
    // The version it was made from, by name (or id if that one was deleted since).
    let parent_name = dataset.parent_dataset_id.as_ref().map(|parent_id| {
        state.datasets.with_untracked(|all| {
            all.iter()
                .find(|d| &d.dataset_id == parent_id)
                .map_or_else(|| parent_id.clone(), |d| d.name.clone())
        })
    });
    let renaming = RwSignal::new(false);
    let confirming_delete = RwSignal::new(false);
    let new_name = RwSignal::new(dataset.name.clone());
    let dataset_id = dataset.dataset_id.clone();
    let id_for_select = dataset_id.clone();
    let id_for_class = dataset_id.clone();
    let id_for_rename = dataset_id.clone();
    let id_for_delete = dataset_id.clone();

    let rename = move || {
        let dataset_id = id_for_rename.clone();
        let name = new_name.get_untracked();
        renaming.set(false);
        spawn_local(async move {
            let request = Request::RenameDataset {
                dataset_id,
                new_name: name,
            };
            let result = bridge::call(request, None, |_| {}).await;
            if state.datasets.is_disposed() {
                return;
            }
            match result {
                Ok(_) => state.refresh(),
                Err(error) => state.notice.set(Some(format::error(&error))),
            }
        });
    };
    let delete = move || {
        let dataset_id = id_for_delete.clone();
        confirming_delete.set(false);
        spawn_local(async move {
            let result = bridge::call(Request::DeleteDataset { dataset_id }, None, |_| {}).await;
            if state.datasets.is_disposed() {
                return;
            }
            match result {
                Ok(_) => state.refresh(),
                Err(error) => state.notice.set(Some(format::error(&error))),
            }
        });
    };
    let rename_on_enter = rename.clone();
    let name = dataset.name.clone();
    let name_for_confirm = dataset.name.clone();

    view! {
        <tr
            data-testid="dataset-row"
            class:selected=move || state.selected.get().as_deref() == Some(id_for_class.as_str())
            on:click=move |_| state.selected.set(Some(id_for_select.clone()))
        >
            <td data-testid="dataset-name">
                {move || {
                    if renaming.get() {
                        view! {
                            <input
                                data-testid="rename-input"
                                prop:value=move || new_name.get()
                                on:input=move |ev| new_name.set(event_target_value(&ev))
                                on:click=|ev| ev.stop_propagation()
                                on:keydown={
                                    let rename = rename_on_enter.clone();
                                    move |ev: web_sys::KeyboardEvent| {
                                        if ev.key() == "Enter" {
                                            rename();
                                        } else if ev.key() == "Escape" {
                                            renaming.set(false);
                                        }
                                    }
                                }
                            />
                        }
                            .into_any()
                    } else {
                        view! { <span>{name.clone()}</span> }.into_any()
                    }
                }}
                {parent_name.clone().map(|p| view! { <div class="parent" data-testid="dataset-parent">{format!("from {p}")}</div> })}
            </td>
            <td class="num" data-testid="dataset-rows">
                {format::count(dataset.n_rows)}
            </td>
            <td class="num" data-testid="dataset-cols">
                {format::count(dataset.n_cols)}
            </td>
            <td class="num">{format::bytes(dataset.stored_bytes)}</td>
            <td>{format::date_time(dataset.created_at_ms)}</td>
            <td>
                <code title=dataset.content_hash.clone()>{dataset.short_hash().to_string()}</code>
            </td>
            <td class="actions" on:click=|ev| ev.stop_propagation()>
                {move || {
                    if renaming.get() {
                        let rename = rename.clone();
                        view! {
                            <button data-testid="rename-save" on:click=move |_| rename()>
                                "Save"
                            </button>
                        }
                            .into_any()
                    } else if confirming_delete.get() {
                        let delete = delete.clone();
                        view! {
                            <span class="confirm" data-testid="delete-confirm">
                                {format!("Delete “{}”? ", name_for_confirm)}
                                <button
                                    class="danger"
                                    data-testid="delete-yes"
                                    on:click=move |_| delete()
                                >
                                    "Delete"
                                </button>
                                <button on:click=move |_| confirming_delete.set(false)>"Keep"</button>
                            </span>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button data-testid="rename" on:click=move |_| renaming.set(true)>
                                "Rename"
                            </button>
                            <button
                                data-testid="delete"
                                on:click=move |_| confirming_delete.set(true)
                            >
                                "Delete"
                            </button>
                        }
                            .into_any()
                    }
                }}
            </td>
        </tr>
    }
}

#[component]
fn Preview(dataset: DatasetRecord) -> impl IntoView {
    let window = RwSignal::new(None::<RowWindow>);
    let error = RwSignal::new(None::<String>);
    let scroll_top = RwSignal::new(0.0f64);
    let loading = StoredValue::new(None::<(u64, u64)>);
    let n_rows = dataset.n_rows;
    let dataset_id = dataset.dataset_id.clone();

    // Fetch the rows around the visible ones whenever scrolling leaves the loaded window.
    let fetch_id = dataset_id.clone();
    Effect::new(move |_| {
        let first_visible = (scroll_top.get() / ROW_HEIGHT_PX).floor() as u64;
        let visible = (VIEWPORT_HEIGHT_PX / ROW_HEIGHT_PX).ceil() as u64 + 1;
        let last_visible = (first_visible + visible).min(n_rows);
        let covered = window.with_untracked(|w| {
            w.as_ref().is_some_and(|w| {
                w.dataset_id == fetch_id
                    && w.start <= first_visible
                    && w.start + w.rows.len() as u64 >= last_visible
            })
        });
        if covered || n_rows == 0 {
            return;
        }
        let start = first_visible.saturating_sub(WINDOW_MARGIN_ROWS);
        let len = (last_visible + WINDOW_MARGIN_ROWS - start) as u32;
        if loading.get_value() == Some((start, len as u64)) {
            return;
        }
        loading.set_value(Some((start, len as u64)));
        let dataset_id = fetch_id.clone();
        spawn_local(async move {
            let request = Request::RowWindow {
                dataset_id,
                start,
                len,
            };
            let result = bridge::call(request, None, |_| {}).await;
            if window.is_disposed() {
                return;
            }
            match result {
                Ok(Reply::Rows {
                    dataset_id,
                    start,
                    rows,
                }) => window.set(Some(RowWindow {
                    dataset_id,
                    start,
                    rows,
                })),
                Ok(other) => error.set(Some(format!("unexpected reply: {other:?}"))),
                Err(e) => error.set(Some(format::error(&e))),
            }
            loading.set_value(None);
        });
    });

    let export_id = dataset_id.clone();
    let export_arrow_id = dataset_id.clone();
    let columns = dataset.columns.clone();
    let n_cols = columns.len();
    // Fixed widths keep the sticky header and the absolutely placed rows aligned.
    let grid_template = format!("4.5rem repeat({n_cols}, 9.5rem)");
    let grid_template_body = grid_template.clone();
    view! {
        <section class="preview" data-testid="preview">
            <h2>
                {format!("{} — {} rows × {} columns", dataset.name, format::count(n_rows), n_cols)}
                <button class="export" data-testid="export-csv" on:click=move |_| export_csv(export_id.clone(), error)>
                    "Export CSV"
                </button>
                <button class="export" data-testid="export-arrow" on:click=move |_| export_arrow(export_arrow_id.clone(), error)>
                    "Export Arrow"
                </button>
            </h2>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div
                class="grid-viewport"
                data-testid="preview-grid"
                style=format!("height:{VIEWPORT_HEIGHT_PX}px")
                on:scroll=move |ev| {
                    let target: web_sys::Element = ev.target().expect("scroll has a target").unchecked_into();
                    scroll_top.set(target.scroll_top() as f64);
                }
            >
                <div class="grid-header" style=format!("grid-template-columns:{grid_template}")>
                    <div class="cell index">"#"</div>
                    {columns
                        .into_iter()
                        .map(|c| {
                            view! {
                                <div class="cell head" data-testid="column-header" data-column=c.name.clone()>
                                    <div class="col-name">{c.name.clone()}</div>
                                    <div class="col-meta">
                                        <span class="type" data-testid="column-type">
                                            {c.column_type.label()}
                                        </span>
                                        <span class="missing" data-testid="column-missing">
                                            {format!("{} missing", format::count(c.missing_count))}
                                        </span>
                                    </div>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
                <div class="grid-body" style=format!("height:{}px", n_rows as f64 * ROW_HEIGHT_PX)>
                    {move || {
                        window
                            .get()
                            .map(|w| {
                                let template = grid_template_body.clone();
                                w.rows
                                    .into_iter()
                                    .enumerate()
                                    .map(|(i, row)| {
                                        let index = w.start + i as u64;
                                        view! {
                                            <div
                                                class="grid-row"
                                                data-testid="preview-row"
                                                style=format!(
                                                    "top:{}px;grid-template-columns:{}",
                                                    index as f64 * ROW_HEIGHT_PX,
                                                    template,
                                                )
                                            >
                                                <div class="cell index">{index + 1}</div>
                                                {row
                                                    .into_iter()
                                                    .map(|value| match value {
                                                        Some(v) => view! { <div class="cell">{v}</div> }.into_any(),
                                                        None => view! { <div class="cell null">"—"</div> }.into_any(),
                                                    })
                                                    .collect_view()}
                                            </div>
                                        }
                                    })
                                    .collect_view()
                            })
                    }}
                </div>
            </div>
        </section>
    }
}

/// Asks the browser to keep this site's storage (`navigator.storage.persist()`) and says how
/// much is used, so a user knows whether their datasets can be evicted.
#[component]
fn StorageStatus() -> impl IntoView {
    let status = RwSignal::new(None::<String>);
    spawn_local(async move {
        let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else {
            return;
        };
        let persisted = match storage.persist() {
            Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            Err(_) => false,
        };
        let estimate = match storage.estimate() {
            Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.ok(),
            Err(_) => None,
        };
        let field = |name: &str| {
            estimate
                .as_ref()
                .and_then(|e| js_sys::Reflect::get(e, &name.into()).ok())
                .and_then(|v| v.as_f64())
        };
        let usage = match (field("usage"), field("quota")) {
            (Some(usage), Some(quota)) => format!(
                "{} used of {} this browser allows. ",
                format::bytes(usage as u64),
                format::bytes(quota as u64)
            ),
            _ => String::new(),
        };
        let kept = if persisted {
            "Storage is persistent: the browser will not clear it on its own."
        } else {
            "Storage is best-effort: the browser may clear it when the disk is nearly full."
        };
        status.set(Some(format!("{usage}{kept}")));
    });
    view! {
        <p class="hint storage" data-testid="storage-status">
            {move || status.get()}
        </p>
    }
}

/// Asks a worker for the dataset as CSV; the bytes arrive as a transferred buffer and are
/// offered as a download.
fn export_csv(dataset_id: String, error: RwSignal<Option<String>>) {
    export(Request::ExportCsv { dataset_id }, error);
}

/// Like [`export_csv`], as an Arrow IPC file (`<dataset>.arrow`).
fn export_arrow(dataset_id: String, error: RwSignal<Option<String>>) {
    export(Request::ExportArrow { dataset_id }, error);
}

fn export(request: Request, error: RwSignal<Option<String>>) {
    crate::download::fetch_and_offer(request, error);
}

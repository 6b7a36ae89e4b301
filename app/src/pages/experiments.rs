//! The Experiments page: experiments and their runs in a virtualized table the worker filters, searches and sorts; one run's params, metrics, learning curves, Debugger findings, tags and notes; 2–20 runs compared side by side with charts.

use std::collections::BTreeMap;

use compute::debugger::Finding;
use compute::experiments::compare::{CompareOptions, Comparison, HistoryView, ScatterAxes};
use compute::experiments::table::{Cell, RunQuery, RunWindow, SortKey};
use compute::experiments::{RunKind, RunRecord};
use compute::protocol::{ExperimentSummary, FolderFile, Reply, Request};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::bridge;
use crate::charts::{
    series_colour, AxisKind, BarChart, Legend, LineChart, ParallelCoordinates, PcLine, Series,
};
use crate::format;

const ROW_HEIGHT_PX: f64 = 30.0;
const VIEWPORT_HEIGHT_PX: f64 = 420.0;
/// Rows fetched beyond the visible ones on each side, so small scrolls need no request.
const WINDOW_MARGIN_ROWS: usize = 40;
const MAX_COMPARED: usize = compute::experiments::compare::MAX_COMPARED_RUNS;

/// What the panel beside the table shows.
#[derive(Clone, Debug, PartialEq)]
enum Detail {
    None,
    Run(String),
    Compare(Vec<String>),
}

#[component]
pub fn ExperimentsPage() -> impl IntoView {
    let experiments = RwSignal::new(Vec::<ExperimentSummary>::new());
    let experiment = RwSignal::new(None::<String>);
    let include_candidates = RwSignal::new(false);
    let filter_text = RwSignal::new(String::new());
    // The filter as last applied (Enter or the Apply button), so typing never queries.
    let filter = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let sort = RwSignal::new(Vec::<SortKey>::new());
    // Empty: the worker's default columns for the runs shown.
    let columns = RwSignal::new(Vec::<String>::new());
    let picking_columns = RwSignal::new(false);
    let selected = RwSignal::new(Vec::<String>::new());
    let detail = RwSignal::new(Detail::None);
    let error = RwSignal::new(None::<String>);
    // Bumped to ask for the window again (after an edit of a run, say).
    let refresh = RwSignal::new(0u32);

    // The newest list asked for wins: a slow answer to an older request (a worker still
    // starting) must not hide what an import or a build just added.
    let list_sequence = StoredValue::new(0u64);
    let load_experiments = move || {
        list_sequence.update_value(|s| *s += 1);
        let mine = list_sequence.get_value();
        spawn_local(async move {
            let result = bridge::call(Request::ListExperiments, None, |_| {}).await;
            if list_sequence.try_get_value() != Some(mine) {
                return;
            }
            match result {
                Ok(Reply::Experiments { experiments: list }) => {
                    experiments.try_set(list);
                }
                Ok(other) => {
                    error.try_set(Some(format!("unexpected reply: {other:?}")));
                }
                Err(e) => {
                    error.try_set(Some(format::error(&e)));
                }
            }
        });
    };
    load_experiments();

    let query = Memo::new(move |_| RunQuery {
        experiment_id: experiment.get(),
        filter: filter.get(),
        search: search.get(),
        include_candidates: include_candidates.get(),
        sort: sort.get(),
        columns: columns.get(),
        start: 0,
        len: 0,
    });

    let import_status = RwSignal::new(None::<Result<String, String>>);
    // Sends an import (a zip, or a folder's files one after the other) and says what came in.
    let send_import = move |request: Request, attachment: web_sys::Blob, label: String| {
        import_status.set(Some(Ok(format!("Reading {label}…"))));
        spawn_local(async move {
            let result = bridge::call(request, Some(attachment), |_| {}).await;
            match result {
                Ok(Reply::ImportedRuns {
                    n_experiments,
                    n_runs,
                    warnings,
                }) => {
                    let mut message = format!(
                        "Imported {} runs in {} {} from {label}.",
                        format::count(n_runs),
                        format::count(n_experiments),
                        if n_experiments == 1 {
                            "experiment"
                        } else {
                            "experiments"
                        }
                    );
                    if !warnings.is_empty() {
                        message.push_str(&format!(" {}", warnings.join(" ")));
                    }
                    import_status.try_set(Some(Ok(message)));
                    refresh.try_update(|r| *r += 1);
                    load_experiments();
                }
                Ok(other) => {
                    import_status.try_set(Some(Err(format!("unexpected reply: {other:?}"))));
                }
                Err(e) => {
                    import_status.try_set(Some(Err(format::error(&e))));
                }
            }
        });
    };
    let import_runs = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        let file_name = file.name();
        let request = Request::ImportRuns {
            file_name: file_name.clone(),
        };
        send_import(request, file.into(), file_name);
    };
    // A folder picked whole: its files travel as one Blob made of them (nothing is read
    // here), with their paths and sizes so the worker can cut them apart.
    let import_folder = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(list) = input.files() else {
            return;
        };
        let parts = js_sys::Array::new();
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
            files.push(FolderFile {
                path,
                size_bytes: file.size() as u64,
            });
            parts.push(&file);
        }
        input.set_value("");
        if files.is_empty() {
            import_status.set(Some(Err("The folder holds no files.".to_string())));
            return;
        }
        let folder_name = files[0]
            .path
            .split('/')
            .next()
            .unwrap_or("folder")
            .to_string();
        let Ok(blob) = web_sys::Blob::new_with_blob_sequence(&parts) else {
            import_status.set(Some(Err(
                "This browser could not read the folder.".to_string()
            )));
            return;
        };
        let request = Request::ImportRunsFolder {
            folder_name: folder_name.clone(),
            files,
        };
        send_import(request, blob, format!("the folder {folder_name}"));
    };

    let export_mlflow = move |_| {
        let experiment_id = experiment.get_untracked();
        crate::download::fetch_and_offer(Request::ExportRunsMlflow { experiment_id }, error);
    };

    let export_csv = move |_| {
        let experiment_id = experiment.get_untracked();
        crate::download::fetch_and_offer(Request::ExportRunsCsv { experiment_id }, error);
    };

    view! {
        <div class="experiments-page" data-testid="experiments-page">
            <aside class="experiment-list" data-testid="experiment-list">
                <h2>"Experiments"</h2>
                <button
                    class="experiment-item"
                    class:active=move || experiment.get().is_none()
                    data-testid="experiment-all"
                    on:click=move |_| {
                        experiment.set(None);
                        selected.set(Vec::new());
                    }
                >
                    "All experiments"
                </button>
                <For
                    each=move || experiments.get()
                    key=|e| (e.experiment.experiment_id.clone(), e.n_runs)
                    children=move |e| {
                        let id = e.experiment.experiment_id.clone();
                        let for_class = id.clone();
                        view! {
                            <button
                                class="experiment-item"
                                class:active=move || experiment.get().as_deref() == Some(for_class.as_str())
                                data-testid="experiment-item"
                                data-experiment=e.experiment.name.clone()
                                on:click=move |_| {
                                    experiment.set(Some(id.clone()));
                                    selected.set(Vec::new());
                                }
                            >
                                <span class="name">{e.experiment.name.clone()}</span>
                                <span class="muted">
                                    {format!(
                                        " {} · {}",
                                        plural(e.n_builds, "build"),
                                        plural(e.n_runs, "run"),
                                    )}
                                </span>
                            </button>
                        }
                    }
                />
                <label class="file-button" data-testid="runs-import-label">
                    "Import MLflow runs (.zip)"
                    <input type="file" accept=".zip,application/zip" data-testid="runs-import" on:change=import_runs />
                </label>
                <label class="file-button" data-testid="runs-import-folder-label">
                    "Import an mlruns folder"
                    <input type="file" prop:webkitdirectory=true multiple=true data-testid="runs-import-folder" on:change=import_folder />
                </label>
                {move || import_status.get().map(|s| match s {
                    Ok(m) => view! { <p class="hint" data-testid="runs-import-status">{m}</p> }.into_any(),
                    Err(m) => view! { <p class="error" role="alert" data-testid="runs-import-error">{m}</p> }.into_any(),
                })}
                {move || experiments.with(|e| e.is_empty()).then(|| view! {
                    <p class="hint" data-testid="experiments-empty">
                        "No runs yet. Every model trained on the Build page is recorded here as a run, with each candidate its search tried."
                    </p>
                })}
            </aside>
            <section class="runs-panel">
                <div class="runs-toolbar">
                    <label class="grow">
                        "Filter "
                        <input
                            data-testid="runs-filter"
                            placeholder="e.g. metrics.accuracy > 0.8 and params.max_depth < 8"
                            prop:value=move || filter_text.get()
                            on:input=move |ev| filter_text.set(event_target_value(&ev))
                            on:keydown=move |ev| {
                                if ev.key() == "Enter" {
                                    filter.set(filter_text.get_untracked());
                                }
                            }
                        />
                    </label>
                    <button data-testid="runs-filter-apply" on:click=move |_| filter.set(filter_text.get_untracked())>
                        "Apply"
                    </button>
                    <label>
                        "Search "
                        <input
                            class="short-search"
                            data-testid="runs-search"
                            prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev))
                        />
                    </label>
                    <label>
                        <input
                            type="checkbox"
                            data-testid="runs-candidates"
                            prop:checked=move || include_candidates.get()
                            on:change=move |ev| include_candidates.set(event_target_checked(&ev))
                        />
                        " AutoML candidates"
                    </label>
                    <button data-testid="runs-columns" on:click=move |_| picking_columns.update(|p| *p = !*p)>
                        "Columns"
                    </button>
                    <button data-testid="runs-export-csv" on:click=export_csv>"Export CSV"</button>
                    <button data-testid="runs-export-mlflow" on:click=export_mlflow>"Export MLflow"</button>
                    <button
                        class="primary"
                        data-testid="runs-compare"
                        disabled=move || !(2..=MAX_COMPARED).contains(&selected.with(Vec::len))
                        on:click=move |_| detail.set(Detail::Compare(selected.get_untracked()))
                    >
                        {move || format!("Compare ({})", selected.with(Vec::len))}
                    </button>
                </div>
                {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="runs-error">{e}</p> })}
                <RunsTable query refresh columns sort selected detail picking_columns />
            </section>
            {move || match detail.get() {
                Detail::None => None,
                Detail::Run(run_id) => Some(view! {
                    <RunView
                        run_id
                        on_close=Callback::new(move |_| detail.set(Detail::None))
                        on_changed=Callback::new(move |_| {
                            refresh.update(|r| *r += 1);
                            load_experiments();
                        })
                    />
                }.into_any()),
                Detail::Compare(run_ids) => Some(view! {
                    <CompareView run_ids on_close=Callback::new(move |_| detail.set(Detail::None)) />
                }.into_any()),
            }}
        </div>
    }
}

/// The runs table: asks the worker for the rows around the visible ones.
#[component]
fn RunsTable(
    query: Memo<RunQuery>,
    /// Bumped when runs changed (an import, an edit): the window is asked for again.
    refresh: RwSignal<u32>,
    columns: RwSignal<Vec<String>>,
    sort: RwSignal<Vec<SortKey>>,
    selected: RwSignal<Vec<String>>,
    detail: RwSignal<Detail>,
    picking_columns: RwSignal<bool>,
) -> impl IntoView {
    let window = RwSignal::new(None::<RunWindow>);
    let error = RwSignal::new(None::<String>);
    let scroll_top = RwSignal::new(0.0f64);
    // The newest request wins: answers to older ones are dropped.
    let sequence = StoredValue::new(0u64);
    // The query (without its window) the loaded rows answer.
    let last_query = StoredValue::new(None::<RunQuery>);

    let seen_refresh = StoredValue::new(0u32);
    Effect::new(move |_| {
        let mut query = query.get();
        let generation = refresh.get();
        if seen_refresh.get_value() != generation {
            seen_refresh.set_value(generation);
            last_query.set_value(None);
        }
        let first_visible = (scroll_top.get() / ROW_HEIGHT_PX).floor() as usize;
        let visible = (VIEWPORT_HEIGHT_PX / ROW_HEIGHT_PX).ceil() as usize + 1;
        let covered = window.with_untracked(|w| {
            w.as_ref().is_some_and(|w| {
                w.start <= first_visible
                    && (w.start + w.rows.len() >= (first_visible + visible).min(w.matching))
            })
        });
        // A scroll inside the loaded rows needs nothing; any other change of the query
        // (tracked above) asks again.
        if covered && last_query.with_value(|q| q.as_ref() == Some(&query)) {
            return;
        }
        last_query.set_value(Some(query.clone()));
        query.start = first_visible.saturating_sub(WINDOW_MARGIN_ROWS);
        query.len = visible + 2 * WINDOW_MARGIN_ROWS;
        sequence.update_value(|s| *s += 1);
        let mine = sequence.get_value();
        spawn_local(async move {
            let result = bridge::call(Request::QueryRuns { query }, None, |_| {}).await;
            if window.is_disposed() || sequence.get_value() != mine {
                return;
            }
            match result {
                Ok(Reply::Runs { window: w }) => {
                    error.set(None);
                    window.set(Some(w));
                }
                Ok(other) => error.set(Some(format!("unexpected reply: {other:?}"))),
                Err(e) => error.set(Some(format::error(&e))),
            }
        });
    });

    let shown_columns = Memo::new(move |_| {
        window.with(|w| w.as_ref().map(|w| w.columns.clone()).unwrap_or_default())
    });
    let template = move || {
        format!(
            "2.2rem 16rem repeat({}, 9rem)",
            shown_columns.with(Vec::len).saturating_sub(1)
        )
    };
    let sort_by = move |column: String| {
        sort.update(|keys| match keys.first() {
            Some(first) if first.column == column => {
                let descending = !first.descending;
                *keys = vec![SortKey { column, descending }];
            }
            _ => {
                *keys = vec![SortKey {
                    column,
                    descending: true,
                }]
            }
        });
    };
    let sort_mark = move |column: &str| {
        sort.with(|keys| match keys.first() {
            Some(first) if first.column == column => {
                if first.descending {
                    " ▼"
                } else {
                    " ▲"
                }
            }
            _ => "",
        })
    };

    view! {
        {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="runs-query-error">{e}</p> })}
        <Show when=move || picking_columns.get()>
            <ColumnPicker window columns />
        </Show>
        <p class="hint" data-testid="runs-count">
            {move || window.with(|w| w.as_ref().map(|w| format!(
                "{} of {} runs",
                format::count(w.matching as u64),
                format::count(w.total_runs as u64),
            )))}
        </p>
        <div
            class="grid-viewport runs-grid"
            data-testid="runs-table"
            style=format!("height:{VIEWPORT_HEIGHT_PX}px")
            on:scroll=move |ev| {
                let target: web_sys::Element = ev.target().expect("scroll has a target").unchecked_into();
                scroll_top.set(target.scroll_top() as f64);
            }
        >
            <div class="grid-header" style=move || format!("grid-template-columns:{}", template())>
                <div class="cell head">""</div>
                {move || shown_columns.get().into_iter().map(|column| {
                    let for_click = column.clone();
                    let for_mark = column.clone();
                    view! {
                        <button
                            class="cell head sortable"
                            data-testid="runs-sort"
                            data-column=column.clone()
                            on:click=move |_| sort_by(for_click.clone())
                        >
                            {column.clone()}
                            {move || sort_mark(&for_mark)}
                        </button>
                    }
                }).collect_view()}
            </div>
            <div
                class="grid-body"
                style=move || format!(
                    "height:{}px",
                    window.with(|w| w.as_ref().map_or(0, |w| w.matching)) as f64 * ROW_HEIGHT_PX,
                )
            >
                {move || window.get().map(|w| {
                    let template = template();
                    w.rows.into_iter().enumerate().map(|(i, row)| {
                        let index = w.start + i;
                        let run_id = row.run_id.clone();
                        let for_check = run_id.clone();
                        let for_change = run_id.clone();
                        let for_open = run_id.clone();
                        let mut cells = row.cells.into_iter();
                        let name = match cells.next() {
                            Some(Cell::Text(text)) => text,
                            Some(Cell::Number(n)) => n.to_string(),
                            _ => run_id.clone(),
                        };
                        let candidate = row.kind == RunKind::Candidate;
                        view! {
                            <div
                                class="grid-row run-row"
                                class:candidate=candidate
                                data-testid="run-row"
                                data-run-id=run_id.clone()
                                style=format!("top:{}px;grid-template-columns:{}", index as f64 * ROW_HEIGHT_PX, template)
                            >
                                <div class="cell">
                                    <input
                                        type="checkbox"
                                        data-testid="run-select"
                                        aria-label="choose for comparison"
                                        prop:checked=move || selected.with(|s| s.contains(&for_check))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let id = for_change.clone();
                                            selected.update(|s| {
                                                s.retain(|r| *r != id);
                                                if on {
                                                    s.push(id);
                                                }
                                            });
                                        }
                                    />
                                </div>
                                <div class="cell">
                                    <button
                                        class="link"
                                        data-testid="run-open"
                                        title=name.clone()
                                        on:click=move |_| detail.set(Detail::Run(for_open.clone()))
                                    >
                                        {if candidate { format!("↳ {name}") } else { name.clone() }}
                                    </button>
                                </div>
                                {cells.map(|cell| view! { <div class="cell" data-testid="run-cell">{cell_text(&cell)}</div> }).collect_view()}
                            </div>
                        }
                    }).collect_view()
                })}
            </div>
        </div>
    }
}

/// `1 build`, `3 builds`.
fn plural(n: u64, noun: &str) -> String {
    format!(
        "{} {noun}{}",
        format::count(n),
        if n == 1 { "" } else { "s" }
    )
}

/// A table cell as text: numbers to four significant digits where they are fractions.
fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Missing => "—".to_string(),
        Cell::Number(n) => number(*n),
        Cell::Text(text) => text.clone(),
    }
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else if n.abs() >= 1000.0 {
        format!("{n:.1}")
    } else {
        format!("{n:.4}")
    }
}

/// Which columns the table shows: the name first, then any attribute or key the runs hold.
#[component]
fn ColumnPicker(
    window: RwSignal<Option<RunWindow>>,
    columns: RwSignal<Vec<String>>,
) -> impl IntoView {
    let choices = Memo::new(move |_| {
        let mut all: Vec<String> = compute::experiments::table::attribute_columns()
            .into_iter()
            .filter(|c| *c != "name")
            .map(str::to_string)
            .collect();
        window.with(|w| {
            if let Some(w) = w {
                all.extend(w.available_columns.iter().cloned());
            }
        });
        all
    });
    let shown = move || window.with(|w| w.as_ref().map(|w| w.columns.clone()).unwrap_or_default());
    view! {
        <fieldset class="column-picker" data-testid="column-picker">
            <legend>"Columns"</legend>
            {move || {
                let current = shown();
                choices.get().into_iter().map(|choice| {
                    let on = current.contains(&choice);
                    let for_change = choice.clone();
                    view! {
                        <label class="column-choice">
                            <input
                                type="checkbox"
                                data-testid="column-choice"
                                data-column=choice.clone()
                                prop:checked=on
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let mut next = shown();
                                    next.retain(|c| *c != for_change);
                                    if on {
                                        next.push(for_change.clone());
                                    }
                                    if !next.iter().any(|c| c == "name") {
                                        next.insert(0, "name".to_string());
                                    }
                                    columns.set(next);
                                }
                            />
                            {format!(" {choice}")}
                        </label>
                    }
                }).collect_view()
            }}
        </fieldset>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum LoadedRun {
    Loading,
    Ready(Box<RunRecord>),
    Failed(String),
}

/// One run: what it was, what it scored, how training went, what the Debugger found.
#[component]
fn RunView(run_id: String, on_close: Callback<()>, on_changed: Callback<()>) -> impl IntoView {
    let loaded = RwSignal::new(LoadedRun::Loading);
    {
        let run_id = run_id.clone();
        spawn_local(async move {
            let result = bridge::call(Request::GetRun { run_id }, None, |_| {}).await;
            loaded.try_set(match result {
                Ok(Reply::Run { run }) => LoadedRun::Ready(run),
                Ok(other) => LoadedRun::Failed(format!("unexpected reply: {other:?}")),
                Err(e) => LoadedRun::Failed(format::error(&e)),
            });
        });
    }
    view! {
        <section class="run-view" data-testid="run-view">
            <button class="close" data-testid="run-close" on:click=move |_| on_close.run(())>"Close"</button>
            {move || match loaded.get() {
                LoadedRun::Loading => view! { <p class="hint">"Reading the run…"</p> }.into_any(),
                LoadedRun::Failed(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                // The form already shows what was saved; redrawing it would lose its status.
                LoadedRun::Ready(run) => view! { <RunDetail run=*run on_saved=Callback::new(move |_: RunRecord| {
                    on_changed.run(());
                }) /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RunDetail(run: RunRecord, on_saved: Callback<RunRecord>) -> impl IntoView {
    let facts: Vec<(&str, String)> = vec![
        ("status", run.status.name().to_string()),
        ("kind", format!("{:?}", run.kind).to_lowercase()),
        ("started", format::date_time(run.started_at_ms)),
        ("duration", format!("{:.2} s", run.duration_secs)),
        (
            "dataset",
            run.dataset_name.clone().unwrap_or_else(|| "—".into()),
        ),
        (
            "dataset hash",
            run.dataset_content_hash
                .as_deref()
                .map(|h| h[..h.len().min(16)].to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        ("recipes", run.recipe_hashes.len().to_string()),
        ("seed", run.seed.map_or("—".into(), |s| s.to_string())),
        ("code version", run.code_version.clone()),
        (
            "artifacts",
            if run.artifacts.is_empty() {
                "—".to_string()
            } else {
                run.artifacts
                    .iter()
                    .map(|a| match &a.content_hash {
                        Some(hash) => format!("{} ({})", a.name, &hash[..hash.len().min(12)]),
                        None => a.name.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
        ("run id", run.run_id.clone()),
    ];
    // Learning curves: train and validation series of one quantity share a chart.
    let charts = curve_groups(&run);
    view! {
        <h2 data-testid="run-name">{run.name.clone()}</h2>
        <dl class="facts" data-testid="run-facts">
            {facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd data-testid="run-fact" data-key=k>{v}</dd> }).collect_view()}
        </dl>
        <div class="run-tables">
            <table class="kv" data-testid="run-params">
                <caption>"Parameters"</caption>
                {run.params.iter().map(|(k, v)| view! { <tr><th>{k.clone()}</th><td>{v.clone()}</td></tr> }).collect_view()}
            </table>
            <table class="kv" data-testid="run-metrics">
                <caption>"Metrics"</caption>
                {run.metrics.iter().map(|(k, v)| view! {
                    <tr data-testid="run-metric" data-key=k.clone()><th>{k.clone()}</th><td>{number(*v)}</td></tr>
                }).collect_view()}
            </table>
        </div>
        {(!charts.is_empty()).then(|| view! {
            <h3>"Training"</h3>
            <div class="chart-row" data-testid="run-curves">
                {charts.into_iter().map(|(title, series)| view! {
                    <LineChart series x_label="step".to_string() y_label=title.clone() caption=title />
                }).collect_view()}
            </div>
        })}
        <h3>"Debugger"</h3>
        <Findings findings=run.findings.clone() />
        <RunNotes run on_saved />
    }
}

/// The Debugger's findings, most severe first, each with its explanation and fix.
#[component]
pub fn Findings(findings: Vec<Finding>) -> impl IntoView {
    if findings.is_empty() {
        return view! {
            <p class="hint" data-testid="findings-none">
                "No rule fired: the Debugger found nothing to report about this training."
            </p>
        }
        .into_any();
    }
    view! {
        <ul class="findings" data-testid="findings">
            {findings
                .into_iter()
                .map(|finding| {
                    let severity = format!("{:?}", finding.severity).to_lowercase();
                    view! {
                        <li
                            class=format!("finding {severity}")
                            data-testid="finding"
                            data-rule=finding.rule.name()
                        >
                            <div class="finding-head">
                                <span class="rule">{finding.rule.name()}</span>
                                <span class="severity">{severity.clone()}</span>
                                {finding.step.map(|step| view! { <span class="muted">{format!("at iteration {step}")}</span> })}
                            </div>
                            <strong>{finding.title}</strong>
                            <p>{finding.explanation}</p>
                            <p class="suggestion">{format!("Try: {}", finding.suggestion)}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The run's histories grouped for charts: `train_x` and `validation_x` together, any other
/// key alone.
fn curve_groups(run: &RunRecord) -> Vec<(String, Vec<Series>)> {
    let mut groups: BTreeMap<String, Vec<Series>> = BTreeMap::new();
    for history in &run.history {
        let (group, dashed) = match history.key.strip_prefix("validation_") {
            Some(rest) => (rest.to_string(), true),
            None => (
                history
                    .key
                    .strip_prefix("train_")
                    .unwrap_or(&history.key)
                    .to_string(),
                false,
            ),
        };
        groups.entry(group).or_default().push(Series {
            name: history.key.clone(),
            points: history
                .steps
                .iter()
                .map(|s| (s.step as f64, s.value))
                .collect(),
            colour_index: usize::from(dashed),
            dashed,
        });
    }
    groups.into_iter().collect()
}

/// Tags and notes: the only parts of a run a person edits.
#[component]
fn RunNotes(run: RunRecord, on_saved: Callback<RunRecord>) -> impl IntoView {
    let tags = RwSignal::new(
        run.tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let notes = RwSignal::new(run.notes.clone());
    let status = RwSignal::new(None::<Result<String, String>>);
    let run_id = run.run_id.clone();
    let save = move |_| {
        let mut parsed = BTreeMap::new();
        for line in tags
            .get_untracked()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let Some((k, v)) = line.split_once('=') else {
                status.set(Some(Err(format!("Tag \"{line}\" is not name=value."))));
                return;
            };
            parsed.insert(k.trim().to_string(), v.trim().to_string());
        }
        let request = Request::UpdateRun {
            run_id: run_id.clone(),
            tags: parsed,
            notes: notes.get_untracked(),
        };
        spawn_local(async move {
            match bridge::call(request, None, |_| {}).await {
                Ok(Reply::Run { run }) => {
                    status.try_set(Some(Ok("Saved.".into())));
                    on_saved.run(*run);
                }
                Ok(other) => {
                    status.try_set(Some(Err(format!("unexpected reply: {other:?}"))));
                }
                Err(e) => {
                    status.try_set(Some(Err(format::error(&e))));
                }
            }
        });
    };
    view! {
        <div class="run-notes">
            <label>
                "Tags (one name=value per line)"
                <textarea data-testid="run-tags" rows=3 prop:value=move || tags.get() on:input=move |ev| tags.set(event_target_value(&ev)) />
            </label>
            <label>
                "Notes"
                <textarea data-testid="run-notes" rows=3 prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev)) />
            </label>
            <button data-testid="run-save" on:click=save>"Save tags and notes"</button>
            {move || status.get().map(|s| match s {
                Ok(m) => view! { <span class="hint" data-testid="run-saved">{m}</span> }.into_any(),
                Err(m) => view! { <span class="error" role="alert" data-testid="run-save-error">{m}</span> }.into_any(),
            })}
        </div>
    }
}

/// 2–20 runs side by side.
#[component]
fn CompareView(run_ids: Vec<String>, on_close: Callback<()>) -> impl IntoView {
    let comparison = RwSignal::new(None::<Result<Comparison, String>>);
    let view_choice = RwSignal::new(HistoryView::Final);
    let scatter_axes = RwSignal::new(None::<ScatterAxes>);
    let only_differences = RwSignal::new(false);
    let bar_metric = RwSignal::new(None::<String>);
    let curve_key = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let options = CompareOptions {
            view: view_choice.get(),
            scatter: scatter_axes.get(),
        };
        let request = Request::CompareRuns {
            run_ids: run_ids.clone(),
            options,
        };
        spawn_local(async move {
            let result = bridge::call(request, None, |_| {}).await;
            comparison.try_set(Some(match result {
                Ok(Reply::Comparison { comparison }) => Ok(comparison),
                Ok(other) => Err(format!("unexpected reply: {other:?}")),
                Err(e) => Err(format::error(&e)),
            }));
        });
    });

    view! {
        <section class="compare-view" data-testid="compare-view">
            <button class="close" data-testid="compare-close" on:click=move |_| on_close.run(())>"Close"</button>
            <h2>"Compare runs"</h2>
            {move || match comparison.get() {
                None => view! { <p class="hint">"Comparing…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="error" role="alert" data-testid="compare-error">{message}</p> }.into_any(),
                Some(Ok(c)) => {
                    let legend: Vec<(String, usize)> = c.runs.iter().enumerate().map(|(i, r)| (r.name.clone(), i)).collect();
                    let metric_keys: Vec<String> = c.metrics.iter().map(|m| m.key.clone()).collect();
                    let param_keys: Vec<String> = c.params.iter().map(|p| p.key.clone()).collect();
                    let chosen_metric = bar_metric.get().filter(|m| metric_keys.contains(m)).or_else(|| metric_keys.first().cloned());
                    let bars: Vec<(String, f64)> = chosen_metric.as_ref().and_then(|key| c.metrics.iter().find(|m| &m.key == key)).map(|row| {
                        c.runs.iter().zip(&row.values).filter_map(|(r, v)| v.map(|v| (r.name.clone(), v))).collect()
                    }).unwrap_or_default();
                    let curve_keys: Vec<String> = c.curves.iter().map(|k| k.key.clone()).collect();
                    let chosen_curve = curve_key.get().filter(|k| curve_keys.contains(k)).or_else(|| curve_keys.first().cloned());
                    let curve_series: Vec<Series> = chosen_curve.as_ref().and_then(|key| c.curves.iter().find(|k| &k.key == key)).map(|set| {
                        c.runs.iter().enumerate().map(|(i, r)| Series {
                            name: r.name.clone(),
                            points: set.steps.iter().zip(&set.values[i]).filter_map(|(s, v)| v.map(|v| (*s as f64, v))).collect(),
                            colour_index: i,
                            dashed: false,
                        }).filter(|s| !s.points.is_empty()).collect()
                    }).unwrap_or_default();
                    let axes: Vec<crate::charts::Axis> = c.parallel_coordinates.iter().map(|a| crate::charts::Axis {
                        name: a.key.clone(),
                        kind: match &a.scale {
                            compute::experiments::compare::AxisScale::Numeric { min, max } => AxisKind::Numeric { min: *min, max: *max },
                            compute::experiments::compare::AxisScale::Categorical { categories } => AxisKind::Categorical { categories: categories.clone() },
                        },
                    }).collect();
                    let lines: Vec<PcLine> = c.runs.iter().enumerate().map(|(i, r)| PcLine {
                        name: r.name.clone(),
                        colour_index: i,
                        values: c.parallel_coordinates.iter().map(|a| a.positions[i]).collect(),
                    }).collect();
                    let scatter = c.scatter.clone();
                    let only = only_differences.get();
                    let current_view = c.view;
                    let runs = c.runs.clone();
                    view! {
                        <Legend items=legend />
                        <label>
                            <input type="checkbox" data-testid="compare-only-differences"
                                prop:checked=only
                                on:change=move |ev| only_differences.set(event_target_checked(&ev)) />
                            " Only differences"
                        </label>
                        <div class="compare-table-wrap">
                            <table class="compare-table" data-testid="compare-table">
                                <thead>
                                    <tr>
                                        <th></th>
                                        {runs.iter().enumerate().map(|(i, r)| view! {
                                            <th data-testid="compare-run" style=format!("border-top:3px solid {}", series_colour(i))>{r.name.clone()}</th>
                                        }).collect_view()}
                                    </tr>
                                </thead>
                                <tbody>
                                    {compare_section("Attributes", c.attributes.iter().filter(|r| !only || r.differs).map(|r| (r.key.clone(), r.differs, r.values.iter().map(|v| v.clone().unwrap_or_else(|| "—".into())).collect())).collect())}
                                    {compare_section("Parameters", c.params.iter().filter(|r| !only || r.differs).map(|r| (r.key.clone(), r.differs, r.values.iter().map(|v| v.clone().unwrap_or_else(|| "—".into())).collect())).collect())}
                                    {compare_section("Metrics", c.metrics.iter().filter(|r| !only || r.differs).map(|r| (r.key.clone(), r.differs, r.values.iter().map(|v| v.map_or("—".into(), number)).collect())).collect())}
                                </tbody>
                            </table>
                        </div>
                        <div class="compare-controls">
                            <label>
                                "Metric "
                                <select data-testid="compare-metric" on:change=move |ev| bar_metric.set(Some(event_target_value(&ev)))>
                                    {metric_keys.iter().map(|k| view! { <option value=k.clone() selected=chosen_metric.as_ref() == Some(k)>{k.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label>
                                "Value "
                                <select data-testid="compare-view-choice" on:change=move |ev| view_choice.set(match event_target_value(&ev).as_str() {
                                    "min" => HistoryView::Min,
                                    "max" => HistoryView::Max,
                                    "step" => HistoryView::AtStep(0),
                                    _ => HistoryView::Final,
                                })>
                                    <option value="final" selected=matches!(current_view, HistoryView::Final)>"final"</option>
                                    <option value="min" selected=matches!(current_view, HistoryView::Min)>"min over steps"</option>
                                    <option value="max" selected=matches!(current_view, HistoryView::Max)>"max over steps"</option>
                                    <option value="step" selected=matches!(current_view, HistoryView::AtStep(_))>"at step"</option>
                                </select>
                            </label>
                            {match current_view {
                                HistoryView::AtStep(step) => Some(view! {
                                    <label>
                                        "Step "
                                        <input
                                            class="short"
                                            type="number"
                                            min="0"
                                            data-testid="compare-step"
                                            prop:value=step.to_string()
                                            on:change=move |ev| {
                                                if let Ok(step) = event_target_value(&ev).trim().parse::<u64>() {
                                                    view_choice.set(HistoryView::AtStep(step));
                                                }
                                            }
                                        />
                                    </label>
                                }),
                                _ => None,
                            }}

                        </div>
                        <div class="chart-row">
                            <BarChart bars value_label=chosen_metric.clone().unwrap_or_default() caption=format!("{} per run", chosen_metric.clone().unwrap_or_default()) />
                            {(!curve_keys.is_empty()).then(|| view! {
                                <div>
                                    <label>
                                        "Curve "
                                        <select data-testid="compare-curve" on:change=move |ev| curve_key.set(Some(event_target_value(&ev)))>
                                            {curve_keys.iter().map(|k| view! { <option value=k.clone() selected=chosen_curve.as_ref() == Some(k)>{k.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <LineChart series=curve_series x_label="step".to_string() y_label=chosen_curve.clone().unwrap_or_default() caption=format!("{} by step", chosen_curve.clone().unwrap_or_default()) />
                                </div>
                            })}
                        </div>
                        {(!axes.is_empty()).then(|| view! {
                            <ParallelCoordinates axes lines caption="Parameters that differ and every metric, one line per run".to_string() />
                        })}
                        <div class="compare-controls">
                            <label>
                                "Scatter: parameter "
                                <select data-testid="compare-scatter-param" on:change={
                                    let metric_keys = metric_keys.clone();
                                    move |ev| {
                                        let param = event_target_value(&ev);
                                        let metric = scatter_axes.get_untracked().map(|a| a.metric).or_else(|| metric_keys.first().cloned()).unwrap_or_default();
                                        scatter_axes.set((!param.is_empty()).then_some(ScatterAxes { param, metric }));
                                    }
                                }>
                                    <option value="">"— choose —"</option>
                                    {param_keys.iter().map(|k| view! { <option value=k.clone() selected=scatter.as_ref().is_some_and(|s| &s.param == k)>{k.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label>
                                " against metric "
                                <select data-testid="compare-scatter-metric" on:change=move |ev| {
                                    let metric = event_target_value(&ev);
                                    scatter_axes.update(|a| if let Some(a) = a { a.metric = metric; });
                                }>
                                    {metric_keys.iter().map(|k| view! { <option value=k.clone() selected=scatter.as_ref().is_some_and(|s| &s.metric == k)>{k.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                        </div>
                        {scatter.map(|s| {
                            let series: Vec<Series> = s.points.iter().map(|p| Series {
                                name: runs[p.run].name.clone(),
                                points: vec![(p.x, p.y)],
                                colour_index: p.run,
                                dashed: false,
                            }).collect();
                            view! { <LineChart series x_label=s.param.clone() y_label=s.metric.clone() caption=format!("{} against {}", s.metric, s.param) /> }
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}

fn compare_section(title: &'static str, rows: Vec<(String, bool, Vec<String>)>) -> impl IntoView {
    view! {
        <tr class="section"><th colspan="99">{title}</th></tr>
        {rows.into_iter().map(|(key, differs, values)| {
            let label = key.clone();
            view! {
            <tr class:differs=differs data-testid="compare-row" data-key=key.clone() data-differs=differs.to_string()>
                <th>{label}</th>
                {values.into_iter().map(|v| view! { <td>{v}</td> }).collect_view()}
            </tr>
        }}).collect_view()}
    }
}

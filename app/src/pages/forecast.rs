//! The Forecast page (Canvas for time series): choose a dataset version, its time column, target, optional item column and covariates and a horizon; fit in a worker (progress, cancel); list the stored forecast models; show one with its chart (history, forecast, P10–P90 band), backtest leaderboard and a what-if on future covariates.
//!
//! The page only asks and shows: frequency detection, the backtest, the intervals and every
//! what-if forecast run in a worker.

use compute::forecast::{ForecastMetrics, ForecastOptions, ForecastPoint, ItemReport};
use compute::protocol::{ErrorKind, ForecastSummary, Progress, Reply, Request, RequestId};
use compute::records::{DatasetRecord, ForecastRecord};
use compute::schema::ColumnType;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::bridge;
use crate::charts::ForecastChart;
use crate::format;

/// A forecast job in flight.
#[derive(Clone, Debug, PartialEq)]
struct FitJob {
    request_id: RequestId,
    stage: String,
    fraction: f64,
    started_ms: f64,
}

#[derive(Clone, Copy)]
struct ForecastState {
    datasets: RwSignal<Vec<DatasetRecord>>,
    forecasts: RwSignal<Vec<ForecastSummary>>,
    selected: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    job: RwSignal<Option<FitJob>>,
    fit_error: RwSignal<Option<String>>,
}

impl ForecastState {
    fn refresh(self) {
        spawn_local(async move {
            let datasets = bridge::call(Request::ListDatasets, None, |_| {}).await;
            let forecasts = bridge::call(Request::ListForecasts, None, |_| {}).await;
            if self.forecasts.is_disposed() {
                return;
            }
            match datasets {
                Ok(Reply::Datasets { datasets }) => self.datasets.set(datasets),
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => self.notice.set(Some(format::error(&error))),
            }
            match forecasts {
                Ok(Reply::Forecasts { forecasts }) => {
                    if let Some(id) = self.selected.get_untracked() {
                        if !forecasts.iter().any(|f| f.forecast_id == id) {
                            self.selected.set(None);
                        }
                    }
                    self.forecasts.set(forecasts);
                }
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => self.notice.set(Some(format::error(&error))),
            }
        });
    }

    fn import(self, file: web_sys::File) {
        let file_name = file.name();
        spawn_local(async move {
            let request = Request::ImportForecast { file_name };
            let result = bridge::call(request, Some(file.into()), |_| {}).await;
            if self.forecasts.is_disposed() {
                return;
            }
            match result {
                Ok(Reply::Forecast { forecast }) => {
                    self.selected.set(Some(forecast.forecast_id.clone()));
                    self.refresh();
                }
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => self.notice.set(Some(format::error(&error))),
            }
        });
    }

    fn fit(self, dataset_id: String, name: String, options: ForecastOptions, horizon: u64) {
        let pool = match bridge::pool() {
            Ok(pool) => pool,
            Err(error) => {
                self.fit_error.set(Some(format::error(&error)));
                return;
            }
        };
        let request_id = pool.next_request_id();
        self.fit_error.set(None);
        self.job.set(Some(FitJob {
            request_id,
            stage: "starting".into(),
            fraction: 0.0,
            started_ms: js_sys::Date::now(),
        }));
        let job = self.job;
        let on_progress = move |p: Progress| {
            job.try_update(|job| {
                if let Some(job) = job.as_mut().filter(|j| j.request_id == request_id) {
                    job.fraction = p.fraction();
                    job.stage = p.stage;
                }
            });
        };
        spawn_local(async move {
            let request = Request::TrainForecast {
                dataset_id,
                name,
                options,
                horizon,
            };
            let result = pool.request(request_id, request, None, on_progress).await;
            if job.is_disposed() {
                return;
            }
            job.set(None);
            match result {
                Ok(Reply::Forecast { forecast }) => {
                    self.selected.set(Some(forecast.forecast_id.clone()));
                    self.refresh();
                }
                Ok(other) => self
                    .fit_error
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) if error.kind == ErrorKind::Cancelled => {}
                Err(error) => self.fit_error.set(Some(format::error(&error))),
            }
        });
    }
}

fn is_time(column_type: ColumnType) -> bool {
    matches!(column_type, ColumnType::Date | ColumnType::Datetime)
}

fn is_number(column_type: ColumnType) -> bool {
    matches!(column_type, ColumnType::Integer | ColumnType::Float)
}

fn metric_text(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.4}"),
        _ => "—".to_string(),
    }
}

#[component]
pub fn ForecastPage() -> impl IntoView {
    let state = ForecastState {
        datasets: RwSignal::new(Vec::new()),
        forecasts: RwSignal::new(Vec::new()),
        selected: RwSignal::new(None),
        notice: RwSignal::new(None),
        job: RwSignal::new(None),
        fit_error: RwSignal::new(None),
    };
    state.refresh();
    view! {
        <section class="forecast-page">
            <h1>"Forecast a time series"</h1>
            {move || {
                state
                    .notice
                    .get()
                    .map(|text| {
                        view! {
                            <p class="notice" role="alert" data-testid="forecast-notice">
                                {text}
                                <button on:click=move |_| state.notice.set(None)>"Dismiss"</button>
                            </p>
                        }
                    })
            }}
            <FitForm state=state />
            <FitJobView state=state />
            <ForecastList state=state />
            {move || {
                state.selected.get().map(|id| view! { <ForecastLoader forecast_id=id state=state /> })
            }}
        </section>
    }
}

#[component]
fn FitForm(state: ForecastState) -> impl IntoView {
    let dataset_id = RwSignal::new(String::new());
    let time_column = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let item_column = RwSignal::new(String::new());
    let covariates = RwSignal::new(Vec::<String>::new());
    let horizon = RwSignal::new(String::from("12"));
    let season = RwSignal::new(String::new());
    let seed = RwSignal::new(String::from("0"));
    let name = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);

    let columns = Memo::new(move |_| {
        let id = dataset_id.get();
        state.datasets.with(|datasets| {
            datasets
                .iter()
                .find(|d| d.dataset_id == id)
                .map(|d| {
                    d.columns
                        .iter()
                        .map(|c| (c.name.clone(), c.column_type))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let choose_dataset = move |id: String| {
        dataset_id.set(id);
        covariates.set(Vec::new());
        item_column.set(String::new());
        // The first time column and the first number after it are the likely choice.
        let cols = columns.get_untracked();
        let time = cols
            .iter()
            .find(|(_, t)| is_time(*t))
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        let value = cols
            .iter()
            .rev()
            .find(|(_, t)| is_number(*t))
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        time_column.set(time);
        target.set(value);
    };
    let options_of = move |kind: fn(ColumnType) -> bool| {
        columns
            .get()
            .into_iter()
            .filter(move |(_, t)| kind(*t))
            .map(|(n, _)| view! { <option value=n.clone()>{n.clone()}</option> })
            .collect_view()
    };

    let submit = move || {
        form_error.set(None);
        let dataset = dataset_id.get_untracked();
        let (time, value) = (time_column.get_untracked(), target.get_untracked());
        if dataset.is_empty() || time.is_empty() || value.is_empty() {
            form_error.set(Some(
                "Choose a dataset, its time column and the column to forecast.".into(),
            ));
            return;
        }
        let steps = match horizon.get_untracked().trim().parse::<u64>() {
            Ok(steps) if steps > 0 => steps,
            _ => {
                form_error.set(Some(format!(
                    "The horizon \"{}\" is not a whole number of steps above 0.",
                    horizon.get_untracked()
                )));
                return;
            }
        };
        let season_length = match season.get_untracked().trim() {
            "" | "auto" => None,
            text => match text.parse::<usize>() {
                Ok(m) if m > 0 => Some(m),
                _ => {
                    form_error.set(Some(format!(
                        "The season length \"{text}\" is not a whole number above 0 (leave it empty to detect it)."
                    )));
                    return;
                }
            },
        };
        let Ok(seed_value) = seed.get_untracked().trim().parse::<u64>() else {
            form_error.set(Some(format!(
                "The seed \"{}\" is not a whole number of 0 or more.",
                seed.get_untracked()
            )));
            return;
        };
        let item = item_column.get_untracked();
        let mut options = ForecastOptions::new(time.clone(), value.clone());
        options.item_column = (!item.is_empty()).then_some(item.clone());
        options.covariates = covariates
            .get_untracked()
            .into_iter()
            .filter(|c| *c != value && *c != time && *c != item)
            .collect();
        options.season_length = season_length;
        options.seed = seed_value;
        state.fit(dataset, name.get_untracked(), options, steps);
    };

    view! {
        <section class="train-form" data-testid="forecast-form">
            <h2>"New forecast"</h2>
            <div class="form-grid">
                <label>
                    "Dataset "
                    <select
                        data-testid="forecast-dataset"
                        prop:value=move || dataset_id.get()
                        on:change=move |ev| choose_dataset(event_target_value(&ev))
                    >
                        <option value="">"— choose —"</option>
                        <For
                            each=move || state.datasets.get()
                            key=|d| (d.dataset_id.clone(), d.name.clone())
                            children=move |d| {
                                view! {
                                    <option value=d.dataset_id.clone()>
                                        {format!("{} ({} rows)", d.name, format::count(d.n_rows))}
                                    </option>
                                }
                            }
                        />
                    </select>
                </label>
                <label>
                    "Time column "
                    <select
                        data-testid="forecast-time"
                        prop:value=move || time_column.get()
                        on:change=move |ev| time_column.set(event_target_value(&ev))
                    >
                        <option value="">"— choose —"</option>
                        {move || options_of(is_time)}
                    </select>
                </label>
                <label>
                    "Column to forecast "
                    <select
                        data-testid="forecast-target"
                        prop:value=move || target.get()
                        on:change=move |ev| target.set(event_target_value(&ev))
                    >
                        <option value="">"— choose —"</option>
                        {move || options_of(is_number)}
                    </select>
                </label>
                <label title="A column naming the series each row belongs to (a store, a product); one forecast per series">
                    "Item column "
                    <select
                        data-testid="forecast-item"
                        prop:value=move || item_column.get()
                        on:change=move |ev| item_column.set(event_target_value(&ev))
                    >
                        <option value="">"none (one series)"</option>
                        {move || {
                            options_of(|t| {
                                matches!(
                                    t,
                                    ColumnType::String | ColumnType::Categorical | ColumnType::Integer
                                )
                            })
                        }}
                    </select>
                </label>
                <label title="Steps to forecast after the history, in the series' own frequency">
                    "Horizon (steps) "
                    <input
                        type="number"
                        min="1"
                        data-testid="forecast-horizon"
                        prop:value=move || horizon.get()
                        on:input=move |ev| horizon.set(event_target_value(&ev))
                    />
                </label>
                <label title="Empty: detected from the frequency and confirmed by autocorrelation">
                    "Season length "
                    <input
                        type="text"
                        placeholder="auto"
                        data-testid="forecast-season"
                        prop:value=move || season.get()
                        on:input=move |ev| season.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Seed "
                    <input
                        type="number"
                        min="0"
                        data-testid="forecast-seed"
                        prop:value=move || seed.get()
                        on:input=move |ev| seed.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Name "
                    <input
                        type="text"
                        placeholder="target from dataset"
                        data-testid="forecast-name"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
            </div>
            {move || {
                let value = target.get();
                let time = time_column.get();
                let item = item_column.get();
                let choices: Vec<String> = columns
                    .get()
                    .into_iter()
                    .filter(|(n, t)| is_number(*t) && *n != value && *n != time && *n != item)
                    .map(|(n, _)| n)
                    .collect();
                (!choices.is_empty())
                    .then(|| {
                        view! {
                            <fieldset class="columns" data-testid="forecast-covariates">
                                <legend>
                                    "Covariates (known ahead for the future too; the boosting models read them)"
                                </legend>
                                {choices
                                    .into_iter()
                                    .map(|column| {
                                        let for_check = column.clone();
                                        let for_change = column.clone();
                                        let data_column = column.clone();
                                        view! {
                                            <label class="column-choice" data-testid="forecast-covariate" data-column=data_column>
                                                <input
                                                    type="checkbox"
                                                    prop:checked=move || covariates.with(|c| c.contains(&for_check))
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        let name = for_change.clone();
                                                        covariates.update(|c| {
                                                            c.retain(|x| *x != name);
                                                            if on {
                                                                c.push(name);
                                                            }
                                                        });
                                                    }
                                                />
                                                {column}
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                        }
                    })
            }}
            <button
                class="primary"
                data-testid="forecast-train"
                disabled=move || state.job.with(Option::is_some)
                on:click=move |_| submit()
            >
                "Forecast"
            </button>
            {move || form_error.get().map(|text| view! { <p class="error" role="alert" data-testid="forecast-form-error">{text}</p> })}
            {move || state.fit_error.get().map(|text| view! { <p class="error" role="alert" data-testid="forecast-error">{text}</p> })}
        </section>
    }
}

#[component]
fn FitJobView(state: ForecastState) -> impl IntoView {
    move || {
        state.job.get().map(|job| {
            let request_id = job.request_id;
            let elapsed = (js_sys::Date::now() - job.started_ms) / 1000.0;
            view! {
                <div class="job" data-testid="forecast-job">
                    <span class="job-name">"Forecasting"</span>
                    <progress max="1" value=job.fraction data-testid="forecast-progress"></progress>
                    <span class="job-stage">
                        {format!("{} · {:.0}% · {elapsed:.0} s", job.stage, job.fraction * 100.0)}
                    </span>
                    <button
                        data-testid="forecast-cancel"
                        on:click=move |_| {
                            if let Ok(pool) = bridge::pool() {
                                pool.cancel(request_id);
                            }
                        }
                    >
                        "Cancel"
                    </button>
                </div>
            }
        })
    }
}

/// The chosen method's backtest metrics of a series.
fn best_metrics(item: &ItemReport) -> Option<ForecastMetrics> {
    item.leaderboard
        .iter()
        .find(|row| row.rank == Some(1))
        .and_then(|row| row.backtest)
}

#[component]
fn ForecastList(state: ForecastState) -> impl IntoView {
    view! {
        <section class="models">
            <h2>"Forecast models"</h2>
            <table class="model-list" data-testid="forecast-list">
                <thead>
                    <tr>
                        <th>"Name"</th>
                        <th>"Dataset"</th>
                        <th>"Target"</th>
                        <th>"Series"</th>
                        <th>"Best method"</th>
                        <th class="num">"Backtest MAE"</th>
                        <th class="num">"Horizon"</th>
                        <th>"Created"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || state.forecasts.get()
                        key=|f| (f.forecast_id.clone(), f.name.clone())
                        children=move |f| {
                            let id = f.forecast_id.clone();
                            let id_for_class = f.forecast_id.clone();
                            view! {
                                <tr
                                    data-testid="forecast-row"
                                    class:selected=move || state.selected.get().as_deref() == Some(id_for_class.as_str())
                                    on:click=move |_| state.selected.set(Some(id.clone()))
                                >
                                    <td data-testid="forecast-row-name">
                                        {f.name.clone()}
                                        <span class="muted">
                                            {f.imported_from.clone().map(|file| format!(" (imported from {file})"))}
                                        </span>
                                    </td>
                                    <td>{f.dataset_name.clone()}</td>
                                    <td>{f.target.clone()}</td>
                                    <td class="num">{f.n_series}</td>
                                    <td><code>{f.best_label.clone()}</code></td>
                                    <td class="num">{metric_text(f.backtest_mae)}</td>
                                    <td class="num">{f.horizon}</td>
                                    <td>{format::date_time(f.created_at_ms)}</td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
            <Show when=move || state.forecasts.with(|f| f.is_empty())>
                <p class="empty" data-testid="no-forecasts">
                    "No forecasts yet. Choose a dataset with a date column and a number to forecast, then Forecast."
                </p>
            </Show>
            <label class="button">
                "Import a forecast model file"
                <input
                    type="file"
                    class="hidden-input"
                    accept=".json,application/json"
                    data-testid="forecast-import-input"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            state.import(file);
                        }
                        input.set_value("");
                    }
                />
            </label>
        </section>
    }
}

/// A batch forecast of a CSV of future rows, as it goes.
#[derive(Clone, Debug, PartialEq)]
enum BatchState {
    Idle,
    Running {
        request_id: RequestId,
        file_name: String,
    },
    Done {
        file_name: String,
        n_rows: u64,
        size_bytes: u64,
        warnings: Vec<String>,
    },
    Failed(String),
}

/// Upload a CSV of future rows; download it with the forecasts beside each row.
#[component]
fn BatchForecast(forecast_id: String, columns: String) -> impl IntoView {
    let state = RwSignal::new(BatchState::Idle);
    let start = move |file: web_sys::File| {
        let pool = match bridge::pool() {
            Ok(pool) => pool,
            Err(error) => return state.set(BatchState::Failed(format::error(&error))),
        };
        let request_id = pool.next_request_id();
        let file_name = file.name();
        state.set(BatchState::Running {
            request_id,
            file_name: file_name.clone(),
        });
        let forecast_id = forecast_id.clone();
        spawn_local(async move {
            let request = Request::ForecastCsv {
                forecast_id,
                file_name,
            };
            let result = pool
                .request_with_bytes(request_id, request, Some(file.into()), |_| {})
                .await;
            if state.is_disposed() {
                return;
            }
            state.set(match result {
                Ok((
                    Reply::ForecastedCsv {
                        file_name,
                        n_rows,
                        size_bytes,
                        warnings,
                        ..
                    },
                    Some(buffer),
                )) => {
                    crate::download::offer(&file_name, "text/csv", &[buffer.into()]);
                    BatchState::Done {
                        file_name,
                        n_rows,
                        size_bytes,
                        warnings,
                    }
                }
                Ok((other, _)) => BatchState::Failed(format!("unexpected reply: {other:?}")),
                Err(error) if error.kind == ErrorKind::Cancelled => BatchState::Idle,
                Err(error) => BatchState::Failed(format::error(&error)),
            });
        });
    };
    view! {
        <section class="batch" data-testid="forecast-batch">
            <h3>"Forecast a file of future rows"</h3>
            <p class="muted">
                {format!("A CSV with {columns}, one row per future time step to forecast; it comes back with prediction, p10, p50 and p90 beside each row.")}
            </p>
            <label class="button">
                "Choose a CSV"
                <input
                    type="file"
                    class="hidden-input"
                    accept=".csv,.tsv,text/csv"
                    data-testid="forecast-batch-input"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            start(file);
                        }
                        input.set_value("");
                    }
                />
            </label>
            {move || match state.get() {
                BatchState::Idle => ().into_any(),
                BatchState::Running { request_id, file_name } => view! {
                    <span data-testid="forecast-batch-running">{format!("Forecasting {file_name}… ")}</span>
                    <button on:click=move |_| {
                        if let Ok(pool) = bridge::pool() {
                            pool.cancel(request_id);
                        }
                    }>"Cancel"</button>
                }
                .into_any(),
                BatchState::Done { file_name, n_rows, size_bytes, warnings } => view! {
                    <p data-testid="forecast-batch-done">
                        {format!("Downloaded {file_name}: {} rows, {}.", format::count(n_rows), format::bytes(size_bytes))}
                    </p>
                    {warnings.into_iter().map(|w| view! { <p class="muted">{w}</p> }).collect_view()}
                }
                .into_any(),
                BatchState::Failed(text) => view! {
                    <p class="error" role="alert" data-testid="forecast-batch-error">{text}</p>
                }
                .into_any(),
            }}
        </section>
    }
}

/// Reads one stored forecast model whole (the list holds summaries) and shows it.
#[component]
fn ForecastLoader(forecast_id: String, state: ForecastState) -> impl IntoView {
    let loaded = RwSignal::new(None::<Result<ForecastRecord, String>>);
    spawn_local(async move {
        let result = bridge::call(Request::GetForecast { forecast_id }, None, |_| {}).await;
        if loaded.is_disposed() {
            return;
        }
        loaded.set(Some(match result {
            Ok(Reply::Forecast { forecast }) => Ok(*forecast),
            Ok(other) => Err(format!("unexpected reply: {other:?}")),
            Err(error) => Err(format::error(&error)),
        }));
    });
    move || match loaded.get() {
        None => view! { <p class="muted">"Loading the forecast…"</p> }.into_any(),
        Some(Ok(record)) => view! { <ForecastView record=record state=state /> }.into_any(),
        Some(Err(text)) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
    }
}

/// One stored forecast model: its chart, backtest, warnings, what-if and delete.
#[component]
fn ForecastView(record: ForecastRecord, state: ForecastState) -> impl IntoView {
    let item_index = RwSignal::new(0usize);
    let what_if = RwSignal::new(None::<Vec<ForecastPoint>>);
    let what_if_error = RwSignal::new(None::<String>);
    let confirm_delete = RwSignal::new(false);
    let record = StoredValue::new(record);
    let covariate_names = record.with_value(|r| r.options.covariates.clone());
    // One text per covariate: a single value for every future step, or one per step
    // separated by commas.
    let covariate_texts = RwSignal::new(vec![String::new(); covariate_names.len()]);
    let item = Memo::new(move |_| {
        let index = item_index.get();
        record.with_value(|r| r.report.items.get(index).cloned())
    });

    let run_what_if = move || {
        what_if_error.set(None);
        let Some(current) = item.get_untracked() else {
            return;
        };
        let horizon = current.forecast.len();
        let names = record.with_value(|r| r.options.covariates.clone());
        let mut covariates = Vec::with_capacity(names.len());
        for (name, text) in names.iter().zip(covariate_texts.get_untracked()) {
            let parts: Vec<&str> = text.split(',').map(str::trim).collect();
            let parse = |s: &str| -> Result<Option<f64>, String> {
                if s.is_empty() {
                    return Ok(None);
                }
                s.parse::<f64>()
                    .map(Some)
                    .map_err(|_| format!("Covariate \"{name}\": \"{s}\" is not a number."))
            };
            let values = if parts.len() == 1 {
                match parse(parts[0]) {
                    Ok(v) => vec![v; horizon],
                    Err(e) => return what_if_error.set(Some(e)),
                }
            } else if parts.len() == horizon {
                match parts
                    .iter()
                    .map(|s| parse(s))
                    .collect::<Result<Vec<_>, _>>()
                {
                    Ok(v) => v,
                    Err(e) => return what_if_error.set(Some(e)),
                }
            } else {
                return what_if_error.set(Some(format!(
                    "Covariate \"{name}\": give one value for every step or {horizon} values separated by commas, not {}.",
                    parts.len()
                )));
            };
            covariates.push(values);
        }
        let forecast_id = record.with_value(|r| r.forecast_id.clone());
        let item = item_index.get_untracked() as u64;
        spawn_local(async move {
            let request = Request::WhatIfForecast {
                forecast_id,
                item,
                covariates,
            };
            let result = bridge::call(request, None, |_| {}).await;
            if what_if.is_disposed() {
                return;
            }
            match result {
                Ok(Reply::WhatIfForecast { points, .. }) => what_if.set(Some(points)),
                Ok(other) => what_if_error.set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => what_if_error.set(Some(format::error(&error))),
            }
        });
    };

    let delete = move || {
        let forecast_id = record.with_value(|r| r.forecast_id.clone());
        spawn_local(async move {
            let result = bridge::call(Request::DeleteForecast { forecast_id }, None, |_| {}).await;
            match result {
                Ok(_) => {
                    state.selected.set(None);
                    state.refresh();
                }
                Err(error) => state.notice.set(Some(format::error(&error))),
            }
        });
    };

    let r = record.get_value();
    let items = r.report.items.clone();
    let warnings: Vec<String> = r.report.warnings.iter().map(|w| w.to_string()).collect();
    let target = r.options.target.clone();
    let has_covariates = !covariate_names.is_empty();
    let batch_columns = {
        let mut names = vec![format!("\"{}\"", r.options.time_column)];
        names.extend(r.options.item_column.iter().map(|c| format!("\"{c}\"")));
        names.extend(covariate_names.iter().map(|c| format!("\"{c}\"")));
        names.join(", ")
    };
    let batch_id = r.forecast_id.clone();
    let export_error = RwSignal::new(None::<String>);
    let export_id = r.forecast_id.clone();
    let export = move |_| {
        crate::download::fetch_and_offer(
            Request::ExportForecast {
                forecast_id: export_id.clone(),
            },
            export_error,
        );
    };
    view! {
        <section class="model-view forecast-view" data-testid="forecast-view">
            <h2 data-testid="forecast-title">{r.name.clone()}</h2>
            <p class="muted">
                {format!(
                    "{} from {} · time column {} · {} rows · fitted in {:.1} s · model hash ",
                    r.options.target,
                    r.dataset_name,
                    r.options.time_column,
                    format::count(r.n_rows),
                    r.train_secs
                )}
                <code title=r.content_hash.clone()>{r.content_hash[..12.min(r.content_hash.len())].to_string()}</code>
                {r.run_id.clone().map(|run| view! { <span>{" · run "}<code>{run}</code></span> })}
                {r.imported_from.clone().map(|file| view! { <span data-testid="forecast-imported">{format!(" · imported from {file}")}</span> })}
            </p>
            {(items.len() > 1)
                .then(|| {
                    view! {
                        <label>
                            "Series "
                            <select
                                data-testid="forecast-item-select"
                                on:change=move |ev| {
                                    what_if.set(None);
                                    item_index.set(event_target_value(&ev).parse().unwrap_or(0));
                                }
                            >
                                {items
                                    .iter()
                                    .enumerate()
                                    .map(|(i, item)| {
                                        view! { <option value=i.to_string()>{item.item.clone().unwrap_or_default()}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                    }
                })}
            {(!warnings.is_empty())
                .then(|| {
                    view! {
                        <ul class="warnings" data-testid="forecast-warnings">
                            {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                        </ul>
                    }
                })}
            {move || {
                item.get()
                    .map(|item| {
                        let metrics = best_metrics(&item);
                        let target = target.clone();
                        view! {
                            <p data-testid="forecast-summary">
                                {format!(
                                    "{} series · {} points · season length {} · best by backtest: ",
                                    item.frequency.label(),
                                    format::count(item.n_history as u64),
                                    item.season_length
                                )}
                                <code data-testid="forecast-best">{item.best_label.clone()}</code>
                            </p>
                            <table class="scores" data-testid="forecast-metrics">
                                <thead>
                                    <tr><th>"mae"</th><th>"rmse"</th><th>"mape %"</th><th>"smape %"</th><th>"mase"</th></tr>
                                </thead>
                                <tbody>
                                    <tr>
                                        <td class="num" data-testid="forecast-mae">{metric_text(metrics.map(|m| m.mae))}</td>
                                        <td class="num">{metric_text(metrics.map(|m| m.rmse))}</td>
                                        <td class="num">{metric_text(metrics.and_then(|m| m.mape))}</td>
                                        <td class="num">{metric_text(metrics.map(|m| m.smape))}</td>
                                        <td class="num">{metric_text(metrics.and_then(|m| m.mase))}</td>
                                    </tr>
                                </tbody>
                            </table>
                            <p class="muted">"Rolling-origin backtest of the chosen method, pooled over its origins."</p>
                            {let (history, forecast) = (item.history.clone(), item.forecast.clone());
                            move || {
                                view! {
                                    <ForecastChart
                                        history=history.clone()
                                        forecast=forecast.clone()
                                        what_if=what_if.get()
                                        y_label=target.clone()
                                    />
                                }
                            }}
                            <h3>"Leaderboard"</h3>
                            <table class="leaderboard" data-testid="forecast-leaderboard">
                                <thead>
                                    <tr>
                                        <th>"Rank"</th>
                                        <th>"Method"</th>
                                        <th class="num">"mae"</th>
                                        <th class="num">"rmse"</th>
                                        <th class="num">"smape %"</th>
                                        <th class="num">"mase"</th>
                                        <th class="num">"Origins"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {item
                                        .leaderboard
                                        .iter()
                                        .map(|row| {
                                            let m = row.backtest;
                                            view! {
                                                <tr data-testid="forecast-candidate" class:best=row.rank == Some(1)>
                                                    <td>{row.rank.map_or("failed".to_string(), |r| r.to_string())}</td>
                                                    <td>
                                                        <code>{row.label.clone()}</code>
                                                        {row.failure.clone().map(|f| view! { <span class="muted">{format!(" — {f}")}</span> })}
                                                    </td>
                                                    <td class="num">{metric_text(m.map(|m| m.mae))}</td>
                                                    <td class="num">{metric_text(m.map(|m| m.rmse))}</td>
                                                    <td class="num">{metric_text(m.map(|m| m.smape))}</td>
                                                    <td class="num">{metric_text(m.and_then(|m| m.mase))}</td>
                                                    <td class="num">{row.n_origins}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                            <details>
                                <summary>"Forecast table"</summary>
                                <table data-testid="forecast-table">
                                    <thead>
                                        <tr><th>"Time"</th><th class="num">"P10"</th><th class="num">"P50"</th><th class="num">"P90"</th></tr>
                                    </thead>
                                    <tbody>
                                        {item
                                            .forecast
                                            .iter()
                                            .map(|p| {
                                                view! {
                                                    <tr data-testid="forecast-table-row">
                                                        <td>{p.timestamp.clone()}</td>
                                                        <td class="num">{format!("{:.2}", p.p10)}</td>
                                                        <td class="num">{format!("{:.2}", p.p50)}</td>
                                                        <td class="num">{format!("{:.2}", p.p90)}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </details>
                        }
                    })
            }}
            {has_covariates
                .then(|| {
                    view! {
                        <section class="what-if" data-testid="forecast-what-if-form">
                            <h3>"What if"</h3>
                            <p class="muted">
                                "Future values of the covariates: one number for every step, or one per step separated by commas. "
                                {move || {
                                    item.get()
                                        .filter(|item| !item.best.reads_covariates())
                                        .map(|item| format!(
                                            "The chosen method ({}) reads no covariates, so its forecast will not change.",
                                            item.best_label
                                        ))
                                }}
                            </p>
                            {covariate_names
                                .iter()
                                .enumerate()
                                .map(|(i, name)| {
                                    view! {
                                        <label>
                                            {format!("{name} ")}
                                            <input
                                                type="text"
                                                data-testid="forecast-what-if-input"
                                                data-column=name.clone()
                                                prop:value=move || covariate_texts.with(|t| t[i].clone())
                                                on:input=move |ev| {
                                                    let value = event_target_value(&ev);
                                                    covariate_texts.update(|t| t[i] = value);
                                                }
                                            />
                                        </label>
                                    }
                                })
                                .collect_view()}
                            <button data-testid="forecast-what-if-run" on:click=move |_| run_what_if()>
                                "Forecast with these values"
                            </button>
                            {move || what_if_error.get().map(|text| view! { <p class="error" role="alert" data-testid="forecast-what-if-error">{text}</p> })}
                            {move || {
                                what_if.get()
                                    .map(|points| {
                                        let total: f64 = points.iter().map(|p| p.p50).sum();
                                        view! {
                                            <p data-testid="forecast-what-if-result">
                                                {format!(
                                                    "What-if forecast: {} steps, P50 from {:.2} to {:.2} (sum {:.2})",
                                                    points.len(),
                                                    points.first().map_or(f64::NAN, |p| p.p50),
                                                    points.last().map_or(f64::NAN, |p| p.p50),
                                                    total
                                                )}
                                            </p>
                                        }
                                    })
                            }}
                        </section>
                    }
                })}
            <BatchForecast forecast_id=batch_id columns=batch_columns />
            <div class="actions">
                <button data-testid="forecast-export" on:click=export>"Export model file"</button>
                {move || export_error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                <Show
                    when=move || confirm_delete.get()
                    fallback=move || view! {
                        <button data-testid="forecast-delete" on:click=move |_| confirm_delete.set(true)>"Delete"</button>
                    }
                >
                    <span>"Delete this forecast model? Its lineage and runs stay. "</span>
                    <button data-testid="forecast-delete-confirm" on:click=move |_| delete()>"Delete"</button>
                    <button on:click=move |_| confirm_delete.set(false)>"Keep"</button>
                </Show>
            </div>
        </section>
    }
}

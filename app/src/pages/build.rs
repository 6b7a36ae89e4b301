//! The Build page (Canvas for tables): choose a dataset version and a target, train models with AutoML in a worker (progress, cancel), list the stored models, import and export them.
//!
//! The page only asks and shows: the profile that detects the task and the ID-like columns,
//! the search, the evaluation and every prediction run in a worker.

use compute::automl::{AutomlOptions, Build, ModelSpec, Shard, ALGORITHMS};
use compute::debugger::{DebuggerConfig, Rule};
use compute::ml::{Metric, Task};
use compute::profile::InsightKind;
use compute::protocol::{ErrorKind, ModelSummary, Progress, Reply, Request, RequestId};
use compute::records::{DatasetRecord, ModelOrigin, ProfileRecord};
use compute::schema::ColumnType;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::bridge;
use crate::format;
use crate::pages::model::ModelView;

/// The rules that watch a fit step by step, so can stop it, with what each means.
const LIVE_RULES: [(Rule, &str); 3] = [
    (
        Rule::Overfit,
        "validation loss above training loss by more than 10% of it",
    ),
    (
        Rule::Overtraining,
        "training loss still falling while validation loss stopped improving",
    ),
    (
        Rule::LossNotDecreasing,
        "the loss did not fall over 10 iterations",
    ),
];

/// A training job in flight: the lead worker's request and its helpers'.
#[derive(Clone, Debug, PartialEq)]
struct TrainJob {
    request_id: RequestId,
    helper_ids: Vec<RequestId>,
    stage: String,
    /// Steps the lead reports done and planned (fold jobs, refit, evaluation).
    lead_done: u64,
    lead_total: u64,
    /// Fold jobs each helper has done and not yet handed to the lead.
    helper_done: Vec<u64>,
    started_ms: f64,
}

impl TrainJob {
    fn fraction(&self) -> f64 {
        if self.lead_total == 0 {
            return 0.0;
        }
        let done = self.lead_done + self.helper_done.iter().sum::<u64>();
        (done as f64 / self.lead_total as f64).min(1.0)
    }
}

#[derive(Clone, Copy)]
struct BuildState {
    datasets: RwSignal<Vec<DatasetRecord>>,
    models: RwSignal<Vec<ModelSummary>>,
    selected_model: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    job: RwSignal<Option<TrainJob>>,
    train_error: RwSignal<Option<String>>,
}

impl BuildState {
    fn refresh(self) {
        spawn_local(async move {
            let datasets = bridge::call(Request::ListDatasets, None, |_| {}).await;
            let models = bridge::call(Request::ListModels, None, |_| {}).await;
            if self.models.is_disposed() {
                return;
            }
            match datasets {
                Ok(Reply::Datasets { datasets }) => self.datasets.set(datasets),
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => self.notice.set(Some(format::error(&error))),
            }
            match models {
                Ok(Reply::Models { models }) => {
                    if let Some(id) = self.selected_model.get_untracked() {
                        if !models.iter().any(|m| m.model_id == id) {
                            self.selected_model.set(None);
                        }
                    }
                    self.models.set(models);
                }
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => self.notice.set(Some(format::error(&error))),
            }
        });
    }

    /// Trains on the lead worker; a standard build's candidate jobs are split with every
    /// other worker of the pool (helpers), whose results the page passes on to the lead.
    fn train(self, dataset_id: String, name: String, experiment: String, options: AutomlOptions) {
        let pool = match bridge::pool() {
            Ok(pool) => pool,
            Err(error) => {
                self.train_error.set(Some(format::error(&error)));
                return;
            }
        };
        let lanes = pool.lanes_by_load();
        let lead_lane = lanes[0];
        // A quick build has four jobs: not worth loading the rows into another worker.
        let helper_lanes: Vec<usize> = if options.build == Build::Standard {
            lanes[1..].to_vec()
        } else {
            Vec::new()
        };
        let request_id = pool.next_request_id();
        let helper_ids: Vec<RequestId> = helper_lanes
            .iter()
            .map(|_| pool.next_request_id())
            .collect();
        self.train_error.set(None);
        self.job.set(Some(TrainJob {
            request_id,
            helper_ids: helper_ids.clone(),
            stage: "starting".into(),
            lead_done: 0,
            lead_total: 0,
            helper_done: vec![0; helper_ids.len()],
            started_ms: js_sys::Date::now(),
        }));
        let job = self.job;
        let on_progress = move |p: Progress| {
            job.try_update(|job| {
                if let Some(job) = job.as_mut().filter(|j| j.request_id == request_id) {
                    job.lead_done = p.done;
                    job.lead_total = p.total;
                    job.stage = p.stage;
                }
            });
        };
        let n_helpers = helper_ids.len();
        {
            let pool = pool.clone();
            let dataset_id = dataset_id.clone();
            let options = options.clone();
            let helper_ids = helper_ids.clone();
            spawn_local(async move {
                let request = Request::TrainModel {
                    dataset_id,
                    name,
                    options,
                    helpers: n_helpers as u32,
                    experiment,
                };
                let result = pool
                    .request_on(lead_lane, request_id, request, None, on_progress)
                    .await
                    .map(|(reply, _)| reply);
                // Helpers still running (the lead failed or was cancelled) have no one to
                // hand their results to.
                for helper in helper_ids {
                    pool.cancel(helper);
                }
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
        for (position, (lane, helper_id)) in helper_lanes.into_iter().zip(helper_ids).enumerate() {
            let pool = pool.clone();
            let request = Request::TrainShard {
                dataset_id: dataset_id.clone(),
                options: options.clone(),
                shard: Shard {
                    index: position + 1,
                    count: n_helpers + 1,
                },
            };
            let set_done = move |done: u64| {
                job.try_update(|job| {
                    if let Some(job) = job.as_mut().filter(|j| j.request_id == request_id) {
                        job.helper_done[position] = done;
                    }
                });
            };
            spawn_local(async move {
                let result = pool
                    .request_on(lane, helper_id, request, None, move |p: Progress| {
                        set_done(p.done)
                    })
                    .await;
                // A helper that failed hands over nothing: the lead runs its jobs.
                let results = match result {
                    Ok((Reply::ShardResults { results }, _)) => results,
                    _ => Vec::new(),
                };
                set_done(0);
                pool.tell(
                    request_id,
                    Request::DeliverShard {
                        target_request_id: request_id,
                        results,
                    },
                );
            });
        }
    }

    fn import_model(self, file: web_sys::File) {
        let file_name = file.name();
        spawn_local(async move {
            let request = Request::ImportModel { file_name };
            let result = bridge::call(request, Some(file.into()), |_| {}).await;
            if self.models.is_disposed() {
                return;
            }
            match result {
                Ok(Reply::Model { model }) => {
                    self.selected_model.set(Some(model.model_id.clone()));
                    self.refresh();
                }
                Ok(other) => self
                    .notice
                    .set(Some(format!("unexpected reply: {other:?}"))),
                Err(error) => self.notice.set(Some(format::error(&error))),
            }
        });
    }
}

/// scikit-learn's scorer name, as the leaderboard and the metric picker show it.
pub fn metric_label(metric: Metric) -> &'static str {
    compute::automl::metric_name(metric)
}

pub fn task_label(task: Task) -> &'static str {
    match task {
        Task::Regression => "regression",
        Task::Binary => "binary classification",
        Task::Multiclass => "multi-class classification",
    }
}

/// The metrics a task can be scored by, its default first.
fn metrics_for(task: Task) -> &'static [Metric] {
    match task {
        Task::Regression => &[
            Metric::R2,
            Metric::NegRootMeanSquaredError,
            Metric::NegMeanAbsoluteError,
        ],
        Task::Binary | Task::Multiclass => &[
            Metric::Accuracy,
            Metric::BalancedAccuracy,
            Metric::F1Macro,
            Metric::RocAuc,
            Metric::NegLogLoss,
        ],
    }
}

fn metric_from(name: &str) -> Option<Metric> {
    compute::automl::metric_named(name)
}

fn task_from(name: &str) -> Option<Task> {
    match name {
        "regression" => Some(Task::Regression),
        "binary" => Some(Task::Binary),
        "multiclass" => Some(Task::Multiclass),
        _ => None,
    }
}

/// What the profile says about the target column: the task it poses and its class count.
fn detect_task(profile: &ProfileRecord, target: &str) -> Option<(Task, u64)> {
    let column = profile.profile.columns.iter().find(|c| c.name == target)?;
    let numeric_like = matches!(
        column.column_type,
        ColumnType::Integer | ColumnType::Float | ColumnType::Date | ColumnType::Datetime
    );
    let distinct = column.distinct as usize;
    Some((Task::detect(numeric_like, distinct), column.distinct))
}

/// String columns long enough on average to be free text, which a build's text models read.
fn free_text_columns(profile: &ProfileRecord) -> Vec<String> {
    profile
        .profile
        .columns
        .iter()
        .filter(|column| {
            matches!(
                column.column_type,
                ColumnType::String | ColumnType::Categorical
            )
        })
        .filter(|column| {
            column
                .text_lengths
                .as_ref()
                .is_some_and(|lengths| lengths.mean >= compute::ml::FREE_TEXT_MEAN_CHARS)
        })
        .map(|column| column.name.clone())
        .collect()
}

/// Columns the profile found to hold a different value in every row.
fn id_like_columns(profile: &ProfileRecord) -> Vec<String> {
    profile
        .insights
        .insights
        .iter()
        .filter(|insight| insight.kind == InsightKind::IdLike)
        .filter_map(|insight| insight.column.clone())
        .collect()
}

#[component]
pub fn BuildPage() -> impl IntoView {
    let state = BuildState {
        datasets: RwSignal::new(Vec::new()),
        models: RwSignal::new(Vec::new()),
        selected_model: RwSignal::new(None),
        notice: RwSignal::new(None),
        job: RwSignal::new(None),
        train_error: RwSignal::new(None),
    };
    state.refresh();

    view! {
        <section class="build-page">
            <h1>"Build a model"</h1>
            {move || {
                state
                    .notice
                    .get()
                    .map(|text| {
                        view! {
                            <p class="notice" role="alert" data-testid="build-notice">
                                {text}
                                <button on:click=move |_| state.notice.set(None)>"Dismiss"</button>
                            </p>
                        }
                    })
            }}
            <TrainForm state=state />
            <TrainJobView state=state />
            <ModelList state=state />
            {move || {
                state
                    .selected_model
                    .get()
                    .map(|model_id| {
                        view! {
                            <ModelView
                                model_id=model_id
                                on_deleted=Callback::new(move |_| {
                                    state.selected_model.set(None);
                                    state.refresh();
                                })
                            />
                        }
                    })
            }}
        </section>
    }
}

/// The profile of the chosen dataset (for the task and ID-like columns), as it loads.
#[derive(Clone, Debug, PartialEq)]
enum ProfileState {
    None,
    Loading,
    Ready(Box<ProfileRecord>),
    Failed(String),
}

#[component]
fn TrainForm(state: BuildState) -> impl IntoView {
    let dataset_id = RwSignal::new(String::new());
    let profile = RwSignal::new(ProfileState::None);
    let target = RwSignal::new(String::new());
    let task_choice = RwSignal::new(String::from("auto"));
    let metric_choice = RwSignal::new(String::from("default"));
    let build = RwSignal::new(Build::Quick);
    let budget_secs = RwSignal::new(String::from("300"));
    let seed = RwSignal::new(String::from("0"));
    // "auto" searches; otherwise one algorithm with the hyper-parameters typed beside it.
    let algorithm = RwSignal::new(String::from("auto"));
    let algorithm_params = RwSignal::new(String::new());
    // Empty: the default experiment of the dataset and target.
    let experiment = RwSignal::new(String::new());
    // The Debugger's live rules that may stop the refit (every rule reports regardless).
    let stop_on = RwSignal::new(Vec::<Rule>::new());
    let name = RwSignal::new(String::new());
    // Columns the user left out (ID-like ones start here).
    let excluded = RwSignal::new(Vec::<String>::new());
    let form_error = RwSignal::new(None::<String>);
    let profile_seq = StoredValue::new(0u64);

    let choose_dataset = move |id: String| {
        dataset_id.set(id.clone());
        target.set(String::new());
        task_choice.set("auto".into());
        metric_choice.set("default".into());
        excluded.set(Vec::new());
        if id.is_empty() {
            profile.set(ProfileState::None);
            return;
        }
        profile.set(ProfileState::Loading);
        profile_seq.update_value(|s| *s += 1);
        let mine = profile_seq.get_value();
        spawn_local(async move {
            let request = Request::ProfileDataset {
                dataset_id: id,
                target: None,
            };
            let result = bridge::call(request, None, |_| {}).await;
            if profile.is_disposed() || profile_seq.get_value() != mine {
                return;
            }
            match result {
                Ok(Reply::Profile {
                    profile: record, ..
                }) => {
                    excluded.set(id_like_columns(&record));
                    profile.set(ProfileState::Ready(record));
                }
                Ok(other) => {
                    profile.set(ProfileState::Failed(format!("unexpected reply: {other:?}")))
                }
                Err(error) => profile.set(ProfileState::Failed(format::error(&error))),
            }
        });
    };

    // The task the target poses, as detected, and as it will be trained.
    let detected = Memo::new(move |_| {
        let target = target.get();
        profile.with(|p| match p {
            ProfileState::Ready(record) if !target.is_empty() => detect_task(record, &target),
            _ => None,
        })
    });
    let task = Memo::new(move |_| {
        task_from(&task_choice.get()).or_else(|| detected.get().map(|(task, _)| task))
    });
    let columns = Memo::new(move |_| {
        profile.with(|p| match p {
            ProfileState::Ready(record) => record
                .profile
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.column_type))
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let id_like = Memo::new(move |_| {
        profile.with(|p| match p {
            ProfileState::Ready(record) => id_like_columns(record),
            _ => Vec::new(),
        })
    });
    let free_text = Memo::new(move |_| {
        profile.with(|p| match p {
            ProfileState::Ready(record) => free_text_columns(record),
            _ => Vec::new(),
        })
    });

    let submit = move || {
        form_error.set(None);
        let dataset = dataset_id.get_untracked();
        let target_name = target.get_untracked();
        if dataset.is_empty() || target_name.is_empty() {
            form_error.set(Some("Choose a dataset and the column to predict.".into()));
            return;
        }
        let Ok(seed_value) = seed.get_untracked().trim().parse::<u64>() else {
            form_error.set(Some(format!(
                "The seed \"{}\" is not a whole number of 0 or more.",
                seed.get_untracked()
            )));
            return;
        };
        let build_value = build.get_untracked();
        let time_budget_secs = if build_value == Build::Standard {
            match budget_secs.get_untracked().trim().parse::<f64>() {
                Ok(secs) if secs > 0.0 && secs.is_finite() => Some(secs),
                _ => {
                    form_error.set(Some(format!(
                        "The time budget \"{}\" is not a number of seconds above 0.",
                        budget_secs.get_untracked()
                    )));
                    return;
                }
            }
        } else {
            None
        };
        let chosen = match algorithm.get_untracked().as_str() {
            "auto" => None,
            name => match ModelSpec::from_choice(name, &algorithm_params.get_untracked()) {
                Ok(spec) => Some(spec),
                Err(message) => {
                    form_error.set(Some(format!("Hyper-parameters: {message}.")));
                    return;
                }
            },
        };
        let options = AutomlOptions {
            debugger: Some(DebuggerConfig {
                stop_on: stop_on.get_untracked(),
                ..DebuggerConfig::default()
            }),
            algorithm: chosen,
            target: target_name.clone(),
            task: task_from(&task_choice.get_untracked()),
            drop: excluded
                .get_untracked()
                .into_iter()
                .filter(|c| *c != target_name)
                .collect(),
            build: build_value,
            metric: metric_from(&metric_choice.get_untracked()),
            seed: seed_value,
            time_budget_secs,
        };
        state.train(
            dataset,
            name.get_untracked(),
            experiment.get_untracked(),
            options,
        );
    };

    view! {
        <section class="train-form" data-testid="train-form">
            <h2>"New model"</h2>
            <div class="form-grid">
                <label>
                    "Dataset "
                    <select
                        data-testid="build-dataset"
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
                    "Column to predict "
                    <select
                        data-testid="build-target"
                        prop:value=move || target.get()
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            excluded.update(|e| e.retain(|c| *c != value));
                            target.set(value);
                            metric_choice.set("default".into());
                        }
                    >
                        <option value="">"— choose —"</option>
                        {move || {
                            columns
                                .get()
                                .into_iter()
                                .map(|(name, _)| view! { <option value=name.clone()>{name.clone()}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label>
                    "Task "
                    <select
                        data-testid="build-task"
                        prop:value=move || task_choice.get()
                        on:change=move |ev| {
                            task_choice.set(event_target_value(&ev));
                            metric_choice.set("default".into());
                        }
                    >
                        <option value="auto">
                            {move || match detected.get() {
                                Some((task, _)) => format!("auto: {}", task_label(task)),
                                None => "auto".to_string(),
                            }}
                        </option>
                        <option value="regression">"regression"</option>
                        <option value="binary">"binary classification"</option>
                        <option value="multiclass">"multi-class classification"</option>
                    </select>
                </label>
                <label>
                    "Metric "
                    <select
                        data-testid="build-metric"
                        prop:value=move || metric_choice.get()
                        on:change=move |ev| metric_choice.set(event_target_value(&ev))
                    >
                        <option value="default">"default"</option>
                        {move || {
                            task.get()
                                .map(|task| {
                                    metrics_for(task)
                                        .iter()
                                        .map(|m| view! { <option value=metric_label(*m)>{metric_label(*m)}</option> })
                                        .collect_view()
                                })
                        }}
                    </select>
                </label>
                <fieldset class="build-kind">
                    <legend>"Build"</legend>
                    <label>
                        <input
                            type="radio"
                            name="build"
                            data-testid="build-quick"
                            prop:checked=move || build.get() == Build::Quick
                            on:change=move |_| build.set(Build::Quick)
                        />
                        " Quick (4 candidates, one holdout split, seconds)"
                    </label>
                    <label>
                        <input
                            type="radio"
                            name="build"
                            data-testid="build-standard"
                            prop:checked=move || build.get() == Build::Standard
                            on:change=move |_| build.set(Build::Standard)
                        />
                        " Standard (about 30 candidates, 5-fold cross-validation, an ensemble)"
                    </label>
                    <Show when=move || build.get() == Build::Standard>
                        <label>
                            "Time budget (s) "
                            <input
                                class="short"
                                data-testid="build-budget"
                                prop:value=move || budget_secs.get()
                                on:input=move |ev| budget_secs.set(event_target_value(&ev))
                            />
                        </label>
                    </Show>
                </fieldset>
                <label>
                    "Algorithm "
                    <select
                        data-testid="build-algorithm"
                        prop:value=move || algorithm.get()
                        on:change=move |ev| algorithm.set(event_target_value(&ev))
                    >
                        <option value="auto">"automatic (search the candidates)"</option>
                        {ALGORITHMS
                            .iter()
                            .map(|(key, label)| view! { <option value=*key>{*label}</option> })
                            .collect_view()}
                    </select>
                </label>
                <Show when=move || algorithm.get() != "auto">
                    <label>
                        "Hyper-parameters "
                        <input
                            data-testid="build-algorithm-params"
                            placeholder="as in scikit-learn, e.g. max_depth=3, min_samples_leaf=5"
                            prop:value=move || algorithm_params.get()
                            on:input=move |ev| algorithm_params.set(event_target_value(&ev))
                        />
                    </label>
                </Show>
                <fieldset class="build-kind" data-testid="build-debugger">
                    <legend>"Debugger: stop training when"</legend>
                    {LIVE_RULES
                        .iter()
                        .map(|&(rule, label)| {
                            view! {
                                <label title=label>
                                    <input
                                        type="checkbox"
                                        data-testid="build-stop-on"
                                        data-rule=rule.name()
                                        prop:checked=move || stop_on.with(|s| s.contains(&rule))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            stop_on.update(|s| {
                                                s.retain(|r| *r != rule);
                                                if on {
                                                    s.push(rule);
                                                }
                                            });
                                        }
                                    />
                                    {format!(" {}", rule.name())}
                                </label>
                            }
                        })
                        .collect_view()}
                    <p class="hint">"Every rule reports what it finds on the model's page; these also stop the fit where they fire (boosting, logistic regression)."</p>
                </fieldset>
                <label>
                    "Seed "
                    <input
                        class="short"
                        data-testid="build-seed"
                        prop:value=move || seed.get()
                        on:input=move |ev| seed.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Name "
                    <input
                        data-testid="build-name"
                        placeholder=move || {
                            let t = target.get();
                            if t.is_empty() { "model name".to_string() } else { format!("{t} model") }
                        }
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Experiment "
                    <input
                        data-testid="build-experiment"
                        placeholder=move || {
                            let dataset = state.datasets.with(|all| {
                                all.iter()
                                    .find(|d| d.dataset_id == dataset_id.get())
                                    .map(|d| d.name.clone())
                            });
                            match (dataset, target.get()) {
                                (Some(dataset), t) if !t.is_empty() => format!("{dataset} → {t}"),
                                _ => "the dataset and target's".to_string(),
                            }
                        }
                        prop:value=move || experiment.get()
                        on:input=move |ev| experiment.set(event_target_value(&ev))
                    />
                </label>
            </div>
            {move || match profile.get() {
                ProfileState::Loading => Some(view! { <p class="hint" data-testid="build-profiling">"Reading the dataset's columns…"</p> }.into_any()),
                ProfileState::Failed(message) => Some(view! { <p class="error" role="alert">{message}</p> }.into_any()),
                _ => None,
            }}
            {move || {
                detected
                    .get()
                    .map(|(task, distinct)| {
                        let classes = if task.is_classification() {
                            format!(" ({distinct} classes)")
                        } else {
                            String::new()
                        };
                        view! {
                            <p class="hint" data-testid="build-detected">
                                {format!("Detected: {}{classes}.", task_label(task))}
                            </p>
                        }
                    })
            }}
            <Show when=move || !columns.with(|c| c.is_empty())>
                <fieldset class="feature-columns" data-testid="build-columns">
                    <legend>"Columns the model may use"</legend>
                    {move || {
                        let target_name = target.get();
                        columns
                            .get()
                            .into_iter()
                            .filter(|(name, _)| *name != target_name)
                            .map(|(column, column_type)| {
                                let is_id = id_like.with(|ids| ids.contains(&column));
                                let is_text = free_text.with(|texts| texts.contains(&column));
                                let for_check = column.clone();
                                let for_change = column.clone();
                                view! {
                                    <label class="column-choice" data-testid="build-column" data-column=column.clone()>
                                        <input
                                            type="checkbox"
                                            prop:checked=move || excluded.with(|e| !e.contains(&for_check))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let name = for_change.clone();
                                                excluded.update(|e| {
                                                    e.retain(|c| *c != name);
                                                    if !on {
                                                        e.push(name);
                                                    }
                                                });
                                            }
                                        />
                                        {format!(" {column} ")}
                                        <span class="muted">{column_type.label()}</span>
                                        {is_id.then(|| view! { <span class="tag" data-testid="id-like">"ID-like, left out"</span> })}
                                        {is_text.then(|| view! { <span class="tag" data-testid="free-text" title="Read by TF-IDF with naive Bayes and logistic regression">"free text"</span> })}
                                    </label>
                                }
                            })
                            .collect_view()
                    }}
                </fieldset>
            </Show>
            <div class="form-actions">
                <button
                    class="primary"
                    data-testid="build-train"
                    disabled=move || state.job.with(|j| j.is_some()) || target.with(|t| t.is_empty())
                    on:click=move |_| submit()
                >
                    "Train"
                </button>
            </div>
            {move || form_error.get().map(|e| view! { <p class="error" role="alert" data-testid="build-form-error">{e}</p> })}
            {move || state.train_error.get().map(|e| view! { <p class="error" role="alert" data-testid="train-error">{e}</p> })}
        </section>
    }
}

#[component]
fn TrainJobView(state: BuildState) -> impl IntoView {
    move || {
        state.job.get().map(|job| {
            let request_id = job.request_id;
            let helper_ids = job.helper_ids.clone();
            let fraction = job.fraction();
            let workers = if helper_ids.is_empty() {
                String::new()
            } else {
                format!(" · {} workers", helper_ids.len() + 1)
            };
            let elapsed = (js_sys::Date::now() - job.started_ms) / 1000.0;
            view! {
                <div class="job" data-testid="train-job">
                    <span class="job-name">"Training"</span>
                    <progress max="1" value=fraction data-testid="train-progress"></progress>
                    <span class="job-stage" data-testid="train-stage">
                        {format!("{} · {:.0}%{workers} · {elapsed:.0} s", job.stage, fraction * 100.0)}
                    </span>
                    <button
                        data-testid="train-cancel"
                        on:click=move |_| {
                            if let Ok(pool) = bridge::pool() {
                                pool.cancel(request_id);
                                for helper in &helper_ids {
                                    pool.cancel(*helper);
                                }
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

#[component]
fn ModelList(state: BuildState) -> impl IntoView {
    let import_input = NodeRef::<leptos::html::Input>::new();
    view! {
        <section class="models">
            <h2>"Models"</h2>
            <table class="model-list" data-testid="model-list">
                <thead>
                    <tr>
                        <th>"Name"</th>
                        <th>"Dataset"</th>
                        <th>"Target"</th>
                        <th>"Task"</th>
                        <th>"Best candidate"</th>
                        <th class="num">"Holdout score"</th>
                        <th class="num">"Baseline"</th>
                        <th>"Created"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || state.models.get()
                        key=|m| (m.model_id.clone(), m.name.clone())
                        children=move |m| {
                            let id = m.model_id.clone();
                            let id_for_class = m.model_id.clone();
                            let origin = match &m.origin {
                                ModelOrigin::Trained => String::new(),
                                ModelOrigin::Imported { file_name } => format!(" (imported from {file_name})"),
                            };
                            let score = |s: Option<f64>| s.map_or("—".to_string(), |s| format!("{s:.4}"));
                            view! {
                                <tr
                                    data-testid="model-row"
                                    class:selected=move || state.selected_model.get().as_deref() == Some(id_for_class.as_str())
                                    on:click=move |_| state.selected_model.set(Some(id.clone()))
                                >
                                    <td data-testid="model-name">{m.name.clone()}<span class="muted">{origin}</span></td>
                                    <td>{m.dataset_name.clone()}</td>
                                    <td>{m.target.clone()}</td>
                                    <td>{task_label(m.task)}</td>
                                    <td><code>{m.best_label.clone()}</code></td>
                                    <td class="num" data-testid="model-score">
                                        {format!("{} {}", score(m.holdout_score), metric_label(m.metric))}
                                    </td>
                                    <td class="num">{score(m.baseline_score)}</td>
                                    <td>{format::date_time(m.created_at_ms)}</td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
            <Show when=move || state.models.with(|m| m.is_empty())>
                <p class="empty" data-testid="no-models">
                    "No models yet. Choose a dataset and a column to predict, then Train."
                </p>
            </Show>
            <label class="button">
                "Import a model file"
                <input
                    type="file"
                    class="hidden-input"
                    accept=".json,application/json"
                    data-testid="model-import-input"
                    node_ref=import_input
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            state.import_model(file);
                        }
                        input.set_value("");
                    }
                />
            </label>
        </section>
    }
}

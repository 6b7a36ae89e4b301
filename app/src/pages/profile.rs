//! The profile panel: asks a worker to profile the selected dataset (once per content and target) and shows its columns' statistics, histograms and the data quality insights.

use compute::profile::{ColumnProfile, Histogram, PowerMetric, QuickModel, Severity};
use compute::protocol::{ErrorKind, Reply, Request, RequestId};
use compute::records::{DatasetRecord, ProfileRecord};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::bridge;
use crate::charts::{BoxPlot, BoxStats, CorrelationHeatmap, ScatterPlot};
use crate::format;

/// Points a scatter plot draws at most (a uniform sample of the rows beyond that).
const SCATTER_MAX_POINTS: u32 = 2000;

const CHART_WIDTH: f64 = 160.0;
const CHART_HEIGHT: f64 = 36.0;

#[derive(Clone, Debug, PartialEq)]
enum PanelState {
    Idle,
    Running(f64),
    /// The profile, and the worker's compute seconds (0 when read from storage).
    Ready(Box<ProfileRecord>, f64),
    Failed(String),
}

#[component]
pub fn ProfilePanel(dataset: DatasetRecord) -> impl IntoView {
    let state = RwSignal::new(PanelState::Idle);
    // The running profile request, so it can be cancelled.
    let running = StoredValue::new(None::<RequestId>);
    let target = RwSignal::new(String::new());
    let dataset_id = dataset.dataset_id.clone();
    let run = move || {
        let dataset_id = dataset_id.clone();
        let target = Some(target.get_untracked()).filter(|t| !t.is_empty());
        let pool = match bridge::pool() {
            Ok(pool) => pool,
            Err(error) => {
                state.set(PanelState::Failed(format::error(&error)));
                return;
            }
        };
        let request_id = pool.next_request_id();
        running.set_value(Some(request_id));
        state.set(PanelState::Running(0.0));
        spawn_local(async move {
            let request = Request::ProfileDataset { dataset_id, target };
            let result = pool
                .request(request_id, request, None, move |p| {
                    state.try_set(PanelState::Running(p.fraction()));
                })
                .await;
            running.try_set_value(None);
            // The panel may have been closed while the worker ran: then nobody is waiting.
            if state.is_disposed() {
                return;
            }
            state.set(match result {
                Ok(Reply::Profile {
                    profile,
                    compute_secs,
                    ..
                }) => PanelState::Ready(profile, compute_secs),
                Ok(other) => PanelState::Failed(format!("unexpected reply: {other:?}")),
                Err(error) if error.kind == ErrorKind::Cancelled => PanelState::Idle,
                Err(error) => PanelState::Failed(format::error(&error)),
            });
        });
    };
    let columns: Vec<String> = dataset.columns.iter().map(|c| c.name.clone()).collect();
    let dataset_id_for_report = dataset.dataset_id.clone();

    view! {
        <section class="profile" data-testid="profile-panel">
            <h2>"Profile and data quality"</h2>
            <div class="profile-controls">
                <label>
                    "Target (optional) "
                    <select
                        data-testid="profile-target"
                        on:change=move |ev| target.set(event_target_value(&ev))
                    >
                        <option value="">"— none —"</option>
                        {columns
                            .into_iter()
                            .map(|name| view! { <option value=name.clone()>{name.clone()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button data-testid="profile-run" on:click=move |_| run()>
                    "Profile"
                </button>
            </div>
            {move || match state.get() {
                PanelState::Idle => ().into_any(),
                PanelState::Running(fraction) => {
                    view! {
                        <progress max="1" value=fraction data-testid="profile-progress"></progress>
                        <button
                            data-testid="profile-cancel"
                            on:click=move |_| {
                                if let (Some(id), Ok(pool)) = (running.get_value(), bridge::pool()) {
                                    pool.cancel(id);
                                }
                            }
                        >
                            "Cancel"
                        </button>
                    }
                        .into_any()
                }
                PanelState::Failed(message) => {
                    view! { <p class="error" role="alert" data-testid="profile-error">{message}</p> }
                        .into_any()
                }
                PanelState::Ready(record, compute_secs) => {
                    view! {
                        <ProfileReport
                            record=*record
                            compute_secs=compute_secs
                            dataset_id=dataset_id_for_report.clone()
                        />
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn ProfileReport(record: ProfileRecord, compute_secs: f64, dataset_id: String) -> impl IntoView {
    let profile = record.profile;
    let numeric_columns = profile.correlations.columns.clone();
    let correlations = profile.correlations.clone();
    let pair = RwSignal::new(None::<(String, String)>);
    let insights = record.insights;
    let sampled = profile
        .sampled_rows
        .map(|k| format!(" (statistics on a sample of {} rows)", format::count(k)))
        .unwrap_or_default();
    let summary = format!(
        "{} rows × {} columns{sampled}; {} duplicate rows; {} missing cells.",
        format::count(profile.n_rows),
        profile.n_cols,
        format::count(profile.duplicate_rows),
        format::count(profile.missing_cells),
    );
    let target_view = insights.target.clone().map(|t| {
        view! {
            <div class="target-summary" data-testid="target-summary">
                <h3>{format!("Target: {} ({:?})", t.column, t.problem_type)}</h3>
                <p>"Prediction power of each feature on its own ("{format!("{:?}", t.power_metric)}"):"</p>
                <ul class="feature-power">
                    {t
                        .feature_power
                        .into_iter()
                        .map(|f| {
                            let width = (f.power.clamp(0.0, 1.0) * 100.0).round();
                            view! {
                                <li data-testid="feature-power">
                                    <span class="fp-name">{f.column}</span>
                                    <span class="fp-bar" style=format!("width:{width}px")></span>
                                    <span class="fp-value">{format!("{:.2}", f.power)}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <QuickModelView model=t.quick_model error=t.quick_model_error />
            </div>
        }
    });
    view! {
        <p data-testid="profile-summary" data-compute-secs=compute_secs>{summary}</p>
        <h3>"Insights"</h3>
        <ul class="insights">
            {insights
                .insights
                .into_iter()
                .map(|insight| {
                    let severity = match insight.severity {
                        Severity::High => "high",
                        Severity::Medium => "medium",
                        Severity::Low => "low",
                    };
                    view! {
                        <li class=format!("insight {severity}") data-testid="insight">
                            <span class="severity">{severity}</span>
                            <span class="message">{insight.message}</span>
                            <span class="suggestion">{insight.suggestion}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {target_view}
        <table class="profile-columns">
            <thead>
                <tr>
                    <th>"Column"</th>
                    <th>"Type"</th>
                    <th class="num">"Missing"</th>
                    <th class="num">"Distinct"</th>
                    <th class="num">"Mean"</th>
                    <th class="num">"Std"</th>
                    <th class="num">"Min"</th>
                    <th class="num">"Median"</th>
                    <th class="num">"Max"</th>
                    <th>"Distribution"</th>
                    <th>"Box plot"</th>
                </tr>
            </thead>
            <tbody>
                {profile.columns.into_iter().map(|c| view! { <ColumnRow column=c /> }).collect_view()}
            </tbody>
        </table>
        {(numeric_columns.len() >= 2).then(|| view! {
            <h3>"Correlations"</h3>
            <p class="hint">"Pearson correlation of each pair of numeric columns; click a cell to plot the pair."</p>
            <CorrelationHeatmap
                matrix=correlations
                on_pick=Callback::new(move |p: (String, String)| pair.set(Some(p)))
            />
            <ScatterPanel dataset_id=dataset_id columns=numeric_columns pair=pair />
        })}
    }
}

/// The quick model's score beside its baseline, and its permutation importances.
#[component]
fn QuickModelView(model: Option<QuickModel>, error: Option<String>) -> impl IntoView {
    let Some(model) = model else {
        return error
            .map(|e| view! { <p class="hint" data-testid="quick-model-error">{format!("No quick model: {e}.")}</p> })
            .into_any();
    };
    let metric = match model.metric {
        PowerMetric::BalancedAccuracy => "balanced accuracy",
        PowerMetric::R2 => "r2",
    };
    let top = model
        .feature_importance
        .first()
        .map(|f| f.power)
        .unwrap_or(0.0)
        .max(1e-12);
    view! {
        <div class="quick-model" data-testid="quick-model">
            <h4>"Quick model"</h4>
            <p>
                {format!("{}: {metric} ", model.model)}
                <strong data-testid="quick-model-score">{format!("{:.3}", model.score)}</strong>
                {format!(
                    " on {} held-out rows (trained on {}); a dummy model scores {:.3}.",
                    format::count(model.n_test),
                    format::count(model.n_train),
                    model.baseline_score
                )}
            </p>
            <p class="hint">"Column impact: how much the score drops when the column is shuffled."</p>
            <ul class="feature-power">
                {model
                    .feature_importance
                    .into_iter()
                    .map(|f| {
                        let width = (f.power.max(0.0) / top * 100.0).round();
                        view! {
                            <li data-testid="quick-model-feature">
                                <span class="fp-name">{f.column}</span>
                                <span class="fp-bar" style=format!("width:{width}px")></span>
                                <span class="fp-value">{format!("{:.3}", f.power)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

/// Two numeric columns against each other, from a point sample the worker draws.
#[component]
fn ScatterPanel(
    dataset_id: String,
    columns: Vec<String>,
    pair: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let x = RwSignal::new(columns.first().cloned().unwrap_or_default());
    let y = RwSignal::new(columns.get(1).cloned().unwrap_or_default());
    let plot = RwSignal::new(None::<Result<compute::profile::PairSample, String>>);
    let seq = StoredValue::new(0u64);
    let draw = move |dataset_id: String| {
        seq.update_value(|s| *s += 1);
        let mine = seq.get_value();
        let request = Request::SampleColumnPair {
            dataset_id,
            x: x.get_untracked(),
            y: y.get_untracked(),
            max_points: SCATTER_MAX_POINTS,
        };
        plot.set(None);
        spawn_local(async move {
            let result = bridge::call(request, None, |_| {}).await;
            if plot.is_disposed() || seq.get_value() != mine {
                return;
            }
            plot.set(Some(match result {
                Ok(Reply::ColumnPair { sample, .. }) => Ok(sample),
                Ok(other) => Err(format!("unexpected reply: {other:?}")),
                Err(error) => Err(format::error(&error)),
            }));
        });
    };
    // A heatmap click picks both columns and draws at once.
    let picked_id = dataset_id.clone();
    Effect::new(move |_| {
        if let Some((a, b)) = pair.get() {
            x.set(a);
            y.set(b);
            draw(picked_id.clone());
        }
    });
    let options = move |selected: RwSignal<String>| {
        columns
            .iter()
            .map(|name| {
                let value = name.clone();
                view! {
                    <option value=name.clone() selected=move || selected.get() == value>{name.clone()}</option>
                }
            })
            .collect_view()
    };
    let x_options = options(x);
    let y_options = options(y);
    view! {
        <h3>"Scatter plot"</h3>
        <div class="scatter-controls">
            <label>"x "<select data-testid="scatter-x" on:change=move |ev| x.set(event_target_value(&ev))>{x_options}</select></label>
            <label>"y "<select data-testid="scatter-y" on:change=move |ev| y.set(event_target_value(&ev))>{y_options}</select></label>
            <button data-testid="scatter-draw" on:click=move |_| draw(dataset_id.clone())>"Plot"</button>
        </div>
        {move || match plot.get() {
            None => ().into_any(),
            Some(Err(message)) => view! { <p class="error" role="alert" data-testid="scatter-error">{message}</p> }.into_any(),
            Some(Ok(sample)) => view! { <ScatterPlot sample=sample /> }.into_any(),
        }}
    }
}

fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v.abs() >= 1e6 || (v != 0.0 && v.abs() < 1e-3) => format!("{v:.3e}"),
        Some(v) => format!("{:.4}", v)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string(),
        None => "—".into(),
    }
}

#[component]
fn ColumnRow(column: ColumnProfile) -> impl IntoView {
    let numeric = column.numeric.clone();
    let median = numeric.as_ref().and_then(|n| n.quantiles.p50);
    view! {
        <tr data-testid="profile-column" data-column=column.name.clone()>
            <td>{column.name.clone()}</td>
            <td>{column.column_type.label()}</td>
            <td class="num" data-testid="profile-missing">{format::count(column.missing)}</td>
            <td class="num">
                {format!("{}{}", if column.distinct_is_approximate { "≈" } else { "" }, format::count(column.distinct))}
            </td>
            <td class="num">{number(numeric.as_ref().and_then(|n| n.mean))}</td>
            <td class="num">{number(numeric.as_ref().and_then(|n| n.std))}</td>
            <td class="num">{column.min_text.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="num">{number(median)}</td>
            <td class="num">{column.max_text.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{column.histogram.clone().map(|h| view! { <HistogramChart histogram=h /> })}</td>
            <td>{BoxStats::of(&column).map(|stats| view! { <BoxPlot stats=stats /> })}</td>
        </tr>
    }
}

/// A small SVG bar chart: equal-width bins for numbers and dates, the top values for text.
#[component]
fn HistogramChart(histogram: Histogram) -> impl IntoView {
    let (counts, labels): (Vec<u64>, Vec<String>) = match &histogram {
        Histogram::Bins { edges, counts } => (
            counts.clone(),
            counts
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    format!(
                        "{} to {}: {c}",
                        number(edges.get(i).copied()),
                        number(edges.get(i + 1).copied())
                    )
                })
                .collect(),
        ),
        Histogram::Bars { bars, .. } => (
            bars.iter().map(|b| b.count).collect(),
            bars.iter()
                .map(|b| format!("{}: {}", b.value, b.count))
                .collect(),
        ),
    };
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bar_width = CHART_WIDTH / counts.len().max(1) as f64;
    view! {
        <svg
            class="histogram"
            data-testid="histogram"
            width=CHART_WIDTH
            height=CHART_HEIGHT
            viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}")
            role="img"
        >
            {counts
                .into_iter()
                .zip(labels)
                .enumerate()
                .map(|(i, (count, label))| {
                    let height = (count as f64 / max * CHART_HEIGHT).max(if count > 0 { 1.0 } else { 0.0 });
                    view! {
                        <rect
                            x=i as f64 * bar_width
                            y=CHART_HEIGHT - height
                            width=(bar_width - 1.0).max(1.0)
                            height=height
                        >
                            <title>{label}</title>
                        </rect>
                    }
                })
                .collect_view()}
        </svg>
    }
}

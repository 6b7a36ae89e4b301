//! One stored model: its holdout scores beside the dummy baseline, the leaderboard, confusion matrix or residual plots, ROC and precision-recall curves, column impact; a what-if form, batch prediction on a CSV, export and delete.

use std::collections::BTreeMap;

use compute::automl::{
    CandidateStatus, ClassCurves, ClassWords, EvaluationDetail, EvaluationReport,
};
use compute::debugger::Diagnosis;
use compute::ml::{ClassificationScores, RegressionScores};
use compute::profile::PairSample;
use compute::protocol::{ErrorKind, OnePrediction, Reply, Request, RequestId};
use compute::records::{ImageModelInfo, ModelInput, ModelOrigin, ModelRecord};
use compute::schema::ColumnType;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::bridge;
use crate::charts::{CurveChart, LineChart, ScatterPlot, ScatterReference, Series};
use crate::format;
use crate::pages::build::{metric_label, task_label};
use crate::pages::experiments::Findings;

/// Categorical inputs with at most this many categories get a drop-down; more get a text box.
const MAX_LISTED_CATEGORIES: usize = 200;

#[derive(Clone, Debug, PartialEq)]
enum Loaded {
    Loading,
    Ready(Box<ModelRecord>),
    Failed(String),
}

#[component]
pub fn ModelView(model_id: String, on_deleted: Callback<()>) -> impl IntoView {
    let loaded = RwSignal::new(Loaded::Loading);
    {
        let model_id = model_id.clone();
        spawn_local(async move {
            let result = bridge::call(Request::GetModel { model_id }, None, |_| {}).await;
            if loaded.is_disposed() {
                return;
            }
            loaded.set(match result {
                Ok(Reply::Model { model }) => Loaded::Ready(model),
                Ok(other) => Loaded::Failed(format!("unexpected reply: {other:?}")),
                Err(error) => Loaded::Failed(format::error(&error)),
            });
        });
    }
    move || match loaded.get() {
        Loaded::Loading => view! { <p class="hint">"Loading the model…"</p> }.into_any(),
        Loaded::Failed(message) => {
            view! { <p class="error" role="alert" data-testid="model-error">{message}</p> }
                .into_any()
        }
        Loaded::Ready(model) => {
            view! { <ModelPanel model=*model on_deleted=on_deleted /> }.into_any()
        }
    }
}

#[component]
fn ModelPanel(model: ModelRecord, on_deleted: Callback<()>) -> impl IntoView {
    let report = model.report.clone();
    let validation = report.validation.describe();
    let origin = match &model.origin {
        ModelOrigin::Trained => String::new(),
        ModelOrigin::Imported { file_name } => format!(" Imported from {file_name}."),
    };
    let summary = format!(
        "{} of \"{}\" by {} · trained on {} rows of {} ({} held out for evaluation) · {:?} build, candidates ranked by {} on {validation} · seed {} · {:.1} s.{origin}",
        task_label(report.task),
        report.target,
        report.best.label,
        format::count(model.n_train_rows),
        model.dataset_name,
        format::count(model.n_holdout_rows),
        report.build,
        metric_label(report.metric),
        report.seed,
        model.train_secs,
    )
    .replace("Quick build", "quick build")
    .replace("Standard build", "standard build");
    let excluded = (!report.excluded_columns.is_empty())
        .then(|| format!("Columns left out: {}.", report.excluded_columns.join(", ")));
    let warnings = report.warnings.clone();
    let holdout = report.holdout.clone();
    let diagnosis = report.diagnosis.clone();
    let leaderboard = report.leaderboard.clone();
    let metric = report.metric;
    let model_id = model.model_id.clone();
    let inputs = model.inputs.clone();
    let text_columns = report.text_columns.clone();
    let top_words = report.top_words.clone();
    let image = model.image.clone();
    // An image model's "rows" are images.
    let summary = if image.is_some() {
        summary.replace(" rows of ", " images of ")
    } else {
        summary
    };

    view! {
        <section class="model-view" data-testid="model-view">
            <h2 data-testid="model-title">{model.name.clone()}</h2>
            <p data-testid="model-summary">{summary}</p>
            <p class="hint">
                "Model content hash "
                <code title=model.content_hash.clone()>{model.content_hash[..12.min(model.content_hash.len())].to_string()}</code>
                {format!(" · dataset content hash {}", &model.dataset_content_hash[..12.min(model.dataset_content_hash.len())])}
            </p>
            {excluded.map(|text| view! { <p class="hint" data-testid="model-excluded">{text}</p> })}
            <ul class="warnings">
                {warnings.into_iter().map(|w| view! { <li class="warning" data-testid="model-warning">{w}</li> }).collect_view()}
            </ul>
            <ModelActions model_id=model_id.clone() on_deleted=on_deleted />
            <div class="evaluation-row">
                {holdout.map(|h| view! { <Evaluation report=h /> })}
                {image.clone().map(|info| view! { <Misclassified info=info /> })}
            </div>
            {diagnosis.map(|d| view! { <DebuggerPanel diagnosis=d /> })}
            {(!top_words.is_empty()).then(|| view! { <TopWords classes=top_words /> })}
            <Leaderboard rows=leaderboard metric=metric />
            {match image {
                Some(_) => view! { <ImagePredict model_id=model_id /> }.into_any(),
                None => view! {
                    <WhatIf model_id=model_id.clone() inputs=inputs text_columns=text_columns />
                    <BatchPredict model_id=model_id />
                }
                    .into_any(),
            }}
        </section>
    }
}

/// What the Debugger found: its findings and the learning curve they read.
#[component]
fn DebuggerPanel(diagnosis: Diagnosis) -> impl IntoView {
    let curve = vec![
        Series {
            name: "training rows".to_string(),
            points: diagnosis
                .learning_curve
                .iter()
                .map(|p| (p.n_train_rows as f64, p.train_score))
                .collect(),
            colour_index: 0,
            dashed: false,
        },
        Series {
            name: "validation rows".to_string(),
            points: diagnosis
                .learning_curve
                .iter()
                .map(|p| (p.n_train_rows as f64, p.validation_score))
                .collect(),
            colour_index: 1,
            dashed: true,
        },
    ];
    let spread = diagnosis.fold_spread.as_ref().map(|s| {
        format!(
            "Cross-validation: {} ± {} over {} folds.",
            score_cell(s.mean),
            score_cell(s.std),
            s.fold_scores.len()
        )
    });
    view! {
        <section class="debugger" data-testid="model-debugger">
            <h3>"Debugger"</h3>
            <Findings findings=diagnosis.findings />
            <div class="charts-row">
                <LineChart
                    series=curve
                    x_label="training rows"
                    y_label="score"
                    caption=format!(
                        "Learning curve on {} training rows (a fifth held out)",
                        format::count(diagnosis.n_diagnosis_rows as u64)
                    )
                />
            </div>
            {spread.map(|s| view! { <p class="hint" data-testid="fold-spread">{s}</p> })}
        </section>
    }
}

#[component]
fn ModelActions(model_id: String, on_deleted: Callback<()>) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id_for_export = model_id.clone();
    let export = move |_| {
        let model_id = id_for_export.clone();
        crate::download::fetch_and_offer(Request::ExportModel { model_id }, error);
    };
    let delete = move |_| {
        let model_id = model_id.clone();
        confirming.set(false);
        spawn_local(async move {
            let result = bridge::call(Request::DeleteModel { model_id }, None, |_| {}).await;
            match result {
                Ok(_) => on_deleted.run(()),
                Err(e) => {
                    error.try_set(Some(format::error(&e)));
                }
            }
        });
    };
    view! {
        <div class="model-actions">
            <button data-testid="model-export" on:click=export>"Export model"</button>
            {move || {
                if confirming.get() {
                    let delete = delete.clone();
                    view! {
                        <span class="confirm">
                            "Delete this model? Its lineage is kept. "
                            <button class="danger" data-testid="model-delete-confirm" on:click=delete>"Delete"</button>
                            <button on:click=move |_| confirming.set(false)>"Keep"</button>
                        </span>
                    }
                        .into_any()
                } else {
                    view! { <button data-testid="model-delete" on:click=move |_| confirming.set(true)>"Delete"</button> }.into_any()
                }
            }}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </div>
    }
}

fn score_cell(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.4}")
    } else {
        "—".to_string()
    }
}

fn optional_cell(value: Option<f64>) -> String {
    value.map_or("—".to_string(), score_cell)
}

#[component]
fn Evaluation(report: EvaluationReport) -> impl IntoView {
    let rows: Vec<(&'static str, String, String)> = match &report.detail {
        EvaluationDetail::Regression {
            scores, baseline, ..
        } => regression_rows(scores, baseline),
        EvaluationDetail::Classification {
            scores, baseline, ..
        } => classification_rows(scores, baseline),
    };
    let headline = format!(
        "{} on {} held-out rows: {} (dummy baseline {}).",
        metric_label(report.metric),
        format::count(report.n_rows as u64),
        score_cell(report.score),
        score_cell(report.baseline_score)
    );
    let charts = match report.detail.clone() {
        EvaluationDetail::Regression { points, .. } => {
            view! { <RegressionCharts points=points /> }.into_any()
        }
        EvaluationDetail::Classification {
            classes,
            scores,
            curves,
            ..
        } => view! {
            <ConfusionMatrix classes=classes matrix=scores.confusion_matrix />
            <Curves curves=curves />
        }
        .into_any(),
    };
    view! {
        <section class="evaluation" data-testid="evaluation">
            <h3>"Evaluation on held-out rows"</h3>
            <p data-testid="evaluation-headline">{headline}</p>
            <table class="metrics" data-testid="metrics-table">
                <thead>
                    <tr><th>"Metric"</th><th class="num">"Model"</th><th class="num">"Dummy baseline"</th></tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|(name, ours, baseline)| {
                            view! {
                                <tr data-testid="metric-row" data-metric=name>
                                    <td>{name}</td>
                                    <td class="num" data-testid="metric-model">{ours}</td>
                                    <td class="num" data-testid="metric-baseline">{baseline}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <div class="charts-row">{charts}</div>
            <ColumnImpact impact=report.column_impact.clone() metric=metric_label(report.metric) />
        </section>
    }
}

fn regression_rows(
    ours: &RegressionScores,
    baseline: &RegressionScores,
) -> Vec<(&'static str, String, String)> {
    vec![
        ("r2", score_cell(ours.r2), score_cell(baseline.r2)),
        ("rmse", score_cell(ours.rmse), score_cell(baseline.rmse)),
        ("mae", score_cell(ours.mae), score_cell(baseline.mae)),
        (
            "mape",
            optional_cell(ours.mape),
            optional_cell(baseline.mape),
        ),
    ]
}

fn classification_rows(
    ours: &ClassificationScores,
    baseline: &ClassificationScores,
) -> Vec<(&'static str, String, String)> {
    type Score = fn(&ClassificationScores) -> f64;
    let pick: [(&'static str, Score); 9] = [
        ("accuracy", |s| s.accuracy),
        ("balanced_accuracy", |s| s.balanced_accuracy),
        ("precision_macro", |s| s.macro_precision),
        ("recall_macro", |s| s.macro_recall),
        ("f1_macro", |s| s.macro_f1),
        ("precision_weighted", |s| s.weighted_precision),
        ("recall_weighted", |s| s.weighted_recall),
        ("f1_weighted", |s| s.weighted_f1),
        ("log_loss", |s| s.log_loss),
    ];
    let mut rows: Vec<(&'static str, String, String)> = pick
        .iter()
        .map(|(name, f)| (*name, score_cell(f(ours)), score_cell(f(baseline))))
        .collect();
    rows.insert(
        5,
        (
            "roc_auc",
            optional_cell(ours.roc_auc),
            optional_cell(baseline.roc_auc),
        ),
    );
    rows
}

#[component]
fn RegressionCharts(points: Vec<compute::automl::RegressionPoint>) -> impl IntoView {
    let n = points.len() as u64;
    let actual_vs_predicted = PairSample {
        x_column: "actual".into(),
        y_column: "predicted".into(),
        x: points.iter().map(|p| p.actual).collect(),
        y: points.iter().map(|p| p.predicted).collect(),
        n_pairs: n,
    };
    let residuals = PairSample {
        x_column: "predicted".into(),
        y_column: "residual (actual − predicted)".into(),
        x: points.iter().map(|p| p.predicted).collect(),
        y: points.iter().map(|p| p.residual).collect(),
        n_pairs: n,
    };
    view! {
        <div class="chart-box" data-testid="predicted-vs-actual">
            <h4>"Predicted vs actual"</h4>
            <ScatterPlot sample=actual_vs_predicted reference=ScatterReference::Identity />
        </div>
        <div class="chart-box" data-testid="residual-plot">
            <h4>"Residuals"</h4>
            <ScatterPlot sample=residuals reference=ScatterReference::Zero />
        </div>
    }
}

#[component]
fn ConfusionMatrix(classes: Vec<String>, matrix: Vec<Vec<u64>>) -> impl IntoView {
    view! {
        <div class="chart-box">
            <h4>"Confusion matrix"</h4>
            <table class="confusion" data-testid="confusion-matrix">
                <thead>
                    <tr>
                        <th class="corner">"actual ↓ · predicted →"</th>
                        {classes.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {matrix
                        .iter()
                        .enumerate()
                        .map(|(i, row)| {
                            let total = row.iter().sum::<u64>().max(1) as f64;
                            view! {
                                <tr>
                                    <th>{classes.get(i).cloned().unwrap_or_default()}</th>
                                    {row
                                        .iter()
                                        .enumerate()
                                        .map(|(j, &count)| {
                                            let share = count as f64 / total;
                                            let style = format!(
                                                "background: rgba({}, {:.3}); color: {}",
                                                if i == j { "31,78,121" } else { "180,35,24" },
                                                0.08 + 0.8 * share,
                                                if share > 0.5 { "#fff" } else { "inherit" }
                                            );
                                            view! {
                                                <td
                                                    class="num"
                                                    data-testid="confusion-cell"
                                                    style=style
                                                    title=format!("{count} rows ({:.1}% of this class)", share * 100.0)
                                                >
                                                    {count}
                                                </td>
                                            }
                                        })
                                        .collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Curves(curves: Vec<ClassCurves>) -> impl IntoView {
    if curves.is_empty() {
        return ().into_any();
    }
    let chosen = RwSignal::new(0usize);
    let names: Vec<String> = curves.iter().map(|c| c.class.clone()).collect();
    let curves = StoredValue::new(curves);
    view! {
        <div class="chart-box" data-testid="curves">
            <h4>
                "ROC and precision-recall, class "
                <select
                    data-testid="curve-class"
                    on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))
                >
                    {names
                        .into_iter()
                        .enumerate()
                        .map(|(i, name)| view! { <option value=i.to_string()>{name}</option> })
                        .collect_view()}
                </select>
            </h4>
            {move || {
                let curve = curves.with_value(|c| c[chosen.get().min(c.len() - 1)].clone());
                let roc: Vec<(f64, f64)> = curve.roc.iter().map(|p| (p.fpr, p.tpr)).collect();
                let pr: Vec<(f64, f64)> = curve
                    .precision_recall
                    .iter()
                    .map(|p| (p.recall, p.precision))
                    .collect();
                view! {
                    <div class="curve-pair">
                        <CurveChart
                            points=roc
                            x_label="false positive rate"
                            y_label="true positive rate"
                            diagonal=true
                            caption=format!("ROC AUC {}", optional_cell(curve.roc_auc))
                        />
                        <CurveChart
                            points=pr
                            x_label="recall"
                            y_label="precision"
                            diagonal=false
                            caption=format!("average precision {}", optional_cell(curve.average_precision))
                        />
                    </div>
                }
            }}
        </div>
    }
    .into_any()
}

#[component]
fn ColumnImpact(impact: Vec<compute::automl::ColumnImpact>, metric: &'static str) -> impl IntoView {
    let top = impact
        .iter()
        .map(|c| c.importance_mean)
        .fold(0.0f64, f64::max)
        .max(1e-12);
    view! {
        <div class="column-impact" data-testid="column-impact">
            <h4>"Column impact"</h4>
            <p class="hint">
                {format!("How much {metric} drops on held-out rows when the column's values are shuffled (mean ± std over repeats).")}
            </p>
            <ul class="feature-power">
                {impact
                    .into_iter()
                    .map(|c| {
                        let width = (c.importance_mean.max(0.0) / top * 200.0).round();
                        view! {
                            <li data-testid="impact-bar" data-column=c.column.clone()>
                                <span class="fp-name">{c.column.clone()}</span>
                                <span class="fp-bar" style=format!("width:{width}px")></span>
                                <span class="fp-value">
                                    {format!("{:.4} ± {:.4}", c.importance_mean, c.importance_std)}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn Leaderboard(
    rows: Vec<compute::automl::LeaderboardRow>,
    metric: compute::ml::Metric,
) -> impl IntoView {
    view! {
        <section class="leaderboard-section">
            <h3>"Leaderboard"</h3>
            <table class="leaderboard" data-testid="leaderboard">
                <thead>
                    <tr>
                        <th class="num">"Rank"</th>
                        <th>"Candidate"</th>
                        <th>"Estimator"</th>
                        <th class="num">{format!("{} (mean ± std)", metric_label(metric))}</th>
                        <th class="num">"Fit time"</th>
                        <th>"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let score = match (row.cv_mean, row.cv_std) {
                                (Some(mean), Some(std)) => format!("{mean:.4} ± {std:.4}"),
                                _ => "—".to_string(),
                            };
                            let status = match &row.status {
                                CandidateStatus::Done => "done".to_string(),
                                CandidateStatus::Failed { message } => format!("failed: {message}"),
                                CandidateStatus::Skipped => "skipped (time budget)".to_string(),
                            };
                            view! {
                                <tr data-testid="leaderboard-row" class:best=row.rank == Some(1)>
                                    <td class="num">{row.rank.map_or("—".to_string(), |r| r.to_string())}</td>
                                    <td><code>{row.label.clone()}</code></td>
                                    <td>{row.algorithm.clone()}</td>
                                    <td class="num" data-testid="leaderboard-score">{score}</td>
                                    <td class="num">{format!("{:.2} s", row.fit_secs)}</td>
                                    <td>{status}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The text a what-if field starts with.
fn initial_values(inputs: &[ModelInput]) -> BTreeMap<String, Option<String>> {
    inputs
        .iter()
        .map(|input| (input.name.clone(), input.default.clone()))
        .collect()
}

/// The words the text model weighs most for each class, as chips, strongest first.
#[component]
fn TopWords(classes: Vec<ClassWords>) -> impl IntoView {
    view! {
        <section class="top-words" data-testid="top-words">
            <h3>"Top words per class"</h3>
            <p class="hint">"The terms that speak most for each class: naive Bayes ranks by log probability ratio, logistic regression by coefficient."</p>
            {classes
                .into_iter()
                .map(|entry| {
                    view! {
                        <div class="top-words-class" data-testid="top-words-class" data-class=entry.class.clone()>
                            <strong>{entry.class.clone()}</strong>
                            <ul class="chips">
                                {entry
                                    .words
                                    .into_iter()
                                    .map(|word| view! {
                                        <li data-testid="top-word" title=format!("{:.3}", word.score)>{word.term}</li>
                                    })
                                    .collect_view()}
                            </ul>
                        </div>
                    }
                })
                .collect_view()}
        </section>
    }
}

#[component]
fn WhatIf(model_id: String, inputs: Vec<ModelInput>, text_columns: Vec<String>) -> impl IntoView {
    let values = RwSignal::new(initial_values(&inputs));
    let result = RwSignal::new(None::<Result<OnePrediction, String>>);
    let seq = StoredValue::new(0u64);
    // Every edit asks the worker again; only the latest answer is shown.
    Effect::new(move |_| {
        let values = values.get();
        seq.update_value(|s| *s += 1);
        let mine = seq.get_value();
        let model_id = model_id.clone();
        spawn_local(async move {
            let request = Request::PredictOne { model_id, values };
            let reply = bridge::call(request, None, |_| {}).await;
            if result.is_disposed() || seq.get_value() != mine {
                return;
            }
            result.set(Some(match reply {
                Ok(Reply::Prediction { prediction, .. }) => Ok(prediction),
                Ok(other) => Err(format!("unexpected reply: {other:?}")),
                Err(error) => Err(format::error(&error)),
            }));
        });
    });
    let defaults = initial_values(&inputs);
    let fields = inputs
        .into_iter()
        .map(|input| {
            let is_text = text_columns.contains(&input.name);
            view! { <WhatIfField input=input values=values is_text=is_text /> }
        })
        .collect_view();
    view! {
        <section class="what-if" data-testid="what-if">
            <h3>"What if"</h3>
            <p class="hint">"Change any value: the prediction follows. Fields start at the training rows' median or most frequent value."</p>
            <div class="what-if-grid">
                <form class="what-if-fields" on:submit=|ev| ev.prevent_default()>{fields}</form>
                <div class="what-if-result">
                    {move || match result.get() {
                        None => view! { <p class="hint">"Predicting…"</p> }.into_any(),
                        Some(Err(message)) => view! { <p class="error" role="alert" data-testid="whatif-error">{message}</p> }.into_any(),
                        Some(Ok(prediction)) => view! { <PredictionView prediction=prediction /> }.into_any(),
                    }}
                    <button
                        data-testid="whatif-reset"
                        on:click={
                            let defaults = defaults.clone();
                            move |_| values.set(defaults.clone())
                        }
                    >
                        "Reset to defaults"
                    </button>
                </div>
            </div>
        </section>
    }
}

#[component]
fn PredictionView(prediction: OnePrediction) -> impl IntoView {
    view! {
        <p class="prediction">
            "Prediction: "
            <strong data-testid="whatif-prediction">{prediction.prediction.clone()}</strong>
        </p>
        <ul class="feature-power">
            {prediction
                .probabilities
                .iter()
                .map(|(class, p)| {
                    view! {
                        <li data-testid="whatif-proba" data-class=class.clone()>
                            <span class="fp-name">{class.clone()}</span>
                            <span class="fp-bar" style=format!("width:{:.0}px", p * 200.0)></span>
                            <span class="fp-value">{format!("{:.1}%", p * 100.0)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <ul class="warnings">
            {prediction
                .warnings
                .iter()
                .map(|w| view! { <li class="warning" data-testid="whatif-warning">{w.clone()}</li> })
                .collect_view()}
        </ul>
    }
}

#[component]
fn WhatIfField(
    input: ModelInput,
    values: RwSignal<BTreeMap<String, Option<String>>>,
    /// A free-text input: a text area, the prediction following each edit.
    is_text: bool,
) -> impl IntoView {
    let name = input.name.clone();
    let name_for_value = name.clone();
    let current = move || {
        values.with(|v| {
            v.get(&name_for_value)
                .cloned()
                .flatten()
                .unwrap_or_default()
        })
    };
    let set = move |text: String| {
        let name = name.clone();
        values.update(|v| {
            v.insert(name, Some(text).filter(|t| !t.is_empty()));
        });
    };
    let choices: Option<Vec<String>> = match input.column_type {
        ColumnType::Boolean => Some(vec!["false".into(), "true".into()]),
        ColumnType::Categorical | ColumnType::String
            if !input.categories.is_empty() && input.categories.len() <= MAX_LISTED_CATEGORIES =>
        {
            Some(input.categories.clone())
        }
        _ => None,
    };
    let control = match choices {
        None if is_text => view! {
            <textarea
                data-testid="whatif-input"
                data-column=input.name.clone()
                rows="5"
                placeholder="Type or paste a text"
                prop:value=current
                on:change=move |ev| set(event_target_value(&ev))
            ></textarea>
        }
        .into_any(),
        Some(choices) => view! {
            <select
                data-testid="whatif-input"
                data-column=input.name.clone()
                prop:value=current
                on:change=move |ev| set(event_target_value(&ev))
            >
                <option value="">"(missing)"</option>
                {choices.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
            </select>
        }
        .into_any(),
        None => view! {
            <input
                data-testid="whatif-input"
                data-column=input.name.clone()
                inputmode=if matches!(input.column_type, ColumnType::Integer | ColumnType::Float) { "decimal" } else { "text" }
                placeholder="(missing)"
                prop:value=current
                on:change=move |ev| set(event_target_value(&ev))
            />
        }
        .into_any(),
    };
    view! {
        <label class="what-if-field">
            <span class="field-name">{input.name.clone()}</span>
            <span class="muted">{if is_text { "free text" } else { input.column_type.label() }}</span>
            {control}
        </label>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum BatchState {
    Idle,
    Running {
        request_id: RequestId,
        fraction: f64,
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

#[component]
fn BatchPredict(model_id: String) -> impl IntoView {
    let state = RwSignal::new(BatchState::Idle);
    let predict = move |file: web_sys::File| {
        let pool = match bridge::pool() {
            Ok(pool) => pool,
            Err(e) => {
                state.set(BatchState::Failed(format::error(&e)));
                return;
            }
        };
        let request_id = pool.next_request_id();
        let file_name = file.name();
        state.set(BatchState::Running {
            request_id,
            fraction: 0.0,
            file_name: file_name.clone(),
        });
        let model_id = model_id.clone();
        spawn_local(async move {
            let request = Request::PredictCsv {
                model_id,
                file_name,
            };
            let result = pool
                .request_with_bytes(request_id, request, Some(file.into()), move |p| {
                    state.try_update(|s| {
                        if let BatchState::Running { fraction, .. } = s {
                            *fraction = p.fraction();
                        }
                    });
                })
                .await;
            if state.is_disposed() {
                return;
            }
            state.set(match result {
                Ok((
                    Reply::PredictedCsv {
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
        <section class="batch" data-testid="batch">
            <h3>"Batch prediction"</h3>
            <p class="hint">
                "Choose a CSV with the model's columns: you get it back with a prediction column (and one probability column per class). The file stays on this device."
            </p>
            <label class="button">
                "Predict a CSV file"
                <input
                    type="file"
                    class="hidden-input"
                    accept=".csv,.tsv,.txt,text/csv"
                    data-testid="batch-input"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            predict(file);
                        }
                        input.set_value("");
                    }
                />
            </label>
            {move || match state.get() {
                BatchState::Idle => ().into_any(),
                BatchState::Running { request_id, fraction, file_name } => view! {
                    <div class="job" data-testid="batch-job">
                        <span class="job-name">{file_name}</span>
                        <progress max="1" value=fraction></progress>
                        <button
                            data-testid="batch-cancel"
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
                .into_any(),
                BatchState::Done { file_name, n_rows, size_bytes, warnings } => view! {
                    <p class="done" data-testid="batch-done">
                        {format!(
                            "Predicted {} rows: {file_name} ({}) downloaded.",
                            format::count(n_rows),
                            format::bytes(size_bytes)
                        )}
                    </p>
                    <ul class="warnings">
                        {warnings.into_iter().map(|w| view! { <li class="warning" data-testid="batch-warning">{w}</li> }).collect_view()}
                    </ul>
                }
                .into_any(),
                BatchState::Failed(message) => view! {
                    <p class="error" role="alert" data-testid="batch-error">{message}</p>
                }
                .into_any(),
            }}
        </section>
    }
}

#[derive(Clone)]
enum ThumbnailsState {
    Loading,
    Ready(std::rc::Rc<crate::pages::images::ThumbnailUrls>),
    Failed(String),
}

/// Holdout images an image model got wrong, the most confident first, beside the confusion
/// matrix: each thumbnail with its true and predicted class.
#[component]
fn Misclassified(info: ImageModelInfo) -> impl IntoView {
    let examples = info.misclassified.clone();
    let loaded = RwSignal::new_local(ThumbnailsState::Loading);
    if !examples.is_empty() {
        let files = examples.iter().map(|e| e.file.clone()).collect();
        let image_set_id = info.image_set_id.clone();
        spawn_local(async move {
            let result = crate::pages::images::thumbnail_urls(
                image_set_id,
                compute::protocol::ThumbnailSelect::Files { files },
            )
            .await;
            loaded.try_set(match result {
                Ok(urls) => ThumbnailsState::Ready(std::rc::Rc::new(urls)),
                Err(message) => ThumbnailsState::Failed(message),
            });
        });
    }
    let n_examples = examples.len();
    view! {
        <section class="misclassified" data-testid="misclassified">
            <h3>"Misclassified images"</h3>
            {if n_examples == 0 {
                view! { <p class="hint" data-testid="misclassified-none">"Every held-out image was classified right."</p> }.into_any()
            } else {
                view! {
                    <p class="hint">{format!("{n_examples} held-out images the model got wrong, the most confident mistakes first.")}</p>
                    {move || {
                        let urls = match loaded.get() {
                            ThumbnailsState::Loading => None,
                            ThumbnailsState::Ready(urls) => Some(urls),
                            ThumbnailsState::Failed(message) => {
                                return view! { <p class="error" role="alert" data-testid="misclassified-error">{message}</p> }.into_any();
                            }
                        };
                        let url_of = |file: &str| {
                            urls.as_ref().and_then(|urls| {
                                urls.thumbnails
                                    .iter()
                                    .find(|(t, _)| t.file == file)
                                    .map(|(_, url)| url.clone())
                            })
                        };
                        view! {
                            <div class="thumbs">
                                {examples.iter().map(|example| {
                                    let url = url_of(&example.file);
                                    view! {
                                        <figure class="thumb-card" data-testid="misclassified-example" title=example.file.clone()>
                                            {url.map(|url| view! { <img src=url alt=example.file.clone() /> })}
                                            <figcaption>
                                                <span data-testid="misclassified-true">{format!("true {}", example.true_class)}</span>
                                                <br />
                                                <span data-testid="misclassified-predicted">{format!("predicted {} ({:.0}%)", example.predicted, example.probability * 100.0)}</span>
                                            </figcaption>
                                        </figure>
                                    }
                                }).collect_view()}
                            </div>
                        }
                        .into_any()
                    }}
                }
                .into_any()
            }}
        </section>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum ImagePredictState {
    Idle,
    Running,
    Done(OnePrediction),
    Failed(String),
}

/// A dropped or picked image through an image model: the image shown (a Blob URL of the
/// file itself), its class and every class's probability.
#[component]
fn ImagePredict(model_id: String) -> impl IntoView {
    let state = RwSignal::new(ImagePredictState::Idle);
    let preview = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    on_cleanup(move || {
        if let Some(url) = preview.try_get_untracked().flatten() {
            web_sys::Url::revoke_object_url(&url).ok();
        }
    });
    let predict = Callback::new(move |file: web_sys::File| {
        if let Some(old) = preview.get_untracked() {
            web_sys::Url::revoke_object_url(&old).ok();
        }
        preview.set(web_sys::Url::create_object_url_with_blob(&file).ok());
        state.set(ImagePredictState::Running);
        let request = Request::PredictImage {
            model_id: model_id.clone(),
            file_name: file.name(),
        };
        spawn_local(async move {
            let result = bridge::call(request, Some(file.into()), |_| {}).await;
            state.try_set(match result {
                Ok(Reply::Prediction { prediction, .. }) => ImagePredictState::Done(prediction),
                Ok(other) => ImagePredictState::Failed(format!("unexpected reply: {other:?}")),
                Err(error) => ImagePredictState::Failed(format::error(&error)),
            });
        });
    });
    view! {
        <section class="image-predict" data-testid="image-predict">
            <h3>"Predict an image"</h3>
            <div
                class="drop-zone"
                class:dragging=move || dragging.get()
                data-testid="image-predict-drop"
                on:dragover=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    dragging.set(false);
                    if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                        predict.run(file);
                    }
                }
            >
                <p>"Drop a PNG or JPEG image here, or "</p>
                <label class="file-button">
                    "pick one"
                    <input
                        type="file"
                        accept="image/png,image/jpeg,.png,.jpg,.jpeg"
                        data-testid="image-predict-input"
                        on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            let file = input.files().and_then(|list| list.get(0));
                            input.set_value("");
                            if let Some(file) = file {
                                predict.run(file);
                            }
                        }
                    />
                </label>
            </div>
            {move || preview.get().map(|url| view! { <img class="predict-preview" src=url alt="the image predicted" data-testid="image-predict-preview" /> })}
            {move || match state.get() {
                ImagePredictState::Idle => ().into_any(),
                ImagePredictState::Running => view! { <p class="hint">"Predicting…"</p> }.into_any(),
                ImagePredictState::Done(prediction) => view! {
                    <div data-testid="image-prediction"><PredictionView prediction=prediction /></div>
                }
                    .into_any(),
                ImagePredictState::Failed(message) => view! {
                    <p class="error" role="alert" data-testid="image-predict-error">{message}</p>
                }
                    .into_any(),
            }}
        </section>
    }
}

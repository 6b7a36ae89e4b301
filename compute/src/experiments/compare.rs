//! Runs compared side by side: params, metrics and attributes with their differences marked, learning curves on shared steps, parallel coordinates and a param-vs-metric scatter.
//!
//! [`compare_runs`] takes 2 to 20 runs and returns everything the compare view draws, so
//! the UI only lays it out: the "only differences" toggle filters rows on `differs`, the
//! bar charts read [`MetricRow::values`] (the [`HistoryView`] chosen), the overlaid curves
//! read [`CurveSet`]s, and so on.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::filter::{kind_name, parse_number};
use super::{RunKind, RunRecord, RunStatus};

/// The fewest and most runs a comparison takes.
pub const MIN_COMPARED_RUNS: usize = 2;
pub const MAX_COMPARED_RUNS: usize = 20;

/// Why runs cannot be compared.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum CompareError {
    #[error("compare takes {MIN_COMPARED_RUNS} to {MAX_COMPARED_RUNS} runs, not {count}")]
    RunCount { count: usize },
    #[error("run \"{run_id}\" not found")]
    RunNotFound { run_id: String },
    #[error("run \"{run_id}\" is chosen twice")]
    DuplicateRun { run_id: String },
}

/// Which value of a metric with a history a bar chart shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "step", rename_all = "snake_case")]
pub enum HistoryView {
    /// The final value (the run's `metrics` entry).
    #[default]
    Final,
    /// The smallest value over the steps (the final value when there is no history).
    Min,
    /// The largest value over the steps (the final value when there is no history).
    Max,
    /// The value logged at this step; none for a run that logged none there (a metric
    /// without a history has no steps).
    AtStep(u64),
}

/// What to compare besides the tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareOptions {
    #[serde(default)]
    pub view: HistoryView,
    /// The (param, metric) pair of the scatter plot.
    #[serde(default)]
    pub scatter: Option<ScatterAxes>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScatterAxes {
    pub param: String,
    pub metric: String,
}

/// A compared run, in the order given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparedRun {
    pub run_id: String,
    pub name: String,
    pub kind: RunKind,
    pub status: RunStatus,
}

/// A text row (a param or an attribute): one value per run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextRow {
    pub key: String,
    pub values: Vec<Option<String>>,
    /// Whether the runs do not all hold the same value (a missing value differs from any).
    pub differs: bool,
}

/// A metric row: one value per run, by the [`HistoryView`] asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    pub key: String,
    /// `None` where the run lacks the metric, or its value is not finite (JSON has no NaN).
    pub values: Vec<Option<f64>>,
    pub differs: bool,
}

/// A metric's histories on shared steps: `values[run][i]` is the run's value at `steps[i]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurveSet {
    pub key: String,
    /// Every step any compared run logged, ascending.
    pub steps: Vec<u64>,
    pub values: Vec<Vec<Option<f64>>>,
}

/// A parallel-coordinates axis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// `params.<name>` or `metrics.<name>`.
    pub key: String,
    pub scale: AxisScale,
    /// Each run's place on the axis, 0 (bottom) to 1 (top); `None` where it lacks the key.
    pub positions: Vec<Option<f64>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AxisScale {
    /// Runs placed by `(value - min) / (max - min)` (all at 0.5 when min equals max).
    Numeric { min: f64, max: f64 },
    /// Runs placed evenly by category, in this order (numbers first, by value).
    Categorical { categories: Vec<String> },
}

/// A scatter point: one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScatterPoint {
    /// The run's position in [`Comparison::runs`].
    pub run: usize,
    /// The param's value, or its category's index for a categorical param.
    pub x: f64,
    /// The param's value as logged.
    pub x_label: String,
    pub y: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scatter {
    pub param: String,
    pub metric: String,
    /// Set for a param whose values are not all numbers: `x` is an index into it.
    pub categories: Option<Vec<String>>,
    /// Runs lacking either value are left out.
    pub points: Vec<ScatterPoint>,
}

/// Everything the compare view shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub runs: Vec<ComparedRun>,
    /// Dataset, its content hash, recipes, seed, code version, status, duration.
    pub attributes: Vec<TextRow>,
    /// The union of the runs' param keys, sorted.
    pub params: Vec<TextRow>,
    /// The union of the runs' metric keys, sorted.
    pub metrics: Vec<MetricRow>,
    pub view: HistoryView,
    /// One per metric with a history in any run, sorted by key.
    pub curves: Vec<CurveSet>,
    /// Params whose values differ, then every metric (by the view), as axes.
    pub parallel_coordinates: Vec<Axis>,
    pub scatter: Option<Scatter>,
}

/// The runs named by `run_ids`, in that order.
pub fn select_runs<'a>(
    runs: &'a [RunRecord],
    run_ids: &[String],
) -> Result<Vec<&'a RunRecord>, CompareError> {
    let mut chosen: Vec<&RunRecord> = Vec::with_capacity(run_ids.len());
    for run_id in run_ids {
        if chosen.iter().any(|run| &run.run_id == run_id) {
            return Err(CompareError::DuplicateRun {
                run_id: run_id.clone(),
            });
        }
        let run = runs
            .iter()
            .find(|run| &run.run_id == run_id)
            .ok_or_else(|| CompareError::RunNotFound {
                run_id: run_id.clone(),
            })?;
        chosen.push(run);
    }
    Ok(chosen)
}

/// Compares 2 to 20 runs.
pub fn compare_runs(
    runs: &[&RunRecord],
    options: &CompareOptions,
) -> Result<Comparison, CompareError> {
    if !(MIN_COMPARED_RUNS..=MAX_COMPARED_RUNS).contains(&runs.len()) {
        return Err(CompareError::RunCount { count: runs.len() });
    }
    let param_keys: BTreeSet<&str> = runs
        .iter()
        .flat_map(|run| run.params.keys().map(String::as_str))
        .collect();
    let metric_keys: BTreeSet<&str> = runs
        .iter()
        .flat_map(|run| {
            run.metrics
                .keys()
                .map(String::as_str)
                .chain(run.history.iter().map(|h| h.key.as_str()))
        })
        .collect();

    let params: Vec<TextRow> = param_keys
        .iter()
        .map(|&key| {
            text_row(
                key,
                runs.iter()
                    .map(|run| run.params.get(key).cloned())
                    .collect(),
            )
        })
        .collect();
    let metrics: Vec<MetricRow> = metric_keys
        .iter()
        .map(|&key| {
            let values: Vec<Option<f64>> = runs
                .iter()
                .map(|run| metric_value(run, key, options.view))
                .collect();
            let differs = values
                .windows(2)
                .any(|pair| pair[0].map(f64::to_bits) != pair[1].map(f64::to_bits));
            MetricRow {
                key: key.to_string(),
                values,
                differs,
            }
        })
        .collect();

    let mut parallel_coordinates: Vec<Axis> = params
        .iter()
        .filter(|row| row.differs)
        .map(|row| axis(format!("params.{}", row.key), &row.values))
        .collect();
    parallel_coordinates.extend(
        metrics
            .iter()
            .filter_map(|row| numeric_axis(format!("metrics.{}", row.key), &row.values)),
    );

    let scatter = options
        .scatter
        .as_ref()
        .map(|axes| scatter(runs, axes, options.view));

    Ok(Comparison {
        runs: runs
            .iter()
            .map(|run| ComparedRun {
                run_id: run.run_id.clone(),
                name: run.name.clone(),
                kind: run.kind,
                status: run.status,
            })
            .collect(),
        attributes: attribute_rows(runs),
        params,
        metrics,
        view: options.view,
        curves: curves(runs),
        parallel_coordinates,
        scatter,
    })
}

fn text_row(key: &str, values: Vec<Option<String>>) -> TextRow {
    let differs = values.windows(2).any(|pair| pair[0] != pair[1]);
    TextRow {
        key: key.to_string(),
        values,
        differs,
    }
}

fn attribute_rows(runs: &[&RunRecord]) -> Vec<TextRow> {
    let row = |key: &str, value: &dyn Fn(&RunRecord) -> Option<String>| {
        text_row(key, runs.iter().map(|run| value(run)).collect())
    };
    vec![
        row("kind", &|run| Some(kind_name(run.kind).to_string())),
        row("status", &|run| Some(run.status.name().to_string())),
        row("duration", &|run| Some(format!("{}", run.duration_secs))),
        row("dataset", &|run| run.dataset_name.clone()),
        row("dataset_content_hash", &|run| {
            run.dataset_content_hash.clone()
        }),
        row("recipe_hashes", &|run| {
            (!run.recipe_hashes.is_empty()).then(|| run.recipe_hashes.join(", "))
        }),
        row("seed", &|run| run.seed.map(|seed| seed.to_string())),
        row("code_version", &|run| Some(run.code_version.clone())),
        row("model_id", &|run| run.model_id.clone()),
    ]
}

/// A metric's value under `view`; non-finite values count as missing.
fn metric_value(run: &RunRecord, key: &str, view: HistoryView) -> Option<f64> {
    let history = run.history(key);
    let finite = |v: &f64| v.is_finite();
    let steps = || {
        history
            .into_iter()
            .flat_map(|h| h.steps.iter().map(|s| s.value))
            .filter(finite)
    };
    let value = match view {
        HistoryView::Final => run.metrics.get(key).copied(),
        HistoryView::Min if history.is_some() => steps().reduce(f64::min),
        HistoryView::Max if history.is_some() => steps().reduce(f64::max),
        HistoryView::Min | HistoryView::Max => run.metrics.get(key).copied(),
        HistoryView::AtStep(step) => history.and_then(|h| {
            h.steps
                .iter()
                .rev()
                .find(|s| s.step == step)
                .map(|s| s.value)
        }),
    };
    value.filter(finite)
}

fn curves(runs: &[&RunRecord]) -> Vec<CurveSet> {
    let keys: BTreeSet<&str> = runs
        .iter()
        .flat_map(|run| run.history.iter().map(|h| h.key.as_str()))
        .collect();
    keys.into_iter()
        .map(|key| {
            let steps: BTreeSet<u64> = runs
                .iter()
                .filter_map(|run| run.history(key))
                .flat_map(|h| h.steps.iter().map(|s| s.step))
                .collect();
            let steps: Vec<u64> = steps.into_iter().collect();
            let values = runs
                .iter()
                .map(|run| {
                    let mut at: BTreeMap<u64, f64> = BTreeMap::new();
                    if let Some(history) = run.history(key) {
                        // A step logged twice keeps its last value, as MLflow's latest.
                        for step in &history.steps {
                            at.insert(step.step, step.value);
                        }
                    }
                    steps
                        .iter()
                        .map(|step| at.get(step).copied().filter(|v| v.is_finite()))
                        .collect()
                })
                .collect();
            CurveSet {
                key: key.to_string(),
                steps,
                values,
            }
        })
        .collect()
}

/// Categories of text values: numbers first by value, then words by their text.
fn categories(values: &[Option<String>]) -> Vec<String> {
    let distinct: BTreeSet<&str> = values.iter().flatten().map(String::as_str).collect();
    let mut categories: Vec<&str> = distinct.into_iter().collect();
    categories.sort_by(|a, b| match (parse_number(a), parse_number(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y).then(a.cmp(b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    });
    categories.into_iter().map(str::to_string).collect()
}

/// A param's axis: numeric when every present value is a number, else categorical.
fn axis(key: String, values: &[Option<String>]) -> Axis {
    let numbers: Option<Vec<Option<f64>>> = values
        .iter()
        .map(|value| match value {
            None => Some(None),
            Some(text) => parse_number(text).map(Some),
        })
        .collect();
    if let Some(axis) = numbers.and_then(|numbers| numeric_axis(key.clone(), &numbers)) {
        return axis;
    }
    let categories = categories(values);
    let last = categories.len().saturating_sub(1);
    let positions = values
        .iter()
        .map(|value| {
            let index = categories.iter().position(|c| Some(c) == value.as_ref())?;
            Some(if last == 0 {
                0.5
            } else {
                index as f64 / last as f64
            })
        })
        .collect();
    Axis {
        key,
        scale: AxisScale::Categorical { categories },
        positions,
    }
}

/// A numeric axis; `None` when no run has a value.
fn numeric_axis(key: String, values: &[Option<f64>]) -> Option<Axis> {
    let present = values.iter().flatten().copied();
    let min = present.clone().reduce(f64::min)?;
    let max = present.reduce(f64::max)?;
    let positions = values
        .iter()
        .map(|value| {
            value.map(|v| {
                if max > min {
                    (v - min) / (max - min)
                } else {
                    0.5
                }
            })
        })
        .collect();
    Some(Axis {
        key,
        scale: AxisScale::Numeric { min, max },
        positions,
    })
}

fn scatter(runs: &[&RunRecord], axes: &ScatterAxes, view: HistoryView) -> Scatter {
    let labels: Vec<Option<String>> = runs
        .iter()
        .map(|run| run.params.get(&axes.param).cloned())
        .collect();
    let numeric = labels
        .iter()
        .flatten()
        .all(|label| parse_number(label).is_some());
    let categories = (!numeric).then(|| categories(&labels));
    let points = runs
        .iter()
        .zip(&labels)
        .enumerate()
        .filter_map(|(index, (run, label))| {
            let label = label.as_ref()?;
            let y = metric_value(run, &axes.metric, view)?;
            let x = match &categories {
                None => parse_number(label)?,
                Some(categories) => categories.iter().position(|c| c == label)? as f64,
            };
            Some(ScatterPoint {
                run: index,
                x,
                x_label: label.clone(),
                y,
            })
        })
        .collect();
    Scatter {
        param: axes.param.clone(),
        metric: axes.metric.clone(),
        categories,
        points,
    }
}

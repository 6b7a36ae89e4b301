//! Runs from a forecasting job: the build's parent run and one child run per candidate method its rolling-origin backtest ranked, read from the forecast report.
//!
//! Names follow statsmodels and the shared reference scores, so the runs table compares
//! forecasts like any other runs:
//!
//! * **params**: `task` = `forecast`, `target`, `time_column`, `item_column`, `covariates`,
//!   `horizon`, `frequency` (pandas' alias: `MS`, `D`…), `season_length`,
//!   `n_backtest_origins`, `seed`, `n_series`, `n_history`; the chosen `method` (the
//!   leaderboard's label, e.g. `HoltWinters(trend=add,seasonal=mul,m=12)`).
//! * **metrics**: the chosen method's backtest `mae`, `rmse`, `mape`, `smape` and `mase`
//!   (the mean over series when there are several); each candidate its own and its `rank`.
//! * **tags**: `source` = `forecast`, `estimator` (the label), `best` = `true` on the kept
//!   candidate, `error` with a failed candidate's message, `warnings`.

use std::collections::BTreeMap;

use super::build::{base_run, insert_finite, BuildContext};
use super::{RunKind, RunRecord, RunStatus};
use crate::forecast::{ForecastMetrics, ForecastOptions, ForecastReport};

/// Means of metrics over series (each `None` where no series had it).
fn mean_metrics(all: &[ForecastMetrics]) -> BTreeMap<&'static str, f64> {
    let mut sums: BTreeMap<&'static str, (f64, usize)> = BTreeMap::new();
    for metrics in all {
        let values = [
            ("mae", Some(metrics.mae)),
            ("rmse", Some(metrics.rmse)),
            ("mape", metrics.mape),
            ("smape", Some(metrics.smape)),
            ("mase", metrics.mase),
        ];
        for (name, value) in values {
            if let Some(value) = value.filter(|v| v.is_finite()) {
                let entry = sums.entry(name).or_insert((0.0, 0));
                entry.0 += value;
                entry.1 += 1;
            }
        }
    }
    sums.into_iter()
        .map(|(name, (sum, n))| (name, sum / n as f64))
        .collect()
}

/// The build's run, then one run per candidate method (by label, its metrics the mean
/// over the series it was tried on), best first.
pub fn runs_for_forecast(
    report: &ForecastReport,
    options: &ForecastOptions,
    context: &BuildContext<'_>,
) -> Vec<RunRecord> {
    let build_run_id = match &context.run_ids {
        super::RunIds::Derived { build_run_id } | super::RunIds::Given { build_run_id, .. } => {
            build_run_id.clone()
        }
    };
    let first = report.items.first();
    let mut params = BTreeMap::new();
    let mut put = |key: &str, value: String| {
        params.insert(key.to_string(), value);
    };
    put("task", "forecast".to_string());
    put("target", report.target.clone());
    put("time_column", report.time_column.clone());
    put(
        "item_column",
        report
            .item_column
            .clone()
            .unwrap_or_else(|| "None".to_string()),
    );
    put(
        "covariates",
        serde_json::to_string(&report.covariates).expect("names always serialize"),
    );
    put("horizon", report.horizon.to_string());
    put("n_backtest_origins", options.n_backtest_origins.to_string());
    put("seed", options.seed.to_string());
    put("n_series", report.items.len().to_string());
    if let Some(first) = first {
        put("frequency", first.frequency.alias().to_string());
        put("season_length", first.season_length.to_string());
        put("n_history", first.n_history.to_string());
    }

    let mut build = base_run(context, build_run_id.clone(), options.seed);
    build.kind = RunKind::Build;
    build.status = RunStatus::Finished;
    build.duration_secs = context.duration_secs;
    build.params = params.clone();
    let best_label = first
        .map(|item| item.best_label.clone())
        .unwrap_or_default();
    build.name = context
        .run_name
        .clone()
        .unwrap_or_else(|| match &context.dataset_name {
            Some(dataset) => format!("{best_label} on {dataset}"),
            None => best_label.clone(),
        });
    build
        .params
        .insert("method".to_string(), best_label.clone());
    build.model_id = context.model_id.clone();
    build.action_id = context.action_id.clone();
    build.tags = BTreeMap::from([
        ("source".to_string(), "forecast".to_string()),
        ("estimator".to_string(), best_label),
    ]);
    if !report.warnings.is_empty() {
        let warnings: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
        build
            .tags
            .insert("warnings".to_string(), warnings.join("\n"));
    }
    let chosen: Vec<ForecastMetrics> = report
        .items
        .iter()
        .filter_map(|item| {
            item.leaderboard
                .iter()
                .find(|row| row.rank == Some(1))
                .and_then(|row| row.backtest)
        })
        .collect();
    for (name, value) in mean_metrics(&chosen) {
        insert_finite(&mut build.metrics, name, value);
    }

    // Candidates by label, in the first series' leaderboard order.
    let mut labels: Vec<String> = Vec::new();
    for item in &report.items {
        for row in &item.leaderboard {
            if !labels.contains(&row.label) {
                labels.push(row.label.clone());
            }
        }
    }
    let mut runs = vec![build];
    for (index, label) in labels.iter().enumerate() {
        let rows: Vec<_> = report
            .items
            .iter()
            .filter_map(|item| item.leaderboard.iter().find(|row| &row.label == label))
            .collect();
        let mut run = base_run(context, format!("{build_run_id}-c{index}"), options.seed);
        run.kind = RunKind::Candidate;
        run.parent_run_id = Some(build_run_id.clone());
        run.name = label.clone();
        run.params = params.clone();
        run.params.insert("method".to_string(), label.clone());
        run.tags = BTreeMap::from([
            ("source".to_string(), "forecast".to_string()),
            ("estimator".to_string(), label.clone()),
        ]);
        let scored: Vec<ForecastMetrics> = rows.iter().filter_map(|row| row.backtest).collect();
        for (name, value) in mean_metrics(&scored) {
            insert_finite(&mut run.metrics, name, value);
        }
        if let Some(rank) = rows.iter().find_map(|row| row.rank) {
            run.metrics.insert("rank".to_string(), rank as f64);
            if rank == 1 && rows.iter().all(|row| row.rank == Some(1)) {
                run.tags.insert("best".to_string(), "true".to_string());
            }
        }
        if let Some(failure) = rows.iter().find_map(|row| row.failure.clone()) {
            run.status = RunStatus::Failed;
            run.tags.insert("error".to_string(), failure);
        }
        runs.push(run);
    }
    runs
}

//! The runs table: a query (experiment, filter, search, sort, columns) answered with a window of rows, as the data grid's row windows are.
//!
//! The worker holds every run; the UI sends a [`RunQuery`] as the user scrolls, sorts or
//! types, and shows the [`RunWindow`] it gets back (at most [`MAX_WINDOW_ROWS`] rows).
//! Each call filters and sorts anew: 10,000 runs took about 10 ms in a release build on a
//! busy two-core machine (`tests/experiments_table.rs` prints the time), so nothing needs
//! caching.
//!
//! Sorting: numbers by value, text by its lowercase form, numbers before text when a
//! column holds both (a param such as `max_depth` with `8` and `None`); a missing value,
//! and a `NaN` metric, sorts last whichever the direction. Ties keep the newest run
//! first, then the run id, so a window never shuffles between calls.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::filter::{parse_filter, Attribute, Key, QueryError, Value};
use super::{RunKind, RunRecord};

/// At most this many rows in one window (ARCHITECTURE.md invariant 3).
pub const MAX_WINDOW_ROWS: usize = 1_000;

/// What the runs table asks the worker.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunQuery {
    /// `None`: the runs of every experiment.
    #[serde(default)]
    pub experiment_id: Option<String>,
    /// The filter language of [`super::filter`]; empty matches every run.
    #[serde(default)]
    pub filter: String,
    /// Case-insensitive text searched in the name, the run id, param and tag keys and
    /// values, and the notes; empty matches every run.
    #[serde(default)]
    pub search: String,
    /// Whether AutoML candidates (child runs) are listed beside the builds.
    #[serde(default)]
    pub include_candidates: bool,
    /// Sort keys, most significant first; empty: newest first.
    #[serde(default)]
    pub sort: Vec<SortKey>,
    /// Column keys: attributes (`name`, `status`, `started`, `duration`, …) or
    /// `metrics.<name>`, `params.<name>`, `tags.<name>`.
    #[serde(default)]
    pub columns: Vec<String>,
    /// The first matching row to return.
    #[serde(default)]
    pub start: usize,
    /// How many rows to return (at most [`MAX_WINDOW_ROWS`]).
    #[serde(default)]
    pub len: usize,
}

/// One sort key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortKey {
    pub column: String,
    pub descending: bool,
}

/// A cell of the runs table. JSON has no NaN or infinity, so a non-finite number arrives
/// as the text `NaN`, `inf` or `-inf`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Cell {
    Missing,
    Number(f64),
    Text(String),
}

impl Cell {
    fn of(value: Option<Value<'_>>) -> Cell {
        match value {
            None => Cell::Missing,
            Some(Value::Number(number)) if number.is_finite() => Cell::Number(number),
            Some(Value::Number(number)) => Cell::Text(non_finite_text(number).to_string()),
            Some(Value::Text(text)) => Cell::Text(text.to_string()),
        }
    }
}

pub(crate) fn non_finite_text(number: f64) -> &'static str {
    if number.is_nan() {
        "NaN"
    } else if number > 0.0 {
        "inf"
    } else {
        "-inf"
    }
}

/// One row of the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    pub run_id: String,
    /// Set for a candidate: the UI may indent it under its build.
    pub parent_run_id: Option<String>,
    pub kind: RunKind,
    /// One cell per asked column, in the query's order.
    pub cells: Vec<Cell>,
}

/// The worker's answer to a [`RunQuery`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunWindow {
    /// Runs in the experiment (every experiment when none is asked), candidates included.
    pub total_runs: usize,
    /// Runs passing the candidates toggle, the filter and the search.
    pub matching: usize,
    /// The position of the first row among the matching runs.
    pub start: usize,
    pub rows: Vec<RunRow>,
    /// The columns the query asked for, in canonical form (`metrics.r2`, `status`).
    pub columns: Vec<String>,
    /// Every `metrics.`, `params.` and `tags.` key present among the experiment's runs,
    /// sorted; the attributes are [`attribute_columns`].
    pub available_columns: Vec<String>,
}

/// The attribute columns a column picker offers before the keys of
/// [`RunWindow::available_columns`].
pub fn attribute_columns() -> Vec<&'static str> {
    super::filter::ATTRIBUTES
        .iter()
        .map(|attribute| attribute.name())
        .collect()
}

/// Filters, searches and sorts `runs` as `query` asks and returns its window of rows.
pub fn query_runs(runs: &[RunRecord], query: &RunQuery) -> Result<RunWindow, QueryError> {
    let filter = parse_filter(&query.filter)?;
    let columns = query
        .columns
        .iter()
        .map(|column| Key::parse(column))
        .collect::<Result<Vec<_>, _>>()?;
    let sort = query
        .sort
        .iter()
        .map(|key| Ok((Key::parse(&key.column)?, key.descending)))
        .collect::<Result<Vec<_>, QueryError>>()?;
    let search = Search::new(&query.search);

    let in_experiment: Vec<&RunRecord> = runs
        .iter()
        .filter(|run| {
            query
                .experiment_id
                .as_ref()
                .is_none_or(|id| &run.experiment_id == id)
        })
        .collect();
    let mut matching: Vec<&RunRecord> = in_experiment
        .iter()
        .copied()
        .filter(|run| query.include_candidates || run.kind != RunKind::Candidate)
        .filter(|run| filter.matches(run))
        .filter(|run| search.matches(run))
        .collect();
    sort_runs(&mut matching, &sort);

    let start = query.start.min(matching.len());
    let end = start
        .saturating_add(query.len.min(MAX_WINDOW_ROWS))
        .min(matching.len());
    let rows = matching[start..end]
        .iter()
        .map(|run| RunRow {
            run_id: run.run_id.clone(),
            parent_run_id: run.parent_run_id.clone(),
            kind: run.kind,
            cells: columns
                .iter()
                .map(|column| Cell::of(column.value(run)))
                .collect(),
        })
        .collect();
    Ok(RunWindow {
        total_runs: in_experiment.len(),
        matching: matching.len(),
        start,
        rows,
        columns: columns.iter().map(Key::column).collect(),
        available_columns: available_columns(&in_experiment),
    })
}

/// Every `metrics.`, `params.` and `tags.` key among `runs`, sorted.
fn available_columns(runs: &[&RunRecord]) -> Vec<String> {
    let mut seen: HashSet<(u8, &str)> = HashSet::new();
    for run in runs {
        seen.extend(run.metrics.keys().map(|k| (0, k.as_str())));
        seen.extend(run.params.keys().map(|k| (1, k.as_str())));
        seen.extend(run.tags.keys().map(|k| (2, k.as_str())));
    }
    let mut columns: Vec<String> = seen
        .into_iter()
        .map(|(kind, key)| match kind {
            0 => format!("metrics.{key}"),
            1 => format!("params.{key}"),
            _ => format!("tags.{key}"),
        })
        .collect();
    columns.sort_unstable();
    columns
}

/// A value as sorting sees it.
#[derive(Clone, Copy, Debug)]
enum SortValue<'a> {
    Number(f64),
    Text(&'a str),
    Missing,
}

fn sort_value<'a>(key: &Key, run: &'a RunRecord) -> SortValue<'a> {
    match key.value(run) {
        None => SortValue::Missing,
        Some(Value::Number(number)) if number.is_nan() => SortValue::Missing,
        Some(Value::Number(number)) => SortValue::Number(number),
        Some(Value::Text(text)) => match key {
            // Params and tags are text that often holds numbers.
            Key::Param(_) | Key::Tag(_) => match super::filter::parse_number(text) {
                Some(number) => SortValue::Number(number),
                None => SortValue::Text(text),
            },
            _ => SortValue::Text(text),
        },
    }
}

/// The order of two present values, ascending.
fn compare_present(a: SortValue<'_>, b: SortValue<'_>) -> Ordering {
    match (a, b) {
        (SortValue::Number(a), SortValue::Number(b)) => a.total_cmp(&b),
        (SortValue::Number(_), SortValue::Text(_)) => Ordering::Less,
        (SortValue::Text(_), SortValue::Number(_)) => Ordering::Greater,
        (SortValue::Text(a), SortValue::Text(b)) => compare_text(a, b),
        (SortValue::Missing, _) | (_, SortValue::Missing) => Ordering::Equal,
    }
}

fn compare_text(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        let ordering = a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()));
        ordering.then_with(|| a.cmp(b))
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .cmp(b.chars().flat_map(char::to_lowercase))
            .then_with(|| a.cmp(b))
    }
}

fn sort_runs(runs: &mut Vec<&RunRecord>, sort: &[(Key, bool)]) {
    let sort: Vec<(Key, bool)> = if sort.is_empty() {
        vec![(Key::Attribute(Attribute::Started), true)]
    } else {
        sort.to_vec()
    };
    // The keys are read once per run, not once per comparison.
    let mut keyed: Vec<(Vec<SortValue<'_>>, &RunRecord)> = runs
        .iter()
        .map(|run| {
            (
                sort.iter().map(|(key, _)| sort_value(key, run)).collect(),
                *run,
            )
        })
        .collect();
    keyed.sort_by(|(a_values, a), (b_values, b)| {
        for ((a_value, b_value), (_, descending)) in a_values.iter().zip(b_values).zip(&sort) {
            let ordering = match (a_value, b_value) {
                (SortValue::Missing, SortValue::Missing) => Ordering::Equal,
                (SortValue::Missing, _) => Ordering::Greater,
                (_, SortValue::Missing) => Ordering::Less,
                _ if *descending => compare_present(*b_value, *a_value),
                _ => compare_present(*a_value, *b_value),
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        b.started_at_ms
            .total_cmp(&a.started_at_ms)
            .then_with(|| a.run_id.cmp(&b.run_id))
    });
    *runs = keyed.into_iter().map(|(_, run)| run).collect();
}

/// The search box: a case-insensitive substring.
struct Search {
    needle: String,
}

impl Search {
    fn new(text: &str) -> Search {
        Search {
            needle: text.trim().to_lowercase(),
        }
    }

    fn matches(&self, run: &RunRecord) -> bool {
        if self.needle.is_empty() {
            return true;
        }
        let found = |text: &str| contains_ignoring_case(text, &self.needle);
        found(&run.name)
            || found(&run.run_id)
            || found(&run.notes)
            || run.params.iter().any(|(k, v)| found(k) || found(v))
            || run.tags.iter().any(|(k, v)| found(k) || found(v))
    }
}

/// Whether `haystack` holds `needle` (already lowercase) without regard to case; ASCII
/// needles are searched without allocating.
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    if needle.is_ascii() {
        let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
        haystack.len() >= needle.len()
            && haystack
                .windows(needle.len())
                .any(|window| window.eq_ignore_ascii_case(needle))
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

/// The columns a new runs table shows: name, status, started, duration, the experiment's
/// main metrics (the cross-validation score of the metric its builds chose, then the
/// holdout scores users look at first) and up to four params that vary between runs.
pub fn default_columns(runs: &[&RunRecord]) -> Vec<String> {
    let mut columns: Vec<String> = [
        Attribute::Name,
        Attribute::Status,
        Attribute::Started,
        Attribute::DurationSecs,
    ]
    .iter()
    .map(|attribute| attribute.name().to_string())
    .collect();

    let has_metric = |key: &str| runs.iter().any(|run| run.metrics.contains_key(key));
    // The scorer most builds chose, as `params.metric`.
    let mut scorers: Vec<(&str, usize)> = Vec::new();
    for run in runs {
        if let Some(scorer) = run.params.get("metric") {
            match scorers.iter_mut().find(|(name, _)| name == scorer) {
                Some((_, count)) => *count += 1,
                None => scorers.push((scorer, 1)),
            }
        }
    }
    scorers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut wanted: Vec<String> = Vec::new();
    if let Some((scorer, _)) = scorers.first() {
        wanted.push(format!("cv_{scorer}"));
    }
    wanted.extend(
        [
            "accuracy", "macro_f1", "roc_auc", "r2", "rmse", "mae", "log_loss",
        ]
        .map(String::from),
    );
    let mut metrics: Vec<String> = Vec::new();
    for key in wanted {
        if metrics.len() < 4 && has_metric(&key) && !metrics.contains(&key) {
            metrics.push(key);
        }
    }
    if metrics.is_empty() {
        // Imported runs: the metrics most runs have.
        metrics = most_common(runs.iter().flat_map(|run| run.metrics.keys()), 3);
    }
    columns.extend(metrics.into_iter().map(|key| format!("metrics.{key}")));

    let mut params: Vec<String> = Vec::new();
    if runs.iter().any(|run| run.params.contains_key("algorithm")) {
        params.push("algorithm".to_string());
    }
    // Params whose value differs between runs, the most widely logged first.
    let mut varying: Vec<(&str, usize)> = Vec::new();
    let keys: HashSet<&str> = runs
        .iter()
        .flat_map(|run| run.params.keys().map(String::as_str))
        .collect();
    for key in keys {
        let values: Vec<&str> = runs
            .iter()
            .filter_map(|run| run.params.get(key).map(String::as_str))
            .collect();
        let distinct: HashSet<&str> = values.iter().copied().collect();
        if distinct.len() > 1 && key != "algorithm" {
            varying.push((key, values.len()));
        }
    }
    varying.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    params.extend(varying.into_iter().take(3).map(|(key, _)| key.to_string()));
    columns.extend(params.into_iter().map(|key| format!("params.{key}")));
    columns
}

fn most_common<'a>(keys: impl Iterator<Item = &'a String>, n: usize) -> Vec<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for key in keys {
        match counts.iter_mut().find(|(name, _)| *name == key) {
            Some((_, count)) => *count += 1,
            None => counts.push((key, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts
        .into_iter()
        .take(n)
        .map(|(key, _)| key.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::filter::kind_name;

    #[test]
    fn text_search_ignores_case() {
        assert!(contains_ignoring_case("HistGradientBoosting", "gradient"));
        assert!(!contains_ignoring_case("gbdt", "forest"));
        assert!(contains_ignoring_case("Ünïcode", "ünï"));
        assert!(!contains_ignoring_case("ab", "abc"));
    }

    #[test]
    fn non_finite_cells_are_text() {
        assert_eq!(
            Cell::of(Some(Value::Number(f64::NAN))),
            Cell::Text("NaN".to_string())
        );
        assert_eq!(Cell::of(Some(Value::Number(2.0))), Cell::Number(2.0));
        assert_eq!(Cell::of(None), Cell::Missing);
        let json = serde_json::to_string(&Cell::Number(0.5)).unwrap();
        assert_eq!(json, r#"{"kind":"number","value":0.5}"#);
    }

    #[test]
    fn kinds_have_their_serde_names() {
        for kind in [RunKind::Build, RunKind::Candidate, RunKind::Imported] {
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind_name(kind))
            );
        }
    }
}

//! The runs table: filter, search, candidates toggle, sort (missing values last both
//! ways, numbers by value), windows, columns and the default columns; plus an ignored
//! timing print for 10,000 runs.

use std::collections::BTreeMap;
use std::time::Instant;

use compute::experiments::table::MAX_WINDOW_ROWS;
use compute::experiments::{
    default_columns, query_runs, Cell, QueryError, RunKind, RunQuery, RunRecord, RunStatus,
    SortKey, RUN_SCHEMA_VERSION,
};

fn run(id: &str, started: f64) -> RunRecord {
    RunRecord {
        schema_version: RUN_SCHEMA_VERSION,
        run_id: id.to_string(),
        experiment_id: "e1".to_string(),
        name: id.to_string(),
        kind: RunKind::Build,
        parent_run_id: None,
        status: RunStatus::Finished,
        started_at_ms: started,
        duration_secs: 1.0,
        params: BTreeMap::new(),
        metrics: BTreeMap::new(),
        history: Vec::new(),
        dataset_id: None,
        dataset_name: Some("penguins".to_string()),
        dataset_content_hash: None,
        recipe_hashes: Vec::new(),
        seed: Some(0),
        code_version: "studio 0.1.0".to_string(),
        tags: BTreeMap::new(),
        notes: String::new(),
        artifacts: Vec::new(),
        model_id: None,
        action_id: None,
        findings: Vec::new(),
    }
}

/// A small xorshift: the generated runs are the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` runs like a busy experiment's: builds every tenth run with candidates between,
/// three algorithms, params that are numbers or `None`, metrics some runs lack.
fn generated(n: usize, seed: u64) -> Vec<RunRecord> {
    let mut rng = Rng(seed.max(1));
    let mut runs = Vec::with_capacity(n);
    let mut parent = String::new();
    for i in 0..n {
        let mut r = run(
            &format!("run-{i:05}"),
            1_700_000_000_000.0 + i as f64 * 1000.0,
        );
        if i.is_multiple_of(10) {
            parent = r.run_id.clone();
        } else {
            r.kind = RunKind::Candidate;
            r.parent_run_id = Some(parent.clone());
        }
        if i.is_multiple_of(7) {
            r.experiment_id = "e2".to_string();
        }
        let algorithm = ["gbdt", "forest", "knn"][(rng.next() % 3) as usize];
        r.name = format!("{algorithm} #{i}");
        r.params.insert("algorithm".into(), algorithm.into());
        let depth = rng.next() % 12;
        r.params.insert(
            "max_depth".into(),
            if depth == 0 {
                "None".into()
            } else {
                depth.to_string()
            },
        );
        if algorithm == "gbdt" {
            r.params.insert(
                "learning_rate".into(),
                format!("{}", 0.01 + rng.unit() / 5.0),
            );
        }
        if !rng.next().is_multiple_of(5) {
            r.metrics.insert("r2".into(), rng.unit());
        }
        r.metrics.insert("rmse".into(), 10.0 * rng.unit());
        r.tags.insert(
            "source".into(),
            if i.is_multiple_of(3) {
                "manual"
            } else {
                "automl"
            }
            .into(),
        );
        r.status = if rng.next().is_multiple_of(20) {
            RunStatus::Failed
        } else {
            RunStatus::Finished
        };
        r.duration_secs = rng.unit() * 60.0;
        runs.push(r);
    }
    runs
}

fn query(filter: &str) -> RunQuery {
    RunQuery {
        experiment_id: Some("e1".to_string()),
        filter: filter.to_string(),
        include_candidates: true,
        columns: vec!["name".to_string()],
        len: 100,
        ..RunQuery::default()
    }
}

fn ids(runs: &[RunRecord], query: &RunQuery) -> Vec<String> {
    query_runs(runs, query)
        .unwrap()
        .rows
        .into_iter()
        .map(|row| row.run_id)
        .collect()
}

#[test]
fn filter_matches_what_a_loop_over_the_runs_finds() {
    let runs = generated(2_000, 42);
    let mut asked = query("metrics.r2 > 0.8 and params.max_depth < 8");
    asked.len = MAX_WINDOW_ROWS;
    let window = query_runs(&runs, &asked).unwrap();
    let expected: Vec<&RunRecord> = runs
        .iter()
        .filter(|r| r.experiment_id == "e1")
        .filter(|r| r.metrics.get("r2").is_some_and(|&v| v > 0.8))
        .filter(|r| r.params["max_depth"].parse::<f64>().is_ok_and(|d| d < 8.0))
        .collect();
    assert!(expected.len() > 50, "the generator gives a useful sample");
    assert_eq!(window.matching, expected.len());
    assert_eq!(
        window.total_runs,
        runs.iter().filter(|r| r.experiment_id == "e1").count()
    );
    // Newest first by default.
    let mut newest_first: Vec<&str> = expected.iter().map(|r| r.run_id.as_str()).collect();
    newest_first.reverse();
    let found: Vec<&str> = window.rows.iter().map(|row| row.run_id.as_str()).collect();
    assert_eq!(found, newest_first);
}

#[test]
fn candidates_toggle_experiment_and_search() {
    let runs = generated(200, 7);
    let mut asked = query("");
    asked.len = MAX_WINDOW_ROWS;
    asked.include_candidates = false;
    let builds = query_runs(&runs, &asked).unwrap();
    assert!(builds.rows.iter().all(|row| row.kind == RunKind::Build));
    assert_eq!(
        builds.matching,
        runs.iter()
            .filter(|r| r.experiment_id == "e1" && r.kind == RunKind::Build)
            .count()
    );

    asked.experiment_id = None;
    asked.include_candidates = true;
    assert_eq!(query_runs(&runs, &asked).unwrap().matching, 200);

    // Search: name, id, params and tags, without regard to case.
    asked.search = "RUN-0001".to_string();
    assert_eq!(
        ids(&runs, &asked),
        (10..20)
            .rev()
            .map(|i| format!("run-{i:05}"))
            .collect::<Vec<_>>()
    );
    asked.search = "MANUAL".to_string();
    assert_eq!(
        query_runs(&runs, &asked).unwrap().matching,
        runs.iter().filter(|r| r.tags["source"] == "manual").count()
    );
    let mut noted = runs.clone();
    noted[5].notes = "Try a smaller learning rate".to_string();
    asked.search = "smaller LEARNING".to_string();
    assert_eq!(ids(&noted, &asked), vec!["run-00005"]);
}

#[test]
fn sort_puts_missing_values_last_both_ways_and_numbers_by_value() {
    let mut runs: Vec<RunRecord> = (0..5).map(|i| run(&format!("r{i}"), i as f64)).collect();
    for (run, depth) in runs.iter_mut().zip(["10", "9", "None", "", "2"]) {
        if !depth.is_empty() {
            run.params.insert("max_depth".into(), depth.into());
        }
    }
    runs[0].metrics.insert("r2".into(), 0.5);
    runs[1].metrics.insert("r2".into(), f64::NAN);
    runs[3].metrics.insert("r2".into(), 0.9);
    runs[4].metrics.insert("r2".into(), -1.0);
    let sorted = |column: &str, descending: bool| {
        let mut asked = query("");
        asked.sort = vec![SortKey {
            column: column.to_string(),
            descending,
        }];
        ids(&runs, &asked)
    };
    // r4 has −1, r0 0.5, r3 0.9; r1 (NaN) and r2 (none) last, newest first among them.
    assert_eq!(sorted("metrics.r2", false), ["r4", "r0", "r3", "r2", "r1"]);
    assert_eq!(sorted("metrics.r2", true), ["r3", "r0", "r4", "r2", "r1"]);
    // Numbers by value (2 < 9 < 10), before words; a run without the param last.
    assert_eq!(
        sorted("params.max_depth", false),
        ["r4", "r1", "r0", "r2", "r3"]
    );
    assert_eq!(
        sorted("params.max_depth", true),
        ["r2", "r0", "r1", "r4", "r3"]
    );
    assert_eq!(sorted("started", false), ["r0", "r1", "r2", "r3", "r4"]);

    // Two keys: status first, then name descending.
    runs[2].status = RunStatus::Failed;
    let mut asked = query("");
    asked.sort = vec![
        SortKey {
            column: "status".into(),
            descending: false,
        },
        SortKey {
            column: "name".into(),
            descending: true,
        },
    ];
    assert_eq!(ids(&runs, &asked), ["r2", "r4", "r3", "r1", "r0"]);
}

#[test]
fn windows_cells_and_columns() {
    let runs = generated(3_000, 3);
    let mut asked = query("");
    asked.columns = vec![
        "name".into(),
        "status".into(),
        "duration".into(),
        "metrics.r2".into(),
        "params.max_depth".into(),
        "tags.source".into(),
        "attributes.started".into(),
        "metrics.never_logged".into(),
    ];
    asked.start = 100;
    asked.len = 5_000;
    let window = query_runs(&runs, &asked).unwrap();
    assert_eq!(window.start, 100);
    assert_eq!(window.rows.len(), MAX_WINDOW_ROWS);
    assert_eq!(
        window.columns,
        [
            "name",
            "status",
            "duration",
            "metrics.r2",
            "params.max_depth",
            "tags.source",
            "started",
            "metrics.never_logged"
        ]
    );
    let first = &window.rows[0];
    let record = runs.iter().find(|r| r.run_id == first.run_id).unwrap();
    assert_eq!(first.cells[0], Cell::Text(record.name.clone()));
    assert_eq!(first.cells[1], Cell::Text(record.status.name().to_string()));
    assert_eq!(first.cells[2], Cell::Number(record.duration_secs));
    assert_eq!(
        first.cells[3],
        record
            .metrics
            .get("r2")
            .map_or(Cell::Missing, |&v| Cell::Number(v))
    );
    assert_eq!(
        first.cells[4],
        Cell::Text(record.params["max_depth"].clone())
    );
    assert_eq!(first.cells[6], Cell::Number(record.started_at_ms));
    assert_eq!(first.cells[7], Cell::Missing);
    assert_eq!(
        window.available_columns,
        [
            "metrics.r2",
            "metrics.rmse",
            "params.algorithm",
            "params.learning_rate",
            "params.max_depth",
            "tags.source"
        ]
    );

    // Past the end: an empty window, the counts still right.
    asked.start = 10_000;
    let past = query_runs(&runs, &asked).unwrap();
    assert!(past.rows.is_empty());
    assert_eq!(past.start, past.matching);

    // What crosses to the UI reads back the same.
    let json = serde_json::to_string(&window).unwrap();
    assert_eq!(
        serde_json::from_str::<compute::experiments::RunWindow>(&json).unwrap(),
        window
    );
    let asked_json = serde_json::to_string(&asked).unwrap();
    assert_eq!(
        serde_json::from_str::<RunQuery>(&asked_json).unwrap(),
        asked
    );
}

#[test]
fn errors_name_the_column_or_the_filter_position() {
    let runs = generated(10, 1);
    let mut asked = query("");
    asked.columns = vec!["colour".into()];
    assert_eq!(
        query_runs(&runs, &asked).unwrap_err(),
        QueryError::UnknownColumn {
            column: "colour".into()
        }
    );
    asked.columns = vec![];
    asked.sort = vec![SortKey {
        column: "metric.".into(),
        descending: false,
    }];
    assert!(matches!(
        query_runs(&runs, &asked),
        Err(QueryError::UnknownColumn { .. })
    ));
    assert_eq!(
        query_runs(&runs, &query("metrics.r2 >"))
            .unwrap_err()
            .to_string(),
        "expected a value after '>', found the end of the filter at column 13"
    );
}

#[test]
fn default_columns_pick_the_main_metric_and_varying_params() {
    let mut runs = generated(50, 9);
    for run in &mut runs {
        run.params.insert("metric".into(), "r2".into());
        run.params.insert("task".into(), "regression".into());
        let r2 = run.metrics.get("r2").copied().unwrap_or(0.0);
        run.metrics.insert("cv_r2".into(), r2);
    }
    assert_eq!(
        default_columns(&runs.iter().collect::<Vec<_>>()),
        [
            "name",
            "status",
            "started",
            "duration",
            "metrics.cv_r2",
            "metrics.r2",
            "metrics.rmse",
            "params.algorithm",
            "params.max_depth",
            "params.learning_rate"
        ]
    );
    // Imported runs with other names: the most common metrics.
    let mut imported = [run("a", 0.0), run("b", 1.0)];
    imported[0].metrics.insert("loss".into(), 1.0);
    imported[1].metrics.insert("loss".into(), 2.0);
    imported[1].metrics.insert("val_loss".into(), 2.0);
    assert_eq!(
        default_columns(&imported.iter().collect::<Vec<_>>()),
        [
            "name",
            "status",
            "started",
            "duration",
            "metrics.loss",
            "metrics.val_loss"
        ]
    );
}

/// Not a timed assertion (machines are noisy): prints how long 10,000 runs take to filter,
/// search, sort and window. `cargo test --release -p compute --test experiments_table --
/// --ignored --nocapture`.
#[test]
#[ignore]
fn ten_thousand_runs_timing() {
    let runs = generated(10_000, 11);
    let mut asked = query("metrics.r2 > 0.3 and params.max_depth < 8 or tags.source = 'manual'");
    asked.experiment_id = None;
    asked.sort = vec![SortKey {
        column: "metrics.rmse".into(),
        descending: true,
    }];
    asked.columns = default_columns(&runs.iter().collect::<Vec<_>>());
    asked.start = 500;
    asked.len = 60;
    let mut best = f64::INFINITY;
    for _ in 0..20 {
        let started = Instant::now();
        let window = query_runs(&runs, &asked).unwrap();
        best = best.min(started.elapsed().as_secs_f64());
        assert_eq!(window.rows.len(), 60);
    }
    asked.search = "gbdt".into();
    let started = Instant::now();
    let searched = query_runs(&runs, &asked).unwrap();
    let search_ms = started.elapsed().as_secs_f64() * 1000.0;
    println!(
        "10,000 runs: filter + sort + window in {:.2} ms (best of 20); with a search {:.2} ms ({} matching)",
        best * 1000.0,
        search_ms,
        searched.matching
    );
}

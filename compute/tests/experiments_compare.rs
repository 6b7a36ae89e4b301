//! Comparing runs: the run count, rows with differences marked, history views, curves on
//! shared steps, parallel-coordinates axes and the param-vs-metric scatter.

use std::collections::BTreeMap;

use compute::experiments::compare::{AxisScale, ScatterAxes};
use compute::experiments::{
    compare_runs, select_runs, CompareError, CompareOptions, Comparison, HistoryView,
    MetricHistory, MetricStep, RunKind, RunRecord, RunStatus, RUN_SCHEMA_VERSION,
};

fn run(id: &str, params: &[(&str, &str)], metrics: &[(&str, f64)]) -> RunRecord {
    RunRecord {
        schema_version: RUN_SCHEMA_VERSION,
        run_id: id.to_string(),
        experiment_id: "e".to_string(),
        name: format!("run {id}"),
        kind: RunKind::Candidate,
        parent_run_id: None,
        status: RunStatus::Finished,
        started_at_ms: 0.0,
        duration_secs: 1.0,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        metrics: metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        history: Vec::new(),
        dataset_id: None,
        dataset_name: Some("diabetes".to_string()),
        dataset_content_hash: Some("aa".to_string()),
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

fn history(key: &str, steps: &[(u64, f64)]) -> MetricHistory {
    MetricHistory {
        key: key.to_string(),
        steps: steps
            .iter()
            .map(|&(step, value)| MetricStep {
                step,
                value,
                timestamp_ms: 0.0,
            })
            .collect(),
    }
}

fn three() -> Vec<RunRecord> {
    let mut a = run(
        "a",
        &[("algorithm", "gbdt"), ("max_depth", "3"), ("seed", "0")],
        &[("r2", 0.8), ("train_loss", 0.2)],
    );
    a.history = vec![history("train_loss", &[(0, 1.0), (1, 0.5), (2, 0.2)])];
    let mut b = run(
        "b",
        &[("algorithm", "gbdt"), ("max_depth", "9"), ("seed", "0")],
        &[("r2", 0.9), ("train_loss", 0.3)],
    );
    b.history = vec![history("train_loss", &[(0, 1.2), (2, 0.4), (4, 0.3)])];
    b.dataset_content_hash = Some("bb".to_string());
    let c = run(
        "c",
        &[
            ("algorithm", "forest"),
            ("max_depth", "None"),
            ("seed", "0"),
        ],
        &[("r2", 0.8)],
    );
    vec![a, b, c]
}

fn compare(runs: &[RunRecord], options: &CompareOptions) -> Comparison {
    let chosen: Vec<&RunRecord> = runs.iter().collect();
    compare_runs(&chosen, options).unwrap()
}

#[test]
fn two_to_twenty_runs() {
    let runs: Vec<RunRecord> = (0..21).map(|i| run(&i.to_string(), &[], &[])).collect();
    let refs: Vec<&RunRecord> = runs.iter().collect();
    let options = CompareOptions::default();
    assert_eq!(
        compare_runs(&refs[..1], &options).unwrap_err().to_string(),
        "compare takes 2 to 20 runs, not 1"
    );
    assert_eq!(
        compare_runs(&refs, &options).unwrap_err(),
        CompareError::RunCount { count: 21 }
    );
    assert!(compare_runs(&refs[..20], &options).is_ok());
    assert!(compare_runs(&refs[..2], &options).is_ok());

    let ids = vec!["3".to_string(), "1".to_string()];
    let chosen = select_runs(&runs, &ids).unwrap();
    assert_eq!(chosen[0].run_id, "3");
    assert_eq!(
        select_runs(&runs, &["nope".to_string()])
            .unwrap_err()
            .to_string(),
        "run \"nope\" not found"
    );
    assert_eq!(
        select_runs(&runs, &["1".to_string(), "1".to_string()]).unwrap_err(),
        CompareError::DuplicateRun {
            run_id: "1".to_string()
        }
    );
}

#[test]
fn rows_mark_differences() {
    let comparison = compare(&three(), &CompareOptions::default());
    let params: Vec<(&str, bool)> = comparison
        .params
        .iter()
        .map(|row| (row.key.as_str(), row.differs))
        .collect();
    assert_eq!(
        params,
        [("algorithm", true), ("max_depth", true), ("seed", false)]
    );
    assert_eq!(
        comparison.params[1].values,
        [Some("3".into()), Some("9".into()), Some("None".into())]
    );
    let r2 = &comparison.metrics[0];
    assert_eq!(r2.key, "r2");
    assert_eq!(r2.values, [Some(0.8), Some(0.9), Some(0.8)]);
    assert!(r2.differs);
    // A missing value differs from any.
    let train_loss = &comparison.metrics[1];
    assert_eq!(train_loss.values, [Some(0.2), Some(0.3), None]);
    let attributes: Vec<(&str, bool)> = comparison
        .attributes
        .iter()
        .map(|row| (row.key.as_str(), row.differs))
        .collect();
    assert!(attributes.contains(&("dataset_content_hash", true)));
    assert!(attributes.contains(&("dataset", false)));
    assert!(attributes.contains(&("code_version", false)));

    let same = vec![
        run("x", &[("k", "1")], &[("m", 1.0)]),
        run("y", &[("k", "1")], &[("m", 1.0)]),
    ];
    let comparison = compare(&same, &CompareOptions::default());
    assert!(!comparison.params[0].differs && !comparison.metrics[0].differs);
}

#[test]
fn history_views_and_curves_on_shared_steps() {
    let runs = three();
    let view = |view: HistoryView| {
        compare(
            &runs,
            &CompareOptions {
                view,
                scatter: None,
            },
        )
        .metrics
        .into_iter()
        .find(|row| row.key == "train_loss")
        .unwrap()
        .values
    };
    assert_eq!(view(HistoryView::Final), [Some(0.2), Some(0.3), None]);
    assert_eq!(view(HistoryView::Min), [Some(0.2), Some(0.3), None]);
    assert_eq!(view(HistoryView::Max), [Some(1.0), Some(1.2), None]);
    assert_eq!(view(HistoryView::AtStep(1)), [Some(0.5), None, None]);
    assert_eq!(view(HistoryView::AtStep(2)), [Some(0.2), Some(0.4), None]);
    // Metrics without a history: min and max are the final value, a step has none.
    let r2 = |view: HistoryView| {
        compare(
            &runs,
            &CompareOptions {
                view,
                scatter: None,
            },
        )
        .metrics[0]
            .values
            .clone()
    };
    assert_eq!(r2(HistoryView::Max), [Some(0.8), Some(0.9), Some(0.8)]);
    assert_eq!(r2(HistoryView::AtStep(0)), [None, None, None]);

    let comparison = compare(&runs, &CompareOptions::default());
    assert_eq!(comparison.curves.len(), 1);
    let curve = &comparison.curves[0];
    assert_eq!(curve.steps, [0, 1, 2, 4]);
    assert_eq!(
        curve.values,
        [
            vec![Some(1.0), Some(0.5), Some(0.2), None],
            vec![Some(1.2), None, Some(0.4), Some(0.3)],
            vec![None, None, None, None],
        ]
    );
}

#[test]
fn parallel_coordinates_and_scatter() {
    let comparison = compare(
        &three(),
        &CompareOptions {
            view: HistoryView::Final,
            scatter: Some(ScatterAxes {
                param: "max_depth".into(),
                metric: "r2".into(),
            }),
        },
    );
    let keys: Vec<&str> = comparison
        .parallel_coordinates
        .iter()
        .map(|axis| axis.key.as_str())
        .collect();
    // Params that vary, then every metric; `seed` is the same everywhere.
    assert_eq!(
        keys,
        [
            "params.algorithm",
            "params.max_depth",
            "metrics.r2",
            "metrics.train_loss"
        ]
    );
    let algorithm = &comparison.parallel_coordinates[0];
    assert_eq!(
        algorithm.scale,
        AxisScale::Categorical {
            categories: vec!["forest".into(), "gbdt".into()]
        }
    );
    assert_eq!(algorithm.positions, [Some(1.0), Some(1.0), Some(0.0)]);
    // `None` among numbers: categorical, numbers first by value.
    let depth = &comparison.parallel_coordinates[1];
    assert_eq!(
        depth.scale,
        AxisScale::Categorical {
            categories: vec!["3".into(), "9".into(), "None".into()]
        }
    );
    assert_eq!(depth.positions, [Some(0.0), Some(0.5), Some(1.0)]);
    let r2 = &comparison.parallel_coordinates[2];
    assert_eq!(r2.scale, AxisScale::Numeric { min: 0.8, max: 0.9 });
    let positions: Vec<f64> = r2.positions.iter().map(|p| p.unwrap()).collect();
    assert!((positions[0] - 0.0).abs() < 1e-12 && (positions[1] - 1.0).abs() < 1e-12);
    assert_eq!(comparison.parallel_coordinates[3].positions[2], None);

    let scatter = comparison.scatter.unwrap();
    assert_eq!(
        scatter.categories,
        Some(vec!["3".into(), "9".into(), "None".into()])
    );
    let points: Vec<(usize, f64, &str, f64)> = scatter
        .points
        .iter()
        .map(|p| (p.run, p.x, p.x_label.as_str(), p.y))
        .collect();
    assert_eq!(
        points,
        [
            (0, 0.0, "3", 0.8),
            (1, 1.0, "9", 0.9),
            (2, 2.0, "None", 0.8)
        ]
    );

    // A numeric param: x is the value; a run lacking the metric is left out.
    let numeric = compare(
        &three()[..2],
        &CompareOptions {
            view: HistoryView::Final,
            scatter: Some(ScatterAxes {
                param: "max_depth".into(),
                metric: "train_loss".into(),
            }),
        },
    );
    let depth = numeric
        .parallel_coordinates
        .iter()
        .find(|axis| axis.key == "params.max_depth")
        .unwrap();
    assert_eq!(depth.scale, AxisScale::Numeric { min: 3.0, max: 9.0 });
    let scatter = numeric.scatter.unwrap();
    assert_eq!(scatter.categories, None);
    assert_eq!(scatter.points.len(), 2);
    assert_eq!((scatter.points[1].x, scatter.points[1].y), (9.0, 0.3));

    // What crosses to the UI reads back the same.
    let json = serde_json::to_string(&comparison.runs).unwrap();
    assert!(json.contains("\"run_id\":\"a\""));
    let options = CompareOptions {
        view: HistoryView::AtStep(3),
        scatter: None,
    };
    let json = serde_json::to_string(&options).unwrap();
    assert_eq!(
        json,
        r#"{"view":{"kind":"at_step","step":3},"scatter":null}"#
    );
    assert_eq!(
        serde_json::from_str::<CompareOptions>(&json).unwrap(),
        options
    );
}

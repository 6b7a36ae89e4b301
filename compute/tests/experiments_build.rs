//! Runs recorded from real AutoML builds: a Quick build on penguins (holdout scores, the
//! kept model's training trace, one child per candidate) and a Standard build on iris cut
//! short by its time budget (per-fold histories, skipped candidates as killed runs).

use std::cell::Cell;

use compute::automl::run::{run, AutomlRun};
use compute::automl::{
    AutomlOptions, Build, CandidateStatus, EvaluationDetail, ModelSpec, Validation,
};
use compute::experiments::build::spec_params;
use compute::experiments::{
    runs_for_build, BuildContext, BuildRunsError, RunIds, RunKind, RunRecord, RunStatus,
};
use compute::ml::{Control, ForestParams, GbdtParams, MaxFeatures, Model, TrainTrace};

mod common;
use common::split;

fn trace(model: &Model) -> Option<&TrainTrace> {
    match model {
        Model::Gbdt(model) => Some(&model.trace),
        Model::Logistic(model) => Some(&model.trace),
        _ => None,
    }
}

fn context<'a>(run_ids: RunIds, trace: Option<&'a TrainTrace>) -> BuildContext<'a> {
    BuildContext {
        experiment_id: "exp-penguins-species".to_string(),
        run_ids,
        run_name: None,
        model_id: Some("model-1".to_string()),
        action_id: Some("action-1".to_string()),
        dataset_id: Some("dataset-1".to_string()),
        dataset_name: Some("penguins".to_string()),
        dataset_content_hash: Some("ab".repeat(32)),
        recipe_hashes: vec!["cd".repeat(32)],
        started_at_ms: 1_700_000_000_000.0,
        duration_secs: 4.5,
        code_version: "studio 0.1.0".to_string(),
        trace,
    }
}

fn quick_penguins() -> AutomlRun {
    let (train, test) = split("multiclass", "penguins");
    run(
        &train,
        Some(&test),
        &AutomlOptions::new("species"),
        &|| 0.0,
        &mut |_| Control::Continue,
    )
    .unwrap()
}

/// Every stored run must survive IndexedDB's JSON unchanged (no NaN slipped in).
fn assert_stores_as_json(runs: &[RunRecord]) {
    for run in runs {
        let json = serde_json::to_string(run).unwrap();
        assert_eq!(&serde_json::from_str::<RunRecord>(&json).unwrap(), run);
    }
}

#[test]
fn a_quick_build_is_a_parent_run_with_one_child_per_candidate() {
    let automl = quick_penguins();
    let report = &automl.report;
    let trace = trace(&automl.model_file.model);
    let runs = runs_for_build(
        report,
        &context(
            RunIds::Derived {
                build_run_id: "run-7".to_string(),
            },
            trace,
        ),
    )
    .unwrap();
    let build = &runs.build;

    assert_eq!(build.run_id, "run-7");
    assert_eq!(build.kind, RunKind::Build);
    assert_eq!(build.status, RunStatus::Finished);
    assert_eq!(build.experiment_id, "exp-penguins-species");
    assert_eq!(
        build.name,
        format!("{} on penguins", report.best.spec.algorithm(report.task))
    );
    assert_eq!(build.duration_secs, 4.5);
    assert_eq!(build.seed, Some(report.seed));
    assert_eq!(build.model_id.as_deref(), Some("model-1"));
    assert_eq!(build.action_id.as_deref(), Some("action-1"));
    assert_eq!(build.recipe_hashes, vec!["cd".repeat(32)]);
    for (key, value) in [
        ("task", "multiclass"),
        ("target", "species"),
        ("build", "quick"),
        ("metric", "accuracy"),
        ("validation", "a 20% validation split"),
        ("validation_split", "0.2"),
        ("seed", "0"),
        ("n_test_rows", "69"),
    ] {
        assert_eq!(
            build.params.get(key).map(String::as_str),
            Some(value),
            "{key}"
        );
    }
    assert_eq!(
        build.params["n_features"],
        report.features.len().to_string()
    );
    assert_eq!(
        build.params["estimator"],
        report.best.spec.algorithm(report.task)
    );
    // The kept model's hyper-parameters, flattened.
    for (key, value) in spec_params(&report.best.spec) {
        assert_eq!(build.params[&key], value, "{key}");
    }

    // Holdout scores by the score types' names, the baseline beside them.
    let holdout = report.holdout.as_ref().unwrap();
    let EvaluationDetail::Classification {
        scores, baseline, ..
    } = &holdout.detail
    else {
        panic!("penguins is a classification task");
    };
    assert_eq!(build.metrics["accuracy"], scores.accuracy);
    assert_eq!(build.metrics["macro_f1"], scores.macro_f1);
    assert_eq!(build.metrics["log_loss"], scores.log_loss);
    assert_eq!(build.metrics["roc_auc"], scores.roc_auc.unwrap());
    assert_eq!(build.metrics["baseline_accuracy"], baseline.accuracy);
    assert!(build.metrics["accuracy"] > build.metrics["baseline_accuracy"]);
    assert_eq!(build.metrics["cv_accuracy"], report.best.cv_mean.unwrap());
    assert_eq!(
        build.metrics["cv_accuracy_std"],
        report.best.cv_std.unwrap()
    );
    assert_eq!(build.metrics["fit_secs"], report.refit_secs);

    // The training trace as learning curves, when the kept model has one.
    match trace {
        Some(trace) => {
            let train_loss = build.history("train_loss").unwrap();
            assert_eq!(train_loss.steps.len(), trace.iterations.len());
            assert_eq!(
                train_loss.steps.last().unwrap().value,
                build.metrics["train_loss"]
            );
            assert!(train_loss
                .steps
                .windows(2)
                .all(|pair| pair[0].step < pair[1].step));
        }
        None => assert!(build.history.is_empty()),
    }
    // One fold per candidate in a Quick build: no per-fold history.
    assert!(build.history("fold_accuracy").is_none());

    assert_eq!(runs.candidates.len(), report.leaderboard.len());
    for (child, row) in runs.candidates.iter().zip(&report.leaderboard) {
        assert_eq!(child.kind, RunKind::Candidate);
        assert_eq!(child.parent_run_id.as_deref(), Some("run-7"));
        assert_eq!(child.run_id, format!("run-7-c{}", row.candidate));
        assert_eq!(child.name, row.label);
        assert_eq!(child.status, RunStatus::Finished);
        assert_eq!(child.duration_secs, row.fit_secs);
        assert_eq!(child.metrics["cv_accuracy"], row.cv_mean.unwrap());
        assert_eq!(child.metrics["rank"], row.rank.unwrap() as f64);
        assert_eq!(child.tags["source"], "automl");
        assert_eq!(child.tags["estimator"], row.algorithm);
        assert_eq!(child.params["metric"], "accuracy");
        assert_eq!(child.dataset_content_hash, build.dataset_content_hash);
    }
    let best: Vec<&RunRecord> = runs
        .candidates
        .iter()
        .filter(|run| run.tags.get("best").is_some_and(|b| b == "true"))
        .collect();
    assert_eq!(best.len(), 1);
    assert_eq!(best[0].name, report.best.label);

    let all = runs.into_runs();
    assert_eq!(all.len(), 1 + report.leaderboard.len());
    assert_stores_as_json(&all);
}

#[test]
fn a_budget_cut_standard_build_has_fold_histories_and_killed_candidates() {
    let (train, test) = split("multiclass", "iris");
    let mut options = AutomlOptions::new("species");
    options.build = Build::Standard;
    options.time_budget_secs = Some(0.0);
    // A clock that moves one second per reading: the budget is spent after the first
    // candidate, which always runs whole.
    let ticks = Cell::new(0.0);
    let clock = || {
        ticks.set(ticks.get() + 1.0);
        ticks.get()
    };
    let automl = run(&train, Some(&test), &options, &clock, &mut |_| {
        Control::Continue
    })
    .unwrap();
    let report = &automl.report;
    let skipped = report
        .leaderboard
        .iter()
        .filter(|row| row.status == CandidateStatus::Skipped)
        .count();
    assert!(skipped > 0, "the budget left candidates out");

    let ids: Vec<String> = (0..report.leaderboard.len())
        .map(|i| format!("fresh-{i}"))
        .collect();
    let runs = runs_for_build(
        report,
        &context(
            RunIds::Given {
                build_run_id: "fresh-build".to_string(),
                candidate_run_ids: ids.clone(),
            },
            None,
        ),
    )
    .unwrap();
    let Validation::CrossValidation { n_folds, n_repeats } = report.validation else {
        panic!("a Standard build cross-validates");
    };
    assert_eq!(runs.build.params["cv_folds"], n_folds.to_string());
    // A training set this small is cross-validated more than once.
    assert_eq!(runs.build.params["cv_repeats"], n_repeats.to_string());
    assert!(n_repeats > 1);
    let folds = runs.build.history("fold_accuracy").unwrap();
    assert_eq!(folds.steps.len(), report.best.fold_scores.len());
    let fold_values: Vec<f64> = folds.steps.iter().map(|s| s.value).collect();
    assert_eq!(fold_values, report.best.fold_scores);
    assert_eq!(
        runs.build.metrics["fold_accuracy"],
        *report.best.fold_scores.last().unwrap()
    );

    let killed: Vec<&RunRecord> = runs
        .candidates
        .iter()
        .filter(|run| run.status == RunStatus::Killed)
        .collect();
    assert_eq!(killed.len(), skipped);
    for run in &killed {
        assert_eq!(run.tags["skipped"], "time_budget");
        assert!(!run.metrics.contains_key("cv_accuracy"));
        assert!(!run.metrics.contains_key("rank"));
    }
    let run_ids: Vec<&str> = runs.candidates.iter().map(|r| r.run_id.as_str()).collect();
    assert_eq!(run_ids, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert_stores_as_json(&runs.into_runs());

    let error = runs_for_build(
        report,
        &context(
            RunIds::Given {
                build_run_id: "b".to_string(),
                candidate_run_ids: vec!["only-one".to_string()],
            },
            None,
        ),
    )
    .unwrap_err();
    assert_eq!(
        error,
        BuildRunsError::CandidateIdCount {
            expected: report.leaderboard.len(),
            given: 1
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "1 candidate run ids given for a leaderboard of {} rows",
            report.leaderboard.len()
        )
    );
}

#[test]
fn hyper_parameters_flatten_like_mlflow_autolog() {
    let gbdt = spec_params(&ModelSpec::Gbdt(GbdtParams {
        max_depth: Some(6),
        ..GbdtParams::default()
    }));
    assert_eq!(gbdt["algorithm"], "gbdt");
    assert_eq!(gbdt["learning_rate"], "0.1");
    assert_eq!(gbdt["max_depth"], "6");
    assert_eq!(gbdt["max_leaf_nodes"], "31");
    assert_eq!(gbdt["l2_regularization"], "0.0");
    assert_eq!(gbdt["early_stopping"], "auto");
    assert_eq!(gbdt["native_categorical"], "True");

    let forest = spec_params(&ModelSpec::Forest(ForestParams {
        max_features: Some(MaxFeatures::Fraction(0.5)),
        ..ForestParams::default()
    }));
    assert_eq!(forest["max_features"], "0.5");
    assert_eq!(forest["max_depth"], "None");
    assert_eq!(forest["n_estimators"], "100");
    assert_eq!(forest["bootstrap"], "True");
    let sqrt = spec_params(&ModelSpec::Forest(ForestParams {
        max_features: Some(MaxFeatures::Sqrt),
        ..ForestParams::default()
    }));
    assert_eq!(sqrt["max_features"], "sqrt");

    let ensemble = spec_params(&ModelSpec::Ensemble(compute::automl::EnsembleSpec {
        members: vec![
            ModelSpec::Gbdt(GbdtParams::default()),
            ModelSpec::Forest(ForestParams::default()),
        ],
    }));
    assert_eq!(ensemble["algorithm"], "ensemble");
    assert_eq!(ensemble["n_members"], "2");
    assert_eq!(ensemble["member_0.algorithm"], "gbdt");
    assert_eq!(ensemble["member_1.n_estimators"], "100");
}

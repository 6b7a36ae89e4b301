//! The Debugger on real fits: a stop-rule stopping a boosting fit through its progress
//! callback, learning curves that show a deep tree overfitting a small sample and a stump
//! underfitting digits, a copied target caught as leakage, and class counts on balanced and
//! imbalanced digits.

use std::path::Path;

use compute::automl::cv::{holdout, Fold};
use compute::automl::run::{run, Training, TrainingStep};
use compute::automl::{AutomlOptions, ModelSpec};
use compute::csv::{read_csv, CsvOptions};
use compute::debugger::build::fired;
use compute::debugger::signals::{
    learning_curve, model_signals, single_feature_scores, LEARNING_CURVE_FRACTIONS,
};
use compute::debugger::{diagnose, DebuggerConfig, Finding, LiveDebugger, Rule};
use compute::ml::matrix::{FeatureColumn, FeatureKind};
use compute::ml::{
    gbdt, train_set, Control, DesignMatrix, EarlyStopping, GbdtParams, Metric, MlError, Model,
    Task, TrainSet, TreeParams,
};
use compute::schema::ColumnType;

const DIGITS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/datasets/image/digits_8x8.csv"
);

/// The 8×8 digits: 64 pixel features, target `label` (ten classes), the file name left out.
fn digits() -> TrainSet {
    let bytes = std::fs::read(Path::new(DIGITS)).expect("the digits dataset");
    let frame = read_csv("digits_8x8", &bytes, CsvOptions::default())
        .unwrap()
        .frame;
    let train = train_set(&frame, "label", &["file"], None).unwrap();
    assert_eq!(train.task(), Task::Multiclass);
    assert_eq!(train.n_classes(), 10);
    train
}

fn rules(findings: &[Finding]) -> Vec<Rule> {
    findings.iter().map(|f| f.rule).collect()
}

/// A binary problem where a third of the labels are flipped: boosting with a validation
/// split overfits it within a few iterations.
fn noisy_binary(n: usize) -> TrainSet {
    let x0: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 101.0).collect();
    let x1: Vec<f64> = (0..n).map(|i| ((i * 53) % 97) as f64 / 97.0).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let clean = x0[i] + 0.5 * x1[i] > 0.75;
            let flipped = (i * 7919) % 3 == 0;
            f64::from(u8::from(clean != flipped))
        })
        .collect();
    let x = DesignMatrix::numeric(n, vec![x0, x1]).unwrap();
    TrainSet::from_matrix(x, y, Task::Binary, vec!["no".into(), "yes".into()]).unwrap()
}

#[test]
fn an_overfit_stop_rule_stops_a_boosting_fit_and_a_refit_to_that_step_replays_it() {
    let train = noisy_binary(600);
    let params = GbdtParams {
        early_stopping: EarlyStopping::On,
        max_iter: 200,
        // Boosting's own early stopping must not end the fit before the rule can.
        n_iter_no_change: 200,
        ..GbdtParams::default()
    };
    let full = gbdt::fit(&train, &params, 3, &mut |_| Control::Continue).unwrap();
    assert_eq!(full.n_iter(), 200);

    let mut debugger = LiveDebugger::new(DebuggerConfig {
        stop_on: vec![Rule::Overfit],
        ..DebuggerConfig::default()
    });
    let mut last_step = 0;
    let result = gbdt::fit(&train, &params, 3, &mut |progress| {
        last_step = progress.steps_done;
        assert_eq!(
            progress.iteration.map(|r| r.iteration),
            Some(progress.steps_done)
        );
        debugger.on_progress(&progress)
    });
    assert_eq!(result.unwrap_err(), MlError::Cancelled);
    assert_eq!(debugger.stopped_by(), Some(Rule::Overfit));
    let overfit = debugger
        .findings()
        .iter()
        .find(|f| f.rule == Rule::Overfit)
        .unwrap();
    assert_eq!(overfit.step, Some(last_step));
    assert!(last_step < 50, "stopped at {last_step}");
    // The losses the rule read are the fit's own trace.
    let record = full.trace.iterations[last_step];
    let ratio = overfit
        .evidence
        .iter()
        .find(|e| e.name == "ratio")
        .unwrap()
        .value;
    let validation = record.validation_loss.unwrap();
    assert!((ratio - (validation - record.train_loss) / record.train_loss).abs() < 1e-12);
    assert!(ratio > 0.1);

    // Fits are deterministic: max_iter at the stopping step gives the model as it was.
    let replay = gbdt::fit(
        &train,
        &GbdtParams {
            max_iter: last_step,
            ..params.clone()
        },
        3,
        &mut |_| Control::Continue,
    )
    .unwrap();
    assert_eq!(replay.trees[..], full.trees[..last_step]);
}

#[test]
fn a_debugger_with_nothing_firing_leaves_the_fit_alone() {
    // A smooth regression without a validation split: the training loss falls at every
    // iteration, and Overfit and Overtraining have no validation loss to read.
    let n = 300;
    let x0: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let y: Vec<f64> = x0.iter().map(|v| (6.0 * v).sin() * 10.0).collect();
    let x = DesignMatrix::numeric(n, vec![x0]).unwrap();
    let train = TrainSet::from_matrix(x, y, Task::Regression, vec![]).unwrap();
    let params = GbdtParams {
        max_iter: 60,
        ..GbdtParams::default()
    };
    let mut debugger = LiveDebugger::new(DebuggerConfig {
        stop_on: Rule::ALL.to_vec(),
        ..DebuggerConfig::default()
    });
    let mut records = 0;
    let watched = gbdt::fit(&train, &params, 1, &mut |progress| {
        records += usize::from(progress.iteration.is_some());
        debugger.on_progress(&progress)
    })
    .unwrap();
    let plain = gbdt::fit(&train, &params, 1, &mut |_| Control::Continue).unwrap();
    assert_eq!(watched, plain);
    assert_eq!(records, plain.n_iter());
    assert_eq!(debugger.stopped_by(), None);
    assert_eq!(debugger.findings(), []);
}

#[test]
fn logistic_regression_reports_its_iterations_to_the_debugger() {
    let train = noisy_binary(200);
    let mut debugger = LiveDebugger::new(DebuggerConfig {
        stop_on: vec![Rule::LossNotDecreasing],
        ..DebuggerConfig::default()
    });
    let mut steps = Vec::new();
    let model = compute::ml::logistic::fit(&train, &Default::default(), &mut |progress| {
        steps.extend(progress.iteration.map(|r| r.iteration));
        debugger.on_progress(&progress)
    })
    .unwrap();
    assert_eq!(steps, (1..=model.n_iter).collect::<Vec<_>>());
    // L-BFGS only accepts steps that lower the objective.
    assert_eq!(debugger.findings(), []);
}

fn diagnose_curve(spec: &ModelSpec, train: &TrainSet, fold: &Fold) -> Vec<Finding> {
    let model = spec
        .fit(&train.select_rows(&fold.train_rows), 0, &mut |_| {
            Control::Continue
        })
        .unwrap();
    let mut signals = model_signals(&model, train, fold, Metric::Accuracy, 0).unwrap();
    signals.learning_curve = learning_curve(
        spec,
        train,
        fold,
        Metric::Accuracy,
        &LEARNING_CURVE_FRACTIONS,
        0,
    )
    .unwrap();
    assert_eq!(signals.learning_curve.len(), 5);
    diagnose(&signals, &DebuggerConfig::default())
}

#[test]
fn a_deep_tree_on_a_small_sample_overfits_and_a_stump_on_digits_underfits() {
    let digits = digits();
    let small = digits.select_rows(&(0..250).collect::<Vec<_>>());
    let fold = holdout(&small.y, small.task(), 0).unwrap();
    let deep = ModelSpec::Tree(TreeParams {
        max_depth: None,
        ..TreeParams::default()
    });
    let findings = diagnose_curve(&deep, &small, &fold);
    let fired = rules(&findings);
    assert!(fired.contains(&Rule::Overfit), "{findings:#?}");
    assert!(fired.contains(&Rule::TreeDepth), "{findings:#?}");
    assert!(!fired.contains(&Rule::Underfit), "{findings:#?}");
    assert!(!fired.contains(&Rule::ClassImbalance), "{findings:#?}");
    let overfit = findings.iter().find(|f| f.rule == Rule::Overfit).unwrap();
    assert!(overfit.explanation.contains("memorized"), "{overfit:#?}");

    let fold = holdout(&digits.y, digits.task(), 0).unwrap();
    let stump = ModelSpec::Tree(TreeParams {
        max_depth: Some(1),
        ..TreeParams::default()
    });
    let findings = diagnose_curve(&stump, &digits, &fold);
    let fired = rules(&findings);
    assert!(fired.contains(&Rule::Underfit), "{findings:#?}");
    assert!(!fired.contains(&Rule::Overfit), "{findings:#?}");
    assert!(!fired.contains(&Rule::TreeDepth), "{findings:#?}");
    // Balanced digits, even with most classes missed: not ClassImbalance.
    assert!(!fired.contains(&Rule::ClassImbalance), "{findings:#?}");

    // Learning curves are deterministic for a seed.
    let again = learning_curve(
        &stump,
        &digits,
        &fold,
        Metric::Accuracy,
        &LEARNING_CURVE_FRACTIONS,
        0,
    )
    .unwrap();
    assert_eq!(
        again,
        learning_curve(
            &stump,
            &digits,
            &fold,
            Metric::Accuracy,
            &LEARNING_CURVE_FRACTIONS,
            0
        )
        .unwrap()
    );
}

#[test]
fn imbalanced_digits_fire_class_imbalance() {
    let digits = digits();
    // Every zero, one row in twenty of the other digits: about 178 against 9 per class.
    let rows: Vec<usize> = (0..digits.y.len())
        .filter(|&row| digits.y[row] == 0.0 || row % 20 == 0)
        .collect();
    let imbalanced = digits.select_rows(&rows);
    let fold = holdout(&imbalanced.y, imbalanced.task(), 0).unwrap();
    let spec = ModelSpec::Tree(TreeParams {
        max_depth: Some(6),
        ..TreeParams::default()
    });
    let model = spec
        .fit(&imbalanced.select_rows(&fold.train_rows), 0, &mut |_| {
            Control::Continue
        })
        .unwrap();
    let signals = model_signals(&model, &imbalanced, &fold, Metric::Accuracy, 0).unwrap();
    let findings = diagnose(&signals, &DebuggerConfig::default());
    let imbalance = findings
        .iter()
        .find(|f| f.rule == Rule::ClassImbalance)
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert!(
        imbalance.explanation.contains("largest class \"0\""),
        "{imbalance:#?}"
    );
}

/// `train` with one more feature, `name`, holding `values`.
fn with_feature(train: &TrainSet, name: &str, values: Vec<f64>) -> TrainSet {
    let n = train.x.n_rows();
    let mut columns = train.x.columns().to_vec();
    columns.push(values);
    let categories = (0..=train.x.n_features())
        .map(|j| {
            if j < train.x.n_features() {
                train.x.n_categories(j)
            } else {
                None
            }
        })
        .collect();
    let mut spec = train.spec.clone();
    spec.features.push(FeatureColumn {
        name: name.to_string(),
        column_type: ColumnType::Float,
        kind: FeatureKind::Numeric,
    });
    TrainSet {
        x: DesignMatrix::new(n, columns, categories).unwrap(),
        y: train.y.clone(),
        spec,
        dropped_rows: 0,
    }
}

fn leakage_findings(train: &TrainSet) -> Vec<Finding> {
    let fold = holdout(&train.y, train.task(), 0).unwrap();
    let metric = compute::automl::default_metric(train.task());
    let mut signals = compute::debugger::ModelSignals::new(train.task(), metric);
    signals.single_feature_scores = single_feature_scores(train, &fold, 0).unwrap();
    assert_eq!(signals.single_feature_scores.len(), train.x.n_features());
    diagnose(&signals, &DebuggerConfig::default())
}

#[test]
fn a_copied_target_is_caught_as_leakage_and_honest_pixels_are_not() {
    let digits = digits();
    assert_eq!(leakage_findings(&digits), []);
    let leaky = with_feature(&digits, "label_copy", digits.y.clone());
    let findings = leakage_findings(&leaky);
    assert_eq!(rules(&findings), [Rule::TargetLeakage], "{findings:#?}");
    assert!(findings[0].title.contains("\"label_copy\""));

    // A numeric target and a copy of it with a little noise: r2 on its own above 0.99.
    let n = 400;
    let x0: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64).collect();
    let x1: Vec<f64> = (0..n).map(|i| ((i * 53) % 97) as f64).collect();
    let y: Vec<f64> = (0..n).map(|i| x0[i] + x1[i]).collect();
    let x = DesignMatrix::numeric(n, vec![x0, x1]).unwrap();
    let regression = TrainSet::from_matrix(x, y.clone(), Task::Regression, vec![]).unwrap();
    assert_eq!(leakage_findings(&regression), []);
    let noisy_copy = y
        .iter()
        .enumerate()
        .map(|(i, v)| v + (i % 3) as f64 * 0.1)
        .collect();
    let findings = leakage_findings(&with_feature(&regression, "y_later", noisy_copy));
    assert_eq!(rules(&findings), [Rule::TargetLeakage], "{findings:#?}");
}

fn frame_of(csv: &str) -> compute::frame::Frame {
    read_csv("data.csv", csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame
}

fn digits_frame(n_rows: usize) -> compute::frame::Frame {
    let text = std::fs::read_to_string(Path::new(DIGITS)).expect("the digits dataset");
    let lines: Vec<&str> = text.lines().take(n_rows.saturating_add(1)).collect();
    frame_of(&lines.join("\n"))
}

fn build_options(target: &str, algorithm: ModelSpec, config: DebuggerConfig) -> AutomlOptions {
    AutomlOptions {
        drop: if target == "label" {
            vec!["file".to_string()]
        } else {
            Vec::new()
        },
        algorithm: Some(algorithm),
        debugger: Some(config),
        ..AutomlOptions::new(target)
    }
}

#[test]
fn a_build_with_the_debugger_diagnoses_its_model() {
    // A deep tree on a small sample memorizes it: Overfit, from its learning curve.
    let small = digits_frame(300);
    let deep = ModelSpec::Tree(TreeParams::default());
    let options = build_options("label", deep, DebuggerConfig::default());
    let mut training = Training::on_dataset(&small, &options, &|| 0.0).unwrap();
    let (_, total) = training.progress();
    let deep_run = loop {
        match training.step(&|| 0.0).unwrap() {
            TrainingStep::Finished(run) => break *run,
            _ => continue,
        }
    };
    assert_eq!(training.progress().1, total);
    let diagnosis = deep_run.report.diagnosis.expect("a diagnosis");
    assert!(
        fired(&diagnosis, Rule::Overfit),
        "{:#?}",
        diagnosis.findings
    );
    assert_eq!(
        diagnosis.learning_curve.len(),
        LEARNING_CURVE_FRACTIONS.len()
    );
    assert_eq!(diagnosis.n_diagnosis_rows, deep_run.report.n_train_rows);
    assert!(diagnosis.fold_spread.is_some());

    // A stump cannot tell ten digits apart: Underfit.
    let stump = ModelSpec::Tree(TreeParams {
        max_depth: Some(1),
        ..TreeParams::default()
    });
    let all = digits_frame(usize::MAX);
    let options = build_options("label", stump, DebuggerConfig::default());
    let stump_run = run(&all, None, &options, &|| 0.0, &mut |_| Control::Continue).unwrap();
    let diagnosis = stump_run.report.diagnosis.expect("a diagnosis");
    assert!(
        fired(&diagnosis, Rule::Underfit),
        "{:#?}",
        diagnosis.findings
    );
    assert!(
        !fired(&diagnosis, Rule::Overfit),
        "{:#?}",
        diagnosis.findings
    );

    // Without the Debugger, no diagnosis and no extra step.
    let options = AutomlOptions {
        debugger: None,
        ..options
    };
    let plain = run(&all, None, &options, &|| 0.0, &mut |_| Control::Continue).unwrap();
    assert!(plain.report.diagnosis.is_none());
}

#[test]
fn a_stop_rule_ends_the_refit_and_the_model_kept_is_the_fit_up_to_its_step() {
    let train = noisy_binary(600);
    let mut csv = String::from("x0,x1,y\n");
    for row in 0..train.y.len() {
        csv.push_str(&format!(
            "{},{},{}\n",
            train.x.column(0)[row],
            train.x.column(1)[row],
            if train.y[row] == 1.0 { "yes" } else { "no" }
        ));
    }
    let frame = frame_of(&csv);
    let boosting = ModelSpec::Gbdt(GbdtParams {
        early_stopping: EarlyStopping::On,
        max_iter: 200,
        n_iter_no_change: 200,
        ..GbdtParams::default()
    });
    let stop = DebuggerConfig {
        stop_on: vec![Rule::Overfit],
        ..DebuggerConfig::default()
    };
    let options = build_options("y", boosting.clone(), stop);
    let stopped = run(&frame, None, &options, &|| 0.0, &mut |_| Control::Continue).unwrap();
    let diagnosis = stopped.report.diagnosis.expect("a diagnosis");
    let at = diagnosis.stopped.clone().expect("stopped by a rule");
    assert_eq!(at.rule, Rule::Overfit);
    assert!(at.step < 200, "{at:?}");
    assert_eq!(stopped.model_file.spec, boosting.truncated(at.step));
    let Model::Gbdt(model) = &stopped.model_file.model else {
        panic!("a boosted model");
    };
    assert_eq!(model.n_iter(), at.step);
    let overfit = diagnosis
        .findings
        .iter()
        .find(|f| f.rule == Rule::Overfit)
        .unwrap();
    assert!(overfit.explanation.contains("stopped here"), "{overfit:#?}");

    // The same build watched but not stopped keeps every iteration.
    let options = build_options("y", boosting, DebuggerConfig::default());
    let full = run(&frame, None, &options, &|| 0.0, &mut |_| Control::Continue).unwrap();
    let Model::Gbdt(model) = &full.model_file.model else {
        panic!("a boosted model");
    };
    assert_eq!(model.n_iter(), 200);
    assert!(full.report.diagnosis.unwrap().stopped.is_none());
}

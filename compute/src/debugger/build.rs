//! The Debugger on a build: the post-fit rules on a diagnosis split of the training rows (the chosen spec refitted on four fifths, scored on the rest, with its learning curve and one-feature scores), joined to what the live rules saw during the refit.

use std::borrow::Cow;

use super::signals::{
    learning_curve, model_signals, single_feature_scores, LEARNING_CURVE_FRACTIONS,
};
use super::{
    diagnose, DebuggerConfig, Diagnosis, Finding, FoldSpread, Rule, Stopped, DIAGNOSIS_MAX_ROWS,
};
use crate::automl::cv::holdout;
use crate::automl::evaluate::sample_rows;
use crate::automl::ModelSpec;
use crate::ml::{Control, Metric, MlError, Model, TrainSet};

/// Salt of the diagnosis sample's seed, so it is not the search's folds.
const SAMPLE_SALT: u64 = 0xd1a6_0515;

/// Diagnoses `spec`, chosen for `train` with cross-validation scores `fold_scores` and
/// refitted as `refitted` (whose trace, if any, is the one the live rules watched):
/// the live findings first, then every post-fit rule on a seeded sample of at most
/// [`DIAGNOSIS_MAX_ROWS`] training rows, split four to one (the spec fitted on the four,
/// scored on the one; its learning curve; one-feature models for TargetLeakage).
/// Deterministic for a seed.
#[allow(clippy::too_many_arguments)]
pub fn diagnose_build(
    train: &TrainSet,
    spec: &ModelSpec,
    fold_scores: &[f64],
    refitted: &Model,
    live_findings: Vec<Finding>,
    stopped: Option<Stopped>,
    metric: Metric,
    seed: u64,
    config: &DebuggerConfig,
) -> Result<Diagnosis, MlError> {
    let sample = sample_rows(train.y.len(), DIAGNOSIS_MAX_ROWS, seed ^ SAMPLE_SALT);
    let data: Cow<TrainSet> = if sample.len() < train.y.len() {
        Cow::Owned(train.select_rows(&sample))
    } else {
        Cow::Borrowed(train)
    };
    let fold = holdout(&data.y, data.task(), seed)?;
    let model = spec.fit(&data.select_rows(&fold.train_rows), seed, &mut |_| {
        Control::Continue
    })?;
    let mut signals = model_signals(&model, &data, &fold, metric, seed)?;
    // The live rules read the refit's own trace; the diagnosis fit's would say it twice.
    signals.trace = match refitted {
        Model::Gbdt(model) => model.trace.iterations.clone(),
        Model::Logistic(model) => model.trace.iterations.clone(),
        _ => Vec::new(),
    };
    signals.learning_curve =
        learning_curve(spec, &data, &fold, metric, &LEARNING_CURVE_FRACTIONS, seed)?;
    signals.fold_scores = fold_scores.to_vec();
    signals.single_feature_scores = single_feature_scores(&data, &fold, seed)?;
    let post = diagnose(&signals, config);
    // Live findings come first (they fired during the refit); a rule says a thing once.
    let mut findings = live_findings;
    for finding in post {
        if !findings.iter().any(|f| f.rule == finding.rule) {
            findings.push(finding);
        }
    }
    if let Some(stopped) = &stopped {
        if let Some(finding) = findings.iter_mut().find(|f| f.rule == stopped.rule) {
            finding.explanation.push_str(&format!(
                " Training was stopped here by this rule: the model kept has {} iterations.",
                stopped.step
            ));
        }
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Ok(Diagnosis {
        findings,
        learning_curve: signals.learning_curve.clone(),
        fold_spread: (!fold_scores.is_empty()).then(|| FoldSpread::new(fold_scores.to_vec())),
        stopped,
        n_diagnosis_rows: data.y.len(),
        train_score: signals.train_score,
        validation_score: signals.validation_score,
        baseline_score: signals.baseline_score,
    })
}

/// Whether a diagnosis holds a finding of `rule`.
pub fn fired(diagnosis: &Diagnosis, rule: Rule) -> bool {
    diagnosis.findings.iter().any(|f| f.rule == rule)
}

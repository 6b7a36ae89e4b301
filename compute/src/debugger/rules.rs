//! The rules on plain data: a live engine fed one training step at a time that can stop a fit, and the post-fit diagnosis of a model's signals.

use super::{
    leakage_metric, loss_from_score, perfect_score, DebuggerConfig, Evidence, Finding, FoldSpread,
    LearningCurvePoint, ModelSignals, Rule, Severity, LOSS_FLOOR,
};
use crate::automl::metric_name;
use crate::ml::{Control, IterationRecord, Progress};

/// What one step brought: the findings that fired at it, and whether a stop-rule has fired
/// (at this step or before).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observation {
    pub findings: Vec<Finding>,
    pub stop: bool,
}

/// The live rules (LossNotDecreasing, Overfit, Overtraining) over a fit's steps. Feed it
/// every [`IterationRecord`] in order; each rule reports at most once per fit, at the step
/// it first fires. A fit stopped through [`LiveDebugger::on_progress`] returns
/// `MlError::Cancelled` like a user's cancel: [`LiveDebugger::stopped_by`] tells them apart,
/// and since fits are deterministic for a seed, refitting with `max_iter` set to the
/// stopping step gives the model as it was when the rule fired.
#[derive(Clone, Debug)]
pub struct LiveDebugger {
    config: DebuggerConfig,
    findings: Vec<Finding>,
    stopped_by: Option<Rule>,
    /// LossNotDecreasing: the step and loss the next check compares with.
    reference: Option<(usize, f64)>,
    /// Overfit: consecutive steps above the ratio threshold.
    overfit_streak: usize,
    /// Overtraining: the best training and validation losses and the steps they were
    /// reached at.
    best_train: Option<(usize, f64)>,
    best_validation: Option<(usize, f64)>,
}

impl LiveDebugger {
    pub fn new(config: DebuggerConfig) -> LiveDebugger {
        LiveDebugger {
            config,
            findings: Vec::new(),
            stopped_by: None,
            reference: None,
            overfit_streak: 0,
            best_train: None,
            best_validation: None,
        }
    }

    /// Runs the enabled live rules on one more step.
    pub fn observe(&mut self, record: &IterationRecord) -> Observation {
        let mut fired = Vec::new();
        if let Some(finding) = self.loss_not_decreasing(record) {
            fired.push(finding);
        }
        if let Some(finding) = self.overfit(record) {
            fired.push(finding);
        }
        if let Some(finding) = self.overtraining(record) {
            fired.push(finding);
        }
        let mut new = Vec::new();
        for finding in fired {
            if !self.config.is_enabled(finding.rule) || self.has_fired(finding.rule) {
                continue;
            }
            if self.stopped_by.is_none() && self.config.stop_on.contains(&finding.rule) {
                self.stopped_by = Some(finding.rule);
            }
            self.findings.push(finding.clone());
            new.push(finding);
        }
        Observation {
            findings: new,
            stop: self.stopped_by.is_some(),
        }
    }

    /// A fit's progress callback in one call: observes the step's record when the fit
    /// reports one, and answers [`Control::Cancel`] once a stop-rule has fired.
    pub fn on_progress(&mut self, progress: &Progress) -> Control {
        if let Some(record) = &progress.iteration {
            self.observe(record);
        }
        if self.stopped_by.is_some() {
            Control::Cancel
        } else {
            Control::Continue
        }
    }

    /// Every finding so far, in the order they fired.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// The stop-rule that asked the fit to stop, if one did.
    pub fn stopped_by(&self) -> Option<Rule> {
        self.stopped_by
    }

    fn has_fired(&self, rule: Rule) -> bool {
        self.findings.iter().any(|finding| finding.rule == rule)
    }

    fn loss_not_decreasing(&mut self, record: &IterationRecord) -> Option<Finding> {
        let params = &self.config.params.loss_not_decreasing;
        let (loss, which) = match record.validation_loss {
            Some(loss) => (loss, "validation"),
            None => (record.train_loss, "training"),
        };
        let step = record.iteration;
        let Some((reference_step, reference_loss)) = self.reference else {
            self.reference = Some((step, loss));
            return None;
        };
        if step < reference_step + params.num_steps.max(1) {
            return None;
        }
        self.reference = Some((step, loss));
        let required = reference_loss * (1.0 - params.diff_percent / 100.0);
        if loss < required {
            return None;
        }
        let suggestion = if which == "validation" {
            format!(
                "Stop training earlier: turn on early stopping, or set max_iter near \
                 {reference_step}; a lower learning_rate also lets the validation loss fall \
                 for longer."
            )
        } else {
            "The model has stopped learning: raise learning_rate or the model's capacity \
             (max_leaf_nodes, max_depth, or a higher C for logistic regression), and check \
             that the features carry signal about the target."
                .to_string()
        };
        Some(Finding {
            rule: Rule::LossNotDecreasing,
            step: Some(step),
            severity: Severity::Warning,
            title: format!("The {which} loss stopped decreasing"),
            explanation: format!(
                "The {which} loss was {} at iteration {reference_step} and is {} at \
                 iteration {step}: over {} steps it fell by less than the {}% \
                 LossNotDecreasing asks for.",
                number(reference_loss),
                number(loss),
                step - reference_step,
                number(params.diff_percent),
            ),
            suggestion,
            evidence: vec![
                evidence("reference_step", reference_step as f64),
                evidence("reference_loss", reference_loss),
                evidence("loss", loss),
                evidence("num_steps", params.num_steps as f64),
            ],
        })
    }

    fn overfit(&mut self, record: &IterationRecord) -> Option<Finding> {
        let params = &self.config.params.overfit;
        let validation_loss = record.validation_loss?;
        if record.iteration < params.start_step {
            return None;
        }
        let ratio = overfit_ratio(record.train_loss, validation_loss);
        if ratio > params.ratio_threshold {
            self.overfit_streak += 1;
        } else {
            self.overfit_streak = 0;
        }
        if self.overfit_streak < params.patience.max(1) {
            return None;
        }
        Some(Finding {
            rule: Rule::Overfit,
            step: Some(record.iteration),
            severity: Severity::Warning,
            title: "The model is overfitting its training rows".to_string(),
            explanation: format!(
                "At iteration {} the validation loss ({}) is {} above the training loss \
                 ({}), for {} step(s) in a row; Overfit fires above {} for {} step(s).",
                record.iteration,
                number(validation_loss),
                ratio_text(ratio),
                number(record.train_loss),
                self.overfit_streak,
                percent(params.ratio_threshold),
                params.patience.max(1),
            ),
            suggestion: REGULARIZE.to_string(),
            evidence: vec![
                evidence("train_loss", record.train_loss),
                evidence("validation_loss", validation_loss),
                evidence("ratio", ratio),
            ],
        })
    }

    fn overtraining(&mut self, record: &IterationRecord) -> Option<Finding> {
        let params = &self.config.params.overtraining;
        let validation_loss = record.validation_loss?;
        let step = record.iteration;
        let improves = |best: Option<(usize, f64)>, loss: f64| {
            best.is_none_or(|(_, best)| loss < best - params.delta * best.abs())
        };
        if improves(self.best_train, record.train_loss) {
            self.best_train = Some((step, record.train_loss));
        }
        if improves(self.best_validation, validation_loss) {
            self.best_validation = Some((step, validation_loss));
        }
        let (train_step, train_best) = self.best_train?;
        let (validation_step, validation_best) = self.best_validation?;
        let validation_stalled = step - validation_step >= params.patience_validation;
        let train_improving = step - train_step < params.patience_train;
        if !(validation_stalled && train_improving) {
            return None;
        }
        Some(Finding {
            rule: Rule::Overtraining,
            step: Some(step),
            severity: Severity::Warning,
            title: "Training went on after the validation loss stopped improving".to_string(),
            explanation: format!(
                "The validation loss has not improved by {} on its best ({} at iteration \
                 {validation_step}) for {} iterations, while the training loss keeps \
                 improving (best {} at iteration {train_step}, {} now).",
                percent(params.delta),
                number(validation_best),
                step - validation_step,
                number(train_best),
                number(record.train_loss),
            ),
            suggestion: format!(
                "Stop earlier: turn on early stopping or set max_iter near {validation_step}; \
                 a lower learning_rate with more iterations also generalizes better."
            ),
            evidence: vec![
                evidence("best_validation_step", validation_step as f64),
                evidence("best_validation_loss", validation_best),
                evidence("best_train_step", train_step as f64),
                evidence("train_loss", record.train_loss),
                evidence("validation_loss", validation_loss),
            ],
        })
    }
}

const REGULARIZE: &str = "Regularize the model: lower max_depth or max_leaf_nodes, raise \
     min_samples_leaf (or l2_regularization for boosting, a lower C for logistic \
     regression), turn on early stopping, or train on more rows.";

/// `(validation − train) / train`, the training loss floored at [`LOSS_FLOOR`] so that a
/// memorized training set (loss 0) still gives a ratio.
fn overfit_ratio(train_loss: f64, validation_loss: f64) -> f64 {
    (validation_loss - train_loss) / train_loss.max(LOSS_FLOOR)
}

/// Every enabled rule on a finished model's signals: the trace replayed through the live
/// rules, Overfit on the learning curve's largest training sizes (when the trace did not
/// already show it), then ClassImbalance, TreeDepth, FeatureImportanceOverweight,
/// Underfit, TargetLeakage and FoldSpread. Rules whose signals are missing stay silent.
pub fn diagnose(signals: &ModelSignals, config: &DebuggerConfig) -> Vec<Finding> {
    let mut live = LiveDebugger::new(DebuggerConfig {
        stop_on: Vec::new(),
        ..config.clone()
    });
    for record in &signals.trace {
        live.observe(record);
    }
    let mut findings = live.into_findings();
    let checks: [(Rule, Option<Finding>); 7] = [
        (
            Rule::Overfit,
            if findings.iter().any(|f| f.rule == Rule::Overfit) {
                None
            } else {
                curve_overfit(signals, config)
            },
        ),
        (Rule::ClassImbalance, class_imbalance(signals, config)),
        (Rule::TreeDepth, tree_depth(signals, config)),
        (
            Rule::FeatureImportanceOverweight,
            feature_importance_overweight(signals, config),
        ),
        (Rule::Underfit, underfit(signals, config)),
        (Rule::TargetLeakage, target_leakage(signals, config)),
        (Rule::FoldSpread, fold_spread(signals, config)),
    ];
    for (rule, finding) in checks {
        if config.is_enabled(rule) {
            findings.extend(finding);
        }
    }
    findings
}

/// Overfit on a learning curve: the ratio above the threshold at each of the last
/// `patience` points (the largest training sizes, the model a user gets). Smaller sizes
/// are not judged: on a tenth of the rows most flexible models overfit.
fn curve_overfit(signals: &ModelSignals, config: &DebuggerConfig) -> Option<Finding> {
    let params = &config.params.overfit;
    let patience = params.patience.max(1);
    let curve = &signals.learning_curve;
    if curve.len() < patience {
        return None;
    }
    let tail = &curve[curve.len() - patience..];
    if !tail
        .iter()
        .all(|p| overfit_ratio(p.train_loss, p.validation_loss) > params.ratio_threshold)
    {
        return None;
    }
    let last: &LearningCurvePoint = tail.last()?;
    let ratio = overfit_ratio(last.train_loss, last.validation_loss);
    let loss_name = loss_name(signals);
    Some(Finding {
        rule: Rule::Overfit,
        step: None,
        severity: Severity::Warning,
        title: "The model is overfitting its training rows".to_string(),
        explanation: format!(
            "Trained on {} rows, its loss ({loss_name}) is {} on those rows and {} on \
             validation rows: {} higher{}; Overfit fires above {}.",
            last.n_train_rows,
            number(last.train_loss),
            number(last.validation_loss),
            ratio_text(ratio),
            if last.train_loss < LOSS_FLOOR {
                " (it memorized its training rows)"
            } else {
                ""
            },
            percent(params.ratio_threshold),
        ),
        suggestion: REGULARIZE.to_string(),
        evidence: vec![
            evidence("n_train_rows", last.n_train_rows as f64),
            evidence("train_loss", last.train_loss),
            evidence("validation_loss", last.validation_loss),
            evidence("ratio", ratio),
        ],
    })
}

fn class_imbalance(signals: &ModelSignals, config: &DebuggerConfig) -> Option<Finding> {
    let params = &config.params.class_imbalance;
    let counts = &signals.class_counts;
    if !signals.task.is_classification() || counts.len() < 2 {
        return None;
    }
    let largest = counts.iter().max_by_key(|c| c.count)?;
    let smallest = counts.iter().min_by_key(|c| c.count)?;
    let ratio = largest.count as f64 / (smallest.count as f64).max(f64::MIN_POSITIVE);
    let imbalanced = ratio > params.threshold_imbalance;
    // Minority classes the model mostly gets wrong on validation rows.
    let mut mispredicted: Vec<(usize, f64)> = Vec::new();
    if let Some(confusion) = &signals.validation_confusion {
        for (class, row) in confusion.iter().enumerate() {
            let total: u64 = row.iter().sum();
            let Some(count) = counts.get(class) else {
                continue;
            };
            if total == 0 || count.count * 2 >= largest.count {
                continue;
            }
            let wrong = 1.0 - row.get(class).copied().unwrap_or(0) as f64 / total as f64;
            if wrong > params.threshold_misprediction {
                mispredicted.push((class, wrong));
            }
        }
    }
    if !imbalanced && mispredicted.is_empty() {
        return None;
    }
    let mut explanation = format!(
        "The largest class \"{}\" has {} training rows and the smallest \"{}\" {}: a ratio \
         of {} (ClassImbalance fires above {}).",
        largest.class,
        largest.count,
        smallest.class,
        smallest.count,
        number(ratio),
        number(params.threshold_imbalance),
    );
    for &(class, wrong) in &mispredicted {
        explanation.push_str(&format!(
            " The model mispredicts {} of the validation rows of minority class \"{}\" \
             (more than {}).",
            percent(wrong),
            counts[class].class,
            percent(params.threshold_misprediction),
        ));
    }
    let mut evidence_values = vec![
        evidence("largest_class_count", largest.count as f64),
        evidence("smallest_class_count", smallest.count as f64),
        evidence("ratio", ratio),
    ];
    for &(class, wrong) in &mispredicted {
        evidence_values.push(evidence(
            &format!("misprediction_{}", counts[class].class),
            wrong,
        ));
    }
    Some(Finding {
        rule: Rule::ClassImbalance,
        step: None,
        severity: Severity::Warning,
        title: if imbalanced {
            "The classes are imbalanced".to_string()
        } else {
            "A minority class is mostly mispredicted".to_string()
        },
        explanation,
        suggestion: "Set class_weight to balanced, score by balanced_accuracy or f1_macro \
                     instead of accuracy, or collect more rows of the rare classes."
            .to_string(),
        evidence: evidence_values,
    })
}

fn tree_depth(signals: &ModelSignals, config: &DebuggerConfig) -> Option<Finding> {
    let params = &config.params.tree_depth;
    let deepest = *signals.tree_depths.iter().max()?;
    if deepest <= params.depth {
        return None;
    }
    let mean = signals.tree_depths.iter().sum::<usize>() as f64 / signals.tree_depths.len() as f64;
    let limit = signals
        .max_depth
        .map_or("no max_depth".to_string(), |d| format!("max_depth={d}"));
    Some(Finding {
        rule: Rule::TreeDepth,
        step: None,
        severity: Severity::Info,
        title: "The trees are deep".to_string(),
        explanation: format!(
            "The deepest of {} tree(s) has depth {deepest} (mean {}) with {limit}; \
             TreeDepth flags trees deeper than {}. Deep trees split rows down to few per \
             leaf and fit their noise.",
            signals.tree_depths.len(),
            number(mean),
            params.depth,
        ),
        suggestion: format!(
            "Try max_depth={} to {}, or raise min_samples_leaf; if validation scores do not \
             suffer, the depth is fine.",
            params.depth,
            params.depth + 2
        ),
        evidence: vec![
            evidence("max_tree_depth", deepest as f64),
            evidence("mean_tree_depth", mean),
        ],
    })
}

fn feature_importance_overweight(
    signals: &ModelSignals,
    config: &DebuggerConfig,
) -> Option<Finding> {
    let params = &config.params.feature_importance_overweight;
    if signals.feature_importances.len() <= params.nfeatures {
        return None;
    }
    let mut shares: Vec<(&str, f64)> = signals
        .feature_importances
        .iter()
        .map(|f| (f.feature.as_str(), f.value.max(0.0)))
        .collect();
    let total: f64 = shares.iter().map(|(_, v)| v).sum();
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    for share in &mut shares {
        share.1 /= total;
    }
    shares.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top = &shares[..params.nfeatures];
    let top_share: f64 = top.iter().map(|(_, s)| s).sum();
    if top_share <= params.threshold {
        return None;
    }
    let names: Vec<String> = top
        .iter()
        .map(|(name, share)| format!("\"{name}\" {}", percent(*share)))
        .collect();
    Some(Finding {
        rule: Rule::FeatureImportanceOverweight,
        step: None,
        severity: Severity::Info,
        title: format!("{} features carry most of the model", params.nfeatures),
        explanation: format!(
            "The top {} of {} features hold {} of the importance ({}); \
             FeatureImportanceOverweight fires above {}.",
            params.nfeatures,
            shares.len(),
            percent(top_share),
            names.join(", "),
            percent(params.threshold),
        ),
        suggestion: "Check those features for leakage (are they known before the outcome?); \
                     if they are legitimate, the model is fragile to them: validate on recent \
                     data, or regularize so other features share the work."
            .to_string(),
        evidence: top
            .iter()
            .map(|(name, share)| evidence(&format!("share_{name}"), *share))
            .chain([evidence("top_share", top_share)])
            .collect(),
    })
}

fn underfit(signals: &ModelSignals, config: &DebuggerConfig) -> Option<Finding> {
    let params = &config.params.underfit;
    let train = signals
        .train_score
        .or_else(|| signals.learning_curve.last().map(|p| p.train_score))?;
    let baseline = signals.baseline_score?;
    let perfect = perfect_score(signals.metric);
    let gap = perfect - baseline;
    if gap.is_nan() || gap <= 0.0 || !train.is_finite() {
        return None;
    }
    let closed = (train - baseline) / gap;
    if closed >= params.min_gap_closed {
        return None;
    }
    let metric = metric_name(signals.metric);
    Some(Finding {
        rule: Rule::Underfit,
        step: None,
        severity: Severity::Warning,
        title: "The model barely beats a dummy on its own training rows".to_string(),
        explanation: format!(
            "On the rows it was trained on it scores {metric} {}, against {} for the dummy \
             baseline and {} for a perfect model: it closes {} of that gap (Underfit fires \
             below {}).",
            number(train),
            number(baseline),
            number(perfect),
            percent(closed),
            percent(params.min_gap_closed),
        ),
        suggestion: "Give the model more capacity: raise max_depth (or leave it unlimited), \
                     max_leaf_nodes or max_iter, lower regularization (a higher C, a lower \
                     alpha), or try gradient boosting; if nothing helps, the features may not \
                     carry the signal."
            .to_string(),
        evidence: vec![
            evidence("train_score", train),
            evidence("baseline_score", baseline),
            evidence("gap_closed", closed),
        ],
    })
}

fn target_leakage(signals: &ModelSignals, config: &DebuggerConfig) -> Option<Finding> {
    let params = &config.params.target_leakage;
    let mut leaks: Vec<(&str, f64)> = signals
        .single_feature_scores
        .iter()
        .filter(|f| f.value >= params.threshold)
        .map(|f| (f.feature.as_str(), f.value))
        .collect();
    if leaks.is_empty() {
        return None;
    }
    leaks.sort_by(|a, b| b.1.total_cmp(&a.1));
    let metric = metric_name(leakage_metric(signals.task));
    let names: Vec<String> = leaks
        .iter()
        .map(|(name, score)| format!("\"{name}\" ({metric} {})", number(*score)))
        .collect();
    let first = leaks[0].0;
    Some(Finding {
        rule: Rule::TargetLeakage,
        step: None,
        severity: Severity::Critical,
        title: format!("\"{first}\" alone predicts the target"),
        explanation: format!(
            "A decision tree on one feature alone scores at least {} on held-out rows: {}. A \
             single column that good is usually computed from the target or recorded after \
             it, and the model's scores will not hold on new data.",
            number(params.threshold),
            names.join(", "),
        ),
        suggestion: format!(
            "Check how \"{first}\" is produced; if it is not known when a prediction is made, \
             leave it out of the features and train again."
        ),
        evidence: leaks
            .iter()
            .map(|(name, score)| evidence(&format!("score_{name}"), *score))
            .collect(),
    })
}

fn fold_spread(signals: &ModelSignals, config: &DebuggerConfig) -> Option<Finding> {
    let params = &config.params.fold_spread;
    if signals.fold_scores.len() < 2 {
        return None;
    }
    let spread = FoldSpread::new(signals.fold_scores.clone());
    let (scale, against) = match signals.baseline_score {
        Some(baseline) => (
            (spread.mean - baseline).abs(),
            format!(
                "the mean's distance from the dummy baseline {}",
                number(baseline)
            ),
        ),
        None => (spread.mean.abs(), "the mean".to_string()),
    };
    if spread.std <= params.max_std_ratio * scale {
        return None;
    }
    let metric = metric_name(signals.metric);
    Some(Finding {
        rule: Rule::FoldSpread,
        step: None,
        severity: Severity::Info,
        title: "Cross-validation folds disagree".to_string(),
        explanation: format!(
            "Over {} folds, {metric} is {} ± {} (from {} to {}): the spread is more than {} \
             of {against}, so part of the score is the luck of the split.",
            spread.fold_scores.len(),
            number(spread.mean),
            number(spread.std),
            number(
                spread
                    .fold_scores
                    .iter()
                    .copied()
                    .fold(f64::INFINITY, f64::min)
            ),
            number(
                spread
                    .fold_scores
                    .iter()
                    .copied()
                    .fold(f64::NEG_INFINITY, f64::max)
            ),
            percent(params.max_std_ratio),
        ),
        suggestion: "Collect more rows, use more folds (or repeated cross-validation), or \
                     choose a simpler model whose score moves less from split to split."
            .to_string(),
        evidence: vec![
            evidence("mean", spread.mean),
            evidence("std", spread.std),
            evidence("n_folds", spread.fold_scores.len() as f64),
        ],
    })
}

/// What a curve's losses are, for explanations: "1 − accuracy", "RMSE"…
fn loss_name(signals: &ModelSignals) -> String {
    let metric = metric_name(signals.metric);
    if perfect_score(signals.metric) == 0.0 {
        metric.trim_start_matches("neg_").to_string()
    } else {
        debug_assert_eq!(loss_from_score(signals.metric, 1.0), 0.0);
        format!("1 − {metric}")
    }
}

fn evidence(name: &str, value: f64) -> Evidence {
    Evidence {
        name: name.to_string(),
        value,
    }
}

/// A number as an explanation shows it: three decimals, trailing zeros kept for
/// alignment with the UI's tables.
fn number(value: f64) -> String {
    if value.is_infinite() {
        "infinite".to_string()
    } else if value.abs() >= 1000.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.3}")
    }
}

fn percent(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

/// An overfit ratio as words: "63%", or "far" when the training loss was 0 (the ratio
/// then divides by [`LOSS_FLOOR`]).
fn ratio_text(ratio: f64) -> String {
    if ratio >= 1.0 / LOSS_FLOOR / 10.0 {
        "far".to_string()
    } else {
        percent(ratio)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debugger::{ClassCount, FeatureScore, RuleParams};
    use crate::ml::{Metric, Task};

    /// Records numbered from 1, with validation losses when given.
    fn trace(train: &[f64], validation: Option<&[f64]>) -> Vec<IterationRecord> {
        train
            .iter()
            .enumerate()
            .map(|(i, &train_loss)| IterationRecord {
                iteration: i + 1,
                train_loss,
                validation_loss: validation.map(|v| v[i]),
                n_leaves: 0,
            })
            .collect()
    }

    /// The rules that fired on `records` and the steps they fired at.
    fn fired(config: DebuggerConfig, records: &[IterationRecord]) -> Vec<(Rule, usize)> {
        let mut live = LiveDebugger::new(config);
        for record in records {
            live.observe(record);
        }
        live.findings()
            .iter()
            .map(|f| (f.rule, f.step.unwrap()))
            .collect()
    }

    fn only(rule: Rule) -> DebuggerConfig {
        DebuggerConfig {
            enabled: vec![rule],
            ..DebuggerConfig::default()
        }
    }

    /// A loss falling by `rate` per step from `start`.
    fn falling(start: f64, rate: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| start * (1.0 - rate).powi(i as i32))
            .collect()
    }

    #[test]
    fn defaults_are_sagemakers_and_an_empty_config_reads_as_the_default() {
        let params = RuleParams::default();
        assert_eq!(params.loss_not_decreasing.num_steps, 10);
        assert_eq!(params.loss_not_decreasing.diff_percent, 0.0);
        assert_eq!(params.overfit.start_step, 0);
        assert_eq!(params.overfit.patience, 1);
        assert_eq!(params.overfit.ratio_threshold, 0.1);
        assert_eq!(params.overtraining.patience_train, 5);
        assert_eq!(params.overtraining.patience_validation, 10);
        assert_eq!(params.overtraining.delta, 0.1);
        assert_eq!(params.class_imbalance.threshold_imbalance, 10.0);
        assert_eq!(params.class_imbalance.threshold_misprediction, 0.7);
        assert_eq!(params.tree_depth.depth, 4);
        assert_eq!(params.feature_importance_overweight.threshold, 0.8);
        assert_eq!(params.feature_importance_overweight.nfeatures, 3);
        let config: DebuggerConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config, DebuggerConfig::default());
        let json = serde_json::to_string(&DebuggerConfig {
            stop_on: vec![Rule::Overfit],
            ..DebuggerConfig::default()
        })
        .unwrap();
        assert!(json.contains("\"stop_on\":[\"Overfit\"]"), "{json}");
        assert!(Rule::ALL
            .iter()
            .all(|rule| rule.name() == format!("{rule:?}")));
    }

    #[test]
    fn loss_not_decreasing_fires_on_a_stalled_loss_and_not_on_a_falling_one() {
        let rule = Rule::LossNotDecreasing;
        // The training loss falls every step: never.
        assert_eq!(fired(only(rule), &trace(&falling(1.0, 0.05, 40), None)), []);
        // The validation loss (read first) bottoms out at step 8 and rises: the check at
        // step 11 compares with step 1 (still lower now), the one at step 21 with step 11.
        let validation: Vec<f64> = (0..40)
            .map(|i| 0.5 + 0.01 * (i as f64 - 8.0).abs())
            .collect();
        let records = trace(&falling(1.0, 0.05, 40), Some(&validation));
        assert_eq!(fired(only(rule), &records), [(rule, 21)]);
        // A flat training loss fires at the first check, num_steps after the first step.
        assert_eq!(fired(only(rule), &trace(&[0.7; 30], None)), [(rule, 11)]);
        // diff_percent asks for a fall of at least that much.
        let mut config = only(rule);
        config.params.loss_not_decreasing.diff_percent = 50.0;
        assert_eq!(
            fired(config, &trace(&falling(1.0, 0.05, 30), None)),
            [(rule, 11)]
        );
    }

    #[test]
    fn overfit_fires_when_validation_exceeds_training_by_the_ratio() {
        let rule = Rule::Overfit;
        let train = falling(0.7, 0.1, 20);
        // Validation 5% above training: below the 10% threshold.
        let close: Vec<f64> = train.iter().map(|t| t * 1.05).collect();
        assert_eq!(fired(only(rule), &trace(&train, Some(&close))), []);
        // Validation flat at 0.5 while training falls: fires at the first step 10% above.
        let flat = vec![0.5; 20];
        let first = train.iter().position(|t| (0.5 - t) / t > 0.1).unwrap() + 1;
        assert_eq!(
            fired(only(rule), &trace(&train, Some(&flat))),
            [(rule, first)]
        );
        // patience asks for that many steps in a row; start_step delays the check.
        let mut config = only(rule);
        config.params.overfit.patience = 3;
        assert_eq!(
            fired(config.clone(), &trace(&train, Some(&flat))),
            [(rule, first + 2)]
        );
        config.params.overfit.start_step = 15;
        assert_eq!(fired(config, &trace(&train, Some(&flat))), [(rule, 17)]);
        // No validation loss, no verdict.
        assert_eq!(fired(only(rule), &trace(&train, None)), []);
    }

    #[test]
    fn overfit_with_a_memorized_training_set_fires_on_any_validation_loss() {
        let rule = Rule::Overfit;
        assert_eq!(
            fired(only(rule), &trace(&[0.0], Some(&[0.01]))),
            [(rule, 1)]
        );
        assert_eq!(fired(only(rule), &trace(&[0.0], Some(&[0.0]))), []);
    }

    #[test]
    fn overtraining_fires_when_validation_stalls_while_training_improves() {
        let rule = Rule::Overtraining;
        // Training keeps falling 10% a step; validation stops improving after step 6.
        let train = falling(1.0, 0.1, 30);
        let validation: Vec<f64> = (0..30).map(|i| falling(1.0, 0.2, 6)[i.min(5)]).collect();
        // Best validation at step 6; 10 steps later, training still reaches new bests.
        assert_eq!(
            fired(only(rule), &trace(&train, Some(&validation))),
            [(rule, 16)]
        );
        // Both converge (neither improves by 10% any more): not overtraining.
        let converged: Vec<f64> = (0..30).map(|i| falling(1.0, 0.2, 6)[i.min(5)]).collect();
        assert_eq!(fired(only(rule), &trace(&converged, Some(&converged))), []);
        // Both keep improving: not overtraining.
        assert_eq!(fired(only(rule), &trace(&train, Some(&train))), []);
    }

    #[test]
    fn a_stop_rule_stops_and_other_rules_only_report() {
        let train = falling(0.7, 0.1, 20);
        let records = trace(&train, Some(&[0.5; 20]));
        let progress = |record: IterationRecord| Progress {
            fraction_done: 0.0,
            steps_done: record.iteration,
            iteration: Some(record),
        };
        let mut reporting = LiveDebugger::new(DebuggerConfig::default());
        assert!(records
            .iter()
            .all(|r| reporting.on_progress(&progress(*r)) == Control::Continue));
        assert!(reporting.findings().iter().any(|f| f.rule == Rule::Overfit));
        assert_eq!(reporting.stopped_by(), None);

        let mut stopping = LiveDebugger::new(DebuggerConfig {
            stop_on: vec![Rule::Overfit],
            ..DebuggerConfig::default()
        });
        let stop_step = records
            .iter()
            .find(|r| stopping.on_progress(&progress(**r)) == Control::Cancel)
            .unwrap()
            .iteration;
        assert_eq!(stopping.stopped_by(), Some(Rule::Overfit));
        let overfit = stopping
            .findings()
            .iter()
            .find(|f| f.rule == Rule::Overfit)
            .unwrap();
        assert_eq!(overfit.step, Some(stop_step));
        assert!(overfit.explanation.contains("above the training loss"));
        // Each rule reports once; observing on after a stop still says stop.
        assert!(stopping.observe(&records[19]).stop);
        assert_eq!(
            stopping
                .findings()
                .iter()
                .filter(|f| f.rule == Rule::Overfit)
                .count(),
            1
        );
        // A disabled rule neither reports nor stops (the flat validation loss still fires
        // the enabled LossNotDecreasing, which is not a stop-rule here).
        let mut disabled = LiveDebugger::new(DebuggerConfig {
            enabled: vec![Rule::LossNotDecreasing],
            stop_on: vec![Rule::Overfit],
            ..DebuggerConfig::default()
        });
        assert!(records.iter().all(|r| !disabled.observe(r).stop));
        let rules: Vec<Rule> = disabled.findings().iter().map(|f| f.rule).collect();
        assert_eq!(rules, [Rule::LossNotDecreasing]);
    }

    fn signals(task: Task, metric: Metric) -> ModelSignals {
        ModelSignals::new(task, metric)
    }

    /// The rules `diagnose` reports with every rule enabled.
    fn diagnosed(signals: &ModelSignals) -> Vec<Rule> {
        diagnose(signals, &DebuggerConfig::default())
            .iter()
            .map(|f| f.rule)
            .collect()
    }

    fn counts(counts: &[u64]) -> Vec<ClassCount> {
        counts
            .iter()
            .enumerate()
            .map(|(i, &count)| ClassCount {
                class: format!("c{i}"),
                count,
            })
            .collect()
    }

    #[test]
    fn class_imbalance_fires_above_the_ratio_or_on_a_mispredicted_minority() {
        let mut s = signals(Task::Binary, Metric::Accuracy);
        s.class_counts = counts(&[1000, 50]);
        let findings = diagnose(&s, &DebuggerConfig::default());
        assert_eq!(findings[0].rule, Rule::ClassImbalance);
        assert!(findings[0].explanation.contains("20.000"), "{findings:?}");
        // Exactly the threshold does not exceed it; balanced classes never fire.
        s.class_counts = counts(&[500, 50]);
        assert_eq!(diagnosed(&s), []);
        s.class_counts = counts(&[100, 95, 98]);
        s.task = Task::Multiclass;
        assert_eq!(diagnosed(&s), []);
        // Balanced but a class mostly missed: that is Underfit's business, not this rule's.
        s.validation_confusion = Some(vec![vec![20, 0, 0], vec![18, 2, 0], vec![0, 0, 20]]);
        assert_eq!(diagnosed(&s), []);
        // A minority class (ratio 4, under the threshold) mispredicted 80% of the time.
        s.task = Task::Binary;
        s.class_counts = counts(&[400, 100]);
        s.validation_confusion = Some(vec![vec![95, 5], vec![20, 5]]);
        let findings = diagnose(&s, &DebuggerConfig::default());
        assert_eq!(findings.len(), 1);
        assert!(findings[0]
            .explanation
            .contains("80% of the validation rows of minority class \"c1\""));
        // The same minority mostly right: nothing.
        s.validation_confusion = Some(vec![vec![95, 5], vec![5, 20]]);
        assert_eq!(diagnosed(&s), []);
    }

    #[test]
    fn tree_depth_fires_on_trees_deeper_than_depth() {
        let mut s = signals(Task::Regression, Metric::R2);
        assert_eq!(diagnosed(&s), []);
        s.tree_depths = vec![3, 4, 4];
        assert_eq!(diagnosed(&s), []);
        s.tree_depths = vec![3, 9, 4];
        let findings = diagnose(&s, &DebuggerConfig::default());
        assert_eq!(findings[0].rule, Rule::TreeDepth);
        assert!(findings[0].explanation.contains("depth 9"));
        assert!(findings[0].explanation.contains("no max_depth"));
    }

    fn features(values: &[f64]) -> Vec<FeatureScore> {
        values
            .iter()
            .enumerate()
            .map(|(i, &value)| FeatureScore {
                feature: format!("f{i}"),
                value,
            })
            .collect()
    }

    #[test]
    fn feature_importance_overweight_fires_when_three_features_hold_most() {
        let mut s = signals(Task::Regression, Metric::R2);
        s.feature_importances = features(&[0.5, 0.2, 0.15, 0.05, 0.05, 0.05]);
        let findings = diagnose(&s, &DebuggerConfig::default());
        assert_eq!(findings[0].rule, Rule::FeatureImportanceOverweight);
        assert!(findings[0].explanation.contains("85%"), "{findings:?}");
        // Shares are taken over the clamped values: negatives count as 0.
        s.feature_importances = features(&[0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, -0.5]);
        assert_eq!(diagnosed(&s), []);
        // Three features or fewer always hold everything: no verdict.
        s.feature_importances = features(&[0.9, 0.1, 0.0]);
        assert_eq!(diagnosed(&s), []);
    }

    #[test]
    fn underfit_fires_near_the_dummy_baseline() {
        let mut s = signals(Task::Multiclass, Metric::Accuracy);
        s.baseline_score = Some(0.1);
        s.train_score = Some(0.2);
        let findings = diagnose(&s, &DebuggerConfig::default());
        assert_eq!(findings[0].rule, Rule::Underfit);
        assert!(
            findings[0].explanation.contains("closes 11%"),
            "{findings:?}"
        );
        s.train_score = Some(0.9);
        assert_eq!(diagnosed(&s), []);
        // Negated errors: perfect is 0, so an RMSE of 9.5 against the dummy's 10 underfits.
        let mut s = signals(Task::Regression, Metric::NegRootMeanSquaredError);
        s.baseline_score = Some(-10.0);
        s.train_score = Some(-9.5);
        assert_eq!(diagnosed(&s), [Rule::Underfit]);
        s.train_score = Some(-2.0);
        assert_eq!(diagnosed(&s), []);
        // Without a train score, the learning curve's last point stands in.
        s.train_score = None;
        s.learning_curve = vec![point(100, -9.8, -9.9, Metric::NegRootMeanSquaredError)];
        assert_eq!(diagnosed(&s), [Rule::Underfit]);
    }

    fn point(n: usize, train: f64, validation: f64, metric: Metric) -> LearningCurvePoint {
        LearningCurvePoint {
            n_train_rows: n,
            fraction: 1.0,
            train_score: train,
            validation_score: validation,
            train_loss: loss_from_score(metric, train),
            validation_loss: loss_from_score(metric, validation),
        }
    }

    #[test]
    fn overfit_on_a_learning_curve_reads_the_largest_training_size() {
        let metric = Metric::Accuracy;
        let mut s = signals(Task::Binary, metric);
        // A tree that memorizes every sample.
        s.learning_curve = vec![point(10, 1.0, 0.6, metric), point(100, 1.0, 0.75, metric)];
        let findings = diagnose(&s, &DebuggerConfig::default());
        assert_eq!(findings[0].rule, Rule::Overfit);
        assert_eq!(findings[0].step, None);
        assert!(
            findings[0].explanation.contains("memorized"),
            "{findings:?}"
        );
        assert!(findings[0].explanation.contains("1 − accuracy"));
        // Overfit at 10 rows but not at 100: the model a user gets is fine.
        s.learning_curve = vec![point(10, 1.0, 0.6, metric), point(100, 0.80, 0.79, metric)];
        assert_eq!(diagnosed(&s), []);
        // A trace that already showed overfitting is not reported twice.
        s.learning_curve = vec![point(100, 1.0, 0.75, metric)];
        s.trace = trace(&[0.3, 0.2], Some(&[0.5, 0.5]));
        let rules = diagnosed(&s);
        assert_eq!(rules.iter().filter(|r| **r == Rule::Overfit).count(), 1);
    }

    #[test]
    fn target_leakage_fires_on_a_near_perfect_single_feature() {
        let mut s = signals(Task::Binary, Metric::Accuracy);
        s.single_feature_scores = features(&[0.62, 0.995, 0.71]);
        let findings = diagnose(&s, &DebuggerConfig::default());
        assert_eq!(findings[0].rule, Rule::TargetLeakage);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert!(findings[0].title.contains("\"f1\""));
        assert!(findings[0].explanation.contains("balanced_accuracy 0.995"));
        s.single_feature_scores = features(&[0.62, 0.95, 0.71]);
        assert_eq!(diagnosed(&s), []);
    }

    #[test]
    fn fold_spread_fires_when_folds_disagree_by_much_of_the_gain() {
        let mut s = signals(Task::Binary, Metric::Accuracy);
        s.baseline_score = Some(0.5);
        s.train_score = Some(0.95);
        s.fold_scores = vec![0.9, 0.6, 0.95, 0.7, 0.85];
        assert_eq!(diagnosed(&s), [Rule::FoldSpread]);
        s.fold_scores = vec![0.90, 0.91, 0.89, 0.90, 0.92];
        assert_eq!(diagnosed(&s), []);
        s.fold_scores = vec![0.9];
        assert_eq!(diagnosed(&s), []);
    }

    #[test]
    fn diagnose_replays_the_trace_and_skips_disabled_rules() {
        let mut s = signals(Task::Binary, Metric::Accuracy);
        s.trace = trace(&falling(0.7, 0.1, 20), Some(&[0.5; 20]));
        s.tree_depths = vec![12];
        let rules = diagnosed(&s);
        assert!(rules.contains(&Rule::Overfit) && rules.contains(&Rule::TreeDepth));
        let config = DebuggerConfig {
            enabled: vec![Rule::TreeDepth],
            ..DebuggerConfig::default()
        };
        let only_depth: Vec<Rule> = diagnose(&s, &config).iter().map(|f| f.rule).collect();
        assert_eq!(only_depth, [Rule::TreeDepth]);
        // Every finding explains itself and suggests a fix.
        for finding in diagnose(&s, &DebuggerConfig::default()) {
            assert!(!finding.explanation.is_empty() && !finding.suggestion.is_empty());
            assert!(!finding.evidence.is_empty());
        }
    }
}

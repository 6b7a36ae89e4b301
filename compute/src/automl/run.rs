//! The whole AutoML path from frames to a report and a stored model, and predictions of a stored model on new rows.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, StringArray};
use serde::{Deserialize, Serialize};

use super::cv::split_dataset;
use super::evaluate::{evaluate, feature_matrix};
use super::inputs::model_inputs;
use super::search::{report_jobs, task_name, SearchOptions, SearchOutcome, SearchRun, SearchStep};
use super::{
    default_metric, AutomlOptions, AutomlReport, ClassWords, ColumnCount, FoldResult, ModelSpec,
    Shard, TrainingMetadata, AUTOML_SCHEMA_VERSION, TOP_WORDS_PER_CLASS,
};
use crate::debugger::build::diagnose_build;
use crate::debugger::{Finding, Stopped};
use crate::frame::{Column, Frame};
use crate::ml::{train_set, Control, Metric, MlError, Model, Progress, Task, TrainSet};
use crate::records::ModelInput;
use crate::schema::ColumnType;

/// A stored model: the fitted [`Model`] (with its feature spec), the spec it was fitted
/// from, and how it was trained. Written as JSON by `studio train --model-out`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub schema_version: u32,
    pub spec: ModelSpec,
    pub metadata: TrainingMetadata,
    pub model: Model,
}

impl ModelFile {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model file always serializes")
    }

    /// Reads a model file, refusing other schema versions by name.
    pub fn from_json(json: &str) -> Result<ModelFile, String> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|error| format!("not a model file: {error}"))?;
        let version = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64);
        if version != Some(u64::from(AUTOML_SCHEMA_VERSION)) {
            return Err(format!(
                "model file schema version {} is not {AUTOML_SCHEMA_VERSION}, the one this studio reads",
                version.map_or("missing".to_string(), |v| v.to_string())
            ));
        }
        serde_json::from_value(value).map_err(|error| format!("not a model file: {error}"))
    }
}

/// A finished run: what to show and what to store.
#[derive(Clone, Debug)]
pub struct AutomlRun {
    pub report: AutomlReport,
    pub model_file: ModelFile,
}

/// The training set of `frame` for `options`: the target checked (present, not entirely
/// missing), `options.drop` and every entirely-missing column left out (with a warning
/// naming them). Returns the set, the excluded columns and the warnings.
pub fn prepare(
    frame: &Frame,
    options: &AutomlOptions,
) -> Result<(TrainSet, Vec<String>, Vec<String>), MlError> {
    let target = frame
        .column(&options.target)
        .ok_or_else(|| MlError::ColumnNotFound {
            column: options.target.clone(),
        })?;
    if target.null_count() == target.len() {
        return Err(MlError::InvalidTarget {
            column: options.target.clone(),
            reason: "has no values: every row is missing".to_string(),
        });
    }
    let mut warnings = Vec::new();
    let mut excluded: Vec<String> = options.drop.clone();
    let empty: Vec<String> = frame
        .columns()
        .iter()
        .filter(|column| {
            column.name() != options.target
                && !excluded.iter().any(|name| name == column.name())
                && column.null_count() == column.len()
        })
        .map(|column| column.name().to_string())
        .collect();
    if !empty.is_empty() {
        let names: Vec<String> = empty.iter().map(|name| format!("\"{name}\"")).collect();
        warnings.push(format!(
            "left out {} every value of which is missing: {}",
            if empty.len() == 1 {
                "a column"
            } else {
                "columns"
            },
            names.join(", ")
        ));
        excluded.extend(empty);
    }
    let exclude: Vec<&str> = excluded.iter().map(String::as_str).collect();
    let train = train_set(frame, &options.target, &exclude, options.task)?;
    if train.dropped_rows > 0 {
        warnings.push(format!(
            "left out {} training rows whose target \"{}\" is missing",
            train.dropped_rows, options.target
        ));
    }
    Ok((train, excluded, warnings))
}

/// Searches for the best model on `train_frame`, refits it on every row and, with
/// `test_frame`, evaluates it there. `clock` reads seconds (any origin); `progress`
/// counts jobs and may cancel. A loop over [`Training`].
pub fn run(
    train_frame: &Frame,
    test_frame: Option<&Frame>,
    options: &AutomlOptions,
    clock: &dyn Fn() -> f64,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<AutomlRun, MlError> {
    let mut training = Training::new(train_frame, test_frame.cloned(), options, clock)?;
    loop {
        match training.step_with(clock, progress)? {
            TrainingStep::Job {
                jobs_done,
                jobs_total,
            } => report_jobs(jobs_done, jobs_total, progress)?,
            TrainingStep::Refitted | TrainingStep::Evaluated => {}
            TrainingStep::AwaitingResults => unreachable!("an unsharded run never waits"),
            TrainingStep::Finished(run) => return Ok(*run),
        }
    }
}

/// What one step of a [`Training`] did.
#[derive(Clone, Debug)]
pub enum TrainingStep {
    /// One fold job of the search ran (counted as [`search`](super::search::search) counts
    /// them).
    Job { jobs_done: usize, jobs_total: usize },
    /// A sharded search ran its share of the candidate jobs and waits for the other
    /// workers' results ([`Training::accept`]); nothing ran in this step.
    AwaitingResults,
    /// The best candidate was refitted; the evaluation on the test rows comes next.
    Refitted,
    /// The model was evaluated; the Debugger's diagnosis comes next.
    Evaluated,
    /// The run is over.
    Finished(Box<AutomlRun>),
}

/// A whole AutoML run that advances one step at a time: the search's fold jobs one by one,
/// the refit, then the evaluation on the test rows. A browser worker awaits between steps
/// so that a cancel can arrive; [`run`] is a loop over it and gives the same results.
#[derive(Clone, Debug)]
pub struct Training {
    train: TrainSet,
    excluded_columns: Vec<String>,
    warnings: Vec<String>,
    options: AutomlOptions,
    metric: Metric,
    search: SearchRun,
    test: Option<Frame>,
    /// The search's outcome, once refitted, waiting for the evaluation.
    searched: Option<SearchOutcome>,
    /// The evaluated run waiting for the Debugger's diagnosis, with what the live rules
    /// found during the refit.
    evaluated: Option<(AutomlRun, Vec<Finding>, Option<Stopped>)>,
    inputs: Vec<ModelInput>,
}

impl Training {
    /// Prepares the training set of `train_frame` (see [`prepare`]) and plans the search;
    /// with `test_frame`, the refitted model is evaluated there at the end.
    pub fn new(
        train_frame: &Frame,
        test_frame: Option<Frame>,
        options: &AutomlOptions,
        clock: &dyn Fn() -> f64,
    ) -> Result<Training, MlError> {
        let (train, excluded_columns, warnings) = prepare(train_frame, options)?;
        let metric = options
            .metric
            .unwrap_or_else(|| default_metric(train.task()));
        let search_options = SearchOptions {
            build: options.build,
            metric,
            seed: options.seed,
            time_budget_secs: options
                .time_budget_secs
                .or_else(|| options.build.default_time_budget_secs()),
            algorithm: options.algorithm.clone(),
            debugger: options.debugger.clone(),
        };
        let search = SearchRun::new(&train, &search_options, clock)?;
        let inputs = model_inputs(train_frame, &train.spec);
        Ok(Training {
            train,
            excluded_columns,
            warnings,
            options: options.clone(),
            metric,
            search,
            test: test_frame,
            searched: None,
            evaluated: None,
            inputs,
        })
    }

    /// A run on one stored dataset: its rows split by [`split_dataset`] (a fifth held out,
    /// seeded, stratified for classes), searched on the training rows and evaluated on the
    /// holdout. A numeric target the whole dataset makes a regression target stays one
    /// (fewer training rows could count 20 or fewer distinct values and make it classes);
    /// classes are counted on the training rows, so a class too rare to reach them leaves
    /// a warning about unscored holdout rows rather than an error.
    pub fn on_dataset(
        frame: &Frame,
        options: &AutomlOptions,
        clock: &dyn Fn() -> f64,
    ) -> Result<Training, MlError> {
        let split = split_dataset(frame, options)?;
        let options = AutomlOptions {
            task: options
                .task
                .or((split.task == Task::Regression).then_some(Task::Regression)),
            ..options.clone()
        };
        let mut training = Training::new(&split.train, Some(split.holdout), &options, clock)?;
        if split.n_rows_without_target > 0 {
            training.warnings.push(format!(
                "left out {} rows whose target \"{}\" is missing",
                split.n_rows_without_target, options.target
            ));
        }
        Ok(training)
    }

    /// Rows the model is fitted on (training rows with a target).
    pub fn n_train_rows(&self) -> usize {
        self.train.y.len()
    }

    /// Rows the model is evaluated on at the end (none without test rows).
    pub fn n_test_rows(&self) -> usize {
        self.test.as_ref().map_or(0, Frame::n_rows)
    }

    /// The columns a prediction needs, with what a what-if form starts from (from the
    /// training rows).
    pub fn inputs(&self) -> &[ModelInput] {
        &self.inputs
    }

    /// Steps done and planned so far: the search's fold jobs, the refit, the evaluation
    /// when there are test rows, and the diagnosis when the Debugger's rules are on.
    pub fn progress(&self) -> (usize, usize) {
        let (done, total) = self.search.progress();
        let evaluation = usize::from(self.test.is_some());
        let diagnosis = usize::from(self.options.debugger.is_some());
        let evaluated = usize::from(self.evaluated.is_some());
        (done + evaluated, total + evaluation + diagnosis)
    }

    /// What the next step runs, e.g. `gbdt(learning_rate=0.1, …) · fold 2 of 5`, or
    /// `evaluating on 69 holdout rows`.
    pub fn stage(&self) -> String {
        if self.evaluated.is_some() {
            return "diagnosing: learning curve and the Debugger's rules".to_string();
        }
        match (&self.searched, &self.test) {
            (Some(_), Some(test)) => format!("evaluating on {} holdout rows", test.n_rows()),
            _ => self.search.stage(),
        }
    }

    /// Runs only `shard`'s share of the search's candidate jobs (see [`SearchRun::shard`]).
    pub fn shard(&mut self, shard: Shard, clock: &dyn Fn() -> f64) {
        self.search.shard(shard, clock);
    }

    /// The search's fold results so far: a helping worker's share once it awaits.
    pub fn fold_results(&self) -> &[FoldResult] {
        self.search.results()
    }

    /// Hands the other workers' fold results to a sharded search (see [`SearchRun::accept`]).
    pub fn accept(&mut self, results: Vec<FoldResult>, clock: &dyn Fn() -> f64) {
        self.search.accept(results, clock);
    }

    /// Runs the next step (without a refit progress callback).
    pub fn step(&mut self, clock: &dyn Fn() -> f64) -> Result<TrainingStep, MlError> {
        self.step_with(clock, &mut |_| Control::Continue)
    }

    /// [`Training::step`] whose refit reports to `refit_progress` (see
    /// [`SearchRun::step_with`]). A step after the run finished is a caller's bug.
    pub fn step_with(
        &mut self,
        clock: &dyn Fn() -> f64,
        refit_progress: &mut dyn FnMut(Progress) -> Control,
    ) -> Result<TrainingStep, MlError> {
        if let Some((mut run, live_findings, stopped)) = self.evaluated.take() {
            let config = self.options.debugger.clone().unwrap_or_default();
            let diagnosis = diagnose_build(
                &self.train,
                &run.model_file.spec,
                &run.report.best.fold_scores,
                &run.model_file.model,
                live_findings,
                stopped,
                self.metric,
                self.options.seed,
                &config,
            )?;
            run.report.diagnosis = Some(diagnosis);
            return Ok(TrainingStep::Finished(Box::new(run)));
        }
        if let Some(outcome) = self.searched.take() {
            return self.finish(outcome);
        }
        match self.search.step_with(&self.train, clock, refit_progress)? {
            SearchStep::Job {
                jobs_done,
                jobs_total,
            } => Ok(TrainingStep::Job {
                jobs_done,
                jobs_total,
            }),
            SearchStep::AwaitingResults => Ok(TrainingStep::AwaitingResults),
            SearchStep::Finished(outcome) if self.test.is_some() => {
                self.searched = Some(*outcome);
                Ok(TrainingStep::Refitted)
            }
            SearchStep::Finished(outcome) => self.finish(*outcome),
        }
    }

    /// Evaluates the refitted model on the test rows, if any, and writes the report and
    /// the model file; the run is over unless the Debugger's diagnosis comes next.
    fn finish(&mut self, outcome: SearchOutcome) -> Result<TrainingStep, MlError> {
        let live_findings = outcome.live_findings.clone();
        let stopped = outcome.stopped.clone();
        let run = self.evaluate(outcome)?;
        if self.options.debugger.is_some() {
            self.evaluated = Some((run, live_findings, stopped));
            Ok(TrainingStep::Evaluated)
        } else {
            Ok(TrainingStep::Finished(Box::new(run)))
        }
    }

    fn evaluate(&mut self, outcome: SearchOutcome) -> Result<AutomlRun, MlError> {
        let options = &self.options;
        let metric = self.metric;
        let train = &self.train;
        let task = train.task();
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.extend(outcome.warnings.iter().cloned());
        let holdout = match &self.test {
            Some(test) => {
                let report = evaluate(&outcome.model, &train.y, test, metric, options.seed)?;
                if report.n_rows_without_target > 0 {
                    warnings.push(format!(
                        "{} test rows were not scored: their target is missing or a class the training rows never had",
                        report.n_rows_without_target
                    ));
                }
                warnings.extend(unseen_warnings(&report.unseen_categories, "test"));
                Some(report)
            }
            None => None,
        };
        let excluded_columns = self.excluded_columns.clone();
        let best = outcome.leaderboard[0].clone();
        let features: Vec<String> = train
            .spec
            .features
            .iter()
            .map(|feature| feature.name.clone())
            .chain(train.spec.text_columns.iter().cloned())
            .collect();
        let top_words = top_words(&outcome.model);
        let classes = train.spec.target.classes.clone();
        let report = AutomlReport {
            schema_version: AUTOML_SCHEMA_VERSION,
            target: options.target.clone(),
            task,
            classes: classes.clone(),
            metric,
            build: options.build,
            validation: outcome.validation,
            seed: options.seed,
            n_train_rows: train.y.len(),
            features: features.clone(),
            excluded_columns: excluded_columns.clone(),
            best: best.clone(),
            leaderboard: outcome.leaderboard,
            holdout,
            search_secs: outcome.search_secs,
            refit_secs: outcome.refit_secs,
            warnings,
            diagnosis: None,
            text_columns: train.spec.text_columns.clone(),
            top_words,
        };
        let model_file = ModelFile {
            schema_version: AUTOML_SCHEMA_VERSION,
            spec: outcome.spec,
            metadata: TrainingMetadata {
                target: options.target.clone(),
                task,
                classes,
                features,
                excluded_columns,
                build: options.build,
                metric,
                validation: outcome.validation,
                seed: options.seed,
                n_train_rows: train.y.len(),
                cv_mean: best.cv_mean,
                cv_std: best.cv_std,
                trained_with: format!("studio {}", env!("CARGO_PKG_VERSION")),
            },
            model: outcome.model,
        };
        Ok(AutomlRun { report, model_file })
    }
}

/// The top words per class of the text model in `model` (itself, or an ensemble's first
/// text member); empty for models that read no text.
fn top_words(model: &Model) -> Vec<ClassWords> {
    let text = match model {
        Model::Text(text) => Some(text),
        Model::Ensemble(ensemble) => ensemble.members.iter().find_map(|member| match member {
            Model::Text(text) => Some(text),
            _ => None,
        }),
        _ => None,
    };
    let Some(text) = text else {
        return Vec::new();
    };
    text.model
        .classes
        .iter()
        .map(|class| ClassWords {
            class: class.clone(),
            words: text
                .model
                .top_words(class, TOP_WORDS_PER_CLASS)
                .expect("a model's own class has top words"),
        })
        .collect()
}

/// Warnings about categories a model never saw, one per column, naming where.
pub fn unseen_warnings(unseen: &[ColumnCount], rows: &str) -> Vec<String> {
    unseen
        .iter()
        .map(|count| {
            format!(
                "column \"{}\": {} {rows} rows hold a category the model never saw (treated as missing)",
                count.column, count.n_rows
            )
        })
        .collect()
}

/// A model's predictions on some rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Predictions {
    pub task: Task,
    /// Regression: the values; classification: class indices.
    pub values: Vec<f64>,
    /// Classification: per row, one probability per class.
    pub proba: Option<Vec<Vec<f64>>>,
    pub classes: Vec<String>,
    pub unseen_categories: Vec<ColumnCount>,
}

/// Predicts every row of `frame` (its other columns ignored; a missing feature column is
/// an error naming it; unseen categories are counted and treated as missing).
pub fn predict(model: &Model, frame: &Frame) -> Result<Predictions, MlError> {
    let x = feature_matrix(model.spec(), frame)?;
    let task = model.task();
    let (values, proba) = if task == Task::Regression {
        (model.predict(&x)?, None)
    } else {
        let proba = model.predict_proba(&x)?;
        let values = proba
            .iter()
            .map(|p| {
                // The first most probable class, as numpy's argmax.
                let mut best = 0;
                for (class, &value) in p.iter().enumerate() {
                    if value > p[best] {
                        best = class;
                    }
                }
                best as f64
            })
            .collect();
        (values, Some(proba))
    };
    Ok(Predictions {
        task,
        values,
        proba,
        classes: model.spec().target.classes.clone(),
        unseen_categories: x
            .unseen_categories
            .iter()
            .map(|unseen| ColumnCount {
                column: unseen.column.clone(),
                n_rows: unseen.n_rows,
            })
            .collect(),
    })
}

impl Predictions {
    /// The predictions as a frame: `prediction` (the value, or the class label) and, for a
    /// classifier, `proba_<class>` per class.
    pub fn to_frame(&self) -> Frame {
        let mut columns = Vec::new();
        if self.task == Task::Regression {
            columns.push(float_column("prediction", self.values.clone()));
        } else {
            let labels: StringArray = self
                .values
                .iter()
                .map(|&class| Some(self.classes[class as usize].as_str()))
                .collect();
            columns.push(
                Column::new(
                    "prediction",
                    ColumnType::String,
                    Arc::new(labels) as ArrayRef,
                )
                .expect("a Utf8 array is a string column"),
            );
            let proba = self.proba.as_deref().unwrap_or_default();
            for (class, label) in self.classes.iter().enumerate() {
                columns.push(float_column(
                    &format!("proba_{label}"),
                    proba.iter().map(|p| p[class]).collect(),
                ));
            }
        }
        Frame::new(columns).expect("prediction columns have distinct names and equal lengths")
    }

    /// The task's name as the CLI and reports spell it.
    pub fn task_name(&self) -> &'static str {
        task_name(self.task)
    }
}

fn float_column(name: &str, values: Vec<f64>) -> Column {
    Column::new(
        name,
        ColumnType::Float,
        Arc::new(Float64Array::from(values)) as ArrayRef,
    )
    .expect("a Float64 array is a float column")
}

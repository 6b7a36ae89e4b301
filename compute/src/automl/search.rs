//! The candidate list per build, the pure fold job, the leaderboard, and the sequential search that runs every job under a time budget and refits the best.

use super::cv::{split, Fold, HOLDOUT_FRACTION};
use super::{
    metric_applies, Build, CandidateStatus, EnsembleSpec, FoldJob, FoldOutcome, FoldResult,
    LeaderboardRow, ModelSpec, Shard, TextLogisticSpec, TextNaiveBayesSpec, Validation,
};
pub use super::{metric_name, task_name};
use crate::ml::TextPipelineModel;
use crate::text::{
    fit_documents, MultinomialNbParams, TextAlgorithm, TextError, TextLogisticParams, TfidfParams,
};

/// Members of the ensemble a Standard build tries last: the best candidate of this many
/// algorithms (by cross-validated score).
pub const ENSEMBLE_MEMBERS: usize = 3;

/// The ensemble candidate: the best-ranked candidate of each of the top algorithms, when
/// at least two algorithms were scored.
fn ensemble_of_best(board: &[LeaderboardRow]) -> Option<ModelSpec> {
    let mut members: Vec<ModelSpec> = Vec::new();
    let mut algorithms: Vec<std::mem::Discriminant<ModelSpec>> = Vec::new();
    for row in board.iter().filter(|row| row.rank.is_some()) {
        let algorithm = std::mem::discriminant(&row.spec);
        if !algorithms.contains(&algorithm) {
            algorithms.push(algorithm);
            members.push(row.spec.clone());
        }
        if members.len() == ENSEMBLE_MEMBERS {
            break;
        }
    }
    (members.len() >= 2).then_some(ModelSpec::Ensemble(EnsembleSpec { members }))
}
use crate::debugger::{DebuggerConfig, Finding, LiveDebugger, Stopped};
use crate::ml::importance::score;
use crate::ml::{
    forest, gbdt, knn, linear, logistic, naive_bayes, tree, Control, EnsembleModel, ForestParams,
    GbdtParams, KnnParams, LinearParams, LogisticParams, MaxFeatures, Metric, MlError, Model,
    NaiveBayesParams, Progress, Task, TrainSet, TreeParams,
};

/// kNN predicts by brute force against every training row: beyond this many rows a
/// search leaves it out (its cross-validation alone would take minutes).
pub const KNN_MAX_ROWS: usize = 20_000;

/// The folds of a Standard build.
pub const N_FOLDS: usize = 5;

impl ModelSpec {
    /// Fits this candidate on every row of `train`.
    pub fn fit(
        &self,
        train: &TrainSet,
        seed: u64,
        progress: &mut dyn FnMut(Progress) -> Control,
    ) -> Result<Model, MlError> {
        Ok(match self {
            ModelSpec::Gbdt(params) => gbdt::fit(train, params, seed, progress)?.into(),
            ModelSpec::Forest(params) => forest::fit(train, params, seed, progress)?.into(),
            ModelSpec::Tree(params) => tree::fit(train, params, seed, progress)?.into(),
            ModelSpec::Linear(params) => linear::fit(train, params, progress)?.into(),
            ModelSpec::Logistic(params) => logistic::fit(train, params, progress)?.into(),
            ModelSpec::Knn(params) => knn::fit(train, params, progress)?.into(),
            ModelSpec::NaiveBayes(params) => naive_bayes::fit(train, params, progress)?.into(),
            ModelSpec::Ensemble(ensemble) => {
                let mut members = Vec::with_capacity(ensemble.members.len());
                for member in &ensemble.members {
                    members.push(member.fit(train, seed, progress)?);
                }
                Model::Ensemble(EnsembleModel { members })
            }
            ModelSpec::TextNaiveBayes(_) | ModelSpec::TextLogistic(_) => {
                let (tfidf, algorithm) = self.text_parts().expect("a text spec has text parts");
                fit_text_spec(train, tfidf, &algorithm, progress)?
            }
        })
    }
}

/// A text candidate fitted on the rows' documents, with the train set's classes.
fn fit_text_spec(
    train: &TrainSet,
    tfidf: &TfidfParams,
    algorithm: &TextAlgorithm,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<Model, MlError> {
    let texts = train.x.texts().ok_or(MlError::NoTexts {
        model: algorithm.name(),
    })?;
    if !train.task().is_classification() {
        return Err(MlError::AlgorithmMismatch {
            algorithm: format!("TfidfVectorizer+{}", algorithm.name()),
            task: task_name(train.task()).to_string(),
        });
    }
    let documents: Vec<&str> = texts.iter().map(String::as_str).collect();
    let y: Vec<usize> = train.y.iter().map(|&class| class as usize).collect();
    let model = fit_documents(
        &documents,
        &y,
        train.spec.target.classes.clone(),
        tfidf,
        algorithm,
        progress,
    )
    .map_err(|error| match error {
        TextError::Cancelled => MlError::Cancelled,
        other => MlError::Text {
            message: other.to_string(),
        },
    })?;
    Ok(Model::Text(TextPipelineModel {
        spec: train.spec.clone(),
        model,
    }))
}

/// The text candidates for a table with free text: logistic regression (the stronger, as
/// on both reference text datasets) before naive Bayes (the faster). Quick tries one of
/// each; Standard varies C and alpha and tries word bigrams.
pub fn text_candidates(build: Build) -> Vec<ModelSpec> {
    let logistic = |c: f64, ngram_range: (usize, usize)| {
        ModelSpec::TextLogistic(TextLogisticSpec {
            classifier: TextLogisticParams {
                c,
                ..TextLogisticParams::default()
            },
            tfidf: TfidfParams {
                ngram_range,
                ..TfidfParams::default()
            },
        })
    };
    let naive_bayes = |alpha: f64| {
        ModelSpec::TextNaiveBayes(TextNaiveBayesSpec {
            classifier: MultinomialNbParams { alpha },
            tfidf: TfidfParams::default(),
        })
    };
    if build == Build::Quick {
        return vec![logistic(10.0, (1, 1)), naive_bayes(0.1)];
    }
    vec![
        logistic(10.0, (1, 1)),
        naive_bayes(0.1),
        logistic(1.0, (1, 1)),
        logistic(100.0, (1, 1)),
        naive_bayes(0.01),
        naive_bayes(1.0),
        logistic(10.0, (1, 2)),
    ]
}

/// The candidates for `train`: text models when it has free text and classes, the
/// table's models when it has other features (they ignore the text).
pub fn candidates_for(build: Build, train: &TrainSet) -> Result<Vec<ModelSpec>, MlError> {
    let task = train.task();
    let has_text = !train.spec.text_columns.is_empty();
    let mut specs = Vec::new();
    if has_text && task.is_classification() {
        specs.extend(text_candidates(build));
    }
    if train.spec.n_features() > 0 {
        specs.extend(candidates(build, task));
    }
    if specs.is_empty() {
        let names: Vec<String> = train
            .spec
            .text_columns
            .iter()
            .map(|name| format!("\"{name}\""))
            .collect();
        return Err(MlError::Text {
            message: format!(
                "the only features are free text ({}), which text classifiers read; a {} target needs numeric or categorical features too",
                names.join(", "),
                task_name(task)
            ),
        });
    }
    Ok(specs)
}

/// The candidates a build tries, the likeliest winners first (a time budget then cuts the
/// long tail): Quick boosting with defaults, a 50-tree forest and a depth-5 tree; Standard
/// adds a grid over boosting's learning_rate × max_leaf_nodes × l2_regularization, forests
/// with other max_features and trees of other depths.
pub fn candidates(build: Build, task: Task) -> Vec<ModelSpec> {
    let gbdt_default = ModelSpec::Gbdt(GbdtParams::default());
    let shallow_tree = ModelSpec::Tree(TreeParams {
        max_depth: Some(5),
        ..TreeParams::default()
    });
    // The linear baseline a statistician would fit first: Ridge(alpha=1) for numbers,
    // LogisticRegression(C=1) for classes.
    let linear_default = if task.is_classification() {
        ModelSpec::Logistic(LogisticParams::default())
    } else {
        ModelSpec::Linear(LinearParams::ridge(1.0))
    };
    if build == Build::Quick {
        return vec![
            gbdt_default,
            ModelSpec::Forest(ForestParams {
                n_estimators: 50,
                ..ForestParams::default()
            }),
            linear_default,
            shallow_tree,
        ];
    }
    let mut specs = vec![
        gbdt_default,
        ModelSpec::Forest(ForestParams::default()),
        linear_default,
        shallow_tree,
    ];
    // Cheap to fit, so early: other regularization strengths, kNN and naive Bayes.
    for strength in [0.1, 10.0] {
        specs.push(if task.is_classification() {
            ModelSpec::Logistic(LogisticParams {
                c: strength,
                ..LogisticParams::default()
            })
        } else {
            ModelSpec::Linear(LinearParams::ridge(strength))
        });
    }
    specs.push(ModelSpec::Knn(KnnParams::default()));
    if task.is_classification() {
        specs.push(ModelSpec::NaiveBayes(NaiveBayesParams::default()));
    }
    for learning_rate in [0.05, 0.1, 0.2] {
        for max_leaf_nodes in [15, 31, 63] {
            for l2_regularization in [0.0, 1.0] {
                specs.push(ModelSpec::Gbdt(GbdtParams {
                    learning_rate,
                    max_leaf_nodes: Some(max_leaf_nodes),
                    l2_regularization,
                    ..GbdtParams::default()
                }));
            }
        }
    }
    // scikit-learn's default is sqrt for classes and every feature for numbers.
    let task_default = if task.is_classification() {
        MaxFeatures::Sqrt
    } else {
        MaxFeatures::Fraction(1.0)
    };
    for max_features in [
        MaxFeatures::Sqrt,
        MaxFeatures::Fraction(0.5),
        MaxFeatures::Fraction(1.0),
    ] {
        if max_features != task_default {
            specs.push(ModelSpec::Forest(ForestParams {
                max_features: Some(max_features),
                ..ForestParams::default()
            }));
        }
    }
    for max_depth in [Some(3), Some(8), None] {
        specs.push(ModelSpec::Tree(TreeParams {
            max_depth,
            ..TreeParams::default()
        }));
    }
    let mut unique: Vec<ModelSpec> = Vec::with_capacity(specs.len());
    for spec in specs {
        if !unique.contains(&spec) {
            unique.push(spec);
        }
    }
    unique
}

/// Fits `job.spec` on `fold`'s training rows of `train` and scores it by `job.metric` on
/// the fold's validation rows. Pure apart from reading `clock` (seconds, for `fit_secs`):
/// a browser can run jobs on any worker holding `train`. A fit that fails becomes a
/// `Failed` outcome naming why.
pub fn run_fold(
    train: &TrainSet,
    job: &FoldJob,
    fold: &Fold,
    clock: &dyn Fn() -> f64,
) -> FoldResult {
    let started = clock();
    let outcome = (|| -> Result<f64, MlError> {
        let fold_train = train.select_rows(&fold.train_rows);
        let validation = train.x.select_rows(&fold.validation_rows);
        let y: Vec<f64> = fold
            .validation_rows
            .iter()
            .map(|&row| train.y[row])
            .collect();
        let model = job
            .spec
            .fit(&fold_train, job.seed, &mut |_| Control::Continue)?;
        score(&model, &validation, &y, job.metric)
    })();
    FoldResult {
        candidate: job.candidate,
        fold: fold.index,
        outcome: match outcome {
            Ok(score) => FoldOutcome::Scored { score },
            Err(error) => FoldOutcome::Failed {
                message: error.to_string(),
            },
        },
        fit_secs: clock() - started,
    }
}

/// The leaderboard of `candidates` from whatever `results` arrived (in any order): rows
/// that scored on all `n_folds` folds ranked by mean score (higher first; ties to the
/// earlier candidate; an undefined mean last), then failed, then skipped candidates.
pub fn leaderboard(
    candidates: &[ModelSpec],
    task: Task,
    results: &[FoldResult],
    n_folds: usize,
) -> Vec<LeaderboardRow> {
    let mut rows: Vec<LeaderboardRow> = candidates
        .iter()
        .enumerate()
        .map(|(candidate, spec)| {
            let mut mine: Vec<&FoldResult> = results
                .iter()
                .filter(|result| result.candidate == candidate)
                .collect();
            mine.sort_by_key(|result| result.fold);
            let fit_secs = mine.iter().map(|result| result.fit_secs).sum();
            let failure = mine.iter().find_map(|result| match &result.outcome {
                FoldOutcome::Failed { message } => Some(message.clone()),
                FoldOutcome::Scored { .. } => None,
            });
            let fold_scores: Vec<f64> = mine
                .iter()
                .filter_map(|result| match result.outcome {
                    FoldOutcome::Scored { score } => Some(score),
                    FoldOutcome::Failed { .. } => None,
                })
                .collect();
            let status = match failure {
                Some(message) => CandidateStatus::Failed { message },
                None if fold_scores.len() == n_folds => CandidateStatus::Done,
                None => CandidateStatus::Skipped,
            };
            let (cv_mean, cv_std) = if status == CandidateStatus::Done {
                let n = fold_scores.len() as f64;
                let mean = fold_scores.iter().sum::<f64>() / n;
                let variance = fold_scores
                    .iter()
                    .map(|s| (s - mean) * (s - mean))
                    .sum::<f64>()
                    / n;
                (Some(mean), Some(variance.sqrt()))
            } else {
                (None, None)
            };
            LeaderboardRow {
                rank: None,
                candidate,
                spec: spec.clone(),
                algorithm: spec.algorithm(task).to_string(),
                label: spec.label(),
                cv_mean,
                cv_std,
                fold_scores,
                fit_secs,
                status,
            }
        })
        .collect();
    let order = |row: &LeaderboardRow| -> (u8, f64) {
        match (&row.status, row.cv_mean) {
            (CandidateStatus::Done, Some(mean)) if !mean.is_nan() => (0, -mean),
            (CandidateStatus::Done, _) => (1, 0.0),
            (CandidateStatus::Failed { .. }, _) => (2, 0.0),
            (CandidateStatus::Skipped, _) => (3, 0.0),
        }
    };
    // Stable: equal keys keep the candidates' order.
    rows.sort_by(|a, b| {
        let (a, b) = (order(a), order(b));
        a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
    });
    let mut rank = 0;
    for row in &mut rows {
        if matches!(order(row).0, 0 | 1) {
            rank += 1;
            row.rank = Some(rank);
        }
    }
    rows
}

/// What a search is asked to do.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchOptions {
    pub build: Build,
    pub metric: Metric,
    pub seed: u64,
    pub time_budget_secs: Option<f64>,
    /// The one candidate to train instead of the build's list ([`candidates`]).
    pub algorithm: Option<ModelSpec>,
    /// Live rules watching the refit; a stop-rule ends it at its step.
    pub debugger: Option<DebuggerConfig>,
}

/// A finished search: the leaderboard and the best candidate refitted on every row.
#[derive(Clone, Debug)]
pub struct SearchOutcome {
    pub validation: Validation,
    pub leaderboard: Vec<LeaderboardRow>,
    pub model: Model,
    /// The spec `model` was fitted from: the best candidate's, or it truncated where a
    /// Debugger stop-rule ended the refit.
    pub spec: ModelSpec,
    /// What the live rules found during the refit.
    pub live_findings: Vec<Finding>,
    pub stopped: Option<Stopped>,
    pub search_secs: f64,
    pub refit_secs: f64,
    /// E.g. how many candidates the time budget left out.
    pub warnings: Vec<String>,
}

/// How many folds a build scores on (`None`: one holdout split).
pub fn n_folds(build: Build) -> Option<usize> {
    match build {
        Build::Quick => None,
        Build::Standard => Some(N_FOLDS),
    }
}

/// Where a [`SearchRun`] is: the job its next step runs, or what comes after the jobs.
#[derive(Clone, Debug)]
enum Phase {
    /// Fold `fold` of candidate `candidate` runs next (the budget is checked before it).
    Fold { candidate: usize, fold: usize },
    /// Fold `fold` of the ensemble (the last candidate) runs next.
    EnsembleFold { fold: usize },
    /// This worker's share of the candidate jobs is done: the other workers' results are
    /// awaited ([`SearchRun::accept`]).
    Await,
    /// The best candidate is refitted next.
    Refit,
    /// The outcome has been handed out.
    Done,
}

/// What one step of a [`SearchRun`] did.
#[derive(Clone, Debug)]
pub enum SearchStep {
    /// One fold job ran: jobs done and jobs planned so far (an ensemble's jobs join the
    /// plan when it is chosen), the counts `search` reports as its [`Progress`].
    Job { jobs_done: usize, jobs_total: usize },
    /// A sharded search ran its share of the candidate jobs and waits for the others'
    /// results ([`SearchRun::results`] holds its own); nothing ran in this step.
    AwaitingResults,
    /// The best candidate was refitted on every row: the search is over.
    Finished(Box<SearchOutcome>),
}

/// A search that runs one job per [`SearchRun::step`], so that a caller without threads (a
/// browser worker) can let other messages in (a cancel) between jobs. [`search`] is a loop
/// over it; both give the same results.
#[derive(Clone, Debug)]
pub struct SearchRun {
    options: SearchOptions,
    task: Task,
    started: f64,
    folds: Vec<Fold>,
    specs: Vec<ModelSpec>,
    /// Candidates before an ensemble was added.
    n_candidates: usize,
    n_jobs: usize,
    results: Vec<FoldResult>,
    skipped: usize,
    /// Set while this run does only its share of the candidate jobs.
    shard: Option<Shard>,
    phase: Phase,
}

impl SearchRun {
    /// Plans the search of `train`: checks the metric, splits the folds (seeded) and lists
    /// the candidates. `clock` reads seconds; the time budget counts from here.
    pub fn new(
        train: &TrainSet,
        options: &SearchOptions,
        clock: &dyn Fn() -> f64,
    ) -> Result<SearchRun, MlError> {
        let task = train.task();
        if !metric_applies(options.metric, task) {
            return Err(MlError::MetricMismatch {
                metric: metric_name(options.metric).to_string(),
                task: task_name(task).to_string(),
            });
        }
        let started = clock();
        let folds = split(train, n_folds(options.build), options.seed)?;
        let mut specs = match &options.algorithm {
            Some(spec) => {
                spec.check()?;
                if !spec.fits_task(task) {
                    return Err(MlError::AlgorithmMismatch {
                        algorithm: spec.algorithm(task).to_string(),
                        task: task_name(task).to_string(),
                    });
                }
                vec![spec.clone()]
            }
            None => candidates_for(options.build, train)?,
        };
        if options.algorithm.is_none() && train.x.n_rows() > KNN_MAX_ROWS {
            specs.retain(|spec| !matches!(spec, ModelSpec::Knn(_)));
        }
        let n_jobs = specs.len() * folds.len();
        Ok(SearchRun {
            options: options.clone(),
            task,
            started,
            n_candidates: specs.len(),
            results: Vec::with_capacity(n_jobs),
            folds,
            specs,
            n_jobs,
            skipped: 0,
            shard: None,
            // The first candidate always runs whole, so there is nothing to check yet.
            phase: Phase::Fold {
                candidate: 0,
                fold: 0,
            },
        })
    }

    /// Runs only `shard`'s share of the candidate jobs, then waits
    /// ([`SearchStep::AwaitingResults`]) for the others' to be handed to [`SearchRun::accept`];
    /// a worker that only helps stops there and sends [`SearchRun::results`]. Call before the
    /// first step. Results equal an unsharded run's (fold jobs are pure), the time budget
    /// aside.
    pub fn shard(&mut self, shard: Shard, clock: &dyn Fn() -> f64) {
        assert!(shard.index < shard.count, "shard {shard:?} out of range");
        assert!(
            self.results.is_empty(),
            "a search is sharded before its first step"
        );
        self.shard = Some(shard);
        // From before the first job, so that job 0 is checked like any other.
        if !self.is_mine(0, 0) {
            self.advance_candidates(0, 1, clock);
        }
    }

    /// The fold results so far (a helping worker's share once it awaits).
    pub fn results(&self) -> &[FoldResult] {
        &self.results
    }

    /// Takes fold results that other workers computed, then goes on: the candidate jobs
    /// nobody ran (a worker failed, or its time ran out) run here if the time budget
    /// allows, then the ensemble and the refit as in an unsharded search. Results for jobs
    /// this search does not plan, or already has, are ignored. May be called more than once
    /// (one call per worker); from the first call on, this search runs every job left.
    pub fn accept(&mut self, results: Vec<FoldResult>, clock: &dyn Fn() -> f64) {
        for result in results {
            if result.candidate < self.n_candidates
                && result.fold < self.folds.len()
                && !self.has_result(result.candidate, result.fold)
            {
                self.results.push(result);
            }
        }
        self.shard = None;
        // The next job is planned afresh: the one planned may have just arrived.
        if matches!(self.phase, Phase::Await | Phase::Fold { .. }) {
            self.advance_candidates(0, 0, clock);
        }
    }

    fn has_result(&self, candidate: usize, fold: usize) -> bool {
        self.results
            .iter()
            .any(|result| result.candidate == candidate && result.fold == fold)
    }

    fn is_mine(&self, candidate: usize, fold: usize) -> bool {
        self.shard
            .is_none_or(|shard| (candidate * self.folds.len() + fold) % shard.count == shard.index)
    }

    /// Whether `candidate` has a job this run would still do.
    fn has_work(&self, candidate: usize) -> bool {
        (0..self.folds.len())
            .any(|fold| self.is_mine(candidate, fold) && !self.has_result(candidate, fold))
    }

    /// Steps done (fold jobs, and the refit as one more) and planned so far.
    pub fn progress(&self) -> (usize, usize) {
        let refitted = usize::from(matches!(self.phase, Phase::Done));
        (self.results.len() + refitted, self.n_jobs + 1)
    }

    /// What the next step runs, e.g. `gbdt(learning_rate=0.1, …) · fold 2 of 5`.
    pub fn stage(&self) -> String {
        let fold_text = |fold: usize| {
            if self.folds.len() == 1 {
                "validation split".to_string()
            } else {
                format!("fold {} of {}", fold + 1, self.folds.len())
            }
        };
        match self.phase {
            Phase::Fold { candidate, fold } => {
                format!("{} · {}", self.specs[candidate].label(), fold_text(fold))
            }
            Phase::EnsembleFold { fold } => format!(
                "{} · {}",
                self.specs[self.specs.len() - 1].label(),
                fold_text(fold)
            ),
            Phase::Await => "waiting for the other workers' folds".to_string(),
            Phase::Refit => {
                let board = leaderboard(&self.specs, self.task, &self.results, self.folds.len());
                format!("refitting {} on every training row", board[0].label)
            }
            Phase::Done => "search finished".to_string(),
        }
    }

    /// Runs the next fold job, or the final refit (without a refit progress callback).
    pub fn step(
        &mut self,
        train: &TrainSet,
        clock: &dyn Fn() -> f64,
    ) -> Result<SearchStep, MlError> {
        self.step_with(train, clock, &mut |_| Control::Continue)
    }

    /// [`SearchRun::step`] whose refit reports to `refit_progress` (as the last job done)
    /// and may be cancelled by it. A step after the search finished is a caller's bug.
    pub fn step_with(
        &mut self,
        train: &TrainSet,
        clock: &dyn Fn() -> f64,
        refit_progress: &mut dyn FnMut(Progress) -> Control,
    ) -> Result<SearchStep, MlError> {
        match self.phase {
            Phase::Fold { candidate, fold } => {
                self.run_job(train, candidate, fold, clock);
                let step = self.job_step();
                self.advance_candidates(candidate, fold + 1, clock);
                Ok(step)
            }
            Phase::EnsembleFold { fold } => {
                self.run_job(train, self.specs.len() - 1, fold, clock);
                let step = self.job_step();
                self.phase = if fold + 1 < self.folds.len() {
                    Phase::EnsembleFold { fold: fold + 1 }
                } else {
                    Phase::Refit
                };
                Ok(step)
            }
            Phase::Await => Ok(SearchStep::AwaitingResults),
            Phase::Refit => {
                let outcome = self.refit(train, clock, refit_progress)?;
                self.phase = Phase::Done;
                Ok(SearchStep::Finished(Box::new(outcome)))
            }
            Phase::Done => panic!("SearchRun::step after the search finished"),
        }
    }

    fn run_job(
        &mut self,
        train: &TrainSet,
        candidate: usize,
        fold: usize,
        clock: &dyn Fn() -> f64,
    ) {
        let job = FoldJob {
            candidate,
            spec: self.specs[candidate].clone(),
            fold: self.folds[fold].index,
            metric: self.options.metric,
            seed: self.options.seed,
        };
        self.results
            .push(run_fold(train, &job, &self.folds[fold], clock));
    }

    fn job_step(&self) -> SearchStep {
        SearchStep::Job {
            jobs_done: self.results.len(),
            jobs_total: self.n_jobs,
        }
    }

    fn out_of_time(&self, clock: &dyn Fn() -> f64) -> bool {
        self.options
            .time_budget_secs
            .is_some_and(|budget| clock() - self.started > budget)
    }

    /// Moves to the next job from fold `fold` of `candidate`: the time budget is checked
    /// before every fold of every candidate but the first (so one slow candidate overruns
    /// the budget by one fold's fit at most, and a candidate cut short ranks as skipped),
    /// and on entering each later candidate with work left as well; jobs of another shard,
    /// or already done, are passed over. After the candidates come the ensemble's folds
    /// (or, for a shard, the wait for the others), then the refit.
    fn advance_candidates(
        &mut self,
        mut candidate: usize,
        mut fold: usize,
        clock: &dyn Fn() -> f64,
    ) {
        loop {
            if fold == self.folds.len() {
                candidate += 1;
                fold = 0;
                if candidate == self.n_candidates {
                    if self.shard.is_some() {
                        self.phase = Phase::Await;
                    } else {
                        self.plan_ensemble(clock);
                    }
                    return;
                }
                if self.has_work(candidate) && self.out_of_time(clock) {
                    self.skipped += 1;
                    fold = self.folds.len();
                    continue;
                }
            }
            if !self.is_mine(candidate, fold) || self.has_result(candidate, fold) {
                fold += 1;
                continue;
            }
            if candidate > 0 && self.out_of_time(clock) {
                self.skipped += 1;
                fold = self.folds.len();
                continue;
            }
            self.phase = Phase::Fold { candidate, fold };
            return;
        }
    }

    /// Standard builds end with a soft-voting ensemble of the best of each algorithm,
    /// cross-validated on the same folds like any candidate (Autopilot ensembles too).
    fn plan_ensemble(&mut self, clock: &dyn Fn() -> f64) {
        self.phase = Phase::Refit;
        if self.options.build == Build::Standard
            && self.options.algorithm.is_none()
            && !self.out_of_time(clock)
        {
            let board = leaderboard(&self.specs, self.task, &self.results, self.folds.len());
            if let Some(ensemble) = ensemble_of_best(&board) {
                self.specs.push(ensemble);
                self.n_jobs += self.folds.len();
                self.phase = Phase::EnsembleFold { fold: 0 };
            }
        }
    }

    fn refit(
        &mut self,
        train: &TrainSet,
        clock: &dyn Fn() -> f64,
        refit_progress: &mut dyn FnMut(Progress) -> Control,
    ) -> Result<SearchOutcome, MlError> {
        let board = leaderboard(&self.specs, self.task, &self.results, self.folds.len());
        let search_secs = clock() - self.started;
        let best = &board[0];
        if best.rank.is_none() {
            let message = board
                .iter()
                .find_map(|row| match &row.status {
                    CandidateStatus::Failed { message } => Some(message.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "no candidate ran".to_string());
            return Err(MlError::AllCandidatesFailed { message });
        }
        let refit_started = clock();
        // The refit reports as the last job done, so steps keep counting jobs.
        let jobs_done = Progress {
            fraction_done: self.results.len() as f64 / self.n_jobs as f64,
            steps_done: self.results.len(),
            iteration: None,
        };
        let seed = self.options.seed;
        let (model, spec, live_findings, stopped) = match &self.options.debugger {
            None => {
                let model = best
                    .spec
                    .fit(train, seed, &mut |_| refit_progress(jobs_done))?;
                (model, best.spec.clone(), Vec::new(), None)
            }
            Some(config) => {
                let mut live = LiveDebugger::new(config.clone());
                let fitted = best.spec.fit(train, seed, &mut |progress| match live
                    .on_progress(&progress)
                {
                    Control::Cancel => Control::Cancel,
                    Control::Continue => refit_progress(jobs_done),
                });
                match (fitted, live.stopped_by()) {
                    (Ok(model), _) => (model, best.spec.clone(), live.into_findings(), None),
                    // A stop-rule, not the user: the same fit up to the rule's step
                    // (fits are deterministic for a seed).
                    (Err(MlError::Cancelled), Some(rule)) => {
                        let step = live
                            .findings()
                            .iter()
                            .find(|finding| finding.rule == rule)
                            .and_then(|finding| finding.step)
                            .unwrap_or(1);
                        let spec = best.spec.truncated(step);
                        let model = spec.fit(train, seed, &mut |_| refit_progress(jobs_done))?;
                        (
                            model,
                            spec,
                            live.into_findings(),
                            Some(Stopped { rule, step }),
                        )
                    }
                    (Err(error), _) => return Err(error),
                }
            }
        };
        let refit_secs = clock() - refit_started;
        let mut warnings = Vec::new();
        if self.skipped > 0 {
            warnings.push(format!(
                "the time budget of {} s ran out: {} of {} candidates were not tried or not finished",
                self.options.time_budget_secs.unwrap_or_default(),
                self.skipped,
                self.specs.len()
            ));
        }
        Ok(SearchOutcome {
            validation: match n_folds(self.options.build) {
                Some(n_folds) => Validation::CrossValidation {
                    n_folds,
                    n_repeats: self.folds.len() / n_folds,
                },
                None => Validation::Holdout {
                    fraction: HOLDOUT_FRACTION,
                },
            },
            leaderboard: board,
            model,
            spec,
            live_findings,
            stopped,
            search_secs,
            refit_secs,
            warnings,
        })
    }
}

/// Tells `progress` that `jobs_done` of `jobs_total` fold jobs ran (steps are jobs); its
/// `Control::Cancel` becomes `Cancelled`. How [`search`] and `run::run` report a step.
pub(crate) fn report_jobs(
    jobs_done: usize,
    jobs_total: usize,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<(), MlError> {
    let done = Progress {
        fraction_done: jobs_done as f64 / jobs_total as f64,
        steps_done: jobs_done,
        iteration: None,
    };
    match progress(done) {
        Control::Cancel => Err(MlError::Cancelled),
        Control::Continue => Ok(()),
    }
}

/// Runs every job of `candidates(options.build, …)` in turn, stops launching jobs once
/// `options.time_budget_secs` have passed (the first candidate always runs whole), and
/// refits the best on every row of `train`. `progress` hears after every job (steps are
/// jobs done) and during the refit; `Control::Cancel` stops the search with `Cancelled`.
/// A loop over [`SearchRun`].
pub fn search(
    train: &TrainSet,
    options: &SearchOptions,
    clock: &dyn Fn() -> f64,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<SearchOutcome, MlError> {
    let mut run = SearchRun::new(train, options, clock)?;
    loop {
        match run.step_with(train, clock, progress)? {
            SearchStep::Job {
                jobs_done,
                jobs_total,
            } => report_jobs(jobs_done, jobs_total, progress)?,
            SearchStep::AwaitingResults => unreachable!("an unsharded search never waits"),
            SearchStep::Finished(outcome) => return Ok(*outcome),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::DesignMatrix;

    fn scored(candidate: usize, fold: usize, score: f64) -> FoldResult {
        FoldResult {
            candidate,
            fold,
            outcome: FoldOutcome::Scored { score },
            fit_secs: 0.5,
        }
    }

    #[test]
    fn leaderboard_ranks_by_mean_then_failed_then_skipped() {
        let specs = candidates(Build::Quick, Task::Binary);
        let extra = ModelSpec::Tree(TreeParams::default());
        let specs: Vec<ModelSpec> = specs.into_iter().take(3).chain([extra]).collect();
        let results = vec![
            scored(1, 1, 0.9),
            scored(0, 0, 0.8),
            scored(1, 0, 0.7),
            scored(0, 1, 0.8),
            scored(2, 0, 0.99),
            FoldResult {
                candidate: 2,
                fold: 1,
                outcome: FoldOutcome::Failed {
                    message: "boom".to_string(),
                },
                fit_secs: 0.1,
            },
        ];
        let board = leaderboard(&specs, Task::Binary, &results, 2);
        let order: Vec<usize> = board.iter().map(|row| row.candidate).collect();
        // Candidates 0 and 1 tie at 0.8: the earlier one first.
        assert_eq!(order, vec![0, 1, 2, 3]);
        assert_eq!(board[0].rank, Some(1));
        assert_eq!(board[1].rank, Some(2));
        assert_eq!(board[1].fold_scores, vec![0.7, 0.9]);
        assert!((board[1].cv_std.unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(board[1].fit_secs, 1.0);
        assert_eq!(
            board[2].status,
            CandidateStatus::Failed {
                message: "boom".to_string()
            }
        );
        assert_eq!(board[2].rank, None);
        assert_eq!(board[3].status, CandidateStatus::Skipped);
        assert_eq!(board[0].algorithm, "HistGradientBoostingClassifier");

        let results = vec![
            scored(1, 0, 0.95),
            scored(0, 0, 0.5),
            scored(2, 0, f64::NAN),
        ];
        let board = leaderboard(&specs[..3], Task::Binary, &results, 1);
        let order: Vec<usize> = board.iter().map(|row| row.candidate).collect();
        assert_eq!(order, vec![1, 0, 2], "an undefined mean ranks last");
    }

    #[test]
    fn candidate_lists_are_unique_and_valid() {
        for task in [Task::Regression, Task::Binary] {
            let quick = candidates(Build::Quick, task);
            assert_eq!(quick.len(), 4);
            let standard = candidates(Build::Standard, task);
            // 4 first + 2 more regularization strengths + kNN (+ naive Bayes for classes)
            // + 17 more boosting grid points + 2 forests + 3 trees.
            let expected = if task == Task::Regression { 29 } else { 30 };
            assert_eq!(standard.len(), expected, "{task:?}");
            for spec in &standard {
                spec.check().unwrap();
                assert!(spec.fits_task(task), "{spec:?} for {task:?}");
            }
        }
    }

    fn toy_train(task: Task) -> TrainSet {
        let n = 60;
        let x0: Vec<f64> = (0..n).map(f64::from).collect();
        let x1: Vec<f64> = (0..n).map(|i| f64::from(i % 7)).collect();
        let y: Vec<f64> = match task {
            Task::Regression => x0.iter().map(|v| 2.0 * v + 1.0).collect(),
            _ => x0.iter().map(|&v| f64::from(u8::from(v >= 30.0))).collect(),
        };
        let classes = if task == Task::Regression {
            Vec::new()
        } else {
            vec!["no".to_string(), "yes".to_string()]
        };
        TrainSet::from_matrix(
            DesignMatrix::numeric(n as usize, vec![x0, x1]).unwrap(),
            y,
            task,
            classes,
        )
        .unwrap()
    }

    #[test]
    fn a_standard_search_ends_with_an_ensemble_of_the_best_algorithms() {
        for task in [Task::Binary, Task::Regression] {
            let train = toy_train(task);
            let options = SearchOptions {
                build: Build::Standard,
                metric: if task == Task::Binary {
                    Metric::Accuracy
                } else {
                    Metric::R2
                },
                seed: 1,
                time_budget_secs: None,
                algorithm: None,
                debugger: None,
            };
            let outcome = search(&train, &options, &|| 0.0, &mut |_| Control::Continue).unwrap();
            let ensemble = outcome
                .leaderboard
                .iter()
                .find(|row| matches!(row.spec, ModelSpec::Ensemble(_)))
                .expect("an ensemble row");
            let ModelSpec::Ensemble(spec) = &ensemble.spec else {
                unreachable!()
            };
            assert_eq!(spec.members.len(), ENSEMBLE_MEMBERS, "{task:?}");
            let kinds: Vec<_> = spec.members.iter().map(std::mem::discriminant).collect();
            assert!(
                kinds
                    .iter()
                    .enumerate()
                    .all(|(i, k)| !kinds[..i].contains(k)),
                "one member per algorithm: {}",
                ensemble.label
            );
            assert_eq!(
                ensemble.fold_scores.len(),
                N_FOLDS * crate::automl::cv::n_repeats(train.y.len())
            );
            // The ensemble's predictions are its members' mean.
            let model = ModelSpec::Ensemble(spec.clone())
                .fit(&train, 1, &mut |_| Control::Continue)
                .unwrap();
            let Model::Ensemble(fitted) = &model else {
                unreachable!()
            };
            if task == Task::Regression {
                let mean: Vec<f64> = (0..train.x.n_rows())
                    .map(|row| {
                        fitted
                            .members
                            .iter()
                            .map(|m| m.predict(&train.x).unwrap()[row])
                            .sum::<f64>()
                            / 3.0
                    })
                    .collect();
                let predicted = model.predict(&train.x).unwrap();
                assert!(predicted
                    .iter()
                    .zip(&mean)
                    .all(|(a, b)| (a - b).abs() < 1e-9));
            } else {
                let proba = model.predict_proba(&train.x).unwrap();
                assert!(proba
                    .iter()
                    .all(|p| (p.iter().sum::<f64>() - 1.0).abs() < 1e-9));
            }
        }
    }

    #[test]
    fn quick_search_ranks_every_candidate_and_refits() {
        let train = toy_train(Task::Binary);
        let options = SearchOptions {
            build: Build::Quick,
            metric: Metric::Accuracy,
            seed: 3,
            time_budget_secs: None,
            algorithm: None,
            debugger: None,
        };
        let mut steps = 0;
        let outcome = search(&train, &options, &|| 0.0, &mut |p| {
            steps = steps.max(p.steps_done);
            Control::Continue
        })
        .unwrap();
        assert_eq!(steps, 4, "four candidates on one holdout fold");
        assert_eq!(outcome.leaderboard.len(), 4);
        assert!(outcome
            .leaderboard
            .iter()
            .all(|row| row.status == CandidateStatus::Done));
        assert_eq!(outcome.validation, Validation::Holdout { fraction: 0.2 });
        assert_eq!(outcome.model.task(), Task::Binary);
    }

    #[test]
    fn a_chosen_algorithm_is_the_only_candidate_and_gets_no_ensemble() {
        let train = toy_train(Task::Binary);
        let stump = ModelSpec::Tree(TreeParams {
            max_depth: Some(1),
            ..TreeParams::default()
        });
        let options = SearchOptions {
            build: Build::Standard,
            metric: Metric::Accuracy,
            seed: 0,
            time_budget_secs: None,
            algorithm: Some(stump.clone()),
            debugger: None,
        };
        let outcome = search(&train, &options, &|| 0.0, &mut |_| Control::Continue).unwrap();
        assert_eq!(outcome.leaderboard.len(), 1);
        assert_eq!(outcome.leaderboard[0].spec, stump);
        let Validation::CrossValidation { n_folds, n_repeats } = outcome.validation else {
            panic!("a standard build cross-validates: {:?}", outcome.validation);
        };
        assert_eq!(
            outcome.leaderboard[0].fold_scores.len(),
            n_folds * n_repeats
        );

        let regression_only = SearchOptions {
            algorithm: Some(ModelSpec::Linear(LinearParams::default())),
            ..options
        };
        let Err(error) = SearchRun::new(&train, &regression_only, &|| 0.0) else {
            panic!("linear regression cannot learn classes");
        };
        assert!(
            matches!(error, MlError::AlgorithmMismatch { .. }),
            "{error}"
        );
    }

    #[test]
    fn an_exhausted_budget_still_runs_the_first_candidate() {
        let train = toy_train(Task::Regression);
        let options = SearchOptions {
            build: Build::Quick,
            metric: Metric::R2,
            seed: 0,
            time_budget_secs: Some(0.0),
            algorithm: None,
            debugger: None,
        };
        // A clock that moves one second per reading.
        let ticks = std::cell::Cell::new(0.0);
        let clock = || {
            ticks.set(ticks.get() + 1.0);
            ticks.get()
        };
        let outcome = search(&train, &options, &clock, &mut |_| Control::Continue).unwrap();
        let statuses: Vec<&CandidateStatus> =
            outcome.leaderboard.iter().map(|row| &row.status).collect();
        assert_eq!(
            statuses,
            vec![
                &CandidateStatus::Done,
                &CandidateStatus::Skipped,
                &CandidateStatus::Skipped,
                &CandidateStatus::Skipped
            ]
        );
        assert!(
            outcome.warnings[0].contains("3 of 4 candidates"),
            "{:?}",
            outcome.warnings
        );
    }

    #[test]
    fn a_regression_metric_on_classes_is_refused() {
        let train = toy_train(Task::Binary);
        let options = SearchOptions {
            build: Build::Quick,
            metric: Metric::R2,
            seed: 0,
            time_budget_secs: None,
            algorithm: None,
            debugger: None,
        };
        let error = search(&train, &options, &|| 0.0, &mut |_| Control::Continue).unwrap_err();
        assert_eq!(
            error.to_string(),
            "metric r2 does not apply to a binary task"
        );
    }

    #[test]
    fn stepping_a_search_gives_what_search_gives() {
        for (task, build) in [
            (Task::Binary, Build::Standard),
            (Task::Regression, Build::Quick),
        ] {
            let train = toy_train(task);
            let options = SearchOptions {
                build,
                metric: crate::automl::default_metric(task),
                seed: 2,
                time_budget_secs: None,
                algorithm: None,
                debugger: None,
            };
            let whole = search(&train, &options, &|| 0.0, &mut |_| Control::Continue).unwrap();
            let mut run = SearchRun::new(&train, &options, &|| 0.0).unwrap();
            let mut stages = vec![run.stage()];
            let mut last_done = 0;
            let stepped = loop {
                match run.step(&train, &|| 0.0).unwrap() {
                    SearchStep::Job { jobs_done, .. } => {
                        assert_eq!(jobs_done, last_done + 1, "one job per step");
                        last_done = jobs_done;
                        let (done, total) = run.progress();
                        assert_eq!(done, jobs_done);
                        assert!(done < total, "the refit is still to come");
                        stages.push(run.stage());
                    }
                    SearchStep::AwaitingResults => unreachable!("not sharded"),
                    SearchStep::Finished(outcome) => break *outcome,
                }
            };
            let (done, total) = run.progress();
            assert_eq!(done, total, "{task:?}");
            assert_eq!(stepped.leaderboard, whole.leaderboard);
            assert_eq!(stepped.model, whole.model);
            let gbdt = "gbdt(learning_rate=0.1, max_leaf_nodes=31, l2_regularization=0)";
            if build == Build::Standard {
                let folds = N_FOLDS * crate::automl::cv::n_repeats(train.y.len());
                assert_eq!(stages[0], format!("{gbdt} · fold 1 of {folds}"));
                assert_eq!(stages[1], format!("{gbdt} · fold 2 of {folds}"));
                assert!(
                    stages.iter().any(|s| s.starts_with("ensemble(")),
                    "{stages:?}"
                );
            } else {
                assert_eq!(stages[0], format!("{gbdt} · validation split"));
                assert_eq!(stages.len(), 5, "four jobs, then the refit");
            }
            let best = &whole.leaderboard[0].label;
            assert_eq!(
                stages.last().unwrap(),
                &format!("refitting {best} on every training row")
            );
        }
    }

    /// Steps `run` until it finishes or waits for other shards.
    fn step_until_wait(run: &mut SearchRun, train: &TrainSet) -> Option<SearchOutcome> {
        loop {
            match run.step(train, &|| 0.0).unwrap() {
                SearchStep::Job { .. } => {}
                SearchStep::AwaitingResults => return None,
                SearchStep::Finished(outcome) => return Some(*outcome),
            }
        }
    }

    #[test]
    fn a_search_split_over_workers_gives_what_one_worker_gives() {
        let train = toy_train(Task::Binary);
        let options = SearchOptions {
            build: Build::Standard,
            metric: Metric::Accuracy,
            seed: 3,
            time_budget_secs: None,
            algorithm: None,
            debugger: None,
        };
        let whole = search(&train, &options, &|| 0.0, &mut |_| Control::Continue).unwrap();
        let n_jobs = whole
            .leaderboard
            .iter()
            .filter(|row| !row.label.starts_with("ensemble("))
            .count()
            * N_FOLDS
            * crate::automl::cv::n_repeats(train.y.len());
        // Workers 1 and 2 help; in the second case worker 2 never answers, so the lead
        // runs its jobs too.
        for delivered in [vec![1, 2], vec![1]] {
            let shard = |index| Shard { index, count: 3 };
            let mut helpers = Vec::new();
            for index in [1, 2] {
                let mut helper = SearchRun::new(&train, &options, &|| 0.0).unwrap();
                helper.shard(shard(index), &|| 0.0);
                assert!(step_until_wait(&mut helper, &train).is_none());
                assert_eq!(helper.stage(), "waiting for the other workers' folds");
                helpers.push(helper.results().to_vec());
            }
            assert_eq!(helpers.iter().map(Vec::len).sum::<usize>(), n_jobs * 2 / 3);
            let mut lead = SearchRun::new(&train, &options, &|| 0.0).unwrap();
            lead.shard(shard(0), &|| 0.0);
            assert!(step_until_wait(&mut lead, &train).is_none());
            assert_eq!(lead.results().len(), n_jobs / 3);
            for index in &delivered {
                lead.accept(helpers[index - 1].clone(), &|| 0.0);
            }
            if delivered.len() < 2 {
                lead.accept(Vec::new(), &|| 0.0);
            }
            let outcome = step_until_wait(&mut lead, &train).expect("the lead finishes");
            assert_eq!(outcome.leaderboard, whole.leaderboard, "{delivered:?}");
            assert_eq!(outcome.model, whole.model);
        }
    }
}

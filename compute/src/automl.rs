//! AutoML on a table: candidate model specs, cross-validated search under a time budget, a leaderboard, the best model refitted, and its evaluation report on held-out rows beside a dummy baseline.
//!
//! The types here build without the `engine` feature: the UI chooses a [`Build`] and a
//! [`Metric`], and shows the [`AutomlReport`] (leaderboard, scores, curves, column impact).
//! The work needs `engine`, in the submodules:
//!
//! * `cv`: seeded k-fold splits (stratified for classes), the holdout split, and a stored
//!   dataset's split into training and holdout rows;
//! * `search`: the candidate list per build, [`FoldJob`]s, the pure `run_fold` that fits one
//!   candidate on one fold, the leaderboard, and `search` that runs every job in turn (a
//!   loop over `SearchRun`, which runs one job per step);
//! * `evaluate`: the evaluation report of a model on test rows, with the dummy baseline;
//! * `run`: the whole path from frames to a report and a [`ModelFile`](run::ModelFile)
//!   (`run`, or `Training` one step at a time), plus predictions on new rows;
//! * `inputs`: a stored model's inputs and their what-if defaults, one row read from text,
//!   predictions appended to the rows they were made for.
//!
//! Candidates × folds are independent jobs: a browser can hand each [`FoldJob`] to any
//! worker holding the training rows (folds are recomputed from the seed, never sent) and
//! build the leaderboard from the [`FoldResult`]s with `search::leaderboard`.

use serde::{Deserialize, Serialize};

use crate::ml::{ClassificationScores, MaxFeatures};
use crate::ml::{
    ForestParams, GbdtParams, KnnParams, LinearParams, LogisticParams, Metric, NaiveBayesParams,
    RegressionScores, Task, TreeParams,
};
use crate::text::{MultinomialNbParams, TextAlgorithm, TextLogisticParams, TfidfParams};

#[cfg(feature = "engine")]
pub mod cv;
#[cfg(feature = "engine")]
pub mod evaluate;
#[cfg(feature = "engine")]
pub mod inputs;
#[cfg(feature = "engine")]
pub mod run;
#[cfg(feature = "engine")]
pub mod search;

/// The version of [`AutomlReport`] and of the model file's layout.
pub const AUTOML_SCHEMA_VERSION: u32 = 1;

/// One candidate: an algorithm and its hyper-parameters. Another algorithm is one more
/// variant here plus one arm in `ModelSpec::fit`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "algorithm", content = "params", rename_all = "snake_case")]
pub enum ModelSpec {
    Gbdt(GbdtParams),
    Forest(ForestParams),
    Tree(TreeParams),
    /// Regression only: OLS, Ridge, Lasso, ElasticNet.
    Linear(LinearParams),
    /// Classification only.
    Logistic(LogisticParams),
    Knn(KnnParams),
    /// Classification only (Gaussian naive Bayes).
    NaiveBayes(NaiveBayesParams),
    /// Soft voting over other candidates, each fitted on the same rows.
    Ensemble(EnsembleSpec),
    /// Classification only: `TfidfVectorizer` + `MultinomialNB` on the free-text columns.
    TextNaiveBayes(TextNaiveBayesSpec),
    /// Classification only: `TfidfVectorizer` + `LogisticRegression` on the free-text
    /// columns.
    TextLogistic(TextLogisticSpec),
}

/// `TfidfVectorizer` + `MultinomialNB`, their parameters side by side as a user writes
/// them (`alpha=0.1, min_df=2, ngram_range=(1, 2)`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TextNaiveBayesSpec {
    #[serde(flatten)]
    pub classifier: MultinomialNbParams,
    #[serde(flatten)]
    pub tfidf: TfidfParams,
}

/// `TfidfVectorizer` + `LogisticRegression`, their parameters side by side.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TextLogisticSpec {
    #[serde(flatten)]
    pub classifier: TextLogisticParams,
    #[serde(flatten)]
    pub tfidf: TfidfParams,
}

impl ModelSpec {
    /// A text candidate's vectorizer and classifier; `None` for the table's models.
    pub fn text_parts(&self) -> Option<(&TfidfParams, TextAlgorithm)> {
        match self {
            ModelSpec::TextNaiveBayes(spec) => Some((
                &spec.tfidf,
                TextAlgorithm::NaiveBayes(spec.classifier.clone()),
            )),
            ModelSpec::TextLogistic(spec) => Some((
                &spec.tfidf,
                TextAlgorithm::LogisticRegression(spec.classifier.clone()),
            )),
            _ => None,
        }
    }
}

/// The members of an ensemble candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnsembleSpec {
    pub members: Vec<ModelSpec>,
}

impl ModelSpec {
    /// scikit-learn's estimator name for the task.
    pub fn algorithm(&self, task: Task) -> &'static str {
        let classification = task.is_classification();
        match (self, classification) {
            (ModelSpec::Gbdt(_), false) => "HistGradientBoostingRegressor",
            (ModelSpec::Gbdt(_), true) => "HistGradientBoostingClassifier",
            (ModelSpec::Forest(_), false) => "RandomForestRegressor",
            (ModelSpec::Forest(_), true) => "RandomForestClassifier",
            (ModelSpec::Tree(_), false) => "DecisionTreeRegressor",
            (ModelSpec::Tree(_), true) => "DecisionTreeClassifier",
            (ModelSpec::Linear(p), _) if p.alpha == 0.0 => "LinearRegression",
            (ModelSpec::Linear(p), _) if p.l1_ratio == 0.0 => "Ridge",
            (ModelSpec::Linear(p), _) if p.l1_ratio == 1.0 => "Lasso",
            (ModelSpec::Linear(_), _) => "ElasticNet",
            (ModelSpec::Logistic(_), _) => "LogisticRegression",
            (ModelSpec::Knn(_), false) => "KNeighborsRegressor",
            (ModelSpec::Knn(_), true) => "KNeighborsClassifier",
            (ModelSpec::NaiveBayes(_), _) => "GaussianNB",
            (ModelSpec::Ensemble(_), false) => "VotingRegressor",
            (ModelSpec::Ensemble(_), true) => "VotingClassifier",
            (ModelSpec::TextNaiveBayes(_), _) => "TfidfVectorizer+MultinomialNB",
            (ModelSpec::TextLogistic(_), _) => "TfidfVectorizer+LogisticRegression",
        }
    }

    /// A short description with the hyper-parameters a search varies, e.g.
    /// `gbdt(learning_rate=0.1, max_leaf_nodes=31, l2_regularization=0)`.
    pub fn label(&self) -> String {
        let optional = |value: Option<usize>| value.map_or("None".to_string(), |v| v.to_string());
        match self {
            ModelSpec::Gbdt(p) => format!(
                "gbdt(learning_rate={}, max_leaf_nodes={}, l2_regularization={})",
                p.learning_rate,
                optional(p.max_leaf_nodes),
                p.l2_regularization
            ),
            ModelSpec::Forest(p) => format!(
                "random_forest(n_estimators={}, max_features={})",
                p.n_estimators,
                p.max_features
                    .map_or("default".to_string(), max_features_label)
            ),
            ModelSpec::Tree(p) => format!("decision_tree(max_depth={})", optional(p.max_depth)),
            ModelSpec::Linear(p) => format!("linear(alpha={}, l1_ratio={})", p.alpha, p.l1_ratio),
            ModelSpec::Logistic(p) => format!("logistic_regression(C={})", p.c),
            ModelSpec::Knn(p) => format!("knn(n_neighbors={})", p.n_neighbors),
            ModelSpec::NaiveBayes(_) => "gaussian_nb".to_string(),
            ModelSpec::Ensemble(e) => format!(
                "ensemble({})",
                e.members
                    .iter()
                    .map(ModelSpec::label)
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
            ModelSpec::TextNaiveBayes(p) => format!(
                "tfidf_multinomial_nb(alpha={}, {})",
                p.classifier.alpha,
                tfidf_label(&p.tfidf)
            ),
            ModelSpec::TextLogistic(p) => format!(
                "tfidf_logistic_regression(C={}, {})",
                p.classifier.c,
                tfidf_label(&p.tfidf)
            ),
        }
    }

    /// Refuses hyper-parameters no fit could use, naming the parameter.
    pub fn check(&self) -> Result<(), crate::ml::MlError> {
        match self {
            ModelSpec::Gbdt(params) => params.check(),
            ModelSpec::Forest(params) => params.check(),
            ModelSpec::Tree(params) => params.check(),
            ModelSpec::Linear(params) => params.check(),
            ModelSpec::Logistic(params) => params.check(),
            ModelSpec::Knn(params) => params.check(),
            ModelSpec::NaiveBayes(params) => params.check(),
            ModelSpec::Ensemble(e) if e.members.len() < 2 => {
                Err(crate::ml::MlError::InvalidParameter {
                    name: "members",
                    reason: "an ensemble needs at least two members".to_string(),
                })
            }
            ModelSpec::Ensemble(e) => e.members.iter().try_for_each(ModelSpec::check),
            ModelSpec::TextNaiveBayes(_) | ModelSpec::TextLogistic(_) => {
                let (tfidf, algorithm) = self.text_parts().expect("a text spec has text parts");
                tfidf
                    .check()
                    .and_then(|()| algorithm.check())
                    .map_err(|error| crate::ml::MlError::Text {
                        message: error.to_string(),
                    })
            }
        }
    }

    /// The same candidate stopped after `iterations` boosting or L-BFGS iterations (what a
    /// Debugger stop-rule keeps); other algorithms have no iterations and stay as they are.
    pub fn truncated(&self, iterations: usize) -> ModelSpec {
        let iterations = iterations.max(1);
        match self {
            ModelSpec::Gbdt(params) => ModelSpec::Gbdt(GbdtParams {
                max_iter: params.max_iter.min(iterations),
                ..params.clone()
            }),
            ModelSpec::Logistic(params) => ModelSpec::Logistic(LogisticParams {
                max_iter: params.max_iter.min(iterations),
                ..params.clone()
            }),
            ModelSpec::TextLogistic(spec) => ModelSpec::TextLogistic(TextLogisticSpec {
                classifier: TextLogisticParams {
                    max_iter: spec.classifier.max_iter.min(iterations),
                    ..spec.classifier.clone()
                },
                tfidf: spec.tfidf.clone(),
            }),
            other => other.clone(),
        }
    }

    /// Whether the candidate can learn `task` (linear regression predicts numbers;
    /// logistic regression and naive Bayes predict classes).
    pub fn fits_task(&self, task: Task) -> bool {
        match self {
            ModelSpec::Linear(_) => task == Task::Regression,
            ModelSpec::Logistic(_)
            | ModelSpec::NaiveBayes(_)
            | ModelSpec::TextNaiveBayes(_)
            | ModelSpec::TextLogistic(_) => task.is_classification(),
            ModelSpec::Ensemble(e) => e.members.iter().all(|m| m.fits_task(task)),
            _ => true,
        }
    }
}

/// The algorithms a user can choose to train alone, by the name a [`ModelSpec`] carries in
/// its JSON (`{"algorithm": "tree", "params": {…}}`), with what a person calls them.
pub const ALGORITHMS: [(&str, &str); 9] = [
    ("gbdt", "gradient boosting"),
    ("forest", "random forest"),
    ("tree", "decision tree"),
    ("linear", "linear regression (ridge, lasso, elastic net)"),
    ("logistic", "logistic regression"),
    ("knn", "k nearest neighbours"),
    ("naive_bayes", "naive Bayes"),
    ("text_logistic", "TF-IDF + logistic regression (free text)"),
    (
        "text_naive_bayes",
        "TF-IDF + multinomial naive Bayes (free text)",
    ),
];

impl ModelSpec {
    /// The algorithm `name` (one of [`ALGORITHMS`]) at scikit-learn's defaults, changed by
    /// `params`: `key=value` pairs separated by commas or new lines, written as in
    /// scikit-learn's constructor (`max_depth=3, min_samples_leaf=5`; `None` for no limit,
    /// `True`/`False`). Errors name the algorithm or the parameter and list the valid keys.
    pub fn from_choice(name: &str, params: &str) -> Result<ModelSpec, String> {
        let default = match name {
            "gbdt" => ModelSpec::Gbdt(GbdtParams::default()),
            "forest" => ModelSpec::Forest(ForestParams::default()),
            "tree" => ModelSpec::Tree(TreeParams::default()),
            "linear" => ModelSpec::Linear(LinearParams::default()),
            "logistic" => ModelSpec::Logistic(LogisticParams::default()),
            "knn" => ModelSpec::Knn(KnnParams::default()),
            "naive_bayes" => ModelSpec::NaiveBayes(NaiveBayesParams::default()),
            "text_logistic" => ModelSpec::TextLogistic(TextLogisticSpec::default()),
            "text_naive_bayes" => ModelSpec::TextNaiveBayes(TextNaiveBayesSpec::default()),
            other => {
                let known: Vec<&str> = ALGORITHMS.iter().map(|(key, _)| *key).collect();
                return Err(format!(
                    "unknown algorithm \"{other}\"; choose one of {}",
                    known.join(", ")
                ));
            }
        };
        let mut json = serde_json::to_value(&default).map_err(|e| e.to_string())?;
        let Some(fields) = json.get_mut("params").and_then(|p| p.as_object_mut()) else {
            return Err(format!("{name} has no parameters to set"));
        };
        for pair in split_pairs(params)
            .into_iter()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(format!("\"{pair}\" is not key=value"));
            };
            // scikit-learn writes some names in capitals (`C`); ours are lower case.
            let key = match key.trim() {
                key if fields.contains_key(key) => key.to_string(),
                key => key.to_lowercase(),
            };
            let key = key.as_str();
            if !fields.contains_key(key) {
                let mut known: Vec<&String> = fields.keys().collect();
                known.sort();
                let known: Vec<&str> = known.iter().map(|k| k.as_str()).collect();
                return Err(format!(
                    "{name} has no parameter \"{key}\"; its parameters are {}",
                    known.join(", ")
                ));
            }
            let mut value = parameter_value(value.trim());
            // A forest's `max_features` takes a fraction (float) or a count (int); the
            // vectorizer's is a plain count.
            if key == "max_features" && name == "forest" {
                if let Some(count) = value.as_u64() {
                    value = serde_json::json!({ "count": count });
                } else if let Some(fraction) = value.as_f64() {
                    value = serde_json::json!({ "fraction": fraction });
                }
            }
            fields.insert(key.to_string(), value);
        }
        let spec: ModelSpec = serde_json::from_value(json).map_err(|e| {
            format!(
                "{name}: {}",
                e.to_string().replace("invalid type: ", "wrong type: ")
            )
        })?;
        spec.check().map_err(|e| e.to_string())?;
        Ok(spec)
    }
}

/// `params` cut at commas and new lines outside parentheses, so a tuple such as
/// `ngram_range=(1, 2)` stays whole.
fn split_pairs(params: &str) -> Vec<&str> {
    let mut pairs = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (at, c) in params.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' | '\n' if depth == 0 => {
                pairs.push(&params[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    pairs.push(&params[start..]);
    pairs
}

/// A parameter as written in Python: `None`, `True`, `False`, numbers, tuples such as
/// `(1, 2)`, quoted or bare text.
fn parameter_value(text: &str) -> serde_json::Value {
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        if let Ok(value) = serde_json::from_str(&format!("[{inner}]")) {
            return value;
        }
    }
    match text {
        "None" | "null" | "none" => serde_json::Value::Null,
        "True" | "true" => serde_json::Value::Bool(true),
        "False" | "false" => serde_json::Value::Bool(false),
        _ => serde_json::from_str(text)
            .or_else(|_| serde_json::from_str(&text.replace('\'', "\"")))
            .unwrap_or_else(|_| serde_json::Value::String(text.to_string())),
    }
}

/// The vectorizer's parameters a search varies, e.g. `ngram_range=(1, 2), min_df=2`.
fn tfidf_label(tfidf: &TfidfParams) -> String {
    format!(
        "ngram_range=({}, {}), min_df={}",
        tfidf.ngram_range.0, tfidf.ngram_range.1, tfidf.min_df
    )
}

fn max_features_label(max_features: MaxFeatures) -> String {
    match max_features {
        MaxFeatures::Sqrt => "sqrt".to_string(),
        MaxFeatures::Log2 => "log2".to_string(),
        MaxFeatures::Fraction(fraction) => fraction.to_string(),
        MaxFeatures::Count(count) => count.to_string(),
    }
}

/// How hard to look: a few fast candidates on one holdout split, or a wider search scored
/// by 5-fold cross-validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Build {
    Quick,
    Standard,
}

impl Build {
    /// The time budget when the caller gives none: Quick has three candidates and needs
    /// none; Standard stops launching candidates after five minutes.
    pub fn default_time_budget_secs(self) -> Option<f64> {
        match self {
            Build::Quick => None,
            Build::Standard => Some(300.0),
        }
    }
}

/// How candidates were scored.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Validation {
    /// Shuffled k-fold cross-validation (stratified for classes).
    /// `n_repeats` times over (each with its own shuffle), every fold scored: a small
    /// training set is cross-validated more than once so that near-ties are decided by more
    /// than one partition of the rows (like `RepeatedStratifiedKFold`).
    CrossValidation {
        n_folds: usize,
        #[serde(default = "one")]
        n_repeats: usize,
    },
    /// One shuffled split (stratified for classes) holding out this fraction.
    Holdout { fraction: f64 },
}

fn one() -> usize {
    1
}

/// What a user asks of an AutoML run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AutomlOptions {
    pub target: String,
    /// `None`: detected from the target (as the profile does).
    pub task: Option<Task>,
    /// Columns left out of the features (ids, leaks).
    pub drop: Vec<String>,
    pub build: Build,
    /// `None`: `r2` for regression, `accuracy` for classification.
    pub metric: Option<Metric>,
    pub seed: u64,
    /// `None`: the build's default ([`Build::default_time_budget_secs`]).
    pub time_budget_secs: Option<f64>,
    /// Train this one algorithm with these hyper-parameters instead of searching: the
    /// build then only says how it is validated (Quick: one holdout split; Standard:
    /// cross-validation), and no ensemble is added.
    #[serde(default)]
    pub algorithm: Option<ModelSpec>,
    /// The Debugger's rules: live during the refit (a stop-rule ends it at its step), then
    /// on the finished model (`debugger::build`). `None`: no rules run.
    #[serde(default)]
    pub debugger: Option<crate::debugger::DebuggerConfig>,
}

impl AutomlOptions {
    pub fn new(target: impl Into<String>) -> AutomlOptions {
        AutomlOptions {
            target: target.into(),
            task: None,
            drop: Vec::new(),
            build: Build::Quick,
            metric: None,
            seed: 0,
            time_budget_secs: None,
            algorithm: None,
            debugger: None,
        }
    }
}

/// scikit-learn's scorer name.
pub fn metric_name(metric: Metric) -> &'static str {
    match metric {
        Metric::R2 => "r2",
        Metric::NegRootMeanSquaredError => "neg_root_mean_squared_error",
        Metric::NegMeanAbsoluteError => "neg_mean_absolute_error",
        Metric::Accuracy => "accuracy",
        Metric::BalancedAccuracy => "balanced_accuracy",
        Metric::F1Macro => "f1_macro",
        Metric::NegLogLoss => "neg_log_loss",
        Metric::RocAuc => "roc_auc",
    }
}

pub fn task_name(task: Task) -> &'static str {
    match task {
        Task::Regression => "regression",
        Task::Binary => "binary",
        Task::Multiclass => "multiclass",
    }
}

/// Every metric, in the order a picker lists them.
pub const METRICS: [Metric; 8] = [
    Metric::R2,
    Metric::NegRootMeanSquaredError,
    Metric::NegMeanAbsoluteError,
    Metric::Accuracy,
    Metric::BalancedAccuracy,
    Metric::F1Macro,
    Metric::RocAuc,
    Metric::NegLogLoss,
];

/// The metric scikit-learn calls `name`.
pub fn metric_named(name: &str) -> Option<Metric> {
    METRICS
        .into_iter()
        .find(|&metric| metric_name(metric) == name)
}

impl Validation {
    /// E.g. "5-fold cross-validation repeated 3 times" or "a 20% validation split".
    pub fn describe(&self) -> String {
        match *self {
            Validation::CrossValidation {
                n_folds,
                n_repeats: 1,
            } => format!("{n_folds}-fold cross-validation"),
            Validation::CrossValidation { n_folds, n_repeats } => {
                format!("{n_folds}-fold cross-validation repeated {n_repeats} times")
            }
            Validation::Holdout { fraction } => {
                format!("a {:.0}% validation split", fraction * 100.0)
            }
        }
    }
}

/// The metric a task is scored by unless the user picks one (scikit-learn's default
/// `score`).
pub fn default_metric(task: Task) -> Metric {
    if task.is_classification() {
        Metric::Accuracy
    } else {
        Metric::R2
    }
}

/// Whether `metric` can score `task`.
pub fn metric_applies(metric: Metric, task: Task) -> bool {
    let regression = matches!(
        metric,
        Metric::R2 | Metric::NegRootMeanSquaredError | Metric::NegMeanAbsoluteError
    );
    regression == (task == Task::Regression)
}

/// One job of a search: fit candidate `candidate` on fold `fold`'s training rows and score
/// it on the fold's validation rows. A worker needs the job and the training set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoldJob {
    pub candidate: usize,
    pub spec: ModelSpec,
    pub fold: usize,
    pub metric: Metric,
    pub seed: u64,
}

/// One of `count` workers that split a search's candidate jobs: worker `index` runs the
/// jobs whose number (candidate × folds + fold) leaves remainder `index` modulo `count`.
/// Every worker plans the same jobs from the same rows and seed, so none is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// How one job ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FoldOutcome {
    /// The metric on the fold's validation rows (higher is better; may be NaN when it is
    /// undefined there, e.g. ROC AUC with one class).
    Scored {
        score: f64,
    },
    Failed {
        message: String,
    },
}

/// A job's result, sent back by whoever ran it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoldResult {
    pub candidate: usize,
    pub fold: usize,
    pub outcome: FoldOutcome,
    pub fit_secs: f64,
}

/// Where a candidate got to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CandidateStatus {
    /// Every fold scored.
    Done,
    /// A fold failed; the message says why.
    Failed { message: String },
    /// Not launched: the time budget ran out first.
    Skipped,
}

/// One leaderboard row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeaderboardRow {
    /// 1 for the best; rows that did not finish have none.
    pub rank: Option<usize>,
    /// The candidate's index in the search's candidate list.
    pub candidate: usize,
    pub spec: ModelSpec,
    /// scikit-learn's estimator name.
    pub algorithm: String,
    pub label: String,
    /// Mean and population standard deviation of the metric over the folds (scikit-learn's
    /// `mean_test_score`, `std_test_score`).
    pub cv_mean: Option<f64>,
    pub cv_std: Option<f64>,
    pub fold_scores: Vec<f64>,
    /// Seconds spent fitting and scoring, summed over the folds.
    pub fit_secs: f64,
    pub status: CandidateStatus,
}

/// A point on a regression's predicted-vs-actual chart (residual = actual − predicted).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegressionPoint {
    /// The row's position among the evaluated rows.
    pub row: usize,
    pub actual: f64,
    pub predicted: f64,
    pub residual: f64,
}

/// A point on a ROC curve; `threshold` is `None` for the curve's start (nothing predicted
/// positive).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RocPoint {
    pub fpr: f64,
    pub tpr: f64,
    pub threshold: Option<f64>,
}

/// A point on a precision-recall curve; `threshold` is `None` for the point (recall 0,
/// precision 1) scikit-learn adds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrPoint {
    pub recall: f64,
    pub precision: f64,
    pub threshold: Option<f64>,
}

/// One class against the rest (the positive class for a binary task): curves of at most
/// [`MAX_CURVE_POINTS`] points each, with the areas computed on all points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassCurves {
    pub class: String,
    /// `None` when the evaluated rows hold only this class or none of it.
    pub roc_auc: Option<f64>,
    pub average_precision: Option<f64>,
    pub roc: Vec<RocPoint>,
    pub precision_recall: Vec<PrPoint>,
}

/// At most this many points per curve.
pub const MAX_CURVE_POINTS: usize = 200;
/// At most this many predicted-vs-actual points.
pub const MAX_REGRESSION_POINTS: usize = 2_000;
/// Permutation importance runs on at most this many rows.
pub const MAX_IMPORTANCE_ROWS: usize = 5_000;
/// Permutation importance repeats per column.
pub const IMPORTANCE_REPEATS: usize = 5;

/// How much the metric drops when a column's values are shuffled (permutation importance).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnImpact {
    pub column: String,
    pub importance_mean: f64,
    pub importance_std: f64,
}

/// Rows of one column that a step could not use as they were.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnCount {
    pub column: String,
    pub n_rows: usize,
}

/// The task-specific part of an evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "task_kind", rename_all = "snake_case")]
pub enum EvaluationDetail {
    Regression {
        scores: RegressionScores,
        /// `DummyRegressor(strategy="mean")` fitted on the training rows.
        baseline: RegressionScores,
        /// At most [`MAX_REGRESSION_POINTS`], a seeded sample in row order.
        points: Vec<RegressionPoint>,
    },
    Classification {
        classes: Vec<String>,
        /// Includes the confusion matrix (`confusion_matrix[true][predicted]`).
        scores: ClassificationScores,
        /// `DummyClassifier(strategy="most_frequent")` fitted on the training rows.
        baseline: ClassificationScores,
        /// Binary: the positive (second) class; multiclass: every class against the rest.
        curves: Vec<ClassCurves>,
    },
}

/// A model on held-out rows: its scores, the dummy baseline's, charts and column impact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvaluationReport {
    /// Rows scored (rows whose target is known).
    pub n_rows: usize,
    /// Rows left out: a missing target, or a class the training rows never had.
    pub n_rows_without_target: usize,
    pub metric: Metric,
    pub score: f64,
    pub baseline_score: f64,
    pub detail: EvaluationDetail,
    /// Sorted by importance, largest first.
    pub column_impact: Vec<ColumnImpact>,
    /// Categories the model never saw, counted per column (treated as missing).
    pub unseen_categories: Vec<ColumnCount>,
}

/// Everything an AutoML run reports (what `studio train --json` prints and a UI shows).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AutomlReport {
    pub schema_version: u32,
    pub target: String,
    pub task: Task,
    pub classes: Vec<String>,
    pub metric: Metric,
    pub build: Build,
    pub validation: Validation,
    pub seed: u64,
    pub n_train_rows: usize,
    pub features: Vec<String>,
    /// Columns left out: asked for (`drop`) or empty in the training rows.
    pub excluded_columns: Vec<String>,
    pub best: LeaderboardRow,
    pub leaderboard: Vec<LeaderboardRow>,
    /// Present when test rows were given.
    pub holdout: Option<EvaluationReport>,
    pub search_secs: f64,
    pub refit_secs: f64,
    /// Things the user should know that did not stop the run.
    pub warnings: Vec<String>,
    /// What the Debugger found, when its rules were asked for.
    #[serde(default)]
    pub diagnosis: Option<crate::debugger::Diagnosis>,
    /// The free-text columns (also in `features`), read by the text candidates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_columns: Vec<String>,
    /// When the chosen model reads text: per class, the words that speak most for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_words: Vec<ClassWords>,
}

/// At most this many top words per class in a report.
pub const TOP_WORDS_PER_CLASS: usize = 15;

/// The words a text model weighs most for one class, highest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassWords {
    pub class: String,
    pub words: Vec<crate::text::TopWord>,
}

/// What a stored model says about how it was trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingMetadata {
    pub target: String,
    pub task: Task,
    pub classes: Vec<String>,
    pub features: Vec<String>,
    pub excluded_columns: Vec<String>,
    pub build: Build,
    pub metric: Metric,
    pub validation: Validation,
    pub seed: u64,
    pub n_train_rows: usize,
    pub cv_mean: Option<f64>,
    pub cv_std: Option<f64>,
    /// `studio <version>`.
    pub trained_with: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_algorithm_reads_python_style_parameters() {
        let stump = ModelSpec::from_choice("tree", "max_depth=1").unwrap();
        assert_eq!(
            stump,
            ModelSpec::Tree(TreeParams {
                max_depth: Some(1),
                ..TreeParams::default()
            })
        );
        let forest = ModelSpec::from_choice(
            "forest",
            "n_estimators=20,\n max_features=0.5, bootstrap=False",
        )
        .unwrap();
        let ModelSpec::Forest(params) = forest else {
            panic!("a forest");
        };
        assert_eq!(params.n_estimators, 20);
        assert_eq!(params.max_features, Some(MaxFeatures::Fraction(0.5)));
        assert!(!params.bootstrap);
        assert_eq!(
            ModelSpec::from_choice("forest", "max_features='sqrt'").unwrap(),
            ModelSpec::Forest(ForestParams {
                max_features: Some(MaxFeatures::Sqrt),
                ..ForestParams::default()
            })
        );
        let ModelSpec::Logistic(logistic) = ModelSpec::from_choice("logistic", "C=0.5").unwrap()
        else {
            panic!("a logistic regression");
        };
        assert_eq!(logistic.c, 0.5);
        assert_eq!(
            ModelSpec::from_choice("tree", "max_depth=None").unwrap(),
            ModelSpec::Tree(TreeParams::default())
        );

        let unknown = ModelSpec::from_choice("tree", "depth=3").unwrap_err();
        assert!(
            unknown.contains("no parameter \"depth\"") && unknown.contains("max_depth"),
            "{unknown}"
        );
        let wrong = ModelSpec::from_choice("tree", "max_depth=deep").unwrap_err();
        assert!(wrong.starts_with("tree: "), "{wrong}");
        let bad = ModelSpec::from_choice("knn", "n_neighbors=0").unwrap_err();
        assert!(bad.contains("n_neighbors"), "{bad}");
        assert!(ModelSpec::from_choice("svm", "")
            .unwrap_err()
            .contains("unknown algorithm"));
        assert!(ModelSpec::from_choice("tree", "max_depth")
            .unwrap_err()
            .contains("key=value"));
    }

    #[test]
    fn spec_round_trips_as_tagged_json() {
        let spec = ModelSpec::Forest(ForestParams {
            max_features: Some(MaxFeatures::Fraction(0.5)),
            ..ForestParams::default()
        });
        let json = serde_json::to_string(&spec).unwrap();
        assert!(
            json.starts_with("{\"algorithm\":\"forest\",\"params\":{"),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
        assert_eq!(
            spec.label(),
            "random_forest(n_estimators=100, max_features=0.5)"
        );
        assert_eq!(
            ModelSpec::Gbdt(GbdtParams::default()).label(),
            "gbdt(learning_rate=0.1, max_leaf_nodes=31, l2_regularization=0)"
        );
    }

    #[test]
    fn metrics_belong_to_tasks() {
        assert!(metric_applies(Metric::R2, Task::Regression));
        assert!(!metric_applies(Metric::R2, Task::Binary));
        assert!(metric_applies(Metric::F1Macro, Task::Multiclass));
        assert!(!metric_applies(Metric::Accuracy, Task::Regression));
        assert_eq!(default_metric(Task::Binary), Metric::Accuracy);
        assert_eq!(default_metric(Task::Regression), Metric::R2);
    }
}

//! Dataset profiles and the data quality and insights report: per-column statistics like pandas' `describe()`, correlations, duplicates, and the findings a user should act on.
//!
//! The result types here build without the `engine` feature: the UI shows a profile it was
//! sent and never computes one. The computing code ([`profile()`], [`insights()`]) is behind
//! `engine`, in the submodules:
//!
//! * `kernels`: statistics on plain `f64` slices, written to give pandas' and numpy's
//!   numbers (linear quantiles, pandas' bias-corrected skew and kurtosis, `numpy.histogram`,
//!   pairwise-complete Pearson correlation);
//! * `cells`: typed row access to a column (equality, hashing, value counting), sampling;
//! * `describe`: the profile itself;
//! * `insights`: the report's checks, including the target checks (missing targets, class
//!   imbalance, target leakage);
//! * `power`: each feature's prediction power for a target, behind the leakage check.
//!
//! Floats that can be undefined (the mean of nothing, the skew of a constant, a statistic
//! that overflowed to infinity) are `Option<f64>`: JSON carries neither NaN nor infinity.

use serde::{Deserialize, Serialize};

use crate::schema::ColumnType;

#[cfg(feature = "engine")]
mod cells;
#[cfg(feature = "engine")]
mod describe;
#[cfg(feature = "engine")]
mod insights;
#[cfg(feature = "engine")]
pub(crate) mod kernels;
#[cfg(feature = "engine")]
mod power;
#[cfg(feature = "engine")]
mod quick_model;
#[cfg(feature = "engine")]
mod scatter;

#[cfg(feature = "engine")]
pub use describe::profile;
#[cfg(feature = "engine")]
pub use insights::{insights, InsightsError};
#[cfg(feature = "engine")]
pub use quick_model::{attach_quick_model, quick_model, QUICK_MODEL_MAX_ROWS};
#[cfg(feature = "engine")]
pub use scatter::{sample_pairs, ScatterError};

/// Points for a scatter plot of two numeric columns (see `sample_pairs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairSample {
    pub x_column: String,
    pub y_column: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Rows where both columns hold finite numbers; `x.len()` of them are shown.
    pub n_pairs: u64,
}

/// How many most frequent values a column profile lists.
pub const TOP_VALUES: usize = 10;
/// How many equal-width bins a numeric, date or datetime histogram has (numpy's `bins=20`).
pub const HISTOGRAM_BINS: usize = 20;
/// How many bars a categorical, string or boolean histogram has before "other".
pub const HISTOGRAM_BARS: usize = 20;
/// Numeric columns list their top values when they have at most this many distinct values
/// (codes, ratings, counts), or when one value covers at least a tenth of the rows.
pub const NUMERIC_TOP_VALUES_MAX_DISTINCT: u64 = 50;
/// At most this many numeric columns enter the correlation matrix (the work grows with
/// the square of the column count); the matrix names the columns it holds.
pub const MAX_CORRELATION_COLUMNS: usize = 200;

/// What to profile: all rows, or a deterministic sample of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileOptions {
    /// Frames with more rows than this are profiled on a uniform sample of this many rows
    /// (kept in their original order); `None` profiles every row.
    pub max_rows: Option<usize>,
    /// Seeds the sample, so the same frame and options always give the same profile.
    pub seed: u64,
    /// Distinct values are counted exactly up to this many per column; beyond it the count
    /// is estimated (within about 3%) and the top values are the heavy hitters, counted
    /// exactly.
    pub exact_distinct_limit: usize,
}

impl ProfileOptions {
    /// One million rows: the profile of a bigger frame is within sampling error of the whole
    /// and takes seconds, not minutes, in a browser tab.
    pub const DEFAULT_MAX_ROWS: usize = 1_000_000;
    pub const DEFAULT_SEED: u64 = 42;
    pub const DEFAULT_EXACT_DISTINCT_LIMIT: usize = 1_000_000;
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            max_rows: Some(Self::DEFAULT_MAX_ROWS),
            seed: Self::DEFAULT_SEED,
            exact_distinct_limit: Self::DEFAULT_EXACT_DISTINCT_LIMIT,
        }
    }
}

/// A dataset's profile. Every column statistic describes the profiled rows: all rows, or
/// the sample when `sampled_rows` is set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetProfile {
    /// Rows in the whole frame.
    pub n_rows: u64,
    pub n_cols: u64,
    /// `Some(k)` when the frame was bigger than `max_rows` and `k` sampled rows were profiled.
    pub sampled_rows: Option<u64>,
    /// The seed the sample was drawn with (meaningful only when `sampled_rows` is set).
    pub sample_seed: u64,
    /// Profiled rows equal to an earlier row in every column (pandas' `duplicated().sum()`;
    /// two missing values are equal).
    pub duplicate_rows: u64,
    /// Missing cells over all columns of the profiled rows.
    pub missing_cells: u64,
    /// Memory the whole frame's Arrow buffers hold.
    pub memory_bytes: u64,
    pub columns: Vec<ColumnProfile>,
    /// Pearson correlations between integer and float columns.
    pub correlations: CorrelationMatrix,
}

impl DatasetProfile {
    /// How many rows the statistics describe: `n_rows`, or the sample's size.
    pub fn profiled_rows(&self) -> u64 {
        self.sampled_rows.unwrap_or(self.n_rows)
    }

    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns.iter().find(|column| column.name == name)
    }
}

/// One column's statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    pub column_type: ColumnType,
    /// Values present (pandas' `count()`); `count + missing` is the number of profiled rows.
    pub count: u64,
    /// Values missing; a NaN in a float column counts as missing, like in pandas.
    pub missing: u64,
    /// Distinct present values (pandas' `nunique()`): exact unless `distinct_is_approximate`.
    pub distinct: u64,
    pub distinct_is_approximate: bool,
    /// The smallest and largest value of a numeric, date or datetime column, as numbers:
    /// the value itself, days since 1970-01-01 for dates, milliseconds since
    /// 1970-01-01T00:00 for datetimes. `None` when there is no value (or it is infinite).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The same two values as the data grid shows them (`2013-01-01`, `-inf`).
    pub min_text: Option<String>,
    pub max_text: Option<String>,
    /// Integer and float columns with at least one value.
    pub numeric: Option<NumericSummary>,
    /// String and categorical columns with at least one value.
    pub text_lengths: Option<TextLengths>,
    /// Up to [`TOP_VALUES`] most frequent values, most frequent first (ties: first seen
    /// first). Always for boolean, string and categorical columns; for the others see
    /// [`NUMERIC_TOP_VALUES_MAX_DISTINCT`].
    pub top_values: Vec<TopValue>,
    /// `None` only for a column without any value.
    pub histogram: Option<Histogram>,
    /// Memory this column's Arrow buffers hold (in the whole frame).
    pub memory_bytes: u64,
}

impl ColumnProfile {
    /// The share of present values the most frequent value covers (0 without values).
    pub fn top_fraction(&self) -> f64 {
        match self.top_values.first() {
            Some(top) if self.count > 0 => top.count as f64 / self.count as f64,
            _ => 0.0,
        }
    }
}

/// `describe()` for a numeric column, over its present values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericSummary {
    pub mean: Option<f64>,
    /// Sample standard deviation (ddof = 1, like pandas); `None` for fewer than two values.
    pub std: Option<f64>,
    pub quantiles: Quantiles,
    /// pandas' `skew()`: the adjusted Fisher-Pearson coefficient G1; `None` for fewer than
    /// three values or a constant column.
    pub skewness: Option<f64>,
    /// pandas' `kurt()`: excess kurtosis G2; `None` for fewer than four values or a
    /// constant column.
    pub kurtosis: Option<f64>,
    pub zeros: u64,
    /// Values that are +inf or -inf (they count as present, like in pandas).
    pub infinite: u64,
}

/// Quantiles with linear interpolation between order statistics (pandas' and numpy's
/// default): `p25` is the first quartile, `p50` the median.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    pub p01: Option<f64>,
    pub p05: Option<f64>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// Lengths of a text column's values, in characters (Unicode scalar values, like
/// Python's `len`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextLengths {
    pub min: u64,
    pub mean: f64,
    pub max: u64,
}

/// A value as the data grid shows it, and how many profiled rows hold it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopValue {
    pub value: String,
    pub count: u64,
}

/// What a column's chart draws.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Histogram {
    /// Numeric, date and datetime columns: [`HISTOGRAM_BINS`] equal-width bins over the
    /// finite values, like `numpy.histogram(values, bins=20)`: `edges` has one more entry
    /// than `counts` (in the unit of [`ColumnProfile::min`]); every bin is half-open except
    /// the last, which includes its right edge.
    Bins { edges: Vec<f64>, counts: Vec<u64> },
    /// Boolean, string and categorical columns: the [`HISTOGRAM_BARS`] most frequent
    /// values, and how many present values the other values hold together.
    Bars {
        bars: Vec<TopValue>,
        other_count: u64,
    },
}

/// A symmetric matrix of Pearson correlations, like pandas' `corr()`: each pair over the
/// rows where both values are present and finite. `None` where it is undefined (a
/// constant column, or no rows in common).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CorrelationMatrix {
    pub columns: Vec<String>,
    /// `values[i][j]` is the correlation of `columns[i]` and `columns[j]`.
    pub values: Vec<Vec<Option<f64>>>,
}

impl CorrelationMatrix {
    pub fn get(&self, a: &str, b: &str) -> Option<f64> {
        let i = self.columns.iter().position(|name| name == a)?;
        let j = self.columns.iter().position(|name| name == b)?;
        self.values[i][j]
    }
}

/// The data quality and insights report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightsReport {
    /// Findings, most severe first (in column order within a severity).
    pub insights: Vec<Insight>,
    /// Present when the report was asked about a target column.
    pub target: Option<TargetSummary>,
}

/// One finding: what is wrong, where, and what to do about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Insight {
    pub severity: Severity,
    pub kind: InsightKind,
    /// The column the finding is about; `None` for the whole dataset (duplicate rows).
    pub column: Option<String>,
    /// A sentence a user reads, naming the column and the numbers.
    pub message: String,
    /// What to do about it.
    pub suggestion: String,
}

/// How much a finding matters; sorts most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    High,
    Medium,
    Low,
}

/// The checks of SageMaker Data Wrangler's Data Quality and Insights report that we run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsightKind {
    /// Missing values in a feature (severity by the missing fraction).
    MissingValues,
    /// One value in every present row (or nothing present).
    ConstantColumn,
    /// One value in at least 99% of the present rows.
    NearConstant,
    /// A different value in every row: an integer sequence or string identifiers.
    IdLike,
    /// A string or categorical column with many levels.
    HighCardinality,
    /// Values far from the median (robust z-score above 3.5).
    Outliers,
    /// A numeric column with |skewness| above 1.
    Skewed,
    /// Rows equal to an earlier row.
    DuplicateRows,
    /// The target's rarest class is much rarer than its most frequent one.
    ClassImbalance,
    /// A single feature predicts the target almost perfectly.
    TargetLeakage,
    /// Rows without a target value.
    MissingTarget,
}

/// What the report found out about the target column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetSummary {
    pub column: String,
    pub problem_type: ProblemType,
    /// Rows without a target value (among the profiled rows).
    pub missing: u64,
    /// Classification targets: the number of classes and the classes by count, most
    /// frequent first (at most [`MAX_LISTED_CLASSES`]). Empty for regression.
    pub n_classes: u64,
    pub class_counts: Vec<TopValue>,
    /// How `FeaturePower::power` is measured for this target.
    pub power_metric: PowerMetric,
    /// Each feature's prediction power on its own, strongest first.
    pub feature_power: Vec<FeaturePower>,
    /// A quick model on all features together; `None` when it could not be trained (the
    /// reason is in `quick_model_error`).
    #[serde(default)]
    pub quick_model: Option<QuickModel>,
    #[serde(default)]
    pub quick_model_error: Option<String>,
}

/// A fast tree ensemble trained on an 80/20 split of the rows (a sample of at most
/// `QUICK_MODEL_MAX_ROWS`): how predictable the target is from all features together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuickModel {
    /// What was trained, in words.
    pub model: String,
    /// Balanced accuracy for classes, r2 for regression (like `feature_power`).
    pub metric: PowerMetric,
    /// The model's score on the held-out 20%.
    pub score: f64,
    /// A dummy model's score on the same rows (most frequent class, or the training mean).
    pub baseline_score: f64,
    pub n_train: u64,
    pub n_test: u64,
    /// Permutation importance: how much the score drops when the feature is shuffled,
    /// most important first.
    pub feature_importance: Vec<FeaturePower>,
}

/// At most this many classes are listed in [`TargetSummary::class_counts`].
pub const MAX_LISTED_CLASSES: usize = 50;

/// The learning problem a target column poses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemType {
    /// A numeric target with many distinct values.
    Regression,
    BinaryClassification,
    MulticlassClassification,
}

/// The score behind a feature's prediction power (sklearn's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerMetric {
    /// Classification: the mean recall over the classes of the held-out rows (1/k for a
    /// feature that says nothing about k classes, 1 for a perfect one).
    BalancedAccuracy,
    /// Regression: the coefficient of determination on the held-out rows (0 for a feature
    /// that says nothing, 1 for a perfect one, negative when worse than the mean).
    R2,
}

/// How well one feature alone predicts the target: the target's majority class (or mean)
/// within each of the feature's values (numeric features: within each of its quantile
/// bins, ten or about sqrt(n); missing values form their own bin), learned on a
/// deterministic 80% of the rows and scored on the other 20%.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeaturePower {
    pub column: String,
    pub power: f64,
}

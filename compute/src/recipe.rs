//! Transform recipes: ordered, serializable steps with sklearn/pandas names, fitted on training data and applied unchanged to new data.
//!
//! A [`Recipe`] is plain data the UI edits (this half builds without the `engine` feature).
//! Fitting it (`engine`) runs the steps in order, each learning its parameters (means,
//! vocabularies, bin edges…) on the output of the step before, and gives a
//! [`FittedRecipe`], stored with a model so that predictions see exactly the transforms
//! training saw. Transforming never applies a recipe half-way: it returns a new frame or
//! an error naming the step, its kind and the column.

#[cfg(feature = "engine")]
mod cell;
#[cfg(feature = "engine")]
mod columns;
#[cfg(feature = "engine")]
mod combine;
#[cfg(feature = "engine")]
mod dates;
#[cfg(feature = "engine")]
mod encode;
#[cfg(feature = "engine")]
mod engine;
#[cfg(feature = "engine")]
mod missing;
#[cfg(feature = "engine")]
mod numeric;
#[cfg(feature = "engine")]
mod rows;
#[cfg(feature = "engine")]
mod text;

#[cfg(feature = "engine")]
pub use engine::{preview, preview_with, Datasets};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::schema::ColumnType;

/// The recipe and fitted-recipe JSON layout written by this version. Older layouts are
/// read (there are none yet); newer ones are refused with a message saying so.
pub const RECIPE_SCHEMA_VERSION: u32 = 1;

/// An ordered list of steps; plain data, edited by the UI and stored as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    pub schema_version: u32,
    pub name: String,
    pub steps: Vec<Step>,
}

/// A literal in a step's parameters: a fill value, a filter operand, a learnt level.
/// Dates and datetimes are written as ISO text (`2013-01-01`, `2013-01-01 10:00:00`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Value>),
}

/// Another stored dataset a step reads (join, concatenate), named by id and pinned by the
/// content hash it had when the step was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetRef {
    pub dataset_id: String,
    /// Hex BLAKE3 content hash (see `Frame::content_hash`); a resolved frame must match it.
    pub content_hash: String,
}

/// One operation. The serde tag `op` is the snake_case step name; fields are named like
/// the pandas/sklearn parameters users know.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    // Manage columns.
    DropColumns {
        columns: Vec<String>,
    },
    RenameColumn {
        column: String,
        new_name: String,
    },
    DuplicateColumn {
        column: String,
        new_name: String,
    },
    /// Puts `columns` first (`to_front`), or makes them the whole order (`exact`, which
    /// must then list every column).
    ReorderColumns {
        columns: Vec<String>,
        #[serde(default)]
        mode: ReorderMode,
    },
    Cast {
        column: String,
        to: ColumnType,
        #[serde(default)]
        on_error: OnError,
    },

    // Rows.
    /// Keeps rows where `column operator value` holds; a missing value never satisfies a
    /// comparison (only `is_null`).
    FilterRows {
        column: String,
        operator: CompareOp,
        #[serde(default = "null_value")]
        value: Value,
    },
    /// Keeps rows where a formula (see `formula`) is true.
    FilterFormula {
        expression: String,
    },
    DropDuplicates {
        #[serde(default)]
        subset: Option<Vec<String>>,
        #[serde(default)]
        keep: Keep,
    },
    /// `n` rows or a fraction `frac` of them, without replacement, kept in their original
    /// order; the same seed picks the same rows on every platform.
    SampleRows {
        #[serde(default)]
        n: Option<usize>,
        #[serde(default)]
        frac: Option<f64>,
        #[serde(default)]
        random_state: u64,
    },
    /// A stable sort; missing values last whatever the direction.
    SortRows {
        by: Vec<String>,
        /// One flag per `by` column, or one for all; empty means ascending.
        #[serde(default)]
        ascending: Vec<bool>,
    },
    TrainTestSplit {
        /// Fraction of rows in the test set; `ceil(test_size * n)` rows, like sklearn.
        test_size: f64,
        #[serde(default)]
        random_state: u64,
        #[serde(default)]
        strategy: SplitStrategy,
        /// The added column holding `train` / `test`.
        #[serde(default = "split_column")]
        column_name: String,
    },

    // Missing values.
    /// pandas `dropna(how, subset)`.
    DropMissing {
        #[serde(default)]
        subset: Option<Vec<String>>,
        #[serde(default)]
        how: How,
    },
    /// sklearn `SimpleImputer(strategy, fill_value)`; fitted.
    FillMissing {
        columns: Vec<String>,
        strategy: FillStrategy,
        #[serde(default = "null_value")]
        fill_value: Value,
    },
    FillForward {
        columns: Vec<String>,
    },
    FillBackward {
        columns: Vec<String>,
    },
    /// Adds a boolean `<col>_missing` after each column.
    MissingIndicator {
        columns: Vec<String>,
    },

    // Categorical encoding.
    /// pandas `get_dummies` / sklearn `OneHotEncoder(handle_unknown="ignore")`: boolean
    /// `<col>_<level>` columns in sorted level order, in place of the column; levels are
    /// fitted, unseen ones give all false.
    OneHot {
        column: String,
        #[serde(default)]
        drop_first: bool,
        #[serde(default)]
        dummy_na: bool,
    },
    /// sklearn `OrdinalEncoder`: sorted fitted levels → 0, 1, …; unseen levels become
    /// `unknown_value` (missing when `None`).
    OrdinalEncode {
        column: String,
        #[serde(default)]
        unknown_value: Option<i64>,
    },
    /// Replaces levels rarer than `min_frequency` (a count when ≥ 1, a fraction below 1,
    /// like sklearn) or beyond the `max_categories` most frequent by `other_label`.
    GroupRare {
        column: String,
        #[serde(default)]
        min_frequency: Option<f64>,
        #[serde(default)]
        max_categories: Option<usize>,
        #[serde(default = "other_label")]
        other_label: String,
    },

    // Scaling (fitted; sklearn's formulas; missing values ignored when fitting and kept).
    StandardScale {
        columns: Vec<String>,
        #[serde(default = "yes")]
        with_mean: bool,
        #[serde(default = "yes")]
        with_std: bool,
    },
    MinMaxScale {
        columns: Vec<String>,
        #[serde(default = "unit_range")]
        feature_range: (f64, f64),
    },
    RobustScale {
        columns: Vec<String>,
        #[serde(default = "quartiles")]
        quantile_range: (f64, f64),
        #[serde(default = "yes")]
        with_centering: bool,
        #[serde(default = "yes")]
        with_scaling: bool,
    },
    MaxAbsScale {
        columns: Vec<String>,
    },

    // Numeric.
    /// Natural logarithm; non-positive values fail or become missing.
    Log {
        columns: Vec<String>,
        #[serde(default)]
        on_error: OnError,
    },
    /// `ln(1 + x)`; values ≤ -1 fail or become missing.
    Log1p {
        columns: Vec<String>,
        #[serde(default)]
        on_error: OnError,
    },
    Power {
        columns: Vec<String>,
        exponent: f64,
    },
    Clip {
        columns: Vec<String>,
        #[serde(default)]
        lower: Option<f64>,
        #[serde(default)]
        upper: Option<f64>,
    },
    /// `quantile`: pandas `qcut` edges, fitted (duplicate edges dropped); `uniform`:
    /// pandas `cut` with `n_bins` equal-width bins over the fitted range. Values outside
    /// the fitted range at transform time go to the first or last bin.
    Bin {
        column: String,
        strategy: BinStrategy,
        n_bins: usize,
        #[serde(default)]
        labels: BinLabels,
    },
    HandleOutliers {
        columns: Vec<String>,
        method: OutlierMethod,
        action: OutlierAction,
    },

    // Dates.
    /// Text → date or datetime with a strftime-like `format` (`%Y %m %d %H %M %S %y %b`).
    ParseDatetime {
        column: String,
        format: String,
        #[serde(default = "datetime_type")]
        to: ColumnType,
        #[serde(default)]
        on_error: OnError,
    },
    /// Adds integer `<col>_<part>` columns after the column.
    ExtractDatetime {
        column: String,
        parts: Vec<DatetimePart>,
    },
    /// Adds `<col>_<part>_sin` / `_cos` for each periodic part.
    CyclicEncode {
        column: String,
        parts: Vec<CyclicPart>,
    },

    // Text.
    ChangeCase {
        columns: Vec<String>,
        case: Case,
    },
    Trim {
        columns: Vec<String>,
    },
    /// Replaces every occurrence of a literal substring.
    ReplaceText {
        columns: Vec<String>,
        pattern: String,
        replacement: String,
    },
    /// pandas `str.replace(pattern, replacement, regex=True)`: every match of a regular
    /// expression replaced. `$1` or `${name}` insert a group (`${1}x` when a letter or digit
    /// follows; `$$` is a dollar). The syntax is regex-lite's: `\d`, `\w`, `\s` and `(?i)`
    /// are ASCII-only, and there are no `\p{…}` classes or look-arounds. An empty match
    /// right after a match is skipped (`x*` on `abxd` gives `-a-b-d-`, Python `-a-b--d-`).
    RegexReplace {
        columns: Vec<String>,
        pattern: String,
        replacement: String,
    },
    /// pandas `str.extract(pattern)`: one text column per capture group, after the column,
    /// holding what the group matched at the first match; missing where nothing matched.
    /// Columns are named `new_columns`, else a named group's name, else `<col>_<group>`.
    RegexExtract {
        column: String,
        pattern: String,
        #[serde(default)]
        new_columns: Option<Vec<String>>,
    },
    /// Adds `<col>_length` (characters).
    TextLength {
        column: String,
    },
    /// Adds `<col>_word_count` (runs of non-whitespace).
    WordCount {
        column: String,
    },
    /// Adds `<col>_1` … `<col>_<max_parts>`; the last part keeps the rest of the text,
    /// like pandas `str.split(delimiter, n=max_parts - 1, expand=True)`.
    SplitText {
        column: String,
        delimiter: String,
        max_parts: usize,
    },

    // Combine.
    /// pandas `groupby(keys).agg(...)`: one row per key combination (sorted, missing
    /// keys dropped), columns `<col>_<agg>`.
    GroupByAggregate {
        keys: Vec<String>,
        aggregations: Vec<Aggregation>,
    },
    /// pandas `merge(right, on, how)`; clashing non-key names get `suffixes`.
    Join {
        right: DatasetRef,
        on: Vec<String>,
        #[serde(default)]
        how: JoinHow,
        #[serde(default = "merge_suffixes")]
        suffixes: (String, String),
    },
    /// Appends the rows of another dataset, columns matched by name (missing → null).
    Concatenate {
        other: DatasetRef,
    },

    /// Adds a column computed by a formula (see `formula`).
    FormulaColumn {
        name: String,
        expression: String,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReorderMode {
    #[default]
    ToFront,
    Exact,
}

/// What to do with a value a step cannot convert.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Stop with an error counting and listing the rows.
    #[default]
    Fail,
    /// Make the value missing.
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompareOp {
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "is_null")]
    IsNull,
    #[serde(rename = "not_null")]
    NotNull,
    #[serde(rename = "contains")]
    Contains,
    #[serde(rename = "in")]
    In,
    /// A regular expression found anywhere in the text (pandas `str.contains(pattern,
    /// regex=True)`); anchor it with `^…$` to match the whole text.
    #[serde(rename = "matches")]
    Matches,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    #[default]
    First,
    Last,
    /// pandas `keep=False`: drop every row that has a duplicate.
    None,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    #[default]
    Any,
    All,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SplitStrategy {
    /// A seeded shuffle; the first `n_test` shuffled rows are the test set.
    #[default]
    Random,
    /// Each level of `column` is split in proportion (largest remainders get the extra
    /// test rows), so the test set has the class balance of the whole.
    Stratified { column: String },
    /// The latest `n_test` rows by `column` are the test set (no shuffling).
    Time { column: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillStrategy {
    Constant,
    Mean,
    Median,
    /// The most frequent value; ties go to the smallest, like sklearn.
    MostFrequent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinStrategy {
    Quantile,
    Uniform,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinLabels {
    /// pandas interval labels such as `(32.1, 39.2]`, as a categorical column.
    #[default]
    Interval,
    /// Bin numbers 0, 1, … (pandas `labels=False`).
    Integer,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutlierMethod {
    /// `|x - mean| > k * std` (population std), fitted.
    Std { k: f64 },
    /// Robust z-score `0.6745 * |x - median| / MAD > k` (Iglewicz–Hoaglin; k = 3.5 usual).
    RobustZ { k: f64 },
    /// Outside the fitted `[q_low, q_high]` quantiles.
    Quantile { q_low: f64, q_high: f64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierAction {
    /// Clip to the fitted bounds.
    Clip,
    /// Drop rows with a value outside them in any listed column.
    Remove,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatetimePart {
    Year,
    Month,
    Day,
    /// Monday = 0, like pandas `dayofweek`.
    Weekday,
    Hour,
    Minute,
    Second,
    DayOfYear,
    Quarter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CyclicPart {
    /// Period 12, from January = 0.
    Month,
    /// Period 7, from Monday = 0.
    Weekday,
    /// Period 24.
    Hour,
    /// Period 60.
    Minute,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Case {
    Lower,
    Upper,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregation {
    pub column: String,
    pub agg: AggregateFunction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregateFunction {
    /// Present values.
    Count,
    Sum,
    Mean,
    Min,
    Max,
    Median,
    /// Sample standard deviation (ddof = 1), like pandas.
    Std,
    NUnique,
    /// First present value.
    First,
}

impl AggregateFunction {
    pub fn label(self) -> &'static str {
        match self {
            AggregateFunction::Count => "count",
            AggregateFunction::Sum => "sum",
            AggregateFunction::Mean => "mean",
            AggregateFunction::Min => "min",
            AggregateFunction::Max => "max",
            AggregateFunction::Median => "median",
            AggregateFunction::Std => "std",
            AggregateFunction::NUnique => "nunique",
            AggregateFunction::First => "first",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinHow {
    #[default]
    Inner,
    Left,
}

fn null_value() -> Value {
    Value::Null
}
fn split_column() -> String {
    "split".to_string()
}
fn other_label() -> String {
    "Other".to_string()
}
fn yes() -> bool {
    true
}
fn unit_range() -> (f64, f64) {
    (0.0, 1.0)
}
fn quartiles() -> (f64, f64) {
    (25.0, 75.0)
}
fn datetime_type() -> ColumnType {
    ColumnType::Datetime
}
fn merge_suffixes() -> (String, String) {
    ("_x".to_string(), "_y".to_string())
}

impl Step {
    /// The step's name as written in JSON (`op`) and shown in messages.
    pub fn op(&self) -> &'static str {
        match self {
            Step::DropColumns { .. } => "drop_columns",
            Step::RenameColumn { .. } => "rename_column",
            Step::DuplicateColumn { .. } => "duplicate_column",
            Step::ReorderColumns { .. } => "reorder_columns",
            Step::Cast { .. } => "cast",
            Step::FilterRows { .. } => "filter_rows",
            Step::FilterFormula { .. } => "filter_formula",
            Step::DropDuplicates { .. } => "drop_duplicates",
            Step::SampleRows { .. } => "sample_rows",
            Step::SortRows { .. } => "sort_rows",
            Step::TrainTestSplit { .. } => "train_test_split",
            Step::DropMissing { .. } => "drop_missing",
            Step::FillMissing { .. } => "fill_missing",
            Step::FillForward { .. } => "fill_forward",
            Step::FillBackward { .. } => "fill_backward",
            Step::MissingIndicator { .. } => "missing_indicator",
            Step::OneHot { .. } => "one_hot",
            Step::OrdinalEncode { .. } => "ordinal_encode",
            Step::GroupRare { .. } => "group_rare",
            Step::StandardScale { .. } => "standard_scale",
            Step::MinMaxScale { .. } => "min_max_scale",
            Step::RobustScale { .. } => "robust_scale",
            Step::MaxAbsScale { .. } => "max_abs_scale",
            Step::Log { .. } => "log",
            Step::Log1p { .. } => "log1p",
            Step::Power { .. } => "power",
            Step::Clip { .. } => "clip",
            Step::Bin { .. } => "bin",
            Step::HandleOutliers { .. } => "handle_outliers",
            Step::ParseDatetime { .. } => "parse_datetime",
            Step::ExtractDatetime { .. } => "extract_datetime",
            Step::CyclicEncode { .. } => "cyclic_encode",
            Step::ChangeCase { .. } => "change_case",
            Step::Trim { .. } => "trim",
            Step::ReplaceText { .. } => "replace_text",
            Step::RegexReplace { .. } => "regex_replace",
            Step::RegexExtract { .. } => "regex_extract",
            Step::TextLength { .. } => "text_length",
            Step::WordCount { .. } => "word_count",
            Step::SplitText { .. } => "split_text",
            Step::GroupByAggregate { .. } => "group_by_aggregate",
            Step::Join { .. } => "join",
            Step::Concatenate { .. } => "concatenate",
            Step::FormulaColumn { .. } => "formula_column",
        }
    }
}

/// What a step learnt when fitted; `None` for steps that learn nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FittedParams {
    None,
    /// One fill value per listed column.
    FillValues {
        values: Vec<Value>,
    },
    /// The sorted levels seen (one_hot, ordinal_encode) or kept (group_rare).
    Levels {
        levels: Vec<Value>,
    },
    /// Per column: the value subtracted and the divisor (mean/std, min/range,
    /// median/IQR, 0/max|x|).
    Scaler {
        center: Vec<f64>,
        scale: Vec<f64>,
    },
    /// Bin edges, ascending.
    BinEdges {
        edges: Vec<f64>,
    },
    /// Per column: values outside `[lower, upper]` are outliers.
    Bounds {
        lower: Vec<f64>,
        upper: Vec<f64>,
    },
}

/// A step with what it learnt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FittedStep {
    pub step: Step,
    pub params: FittedParams,
}

/// A recipe fitted on training data; stored with models so predictions transform new
/// data exactly as training did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FittedRecipe {
    pub schema_version: u32,
    pub name: String,
    pub steps: Vec<FittedStep>,
    /// The columns and types the recipe was fitted on.
    pub input_columns: Vec<(String, ColumnType)>,
}

/// Why a step could not run; shown after `step N (op): `.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum StepError {
    #[error("column \"{column}\" not found{}", suggestion_text(.suggestion))]
    ColumnNotFound {
        column: String,
        suggestion: Option<String>,
    },
    #[error(
        "column \"{column}\": {count} rows could not be read as {to} (rows {})",
        row_list(.rows, *.count)
    )]
    Conversion {
        column: String,
        to: &'static str,
        count: usize,
        /// The first few failing rows, 1-based.
        rows: Vec<usize>,
    },
    #[error("column \"{column}\": {message}")]
    Column { column: String, message: String },
    #[error("{message}")]
    Invalid { message: String },
    /// A regular expression that does not compile; `message` is the regex engine's.
    #[error("pattern \"{pattern}\" is not a valid regular expression: {message}")]
    Pattern { pattern: String, message: String },
    /// `position` is the char span in the formula's source, for underlining.
    #[error("formula {message}")]
    Formula {
        message: String,
        position: Option<std::ops::Range<usize>>,
    },
}

fn suggestion_text(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(name) => format!("; did you mean \"{name}\"?"),
        None => String::new(),
    }
}

fn row_list(rows: &[usize], count: usize) -> String {
    let mut text = rows
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if count > rows.len() {
        text.push_str(", …");
    }
    text
}

/// Everything that can go wrong reading, fitting or applying a recipe.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum RecipeError {
    /// `step` is 1-based, as the recipe editor numbers steps.
    #[error("step {step} ({op}): {error}")]
    Step {
        step: usize,
        op: &'static str,
        error: StepError,
    },
    #[error(
        "this recipe was written by a newer version of the studio (schema {found}, this \
         version reads up to {RECIPE_SCHEMA_VERSION}); update the studio to open it"
    )]
    NewerVersion { found: u32 },
    #[error("the recipe is not valid JSON or is missing parts ({message})")]
    InvalidJson { message: String },
}

impl Recipe {
    pub fn new(name: impl Into<String>, steps: Vec<Step>) -> Recipe {
        Recipe {
            schema_version: RECIPE_SCHEMA_VERSION,
            name: name.into(),
            steps,
        }
    }

    /// Reads a recipe, refusing newer schema versions and broken JSON with a clear message.
    pub fn from_json(json: &str) -> Result<Recipe, RecipeError> {
        check_version(json)?;
        serde_json::from_str(json).map_err(invalid_json)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a recipe always serializes")
    }

    /// The other datasets the steps read (join, concatenate), in step order.
    pub fn dataset_refs(&self) -> Vec<&DatasetRef> {
        self.steps
            .iter()
            .filter_map(|step| match step {
                Step::Join { right, .. } => Some(right),
                Step::Concatenate { other } => Some(other),
                _ => None,
            })
            .collect()
    }
}

impl FittedRecipe {
    pub fn from_json(json: &str) -> Result<FittedRecipe, RecipeError> {
        check_version(json)?;
        serde_json::from_str(json).map_err(invalid_json)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a fitted recipe always serializes")
    }
}

fn invalid_json(error: serde_json::Error) -> RecipeError {
    RecipeError::InvalidJson {
        message: error.to_string(),
    }
}

/// Reads only `schema_version` first, so a newer recipe is refused for its version
/// rather than for the unknown steps it may hold.
fn check_version(json: &str) -> Result<(), RecipeError> {
    #[derive(Deserialize)]
    struct Versioned {
        schema_version: u32,
    }
    let versioned: Versioned = serde_json::from_str(json).map_err(invalid_json)?;
    if versioned.schema_version > RECIPE_SCHEMA_VERSION {
        return Err(RecipeError::NewerVersion {
            found: versioned.schema_version,
        });
    }
    if versioned.schema_version == 0 {
        return Err(RecipeError::InvalidJson {
            message: "schema_version 0 does not exist; versions start at 1".to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_defaults() {
        let json = r#"{"schema_version": 1, "name": "r", "steps": [
            {"op": "cast", "column": "age", "to": "integer"},
            {"op": "filter_rows", "column": "age", "operator": ">", "value": 3}
        ]}"#;
        let read = Recipe::from_json(json).unwrap();
        assert_eq!(
            read.steps[1],
            Step::FilterRows {
                column: "age".into(),
                operator: CompareOp::Gt,
                value: Value::Int(3)
            }
        );
        let recipe = Recipe::new(
            "r",
            vec![Step::Cast {
                column: "age".into(),
                to: ColumnType::Integer,
                on_error: OnError::Fail,
            }],
        );
        assert_eq!(Recipe::from_json(&recipe.to_json()).unwrap(), recipe);
    }

    #[test]
    fn refuses_newer_and_broken() {
        let newer = r#"{"schema_version": 9, "name": "r", "steps": [{"op": "teleport"}]}"#;
        assert_eq!(
            Recipe::from_json(newer).unwrap_err(),
            RecipeError::NewerVersion { found: 9 }
        );
        let broken = r#"{"schema_version": 1, "name": "r", "steps": [{"op": "teleport"}]}"#;
        let message = Recipe::from_json(broken).unwrap_err().to_string();
        assert!(message.contains("unknown variant `teleport`"), "{message}");
        assert!(Recipe::from_json("{").is_err());
    }
}

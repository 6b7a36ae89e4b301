//! The data quality and insights report: checks over a profile and its frame, each finding
//! a sentence with its numbers and a suggestion.
//!
//! Thresholds follow common practice (and SageMaker Data Wrangler's report where it says):
//! robust z-scores above 3.5 are outliers (Iglewicz and Hoaglin), |skewness| above 1 is
//! skewed, one value in 99% of rows is near constant, a minority/majority class ratio
//! below 0.1 is a severe imbalance, and a single feature with prediction power of 0.98 or
//! more leaks the target.

use thiserror::Error;

use super::cells::{all_distinct, codes, Cells};
use super::describe::profiled_frame;
use super::kernels::quantile_sorted;
use super::power::feature_power;
use super::{
    ColumnProfile, DatasetProfile, Insight, InsightKind, InsightsReport, PowerMetric, ProblemType,
    Severity, TargetSummary, TopValue, MAX_LISTED_CLASSES,
};
use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

/// Why the report could not be made.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum InsightsError {
    #[error("target column \"{column}\" not found")]
    TargetNotFound { column: String },
    #[error("the profile describes different data ({reason}); profile the dataset again")]
    ProfileMismatch { reason: String },
}

/// Missing fractions at or above these are high and medium severity (any missing value
/// is at least low).
const MISSING_HIGH: f64 = 0.4;
const MISSING_MEDIUM: f64 = 0.05;
/// One value in at least this share of the present rows is near constant.
const NEAR_CONSTANT: f64 = 0.99;
/// Below this many rows, "a different value in every row" is no sign of an identifier.
const ID_MIN_ROWS: u64 = 10;
/// Strings this long on average are text, not identifiers or categories: the line a build
/// uses to hand a column to its text models.
const TEXT_MEAN_LENGTH: f64 = crate::ml::matrix::FREE_TEXT_MEAN_CHARS;
/// String and categorical columns with more levels than this have high cardinality.
const HIGH_CARDINALITY: u64 = 50;
const OUTLIER_Z: f64 = 3.5;
const SKEWED: f64 = 1.0;
const VERY_SKEWED: f64 = 3.0;
/// Numeric columns with at most this many values are codes; skew means little there.
const DISCRETE_MAX_DISTINCT: u64 = 10;
/// Minority/majority class ratios below these are high and medium severity imbalance.
const IMBALANCE_HIGH: f64 = 0.1;
const IMBALANCE_MEDIUM: f64 = 0.25;
const LEAKAGE_POWER: f64 = 0.98;
/// A numeric target with more distinct values than this is a regression target.
const MAX_NUMERIC_CLASSES: u64 = 20;

/// The data quality and insights report for `frame`, profiled as `profile` (made from
/// this frame; a sampled profile's checks run on the same sample), optionally about a
/// target column.
pub fn insights(
    frame: &Frame,
    profile: &DatasetProfile,
    target: Option<&str>,
) -> Result<InsightsReport, InsightsError> {
    check_profile(frame, profile)?;
    let target_index = match target {
        None => None,
        Some(name) => Some(
            frame
                .columns()
                .iter()
                .position(|column| column.name() == name)
                .ok_or_else(|| InsightsError::TargetNotFound {
                    column: name.to_string(),
                })?,
        ),
    };
    let profiled = profiled_frame(frame, profile.sampled_rows, profile.sample_seed);
    let rows = profile.profiled_rows();
    let mut found = Vec::new();

    if profile.duplicate_rows > 0 {
        let fraction = profile.duplicate_rows as f64 / rows as f64;
        found.push(Insight {
            severity: if fraction >= 0.05 {
                Severity::Medium
            } else {
                Severity::Low
            },
            kind: InsightKind::DuplicateRows,
            column: None,
            message: format!(
                "{} of {} rows ({}) repeat an earlier row exactly",
                thousands(profile.duplicate_rows),
                thousands(rows),
                percent(fraction)
            ),
            suggestion: "drop the duplicates unless repeated records are expected; copies \
                         of a row on both sides of a train/test split inflate test scores"
                .to_string(),
        });
    }

    let target_summary = target_index.map(|index| {
        check_target(
            &profiled,
            index,
            &profile.columns[index],
            profile.sample_seed,
            &mut found,
        )
    });

    for (index, (column, column_profile)) in
        profiled.columns().iter().zip(&profile.columns).enumerate()
    {
        let is_target = Some(index) == target_index;
        check_column(column, column_profile, rows, is_target, &mut found);
    }

    // Most severe first; the order found (dataset, target, columns) within a severity.
    found.sort_by_key(|insight| insight.severity);
    Ok(InsightsReport {
        insights: found,
        target: target_summary,
    })
}

fn check_profile(frame: &Frame, profile: &DatasetProfile) -> Result<(), InsightsError> {
    let mismatch = |reason: String| Err(InsightsError::ProfileMismatch { reason });
    if profile.n_rows != frame.n_rows() as u64 {
        return mismatch(format!(
            "{} rows in the profile, {} in the data",
            profile.n_rows,
            frame.n_rows()
        ));
    }
    if profile.columns.len() != frame.n_cols() {
        return mismatch(format!(
            "{} columns in the profile, {} in the data",
            profile.columns.len(),
            frame.n_cols()
        ));
    }
    for (column, column_profile) in frame.columns().iter().zip(&profile.columns) {
        if column.name() != column_profile.name
            || column.column_type() != column_profile.column_type
        {
            return mismatch(format!(
                "column \"{}\" ({}) in the profile, \"{}\" ({}) in the data",
                column_profile.name,
                column_profile.column_type.label(),
                column.name(),
                column.column_type().label()
            ));
        }
    }
    Ok(())
}

fn insight(
    severity: Severity,
    kind: InsightKind,
    column: &str,
    message: String,
    suggestion: &str,
) -> Insight {
    Insight {
        severity,
        kind,
        column: Some(column.to_string()),
        message,
        suggestion: suggestion.to_string(),
    }
}

fn is_numeric(column_type: ColumnType) -> bool {
    matches!(column_type, ColumnType::Integer | ColumnType::Float)
}

fn check_column(
    column: &Column,
    profile: &ColumnProfile,
    rows: u64,
    is_target: bool,
    found: &mut Vec<Insight>,
) {
    let name = profile.name.as_str();
    if rows == 0 {
        return;
    }
    if !is_target && profile.missing > 0 {
        let fraction = profile.missing as f64 / rows as f64;
        let severity = if fraction >= MISSING_HIGH {
            Severity::High
        } else if fraction >= MISSING_MEDIUM {
            Severity::Medium
        } else {
            Severity::Low
        };
        let suggestion = if profile.count == 0 {
            "drop the column: it has no values"
        } else if fraction >= MISSING_HIGH {
            "drop the column, or keep it with a missing-value indicator if the gaps themselves mean something"
        } else {
            match profile.column_type {
                ColumnType::Integer | ColumnType::Float => {
                    "fill the gaps with the median (and add a missing-value indicator if they may mean something), or drop those rows if they are few"
                }
                ColumnType::Date | ColumnType::Datetime => {
                    "fill the gaps from neighbouring rows (forward fill) or drop those rows"
                }
                _ => "fill the gaps with the most frequent value or a separate \"missing\" category",
            }
        };
        found.push(insight(
            severity,
            InsightKind::MissingValues,
            name,
            format!(
                "column \"{name}\" is missing {} of {} values ({})",
                thousands(profile.missing),
                thousands(rows),
                percent(fraction)
            ),
            suggestion,
        ));
    }
    if profile.count == 0 || is_target {
        // The target's spread is judged by the target checks.
        return;
    }

    let top = profile.top_values.first();
    if profile.distinct == 1 && !profile.distinct_is_approximate {
        let value = top.map_or_else(String::new, |top| {
            format!(" {}", quoted(profile, &top.value))
        });
        found.push(insight(
            Severity::Medium,
            InsightKind::ConstantColumn,
            name,
            format!(
                "column \"{name}\" holds the single value{value} in every row that has a value"
            ),
            "drop the column: a single value cannot help a model",
        ));
        return;
    }
    if let Some(top) = top {
        let fraction = profile.top_fraction();
        if fraction >= NEAR_CONSTANT {
            found.push(insight(
                Severity::Low,
                InsightKind::NearConstant,
                name,
                format!(
                    "column \"{name}\" holds {} in {} of its values ({} of {})",
                    quoted(profile, &top.value),
                    percent(fraction),
                    thousands(top.count),
                    thousands(profile.count)
                ),
                "drop the column unless its rare values matter (they may be errors, or the rare events you want to predict)",
            ));
        }
    }

    let unique_per_row = profile.missing == 0
        && rows >= ID_MIN_ROWS
        && profile.distinct as f64 >= 0.95 * profile.count as f64
        && (if profile.distinct_is_approximate {
            all_distinct(&Cells::new(column))
        } else {
            profile.distinct == profile.count
        });
    let mean_length = profile
        .text_lengths
        .as_ref()
        .map_or(0.0, |lengths| lengths.mean);
    let mut id_like = false;
    match profile.column_type {
        ColumnType::Integer if unique_per_row => {
            if let (Some(min), Some(max)) = (profile.min, profile.max) {
                // A dense range of distinct integers is a row number or an issued id.
                if max - min + 1.0 <= 2.0 * profile.count as f64 {
                    id_like = true;
                    found.push(insight(
                        Severity::Medium,
                        InsightKind::IdLike,
                        name,
                        format!(
                            "column \"{name}\" looks like an identifier: a different integer in each of the {} rows, from {} to {}",
                            thousands(rows),
                            profile.min_text.as_deref().unwrap_or("?"),
                            profile.max_text.as_deref().unwrap_or("?")
                        ),
                        "leave it out of the features (keep it to join or look up rows): a model would learn row numbers, not patterns",
                    ));
                }
            }
        }
        ColumnType::String | ColumnType::Categorical
            if unique_per_row && mean_length < TEXT_MEAN_LENGTH =>
        {
            id_like = true;
            found.push(insight(
                Severity::Medium,
                InsightKind::IdLike,
                name,
                format!(
                    "column \"{name}\" looks like an identifier: a different value in each of the {} rows",
                    thousands(rows)
                ),
                "leave it out of the features (keep it to join or look up rows): a model would memorize rows by it",
            ));
        }
        _ => {}
    }
    if !id_like
        && matches!(
            profile.column_type,
            ColumnType::String | ColumnType::Categorical
        )
        && profile.distinct > HIGH_CARDINALITY
    {
        let approximately = if profile.distinct_is_approximate {
            "about "
        } else {
            ""
        };
        let (severity, suggestion) = if mean_length >= TEXT_MEAN_LENGTH {
            (
                Severity::Low,
                "a build reads it as free text (TF-IDF with naive Bayes and logistic regression candidates), not as a category",
            )
        } else if profile.distinct as f64 > 0.5 * profile.count as f64 {
            (
                Severity::Medium,
                "group rare levels into \"other\", or use a frequency or target encoding instead of one-hot columns",
            )
        } else {
            (
                Severity::Low,
                "group rare levels into \"other\", or use a frequency or target encoding instead of one-hot columns",
            )
        };
        found.push(insight(
            severity,
            InsightKind::HighCardinality,
            name,
            format!(
                "column \"{name}\" has {approximately}{} distinct values in {} rows",
                thousands(profile.distinct),
                thousands(profile.count)
            ),
            suggestion,
        ));
    }

    if is_numeric(profile.column_type) && profile.distinct > 2 {
        if let Some(outliers) = outliers(&Cells::new(column)) {
            if outliers.count > 0 {
                let fraction = outliers.count as f64 / profile.count as f64;
                found.push(insight(
                    if fraction >= 0.05 {
                        Severity::Medium
                    } else {
                        Severity::Low
                    },
                    InsightKind::Outliers,
                    name,
                    format!(
                        "column \"{name}\" has {} ({} of its values) far from its median {} (robust z-score above {OUTLIER_Z})",
                        plural(outliers.count, "outlier"),
                        percent(fraction),
                        short(outliers.median)
                    ),
                    "check whether they are errors; clip them to a percentile range (e.g. 1st to 99th), or use a robust scaler or a tree model",
                ));
            }
        }
    }

    if is_numeric(profile.column_type) && profile.distinct > DISCRETE_MAX_DISTINCT {
        if let Some(skewness) = profile
            .numeric
            .as_ref()
            .and_then(|numeric| numeric.skewness)
        {
            if skewness.abs() > SKEWED {
                let non_negative = profile.min.is_some_and(|min| min >= 0.0);
                let suggestion = if skewness > 0.0 && non_negative {
                    "apply log1p to make it more symmetric (this helps linear models; tree models do not mind)"
                } else {
                    "apply a power transform (Yeo-Johnson) to make it more symmetric (this helps linear models; tree models do not mind)"
                };
                found.push(insight(
                    if skewness.abs() > VERY_SKEWED {
                        Severity::Medium
                    } else {
                        Severity::Low
                    },
                    InsightKind::Skewed,
                    name,
                    format!(
                        "column \"{name}\" is {}-skewed (skewness {:.2})",
                        if skewness > 0.0 { "right" } else { "left" },
                        skewness
                    ),
                    suggestion,
                ));
            }
        }
    }
}

struct Outliers {
    count: u64,
    median: f64,
}

/// Values whose modified z-score 0.6745 (x - median) / MAD exceeds 3.5 (Iglewicz and
/// Hoaglin). `None` when more than half the values are equal (MAD = 0): in a zero-inflated
/// column every nonzero value would be an "outlier", which helps nobody.
fn outliers(cells: &Cells<'_>) -> Option<Outliers> {
    let mut values: Vec<f64> = (0..cells.len())
        .filter_map(|row| cells.number(row))
        .filter(|x| x.is_finite())
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let median = quantile_sorted(&values, 0.5);
    let mut deviations: Vec<f64> = values.iter().map(|x| (x - median).abs()).collect();
    deviations.sort_unstable_by(f64::total_cmp);
    let mad = quantile_sorted(&deviations, 0.5);
    if mad <= 0.0 || !mad.is_finite() {
        return None;
    }
    let scale = mad / 0.6745;
    let count = (0..cells.len())
        .filter_map(|row| cells.number(row))
        .filter(|x| ((x - median) / scale).abs() > OUTLIER_Z)
        .count() as u64;
    Some(Outliers { count, median })
}

fn check_target(
    frame: &Frame,
    index: usize,
    profile: &ColumnProfile,
    seed: u64,
    found: &mut Vec<Insight>,
) -> TargetSummary {
    let name = profile.name.as_str();
    let rows = frame.n_rows() as u64;
    if profile.missing > 0 {
        found.push(insight(
            Severity::High,
            InsightKind::MissingTarget,
            name,
            format!(
                "{} of {} rows ({}) have no value in the target \"{name}\"",
                thousands(profile.missing),
                thousands(rows),
                percent(profile.missing as f64 / rows as f64)
            ),
            "drop these rows before training: a model cannot learn from rows without a target",
        ));
    }
    let numeric_like = matches!(
        profile.column_type,
        ColumnType::Integer | ColumnType::Float | ColumnType::Date | ColumnType::Datetime
    );
    let problem_type = if numeric_like && profile.distinct > MAX_NUMERIC_CLASSES {
        ProblemType::Regression
    } else if profile.distinct <= 2 {
        ProblemType::BinaryClassification
    } else {
        ProblemType::MulticlassClassification
    };
    let column = &frame.columns()[index];
    let class_counts = if problem_type == ProblemType::Regression {
        Vec::new()
    } else {
        class_counts(column)
    };
    if problem_type != ProblemType::Regression {
        check_balance(name, &class_counts, found);
    }
    let feature_power = feature_power(frame, index, problem_type, seed);
    let power_metric = if problem_type == ProblemType::Regression {
        PowerMetric::R2
    } else {
        PowerMetric::BalancedAccuracy
    };
    for feature in &feature_power {
        if feature.power >= LEAKAGE_POWER {
            let metric = match power_metric {
                PowerMetric::BalancedAccuracy => "balanced accuracy",
                PowerMetric::R2 => "R²",
            };
            found.push(insight(
                Severity::High,
                InsightKind::TargetLeakage,
                &feature.column,
                format!(
                    "column \"{}\" alone predicts the target \"{name}\" almost perfectly ({metric} {:.3} on held-out rows)",
                    feature.column, feature.power
                ),
                "check that it is known when a prediction is made; if it is derived from the target or recorded after it, drop it",
            ));
        }
    }
    TargetSummary {
        column: name.to_string(),
        problem_type,
        missing: profile.missing,
        n_classes: if problem_type == ProblemType::Regression {
            0
        } else {
            profile.distinct
        },
        class_counts: class_counts.into_iter().take(MAX_LISTED_CLASSES).collect(),
        power_metric,
        feature_power,
        quick_model: None,
        quick_model_error: None,
    }
}

/// Every class and its count, most frequent first (ties: first seen first).
fn class_counts(column: &Column) -> Vec<TopValue> {
    let cells = Cells::new(column);
    let (codes, n_codes) = codes(&cells);
    let missing = n_codes - 1;
    let mut counts = vec![(0u64, usize::MAX); missing as usize];
    for (row, &code) in codes.iter().enumerate() {
        if code != missing {
            let slot = &mut counts[code as usize];
            slot.0 += 1;
            slot.1 = slot.1.min(row);
        }
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    counts
        .into_iter()
        .map(|(count, row)| TopValue {
            value: column
                .display_value(row)
                .expect("a counted class is present"),
            count,
        })
        .collect()
}

fn check_balance(name: &str, classes: &[TopValue], found: &mut Vec<Insight>) {
    match classes {
        [] => {}
        [only] => found.push(insight(
            Severity::High,
            InsightKind::ClassImbalance,
            name,
            format!(
                "the target \"{name}\" has a single class, \"{}\": there is nothing to learn",
                only.value
            ),
            "choose another target, or add rows of the other classes",
        )),
        [majority, .., minority] => {
            let ratio = minority.count as f64 / majority.count as f64;
            let severity = if ratio < IMBALANCE_HIGH {
                Severity::High
            } else if ratio < IMBALANCE_MEDIUM {
                Severity::Medium
            } else {
                return;
            };
            found.push(insight(
                severity,
                InsightKind::ClassImbalance,
                name,
                format!(
                    "the target \"{name}\" is imbalanced: its rarest class \"{}\" has {} rows, its most frequent \"{}\" {} (ratio {:.2})",
                    minority.value,
                    thousands(minority.count),
                    majority.value,
                    thousands(majority.count),
                    ratio
                ),
                "split with stratification and judge models by balanced accuracy, F1 or ROC AUC rather than accuracy; consider class weights or resampling",
            ));
        }
    }
}

/// A value as the message shows it: quoted text, bare numbers.
fn quoted(profile: &ColumnProfile, value: &str) -> String {
    match profile.column_type {
        ColumnType::String | ColumnType::Categorical => format!("\"{value}\""),
        _ => value.to_string(),
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `1 outlier`, `2 outliers`.
fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(n))
    }
}

/// A fraction as a percentage with one decimal, never rounding a nonzero share to 0.0%
/// or a partial one to 100.0%.
fn percent(fraction: f64) -> String {
    let value = fraction * 100.0;
    if value > 0.0 && value < 0.05 {
        "<0.1%".to_string()
    } else if (99.95..100.0).contains(&value) {
        ">99.9%".to_string()
    } else {
        format!("{value:.1}%")
    }
}

/// A number with at most four significant decimals, without trailing zeros.
fn short(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(plural(1, "outlier"), "1 outlier");
        assert_eq!(plural(1200, "outlier"), "1,200 outliers");
        assert_eq!(percent(0.0058), "0.6%");
        assert_eq!(percent(0.00001), "<0.1%");
        assert_eq!(percent(0.99999), ">99.9%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(short(4.0), "4");
        assert_eq!(short(0.12345), "0.1235");
        assert_eq!(short(-0.00001), "0");
    }
}

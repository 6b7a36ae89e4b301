//! Per-feature prediction power: how well one feature alone predicts the target, the
//! measure behind the target leakage check.
//!
//! Each feature becomes a handful of groups: its values (booleans, strings, categories) or
//! quantile bins of the training rows (numbers, dates: ten, or about sqrt(n) for more than
//! 100 training rows); missing values form a group of their own. The predictor is the target's mean (regression) or majority class
//! (classification) within the group, learned on a deterministic 80% of the rows with a
//! target and scored on the other 20%; a group never seen in training predicts the overall
//! mean or majority. Because the score is balanced accuracy, "majority" is taken relative
//! to each class's overall share: with a 95/5 target, a group where the rare class is three
//! times as common as usual predicts it, although it is still outnumbered there. It is a one-feature lookup table: a feature with power near 1 tells
//! the target away, which a real feature rarely does.

use std::collections::{BTreeMap, HashMap};

use super::cells::{codes, Cells};
use super::kernels::{quantile_sorted, SplitMix64};
use super::{FeaturePower, ProblemType};
use crate::frame::Frame;
use crate::schema::ColumnType;

/// Below this many rows with a target, a 20% hold-out says nothing; no power is reported.
pub(crate) const MIN_ROWS: usize = 20;
/// Numeric features are cut into about sqrt(training rows) quantile bins, within these
/// bounds: ten bins cap the R² of a perfect copy of a normal target near 0.96, below any
/// sensible leakage threshold, while sqrt(n) bins shrink that ceiling as evidence grows
/// and keep enough rows per bin that a useless feature scores near zero.
const MIN_BINS: usize = 10;
const MAX_BINS: usize = 100;

enum Target {
    Classes(Vec<u32>),
    Values(Vec<f64>),
}

/// Every feature's power for `target_index`, strongest first (ties in column order).
pub(crate) fn feature_power(
    frame: &Frame,
    target_index: usize,
    problem_type: ProblemType,
    seed: u64,
) -> Vec<FeaturePower> {
    let target_cells = Cells::new(&frame.columns()[target_index]);
    let mut rows: Vec<usize> = (0..frame.n_rows())
        .filter(|&row| !target_cells.is_missing(row))
        .collect();
    if rows.len() < MIN_ROWS {
        return Vec::new();
    }
    let mut rng = SplitMix64::new(seed);
    for i in (1..rows.len()).rev() {
        rows.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let (test, train) = rows.split_at(rows.len() / 5);
    let target = match problem_type {
        ProblemType::Regression => Target::Values(
            (0..frame.n_rows())
                .map(|row| target_cells.number(row).unwrap_or(f64::NAN))
                .collect(),
        ),
        _ => Target::Classes(codes(&target_cells).0),
    };
    let mut powers: Vec<FeaturePower> = frame
        .columns()
        .iter()
        .enumerate()
        .filter(|&(index, _)| index != target_index)
        .filter_map(|(_, column)| {
            let groups = groups(&Cells::new(column), column.column_type(), train);
            let power = match &target {
                Target::Classes(classes) => balanced_accuracy(&groups, classes, train, test),
                Target::Values(values) => r2(&groups, values, train, test),
            }?;
            Some(FeaturePower {
                column: column.name().to_string(),
                power,
            })
        })
        .collect();
    powers.sort_by(|a, b| b.power.total_cmp(&a.power));
    powers
}

/// Each row's group: its quantile bin (numbers, dates) or value code, missing apart.
fn groups(cells: &Cells<'_>, column_type: ColumnType, train: &[usize]) -> Vec<u32> {
    match column_type {
        ColumnType::Integer | ColumnType::Float | ColumnType::Date | ColumnType::Datetime => {
            let mut seen: Vec<f64> = train.iter().filter_map(|&row| cells.number(row)).collect();
            seen.sort_unstable_by(f64::total_cmp);
            let bins = ((train.len() as f64).sqrt() as usize).clamp(MIN_BINS, MAX_BINS);
            let mut edges: Vec<f64> = if seen.is_empty() {
                Vec::new()
            } else {
                (1..bins)
                    .map(|i| quantile_sorted(&seen, i as f64 / bins as f64))
                    .collect()
            };
            edges.dedup();
            let missing = edges.len() as u32 + 1;
            (0..cells.len())
                .map(|row| match cells.number(row) {
                    Some(x) => edges.partition_point(|&edge| edge < x) as u32,
                    None => missing,
                })
                .collect()
        }
        ColumnType::Boolean | ColumnType::String | ColumnType::Categorical => codes(cells).0,
    }
}

fn balanced_accuracy(
    groups: &[u32],
    classes: &[u32],
    train: &[usize],
    test: &[usize],
) -> Option<f64> {
    let mut class_totals: HashMap<u32, u64> = HashMap::new();
    for &row in train {
        *class_totals.entry(classes[row]).or_default() += 1;
    }
    let mut pairs: Vec<(u32, u32)> = train
        .iter()
        .map(|&row| (groups[row], classes[row]))
        .collect();
    pairs.sort_unstable();
    // Per group, the class most over-represented relative to its share of all training
    // rows: the prediction balanced accuracy rewards (with balanced classes, the plain
    // majority). Ties go to the smaller class code.
    let mut prediction: HashMap<u32, u32> = HashMap::new();
    let mut start = 0;
    while start < pairs.len() {
        let group = pairs[start].0;
        let mut best: Option<(u64, u64, u32)> = None;
        let mut i = start;
        while i < pairs.len() && pairs[i].0 == group {
            let class = pairs[i].1;
            let run = pairs[i..]
                .iter()
                .take_while(|pair| **pair == (group, class))
                .count() as u64;
            let total = class_totals[&class];
            // run / total > best_run / best_total, without rounding.
            let better = best.is_none_or(|(best_run, best_total, _)| {
                u128::from(run) * u128::from(best_total) > u128::from(best_run) * u128::from(total)
            });
            if better {
                best = Some((run, total, class));
            }
            i += run as usize;
        }
        if let Some((_, _, class)) = best {
            prediction.insert(group, class);
        }
        start = i;
    }
    let fallback = class_totals
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(&class, _)| class)?;
    // Ordered by class, so the recalls are summed in the same order in every process (a
    // HashMap's order differs per process and changes the last bit of the sum).
    let mut per_class: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
    for &row in test {
        let predicted = prediction.get(&groups[row]).copied().unwrap_or(fallback);
        let entry = per_class.entry(classes[row]).or_default();
        entry.0 += 1;
        entry.1 += u64::from(predicted == classes[row]);
    }
    if per_class.is_empty() {
        return None;
    }
    let recall_sum: f64 = per_class
        .values()
        .map(|&(total, correct)| correct as f64 / total as f64)
        .sum();
    Some(recall_sum / per_class.len() as f64)
}

fn r2(groups: &[u32], values: &[f64], train: &[usize], test: &[usize]) -> Option<f64> {
    let mut sums: HashMap<u32, (f64, u64)> = HashMap::new();
    let (mut total, mut count) = (0.0, 0u64);
    for &row in train {
        let entry = sums.entry(groups[row]).or_default();
        entry.0 += values[row];
        entry.1 += 1;
        total += values[row];
        count += 1;
    }
    if count == 0 || test.is_empty() {
        return None;
    }
    let fallback = total / count as f64;
    let test_mean = test.iter().map(|&row| values[row]).sum::<f64>() / test.len() as f64;
    let (mut sse, mut sst) = (0.0, 0.0);
    for &row in test {
        let predicted = sums
            .get(&groups[row])
            .map_or(fallback, |&(sum, n)| sum / n as f64);
        sse += (values[row] - predicted).powi(2);
        sst += (values[row] - test_mean).powi(2);
    }
    let r2 = 1.0 - sse / sst;
    (sst > 0.0 && r2.is_finite()).then_some(r2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_useless_groups() {
        let train: Vec<usize> = (0..80).collect();
        let test: Vec<usize> = (80..100).collect();
        let classes: Vec<u32> = (0..100).map(|row| (row % 2) as u32).collect();
        let same = classes.clone();
        assert_eq!(balanced_accuracy(&same, &classes, &train, &test), Some(1.0));
        let constant = vec![0u32; 100];
        assert_eq!(
            balanced_accuracy(&constant, &classes, &train, &test),
            Some(0.5)
        );
        let values: Vec<f64> = (0..100).map(|row| (row % 2) as f64 * 10.0).collect();
        assert_eq!(r2(&same, &values, &train, &test), Some(1.0));
        let r2_constant = r2(&constant, &values, &train, &test).unwrap();
        assert!(r2_constant.abs() < 1e-12, "{r2_constant}");
    }
}

//! Up to 255 bins per feature plus a missing bin, as `u8` column by column, like scikit-learn's `_BinMapper`.
//!
//! Numeric features get quantile thresholds (midpoints between distinct values when there
//! are few, else `numpy.percentile(…, method="midpoint")` on at most 200,000 sampled rows);
//! categorical features get one bin per category seen at fit time, the rarest merged into
//! one bin when there are more than `max_bins`. Bin `n_bins(f)` of feature `f` holds its
//! missing values (and categories not seen at fit time).

use serde::{Deserialize, Serialize};

use super::matrix::DesignMatrix;
use super::rng::SplitMix64;

/// Rows sampled to find the quantile thresholds (scikit-learn's `subsample`).
pub const THRESHOLD_SUBSAMPLE: usize = 200_000;

/// How one feature's values map to bins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureBins {
    /// Bin `b` holds the values `x` with `thresholds[b - 1] < x <= thresholds[b]`.
    Numeric { thresholds: Vec<f64> },
    /// `bin_of_code[code]`; codes without a bin (not seen at fit time) are missing.
    Categorical {
        bin_of_code: Vec<Option<u8>>,
        n_bins: usize,
    },
}

impl FeatureBins {
    /// Bins for non-missing values; the missing bin is this number.
    pub fn n_bins(&self) -> usize {
        match self {
            FeatureBins::Numeric { thresholds } => thresholds.len() + 1,
            FeatureBins::Categorical { n_bins, .. } => *n_bins,
        }
    }

    pub fn is_categorical(&self) -> bool {
        matches!(self, FeatureBins::Categorical { .. })
    }

    /// The bin of one value.
    pub fn bin(&self, value: f64) -> u8 {
        let missing = self.n_bins() as u8;
        if value.is_nan() {
            return missing;
        }
        match self {
            FeatureBins::Numeric { thresholds } => {
                thresholds.partition_point(|&threshold| threshold < value) as u8
            }
            FeatureBins::Categorical { bin_of_code, .. } => {
                if value >= 0.0 && value.fract() == 0.0 {
                    bin_of_code
                        .get(value as usize)
                        .copied()
                        .flatten()
                        .unwrap_or(missing)
                } else {
                    missing
                }
            }
        }
    }
}

/// The fitted bins of every feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BinMapper {
    pub features: Vec<FeatureBins>,
}

/// A matrix of bins, column by column.
#[derive(Clone, Debug)]
pub struct BinnedMatrix {
    n_rows: usize,
    columns: Vec<Vec<u8>>,
    n_bins: Vec<usize>,
    categorical: Vec<bool>,
}

impl BinnedMatrix {
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    pub fn n_features(&self) -> usize {
        self.columns.len()
    }

    pub fn column(&self, feature: usize) -> &[u8] {
        &self.columns[feature]
    }

    /// Bins for non-missing values of `feature`; its missing bin is this number.
    pub fn n_bins(&self, feature: usize) -> usize {
        self.n_bins[feature]
    }

    pub fn is_categorical(&self, feature: usize) -> bool {
        self.categorical[feature]
    }
}

impl BinMapper {
    /// Learns the bins of `x`. With `native_categorical` false, categorical features are
    /// binned like numbers (their codes' order), as trees given ordinal codes see them.
    pub fn fit(
        x: &DesignMatrix,
        max_bins: usize,
        native_categorical: bool,
        seed: u64,
    ) -> BinMapper {
        let max_bins = max_bins.clamp(2, 255);
        let sample: Option<Vec<usize>> = (x.n_rows() > THRESHOLD_SUBSAMPLE).then(|| {
            let mut rng = SplitMix64::new(seed);
            let mut rows: Vec<usize> = (0..x.n_rows()).collect();
            // A partial Fisher-Yates shuffle: the first THRESHOLD_SUBSAMPLE rows are a
            // uniform sample without replacement.
            for i in 0..THRESHOLD_SUBSAMPLE {
                let j = i + rng.below((rows.len() - i) as u64) as usize;
                rows.swap(i, j);
            }
            rows.truncate(THRESHOLD_SUBSAMPLE);
            rows.sort_unstable();
            rows
        });
        let features = (0..x.n_features())
            .map(|feature| {
                let column = x.column(feature);
                match x.n_categories(feature) {
                    Some(n_categories) if native_categorical => {
                        categorical_bins(column, n_categories, max_bins)
                    }
                    _ => {
                        let mut values: Vec<f64> = match &sample {
                            Some(rows) => rows.iter().map(|&row| column[row]).collect(),
                            None => column.to_vec(),
                        };
                        values.retain(|value| !value.is_nan());
                        FeatureBins::Numeric {
                            thresholds: numeric_thresholds(values, max_bins),
                        }
                    }
                }
            })
            .collect();
        BinMapper { features }
    }

    /// The bins of `x` (which must have this mapper's features).
    pub fn transform(&self, x: &DesignMatrix) -> BinnedMatrix {
        let columns = self
            .features
            .iter()
            .enumerate()
            .map(|(feature, bins)| {
                x.column(feature)
                    .iter()
                    .map(|&value| bins.bin(value))
                    .collect()
            })
            .collect();
        BinnedMatrix {
            n_rows: x.n_rows(),
            columns,
            n_bins: self.features.iter().map(FeatureBins::n_bins).collect(),
            categorical: self
                .features
                .iter()
                .map(FeatureBins::is_categorical)
                .collect(),
        }
    }
}

/// scikit-learn's `_find_binning_thresholds`: midpoints between distinct values when at most
/// `max_bins` of them, else the midpoint percentiles at `linspace(0, 100, max_bins + 1)[1:-1]`
/// without duplicates.
fn numeric_thresholds(mut values: Vec<f64>, max_bins: usize) -> Vec<f64> {
    values.sort_unstable_by(f64::total_cmp);
    let mut distinct = values.clone();
    distinct.dedup();
    if distinct.len() <= max_bins {
        return distinct
            .windows(2)
            .map(|pair| (pair[0] + pair[1]) * 0.5)
            .collect();
    }
    let last = (values.len() - 1) as f64;
    let mut thresholds: Vec<f64> = (1..max_bins)
        .map(|i| {
            let position = i as f64 * 100.0 / max_bins as f64 / 100.0 * last;
            let (low, high) = (position.floor() as usize, position.ceil() as usize);
            (values[low] + values[high]) * 0.5
        })
        .collect();
    thresholds.dedup();
    thresholds
}

/// One bin per category seen, in code order; when more than `max_bins` categories were
/// seen, the `max_bins - 1` most frequent keep their own bin and the rest share the last.
fn categorical_bins(column: &[f64], n_categories: usize, max_bins: usize) -> FeatureBins {
    let mut counts = vec![0usize; n_categories];
    for &value in column {
        if value >= 0.0 && (value as usize) < n_categories {
            counts[value as usize] += 1;
        }
    }
    let seen: Vec<usize> = (0..n_categories).filter(|&code| counts[code] > 0).collect();
    let mut bin_of_code = vec![None; n_categories];
    if seen.len() <= max_bins {
        for (bin, &code) in seen.iter().enumerate() {
            bin_of_code[code] = Some(bin as u8);
        }
        return FeatureBins::Categorical {
            bin_of_code,
            n_bins: seen.len().max(1),
        };
    }
    let mut by_count = seen.clone();
    by_count.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    let mut kept: Vec<usize> = by_count[..max_bins - 1].to_vec();
    kept.sort_unstable();
    for &code in &seen {
        bin_of_code[code] = Some((max_bins - 1) as u8);
    }
    for (bin, &code) in kept.iter().enumerate() {
        bin_of_code[code] = Some(bin as u8);
    }
    FeatureBins::Categorical {
        bin_of_code,
        n_bins: max_bins,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_midpoints() {
        assert_eq!(
            numeric_thresholds(vec![3.0, 1.0, 2.0, 2.0, 1.0], 255),
            vec![1.5, 2.5]
        );
        let bins = FeatureBins::Numeric {
            thresholds: vec![1.5, 2.5],
        };
        assert_eq!(
            [1.0, 1.5, 2.0, 3.0, f64::INFINITY, f64::NAN].map(|v| bins.bin(v)),
            [0, 0, 1, 2, 2, 3]
        );
    }

    #[test]
    fn many_distinct_values_get_percentiles() {
        // numpy.percentile(np.arange(1000.0), np.linspace(0, 100, 5)[1:-1], method="midpoint")
        // -> [249.5, 499.5, 749.5]
        let values: Vec<f64> = (0..1000).map(f64::from).collect();
        assert_eq!(numeric_thresholds(values, 4), vec![249.5, 499.5, 749.5]);
    }

    #[test]
    fn rare_categories_share_a_bin() {
        let column = [0.0, 0.0, 0.0, 1.0, 1.0, 2.0, 3.0, f64::NAN];
        match categorical_bins(&column, 5, 3) {
            FeatureBins::Categorical {
                bin_of_code,
                n_bins,
            } => {
                assert_eq!(n_bins, 3);
                assert_eq!(bin_of_code, vec![Some(0), Some(1), Some(2), Some(2), None]);
            }
            other => panic!("{other:?}"),
        }
    }
}

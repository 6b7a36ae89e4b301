//! Preprocessing for linear, distance and naive Bayes models, fitted and stored with the model: median imputation and standardization of numbers, one-hot categories.
//!
//! What a scikit-learn user puts in front of these models:
//! `ColumnTransformer([(SimpleImputer("median"), StandardScaler()), (SimpleImputer("most_frequent"),
//! OneHotEncoder(handle_unknown="ignore"))])`. The encoded matrix never materializes the
//! one-hot columns: each row keeps its standardized numbers (row-major) and one category
//! code per categorical feature, so a row has `n_numeric + n_categorical` non-zeros however
//! many categories there are, and the kernels below (dot products, Gram matrices,
//! distances) cost that much per row.

use serde::{Deserialize, Serialize};

use super::matrix::{DesignMatrix, FeatureKind, FeatureSpec};
use super::{MissingCategory, MlError, PreprocessParams};

/// A category code meaning "none of the one-hot columns is 1".
pub const NO_CATEGORY: u32 = u32::MAX;

/// One numeric input feature: impute, then `(x - mean) / scale`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericColumn {
    /// Index of the feature in the design matrix.
    pub feature: usize,
    pub median: f64,
    pub mean: f64,
    /// The population standard deviation, 1 when it is 0 (like `StandardScaler`).
    pub scale: f64,
}

/// One categorical input feature, one-hot encoded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoricalColumn {
    pub feature: usize,
    pub n_categories: usize,
    /// The code a missing value takes ([`NO_CATEGORY`]: all zeros).
    pub fill_code: u32,
}

/// The fitted preprocessing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preprocessor {
    pub n_input_features: usize,
    pub numeric: Vec<NumericColumn>,
    pub categorical: Vec<CategoricalColumn>,
}

/// A preprocessed matrix: `n_columns = n_numeric + Σ n_categories` columns, the numeric
/// ones first, then each categorical feature's one-hot block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Encoded {
    pub n_rows: usize,
    pub n_numeric: usize,
    /// Row-major `n_rows × n_numeric`, standardized.
    pub numeric: Vec<f64>,
    /// Row-major `n_rows × offsets.len()`, each a category code or [`NO_CATEGORY`].
    pub codes: Vec<u32>,
    /// Per categorical feature, the column of its code 0.
    pub offsets: Vec<usize>,
    pub n_columns: usize,
}

impl Preprocessor {
    pub fn fit(x: &DesignMatrix, params: &PreprocessParams) -> Result<Preprocessor, MlError> {
        if x.n_rows() == 0 {
            return Err(MlError::NoRows);
        }
        let mut numeric = Vec::new();
        let mut categorical = Vec::new();
        for feature in 0..x.n_features() {
            let column = x.column(feature);
            match x.n_categories(feature) {
                Some(n_categories) => {
                    let mut counts = vec![0usize; n_categories];
                    for &value in column {
                        if let Some(code) = code_of(value, n_categories) {
                            counts[code as usize] += 1;
                        }
                    }
                    let n_seen = counts.iter().filter(|&&count| count > 0).count();
                    if params.drop_constant && n_seen <= 1 {
                        continue;
                    }
                    // The first of the most frequent codes, like `SimpleImputer` (sorted).
                    let mode = counts
                        .iter()
                        .enumerate()
                        .fold(
                            (0, 0),
                            |best, (code, &count)| {
                                if count > best.1 {
                                    (code, count)
                                } else {
                                    best
                                }
                            },
                        );
                    let fill_code = match params.missing_category {
                        MissingCategory::MostFrequent if mode.1 > 0 => mode.0 as u32,
                        _ => NO_CATEGORY,
                    };
                    categorical.push(CategoricalColumn {
                        feature,
                        n_categories,
                        fill_code,
                    });
                }
                None => {
                    let mut present: Vec<f64> =
                        column.iter().copied().filter(|v| !v.is_nan()).collect();
                    let median = median(&mut present);
                    let n = column.len() as f64;
                    let imputed = || column.iter().map(|&v| if v.is_nan() { median } else { v });
                    let mean = imputed().sum::<f64>() / n;
                    let variance = imputed().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                    let constant = imputed().all(|v| v == mean);
                    if params.drop_constant && constant {
                        continue;
                    }
                    numeric.push(NumericColumn {
                        feature,
                        median,
                        mean,
                        scale: handle_zero_scale(variance.sqrt(), constant),
                    });
                }
            }
        }
        if numeric.is_empty() && categorical.is_empty() {
            return Err(MlError::NoFeatures);
        }
        Ok(Preprocessor {
            n_input_features: x.n_features(),
            numeric,
            categorical,
        })
    }

    /// Number of columns after one-hot encoding.
    pub fn n_columns(&self) -> usize {
        self.numeric.len()
            + self
                .categorical
                .iter()
                .map(|column| column.n_categories)
                .sum::<usize>()
    }

    /// The names of the encoded columns (`age`, `colour=red`), for coefficients.
    pub fn column_names(&self, spec: &FeatureSpec) -> Vec<String> {
        let mut names: Vec<String> = self
            .numeric
            .iter()
            .map(|column| spec.features[column.feature].name.clone())
            .collect();
        for column in &self.categorical {
            let feature = &spec.features[column.feature];
            for code in 0..column.n_categories {
                let label = match &feature.kind {
                    FeatureKind::Categorical { categories } => categories
                        .get(code)
                        .cloned()
                        .unwrap_or_else(|| code.to_string()),
                    _ => code.to_string(),
                };
                names.push(format!("{}={label}", feature.name));
            }
        }
        names
    }

    pub fn transform(&self, x: &DesignMatrix) -> Result<Encoded, MlError> {
        if x.n_features() != self.n_input_features {
            return Err(MlError::FeatureCountMismatch {
                expected: self.n_input_features,
                found: x.n_features(),
            });
        }
        let n_rows = x.n_rows();
        let n_numeric = self.numeric.len();
        let mut numeric = vec![0.0; n_rows * n_numeric];
        for (j, column) in self.numeric.iter().enumerate() {
            for (row, &value) in x.column(column.feature).iter().enumerate() {
                let value = if value.is_nan() { column.median } else { value };
                numeric[row * n_numeric + j] = (value - column.mean) / column.scale;
            }
        }
        let n_categorical = self.categorical.len();
        let mut codes = vec![NO_CATEGORY; n_rows * n_categorical];
        let mut offsets = Vec::with_capacity(n_categorical);
        let mut offset = n_numeric;
        for (j, column) in self.categorical.iter().enumerate() {
            offsets.push(offset);
            offset += column.n_categories;
            for (row, &value) in x.column(column.feature).iter().enumerate() {
                codes[row * n_categorical + j] =
                    code_of(value, column.n_categories).unwrap_or(column.fill_code);
            }
        }
        Ok(Encoded {
            n_rows,
            n_numeric,
            numeric,
            codes,
            offsets,
            n_columns: offset,
        })
    }
}

/// `StandardScaler`'s `_handle_zeros_in_scale`: a (near-)constant column keeps scale 1.
fn handle_zero_scale(scale: f64, constant: bool) -> f64 {
    if constant || scale < 10.0 * f64::EPSILON {
        1.0
    } else {
        scale
    }
}

fn code_of(value: f64, n_categories: usize) -> Option<u32> {
    (value >= 0.0 && value < n_categories as f64 && value.fract() == 0.0).then_some(value as u32)
}

/// `numpy.median` of the values (sorted in place); 0 when there are none (the column then
/// is constant).
fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

impl Encoded {
    pub fn n_categorical(&self) -> usize {
        self.offsets.len()
    }

    pub fn numeric_row(&self, row: usize) -> &[f64] {
        &self.numeric[row * self.n_numeric..(row + 1) * self.n_numeric]
    }

    pub fn code_row(&self, row: usize) -> &[u32] {
        let k = self.n_categorical();
        &self.codes[row * k..(row + 1) * k]
    }

    /// Calls `visit(column, value)` for every possibly non-zero entry of row `row`.
    #[inline]
    pub fn for_each_entry(&self, row: usize, mut visit: impl FnMut(usize, f64)) {
        for (column, &value) in self.numeric_row(row).iter().enumerate() {
            visit(column, value);
        }
        for (&code, &offset) in self.code_row(row).iter().zip(&self.offsets) {
            if code != NO_CATEGORY {
                visit(offset + code as usize, 1.0);
            }
        }
    }

    /// `x_row · w` over the `n_columns` weights `w`.
    #[inline]
    pub fn dot(&self, row: usize, w: &[f64]) -> f64 {
        let mut total = 0.0;
        for (x, w) in self.numeric_row(row).iter().zip(w) {
            total += x * w;
        }
        for (&code, &offset) in self.code_row(row).iter().zip(&self.offsets) {
            if code != NO_CATEGORY {
                total += w[offset + code as usize];
            }
        }
        total
    }

    /// Row `row` with every column written out, into `out` (`n_columns` long).
    pub fn dense_row(&self, row: usize, out: &mut [f64]) {
        out.fill(0.0);
        self.for_each_entry(row, |column, value| out[column] = value);
    }

    /// The mean of every column.
    pub fn column_means(&self, weights: Option<&[f64]>) -> Vec<f64> {
        let mut sums = vec![0.0; self.n_columns];
        let mut total_weight = 0.0;
        for row in 0..self.n_rows {
            let weight = weights.map_or(1.0, |weights| weights[row]);
            total_weight += weight;
            self.for_each_entry(row, |column, value| sums[column] += weight * value);
        }
        for sum in &mut sums {
            *sum /= total_weight;
        }
        sums
    }

    /// `XᵀX` (dense, `n_columns²`, symmetric) and `Xᵀy`, of the columns minus `center`
    /// when given (what fitting an intercept needs) without ever centering a row.
    pub fn gram(&self, y: &[f64], center: Option<(&[f64], f64)>) -> (Vec<f64>, Vec<f64>) {
        let p = self.n_columns;
        let mut gram = vec![0.0; p * p];
        let mut xty = vec![0.0; p];
        let mut entries: Vec<(usize, f64)> =
            Vec::with_capacity(self.n_numeric + self.n_categorical());
        for (row, &target) in y.iter().enumerate() {
            entries.clear();
            self.for_each_entry(row, |column, value| entries.push((column, value)));
            for (a, &(i, xi)) in entries.iter().enumerate() {
                xty[i] += xi * target;
                let gram_row = &mut gram[i * p..(i + 1) * p];
                for &(j, xj) in &entries[a..] {
                    gram_row[j] += xi * xj;
                }
            }
        }
        // Entries were added with i before j in the row's order, which is ascending in
        // column; so the upper triangle holds everything. Mirror it.
        for i in 0..p {
            for j in 0..i {
                gram[i * p + j] = gram[j * p + i];
            }
        }
        if let Some((means, y_mean)) = center {
            let n = self.n_rows as f64;
            for i in 0..p {
                xty[i] -= n * means[i] * y_mean;
                for j in 0..p {
                    gram[i * p + j] -= n * means[i] * means[j];
                }
            }
        }
        (gram, xty)
    }

    /// Squared Euclidean distance between row `a` of `self` and row `b` of `other` (same
    /// preprocessing), the one-hot columns counted without being written out.
    #[inline]
    pub fn squared_distance(&self, a: usize, other: &Encoded, b: usize) -> f64 {
        let mut total = 0.0;
        for (x, y) in self.numeric_row(a).iter().zip(other.numeric_row(b)) {
            let d = x - y;
            total += d * d;
        }
        for (&x, &y) in self.code_row(a).iter().zip(other.code_row(b)) {
            if x != y {
                total += f64::from(u8::from(x != NO_CATEGORY) + u8::from(y != NO_CATEGORY));
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix() -> DesignMatrix {
        DesignMatrix::new(
            4,
            vec![
                vec![1.0, f64::NAN, 3.0, 5.0],
                vec![0.0, 1.0, 1.0, f64::NAN],
                vec![7.0, 7.0, 7.0, 7.0],
            ],
            vec![None, Some(3), None],
        )
        .unwrap()
    }

    #[test]
    fn imputes_scales_and_one_hot_encodes() {
        let pre = Preprocessor::fit(&matrix(), &PreprocessParams::default()).unwrap();
        // The constant third feature is dropped.
        assert_eq!(pre.numeric.len(), 1);
        assert_eq!(pre.numeric[0].median, 3.0);
        assert_eq!(pre.n_columns(), 4);
        let encoded = pre.transform(&matrix()).unwrap();
        let values: Vec<f64> = (0..4).map(|row| encoded.numeric_row(row)[0]).collect();
        // Imputed [1, 3, 3, 5]: mean 3, population std sqrt(2).
        let s = 2f64.sqrt();
        assert_eq!(values, vec![-2.0 / s, 0.0, 0.0, 2.0 / s]);
        // Missing category → most frequent (1).
        assert_eq!(encoded.codes, vec![0, 1, 1, 1]);
        let mut dense = vec![0.0; 4];
        encoded.dense_row(0, &mut dense);
        assert_eq!(dense, vec![-2.0 / s, 1.0, 0.0, 0.0]);
        // (−√2 − 0)² from the number, 1 + 1 from the two different categories.
        assert!((encoded.squared_distance(0, &encoded, 1) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn all_zeros_for_missing_categories_when_asked() {
        let params = PreprocessParams {
            missing_category: MissingCategory::AllZeros,
            drop_constant: false,
        };
        let pre = Preprocessor::fit(&matrix(), &params).unwrap();
        assert_eq!(pre.numeric.len(), 2);
        assert_eq!(pre.numeric[1].scale, 1.0);
        let encoded = pre.transform(&matrix()).unwrap();
        assert_eq!(encoded.code_row(3), &[NO_CATEGORY]);
        // (√2 + √2)² from the number, 1 from the one row that has a category.
        assert!((encoded.squared_distance(3, &encoded, 0) - 9.0).abs() < 1e-12);
    }

    #[test]
    fn gram_matches_dense_products() {
        let pre = Preprocessor::fit(&matrix(), &PreprocessParams::default()).unwrap();
        let encoded = pre.transform(&matrix()).unwrap();
        let y = [1.0, 2.0, 0.5, -1.0];
        let means = encoded.column_means(None);
        let y_mean = y.iter().sum::<f64>() / 4.0;
        let (gram, xty) = encoded.gram(&y, Some((&means, y_mean)));
        let p = encoded.n_columns;
        let mut dense = vec![0.0; p];
        let (mut expected_gram, mut expected_xty) = (vec![0.0; p * p], vec![0.0; p]);
        for (row, &target) in y.iter().enumerate() {
            encoded.dense_row(row, &mut dense);
            for i in 0..p {
                expected_xty[i] += (dense[i] - means[i]) * (target - y_mean);
                for j in 0..p {
                    expected_gram[i * p + j] += (dense[i] - means[i]) * (dense[j] - means[j]);
                }
            }
        }
        for (a, b) in gram.iter().zip(&expected_gram) {
            assert!((a - b).abs() < 1e-12);
        }
        for (a, b) in xty.iter().zip(&expected_xty) {
            assert!((a - b).abs() < 1e-12);
        }
    }
}

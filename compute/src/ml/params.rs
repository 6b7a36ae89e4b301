//! Hyper-parameters with scikit-learn's names and defaults, checked before any fit.

use serde::{Deserialize, Serialize};

use super::MlError;

/// Whether gradient boosting holds out rows to stop when the validation loss stops falling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EarlyStopping {
    /// On when the training set has more than 10,000 rows (scikit-learn's `"auto"`).
    Auto,
    On,
    Off,
}

/// Per-class sample weights for classification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every row weighs 1.
    None,
    /// `n_samples / (n_classes * count(class))`, scikit-learn's `"balanced"`.
    Balanced,
}

/// How many features a forest's split considers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxFeatures {
    /// `max(1, floor(sqrt(n_features)))`.
    Sqrt,
    /// `max(1, floor(log2(n_features)))`.
    Log2,
    /// A fraction of the features in `(0, 1]`.
    Fraction(f64),
    /// A number of features (at least 1; more than there are means all).
    Count(usize),
}

impl MaxFeatures {
    /// The number of features to try among `n_features`.
    pub fn resolve(self, n_features: usize) -> usize {
        let n = n_features as f64;
        let count = match self {
            MaxFeatures::Sqrt => n.sqrt().floor() as usize,
            MaxFeatures::Log2 => n.log2().floor() as usize,
            MaxFeatures::Fraction(fraction) => (fraction * n).floor() as usize,
            MaxFeatures::Count(count) => count,
        };
        count.clamp(1, n_features.max(1))
    }
}

/// Histogram gradient boosting, like `HistGradientBoostingRegressor` / `…Classifier`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GbdtParams {
    pub learning_rate: f64,
    pub max_iter: usize,
    /// `None`: no limit (leaf-wise growth then stops only on depth and leaf size).
    pub max_leaf_nodes: Option<usize>,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    pub l2_regularization: f64,
    /// At most 255 bins for non-missing values (one more holds missing values).
    pub max_bins: usize,
    pub early_stopping: EarlyStopping,
    pub validation_fraction: f64,
    pub n_iter_no_change: usize,
    pub tol: f64,
    pub class_weight: ClassWeight,
    /// Split categorical and text features on sets of categories (scikit-learn's native
    /// categorical support) instead of on their codes' order.
    pub native_categorical: bool,
}

impl Default for GbdtParams {
    fn default() -> Self {
        GbdtParams {
            learning_rate: 0.1,
            max_iter: 100,
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 20,
            l2_regularization: 0.0,
            max_bins: 255,
            early_stopping: EarlyStopping::Auto,
            validation_fraction: 0.1,
            n_iter_no_change: 10,
            tol: 1e-7,
            class_weight: ClassWeight::None,
            native_categorical: true,
        }
    }
}

impl GbdtParams {
    /// Refuses parameters no fit could use, naming the parameter.
    pub fn check(&self) -> Result<(), MlError> {
        positive("learning_rate", self.learning_rate)?;
        at_least("max_iter", self.max_iter, 1)?;
        if let Some(max_leaf_nodes) = self.max_leaf_nodes {
            at_least("max_leaf_nodes", max_leaf_nodes, 2)?;
        }
        if let Some(max_depth) = self.max_depth {
            at_least("max_depth", max_depth, 1)?;
        }
        at_least("min_samples_leaf", self.min_samples_leaf, 1)?;
        if !(self.l2_regularization >= 0.0 && self.l2_regularization.is_finite()) {
            return Err(invalid("l2_regularization", "must be a number ≥ 0"));
        }
        max_bins(self.max_bins)?;
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err(invalid(
                "validation_fraction",
                "must be between 0 and 1 (exclusive)",
            ));
        }
        at_least("n_iter_no_change", self.n_iter_no_change, 1)?;
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(invalid("tol", "must be a number ≥ 0"));
        }
        Ok(())
    }
}

/// A random forest, like `RandomForestRegressor` / `…Classifier` (gini for classes, squared
/// error for numbers), its splits found on the same 255-bin histograms as boosting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForestParams {
    pub n_estimators: usize,
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    /// `None`: scikit-learn's default for the task (`Sqrt` for classes, all features for
    /// numbers).
    pub max_features: Option<MaxFeatures>,
    pub bootstrap: bool,
    pub class_weight: ClassWeight,
    pub max_bins: usize,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            n_estimators: 100,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
            bootstrap: true,
            class_weight: ClassWeight::None,
            max_bins: 255,
        }
    }
}

impl ForestParams {
    pub fn check(&self) -> Result<(), MlError> {
        at_least("n_estimators", self.n_estimators, 1)?;
        tree_checks(
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.max_features,
        )?;
        max_bins(self.max_bins)
    }
}

/// One decision tree, like `DecisionTreeRegressor` / `…Classifier`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TreeParams {
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    /// `None`: every feature at every split.
    pub max_features: Option<MaxFeatures>,
    pub class_weight: ClassWeight,
    pub max_bins: usize,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
            class_weight: ClassWeight::None,
            max_bins: 255,
        }
    }
}

impl TreeParams {
    pub fn check(&self) -> Result<(), MlError> {
        tree_checks(
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.max_features,
        )?;
        max_bins(self.max_bins)
    }
}

fn tree_checks(
    max_depth: Option<usize>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    max_features: Option<MaxFeatures>,
) -> Result<(), MlError> {
    if let Some(max_depth) = max_depth {
        at_least("max_depth", max_depth, 1)?;
    }
    at_least("min_samples_split", min_samples_split, 2)?;
    at_least("min_samples_leaf", min_samples_leaf, 1)?;
    match max_features {
        Some(MaxFeatures::Fraction(fraction)) if !(fraction > 0.0 && fraction <= 1.0) => {
            Err(invalid("max_features", "as a fraction must be in (0, 1]"))
        }
        Some(MaxFeatures::Count(0)) => Err(invalid("max_features", "must be at least 1")),
        _ => Ok(()),
    }
}

/// What a missing categorical value becomes. The design matrix cannot tell a missing value
/// from a category not seen at fit time (both are NaN), so this applies to both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingCategory {
    /// The most frequent training category (`SimpleImputer(strategy="most_frequent")`, what
    /// the reference scores in `datasets/README.md` used).
    MostFrequent,
    /// All one-hot columns 0 (`OneHotEncoder(handle_unknown="ignore")` without imputation).
    AllZeros,
}

/// How the preprocessing is fitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreprocessParams {
    pub missing_category: MissingCategory,
    /// Leave out numeric features with one value on the training rows and categorical
    /// features with at most one category (they carry nothing and make OLS singular).
    pub drop_constant: bool,
}

impl Default for PreprocessParams {
    fn default() -> Self {
        PreprocessParams {
            missing_category: MissingCategory::MostFrequent,
            drop_constant: true,
        }
    }
}

/// The linear regression family, with scikit-learn's objectives:
///
/// * `alpha == 0`: ordinary least squares (`LinearRegression`, minimum-norm solution);
/// * `l1_ratio == 0`: `Ridge(alpha)`, minimizing `‖y − Xw‖² + alpha·‖w‖²`;
/// * `l1_ratio > 0`: `ElasticNet(alpha, l1_ratio)` (`Lasso(alpha)` at `l1_ratio == 1`),
///   minimizing `1/(2n)·‖y − Xw‖² + alpha·l1_ratio·‖w‖₁ + alpha·(1 − l1_ratio)/2·‖w‖²` by
///   coordinate descent.
///
/// The two penalties scale differently, as in scikit-learn: Ridge's `alpha` is not divided
/// by the number of rows, so `ElasticNet(alpha=a, l1_ratio=0)` would be `Ridge(alpha=n·a)`.
/// `l1_ratio == 0` therefore always means Ridge's scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearParams {
    pub alpha: f64,
    pub l1_ratio: f64,
    pub fit_intercept: bool,
    /// Coordinate descent only: epochs over the coefficients (scikit-learn's 1000).
    pub max_iter: usize,
    /// Coordinate descent only: stop when the duality gap is below `tol · ‖y‖²` (1e-4).
    pub tol: f64,
    pub preprocess: PreprocessParams,
}

impl Default for LinearParams {
    /// `Ridge(alpha=1.0)`.
    fn default() -> Self {
        LinearParams::ridge(1.0)
    }
}

impl LinearParams {
    /// `LinearRegression()`.
    pub fn ols() -> LinearParams {
        LinearParams::elastic_net(0.0, 0.0)
    }

    /// `Ridge(alpha)`.
    pub fn ridge(alpha: f64) -> LinearParams {
        LinearParams::elastic_net(alpha, 0.0)
    }

    /// `Lasso(alpha)`.
    pub fn lasso(alpha: f64) -> LinearParams {
        LinearParams::elastic_net(alpha, 1.0)
    }

    /// `ElasticNet(alpha, l1_ratio)` (`l1_ratio` 0 means Ridge's scale, see the type).
    pub fn elastic_net(alpha: f64, l1_ratio: f64) -> LinearParams {
        LinearParams {
            alpha,
            l1_ratio,
            fit_intercept: true,
            max_iter: 1000,
            tol: 1e-4,
            preprocess: PreprocessParams::default(),
        }
    }

    pub fn check(&self) -> Result<(), MlError> {
        non_negative("alpha", self.alpha)?;
        if !(0.0..=1.0).contains(&self.l1_ratio) {
            return Err(invalid("l1_ratio", "must be between 0 and 1"));
        }
        at_least("max_iter", self.max_iter, 1)?;
        positive("tol", self.tol)
    }
}

/// L2-regularized logistic regression like `LogisticRegression(solver="lbfgs")`: binary,
/// or multinomial for three or more classes; minimizes
/// `Σ sᵢ·log_loss(i) / Σ sᵢ + ‖W‖² / (2·C·Σ sᵢ)` (the intercept is not penalized).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticParams {
    /// Inverse regularization strength (scikit-learn's `C`).
    pub c: f64,
    pub fit_intercept: bool,
    pub class_weight: ClassWeight,
    /// L-BFGS iterations (scikit-learn's 100).
    pub max_iter: usize,
    /// Stop when the largest gradient component is at most this (scikit-learn's 1e-4).
    pub tol: f64,
    pub preprocess: PreprocessParams,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            c: 1.0,
            fit_intercept: true,
            class_weight: ClassWeight::None,
            max_iter: 100,
            tol: 1e-4,
            preprocess: PreprocessParams::default(),
        }
    }
}

impl LogisticParams {
    pub fn check(&self) -> Result<(), MlError> {
        positive("C", self.c)?;
        at_least("max_iter", self.max_iter, 1)?;
        positive("tol", self.tol)
    }
}

/// k nearest neighbours like `KNeighborsClassifier` / `…Regressor` with uniform weights and
/// Euclidean distance on the preprocessed matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnnParams {
    pub n_neighbors: usize,
    pub preprocess: PreprocessParams,
}

impl Default for KnnParams {
    fn default() -> Self {
        KnnParams {
            n_neighbors: 5,
            preprocess: PreprocessParams::default(),
        }
    }
}

impl KnnParams {
    pub fn check(&self) -> Result<(), MlError> {
        at_least("n_neighbors", self.n_neighbors, 1)
    }
}

/// Gaussian naive Bayes like `GaussianNB` (on the preprocessed matrix).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaiveBayesParams {
    /// Added to every variance, times the largest feature variance (scikit-learn's 1e-9).
    pub var_smoothing: f64,
    pub preprocess: PreprocessParams,
}

impl Default for NaiveBayesParams {
    fn default() -> Self {
        NaiveBayesParams {
            var_smoothing: 1e-9,
            preprocess: PreprocessParams::default(),
        }
    }
}

impl NaiveBayesParams {
    pub fn check(&self) -> Result<(), MlError> {
        non_negative("var_smoothing", self.var_smoothing)
    }
}

fn non_negative(name: &'static str, value: f64) -> Result<(), MlError> {
    if value >= 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(invalid(name, "must be a number ≥ 0"))
    }
}

fn invalid(name: &'static str, reason: &str) -> MlError {
    MlError::InvalidParameter {
        name,
        reason: reason.to_string(),
    }
}

fn positive(name: &'static str, value: f64) -> Result<(), MlError> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(invalid(name, "must be a number > 0"))
    }
}

fn at_least(name: &'static str, value: usize, minimum: usize) -> Result<(), MlError> {
    if value >= minimum {
        Ok(())
    } else {
        Err(MlError::InvalidParameter {
            name,
            reason: format!("must be at least {minimum}, got {value}"),
        })
    }
}

fn max_bins(value: usize) -> Result<(), MlError> {
    if (2..=255).contains(&value) {
        Ok(())
    } else {
        Err(MlError::InvalidParameter {
            name: "max_bins",
            reason: format!("must be between 2 and 255, got {value}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters_are_named() {
        let params = GbdtParams {
            learning_rate: 0.0,
            ..GbdtParams::default()
        };
        assert_eq!(
            params.check().unwrap_err().to_string(),
            "parameter learning_rate must be a number > 0"
        );
        let params = ForestParams {
            min_samples_leaf: 0,
            ..ForestParams::default()
        };
        assert!(params
            .check()
            .unwrap_err()
            .to_string()
            .contains("min_samples_leaf"));
        let params = TreeParams {
            max_bins: 256,
            ..TreeParams::default()
        };
        assert!(params.check().unwrap_err().to_string().contains("max_bins"));
        assert!(GbdtParams::default().check().is_ok());
        assert!(ForestParams::default().check().is_ok());
    }

    #[test]
    fn max_features_resolves_like_sklearn() {
        assert_eq!(MaxFeatures::Sqrt.resolve(73), 8);
        assert_eq!(MaxFeatures::Log2.resolve(13), 3);
        assert_eq!(MaxFeatures::Fraction(1.0).resolve(13), 13);
        assert_eq!(MaxFeatures::Count(50).resolve(13), 13);
        assert_eq!(MaxFeatures::Sqrt.resolve(1), 1);
    }
}

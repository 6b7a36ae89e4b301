//! The model-fitting benchmarks, one code for both builds: the native binaries in `src/bin`
//! and the wasm module (`wasm` below) that `compute/bench/fit_bench.py` runs in V8 call the
//! same functions, so the two columns of its table differ only in the target.
//!
//! [`Case::read`] parses a CSV file's bytes with the worker's CSV options, splits the rows on
//! the dataset's `<name>.test_idx.txt` and builds the training design matrix (every column but
//! the target and the excluded ones) and the test matrix. [`fit_tree`] and [`fit_logistic`]
//! time the fit alone with the clock they are given (native: `Instant`; wasm:
//! `performance.now()`) and score the model on the test rows; their results are JSON objects.

use compute::csv::{read_csv, CsvOptions};
use compute::ml::matrix::{take_rows, TargetSpec};
use compute::ml::metrics::{
    accuracy_score, class_indices, classification_scores, f1_score, regression_scores, Average,
};
use compute::ml::{
    forest, gbdt, logistic, train_set, Control, DesignMatrix, FeatureSpec, ForestParams,
    GbdtParams, LogisticParams, Model, Task, TrainSet,
};
use compute::text::model::TextClassifier;
use compute::text::{
    fit_text, MultinomialNbParams, TextAlgorithm, TextLogisticParams, TfidfParams,
};
use serde_json::{json, Value};

#[cfg(target_arch = "wasm32")]
mod wasm;

/// Seconds since some fixed point; only differences are used.
pub type Clock<'a> = &'a dyn Fn() -> f64;

/// A dataset split on its fixed test rows: the training set and the test rows' matrix and target.
pub struct Case {
    pub train: TrainSet,
    pub x_test: DesignMatrix,
    pub y_test: Vec<f64>,
}

/// One of `bench_linear`'s cases: a shared dataset as a binary task.
pub struct LinearCase {
    pub folder: &'static str,
    pub name: &'static str,
    pub target: &'static str,
    pub exclude: &'static [&'static str],
    /// A numeric target becomes "late" (1) when above this, else 0.
    pub threshold: Option<f64>,
}

/// `telco_churn` (target `churn`) or `nycflights13` (binary `arr_delay > 15`, without
/// `tailnum`, `time_hour`, `flight`).
pub fn linear_case(case: &str) -> Result<LinearCase, String> {
    match case {
        "telco_churn" => Ok(LinearCase {
            folder: "binary",
            name: "telco_churn",
            target: "churn",
            exclude: &[],
            threshold: None,
        }),
        "nycflights13" => Ok(LinearCase {
            folder: "regression",
            name: "nycflights13_arr_delay",
            target: "arr_delay",
            exclude: &["tailnum", "time_hour", "flight"],
            threshold: Some(15.0),
        }),
        other => Err(format!(
            "unknown case {other}; use telco_churn or nycflights13"
        )),
    }
}

impl Case {
    /// Parses `csv` (named `file_name`), takes the rows listed in `test_idx` (whitespace-separated
    /// row numbers) as the test set and the others as the training set, and builds both
    /// matrices for `target` without the `exclude`d columns.
    pub fn read(
        file_name: &str,
        csv: &[u8],
        test_idx: &str,
        target: &str,
        exclude: &[&str],
    ) -> Result<Case, String> {
        let frame = read_csv(file_name, csv, CsvOptions::default())
            .map_err(|error| error.to_string())?
            .frame;
        let is_test = test_mask(test_idx, frame.n_rows())?;
        let test_rows: Vec<usize> = (0..frame.n_rows()).filter(|&row| is_test[row]).collect();
        let train_rows: Vec<usize> = (0..frame.n_rows()).filter(|&row| !is_test[row]).collect();
        let (train_frame, test_frame) = (
            take_rows(&frame, &train_rows),
            take_rows(&frame, &test_rows),
        );
        let train =
            train_set(&train_frame, target, exclude, None).map_err(|error| error.to_string())?;
        let x_test = train
            .spec
            .transform(&test_frame)
            .map_err(|error| error.to_string())?;
        let y_test = train
            .spec
            .target_values(&test_frame)
            .map_err(|error| error.to_string())?;
        Ok(Case {
            train,
            x_test,
            y_test,
        })
    }

    /// The same rows with a numeric target turned into classes: `late` (1) when above
    /// `threshold`, else `on_time` (0).
    pub fn thresholded(self, threshold: f64) -> Case {
        let late = |y: &f64| f64::from(u8::from(*y > threshold));
        let set = self.train;
        let y = set.y.iter().map(late).collect();
        let target = TargetSpec {
            column: format!("{} > {threshold}", set.spec.target.column),
            task: Task::Binary,
            classes: vec!["on_time".to_string(), "late".to_string()],
        };
        let train = TrainSet {
            y,
            spec: FeatureSpec {
                target,
                ..set.spec.clone()
            },
            ..set
        };
        Case {
            train,
            x_test: self.x_test,
            y_test: self.y_test.iter().map(late).collect(),
        }
    }

    /// Reads one of [`linear_case`]'s cases from its CSV bytes and test rows.
    pub fn read_linear(case: &LinearCase, csv: &[u8], test_idx: &str) -> Result<Case, String> {
        let read = Case::read(case.name, csv, test_idx, case.target, case.exclude)?;
        Ok(match case.threshold {
            Some(threshold) => read.thresholded(threshold),
            None => read,
        })
    }
}

/// Fits our `model` (`gbdt` or `forest`, default parameters, `seed`) once on the case's
/// training rows, timing the fit alone, and scores it on the test rows: r2, or accuracy and
/// macro F1. JSON keys: model, fit_secs, predict_secs, metric, score, macro_f1, n_iter,
/// n_train, n_features.
pub fn fit_tree(case: &Case, model: &str, seed: u64, clock: Clock) -> Result<Value, String> {
    let train = &case.train;
    let started = clock();
    let fitted: Model = match model {
        "gbdt" => gbdt::fit(train, &GbdtParams::default(), seed, &mut |_| {
            Control::Continue
        })
        .map(Model::from),
        "forest" => forest::fit(train, &ForestParams::default(), seed, &mut |_| {
            Control::Continue
        })
        .map(Model::from),
        other => return Err(format!("unknown model {other}; use gbdt or forest")),
    }
    .map_err(|error| error.to_string())?;
    let fit_secs = clock() - started;
    let started = clock();
    let (metric, score, macro_f1) = if train.task() == Task::Regression {
        let predicted = fitted
            .predict(&case.x_test)
            .map_err(|error| error.to_string())?;
        ("r2", regression_scores(&case.y_test, &predicted).r2, None)
    } else {
        let proba = fitted
            .predict_proba(&case.x_test)
            .map_err(|error| error.to_string())?;
        let scores = classification_scores(&class_indices(&case.y_test), &proba);
        ("accuracy", scores.accuracy, Some(scores.macro_f1))
    };
    let predict_secs = clock() - started;
    let n_iter = match &fitted {
        Model::Gbdt(model) => model.n_iter(),
        Model::Forest(model) => model.trees.len(),
        _ => unreachable!("only the tree models are fitted here"),
    };
    Ok(json!({
        "model": model,
        "fit_secs": fit_secs,
        "predict_secs": predict_secs,
        "metric": metric,
        "score": score,
        "macro_f1": macro_f1,
        "n_iter": n_iter,
        "n_train": train.x.n_rows(),
        "n_features": train.x.n_features(),
    }))
}

/// Fits our logistic regression (default parameters; `logistic::fit` fits and applies its
/// preprocessing too) `repeats` times, timing each fit, and scores the last model on the test
/// rows. JSON keys: fit_secs (the median), fit_secs_all, log_loss, accuracy, objective (the
/// last training objective), n_iter, n_train, n_columns (encoded).
pub fn fit_logistic(case: &Case, repeats: usize, clock: Clock) -> Result<Value, String> {
    let params = LogisticParams::default();
    let mut fit_secs = Vec::new();
    let mut model = None;
    for _ in 0..repeats.max(1) {
        let started = clock();
        let fitted = logistic::fit(&case.train, &params, &mut |_| Control::Continue)
            .map_err(|error| error.to_string())?;
        fit_secs.push(clock() - started);
        model = Some(fitted);
    }
    let model = model.expect("at least one repeat");
    let proba = model
        .predict_proba(&case.x_test)
        .map_err(|error| error.to_string())?;
    let scores = classification_scores(&class_indices(&case.y_test), &proba);
    let objective = model
        .trace
        .iterations
        .last()
        .map_or(f64::NAN, |record| record.train_loss);
    Ok(json!({
        "fit_secs": median(&fit_secs),
        "fit_secs_all": fit_secs,
        "log_loss": scores.log_loss,
        "accuracy": scores.accuracy,
        "objective": objective,
        "n_iter": model.n_iter,
        "n_train": case.train.y.len(),
        "n_columns": model.coef[0].len(),
    }))
}

/// Which of `n_rows` rows `test_idx` (whitespace-separated 0-based row numbers) names.
fn test_mask(test_idx: &str, n_rows: usize) -> Result<Vec<bool>, String> {
    let mut is_test = vec![false; n_rows];
    for row in test_idx.split_whitespace() {
        let row: usize = row
            .parse()
            .map_err(|error| format!("test row {row}: {error}"))?;
        *is_test
            .get_mut(row)
            .ok_or_else(|| format!("test row {row} is past the file's end"))? = true;
    }
    Ok(is_test)
}

/// The label column of a shared text dataset (`text/<name>.csv`, texts in `text`).
pub fn text_label(name: &str) -> Result<&'static str, String> {
    match name {
        "spam_assassin" => Ok("label"),
        "health_tweets" => Ok("source"),
        other => Err(format!(
            "unknown text dataset {other}; use spam_assassin or health_tweets"
        )),
    }
}

/// A text dataset split on its fixed test rows: texts and labels as the CSV reader read them.
pub struct TextCase {
    pub train_texts: Vec<Option<String>>,
    pub train_labels: Vec<Option<String>>,
    pub test_texts: Vec<String>,
    pub test_labels: Vec<Option<String>>,
}

impl TextCase {
    /// Parses `csv` (named `file_name`), takes its `text` column and `label` column, and
    /// splits the rows on `test_idx` like [`Case::read`].
    pub fn read(
        file_name: &str,
        csv: &[u8],
        test_idx: &str,
        label: &str,
    ) -> Result<TextCase, String> {
        let frame = read_csv(file_name, csv, CsvOptions::default())
            .map_err(|error| error.to_string())?
            .frame;
        let column = |name: &str| -> Result<Vec<Option<String>>, String> {
            let column = frame
                .column(name)
                .ok_or_else(|| format!("{file_name}: no column \"{name}\""))?;
            Ok((0..column.len())
                .map(|row| column.display_value(row))
                .collect())
        };
        let (texts, labels) = (column("text")?, column(label)?);
        let is_test = test_mask(test_idx, frame.n_rows())?;
        let mut case = TextCase {
            train_texts: Vec::new(),
            train_labels: Vec::new(),
            test_texts: Vec::new(),
            test_labels: Vec::new(),
        };
        for ((text, label), test) in texts.into_iter().zip(labels).zip(is_test) {
            if test {
                case.test_texts.push(text.unwrap_or_default());
                case.test_labels.push(label);
            } else {
                case.train_texts.push(text);
                case.train_labels.push(label);
            }
        }
        Ok(case)
    }
}

/// Fits our text model (`nb`: `MultinomialNB`, `logistic`: `LogisticRegression`, on TF-IDF
/// with the studio's defaults: unigrams, min_df 2, sublinear tf) `repeats` times, timing each
/// whole fit (vectorizing included, as scikit-learn's pipeline fit is timed), and scores the
/// last model on the test rows. JSON keys: model, fit_secs (the median), fit_secs_all,
/// accuracy, macro_f1, n_features, n_iter, n_train, n_test, model_json_bytes.
pub fn fit_text_case(
    case: &TextCase,
    model: &str,
    repeats: usize,
    clock: Clock,
) -> Result<Value, String> {
    let algorithm = match model {
        "nb" => TextAlgorithm::NaiveBayes(MultinomialNbParams::default()),
        "logistic" => TextAlgorithm::LogisticRegression(TextLogisticParams::default()),
        other => return Err(format!("unknown model {other}; use nb or logistic")),
    };
    let texts: Vec<Option<&str>> = case.train_texts.iter().map(|t| t.as_deref()).collect();
    let labels: Vec<Option<&str>> = case.train_labels.iter().map(|l| l.as_deref()).collect();
    let mut fit_secs = Vec::new();
    let mut fitted = None;
    for _ in 0..repeats.max(1) {
        let started = clock();
        let fit = fit_text(
            &texts,
            &labels,
            &TfidfParams::default(),
            &algorithm,
            &mut |_| Control::Continue,
        )
        .map_err(|error| error.to_string())?;
        fit_secs.push(clock() - started);
        fitted = Some(fit.model);
    }
    let model_fitted = fitted.expect("at least one repeat");
    let test_texts: Vec<&str> = case.test_texts.iter().map(String::as_str).collect();
    let predicted = model_fitted.predict(&test_texts).class_index;
    // A test label the training rows never had can only be mispredicted.
    let n_classes = model_fitted.classes.len();
    let truth: Vec<usize> = case
        .test_labels
        .iter()
        .map(|label| {
            label
                .as_deref()
                .and_then(|label| model_fitted.classes.iter().position(|c| c == label))
                .unwrap_or(n_classes)
        })
        .collect();
    let n_iter = match &model_fitted.classifier {
        TextClassifier::LogisticRegression(logistic) => Some(logistic.n_iter),
        TextClassifier::NaiveBayes(_) => None,
    };
    let model_json_bytes = serde_json::to_string(&model_fitted)
        .map_err(|error| error.to_string())?
        .len();
    Ok(json!({
        "model": model,
        "fit_secs": median(&fit_secs),
        "fit_secs_all": fit_secs,
        "accuracy": accuracy_score(&truth, &predicted),
        "macro_f1": f1_score(&truth, &predicted, n_classes + 1, Average::Macro),
        "n_features": model_fitted.vectorizer.n_features(),
        "n_iter": n_iter,
        "n_train": texts.len(),
        "n_test": test_texts.len(),
        "model_json_bytes": model_json_bytes,
    }))
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// The digits split for `bench_image`: `<label>/<file>` entries of the PNG folder, the
/// training and the test ones (data rows of `digits_8x8.csv` named in its test_idx file).
pub struct ImageCase {
    pub train: Vec<(String, Vec<u8>)>,
    pub test: Vec<(String, Vec<u8>)>,
}

impl ImageCase {
    /// Splits `entries` (`<label>/<file>` paths) by the CSV's `file` and `label` columns and
    /// the test_idx rows.
    pub fn split(
        csv: &[u8],
        test_idx: &str,
        mut entries: std::collections::HashMap<String, Vec<u8>>,
    ) -> Result<ImageCase, String> {
        let frame = read_csv("digits_8x8.csv", csv, CsvOptions::default())
            .map_err(|error| error.to_string())?
            .frame;
        let column = |name: &str| {
            frame
                .column(name)
                .ok_or_else(|| format!("digits_8x8.csv has no {name} column"))
        };
        let (files, labels) = (column("file")?, column("label")?);
        let test: std::collections::HashSet<usize> = test_idx
            .split_whitespace()
            .map(|row| row.parse().map_err(|_| format!("bad test row {row}")))
            .collect::<Result<_, String>>()?;
        let mut case = ImageCase {
            train: Vec::new(),
            test: Vec::new(),
        };
        for row in 0..frame.n_rows() {
            let path = format!(
                "{}/{}",
                labels.display_value(row).unwrap_or_default(),
                files.display_value(row).unwrap_or_default()
            );
            let bytes = entries
                .remove(&path)
                .ok_or_else(|| format!("no image {path}"))?;
            if test.contains(&row) {
                case.test.push((path, bytes));
            } else {
                case.train.push((path, bytes));
            }
        }
        Ok(case)
    }
}

/// Trains on the digits images as the studio does (decode, features, AutoML): `build`
/// `quick` or `standard`, or `logistic` (LogisticRegression(C=1) alone, validated on one
/// holdout split); `features` `pixels`, `hog` or `pixels+hog`. Times the whole path (decoding
/// included) and the AutoML's own search + refit. JSON keys: build, features, best,
/// fit_secs (search + refit), total_secs, accuracy, macro_f1, n_features, n_train, n_test.
pub fn fit_image_case(
    case: &ImageCase,
    build: &str,
    features: &str,
    seed: u64,
    clock: Clock,
) -> Result<Value, String> {
    use compute::automl::{AutomlOptions, Build, EvaluationDetail, ModelSpec};
    use compute::image::{image_dataset, train_images, FeatureParams, HogParams};

    let params = match features {
        "pixels" => FeatureParams {
            pixels: true,
            hog: None,
        },
        "hog" => FeatureParams {
            pixels: false,
            hog: Some(HogParams::default()),
        },
        "pixels+hog" => FeatureParams::default(),
        other => {
            return Err(format!(
                "unknown features {other}; use pixels, hog or pixels+hog"
            ))
        }
    };
    let mut options = AutomlOptions::new("label");
    options.seed = seed;
    match build {
        "quick" => options.build = Build::Quick,
        "standard" => options.build = Build::Standard,
        "logistic" => {
            options.build = Build::Quick;
            options.algorithm = Some(ModelSpec::Logistic(LogisticParams::default()));
        }
        other => {
            return Err(format!(
                "unknown build {other}; use quick, standard or logistic"
            ))
        }
    }
    let started = clock();
    let (train, _) = image_dataset(&case.train, None).map_err(|error| error.to_string())?;
    let (test, _) = image_dataset(&case.test, Some((train.size, train.color)))
        .map_err(|error| error.to_string())?;
    let run = train_images(&train, Some(&test), &params, &options, clock, &mut |_| {
        Control::Continue
    })
    .map_err(|error| error.to_string())?;
    let total_secs = clock() - started;
    let holdout = run.report.holdout.as_ref().ok_or("no holdout")?;
    let EvaluationDetail::Classification { scores, .. } = &holdout.detail else {
        return Err("not a classification".to_string());
    };
    Ok(json!({
        "build": build,
        "features": features,
        "best": run.report.best.label,
        "fit_secs": run.report.search_secs + run.report.refit_secs,
        "total_secs": total_secs,
        "accuracy": scores.accuracy,
        "macro_f1": scores.macro_f1,
        "n_features": run.report.features.len(),
        "n_train": train.images.len(),
        "n_test": test.images.len(),
    }))
}

/// The time column and target of each shared time series.
pub fn forecast_series(name: &str) -> Result<(&'static str, &'static str), String> {
    match name {
        "air_passengers" => Ok(("month", "passengers")),
        "co2_mauna_loa" => Ok(("month", "co2_ppm")),
        "us_births_daily" => Ok(("date", "births")),
        other => Err(format!(
            "unknown time series {other}; use air_passengers, co2_mauna_loa or us_births_daily"
        )),
    }
}

/// A time series split on its fixed test rows (the last 20%): the history and the future.
pub struct ForecastCase {
    pub train: compute::frame::Frame,
    pub test: compute::frame::Frame,
    pub options: compute::forecast::ForecastOptions,
}

impl ForecastCase {
    pub fn read(name: &str, csv: &[u8], test_idx: &str) -> Result<ForecastCase, String> {
        let (time, target) = forecast_series(name)?;
        let frame = read_csv(&format!("{name}.csv"), csv, CsvOptions::default())
            .map_err(|error| error.to_string())?
            .frame;
        let is_test = test_mask(test_idx, frame.n_rows())?;
        let rows = |test: bool| -> Vec<usize> {
            (0..frame.n_rows())
                .filter(|&row| is_test[row] == test)
                .collect()
        };
        Ok(ForecastCase {
            train: take_rows(&frame, &rows(false)),
            test: take_rows(&frame, &rows(true)),
            options: compute::forecast::ForecastOptions::new(time, target),
        })
    }
}

/// Fits a forecast as the studio's worker does (eight candidates ranked by a rolling-origin
/// backtest over three origins, the best refitted) for the test rows, `repeats` times; the
/// time is the fit alone (median), the MAE on the test rows. JSON keys: best, fit_secs,
/// mae, horizon, n_history.
pub fn fit_forecast_case(
    case: &ForecastCase,
    repeats: usize,
    clock: Clock,
) -> Result<Value, String> {
    use compute::forecast::{fit_forecast, Horizon};

    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let started = clock();
        let fit = fit_forecast(
            &case.train,
            &case.options,
            Horizon::Future(&case.test),
            &mut |_| Control::Continue,
        )
        .map_err(|error| error.to_string())?;
        times.push(clock() - started);
        last = Some(fit);
    }
    let fit = last.expect("at least one fit");
    let rows = fit
        .model
        .predict(&case.test)
        .map_err(|error| error.to_string())?;
    let metrics = fit
        .model
        .score(&case.test, &rows)
        .map_err(|error| error.to_string())?
        .ok_or("the test rows have no target values")?;
    let item = &fit.report.items[0];
    Ok(json!({
        "best": item.best_label,
        "fit_secs": median(&times),
        "mae": metrics.mae,
        "horizon": fit.report.horizon,
        "n_history": item.n_history,
    }))
}

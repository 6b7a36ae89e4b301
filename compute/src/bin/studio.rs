//! The native `studio` command: profiles CSV files, applies recipes, trains models (AutoML) and predicts with them, with the same library functions the browser's workers run.
//!
//! Arguments are parsed by hand (the crate takes no argument-parsing dependency). Errors
//! print `studio: <message>` on stderr; the exit code is 2 for a usage error and 1 for a
//! data error (a file that cannot be read, a recipe that does not apply).

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use compute::automl::run::{self as automl_run, predict, unseen_warnings, ModelFile};
use compute::automl::search::{metric_name, task_name};
use compute::automl::{AutomlOptions, AutomlReport, Build, CandidateStatus, EvaluationDetail};
use compute::csv::{read_csv, CsvOptions};
use compute::export::write_csv_to;
use compute::forecast::model::{Horizon, RowForecast};
use compute::forecast::{
    fit_forecast, ForecastMetrics, ForecastModel, ForecastOptions, ForecastReport, LeaderboardRow,
};
use compute::frame::Frame;
use compute::image::dataset::{images_to_predict, NamedImage};
use compute::image::model::predictions_frame;
use compute::image::{
    image_dataset, train_images, ColorMode, FeatureParams, HogParams, ImageModel, ImageSize,
    ImageWarning, Misclassified,
};
use compute::ml::{Control, Metric, Task};
use compute::profile::{
    insights, profile, DatasetProfile, InsightsReport, ProblemType, ProfileOptions, Severity,
};
use compute::recipe::Recipe;
use serde::Serialize;

const USAGE: &str = "\
studio: profile, transform, train on and predict CSV files like the ML studio in the browser

USAGE:
    studio profile DATA.csv [--target COLUMN] [--json]
        Column statistics (count, missing, distinct, mean, std, min, max) and the data
        quality insights; --json prints one line {\"profile\": ..., \"insights\": ...}.
    studio transform --recipe RECIPE.json IN.csv OUT.csv [--fitted-out FITTED.json]
        Fits the recipe on IN.csv, writes the transformed rows to OUT.csv and, with
        --fitted-out, the fitted recipe (to replay it on new data).
    studio train --train TRAIN.csv --test TEST.csv --target COLUMN
                 [--task auto|regression|binary|multiclass|text] [--drop COL,COL]
                 [--build quick|standard] [--metric NAME] [--seed N]
                 [--time-budget-secs S] [--model-out MODEL.json]
                 [--predictions-out PREDICTIONS.csv] [--json]
        TRAIN and TEST may instead be folders of class folders of PNG or JPEG images
        (`TRAIN/cat/1.png`): the images become features (--features pixels: pixels
        scaled to [0, 1]; hog: gradient-orientation histograms; pixels+hog, the
        default), --target, --task and --drop do not apply, and the predictions
        start with a `file` column, each image's path relative to TEST.
        AutoML: tries candidate models on TRAIN.csv (quick: 3 on one holdout split;
        standard: 25 by 5-fold cross-validation, 300 s budget by default), refits the
        best on every training row and evaluates it on TEST.csv beside a dummy
        baseline. --metric takes scikit-learn's names (default r2 or accuracy).
        Columns of free text (strings of 40 characters or more on average) are read by
        TF-IDF candidates beside the others; --task text asks for such a column.
        --model-out stores the model; --predictions-out writes one row per TEST row
        (prediction, and proba_<class> for classifiers); --json prints the report as
        one JSON line.
    studio train --task forecast --time-column COLUMN --train TRAIN.csv --test TEST.csv
                 --target COLUMN [--item-column COLUMN] [--covariates COL,COL]
                 [--season-length M] [--seed N] [--model-out MODEL.json]
                 [--predictions-out PREDICTIONS.csv] [--json]
        Forecasting: TRAIN.csv holds the history (one series, or one per item id), TEST.csv
        the future rows; the horizon is their number per item. Naive, seasonal naive,
        Holt-Winters and gradient boosting are ranked by a rolling-origin backtest; the
        best forecasts TEST's rows (prediction, p10, p50, p90), scored when TEST has the
        target.
    studio predict --model MODEL.json IN.csv OUT.csv
        Predicts every row of IN.csv with a stored model into OUT.csv; with an image
        model, IN is an image file or a folder of them (file, prediction, proba_<class>);
        with a forecast model, IN.csv's rows are future timestamps.
    studio version
        Prints the version.
    studio --help
        Prints this help.

Exit codes: 0 success, 1 a data error, 2 a usage error.";

/// Why the command failed: the exit code follows from the kind.
enum Failure {
    Usage(String),
    Data(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("studio: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Data(message)) => {
            eprintln!("studio: {message}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<(), Failure> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let Some((command, rest)) = args.split_first() else {
        return Err(Failure::Usage("missing command".to_string()));
    };
    match command.as_str() {
        "profile" => run_profile(rest),
        "transform" => run_transform(rest),
        "train" => run_train(rest),
        "predict" => run_predict(rest),
        "version" | "--version" => {
            expect_no_arguments("version", rest)?;
            println!("studio {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(Failure::Usage(format!("unknown command \"{other}\""))),
    }
}

fn expect_no_arguments(command: &str, rest: &[String]) -> Result<(), Failure> {
    match rest.first() {
        None => Ok(()),
        Some(extra) => Err(Failure::Usage(format!(
            "{command} takes no arguments, found \"{extra}\""
        ))),
    }
}

/// A subcommand's arguments: `--name value` options, `--name` switches and positionals.
struct Parsed {
    options: Vec<(&'static str, String)>,
    switches: Vec<&'static str>,
    positionals: Vec<String>,
}

impl Parsed {
    fn option(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(option, _)| *option == name)
            .map(|(_, value)| value.as_str())
    }

    fn switch(&self, name: &str) -> bool {
        self.switches.contains(&name)
    }
}

fn parse(
    command: &str,
    args: &[String],
    option_names: &[&'static str],
    switch_names: &[&'static str],
) -> Result<Parsed, Failure> {
    let mut parsed = Parsed {
        options: Vec::new(),
        switches: Vec::new(),
        positionals: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if let Some(&name) = option_names.iter().find(|name| *name == arg) {
            let value = args
                .next()
                .ok_or_else(|| Failure::Usage(format!("{command}: {name} needs a value")))?;
            if parsed.option(name).is_some() {
                return Err(Failure::Usage(format!("{command}: {name} given twice")));
            }
            parsed.options.push((name, value.clone()));
        } else if let Some(&name) = switch_names.iter().find(|name| *name == arg) {
            parsed.switches.push(name);
        } else if arg.starts_with("--") {
            return Err(Failure::Usage(format!(
                "{command}: unknown option \"{arg}\""
            )));
        } else {
            parsed.positionals.push(arg.clone());
        }
    }
    Ok(parsed)
}

/// Reads a CSV file with the browser's reader; its warnings (skipped blank lines, a
/// missing header) go to stderr.
fn read_frame(path: &str) -> Result<Frame, Failure> {
    let bytes = std::fs::read(path).map_err(|error| Failure::Data(format!("{path}: {error}")))?;
    let imported = read_csv(path, &bytes, CsvOptions::default())
        .map_err(|error| Failure::Data(error.to_string()))?;
    for warning in &imported.warnings {
        eprintln!("studio: {path}: warning: {warning}");
    }
    Ok(imported.frame)
}

/// What `profile --json` prints: the same serde types the browser stores.
#[derive(Serialize)]
struct ProfileOutput<'a> {
    profile: &'a DatasetProfile,
    insights: &'a InsightsReport,
}

fn run_profile(args: &[String]) -> Result<(), Failure> {
    let parsed = parse("profile", args, &["--target"], &["--json"])?;
    let path = match parsed.positionals.as_slice() {
        [path] => path,
        [] => return Err(Failure::Usage("profile: missing DATA.csv".to_string())),
        [_, extra, ..] => {
            return Err(Failure::Usage(format!(
                "profile: unexpected argument \"{extra}\""
            )))
        }
    };
    let frame = read_frame(path)?;
    let dataset_profile = profile(&frame, &ProfileOptions::default());
    let mut report = insights(&frame, &dataset_profile, parsed.option("--target"))
        .map_err(|error| Failure::Data(format!("{path}: {error}")))?;
    // The same seed as the browser's worker, so both give the same quick model.
    compute::profile::attach_quick_model(&mut report, &frame, dataset_profile.sample_seed);
    let output = if parsed.switch("--json") {
        let json = serde_json::to_string(&ProfileOutput {
            profile: &dataset_profile,
            insights: &report,
        })
        .expect("profiles and insights always serialize");
        json + "\n"
    } else {
        profile_table(&dataset_profile, &report)
    };
    write_stdout(output.as_bytes())
}

/// Writes to stdout, treating a closed pipe (`studio profile … | head`) as success.
fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Failure::Data(format!("writing to stdout: {error}"))),
    }
}

/// The profile as a plain-text table, one row per column, then the insights.
fn profile_table(dataset_profile: &DatasetProfile, report: &InsightsReport) -> String {
    let header = [
        "name", "type", "count", "missing", "distinct", "mean", "std", "min", "max",
    ];
    let rows: Vec<[String; 9]> = dataset_profile
        .columns
        .iter()
        .map(|column| {
            let numeric = column.numeric.as_ref();
            let distinct = if column.distinct_is_approximate {
                format!("~{}", column.distinct)
            } else {
                column.distinct.to_string()
            };
            [
                column.name.clone(),
                column.column_type.label().to_string(),
                column.count.to_string(),
                column.missing.to_string(),
                distinct,
                number(numeric.and_then(|numeric| numeric.mean)),
                number(numeric.and_then(|numeric| numeric.std)),
                column.min_text.clone().unwrap_or_default(),
                column.max_text.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let mut widths = header.map(|name| name.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let sampled = match dataset_profile.sampled_rows {
        Some(sampled) => format!(", statistics on a sample of {sampled} rows"),
        None => String::new(),
    };
    writeln!(
        out,
        "{} rows, {} columns, {} duplicate rows, {} missing cells{sampled}\n",
        dataset_profile.n_rows,
        dataset_profile.n_cols,
        dataset_profile.duplicate_rows,
        dataset_profile.missing_cells
    )
    .expect("writing to a String cannot fail");
    let header_cells = header.map(str::to_string);
    for row in std::iter::once(&header_cells).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(index, (cell, width))| {
                // Text columns left-aligned, counts and statistics right-aligned.
                if index < 2 {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end()).expect("writing to a String cannot fail");
    }
    out.push('\n');
    if let Some(target) = &report.target {
        writeln!(
            out,
            "target {}: {}, {} missing\n",
            target.column,
            problem_type_label(target.problem_type),
            target.missing
        )
        .expect("writing to a String cannot fail");
    }
    if report.insights.is_empty() {
        out.push_str("insights: none\n");
    } else {
        out.push_str("insights:\n");
        for insight in &report.insights {
            let severity = match insight.severity {
                Severity::High => "high",
                Severity::Medium => "medium",
                Severity::Low => "low",
            };
            writeln!(out, "  {severity:<6}  {}", insight.message)
                .expect("writing to a String cannot fail");
        }
    }
    out
}

fn problem_type_label(problem_type: ProblemType) -> &'static str {
    match problem_type {
        ProblemType::Regression => "regression",
        ProblemType::BinaryClassification => "binary classification",
        ProblemType::MulticlassClassification => "multiclass classification",
    }
}

/// A statistic with four decimals, or an empty cell when it is undefined.
fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |value| format!("{value:.4}"))
}

fn run_transform(args: &[String]) -> Result<(), Failure> {
    let parsed = parse("transform", args, &["--recipe", "--fitted-out"], &[])?;
    let recipe_path = parsed
        .option("--recipe")
        .ok_or_else(|| Failure::Usage("transform: missing --recipe RECIPE.json".to_string()))?;
    let (input_path, output_path) = match parsed.positionals.as_slice() {
        [input, output] => (input, output),
        [] | [_] => {
            return Err(Failure::Usage(
                "transform: expected IN.csv and OUT.csv".to_string(),
            ))
        }
        [_, _, extra, ..] => {
            return Err(Failure::Usage(format!(
                "transform: unexpected argument \"{extra}\""
            )))
        }
    };
    let recipe_json = std::fs::read_to_string(recipe_path)
        .map_err(|error| Failure::Data(format!("{recipe_path}: {error}")))?;
    let recipe = Recipe::from_json(&recipe_json)
        .map_err(|error| Failure::Data(format!("{recipe_path}: {error}")))?;
    let input = read_frame(input_path)?;
    let (fitted, output) = recipe
        .fit_transform(&input)
        .map_err(|error| Failure::Data(format!("recipe {recipe_path} on {input_path}: {error}")))?;
    write_frame(output_path, &output)?;
    if let Some(fitted_path) = parsed.option("--fitted-out") {
        std::fs::write(fitted_path, fitted.to_json())
            .map_err(|error| Failure::Data(format!("{fitted_path}: {error}")))?;
    }
    eprintln!(
        "studio: {input_path} ({} rows, {} columns) -> {output_path} ({} rows, {} columns), content hash {}",
        input.n_rows(),
        input.n_cols(),
        output.n_rows(),
        output.n_cols(),
        output.content_hash().to_hex()
    );
    Ok(())
}

fn run_train(args: &[String]) -> Result<(), Failure> {
    let parsed = parse(
        "train",
        args,
        &[
            "--train",
            "--test",
            "--target",
            "--task",
            "--drop",
            "--build",
            "--metric",
            "--seed",
            "--time-budget-secs",
            "--model-out",
            "--predictions-out",
            "--features",
            "--time-column",
            "--item-column",
            "--covariates",
            "--season-length",
        ],
        &["--json"],
    )?;
    if let Some(extra) = parsed.positionals.first() {
        return Err(Failure::Usage(format!(
            "train: unexpected argument \"{extra}\""
        )));
    }
    if parsed.option("--task") == Some("forecast") {
        return run_forecast(&parsed);
    }
    for name in [
        "--time-column",
        "--item-column",
        "--covariates",
        "--season-length",
    ] {
        if parsed.option(name).is_some() {
            return Err(Failure::Usage(format!(
                "train: {name} is for --task forecast"
            )));
        }
    }
    let required = |name: &str, what: &str| {
        parsed
            .option(name)
            .ok_or_else(|| Failure::Usage(format!("train: missing {name} {what}")))
    };
    let train_path = required("--train", "TRAIN.csv")?;
    let test_path = required("--test", "TEST.csv")?;
    let images = Path::new(train_path).is_dir();
    if images != Path::new(test_path).is_dir() {
        return Err(Failure::Usage(
            "train: --train and --test are both CSV files or both folders of class folders"
                .to_string(),
        ));
    }
    let target = if images {
        if let Some(name) = ["--target", "--task", "--drop"]
            .into_iter()
            .find(|name| parsed.option(name).is_some())
        {
            return Err(Failure::Usage(format!(
                "train: {name} is not for image folders (their class folders are the labels)"
            )));
        }
        "label"
    } else {
        if parsed.option("--features").is_some() {
            return Err(Failure::Usage(
                "train: --features is for image folders".to_string(),
            ));
        }
        required("--target", "COLUMN")?
    };
    let mut options = AutomlOptions::new(target);
    let task_option = parsed.option("--task").unwrap_or("auto");
    options.task = match task_option {
        // Text classification: classes, read from a free-text column (checked below).
        "auto" | "text" => None,
        "regression" => Some(Task::Regression),
        "binary" => Some(Task::Binary),
        "multiclass" => Some(Task::Multiclass),
        other => {
            return Err(Failure::Usage(format!(
                "train: --task is auto, regression, binary, multiclass, text or forecast, not \"{other}\""
            )))
        }
    };
    options.build = match parsed.option("--build").unwrap_or("quick") {
        "quick" => Build::Quick,
        "standard" => Build::Standard,
        other => {
            return Err(Failure::Usage(format!(
                "train: --build is quick or standard, not \"{other}\""
            )))
        }
    };
    if let Some(drop) = parsed.option("--drop") {
        options.drop = drop
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect();
    }
    if let Some(metric) = parsed.option("--metric") {
        options.metric = Some(
            serde_json::from_value::<Metric>(serde_json::Value::String(metric.to_string()))
                .map_err(|_| {
                    Failure::Usage(format!(
                        "train: unknown --metric \"{metric}\" (r2, neg_root_mean_squared_error, neg_mean_absolute_error, accuracy, balanced_accuracy, f1_macro, neg_log_loss, roc_auc)"
                    ))
                })?,
        );
    }
    if let Some(seed) = parsed.option("--seed") {
        options.seed = seed.parse().map_err(|_| {
            Failure::Usage(format!(
                "train: --seed takes a whole number, not \"{seed}\""
            ))
        })?;
    }
    if let Some(budget) = parsed.option("--time-budget-secs") {
        let secs: f64 = budget
            .parse()
            .ok()
            .filter(|secs: &f64| *secs >= 0.0 && secs.is_finite())
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "train: --time-budget-secs takes a number of seconds, not \"{budget}\""
                ))
            })?;
        options.time_budget_secs = Some(secs);
    }
    if images {
        return train_images_cli(&parsed, train_path, test_path, &options);
    }
    let train_frame = read_frame(train_path)?;
    let test_frame = read_frame(test_path)?;
    if task_option == "text" {
        require_free_text(&train_frame, &options, train_path)?;
    }
    let started = std::time::Instant::now();
    let clock = move || started.elapsed().as_secs_f64();
    let finished = automl_run::run(
        &train_frame,
        Some(&test_frame),
        &options,
        &clock,
        &mut |_| Control::Continue,
    )
    .map_err(|error| Failure::Data(format!("train on {train_path}: {error}")))?;
    for warning in &finished.report.warnings {
        eprintln!("studio: warning: {warning}");
    }
    if let Some(model_path) = parsed.option("--model-out") {
        std::fs::write(model_path, finished.model_file.to_json())
            .map_err(|error| Failure::Data(format!("{model_path}: {error}")))?;
    }
    if let Some(predictions_path) = parsed.option("--predictions-out") {
        let predictions = predict(&finished.model_file.model, &test_frame)
            .map_err(|error| Failure::Data(format!("predict {test_path}: {error}")))?;
        write_frame(predictions_path, &predictions.to_frame())?;
    }
    let output = if parsed.switch("--json") {
        serde_json::to_string(&finished.report).expect("reports always serialize") + "\n"
    } else {
        train_summary(&finished.report)
    };
    write_stdout(output.as_bytes())
}

/// Writes a frame as CSV, synced to disk.
fn write_frame(path: &str, frame: &Frame) -> Result<(), Failure> {
    let write = || -> std::io::Result<()> {
        let mut writer = BufWriter::new(File::create(path)?);
        write_csv_to(frame, &mut writer)?;
        writer
            .into_inner()
            .map_err(|error| error.into_error())?
            .sync_all()
    };
    write().map_err(|error| Failure::Data(format!("{path}: {error}")))
}

/// `--task text`: the training rows must have a free-text column (strings averaging
/// `FREE_TEXT_MEAN_CHARS` characters or more) for the text classifiers to read.
fn require_free_text(frame: &Frame, options: &AutomlOptions, path: &str) -> Result<(), Failure> {
    let drop: Vec<&str> = options.drop.iter().map(String::as_str).collect();
    let train = compute::ml::train_set(frame, &options.target, &drop, None)
        .map_err(|error| Failure::Data(format!("{path}: {error}")))?;
    if train.spec.text_columns.is_empty() {
        return Err(Failure::Data(format!(
            "{path}: --task text needs a free-text column (strings of {} characters or more on average); none of its feature columns is one",
            compute::ml::matrix::FREE_TEXT_MEAN_CHARS
        )));
    }
    if !train.task().is_classification() {
        return Err(Failure::Data(format!(
            "{path}: --task text classifies texts, but target \"{}\" holds numbers; give a label column",
            options.target
        )));
    }
    Ok(())
}

/// The report as text: the leaderboard, then the best model on the test rows beside the
/// dummy baseline, then the columns that matter most.
fn train_summary(report: &AutomlReport) -> String {
    let mut out = String::new();
    let metric = metric_name(report.metric);
    let validation = report.validation.describe();
    writeln!(
        out,
        "{} target {} on {} rows, {} features; {metric} by {validation}\n",
        task_name(report.task),
        report.target,
        report.n_train_rows,
        report.features.len()
    )
    .expect("writing to a String cannot fail");
    writeln!(
        out,
        "rank  {metric:>10}  {:>8}  {:>8}  model",
        "std", "secs"
    )
    .expect("writing to a String cannot fail");
    for row in &report.leaderboard {
        let rank = row.rank.map_or("-".to_string(), |rank| rank.to_string());
        let status = match &row.status {
            CandidateStatus::Done => String::new(),
            CandidateStatus::Failed { message } => format!("  (failed: {message})"),
            CandidateStatus::Skipped => "  (skipped: time budget)".to_string(),
        };
        writeln!(
            out,
            "{rank:>4}  {:>10}  {:>8}  {:>8.2}  {}{status}",
            number(row.cv_mean),
            number(row.cv_std),
            row.fit_secs,
            row.label
        )
        .expect("writing to a String cannot fail");
    }
    if let Some(holdout) = &report.holdout {
        writeln!(
            out,
            "\nbest {} on {} test rows: {metric} {:.4} (dummy baseline {:.4})",
            report.best.label, holdout.n_rows, holdout.score, holdout.baseline_score
        )
        .expect("writing to a String cannot fail");
        match &holdout.detail {
            EvaluationDetail::Regression {
                scores, baseline, ..
            } => writeln!(
                out,
                "  r2 {:.4}  rmse {:.4}  mae {:.4}   (baseline r2 {:.4}  rmse {:.4})",
                scores.r2, scores.rmse, scores.mae, baseline.r2, baseline.rmse
            ),
            EvaluationDetail::Classification {
                scores, baseline, ..
            } => writeln!(
                out,
                "  accuracy {:.4}  macro_f1 {:.4}  roc_auc {}  log_loss {:.4}   (baseline accuracy {:.4}  macro_f1 {:.4})",
                scores.accuracy,
                scores.macro_f1,
                number(scores.roc_auc),
                scores.log_loss,
                baseline.accuracy,
                baseline.macro_f1
            ),
        }
        .expect("writing to a String cannot fail");
        let top: Vec<String> = holdout
            .column_impact
            .iter()
            .take(5)
            .map(|impact| format!("{} {:.4}", impact.column, impact.importance_mean))
            .collect();
        writeln!(out, "  column impact: {}", top.join(", "))
            .expect("writing to a String cannot fail");
    }
    out
}

fn run_predict(args: &[String]) -> Result<(), Failure> {
    let parsed = parse("predict", args, &["--model"], &[])?;
    let model_path = parsed
        .option("--model")
        .ok_or_else(|| Failure::Usage("predict: missing --model MODEL.json".to_string()))?;
    let (input_path, output_path) = match parsed.positionals.as_slice() {
        [input, output] => (input, output),
        [] | [_] => {
            return Err(Failure::Usage(
                "predict: expected IN.csv and OUT.csv".to_string(),
            ))
        }
        [_, _, extra, ..] => {
            return Err(Failure::Usage(format!(
                "predict: unexpected argument \"{extra}\""
            )))
        }
    };
    let json = std::fs::read_to_string(model_path)
        .map_err(|error| Failure::Data(format!("{model_path}: {error}")))?;
    if is_image_model(&json) {
        let model = ImageModel::from_json(&json)
            .map_err(|error| Failure::Data(format!("{model_path}: {error}")))?;
        return predict_images_cli(&model, input_path, output_path);
    }
    if let Ok(model) = ForecastModel::from_json(&json) {
        let input = read_frame(input_path)?;
        let forecasts = model
            .predict(&input)
            .map_err(|error| Failure::Data(format!("{input_path}: {error}")))?;
        write_frame(output_path, &forecast_frame(&input, &forecasts)?)?;
        eprintln!(
            "studio: {} forecasts of {} -> {output_path}",
            forecasts.len(),
            model.options.target
        );
        return Ok(());
    }
    let model_file = ModelFile::from_json(&json)
        .map_err(|error| Failure::Data(format!("{model_path}: {error}")))?;
    let input = read_frame(input_path)?;
    let predictions = predict(&model_file.model, &input)
        .map_err(|error| Failure::Data(format!("{input_path}: {error}")))?;
    for warning in unseen_warnings(&predictions.unseen_categories, input_path) {
        eprintln!("studio: warning: {warning}");
    }
    write_frame(output_path, &predictions.to_frame())?;
    eprintln!(
        "studio: {} predictions of {} ({}) -> {output_path}",
        predictions.values.len(),
        model_file.metadata.target,
        predictions.task_name()
    );
    Ok(())
}

/// How many warnings about images are printed before the rest are counted.
const MAX_PRINTED_WARNINGS: usize = 20;

fn print_image_warnings(path: &str, warnings: &[ImageWarning]) {
    for warning in warnings.iter().take(MAX_PRINTED_WARNINGS) {
        eprintln!("studio: {path}: warning: {warning}");
    }
    if warnings.len() > MAX_PRINTED_WARNINGS {
        eprintln!(
            "studio: {path}: warning: and {} more",
            warnings.len() - MAX_PRINTED_WARNINGS
        );
    }
}

/// Every file under `root` as (path relative to it with `/`, bytes), and every folder as a
/// path ending in `/` (so an empty class folder is seen), in path order.
fn read_folder(root: &Path) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let fail =
        |path: &Path, error: std::io::Error| Failure::Data(format!("{}: {error}", path.display()));
    let mut entries = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(|error| fail(&folder, error))? {
            let path = entry.map_err(|error| fail(&folder, error))?.path();
            let relative = path
                .strip_prefix(root)
                .expect("a path under the root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if path.is_dir() {
                entries.push((format!("{relative}/"), Vec::new()));
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).map_err(|error| fail(&path, error))?;
                entries.push((relative, bytes));
            }
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// What `train --json` prints for image folders: the AutoML report's fields, then the
/// images' shape and counts and the misclassified test images.
#[derive(Serialize)]
struct ImageTrainOutput<'a> {
    #[serde(flatten)]
    report: &'a AutomlReport,
    image: ImageSummary<'a>,
    misclassified: &'a [Misclassified],
}

#[derive(Serialize)]
struct ImageSummary<'a> {
    size: ImageSize,
    color: ColorMode,
    features: &'a FeatureParams,
    n_train_images: usize,
    n_test_images: usize,
    train_classes: Vec<ClassCount>,
}

#[derive(Serialize)]
struct ClassCount {
    class: String,
    n_images: usize,
}

fn train_images_cli(
    parsed: &Parsed,
    train_path: &str,
    test_path: &str,
    options: &AutomlOptions,
) -> Result<(), Failure> {
    let train_entries = read_folder(Path::new(train_path))?;
    let (train, warnings) = image_dataset(&train_entries, None)
        .map_err(|error| Failure::Data(format!("{train_path}: {error}")))?;
    print_image_warnings(train_path, &warnings);
    let test_entries = read_folder(Path::new(test_path))?;
    let (test, warnings) = image_dataset(&test_entries, Some((train.size, train.color)))
        .map_err(|error| Failure::Data(format!("{test_path}: {error}")))?;
    print_image_warnings(test_path, &warnings);
    let params = match parsed.option("--features").unwrap_or("pixels+hog") {
        "pixels" => FeatureParams {
            pixels: true,
            hog: None,
        },
        "hog" => FeatureParams {
            pixels: false,
            hog: Some(HogParams::default()),
        },
        "pixels+hog" => FeatureParams {
            pixels: true,
            hog: Some(HogParams::default()),
        },
        other => {
            return Err(Failure::Usage(format!(
                "train: --features is pixels, hog or pixels+hog, not \"{other}\""
            )))
        }
    };
    let started = std::time::Instant::now();
    let clock = move || started.elapsed().as_secs_f64();
    let finished = train_images(&train, Some(&test), &params, options, &clock, &mut |_| {
        Control::Continue
    })
    .map_err(|error| Failure::Data(format!("train on {train_path}: {error}")))?;
    for warning in &finished.report.warnings {
        eprintln!("studio: warning: {warning}");
    }
    if let Some(model_path) = parsed.option("--model-out") {
        std::fs::write(model_path, finished.model.to_json())
            .map_err(|error| Failure::Data(format!("{model_path}: {error}")))?;
    }
    if let Some(predictions_path) = parsed.option("--predictions-out") {
        let images: Vec<NamedImage> = test
            .images
            .iter()
            .map(|image| NamedImage {
                file: image.file.clone(),
                pixels: image.pixels.clone(),
            })
            .collect();
        let predictions = finished
            .model
            .predict(&images)
            .map_err(|error| Failure::Data(format!("predict {test_path}: {error}")))?;
        let files: Vec<&str> = images.iter().map(|image| image.file.as_str()).collect();
        write_frame(predictions_path, &predictions_frame(&files, &predictions))?;
    }
    let output = if parsed.switch("--json") {
        let summary = ImageTrainOutput {
            report: &finished.report,
            image: ImageSummary {
                size: train.size,
                color: train.color,
                features: &params,
                n_train_images: train.images.len(),
                n_test_images: test.images.len(),
                train_classes: train
                    .class_counts()
                    .into_iter()
                    .map(|(class, n_images)| ClassCount { class, n_images })
                    .collect(),
            },
            misclassified: &finished.misclassified,
        };
        serde_json::to_string(&summary).expect("reports always serialize") + "\n"
    } else {
        let mut out = format!(
            "{} training images of {} classes, {} {}; {} test images\n",
            train.images.len(),
            train.classes.len(),
            train.size,
            train.color.label(),
            test.images.len()
        );
        out += &train_summary(&finished.report);
        if !finished.misclassified.is_empty() {
            out += &format!(
                "  misclassified: {} test images, most confident first:\n",
                finished.misclassified.len()
            );
            for wrong in finished.misclassified.iter().take(5) {
                out += &format!(
                    "    {}  true {}  predicted {} ({:.2})\n",
                    wrong.file, wrong.true_class, wrong.predicted, wrong.probability
                );
            }
        }
        out
    };
    write_stdout(output.as_bytes())
}

/// What `train --task forecast --json` prints: the first item's best model and leaderboard
/// (the only ones for a single series), the holdout metrics, and the whole report.
#[derive(Serialize)]
struct ForecastOutput<'a> {
    task: &'static str,
    best_model: &'a str,
    leaderboard: &'a [LeaderboardRow],
    holdout: Option<ForecastMetrics>,
    /// Preparing the series, the backtest of every candidate and the refit (not reading
    /// the files, nor forecasting the test rows).
    fit_secs: f64,
    report: &'a ForecastReport,
}

fn run_forecast(parsed: &Parsed) -> Result<(), Failure> {
    let required = |name: &str, what: &str| {
        parsed
            .option(name)
            .ok_or_else(|| Failure::Usage(format!("train: missing {name} {what}")))
    };
    let train_path = required("--train", "TRAIN.csv")?;
    let test_path = required("--test", "TEST.csv")?;
    let mut options = ForecastOptions::new(
        required("--time-column", "COLUMN")?,
        required("--target", "COLUMN")?,
    );
    options.item_column = parsed.option("--item-column").map(str::to_string);
    if let Some(covariates) = parsed.option("--covariates") {
        options.covariates = covariates
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect();
    }
    if let Some(m) = parsed.option("--season-length") {
        options.season_length =
            Some(m.parse().ok().filter(|&m: &usize| m >= 1).ok_or_else(|| {
                Failure::Usage(format!(
                    "train: --season-length takes a whole number of steps, not \"{m}\""
                ))
            })?);
    }
    if let Some(seed) = parsed.option("--seed") {
        options.seed = seed.parse().map_err(|_| {
            Failure::Usage(format!(
                "train: --seed takes a whole number, not \"{seed}\""
            ))
        })?;
    }
    for name in ["--drop", "--build", "--metric", "--time-budget-secs"] {
        if parsed.option(name).is_some() {
            return Err(Failure::Usage(format!(
                "train: {name} does not apply to --task forecast"
            )));
        }
    }
    let train_frame = read_frame(train_path)?;
    let test_frame = read_frame(test_path)?;
    let started = std::time::Instant::now();
    let fit = fit_forecast(
        &train_frame,
        &options,
        Horizon::Future(&test_frame),
        &mut |_| Control::Continue,
    )
    .map_err(|error| Failure::Data(format!("forecast on {train_path}: {error}")))?;
    let fit_secs = started.elapsed().as_secs_f64();
    for warning in &fit.report.warnings {
        eprintln!("studio: warning: {warning}");
    }
    let forecasts = fit
        .model
        .predict(&test_frame)
        .map_err(|error| Failure::Data(format!("forecast {test_path}: {error}")))?;
    let holdout = fit
        .model
        .score(&test_frame, &forecasts)
        .map_err(|error| Failure::Data(format!("score {test_path}: {error}")))?;
    if let Some(model_path) = parsed.option("--model-out") {
        std::fs::write(model_path, fit.model.to_json())
            .map_err(|error| Failure::Data(format!("{model_path}: {error}")))?;
    }
    if let Some(predictions_path) = parsed.option("--predictions-out") {
        write_frame(predictions_path, &forecast_frame(&test_frame, &forecasts)?)?;
    }
    let output = if parsed.switch("--json") {
        let first = &fit.report.items[0];
        let best_model = if fit.report.items.len() == 1 {
            first.best_label.as_str()
        } else {
            "per item"
        };
        serde_json::to_string(&ForecastOutput {
            task: "forecast",
            best_model,
            leaderboard: &first.leaderboard,
            holdout,
            fit_secs,
            report: &fit.report,
        })
        .expect("reports always serialize")
            + "\n"
    } else {
        forecast_summary(&fit.report, holdout.as_ref())
    };
    write_stdout(output.as_bytes())
}

/// Whether a model file's JSON is an image model's (its `kind`), read without parsing the
/// rest twice over.
fn is_image_model(json: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(json).is_ok_and(|value| {
        value.get("kind").and_then(serde_json::Value::as_str) == Some("image_classification")
    })
}

fn predict_images_cli(
    model: &ImageModel,
    input_path: &str,
    output_path: &str,
) -> Result<(), Failure> {
    let input = Path::new(input_path);
    let entries = if input.is_dir() {
        read_folder(input)?
    } else {
        let bytes = std::fs::read(input)
            .map_err(|error| Failure::Data(format!("{input_path}: {error}")))?;
        let name = input.file_name().map_or(input_path.to_string(), |name| {
            name.to_string_lossy().to_string()
        });
        vec![(name, bytes)]
    };
    let (images, warnings) = images_to_predict(&entries, model.size, model.color);
    if images.is_empty() {
        let why = warnings.first().map_or(String::new(), |w| format!(": {w}"));
        return Err(Failure::Data(format!(
            "{input_path}: no image to predict{why}"
        )));
    }
    print_image_warnings(input_path, &warnings);
    let predictions = model
        .predict(&images)
        .map_err(|error| Failure::Data(format!("{input_path}: {error}")))?;
    let files: Vec<&str> = images.iter().map(|image| image.file.as_str()).collect();
    write_frame(output_path, &predictions_frame(&files, &predictions))?;
    eprintln!(
        "studio: {} image predictions ({} classes) -> {output_path}",
        images.len(),
        model.classes.len()
    );
    Ok(())
}

/// `frame` with the forecasts beside its rows (`forecast::with_forecasts`).
fn forecast_frame(frame: &Frame, forecasts: &[RowForecast]) -> Result<Frame, Failure> {
    compute::forecast::with_forecasts(frame, forecasts)
        .map_err(|error| Failure::Data(error.to_string()))
}

fn optional(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |value| format!("{value:.4}"))
}

/// The forecast as text: per item what was detected and the leaderboard, then the holdout.
fn forecast_summary(report: &ForecastReport, holdout: Option<&ForecastMetrics>) -> String {
    let mut out = String::new();
    for item in &report.items {
        let name = item
            .item
            .as_ref()
            .map_or(String::new(), |item| format!("item {item}: "));
        writeln!(
            out,
            "{name}forecast {} over {} steps: {} points, {}, season length {}",
            report.target,
            item.forecast.len(),
            item.n_history,
            item.frequency.label(),
            item.season_length
        )
        .expect("writing to a String cannot fail");
        writeln!(
            out,
            "rank  {:>12}  {:>12}  {:>8}  {:>8}  model (rolling-origin backtest)",
            "mae", "rmse", "smape", "mase"
        )
        .expect("writing to a String cannot fail");
        for row in &item.leaderboard {
            let rank = row.rank.map_or("-".to_string(), |rank| rank.to_string());
            match (&row.backtest, &row.failure) {
                (Some(metrics), _) => writeln!(
                    out,
                    "{rank:>4}  {:>12.4}  {:>12.4}  {:>8.3}  {:>8}  {}",
                    metrics.mae,
                    metrics.rmse,
                    metrics.smape,
                    optional(metrics.mase),
                    row.label
                ),
                (None, failure) => writeln!(
                    out,
                    "{rank:>4}  {:>12}  {:>12}  {:>8}  {:>8}  {}  (failed: {})",
                    "-",
                    "-",
                    "-",
                    "-",
                    row.label,
                    failure.as_deref().unwrap_or("no backtest")
                ),
            }
            .expect("writing to a String cannot fail");
        }
        writeln!(out, "best: {}\n", item.best_label).expect("writing to a String cannot fail");
    }
    if let Some(metrics) = holdout {
        writeln!(
            out,
            "on the test rows: mae {:.4}  rmse {:.4}  mape {}  smape {:.4}  mase {}",
            metrics.mae,
            metrics.rmse,
            optional(metrics.mape),
            metrics.smape,
            optional(metrics.mase)
        )
        .expect("writing to a String cannot fail");
    }
    out
}

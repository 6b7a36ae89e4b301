//! Runs as MLflow's file store lays them out (`mlruns/<experiment>/<run>/` with `meta.yaml`, `params/`, `metrics/`, `tags/`), written for MLflow and its tools to read, and read back from such a folder.
//!
//! ## Layout (MLflow's `FileStore`)
//!
//! ```text
//! mlruns/<experiment_id>/meta.yaml            artifact_location, creation_time, experiment_id,
//!                                             last_update_time, lifecycle_stage, name
//! mlruns/<experiment_id>/tags/<key>           the tag's value
//! mlruns/<experiment_id>/<run_id>/meta.yaml   artifact_uri, end_time, entry_point_name,
//!                                             experiment_id, lifecycle_stage, run_id, run_name,
//!                                             run_uuid, source_name, source_type,
//!                                             source_version, start_time, status, tags, user_id
//! mlruns/<experiment_id>/<run_id>/params/<key>    the value, no line break
//! mlruns/<experiment_id>/<run_id>/metrics/<key>   `<timestamp_ms> <value> <step>` per line
//! mlruns/<experiment_id>/<run_id>/tags/<key>      the value, no line break
//! mlruns/<experiment_id>/<run_id>/artifacts/       empty (MLflow 3 wants the folder)
//! ```
//!
//! `status` is MLflow's number (RUNNING 1, SCHEDULED 2, FINISHED 3, FAILED 4, KILLED 5);
//! times are epoch milliseconds. A key holding `/` is a nested path, as MLflow stores it.
//!
//! ## Ids
//!
//! MLflow's file store names experiments by digits and runs by 32 hex digits. An id of
//! ours already in that form is kept; any other is hashed (FNV-1a, 64 bits to 18 digits
//! for an experiment, 128 bits to 32 hex digits for a run), so the same run gets the same
//! folder in every export. Our ids travel in tags (`studio.experiment_id` on the
//! experiment, `studio.run_id` on the run), with every other field MLflow has no place
//! for (`studio.kind`, `studio.dataset_content_hash`, `studio.recipe_hashes`, …), so
//! [`read_mlflow_folder`] gives back the records that were written. The run's name, its
//! parent and its notes go where MLflow's UI looks: `mlflow.runName`,
//! `mlflow.parentRunId`, `mlflow.note.content`.
//!
//! ## What a round trip does not keep
//!
//! * A metric's history is read back for a metric file of more than one line, or of one
//!   line at a step other than 0; a one-step history at step 0 reads back as a plain
//!   final value (MLflow cannot tell them apart either). Histories come back sorted by
//!   key, steps by step; step timestamps are whole milliseconds.
//! * Keys MLflow refuses (characters other than letters, digits, `_ - . /` and space, or
//!   a path such as `a//b`) are written with `_` for each such character, with a warning.
//! * A metric whose final value is not its history's last value gets one more line (the
//!   final value one step after the last) so MLflow shows the same final value.
//!
//! Reading also takes folders MLflow wrote: any folder may precede the experiments
//! (`mlruns/`, `export/mlruns/` or none); `.trash` and deleted experiments and runs are
//! skipped, as is the model registry's `models/` folder; runs without `studio.*` tags
//! become [`RunKind::Imported`] runs.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use thiserror::Error;

use super::filter::kind_name;
use super::yaml::{self, Mapping, Out};
use super::{
    ExperimentRecord, MetricHistory, MetricStep, RunArtifact, RunKind, RunRecord, RunStatus,
    RUN_SCHEMA_VERSION,
};

/// The folder every exported path starts with.
pub const MLRUNS: &str = "mlruns";

/// Written files, with what was changed to fit MLflow.
#[derive(Clone, Debug, PartialEq)]
pub struct MlflowExport {
    /// `(path, content)`, paths relative and `/`-separated, starting with `mlruns/`. A
    /// path ending in `/` is a folder (empty content): MLflow 3 reads a run only when its
    /// `artifacts/`, `metrics/` and `params/` folders exist, even empty, so a zip writer
    /// must write these as directory entries.
    pub files: Vec<(String, Vec<u8>)>,
    pub warnings: Vec<String>,
}

/// What a folder held, with what was skipped and why.
#[derive(Clone, Debug, PartialEq)]
pub struct MlflowImport {
    pub experiments: Vec<ExperimentRecord>,
    pub runs: Vec<RunRecord>,
    pub warnings: Vec<String>,
}

/// Why a folder cannot be read as MLflow runs.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ImportError {
    #[error(
        "no MLflow experiment found: expected <experiment id>/meta.yaml, inside mlruns/ or not"
    )]
    NoExperiment,
    #[error("{path} is not UTF-8 text")]
    NotUtf8 { path: String },
    #[error("{path}, line {line}: {message}")]
    Yaml {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{path} has no {field}")]
    MissingField { path: String, field: &'static str },
    #[error("{path}, line {line}: {field} is \"{value}\", expected {expected}")]
    InvalidField {
        path: String,
        line: usize,
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{path}, line {line}: \"{text}\" is not `<timestamp_ms> <value> <step>`: {reason}")]
    MetricLine {
        path: String,
        line: usize,
        text: String,
        reason: String,
    },
}

// Tags carrying what MLflow's run has no field for.
const TAG_RUN_NAME: &str = "mlflow.runName";
const TAG_PARENT: &str = "mlflow.parentRunId";
const TAG_NOTE: &str = "mlflow.note.content";
const TAG_SOURCE_NAME: &str = "mlflow.source.name";
const TAG_SOURCE_TYPE: &str = "mlflow.source.type";
const TAG_GIT_COMMIT: &str = "mlflow.source.git.commit";
const STUDIO_RUN_ID: &str = "studio.run_id";
const STUDIO_EXPERIMENT_ID: &str = "studio.experiment_id";
const STUDIO_KIND: &str = "studio.kind";
const STUDIO_CODE_VERSION: &str = "studio.code_version";
const STUDIO_DATASET_ID: &str = "studio.dataset_id";
const STUDIO_DATASET_NAME: &str = "studio.dataset_name";
const STUDIO_DATASET_HASH: &str = "studio.dataset_content_hash";
const STUDIO_RECIPES: &str = "studio.recipe_hashes";
const STUDIO_SEED: &str = "studio.seed";
const STUDIO_MODEL_ID: &str = "studio.model_id";
const STUDIO_ACTION_ID: &str = "studio.action_id";
const STUDIO_ARTIFACTS: &str = "studio.artifacts";
const STUDIO_DURATION: &str = "studio.duration_secs";
const STUDIO_STARTED: &str = "studio.started_at_ms";
const STUDIO_TARGET: &str = "studio.target";
const SOURCE_NAME: &str = "ML Studio";

/// MLflow's `SourceType.LOCAL`.
const SOURCE_TYPE_LOCAL: i64 = 4;

/// Folders inside an experiment that are not runs (MLflow's `RESERVED_EXPERIMENT_FOLDERS`).
const RESERVED_FOLDERS: [&str; 3] = ["tags", "datasets", "traces"];

fn status_number(status: RunStatus) -> i64 {
    match status {
        RunStatus::Running => 1,
        RunStatus::Finished => 3,
        RunStatus::Failed => 4,
        RunStatus::Killed => 5,
    }
}

/// MLflow's status, by number or name; SCHEDULED (2) reads as running.
fn status_of(text: &str) -> Option<RunStatus> {
    match text.to_ascii_uppercase().as_str() {
        "1" | "RUNNING" | "2" | "SCHEDULED" => Some(RunStatus::Running),
        "3" | "FINISHED" => Some(RunStatus::Finished),
        "4" | "FAILED" => Some(RunStatus::Failed),
        "5" | "KILLED" => Some(RunStatus::Killed),
        _ => None,
    }
}

fn fnv1a_64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn fnv1a_128(bytes: &[u8]) -> u128 {
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for &byte in bytes {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    hash
}

/// Ids in MLflow's form, unique within one export.
struct IdMap {
    experiments: HashMap<String, String>,
    runs: HashMap<String, String>,
}

fn experiment_folder_id(id: &str, attempt: usize) -> String {
    if attempt == 0 && !id.is_empty() && id.len() <= 18 && id.bytes().all(|b| b.is_ascii_digit()) {
        return id.to_string();
    }
    let hash = fnv1a_64(format!("{id}#{attempt}").as_bytes());
    // 18 digits, never starting with 0, like MLflow's generated ids.
    (100_000_000_000_000_000 + hash % 900_000_000_000_000_000).to_string()
}

fn run_folder_id(id: &str, attempt: usize) -> String {
    if attempt == 0 && id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return id.to_string();
    }
    format!("{:032x}", fnv1a_128(format!("{id}#{attempt}").as_bytes()))
}

fn unique_ids<'a>(
    ids: impl Iterator<Item = &'a str>,
    folder_id: fn(&str, usize) -> String,
) -> HashMap<String, String> {
    let mut taken: HashSet<String> = HashSet::new();
    let mut map = HashMap::new();
    for id in ids {
        if map.contains_key(id) {
            continue;
        }
        let mut attempt = 0;
        let mut candidate = folder_id(id, attempt);
        while taken.contains(&candidate) {
            attempt += 1;
            candidate = folder_id(id, attempt);
        }
        taken.insert(candidate.clone());
        map.insert(id.to_string(), candidate);
    }
    map
}

/// Whether MLflow takes `key` as a param, metric or tag name: letters, digits, `_ - . /`
/// and space, and a path that normalizes to itself.
fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' '))
        && !key.starts_with('/')
        && !key.ends_with('/')
        && key.split('/').all(|part| !matches!(part, "" | "." | ".."))
}

/// `key` made valid for MLflow: each refused character becomes `_`, and empty, `.` and
/// `..` path parts become `_`.
fn mlflow_key(key: &str) -> String {
    let replaced: String = key
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    replaced
        .split('/')
        .map(|part| match part {
            "" | "." | ".." => "_",
            part => part,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Python's `float()` reads these: `nan`, `inf`, `-inf`, and Rust's shortest round-trip
/// form of any other value (`0.1`, `3.0`, `1e-7`).
fn metric_value_text(value: f64) -> String {
    if value.is_nan() {
        "nan".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{value:?}")
    }
}

fn whole_ms(ms: f64) -> i64 {
    if ms.is_finite() {
        ms.round() as i64
    } else {
        0
    }
}

/// Writes `experiments` and `runs` in MLflow's file store layout under `mlruns/`.
///
/// A run whose experiment is not among `experiments` gets an experiment named by its id,
/// with a warning.
pub fn mlflow_folder(experiments: &[ExperimentRecord], runs: &[RunRecord]) -> MlflowExport {
    let mut warnings = Vec::new();
    let mut experiments: Vec<ExperimentRecord> = experiments.to_vec();
    let known: HashSet<String> = experiments
        .iter()
        .map(|e| e.experiment_id.clone())
        .collect();
    let mut added: BTreeSet<&str> = BTreeSet::new();
    for run in runs {
        if !known.contains(&run.experiment_id) && added.insert(&run.experiment_id) {
            warnings.push(format!(
                "run \"{}\" belongs to experiment \"{}\", which was not given: it is written with that id as its name",
                run.name, run.experiment_id
            ));
        }
    }
    for id in added {
        experiments.push(ExperimentRecord {
            schema_version: RUN_SCHEMA_VERSION,
            experiment_id: id.to_string(),
            name: id.to_string(),
            created_at_ms: runs
                .iter()
                .filter(|run| run.experiment_id == id)
                .map(|run| run.started_at_ms)
                .fold(f64::INFINITY, f64::min),
            dataset_name: None,
            target: None,
            tags: BTreeMap::new(),
        });
    }
    experiments.sort_by(|a, b| {
        a.created_at_ms
            .total_cmp(&b.created_at_ms)
            .then_with(|| a.experiment_id.cmp(&b.experiment_id))
    });
    let ids = IdMap {
        experiments: unique_ids(
            experiments.iter().map(|e| e.experiment_id.as_str()),
            experiment_folder_id,
        ),
        runs: unique_ids(runs.iter().map(|r| r.run_id.as_str()), run_folder_id),
    };

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for experiment in &experiments {
        let folder_id = &ids.experiments[&experiment.experiment_id];
        let folder = format!("{MLRUNS}/{folder_id}");
        let created = whole_ms(experiment.created_at_ms);
        let meta = yaml::write(&[
            ("artifact_location", Out::Text(&folder)),
            ("creation_time", Out::Int(created)),
            ("experiment_id", Out::Text(folder_id)),
            ("last_update_time", Out::Int(created)),
            ("lifecycle_stage", Out::Text("active")),
            ("name", Out::Text(&experiment.name)),
        ]);
        files.push((format!("{folder}/meta.yaml"), meta.into_bytes()));
        let mut tags = experiment.tags.clone();
        tags.insert(
            STUDIO_EXPERIMENT_ID.to_string(),
            experiment.experiment_id.clone(),
        );
        if let Some(dataset) = &experiment.dataset_name {
            tags.insert(STUDIO_DATASET_NAME.to_string(), dataset.clone());
        }
        if let Some(target) = &experiment.target {
            tags.insert(STUDIO_TARGET.to_string(), target.clone());
        }
        let what = format!("experiment \"{}\"", experiment.name);
        write_values(
            &mut files,
            &mut warnings,
            &format!("{folder}/tags"),
            "tag",
            &what,
            &tags,
        );
    }

    for run in runs {
        let folder = format!(
            "{MLRUNS}/{}/{}",
            ids.experiments[&run.experiment_id], ids.runs[&run.run_id]
        );
        write_run(&mut files, &mut warnings, &ids, &folder, run);
    }
    MlflowExport { files, warnings }
}

fn write_values(
    files: &mut Vec<(String, Vec<u8>)>,
    warnings: &mut Vec<String>,
    folder: &str,
    what: &str,
    owner: &str,
    values: &BTreeMap<String, String>,
) {
    let mut written: HashSet<String> = HashSet::new();
    for (key, value) in values {
        let Some(name) = checked_key(warnings, &mut written, key, what, owner) else {
            continue;
        };
        files.push((format!("{folder}/{name}"), value.clone().into_bytes()));
    }
}

/// The key MLflow will take, with a warning when it had to change; `None` (with a warning)
/// when the changed key clashes with one already written.
fn checked_key(
    warnings: &mut Vec<String>,
    written: &mut HashSet<String>,
    key: &str,
    what: &str,
    owner: &str,
) -> Option<String> {
    let name = if valid_key(key) {
        key.to_string()
    } else {
        let name = mlflow_key(key);
        warnings.push(format!(
            "{what} \"{key}\" of {owner} is written as \"{name}\": MLflow keys hold only letters, digits, spaces and _ - . /"
        ));
        name
    };
    if !written.insert(name.clone()) {
        warnings.push(format!(
            "{what} \"{key}\" of {owner} is left out: another {what} is already written as \"{name}\""
        ));
        return None;
    }
    Some(name)
}

fn write_run(
    files: &mut Vec<(String, Vec<u8>)>,
    warnings: &mut Vec<String>,
    ids: &IdMap,
    folder: &str,
    run: &RunRecord,
) {
    let folder_id = &ids.runs[&run.run_id];
    let experiment_folder_id = &ids.experiments[&run.experiment_id];
    let start = whole_ms(run.started_at_ms);
    let end = whole_ms(run.started_at_ms + run.duration_secs * 1000.0);
    let artifacts = format!("{folder}/artifacts");
    let meta = yaml::write(&[
        ("artifact_uri", Out::Text(&artifacts)),
        (
            "end_time",
            if run.status == RunStatus::Running {
                Out::Null
            } else {
                Out::Int(end)
            },
        ),
        ("entry_point_name", Out::Text("")),
        ("experiment_id", Out::Text(experiment_folder_id)),
        ("lifecycle_stage", Out::Text("active")),
        ("run_id", Out::Text(folder_id)),
        ("run_name", Out::Text(&run.name)),
        ("run_uuid", Out::Text(folder_id)),
        ("source_name", Out::Text("")),
        ("source_type", Out::Int(SOURCE_TYPE_LOCAL)),
        ("source_version", Out::Text("")),
        ("start_time", Out::Int(start)),
        ("status", Out::Int(status_number(run.status))),
        ("tags", Out::EmptyList),
        ("user_id", Out::Text("")),
    ]);
    files.push((format!("{folder}/meta.yaml"), meta.into_bytes()));
    // MLflow 3 finds a run only when these folders exist, empty or not.
    for sub in ["artifacts", "metrics", "params"] {
        files.push((format!("{folder}/{sub}/"), Vec::new()));
    }
    let owner = format!("run \"{}\"", run.name);

    write_values(
        files,
        warnings,
        &format!("{folder}/params"),
        "param",
        &owner,
        &run.params,
    );

    // Metrics: every history line, then the final value where it is not the history's
    // latest (MLflow's latest is the line with the largest (step, timestamp, value)).
    let mut written: HashSet<String> = HashSet::new();
    let keys: BTreeSet<&str> = run
        .metrics
        .keys()
        .map(String::as_str)
        .chain(run.history.iter().map(|h| h.key.as_str()))
        .collect();
    for key in keys {
        let Some(name) = checked_key(warnings, &mut written, key, "metric", &owner) else {
            continue;
        };
        let mut lines: Vec<(i64, f64, u64)> = run
            .history(key)
            .map(|h| {
                h.steps
                    .iter()
                    .map(|s| (whole_ms(s.timestamp_ms), s.value, s.step))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(&value) = run.metrics.get(key) {
            match latest(&lines) {
                Some((_, last, _)) if last.to_bits() == value.to_bits() => {}
                Some((ts, _, step)) => lines.push((ts, value, step + 1)),
                None => lines.push((end, value, 0)),
            }
        }
        let text: String = lines
            .iter()
            .map(|(ts, value, step)| format!("{ts} {} {step}\n", metric_value_text(*value)))
            .collect();
        files.push((format!("{folder}/metrics/{name}"), text.into_bytes()));
    }

    let mut tags = run.tags.clone();
    let mut put = |key: &str, value: String| {
        tags.insert(key.to_string(), value);
    };
    put(TAG_RUN_NAME, run.name.clone());
    if let Some(parent) = &run.parent_run_id {
        let parent_folder = ids
            .runs
            .get(parent)
            .cloned()
            .unwrap_or_else(|| run_folder_id(parent, 0));
        put(TAG_PARENT, parent_folder);
    }
    if !run.notes.is_empty() {
        put(TAG_NOTE, run.notes.clone());
    }
    put(STUDIO_RUN_ID, run.run_id.clone());
    put(STUDIO_KIND, kind_name(run.kind).to_string());
    put(STUDIO_CODE_VERSION, run.code_version.clone());
    put(STUDIO_DURATION, format!("{:?}", run.duration_secs));
    if run.started_at_ms.fract() != 0.0 {
        put(STUDIO_STARTED, format!("{:?}", run.started_at_ms));
    }
    let optional = [
        (STUDIO_DATASET_ID, &run.dataset_id),
        (STUDIO_DATASET_NAME, &run.dataset_name),
        (STUDIO_DATASET_HASH, &run.dataset_content_hash),
        (STUDIO_MODEL_ID, &run.model_id),
        (STUDIO_ACTION_ID, &run.action_id),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            put(key, value.clone());
        }
    }
    if !run.recipe_hashes.is_empty() {
        put(
            STUDIO_RECIPES,
            serde_json::to_string(&run.recipe_hashes).expect("strings serialize"),
        );
    }
    if let Some(seed) = run.seed {
        put(STUDIO_SEED, seed.to_string());
    }
    if !run.artifacts.is_empty() {
        put(
            STUDIO_ARTIFACTS,
            serde_json::to_string(&run.artifacts).expect("artifacts serialize"),
        );
    }
    // A run read from MLflow keeps the source it had.
    if !run.tags.contains_key(TAG_SOURCE_NAME) {
        tags.insert(TAG_SOURCE_NAME.to_string(), SOURCE_NAME.to_string());
        tags.insert(TAG_SOURCE_TYPE.to_string(), "LOCAL".to_string());
    }
    write_values(
        files,
        warnings,
        &format!("{folder}/tags"),
        "tag",
        &owner,
        &tags,
    );
}

fn latest(lines: &[(i64, f64, u64)]) -> Option<(i64, f64, u64)> {
    lines
        .iter()
        .copied()
        .max_by(|a, b| a.2.cmp(&b.2).then(a.0.cmp(&b.0)).then(a.1.total_cmp(&b.1)))
}

/// A file of the folder, split into path parts.
struct File<'a> {
    path: &'a str,
    parts: Vec<&'a str>,
    bytes: &'a [u8],
}

fn text<'a>(file: &File<'a>) -> Result<&'a str, ImportError> {
    std::str::from_utf8(file.bytes).map_err(|_| ImportError::NotUtf8 {
        path: file.path.to_string(),
    })
}

fn read_meta(file: &File<'_>) -> Result<Mapping, ImportError> {
    yaml::parse(text(file)?).map_err(|error| ImportError::Yaml {
        path: file.path.to_string(),
        line: error.line,
        message: error.message,
    })
}

/// A whole number of a meta file (`start_time: 1721450907221`).
fn meta_int(
    meta: &Mapping,
    file: &File<'_>,
    field: &'static str,
) -> Result<Option<i64>, ImportError> {
    let Some((text, line)) = meta.text(field) else {
        return Ok(None);
    };
    text.parse::<i64>()
        .map(Some)
        .map_err(|_| ImportError::InvalidField {
            path: file.path.to_string(),
            line,
            field,
            value: text.to_string(),
            expected: "a whole number",
        })
}

fn required<'m>(
    meta: &'m Mapping,
    file: &File<'_>,
    field: &'static str,
) -> Result<&'m str, ImportError> {
    meta.text(field)
        .map(|(text, _)| text)
        .ok_or_else(|| ImportError::MissingField {
            path: file.path.to_string(),
            field,
        })
}

fn deleted(meta: &Mapping) -> bool {
    meta.text("lifecycle_stage")
        .is_some_and(|(stage, _)| stage.eq_ignore_ascii_case("deleted"))
}

/// Reads experiments and runs from the files of an MLflow file store folder.
///
/// `files` are `(path, content)` with `/` or `\` between folders; any folders may come
/// before the experiments' (`mlruns/`, `export/mlruns/`, none). Files that are not
/// meta, params, metrics or tags (artifacts, datasets, traces, models) are ignored.
pub fn read_mlflow_folder(files: &[(String, Vec<u8>)]) -> Result<MlflowImport, ImportError> {
    let files: Vec<File<'_>> = files
        .iter()
        .map(|(path, bytes)| File {
            path,
            parts: path
                .split(['/', '\\'])
                .filter(|part| !part.is_empty() && *part != ".")
                .collect(),
            bytes,
        })
        .filter(|file| !file.parts.contains(&".trash") && !file.path.ends_with(['/', '\\']))
        .collect();
    // Folders holding a meta.yaml, by their path parts.
    let meta_dirs: HashSet<&[&str]> = files
        .iter()
        .filter(|f| f.parts.last() == Some(&"meta.yaml"))
        .map(|f| &f.parts[..f.parts.len() - 1])
        .collect();
    // An experiment folder holds a meta.yaml and has no ancestor holding one.
    let is_experiment = |dir: &[&str]| {
        meta_dirs.contains(dir) && (0..dir.len()).all(|n| !meta_dirs.contains(&dir[..n]))
    };
    let mut experiment_files: Vec<&File<'_>> = files
        .iter()
        .filter(|f| {
            f.parts.last() == Some(&"meta.yaml") && is_experiment(&f.parts[..f.parts.len() - 1])
        })
        .collect();
    if experiment_files.is_empty() {
        return Err(ImportError::NoExperiment);
    }
    experiment_files.sort_by_key(|f| f.path);

    let mut warnings = Vec::new();
    let mut experiments = Vec::new();
    let mut runs = Vec::new();
    // MLflow run id → ours, to restore parents.
    let mut run_ids: HashMap<String, String> = HashMap::new();
    let mut parents: Vec<Option<String>> = Vec::new();
    for meta_file in experiment_files {
        let dir = &meta_file.parts[..meta_file.parts.len() - 1];
        let meta = read_meta(meta_file)?;
        // `models/<name>/meta.yaml` beside the experiments is MLflow's model registry.
        let registry = dir.len() >= 2 && dir[dir.len() - 2] == "models";
        if deleted(&meta) || (registry && meta.text("experiment_id").is_none()) {
            continue;
        }
        let mlflow_id = required(&meta, meta_file, "experiment_id")?.to_string();
        let name = required(&meta, meta_file, "name")?.to_string();
        let created = meta_int(&meta, meta_file, "creation_time")?.unwrap_or(0);
        let in_dir = |sub: &'static str| {
            files
                .iter()
                .filter(move |f| f.parts.len() > dir.len() + 1 && f.parts[..dir.len()] == *dir)
                .filter(move |f| f.parts[dir.len()] == sub)
        };
        let mut tags = BTreeMap::new();
        for file in in_dir("tags") {
            tags.insert(
                file.parts[dir.len() + 1..].join("/"),
                text(file)?.to_string(),
            );
        }
        let experiment_id = tags
            .remove(STUDIO_EXPERIMENT_ID)
            .unwrap_or(mlflow_id.clone());
        experiments.push(ExperimentRecord {
            schema_version: RUN_SCHEMA_VERSION,
            experiment_id: experiment_id.clone(),
            name,
            created_at_ms: created as f64,
            dataset_name: tags.remove(STUDIO_DATASET_NAME),
            target: tags.remove(STUDIO_TARGET),
            tags,
        });

        // Runs: child folders holding a meta.yaml.
        let mut run_dirs: Vec<&File<'_>> = files
            .iter()
            .filter(|f| {
                f.parts.len() == dir.len() + 2
                    && f.parts[..dir.len()] == *dir
                    && f.parts[dir.len() + 1] == "meta.yaml"
                    && !RESERVED_FOLDERS.contains(&f.parts[dir.len()])
            })
            .collect();
        run_dirs.sort_by_key(|f| f.path);
        for run_meta in run_dirs {
            let run_dir = &run_meta.parts[..dir.len() + 1];
            let Some((run, parent)) = read_run(
                &files,
                run_meta,
                run_dir,
                &mlflow_id,
                &experiment_id,
                &mut warnings,
            )?
            else {
                continue;
            };
            run_ids.insert(run_dir[dir.len()].to_string(), run.run_id.clone());
            runs.push(run);
            parents.push(parent);
        }
    }
    for (run, parent) in runs.iter_mut().zip(parents) {
        run.parent_run_id = parent.map(|p| run_ids.get(&p).cloned().unwrap_or(p));
    }
    experiments.sort_by(|a, b| a.experiment_id.cmp(&b.experiment_id));
    Ok(MlflowImport {
        experiments,
        runs,
        warnings,
    })
}

/// One run folder: the record and its MLflow parent run id; `None` for a deleted run or
/// one filed under another experiment (MLflow skips those too).
fn read_run(
    files: &[File<'_>],
    meta_file: &File<'_>,
    dir: &[&str],
    experiment_mlflow_id: &str,
    experiment_id: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<(RunRecord, Option<String>)>, ImportError> {
    let meta = read_meta(meta_file)?;
    if deleted(&meta) {
        return Ok(None);
    }
    let mlflow_run_id = match meta.text("run_id").or(meta.text("run_uuid")) {
        Some((id, _)) => id.to_string(),
        None => {
            return Err(ImportError::MissingField {
                path: meta_file.path.to_string(),
                field: "run_id",
            })
        }
    };
    if let Some((id, _)) = meta.text("experiment_id") {
        if id != experiment_mlflow_id {
            warnings.push(format!(
                "{} is skipped: it names experiment {id} but sits in experiment {experiment_mlflow_id}'s folder",
                meta_file.path
            ));
            return Ok(None);
        }
    }
    let status = match meta.text("status") {
        None => RunStatus::Running,
        Some((text, line)) => status_of(text).ok_or_else(|| ImportError::InvalidField {
            path: meta_file.path.to_string(),
            line,
            field: "status",
            value: text.to_string(),
            expected: "1 to 5 (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)",
        })?,
    };
    let start = meta_int(&meta, meta_file, "start_time")?;
    let end = meta_int(&meta, meta_file, "end_time")?;

    let under = |sub: &'static str| {
        files.iter().filter(move |f| {
            f.parts.len() > dir.len() + 1
                && f.parts[..dir.len()] == *dir
                && f.parts[dir.len()] == sub
        })
    };
    let key_of = |file: &File<'_>| file.parts[dir.len() + 1..].join("/");
    let mut params = BTreeMap::new();
    for file in under("params") {
        params.insert(key_of(file), text(file)?.to_string());
    }
    let mut tags = BTreeMap::new();
    for file in under("tags") {
        tags.insert(key_of(file), text(file)?.to_string());
    }
    let mut metrics = BTreeMap::new();
    let mut history = Vec::new();
    let mut metric_files: Vec<&File<'_>> = under("metrics").collect();
    metric_files.sort_by_key(|f| f.path);
    for file in metric_files {
        let key = key_of(file);
        let lines = metric_lines(file)?;
        let Some((_, final_value, _)) = latest(&lines) else {
            warnings.push(format!(
                "{} holds no value: the metric is left out",
                file.path
            ));
            continue;
        };
        let owner = || format!("metric \"{key}\" of run {mlflow_run_id}");
        if final_value.is_finite() {
            metrics.insert(key.clone(), final_value);
        } else {
            warnings.push(format!(
                "{} is {final_value}, left out: the studio stores runs as JSON, which has no NaN or infinity",
                owner()
            ));
        }
        if lines.len() > 1 || lines[0].2 != 0 {
            let mut steps: Vec<MetricStep> = lines
                .iter()
                .filter(|(_, value, _)| value.is_finite())
                .map(|&(ts, value, step)| MetricStep {
                    step,
                    value,
                    timestamp_ms: ts as f64,
                })
                .collect();
            steps.sort_by_key(|s| s.step);
            if steps.len() < lines.len() {
                warnings.push(format!(
                    "{}: {} steps that are not finite numbers are left out",
                    owner(),
                    lines.len() - steps.len()
                ));
            }
            if !steps.is_empty() {
                history.push(MetricHistory { key, steps });
            }
        }
    }

    let ours = tags.contains_key(STUDIO_RUN_ID);
    let git_commit = tags.get(TAG_GIT_COMMIT).cloned();
    let mut take = |key: &str| tags.remove(key);
    let run_id = take(STUDIO_RUN_ID).unwrap_or(mlflow_run_id.clone());
    let tag_name = take(TAG_RUN_NAME);
    let parent = take(TAG_PARENT);
    let notes = take(TAG_NOTE).unwrap_or_default();
    let kind = match take(STUDIO_KIND).as_deref() {
        Some("build") => RunKind::Build,
        Some("candidate") => RunKind::Candidate,
        _ => RunKind::Imported,
    };
    let name = meta
        .text("run_name")
        .map(|(name, _)| name.to_string())
        .filter(|name| !name.is_empty())
        .or(tag_name)
        .unwrap_or(mlflow_run_id.clone());
    let started_at_ms = take(STUDIO_STARTED)
        .and_then(|ms| ms.parse::<f64>().ok())
        .unwrap_or(start.unwrap_or(0) as f64);
    let duration_secs = take(STUDIO_DURATION)
        .and_then(|secs| secs.parse::<f64>().ok())
        .unwrap_or_else(|| match (start, end) {
            (Some(start), Some(end)) if end >= start => (end - start) as f64 / 1000.0,
            _ => 0.0,
        });
    let code_version = take(STUDIO_CODE_VERSION)
        .or(git_commit)
        .unwrap_or_else(|| "imported from MLflow".to_string());
    let recipe_hashes = match take(STUDIO_RECIPES) {
        Some(json) => serde_json::from_str(&json).unwrap_or_else(|_| {
            warnings.push(format!(
                "tag {STUDIO_RECIPES} of run {mlflow_run_id} is not a JSON list: left out"
            ));
            Vec::new()
        }),
        None => Vec::new(),
    };
    let artifacts: Vec<RunArtifact> = match take(STUDIO_ARTIFACTS) {
        Some(json) => serde_json::from_str(&json).unwrap_or_else(|_| {
            warnings.push(format!("tag {STUDIO_ARTIFACTS} of run {mlflow_run_id} is not a JSON list of artifacts: left out"));
            Vec::new()
        }),
        None => Vec::new(),
    };
    let seed = take(STUDIO_SEED).and_then(|seed| seed.parse().ok());
    let dataset_id = take(STUDIO_DATASET_ID);
    let dataset_name = take(STUDIO_DATASET_NAME);
    let dataset_content_hash = take(STUDIO_DATASET_HASH);
    let model_id = take(STUDIO_MODEL_ID);
    let action_id = take(STUDIO_ACTION_ID);
    if ours {
        // Written by the export, not by the user.
        tags.remove(TAG_SOURCE_NAME);
        tags.remove(TAG_SOURCE_TYPE);
    }
    Ok(Some((
        RunRecord {
            schema_version: RUN_SCHEMA_VERSION,
            run_id,
            experiment_id: experiment_id.to_string(),
            name,
            kind,
            parent_run_id: None,
            status,
            started_at_ms,
            duration_secs,
            params,
            metrics,
            history,
            dataset_id,
            dataset_name,
            dataset_content_hash,
            recipe_hashes,
            seed,
            code_version,
            tags,
            notes,
            artifacts,
            model_id,
            action_id,
            findings: Vec::new(),
        },
        parent,
    )))
}

/// A metric file's lines as (timestamp_ms, value, step); MLflow also reads lines without
/// a step (step 0).
fn metric_lines(file: &File<'_>) -> Result<Vec<(i64, f64, u64)>, ImportError> {
    let mut lines = Vec::new();
    for (index, line) in text(file)?.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let bad = |reason: String| ImportError::MetricLine {
            path: file.path.to_string(),
            line: index + 1,
            text: trimmed.to_string(),
            reason,
        };
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        if !(2..=3).contains(&fields.len()) {
            return Err(bad(format!("{} fields, expected 3", fields.len())));
        }
        let timestamp = fields[0].parse::<i64>().map_err(|_| {
            bad(format!(
                "the timestamp \"{}\" is not a whole number",
                fields[0]
            ))
        })?;
        let value = fields[1]
            .parse::<f64>()
            .map_err(|_| bad(format!("the value \"{}\" is not a number", fields[1])))?;
        let step = match fields.get(2) {
            None => 0,
            Some(step) => step
                .parse::<u64>()
                .map_err(|_| bad(format!("the step \"{step}\" is not a whole number ≥ 0")))?,
        };
        lines.push((timestamp, value, step));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_take_mlflow_form() {
        assert_eq!(experiment_folder_id("7", 0), "7");
        let hashed = experiment_folder_id("exp-penguins", 0);
        assert_eq!(hashed.len(), 18);
        assert!(hashed.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(hashed, experiment_folder_id("exp-penguins", 0));
        assert_ne!(hashed, experiment_folder_id("exp-penguins", 1));
        let run = run_folder_id("run-1", 0);
        assert_eq!(run.len(), 32);
        assert_eq!(run_folder_id(&run, 0), run);
        assert_ne!(run_folder_id("run-2", 0), run);
    }

    #[test]
    fn keys_mlflow_refuses_are_mended() {
        assert!(valid_key("train/loss"));
        assert!(valid_key("my metric"));
        assert!(!valid_key("a//b"));
        assert!(!valid_key("../up"));
        assert!(!valid_key("r²:test"));
        assert_eq!(mlflow_key("a:b"), "a_b");
        assert_eq!(mlflow_key("../up"), "_/up");
        assert_eq!(mlflow_key("/x/"), "_/x/_");
        assert!(valid_key(&mlflow_key("/x/")));
    }

    #[test]
    fn metric_values_read_back_in_python_and_rust() {
        for value in [0.1, 3.0, 1e-7, -2.5e300] {
            assert_eq!(metric_value_text(value).parse::<f64>().unwrap(), value);
        }
        assert_eq!(metric_value_text(f64::NAN), "nan");
        assert_eq!(metric_value_text(f64::NEG_INFINITY), "-inf");
    }
}

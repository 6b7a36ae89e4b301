//! Runs leaving and entering the studio: the CSV file, the MLflow folder's layout, a round
//! trip through it (runs of a real AutoML build included), a folder as MLflow writes it,
//! and import errors naming the file and line.
//!
//! `mlflow_reads_export.py` beside this file checks that MLflow itself reads the folder;
//! it calls the ignored `write_folder_for_mlflow` test below.

use std::collections::BTreeMap;
use std::path::Path;

use compute::automl::run::run as automl_run;
use compute::automl::AutomlOptions;
use compute::csv::{read_csv, CsvOptions};
use compute::experiments::{
    mlflow_folder, read_mlflow_folder, runs_csv, runs_for_build, BuildContext, ExperimentRecord,
    ImportError, MetricHistory, MetricStep, RunArtifact, RunIds, RunKind, RunRecord, RunStatus,
    RUN_SCHEMA_VERSION,
};
use compute::ml::matrix::take_rows;
use compute::ml::{Control, Model};

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");

fn run(id: &str, experiment: &str) -> RunRecord {
    RunRecord {
        schema_version: RUN_SCHEMA_VERSION,
        run_id: id.to_string(),
        experiment_id: experiment.to_string(),
        name: format!("run {id}"),
        kind: RunKind::Build,
        parent_run_id: None,
        status: RunStatus::Finished,
        started_at_ms: 1_700_000_000_000.0,
        duration_secs: 2.5,
        params: BTreeMap::new(),
        metrics: BTreeMap::new(),
        history: Vec::new(),
        dataset_id: None,
        dataset_name: None,
        dataset_content_hash: None,
        recipe_hashes: Vec::new(),
        seed: None,
        code_version: "studio 0.1.0".to_string(),
        tags: BTreeMap::new(),
        notes: String::new(),
        artifacts: Vec::new(),
        model_id: None,
        action_id: None,
        findings: Vec::new(),
    }
}

fn experiment(id: &str, name: &str) -> ExperimentRecord {
    ExperimentRecord {
        schema_version: RUN_SCHEMA_VERSION,
        experiment_id: id.to_string(),
        name: name.to_string(),
        created_at_ms: 1_690_000_000_000.0,
        dataset_name: None,
        target: None,
        tags: BTreeMap::new(),
    }
}

fn files_map(files: &[(String, Vec<u8>)]) -> BTreeMap<&str, &str> {
    files
        .iter()
        .map(|(path, bytes)| (path.as_str(), std::str::from_utf8(bytes).unwrap()))
        .collect()
}

#[test]
fn csv_has_the_attributes_then_sorted_keys() {
    let mut a = run("a", "e1");
    a.params.insert("max_depth".into(), "8".into());
    a.params.insert("l2".into(), "-0.5".into());
    a.metrics.insert("r2".into(), 0.75);
    a.metrics.insert("rmse".into(), f64::INFINITY);
    a.tags.insert("note".into(), "=cmd|' /C calc'!A0".into());
    let mut b = run("b", "e1");
    b.kind = RunKind::Candidate;
    b.parent_run_id = Some("a".into());
    b.status = RunStatus::Killed;
    b.name = "gbdt(learning_rate=0.1, max_leaf_nodes=31)".into();
    b.metrics.insert("r2".into(), 1e-7);
    b.tags
        .insert("note".into(), "line one\nline \"two\"".into());
    assert_eq!(
        runs_csv(&[a, b]),
        "run_id,experiment_id,name,kind,parent_run_id,status,start_time,duration_secs,params.l2,params.max_depth,metrics.r2,metrics.rmse,tags.note\n\
         a,e1,run a,build,,FINISHED,1700000000000.0,2.5,-0.5,8,0.75,1e999,'=cmd|' /C calc'!A0\n\
         b,e1,\"gbdt(learning_rate=0.1, max_leaf_nodes=31)\",candidate,a,KILLED,1700000000000.0,2.5,,,1e-7,,\"line one\nline \"\"two\"\"\"\n"
    );
}

#[test]
fn the_folder_is_laid_out_like_mlflows_file_store() {
    let mut build = run("2f1e4b6a9c8d7e6f5a4b3c2d1e0f9a8b", "7");
    build.name = "gbdt on penguins".into();
    build.params.insert("max_depth".into(), "None".into());
    build.metrics.insert("accuracy".into(), 0.97);
    build.history = vec![MetricHistory {
        key: "train_loss".into(),
        steps: vec![
            MetricStep {
                step: 0,
                value: 1.1,
                timestamp_ms: 1_700_000_002_500.0,
            },
            MetricStep {
                step: 1,
                value: 0.5,
                timestamp_ms: 1_700_000_002_500.0,
            },
        ],
    }];
    build.metrics.insert("train_loss".into(), 0.5);
    build.notes = "first try".into();
    build
        .tags
        .insert("a:b".into(), "kept under a mended key".into());
    let mut candidate = run("cand-1", "7");
    candidate.kind = RunKind::Candidate;
    candidate.parent_run_id = Some(build.run_id.clone());
    candidate.status = RunStatus::Running;
    let mut e = experiment("7", "penguins → species");
    e.dataset_name = Some("penguins".into());
    e.target = Some("species".into());

    let export = mlflow_folder(&[e], &[build, candidate]);
    let files = files_map(&export.files);
    let candidate_folder = {
        let path = files
            .keys()
            .find(|p| p.ends_with("/tags/studio.run_id") && files[*p] == "cand-1")
            .unwrap();
        path.split('/').nth(2).unwrap().to_string()
    };
    assert_eq!(candidate_folder.len(), 32);
    assert!(candidate_folder.bytes().all(|b| b.is_ascii_hexdigit()));
    let b = "mlruns/7/2f1e4b6a9c8d7e6f5a4b3c2d1e0f9a8b";
    let c = format!("mlruns/7/{candidate_folder}");
    let mut expected: Vec<String> = vec![
        "mlruns/7/meta.yaml".into(),
        "mlruns/7/tags/studio.dataset_name".into(),
        "mlruns/7/tags/studio.experiment_id".into(),
        "mlruns/7/tags/studio.target".into(),
    ];
    for path in [
        "meta.yaml",
        "artifacts/",
        "metrics/",
        "params/",
        "params/max_depth",
        "metrics/accuracy",
        "metrics/train_loss",
        "tags/a_b",
        "tags/mlflow.note.content",
        "tags/mlflow.runName",
        "tags/mlflow.source.name",
        "tags/mlflow.source.type",
        "tags/studio.code_version",
        "tags/studio.duration_secs",
        "tags/studio.kind",
        "tags/studio.run_id",
    ] {
        expected.push(format!("{b}/{path}"));
    }
    for path in [
        "meta.yaml",
        "artifacts/",
        "metrics/",
        "params/",
        "tags/mlflow.parentRunId",
        "tags/mlflow.runName",
        "tags/mlflow.source.name",
        "tags/mlflow.source.type",
        "tags/studio.code_version",
        "tags/studio.duration_secs",
        "tags/studio.kind",
        "tags/studio.run_id",
    ] {
        expected.push(format!("{c}/{path}"));
    }
    let mut found: Vec<String> = files.keys().map(|p| p.to_string()).collect();
    expected.sort();
    found.sort();
    assert_eq!(found, expected);

    assert_eq!(
        files["mlruns/7/meta.yaml"],
        "artifact_location: 'mlruns/7'\ncreation_time: 1690000000000\nexperiment_id: '7'\n\
         last_update_time: 1690000000000\nlifecycle_stage: 'active'\nname: 'penguins → species'\n"
    );
    assert_eq!(
        files[format!("{b}/meta.yaml").as_str()],
        format!(
            "artifact_uri: '{b}/artifacts'\nend_time: 1700000002500\nentry_point_name: ''\n\
             experiment_id: '7'\nlifecycle_stage: 'active'\nrun_id: '2f1e4b6a9c8d7e6f5a4b3c2d1e0f9a8b'\n\
             run_name: 'gbdt on penguins'\nrun_uuid: '2f1e4b6a9c8d7e6f5a4b3c2d1e0f9a8b'\nsource_name: ''\n\
             source_type: 4\nsource_version: ''\nstart_time: 1700000000000\nstatus: 3\ntags: []\nuser_id: ''\n"
        )
    );
    assert!(files[format!("{c}/meta.yaml").as_str()].contains("end_time: null\n"));
    assert!(files[format!("{c}/meta.yaml").as_str()].contains("status: 1\n"));
    assert_eq!(files[format!("{b}/params/max_depth").as_str()], "None");
    assert_eq!(
        files[format!("{b}/metrics/accuracy").as_str()],
        "1700000002500 0.97 0\n"
    );
    assert_eq!(
        files[format!("{b}/metrics/train_loss").as_str()],
        "1700000002500 1.1 0\n1700000002500 0.5 1\n"
    );
    assert_eq!(
        files[format!("{c}/tags/mlflow.parentRunId").as_str()],
        "2f1e4b6a9c8d7e6f5a4b3c2d1e0f9a8b"
    );
    assert_eq!(
        files[format!("{b}/tags/mlflow.note.content").as_str()],
        "first try"
    );
    assert_eq!(
        export.warnings,
        ["tag \"a:b\" of run \"gbdt on penguins\" is written as \"a_b\": MLflow keys hold only letters, digits, spaces and _ - . /"]
    );
}

/// Runs of a real Quick build on penguins, as the worker would store them.
fn penguin_build_runs() -> Vec<RunRecord> {
    let path = Path::new(DATASETS).join("multiclass/penguins.csv");
    let frame = read_csv(
        "penguins",
        &std::fs::read(path).unwrap(),
        CsvOptions::default(),
    )
    .unwrap()
    .frame;
    let rows: Vec<usize> = (0..frame.n_rows()).collect();
    let (test, train): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&r| r % 5 == 0);
    let automl = automl_run(
        &take_rows(&frame, &train),
        Some(&take_rows(&frame, &test)),
        &AutomlOptions::new("species"),
        &|| 0.0,
        &mut |_| Control::Continue,
    )
    .unwrap();
    let trace = match &automl.model_file.model {
        Model::Gbdt(model) => Some(&model.trace),
        Model::Logistic(model) => Some(&model.trace),
        _ => None,
    };
    runs_for_build(
        &automl.report,
        &BuildContext {
            experiment_id: "exp-penguins".into(),
            run_ids: RunIds::Derived {
                build_run_id: "build-1".into(),
            },
            run_name: None,
            model_id: Some("model-1".into()),
            action_id: Some("action-1".into()),
            dataset_id: Some("dataset-1".into()),
            dataset_name: Some("penguins".into()),
            dataset_content_hash: Some("ab".repeat(32)),
            recipe_hashes: vec!["cd".repeat(32), "ef".repeat(32)],
            started_at_ms: 1_700_000_000_000.0,
            duration_secs: 3.25,
            code_version: "studio 0.1.0".into(),
            trace,
        },
    )
    .unwrap()
    .into_runs()
}

#[test]
fn a_round_trip_gives_back_the_records() {
    let mut runs = penguin_build_runs();
    assert!(runs.len() >= 4);
    let mut odd = run("odd run/ü", "exp-other");
    odd.started_at_ms = 1_700_000_000_123.5;
    odd.duration_secs = 0.1 + 0.2;
    odd.status = RunStatus::Failed;
    odd.notes = "line one\nline two".into();
    odd.seed = Some(u64::MAX);
    odd.artifacts = vec![RunArtifact {
        name: "model".into(),
        artifact_id: Some("art-1".into()),
        content_hash: None,
    }];
    odd.tags.insert("team/owner".into(), "ann".into());
    odd.params.insert("empty".into(), String::new());
    odd.metrics.insert("tiny".into(), 5e-324);
    odd.history = vec![MetricHistory {
        key: "tiny".into(),
        steps: vec![
            MetricStep {
                step: 3,
                value: 1.0,
                timestamp_ms: 10.0,
            },
            MetricStep {
                step: 9,
                value: 5e-324,
                timestamp_ms: 20.0,
            },
        ],
    }];
    runs.push(odd);
    let mut first = experiment("exp-penguins", "penguins → species");
    first.dataset_name = Some("penguins".into());
    first.target = Some("species".into());
    first.tags.insert("owner".into(), "ann".into());
    let experiments = vec![first, experiment("exp-other", "'quoted' \"name\"")];

    let export = mlflow_folder(&experiments, &runs);
    assert_eq!(export.warnings, Vec::<String>::new());
    let imported = read_mlflow_folder(&export.files).unwrap();
    assert_eq!(imported.warnings, Vec::<String>::new());

    let mut expected_experiments = experiments.clone();
    expected_experiments.sort_by(|a, b| a.experiment_id.cmp(&b.experiment_id));
    assert_eq!(imported.experiments, expected_experiments);
    let mut expected_runs = runs.clone();
    expected_runs.sort_by(|a, b| a.run_id.cmp(&b.run_id));
    let mut found = imported.runs.clone();
    found.sort_by(|a, b| a.run_id.cmp(&b.run_id));
    assert_eq!(found.len(), expected_runs.len());
    for (found, expected) in found.iter().zip(&expected_runs) {
        assert_eq!(found, expected, "run {}", expected.run_id);
    }

    // Exporting what was imported writes the same files.
    let again = mlflow_folder(&imported.experiments, &imported.runs);
    let mut first_files = export.files.clone();
    let mut second_files = again.files;
    first_files.sort();
    second_files.sort();
    assert_eq!(first_files, second_files);
}

/// What MLflow 2.x writes (FileStore), under another folder, with a trashed experiment,
/// a deleted run and an old metric line without a step.
fn mlflow_written() -> Vec<(String, Vec<u8>)> {
    let files: Vec<(&str, &str)> = vec![
        (
            "backup/mlruns/0/meta.yaml",
            "artifact_location: file:///home/ann/mlruns/0\ncreation_time: 1721450900000\nexperiment_id: '0'\nlast_update_time: 1721450900000\nlifecycle_stage: active\nname: Default\n",
        ),
        (
            "backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/meta.yaml",
            "artifact_uri: file:///home/ann/mlruns/0/1c6b2d5b909041df93e6e00b960de019/artifacts\nend_time: 1721450907230\nentry_point_name: ''\nexperiment_id: '0'\nlifecycle_stage: active\nrun_id: 1c6b2d5b909041df93e6e00b960de019\nrun_name: wistful-ant-659\nrun_uuid: 1c6b2d5b909041df93e6e00b960de019\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1721450907221\nstatus: 3\ntags: []\nuser_id: ann\n",
        ),
        ("backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/params/alpha", "0.5"),
        (
            "backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/metrics/rmse",
            "1721450907225 0.79 0\n1721450907226 0.75 1\n1721450907227 0.72 2\n",
        ),
        ("backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/metrics/r2", "1721450907228 0.44\n"),
        ("backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/tags/mlflow.user", "ann"),
        ("backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/tags/mlflow.source.name", "train.py"),
        ("backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/tags/mlflow.runName", "wistful-ant-659"),
        ("backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/artifacts/model/MLmodel", "flavors: {}\n"),
        (
            "backup/mlruns/0/2d7c3e6c0a1f52e0a4f7f11c071ef120/meta.yaml",
            "end_time: null\nexperiment_id: '0'\nlifecycle_stage: active\nrun_uuid: 2d7c3e6c0a1f52e0a4f7f11c071ef120\nstart_time: 1721450908000\nstatus: 2\n",
        ),
        ("backup/mlruns/0/2d7c3e6c0a1f52e0a4f7f11c071ef120/tags/mlflow.runName", "child"),
        (
            "backup/mlruns/0/2d7c3e6c0a1f52e0a4f7f11c071ef120/tags/mlflow.parentRunId",
            "1c6b2d5b909041df93e6e00b960de019",
        ),
        (
            "backup/mlruns/0/3e8d4f7d1b2063f1b5081220182f0231/meta.yaml",
            "experiment_id: '0'\nlifecycle_stage: deleted\nrun_id: 3e8d4f7d1b2063f1b5081220182f0231\nstatus: 3\n",
        ),
        (
            "backup/mlruns/.trash/5/meta.yaml",
            "experiment_id: '5'\nlifecycle_stage: deleted\nname: gone\n",
        ),
        (
            "backup/mlruns/0/datasets/abc/meta.yaml",
            "digest: abc\nname: dataset\n",
        ),
        (
            "backup/mlruns/models/m/meta.yaml",
            "name: m\n",
        ),
    ];
    files
        .into_iter()
        .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
        .collect()
}

#[test]
fn reads_a_folder_mlflow_wrote() {
    // The model registry's folder beside the experiments is not an experiment of runs.
    let files = mlflow_written();
    let imported = read_mlflow_folder(&files).unwrap();
    assert_eq!(imported.experiments.len(), 1);
    let default = &imported.experiments[0];
    assert_eq!(
        (default.experiment_id.as_str(), default.name.as_str()),
        ("0", "Default")
    );
    assert_eq!(default.created_at_ms, 1_721_450_900_000.0);
    assert_eq!(imported.runs.len(), 2, "the deleted run is skipped");
    let parent = &imported.runs[0];
    assert_eq!(parent.run_id, "1c6b2d5b909041df93e6e00b960de019");
    assert_eq!(parent.name, "wistful-ant-659");
    assert_eq!(parent.kind, RunKind::Imported);
    assert_eq!(parent.status, RunStatus::Finished);
    assert_eq!(parent.started_at_ms, 1_721_450_907_221.0);
    assert!((parent.duration_secs - 0.009).abs() < 1e-12);
    assert_eq!(parent.params["alpha"], "0.5");
    assert_eq!(parent.metrics["rmse"], 0.72);
    assert_eq!(parent.metrics["r2"], 0.44);
    assert_eq!(
        parent.history.len(),
        1,
        "one line at step 0 is a final value"
    );
    assert_eq!(parent.history[0].steps.len(), 3);
    assert_eq!(parent.tags["mlflow.user"], "ann");
    assert_eq!(parent.tags["mlflow.source.name"], "train.py");
    assert!(!parent.tags.contains_key("mlflow.runName"));
    assert_eq!(parent.code_version, "imported from MLflow");

    let child = &imported.runs[1];
    assert_eq!(child.name, "child");
    assert_eq!(
        child.status,
        RunStatus::Running,
        "SCHEDULED reads as running"
    );
    assert_eq!(child.parent_run_id.as_deref(), Some(parent.run_id.as_str()));
    assert_eq!(child.duration_secs, 0.0);
}

fn import_error(edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> String {
    let mut files = mlflow_written();
    edit(&mut files);
    read_mlflow_folder(&files).unwrap_err().to_string()
}

fn replace(files: &mut [(String, Vec<u8>)], suffix: &str, text: &str) {
    let file = files
        .iter_mut()
        .find(|(path, _)| path.ends_with(suffix))
        .unwrap();
    file.1 = text.as_bytes().to_vec();
}

#[test]
fn import_errors_name_the_file_and_line() {
    assert_eq!(
        import_error(|files| replace(files, "metrics/rmse", "1 0.5 0\n2 0.4\nthree 0.1 2\n")),
        "backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/metrics/rmse, line 3: \"three 0.1 2\" is not `<timestamp_ms> <value> <step>`: the timestamp \"three\" is not a whole number"
    );
    assert_eq!(
        import_error(|files| replace(files, "metrics/rmse", "1 0.5 0 7\n")),
        "backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/metrics/rmse, line 1: \"1 0.5 0 7\" is not `<timestamp_ms> <value> <step>`: 4 fields, expected 3"
    );
    assert_eq!(
        import_error(|files| replace(files, "metrics/r2", "1 high 0\n")),
        "backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/metrics/r2, line 1: \"1 high 0\" is not `<timestamp_ms> <value> <step>`: the value \"high\" is not a number"
    );
    assert_eq!(
        import_error(|files| replace(
            files,
            "2d7c3e6c0a1f52e0a4f7f11c071ef120/meta.yaml",
            "experiment_id: '0'\nstatus: 3\n"
        )),
        "backup/mlruns/0/2d7c3e6c0a1f52e0a4f7f11c071ef120/meta.yaml has no run_id"
    );
    assert_eq!(
        import_error(|files| replace(
            files,
            "2d7c3e6c0a1f52e0a4f7f11c071ef120/meta.yaml",
            "run_id: x\nexperiment_id: '0'\nstatus: 9\n"
        )),
        "backup/mlruns/0/2d7c3e6c0a1f52e0a4f7f11c071ef120/meta.yaml, line 3: status is \"9\", expected 1 to 5 (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)"
    );
    assert_eq!(
        import_error(|files| replace(
            files,
            "2d7c3e6c0a1f52e0a4f7f11c071ef120/meta.yaml",
            "run_id: x\nstart_time: soon\n"
        )),
        "backup/mlruns/0/2d7c3e6c0a1f52e0a4f7f11c071ef120/meta.yaml, line 2: start_time is \"soon\", expected a whole number"
    );
    assert_eq!(
        import_error(|files| replace(
            files,
            "mlruns/0/meta.yaml",
            "experiment_id: '0'\nname 'x'\n"
        )),
        "backup/mlruns/0/meta.yaml, line 2: expected `key: value`"
    );
    assert_eq!(
        import_error(|files| replace(files, "mlruns/0/meta.yaml", "experiment_id: '0'\n")),
        "backup/mlruns/0/meta.yaml has no name"
    );
    assert_eq!(
        import_error(|files| files[3].1 = vec![0xff, 0xfe]),
        "backup/mlruns/0/1c6b2d5b909041df93e6e00b960de019/metrics/rmse is not UTF-8 text"
    );
    assert_eq!(
        read_mlflow_folder(&[("notes.txt".to_string(), b"hello".to_vec())]).unwrap_err(),
        ImportError::NoExperiment
    );
}

#[test]
fn a_run_filed_under_another_experiment_is_skipped_with_a_warning() {
    let mut files = mlflow_written();
    replace(
        &mut files,
        "2d7c3e6c0a1f52e0a4f7f11c071ef120/meta.yaml",
        "run_id: 2d7c3e6c0a1f52e0a4f7f11c071ef120\nexperiment_id: '4'\nstatus: 3\n",
    );
    let imported = read_mlflow_folder(&files).unwrap();
    assert_eq!(imported.runs.len(), 1);
    assert_eq!(
        imported.warnings,
        ["backup/mlruns/0/2d7c3e6c0a1f52e0a4f7f11c071ef120/meta.yaml is skipped: it names experiment 4 but sits in experiment 0's folder"]
    );
}

/// Writes the round trip's folder to `$STUDIO_MLFLOW_DIR` for `mlflow_reads_export.py`.
#[test]
#[ignore]
fn write_folder_for_mlflow() {
    let Ok(dir) = std::env::var("STUDIO_MLFLOW_DIR") else {
        panic!("set STUDIO_MLFLOW_DIR to the folder to write mlruns/ into");
    };
    let runs = penguin_build_runs();
    let mut e = experiment("exp-penguins", "penguins → species");
    e.dataset_name = Some("penguins".into());
    let export = mlflow_folder(&[e], &runs);
    for (path, bytes) in &export.files {
        let folder = path.ends_with('/');
        let path = Path::new(&dir).join(path);
        if folder {
            std::fs::create_dir_all(path).unwrap();
        } else {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
    // The runs as the studio holds them, for the script to compare with.
    let json = serde_json::to_string(&runs).unwrap();
    std::fs::write(Path::new(&dir).join("runs.json"), json).unwrap();
}

/// Reads the MLflow folder at `$STUDIO_MLFLOW_DIR/mlruns` (written by MLflow in
/// `mlflow_reads_export.py`) and writes what was imported to
/// `$STUDIO_MLFLOW_DIR/imported.json`.
#[test]
#[ignore]
fn read_folder_from_mlflow() {
    let Ok(dir) = std::env::var("STUDIO_MLFLOW_DIR") else {
        panic!("set STUDIO_MLFLOW_DIR to the folder holding mlruns/");
    };
    fn walk(root: &Path, folder: &Path, files: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                files.push((relative.into_owned(), std::fs::read(&path).unwrap()));
            }
        }
    }
    let root = Path::new(&dir);
    let mut files = Vec::new();
    walk(root, &root.join("mlruns"), &mut files);
    let imported = read_mlflow_folder(&files).unwrap();
    let json = serde_json::json!({
        "experiments": imported.experiments,
        "runs": imported.runs,
        "warnings": imported.warnings,
    });
    std::fs::write(root.join("imported.json"), json.to_string()).unwrap();
}

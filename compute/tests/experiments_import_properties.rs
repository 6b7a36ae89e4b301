//! Property test of the MLflow folder reader: any set of files, however broken (paths of
//! the layout's parts, contents of meta lines, metric lines and noise), gives runs or an
//! error, never a panic.

use compute::experiments::read_mlflow_folder;
use proptest::prelude::*;

const PARTS: &[&str] = &[
    "mlruns",
    "0",
    "7",
    "run1",
    "run2",
    "meta.yaml",
    "params",
    "metrics",
    "tags",
    ".trash",
    "models",
    "artifacts",
    "datasets",
    "a",
    "b",
    "",
    "..",
    "\\",
];

const LINES: &[&str] = &[
    "experiment_id: '0'",
    "experiment_id: 7",
    "name: Default",
    "run_id: run1",
    "run_uuid: run2",
    "status: 3",
    "status: 9",
    "start_time: 12",
    "end_time: null",
    "lifecycle_stage: deleted",
    "tags: []",
    "- key: x",
    "  value: y",
    "run_name: 'open",
    "run_name: \"esc \\u00e9\"",
    "1 0.5 0",
    "1 nan",
    "x y z",
    "1 2 -3",
    "mlflow.parentRunId",
    "run1",
    "",
    "ü",
];

fn file() -> impl Strategy<Value = (String, Vec<u8>)> {
    (
        proptest::collection::vec(0..PARTS.len(), 1..6),
        proptest::collection::vec(0..LINES.len(), 0..6),
        proptest::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(|(parts, lines, noise)| {
            let path: Vec<&str> = parts.iter().map(|&i| PARTS[i]).collect();
            let mut text: Vec<u8> = lines
                .iter()
                .map(|&i| LINES[i])
                .collect::<Vec<_>>()
                .join("\n")
                .into_bytes();
            text.extend(noise);
            (path.join("/"), text)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn broken_folders_never_panic(files in proptest::collection::vec(file(), 0..12)) {
        let _ = read_mlflow_folder(&files);
    }

    /// The same beside a valid experiment and run, so the noise reaches the run reader.
    #[test]
    fn broken_runs_never_panic(noise in proptest::collection::vec(file(), 0..12)) {
        let mut files = vec![
            ("mlruns/0/meta.yaml".to_string(), b"experiment_id: '0'\nname: Default\n".to_vec()),
            ("mlruns/0/run1/meta.yaml".to_string(), b"run_id: run1\nexperiment_id: '0'\n".to_vec()),
            ("mlruns/0/run1/metrics/loss".to_string(), b"1 0.5 0\n2 0.25 1\n".to_vec()),
        ];
        files.extend(noise);
        let _ = read_mlflow_folder(&files);
    }
}

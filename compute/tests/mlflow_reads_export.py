"""MLflow itself reads the studio's MLflow folder export, and the studio reads what MLflow writes.

Writes the folder with the ignored Rust test `experiments_export::write_folder_for_mlflow`
(runs of a real AutoML build on penguins), then reads it with MLflow's own file store and
checks every run's name, status, times, params, metrics, metric histories, tags and
parent against the runs the studio held. Then MLflow logs runs of its own (nested,
failed, deleted, a metric history, a note) into a fresh file store, and the ignored Rust
test `experiments_export::read_folder_from_mlflow` imports them. Skipped (exit 0, saying so) when MLflow is not
installed: `pip install mlflow-skinny`. MLflow 3 reads file stores only with
`MLFLOW_ALLOW_FILE_STORE=true`, which the script sets.

    python3 compute/tests/mlflow_reads_export.py
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import mlflow
    from mlflow.tracking import MlflowClient
except ImportError:
    print("skipped: MLflow is not installed (pip install mlflow-skinny)")
    sys.exit(0)

STATUS = {"RUNNING": "RUNNING", "FINISHED": "FINISHED", "FAILED": "FAILED", "KILLED": "KILLED"}
ROOT = Path(__file__).resolve().parents[2]


def cargo_test(name: str, folder: str) -> None:
    env = dict(os.environ, STUDIO_MLFLOW_DIR=folder)
    subprocess.run(
        [
            "cargo", "test", "-q", "-p", "compute", "--test", "experiments_export", "--",
            "--ignored", "--exact", name,
        ],
        cwd=ROOT, env=env, check=True,
    )


def studio_reads_mlflow() -> None:
    with tempfile.TemporaryDirectory() as folder:
        client = MlflowClient(tracking_uri=Path(folder, "mlruns").as_uri())
        experiment_id = client.create_experiment("from mlflow")
        parent = client.create_run(experiment_id, run_name="parent", start_time=1_700_000_000_000)
        run_id = parent.info.run_id
        client.log_param(run_id, "alpha", 0.5)
        client.log_param(run_id, "max_depth", None)
        for step, loss in enumerate([0.9, 0.5, 0.25]):
            client.log_metric(run_id, "loss", loss, timestamp=1_700_000_000_100 + step, step=step)
        client.log_metric(run_id, "r2", 0.75, timestamp=1_700_000_000_200)
        client.set_tag(run_id, "mlflow.note.content", "a note\non two lines")
        client.set_tag(run_id, "team", "ml")
        client.set_terminated(run_id, "FINISHED", end_time=1_700_000_002_000)
        child = client.create_run(
            experiment_id, run_name="child", tags={"mlflow.parentRunId": run_id}
        )
        client.log_metric(child.info.run_id, "r2", float("nan"))
        client.set_terminated(child.info.run_id, "FAILED")
        gone = client.create_run(experiment_id, run_name="deleted")
        client.delete_run(gone.info.run_id)

        cargo_test("read_folder_from_mlflow", folder)
        imported = json.loads(Path(folder, "imported.json").read_text())
        names = sorted(e["name"] for e in imported["experiments"])
        assert names == ["Default", "from mlflow"], names
        runs = {run["name"]: run for run in imported["runs"]}
        assert sorted(runs) == ["child", "parent"], sorted(runs)
        p = runs["parent"]
        assert p["run_id"] == run_id and p["kind"] == "imported" and p["status"] == "FINISHED", p
        assert p["params"] == {"alpha": "0.5", "max_depth": "None"}, p["params"]
        assert p["metrics"] == {"loss": 0.25, "r2": 0.75}, p["metrics"]
        loss = [h for h in p["history"] if h["key"] == "loss"][0]
        assert [(s["step"], s["value"]) for s in loss["steps"]] == [(0, 0.9), (1, 0.5), (2, 0.25)]
        assert p["notes"] == "a note\non two lines", p["notes"]
        assert p["tags"]["team"] == "ml" and "mlflow.note.content" not in p["tags"], p["tags"]
        assert p["started_at_ms"] == 1_700_000_000_000 and p["duration_secs"] == 2.0, p
        c = runs["child"]
        assert c["parent_run_id"] == run_id and c["status"] == "FAILED", c
        assert c["metrics"] == {}, c["metrics"]
        assert any("NaN" in w for w in imported["warnings"]), imported["warnings"]
        print(
            f"the studio read MLflow {mlflow.__version__}'s own folder: "
            f"{len(imported['runs'])} runs (the deleted one skipped), warnings: {imported['warnings']}"
        )


def main() -> None:
    # MLflow 3 keeps the file store in maintenance mode behind this switch (and offers
    # `mlflow migrate-filestore` to move such a folder into a database).
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    mlflow_reads_studio()
    studio_reads_mlflow()


def mlflow_reads_studio() -> None:
    with tempfile.TemporaryDirectory() as folder:
        cargo_test("write_folder_for_mlflow", folder)
        studio_runs = json.loads(Path(folder, "runs.json").read_text())
        client = MlflowClient(tracking_uri=Path(folder, "mlruns").as_uri())
        experiments = [e for e in client.search_experiments() if e.name == "penguins → species"]
        assert len(experiments) == 1, [e.name for e in client.search_experiments()]
        experiment = experiments[0]
        assert experiment.tags["studio.experiment_id"] == "exp-penguins", experiment.tags

        runs = client.search_runs([experiment.experiment_id], max_results=1000)
        assert len(runs) == len(studio_runs), (len(runs), len(studio_runs))
        by_studio_id = {run.data.tags["studio.run_id"]: run for run in runs}
        folder_of = {studio_id: run.info.run_id for studio_id, run in by_studio_id.items()}
        for studio in studio_runs:
            run = by_studio_id[studio["run_id"]]
            assert run.info.run_name == studio["name"], (run.info.run_name, studio["name"])
            assert run.info.status == STATUS[studio["status"]], run.info.status
            assert run.info.start_time == round(studio["started_at_ms"])
            expected_end = round(studio["started_at_ms"] + studio["duration_secs"] * 1000)
            assert run.info.end_time == expected_end, (run.info.end_time, expected_end)
            assert run.data.params == studio["params"], (run.data.params, studio["params"])
            assert run.data.metrics == studio["metrics"], (run.data.metrics, studio["metrics"])
            for key, value in studio["tags"].items():
                assert run.data.tags[key] == value, key
            parent = studio.get("parent_run_id")
            if parent:
                assert run.data.tags["mlflow.parentRunId"] == folder_of[parent]
            for history in studio["history"]:
                logged = client.get_metric_history(run.info.run_id, history["key"])
                steps = [(m.step, m.value) for m in sorted(logged, key=lambda m: m.step)]
                assert steps == [(s["step"], s["value"]) for s in history["steps"]], history["key"]

        # MLflow's own filter language over the exported runs.
        children = client.search_runs(
            [experiment.experiment_id], filter_string="tags.source = 'automl' and attributes.status = 'FINISHED' and tags.`studio.kind` = 'candidate'"
        )
        expected = [r for r in studio_runs if r["kind"] == "candidate" and r["status"] == "FINISHED"]
        assert len(children) == len(expected), (len(children), len(expected))
        print(
            f"MLflow {mlflow.__version__} read {len(runs)} runs of experiment "
            f"{experiment.experiment_id} with their params, metrics, histories, tags and parents"
        )


if __name__ == "__main__":
    main()

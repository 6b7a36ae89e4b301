#!/usr/bin/env python3
"""Time-series forecasting: ours natively vs statsmodels, same run, same splits, one table.

Usage (from the workspace root or anywhere; `cargo xtask bench-forecast` installs
statsmodels if missing and runs this):

    python3 compute/bench/forecast_bench.py [--datasets air_passengers,co2_mauna_loa,us_births_daily]
                                            [--rounds R] [--engines none|node,chromium] [--no-build]

Each dataset of `timeseries/` is split on its `<name>.test_idx.txt` (the last 20% of rows):
the training rows are the history, the test rows the future; the horizon is their number.

Ours is the `studio` command (`cargo build --release -p compute --features cli --bin
studio`, compute at opt-level 3): `studio train --task forecast --json`, which ranks eight
candidates (naive, seasonal naive, four Holt-Winters, two gradient boostings) by a
rolling-origin backtest over three origins, refits the best and forecasts the test rows.
Its time (`fit_secs`) is all of that but reading the files; the MAE is on the test rows.
With `--engines node,chromium` the same fit (`bench_fit::fit_forecast_case`, the code the
worker runs) also runs as wasm through `fit_wasm.mjs` (built by `fit_bench.py`'s `build()`:
wasm-bindgen, wasm-opt -Oz), in Node and in a module Web Worker of headless Chromium, and
must reach the same MAE to 0.1% (exp, ln and pow differ in the last bits between glibc and
Rust's libm, so Holt-Winters' optimizer may stop a hair apart); its time is the fit alone.

statsmodels runs, one BLAS thread, in its own process: `ExponentialSmoothing` in the shared
reference's configuration (trend="add", the reference's seasonal, seasonal_periods m;
`.fit()` with its defaults) timed alone, seasonal naive, and — for a like-for-like time —
the same rolling-origin backtest over its Holt-Winters variants (add/mul season, damped or
not) at the same origins plus the refit of the best. The best reference MAE comes from
`reference_scores.csv`. Tools interleaved for R rounds; times are medians.
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
from pathlib import Path

HERE = Path(os.path.abspath(__file__)).parent
WORKSPACE = HERE.parent.parent
DATASETS = WORKSPACE.parent / "shared/datasets"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", WORKSPACE / "target"))

# dataset -> (time column, target, m, the reference's seasonal component)
SERIES = {
    "air_passengers": ("month", "passengers", 12, "mul"),
    "co2_mauna_loa": ("month", "co2_ppm", 12, "add"),
    "us_births_daily": ("date", "births", 7, "add"),
}

STATSMODELS_FIT = r"""
import json, math, sys, time, warnings
import numpy as np
import pandas as pd
import statsmodels
from statsmodels.tsa.holtwinters import ExponentialSmoothing

warnings.simplefilter("ignore")
datasets, name, target, m, seasonal = sys.argv[1:]
m = int(m)
frame = pd.read_csv(f"{datasets}/timeseries/{name}.csv")
test = np.loadtxt(f"{datasets}/timeseries/{name}.test_idx.txt", dtype=int)
y = frame[target].to_numpy(float)
is_test = np.zeros(len(y), bool)
is_test[test] = True
train, truth = y[~is_test], y[is_test]
h = len(truth)

def mae(a, f):
    return float(np.mean(np.abs(a - f)))

started = time.perf_counter()
model = ExponentialSmoothing(train, trend="add", seasonal=seasonal, seasonal_periods=m).fit()
fit_secs = time.perf_counter() - started
hw_mae = mae(truth, model.forecast(h))
snaive = np.array([train[len(train) - m + (k % m)] for k in range(h)])

# The same rolling-origin backtest as ours: origins n - h - j * ceil(h / 3), j = 0, 1, 2.
variants = [(s, d) for s in ("add", "mul") for d in (False, True) if s == "add" or train.min() > 0]
step = max(1, math.ceil(h / 3))
origins = [len(train) - h - j * step for j in range(3) if len(train) - h - j * step >= 2 * m]
started = time.perf_counter()
scores = []
for s, d in variants:
    errors = []
    for o in origins:
        fc = ExponentialSmoothing(train[:o], trend="add", damped_trend=d, seasonal=s,
                                  seasonal_periods=m).fit().forecast(h)
        errors.append(np.abs(train[o:o + h] - fc))
    scores.append((float(np.mean(errors)), s, d))
_, s, d = min(scores)
best = ExponentialSmoothing(train, trend="add", damped_trend=d, seasonal=s, seasonal_periods=m).fit()
search_secs = time.perf_counter() - started
print(json.dumps({
    "fit_secs": fit_secs,
    "hw_mae": hw_mae,
    "snaive_mae": mae(truth, snaive),
    "search_secs": search_secs,
    "search_mae": mae(truth, best.forecast(h)),
    "search_best": f"HoltWinters(trend=add{',damped' if d else ''},seasonal={s},m={m})",
    "version": statsmodels.__version__,
}))
"""


def run(args: list[str]) -> None:
    print("$ " + " ".join(str(a) for a in args), file=sys.stderr)
    subprocess.run(args, cwd=WORKSPACE, check=True)


def json_line(args: list[str], env: dict | None = None) -> dict:
    out = subprocess.run(args, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"`{' '.join(args[:4])} …` failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")][-1]


def best_reference(name: str) -> tuple[float, str]:
    with open(DATASETS / "reference_scores.csv", newline="") as file:
        rows = [r for r in csv.DictReader(file) if r["task"] == "timeseries" and r["dataset"] == name]
    best = min(rows, key=lambda r: float(r["mae"]))
    return float(best["mae"]), best["model"]


def split(name: str, folder: Path) -> tuple[Path, Path]:
    """The dataset's rows as TRAIN and TEST files, split on its test_idx file."""
    lines = (DATASETS / "timeseries" / f"{name}.csv").read_text().splitlines()
    test = {int(i) for i in (DATASETS / "timeseries" / f"{name}.test_idx.txt").read_text().split()}
    train_path, test_path = folder / f"{name}.train.csv", folder / f"{name}.test.csv"
    train_path.write_text("\n".join([lines[0]] + [l for i, l in enumerate(lines[1:]) if i not in test]) + "\n")
    test_path.write_text("\n".join([lines[0]] + [l for i, l in enumerate(lines[1:]) if i in test]) + "\n")
    return train_path, test_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(SERIES))
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per dataset")
    parser.add_argument("--engines", default="none",
                        help="where the wasm build also runs: none, node, chromium or node,chromium")
    parser.add_argument("--no-build", action="store_true", help="use the studio binary already built")
    args = parser.parse_args()
    engines = [] if args.engines == "none" else args.engines.split(",")
    sys.path.insert(0, str(HERE))
    if not args.no_build:
        run(["cargo", "build", "--release", "-p", "compute", "--features", "cli", "--bin", "studio"])
        if engines:
            import fit_bench  # the wasm build and runner of the fitting benchmarks

            fit_bench.build()
    studio = str(TARGET / "release/studio")
    one_thread = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    wasm_headers = "".join(f" ours wasm ({engine}) s |" for engine in engines)
    print("| dataset | n_train | horizon | ours: chosen model | ours MAE | ours s (8 candidates, 3 origins, refit) |"
          f"{wasm_headers} statsmodels HW (reference config) MAE | statsmodels HW fit s | "
          "statsmodels HW backtest: chosen | MAE | s | seasonal naive MAE | best reference MAE | ours / best reference |")
    print("|---|---|---|---|---|---|" + "---|" * len(engines) + "---|---|---|---|---|---|---|---|")
    version = None
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.datasets.split(","):
            if name not in SERIES:
                sys.exit(f"unknown time-series dataset {name}; use {', '.join(SERIES)}")
            time_column, target, m, seasonal = SERIES[name]
            train_path, test_path = split(name, Path(scratch))
            runs = []
            for _ in range(args.rounds):
                ours = json_line([studio, "train", "--task", "forecast", "--time-column", time_column,
                                  "--target", target, "--train", str(train_path), "--test", str(test_path),
                                  "--json"])
                theirs = json_line([sys.executable, "-c", STATSMODELS_FIT, str(DATASETS), name, target, str(m),
                                    seasonal], env=one_thread)
                wasm = []
                if engines:
                    import fit_bench

                    path = DATASETS / "timeseries" / f"{name}.csv"
                    wasm = [fit_bench.wasm_run(engine, ["forecast", str(path), "1"]) for engine in engines]
                runs.append((ours, theirs, wasm))
            ours, theirs, wasm = runs[-1]
            # exp, ln and pow come from glibc natively and from Rust's libm in wasm32, so the
            # smoothing parameters' optimizer may stop a hair apart: the MAEs agree to 0.1%.
            for other in wasm:
                if abs(other["mae"] - ours["holdout"]["mae"]) > 1e-3 * max(1.0, other["mae"]):
                    sys.exit(f"FAIL: {name}: wasm MAE {other['mae']} differs from native {ours['holdout']['mae']}")
            wasm_cells = "".join(
                f" {statistics.median(r[2][i]['fit_secs'] for r in runs):.3f} (MAE {wasm[i]['mae']:.4f}) |"
                for i in range(len(engines)))
            version = theirs["version"]
            reference, _ = best_reference(name)
            item = ours["report"]["items"][0]
            ours_s = statistics.median(r[0]["fit_secs"] for r in runs)
            fit_s = statistics.median(r[1]["fit_secs"] for r in runs)
            search_s = statistics.median(r[1]["search_secs"] for r in runs)
            mae = ours["holdout"]["mae"]
            print(f"| {name} | {item['n_history']} | {ours['report']['horizon']} | {ours['best_model']} | "
                  f"{mae:.4f} | {ours_s:.3f} |{wasm_cells} {theirs['hw_mae']:.4f} | {fit_s:.3f} | {theirs['search_best']} | "
                  f"{theirs['search_mae']:.4f} | {search_s:.3f} | {theirs['snaive_mae']:.4f} | {reference:.4f} | "
                  f"{mae / reference:.3f} |", flush=True)
    print(f"\nstatsmodels {version}, one thread; times are medians of {args.rounds} interleaved rounds.")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Compare our dataset profile with the same statistics computed by pandas and numpy.

Usage (from the workspace root or anywhere):

    python3 compute/bench/profile_bench.py [FILE] [--target COLUMN] [--repeats N]

Builds `compute`'s `bench_profile` example with `cargo build --release` (the profile the
browser build ships) and runs it: it reads the file once, then
times `profile()` over every row (no sampling) and `insights()` separately.

pandas does the same statistical work our profile does, on a frame already read: per
column `count`, `isna().sum()`, `nunique()`, `value_counts().head(10)`; for numeric columns
mean, std, min, max, the 1/5/25/50/75/95/99 % quantiles, `skew()`, `kurt()`, zeros and
`numpy.histogram(bins=20)`; for text columns `str.len()` min/mean/max; then
`duplicated().sum()` and `corr()` over the numeric columns. Our insights report (outliers,
per-feature prediction power) has no pandas counterpart and is timed on its own.

Each tool runs in its own process, interleaved for N rounds so that load from other
processes hits both alike; prints a markdown table of medians (and min/max).
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
DEFAULT_FILE = WORKSPACE.parent / "shared/datasets/regression/nycflights13_arr_delay.csv"

PANDAS_PROFILE = r"""
import json, sys, time
import numpy as np
import pandas as pd

frame = pd.read_csv(sys.argv[1])
started = time.perf_counter()
numeric = [c for c in frame.columns
           if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
for name in frame.columns:
    s = frame[name]
    s.count(); s.isna().sum(); s.nunique(); s.value_counts().head(10)
    if name in numeric:
        s.mean(); s.std(); s.min(); s.max()
        s.quantile([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
        s.skew(); s.kurt()
        values = s.dropna().to_numpy(dtype=np.float64)
        (values == 0).sum()
        np.histogram(values[np.isfinite(values)], bins=20)
    else:
        lengths = s.dropna().astype(str).str.len()
        lengths.min(); lengths.mean(); lengths.max()
frame.duplicated().sum()
frame[numeric].corr()
secs = time.perf_counter() - started
print(json.dumps({"secs": secs, "n_rows": frame.shape[0], "n_cols": frame.shape[1]}))
"""


def build() -> Path:
    subprocess.run(
        ["cargo", "build", "--release", "-p", "compute", "--example", "bench_profile"],
        cwd=WORKSPACE,
        check=True,
    )
    return WORKSPACE / "target/release/examples/bench_profile"


def run_ours(binary: Path, path: Path, target: str | None) -> dict:
    args = [str(binary), str(path), "1"] + ([target] if target else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_pandas(path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PANDAS_PROFILE, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    parser.add_argument("--target", default=None, help="target column for the insights report")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    path = Path(args.file).resolve()
    binary = build()

    times: dict[str, list[float]] = {
        "compute profile() (release profile, as shipped)": [],
        "compute insights()" + (f" with target {args.target}" if args.target else ""): [],
        "pandas + numpy, same statistics": [],
    }
    names = list(times)
    shape = None
    for _ in range(args.repeats):
        ours = run_ours(binary, path, args.target)
        times[names[0]].append(ours["profile_secs"])
        times[names[1]].append(ours["insights_secs"])
        theirs = run_pandas(path)
        times[names[2]].append(theirs["secs"])
        shape = (ours["n_rows"], ours["n_cols"])
        if (theirs["n_rows"], theirs["n_cols"]) != shape:
            sys.exit(f"shapes differ: ours {shape}, pandas {(theirs['n_rows'], theirs['n_cols'])}")

    print(f"{path.name}: {shape[0]:,} rows x {shape[1]} columns, {args.repeats} rounds\n")
    print("| tool | median s | min s | max s |")
    print("|---|---:|---:|---:|")
    for name, secs in times.items():
        print(f"| {name} | {statistics.median(secs):.3f} | {min(secs):.3f} | {max(secs):.3f} |")


if __name__ == "__main__":
    main()

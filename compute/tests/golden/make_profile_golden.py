#!/usr/bin/env python3
"""Write the pandas/numpy values that `compute/tests/profile_golden.rs` checks our profile against.

Usage (from anywhere; needs pandas and numpy):

    python3 compute/tests/golden/make_profile_golden.py

For each dataset it writes `profile_<name>.json` beside this script:

* `n_rows`, `n_cols`, `duplicate_rows` (`df.duplicated().sum()`),
* per column: `count`, `missing`, `n_unique` (`nunique()`), `value_counts` (every value whose
  count is at least the 10th largest count, so ties at the cut can be checked either way),
* numeric columns: `describe()`'s mean, std, min, max and the quantiles 1/5/25/50/75/95/99 %
  (`Series.quantile`, linear interpolation), `skew()`, `kurt()`, the number of zeros and
  `numpy.histogram(values, bins=20)`,
* string columns: `str.len()` min/mean/max,
* `corr`: `df[numeric].corr()` (Pearson, pairwise complete observations), NaN as null.

Values are written with `repr`-exact floats (json's default), so the Rust test can compare
to 1e-9 relative.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(os.path.abspath(__file__)).parent
DATASETS = HERE.parent.parent.parent.parent / "shared" / "datasets"

FILES = {
    "penguins": "multiclass/penguins.csv",
    "diabetes": "regression/diabetes.csv",
    "breast_cancer": "binary/breast_cancer.csv",
    "telco_churn": "binary/telco_churn.csv",
}

QUANTILES = {"p01": 0.01, "p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95, "p99": 0.99}


def number(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def plain(value):
    """A value_counts key as JSON: numbers stay numbers, everything else is its text."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return str(value)


def column_golden(series: pd.Series) -> dict:
    out: dict = {
        "name": series.name,
        "count": int(series.count()),
        "missing": int(series.isna().sum()),
        "n_unique": int(series.nunique()),
    }
    counts = series.value_counts()
    if len(counts):
        cut = counts.iloc[min(9, len(counts) - 1)]
        out["value_counts"] = [[plain(value), int(count)] for value, count in counts.items() if count >= cut]
    else:
        out["value_counts"] = []
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.dropna().to_numpy(dtype=np.float64)
        out["numeric"] = {
            "mean": number(series.mean()),
            "std": number(series.std()),
            "min": number(series.min()),
            "max": number(series.max()),
            **{key: number(series.quantile(q)) for key, q in QUANTILES.items()},
            "skew": number(series.skew()),
            "kurt": number(series.kurt()),
            "zeros": int((values == 0).sum()),
        }
        counts, edges = np.histogram(values, bins=20)
        out["histogram"] = {"edges": [float(edge) for edge in edges], "counts": [int(c) for c in counts]}
    else:
        lengths = series.dropna().astype(str).str.len()
        out["text_lengths"] = {
            "min": int(lengths.min()),
            "mean": float(lengths.mean()),
            "max": int(lengths.max()),
        }
    return out


def dataset_golden(path: Path) -> dict:
    frame = pd.read_csv(path)
    numeric = [
        name
        for name in frame.columns
        if pd.api.types.is_numeric_dtype(frame[name]) and not pd.api.types.is_bool_dtype(frame[name])
    ]
    corr = frame[numeric].corr()
    return {
        "file": str(path.relative_to(DATASETS)),
        "n_rows": int(len(frame)),
        "n_cols": int(frame.shape[1]),
        "duplicate_rows": int(frame.duplicated().sum()),
        "columns": [column_golden(frame[name]) for name in frame.columns],
        "corr": {
            "columns": numeric,
            "values": [[number(corr.loc[a, b]) for b in numeric] for a in numeric],
        },
        "generated_by": f"pandas {pd.__version__}, numpy {np.__version__}",
    }


def main() -> None:
    for name, relative in FILES.items():
        golden = dataset_golden(DATASETS / relative)
        target = HERE / f"profile_{name}.json"
        target.write_text(json.dumps(golden, indent=1) + "\n")
        print(f"wrote {target.name}: {golden['n_rows']} rows, {golden['n_cols']} columns")


if __name__ == "__main__":
    main()

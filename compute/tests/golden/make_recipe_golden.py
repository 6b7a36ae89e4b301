"""Expected outputs of recipe steps, computed with pandas and scikit-learn.

Run from the repository root:  python3 compute/tests/golden/make_recipe_golden.py
Writes compute/tests/golden/recipe_*.json, read by compute/tests/recipe_golden.rs.
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)

DATASETS = Path("/work/shared/datasets")
OUT = Path(__file__).resolve().parent


def clean(value):
    """JSON-safe: NaN/NA → None, numpy scalars → Python ones."""
    if isinstance(value, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        return [clean(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    return value


def scalers(frame, columns, rows=None):
    """Transformed values (of the first `rows` rows, to keep big files small)."""
    out = {}
    for name, scaler in [
        ("standard_scale", StandardScaler()),
        ("min_max_scale", MinMaxScaler()),
        ("robust_scale", RobustScaler()),
        ("max_abs_scale", MaxAbsScaler()),
    ]:
        values = scaler.fit_transform(frame[columns].to_numpy(dtype=float))[:rows]
        out[name] = {c: clean(values[:, i]) for i, c in enumerate(columns)}
    return out


def imputers(frame, numeric, categorical):
    out = {}
    for strategy in ["mean", "median", "most_frequent"]:
        imputer = SimpleImputer(strategy=strategy)
        imputer.fit(frame[numeric].to_numpy(dtype=float))
        out[strategy] = dict(zip(numeric, clean(imputer.statistics_)))
    for column in categorical:
        imputer = SimpleImputer(strategy="most_frequent")
        imputer.fit(frame[[column]].astype(object).to_numpy())
        out["most_frequent"][column] = clean(imputer.statistics_[0])
    return out


def dummies(frame, column):
    encoded = pd.get_dummies(frame[[column]], columns=[column])
    return {"columns": list(encoded.columns), "values": {c: clean(encoded[c]) for c in encoded}}


def ordinal(frame, column):
    present = frame[[column]].dropna()
    encoder = OrdinalEncoder().fit(present)
    codes = encoder.transform(frame[[column]].fillna(present.iloc[0, 0]))[:, 0]
    codes = [None if missing else int(code) for code, missing in zip(codes, frame[column].isna())]
    return {"categories": clean(list(encoder.categories_[0])), "codes": codes}


def bins(frame, column, q=None, n=None):
    if q is not None:
        cut, edges = pd.qcut(frame[column], q, retbins=True)
        codes = pd.qcut(frame[column], q, labels=False)
    else:
        cut, edges = pd.cut(frame[column], n, retbins=True)
        codes = pd.cut(frame[column], n, labels=False)
    labels = [None if pd.isna(v) else str(v) for v in cut]
    return {"edges": clean(edges), "codes": clean(codes), "labels": labels}


def penguins():
    frame = pd.read_csv(DATASETS / "multiclass/penguins.csv")
    numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    grouped = frame.groupby(["species", "island"]).agg(
        body_mass_g_count=("body_mass_g", "count"),
        body_mass_g_sum=("body_mass_g", "sum"),
        body_mass_g_mean=("body_mass_g", "mean"),
        body_mass_g_min=("body_mass_g", "min"),
        body_mass_g_max=("body_mass_g", "max"),
        body_mass_g_median=("body_mass_g", "median"),
        body_mass_g_std=("body_mass_g", "std"),
        sex_nunique=("sex", "nunique"),
        sex_first=("sex", "first"),
        year_sum=("year", "sum"),
    ).reset_index()
    # A lookup table without Dream, and with an island no penguin lives on.
    lookup = pd.DataFrame(
        {
            "island": ["Biscoe", "Torgersen", "Atlantis"],
            "region": ["south", "north", "nowhere"],
            "year": [1, 2, 3],
        }
    )
    merges = {}
    for how in ["inner", "left"]:
        merged = frame.merge(lookup, on="island", how=how)
        merges[how] = {
            "n_rows": len(merged),
            "columns": list(merged.columns),
            "region": clean(merged["region"]),
            "year_x": clean(merged["year_x"]),
            "year_y": clean(merged["year_y"].astype("Float64")),
            "species": clean(merged["species"]),
        }
    order = frame.sort_values(
        ["species", "bill_length_mm"], ascending=[True, False], na_position="last", kind="stable"
    ).index
    _, test = train_test_split(frame, test_size=0.25, random_state=0)
    return {
        "scalers": scalers(frame, numeric),
        "imputers": imputers(frame, numeric, ["sex", "island"]),
        "dummies": {c: dummies(frame, c) for c in ["island", "sex"]},
        "ordinal": {c: ordinal(frame, c) for c in ["species", "sex"]},
        "qcut_body_mass_g_4": bins(frame, "body_mass_g", q=4),
        "cut_bill_length_mm_5": bins(frame, "bill_length_mm", n=5),
        "groupby": {c: clean(grouped[c]) for c in grouped.columns},
        "groupby_columns": list(grouped.columns),
        "merge_lookup_csv": lookup.to_csv(index=False),
        "merge": merges,
        "sort_species_asc_bill_desc": clean(order),
        "train_test_split_25_n_test": len(test),
    }


def diabetes():
    frame = pd.read_csv(DATASETS / "regression/diabetes.csv")
    numeric = list(frame.columns)
    return {
        "scalers": scalers(frame, numeric, rows=150),
        "qcut_bmi_10": bins(frame, "bmi", q=10),
        "cut_age_4": bins(frame, "age", n=4),
    }


def telco():
    frame = pd.read_csv(DATASETS / "binary/telco_churn.csv")
    numeric = ["account_length", "total_day_minutes", "total_eve_calls", "total_intl_charge"]
    duplicates = {}
    for keep in ["first", "last"]:
        kept = frame.drop_duplicates(subset=["state", "area_code"], keep=keep).index
        duplicates[keep] = clean(kept)
    duplicates["none"] = clean(frame.drop_duplicates(subset=["state", "area_code", "churn"], keep=False).index)
    order = frame.sort_values(
        ["total_day_calls", "state"], ascending=[False, True], kind="stable"
    ).index
    return {
        "scalers": scalers(frame, numeric, rows=200),
        "dummies": {"area_code": dummies(frame, "area_code")},
        "ordinal": {"state": ordinal(frame, "state")},
        "drop_duplicates_state_area": duplicates,
        "sort_calls_desc_state": clean(order),
    }


def flights():
    frame = pd.read_csv(
        DATASETS / "regression/nycflights13_arr_delay.csv", usecols=["time_hour"]
    )
    sample = frame.iloc[::97].reset_index(drop=True)
    times = pd.to_datetime(sample["time_hour"])
    return {
        "time_hour": list(sample["time_hour"]),
        "year": clean(times.dt.year),
        "month": clean(times.dt.month),
        "dayofweek": clean(times.dt.day_of_week),
        "hour": clean(times.dt.hour),
        "dayofyear": clean(times.dt.day_of_year),
        "quarter": clean(times.dt.quarter),
    }


# Regex cases on the tweets. Replacements: (column, pattern, ours, Python's), ours with
# `$1` / `${name}` for groups, Python's with `\1` / `\g<name>`. Patterns are written so
# both engines read them the same way: classes spelt out in ASCII, since regex-lite's
# `\w`, `\d` and `(?i)` are ASCII-only and Python's are Unicode.
REGEX_REPLACE = [
    ("text", r"https?://\S+", "<url>", "<url>"),
    ("text", r"@([A-Za-z0-9_]+)", "at_$1", r"at_\1"),
    ("text", r"(?P<word>[A-Za-z]+)'(?P<tail>[a-z]+)", "${tail}-${word}", r"\g<tail>-\g<word>"),
    ("text", r"(?i)\b(health|ebola)\b", "<$1>", r"<\1>"),
    ("text", r"\s*[:|-]+\s+", " / ", " / "),
    ("text", r"([0-9]+)([0-9]{3})\b", "${1},$2", r"\1,\2"),
    ("source", r"health(news|care)?$", "", ""),
]
REGEX_EXTRACT = [
    ("text", r"(?P<scheme>https?)://(?P<host>[A-Za-z0-9.-]+)"),
    ("text", r"#([A-Za-z0-9_]+)"),
    ("text", r"([0-9]+)\s*(%|percent)?"),
    ("source", r"^([a-z]+?)(health)"),
]
REGEX_MATCHES = [
    ("text", r"(?i)cancer|diabet"),
    ("text", r"^RT @"),
    ("source", r"^n"),
]
# Every this many rows of the tweets are kept in the golden file, to keep it small.
TWEET_STRIDE = 211


def tweets():
    # The missing markers our reader knows, and no others.
    frame = pd.read_csv(DATASETS / "text/health_tweets.csv", keep_default_na=False,
                        na_values=["", "NA", "N/A", "null", "NaN"])
    rows = list(range(0, len(frame), TWEET_STRIDE))
    replace = []
    for column, pattern, ours, theirs in REGEX_REPLACE:
        out = frame[column].str.replace(pattern, theirs, regex=True)
        replace.append({"column": column, "pattern": pattern, "replacement": ours,
                        "values": clean(out.iloc[rows])})
    extract = []
    for column, pattern in REGEX_EXTRACT:
        out = frame[column].str.extract(pattern, expand=True)
        extract.append({"column": column, "pattern": pattern,
                        "columns": [str(c) for c in out.columns],
                        "values": [clean(out[c].iloc[rows]) for c in out.columns]})
    matches = []
    for column, pattern in REGEX_MATCHES:
        kept = frame.index[frame[column].str.contains(pattern, regex=True, na=False)]
        matches.append({"column": column, "pattern": pattern, "n_kept": len(kept),
                        "first_kept": clean(kept[:300])})
    return {"n_rows": len(frame), "rows": rows, "regex_replace": replace,
            "regex_extract": extract, "regex_matches": matches}


def main():
    versions = {"pandas": pd.__version__, "sklearn": sklearn.__version__, "numpy": np.__version__}
    for name, build in [
        ("penguins", penguins),
        ("diabetes", diabetes),
        ("telco", telco),
        ("flights", flights),
        ("tweets", tweets),
    ]:
        data = {"versions": versions, **build()}
        (OUT / f"recipe_{name}.json").write_text(json.dumps(data, indent=None) + "\n")
        print("wrote", OUT / f"recipe_{name}.json")


if __name__ == "__main__":
    main()

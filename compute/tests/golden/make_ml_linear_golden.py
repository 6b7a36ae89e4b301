#!/usr/bin/env python3
"""Writes ml_linear_sklearn.json: scikit-learn's fitted linear, logistic, kNN and naive Bayes
models on small shared datasets, for compute/tests/ml_linear.rs.

    python3 compute/tests/golden/make_ml_linear_golden.py

Every model sees the numeric columns through StandardScaler (the datasets used here have no
missing values and no text features), like `compute::ml::preprocess`. Iterative models are
fitted with a tight tolerance so that both sides reach the optimum, not just somewhere near it.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler

HERE = Path(__file__).resolve().parent
DATASETS = HERE.parents[2].parent / "shared/datasets"


def load(folder, name, target):
    frame = pd.read_csv(DATASETS / folder / f"{name}.csv")
    test = np.loadtxt(DATASETS / folder / f"{name}.test_idx.txt", dtype=int)
    is_test = np.zeros(len(frame), bool)
    is_test[test] = True
    x = frame.drop(columns=[target]).to_numpy(float)
    y = frame[target].to_numpy()
    return x, y, is_test


def scaled(x, fit_on=None):
    scaler = StandardScaler().fit(x if fit_on is None else fit_on)
    return scaler.transform(x)


def linear(model):
    return {"coef": np.ravel(model.coef_).tolist(), "intercept": float(np.ravel(model.intercept_)[0])}


def logistic(model, x, y):
    proba = model.predict_proba(x)
    return {
        "coef": np.atleast_2d(model.coef_).tolist(),
        "intercept": np.ravel(model.intercept_).tolist(),
        "n_iter": int(np.max(model.n_iter_)),
        "train_log_loss": float(-np.mean(np.log(proba[np.arange(len(y)), np.searchsorted(model.classes_, y)]))),
    }


golden = {"sklearn": sklearn.__version__}

x, y, _ = load("regression", "diabetes", "disease_progression")
xs = scaled(x)
golden["diabetes_ols"] = linear(LinearRegression().fit(xs, y))
golden["diabetes_ridge_1"] = linear(Ridge(alpha=1.0).fit(xs, y))
golden["diabetes_lasso_0.1"] = linear(Lasso(alpha=0.1, tol=1e-12, max_iter=100_000).fit(xs, y))
golden["diabetes_enet_0.5_0.3"] = linear(
    ElasticNet(alpha=0.5, l1_ratio=0.3, tol=1e-12, max_iter=100_000).fit(xs, y)
)
golden["diabetes_ridge_no_intercept"] = linear(Ridge(alpha=1.0, fit_intercept=False).fit(xs, y))
# kNN on the first 300 rows (the scaler fitted on them), predicting the others.
knn = KNeighborsRegressor(n_neighbors=5).fit(scaled(x[:300]), y[:300])
golden["diabetes_knn_last_rows"] = knn.predict(scaled(x[300:], fit_on=x[:300])).tolist()

x, y, _ = load("binary", "breast_cancer", "diagnosis")
xs = scaled(x)
# The exact optimum: lbfgs at tol 1e-10 still stops ~1e-6 (relative) short of it, on
# scipy's relative-decrease test; Newton steps get there.
tight = dict(solver="newton-cholesky", tol=1e-14, max_iter=1000)
golden["breast_cancer_logistic"] = logistic(LogisticRegression(**tight).fit(xs, y), xs, y)
golden["breast_cancer_logistic_default"] = logistic(LogisticRegression().fit(xs, y), xs, y)
golden["breast_cancer_logistic_balanced_c0.1"] = logistic(
    LogisticRegression(C=0.1, class_weight="balanced", **tight).fit(xs, y), xs, y
)

x, y, is_test = load("multiclass", "iris", "species")
xs = scaled(x)
golden["iris_logistic"] = logistic(LogisticRegression(**tight).fit(xs, y), xs, y)
nb = GaussianNB().fit(xs, y)
golden["iris_gaussian_nb"] = {
    "theta": nb.theta_.tolist(),
    "var": nb.var_.tolist(),
    "proba": nb.predict_proba(xs).tolist(),
}
# kNN on the train split, scored on the test split (scaler fitted on the train rows).
train_x = x[~is_test]
knn = KNeighborsClassifier(n_neighbors=5).fit(scaled(train_x), y[~is_test])
golden["iris_knn_test_proba"] = knn.predict_proba(scaled(x[is_test], fit_on=train_x)).tolist()

(HERE / "ml_linear_sklearn.json").write_text(json.dumps(golden, indent=1) + "\n")
print("wrote", HERE / "ml_linear_sklearn.json")

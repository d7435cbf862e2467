"""Real tabular sets: wine (sklearn), Pima Indians diabetes, red wine quality, ionosphere.

Each loader returns ``(X float32 (n, d) possibly holding NaN for missing values, y int64 (n,),
feature names, class names)``. Missing values are imputed later, on the train split only.
"""
from __future__ import annotations

import numpy as np

from playground.datasets.files import read_csv_or_openml, to_xy

PIMA_FEATURES = ["pregnancies", "glucose", "blood_pressure", "skin_thickness", "insulin", "bmi", "pedigree", "age"]
# A zero in these columns is physiologically impossible: it encodes "not measured".
PIMA_ZERO_IS_MISSING = ["glucose", "blood_pressure", "skin_thickness", "insulin", "bmi"]


def wine():
    from sklearn.datasets import load_wine

    bunch = load_wine()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int64), list(bunch.feature_names), [
        f"cultivar {i}" for i in range(3)
    ]


def pima(missing: str):
    """768 rows, 8 features. ``missing``: median (NaN, imputed on train) | drop_rows | drop_columns
    (drop skin thickness and insulin, then drop rows: 724 rows, 6 features)."""
    frame = read_csv_or_openml(
        "pima-indians-diabetes.csv", 37, "Pima Indians diabetes", "768 rows, 8 numeric features then the 0/1 label, no header"
    )
    X, y, _ = to_xy(frame)
    names = list(PIMA_FEATURES)
    cols = [names.index(c) for c in PIMA_ZERO_IS_MISSING]
    X[:, cols] = np.where(X[:, cols] == 0, np.nan, X[:, cols])
    if missing == "drop_columns":
        keep = [i for i, n in enumerate(names) if n not in ("skin_thickness", "insulin")]
        X, names = X[:, keep], [names[i] for i in keep]
    if missing in ("drop_rows", "drop_columns"):
        rows = ~np.isnan(X).any(axis=1)
        X, y = X[rows], y[rows]
    return X, y, names, ["no diabetes", "diabetes"]


WINE_QUALITY_FEATURES = [
    "fixed_acidity", "volatile_acidity", "citric_acid", "residual_sugar", "chlorides", "free_sulfur_dioxide",
    "total_sulfur_dioxide", "density", "pH", "sulphates", "alcohol",
]


def wine_quality():
    """1,599 red wines, 11 features, quality scores 3..8 as 6 very unbalanced classes."""
    frame = read_csv_or_openml(
        "winequality-red.csv", 40691, "Red wine quality", "1599 rows, 11 numeric features then the quality score"
    )
    X, y, names = to_xy(frame)
    return X, y, WINE_QUALITY_FEATURES, [f"quality {n}" for n in names]


def wine_quality_score():
    """The same 1,599 wines and 11 features, the quality score (3..8) as a float32 regression target."""
    X, y, features, classes = wine_quality()
    scores = np.array([float(c.split()[-1]) for c in classes], dtype=np.float32)  # class index -> its score
    return X, scores[y], features, []


def ionosphere():
    """351 radar returns, 34 features, good (g) / bad (b)."""
    frame = read_csv_or_openml("ionosphere.csv", 59, "Ionosphere", "351 rows, 34 numeric features then g/b")
    X, y, names = to_xy(frame)
    return X, y, [f"pulse_{i}" for i in range(X.shape[1])], ["bad" if n == "b" else "good" if n == "g" else n for n in names]

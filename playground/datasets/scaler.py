"""The fitted feature scaling as plain numbers: ``x -> fill NaN, then x * scale + offset`` per feature.

``split_and_scale`` fits a scikit-learn pipeline (median imputer when the data has gaps, then the
config's scaler) on the training rows; ``Scaler.of(pipe)`` keeps its learned numbers so a model
file can scale raw rows the same way without scikit-learn (playground/model_file.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scaler:
    scale: np.ndarray  # (d,) float64: multiplies the (imputed) raw feature
    offset: np.ndarray  # (d,) float64: added after
    fill: np.ndarray | None = None  # (d,) float64: the training median that replaces a NaN; None: no imputer

    def transform(self, X: np.ndarray) -> np.ndarray:
        """(N, d) raw rows -> (N, d) float32 model inputs, as the fitted pipeline gives them."""
        X = np.asarray(X, dtype=np.float64)
        if self.fill is not None:
            X = np.where(np.isnan(X), self.fill, X)
        return (X * self.scale + self.offset).astype(np.float32)

    @classmethod
    def of(cls, pipe) -> "Scaler":
        """From a fitted ``make_pipeline([SimpleImputer], StandardScaler | MinMaxScaler | FunctionTransformer)``."""
        steps = [step for _, step in pipe.steps]
        fill = np.asarray(steps[0].statistics_, dtype=np.float64) if len(steps) == 2 else None
        last, d = steps[-1], int(pipe.n_features_in_)
        if hasattr(last, "mean_"):  # StandardScaler: (x - mean) / std
            return cls(1.0 / last.scale_, -last.mean_ / last.scale_, fill)
        if hasattr(last, "min_"):  # MinMaxScaler: x * scale_ + min_
            return cls(np.asarray(last.scale_, dtype=np.float64), np.asarray(last.min_, dtype=np.float64), fill)
        return cls(np.ones(d), np.zeros(d), fill)  # "none"

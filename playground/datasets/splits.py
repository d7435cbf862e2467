"""The prepared data's containers: a loaded Dataset and its model-ready Splits.

numpy only, so a process that trains on prepared splits (the app's runner child) can unpickle
them without importing sklearn or pandas.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from playground.datasets.crosses import cross_names
from playground.datasets.scaler import Scaler


@dataclass(frozen=True)
class Dataset:
    name: str
    X: np.ndarray  # (n, d) float32; NaN marks a missing value
    y: np.ndarray  # (n,) int64 in 0..C-1; regression: (n,) float32 targets and no class names
    feature_names: list[str]
    class_names: list[str]
    kind: str  # "2d" | "tabular" | "image"

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def regression(self) -> bool:
        return self.y.dtype.kind == "f"

    @property
    def class_counts(self) -> np.ndarray:
        return np.bincount(self.y, minlength=self.n_classes)


@dataclass(frozen=True)
class Splits:
    """Model-ready arrays. X_*: (n, d) float32 scaled, then a 2-D set's feature crosses as columns 2..d-1;
    y_*: (n,) int64 (regression: float32, original scale)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    dataset: Dataset
    notes: tuple[str, ...] = field(default=())
    y_offset: float = 0.0  # regression: the network learns (y - y_offset) / y_scale (target_scaling)
    y_scale: float = 1.0
    scaler: Scaler | None = None  # the fitted feature scaling as numbers (model files reproduce it)
    crosses: tuple[str, ...] = ()  # RunConfig.crosses: the cross columns after x1, x2 (datasets/crosses.py)

    @property
    def regression(self) -> bool:
        return self.dataset.regression

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int:
        return self.dataset.n_classes

    @property
    def feature_names(self) -> list[str]:
        """The model's inputs: the dataset's features, then the crosses' names (``x1, x2, x1², x2²``)."""
        return [*self.dataset.feature_names, *cross_names(self.crosses)]

    @property
    def planar(self) -> bool:
        """2-D points (whatever crosses the model also sees): the boundary is drawn on their own x1-x2 plane."""
        return self.n_features - len(self.crosses) == 2

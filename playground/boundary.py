"""The plane in which decision boundaries are drawn.

2-D sets use their own input plane; a grid point's model inputs are its x1, x2 and the run's feature
crosses of them (datasets/crosses.py), so the boundary of a model with 2 + k inputs is still drawn
over x1 and x2. Higher-dimensional sets use the plane of the first two
principal components of the (scaled) training features: grid points in that plane are mapped
back with ``inverse_transform`` (points on the affine PCA plane in feature space) and fed to the
model. sklearn fits the PCA; the Plane keeps only its centre and axes as numpy arrays, so it
pickles into a training process that has no sklearn. The trainer thread does the torch part.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.datasets.crosses import with_crosses
from playground.snapshot import PlanePoints

MAX_POINTS = 1500  # points drawn over the boundary (the plot stays light)


@dataclass(frozen=True)
class Plane:
    xs: np.ndarray  # (R,) grid x coordinates in the plane
    ys: np.ndarray  # (R,) grid y coordinates
    grid: np.ndarray  # (R*R, 2) float32 plane coordinates, row-major over (y, x)
    features: np.ndarray  # (R*R, d) float32 model inputs, row-major over (y, x); a 2-D set's: x1, x2, crosses
    mean: np.ndarray | None  # (d,) the PCA's centre (sklearn's mean_); None when the data is already 2-D
    components: np.ndarray | None  # (2, d) its axes (components_); features = mean + grid @ components
    axis_titles: tuple[str, str]
    note: str  # what the plane is, for a caption ("" for 2-D sets)

    def project(self, X: np.ndarray) -> np.ndarray:
        """(n, d) -> (n, 2) plane coordinates (PCA.transform without whitening; a 2-D set's x1, x2 without crosses)."""
        return X[:, :2] if self.components is None else (X - self.mean) @ self.components.T


def resolution_for(n_features: int) -> int:
    """100x100 for cheap inputs; coarser for wide inputs so a refresh stays in milliseconds."""
    return 100 if n_features <= 64 else 40


def make_plane(X_train: np.ndarray, resolution: int | None = None, margin: float = 0.15,
               crosses: tuple[str, ...] = ()) -> Plane:  # fmt: skip
    """The plane of ``X_train`` (n, d); ``crosses``: the feature crosses in its last columns (``Splits.crosses``),
    which make it a 2-D set whose grid gets the same cross columns. ``plane_of(splits)`` passes them."""
    if crosses:
        X_train = X_train[:, : X_train.shape[1] - len(crosses)]
    d = X_train.shape[1]
    res = resolution or resolution_for(d)
    pca = None if d == 2 else _pca(X_train)
    mean, components = (None, None) if pca is None else (pca.mean_, pca.components_)
    P = X_train if pca is None else pca.transform(X_train)
    lo, hi = P.min(axis=0), P.max(axis=0)
    pad = (hi - lo) * margin + 1e-6
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], res)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], res)
    gx, gy = np.meshgrid(xs, ys)  # (R, R), row = y
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    features = grid if pca is None else pca.inverse_transform(grid)
    grid = grid.astype(np.float32)
    if pca is None:
        return Plane(xs, ys, grid, with_crosses(grid, crosses), None, None, ("x1", "x2"), "")
    explained = pca.explained_variance_ratio_.sum() * 100
    note = (
        f"{d} features: the boundary is drawn in the plane of the first two principal components "
        f"(PCA on the training set, {explained:.0f}% of the variance); points are projected onto it."
    )
    return Plane(xs, ys, grid, features.astype(np.float32), mean, components, ("PC 1", "PC 2"), note)


def plane_of(splits, resolution: int | None = None) -> Plane:
    """The boundary plane of prepared ``Splits``: its 2-D points' own plane (with its crosses), else the PCA plane."""
    return make_plane(splits.X_train, resolution, crosses=splits.crosses)


def _pca(X_train: np.ndarray):
    from sklearn.decomposition import PCA  # here, not at the top: the training process gets fitted planes

    return PCA(n_components=2, random_state=0).fit(X_train)


def plane_points(splits, plane: Plane) -> PlanePoints:
    """Train and test points projected onto ``plane`` (at most MAX_POINTS each): what the live boundary
    draws over its shading, and the idle page's preview without it (the same picture, so nothing jumps)."""
    return PlanePoints(train=sample_points(splits.X_train, splits.y_train, plane),
                       test=sample_points(splits.X_test, splits.y_test, plane))  # fmt: skip


def sample_points(X: np.ndarray, y: np.ndarray, plane: Plane, limit: int = MAX_POINTS, seed: int = 0):
    """At most ``limit`` points projected to the plane: ((m, 2) float32, (m,) int64)."""
    if len(y) > limit:
        keep = np.random.default_rng(seed).choice(len(y), limit, replace=False)
        X, y = X[keep], y[keep]
    return plane.project(X).astype(np.float32), y

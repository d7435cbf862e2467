"""Generated 2-D sets, tensorflow/playground style: each is one function of (n per class, noise, rng).

All return ``X (n, 2) float32`` and ``y (n,) int64`` with classes 0..C-1.
"""
from __future__ import annotations

import numpy as np


def spiral(n_per_class: int, classes: int, noise: float, rng: np.random.Generator):
    """Class c of C: t = linspace(0, 1, N); angle = linspace(2πc/C, 2π(2+c)/C, N) + Normal(0, noise);
    x = (t·sin angle, t·cos angle)."""
    xs, ys = [], []
    t = np.linspace(0.0, 1.0, n_per_class)
    for c in range(classes):
        angle = np.linspace(2 * np.pi * c / classes, 2 * np.pi * (2 + c) / classes, n_per_class)
        angle = angle + rng.normal(0.0, noise, n_per_class)
        xs.append(np.column_stack([t * np.sin(angle), t * np.cos(angle)]))
        ys.append(np.full(n_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)


def circles(n_per_class: int, classes: int, noise: float, rng: np.random.Generator):
    """A disc inside a ring (radii 0.5 and 1); noise is the std of the radial jitter, halved."""
    from sklearn.datasets import make_circles  # sklearn loads when a set needs it, not with the registry

    X, y = make_circles(2 * n_per_class, noise=noise / 2, factor=0.5, random_state=_seed(rng))
    return X.astype(np.float32), (1 - y).astype(np.int64)  # sklearn's 0 is the outer ring; ours is the inner disc


def xor(n_per_class: int, classes: int, noise: float, rng: np.random.Generator):
    """Uniform points in [-1, 1]^2 labelled by the sign of x*y, then jittered by Normal(0, noise/2)."""
    X = rng.uniform(-1, 1, size=(2 * n_per_class, 2))
    X[np.abs(X) < 0.05] += 0.1 * np.sign(X[np.abs(X) < 0.05] + 1e-9)  # keep points off the axes, as the TF set does
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    X = X + rng.normal(0.0, noise / 2, X.shape)
    return X.astype(np.float32), y


def blobs(n_per_class: int, classes: int, noise: float, rng: np.random.Generator):
    """C Gaussian blobs with centres on a circle of radius 1; noise is the blob std (at least 0.05)."""
    from sklearn.datasets import make_blobs

    angles = 2 * np.pi * np.arange(classes) / classes
    centers = np.column_stack([np.cos(angles), np.sin(angles)])
    X, y = make_blobs(
        n_samples=[n_per_class] * classes, centers=centers, cluster_std=max(noise, 0.05), random_state=_seed(rng)
    )
    return X.astype(np.float32), y.astype(np.int64)


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))

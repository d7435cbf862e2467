"""Generated 2-D regression sets, tensorflow/playground style: one function of (n points, noise, rng) each.

Both return ``X (n, 2) float32`` uniform in [-1, 1]^2 and ``y (n,) float32``, the target. As in
TensorFlow Playground, noise moves the point the target is read at (x + Normal(0, noise/2) per axis),
so a noisy set has the same inputs and a blurred target.
"""
from __future__ import annotations

import numpy as np

# sum of Gaussians: six bumps on a 3 x 2 grid with alternating signs (TF Playground's layout, scaled to [-1, 1])
CENTRES = np.array([[-2 / 3, 5 / 12], [0, 5 / 12], [2 / 3, 5 / 12], [-2 / 3, -5 / 12], [0, -5 / 12], [2 / 3, -5 / 12]])
SIGNS = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
WIDTH = 0.2  # each bump's standard deviation


def plane_target(X: np.ndarray) -> np.ndarray:
    """A tilted plane: (x1 + x2) / 2, in [-1, 1] over the square. X (n, 2) -> (n,)."""
    return (X[:, 0] + X[:, 1]) / 2


def gaussians_target(X: np.ndarray) -> np.ndarray:
    """Sum over the bumps of sign * exp(-|x - centre|^2 / (2 WIDTH^2)). X (n, 2) -> (n,)."""
    d2 = ((X[:, None, :] - CENTRES[None, :, :]) ** 2).sum(axis=2)  # (n, 6) squared distances
    return (SIGNS * np.exp(-d2 / (2 * WIDTH**2))).sum(axis=1)


def _sample(target, n_points: int, noise: float, rng: np.random.Generator):
    X = rng.uniform(-1, 1, size=(n_points, 2))
    y = target(X + rng.normal(0.0, noise / 2, X.shape))  # the target read at a jittered point
    return X.astype(np.float32), y.astype(np.float32)


def plane(n_samples: int, classes: int, noise: float, rng: np.random.Generator):
    """2 * n_samples points (the size of circles and xor); ``classes`` is ignored."""
    return _sample(plane_target, 2 * n_samples, noise, rng)


def gaussians(n_samples: int, classes: int, noise: float, rng: np.random.Generator):
    """2 * n_samples points; ``classes`` is ignored."""
    return _sample(gaussians_target, 2 * n_samples, noise, rng)

"""Loss landscape of a live network (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets").

Two kinds of plane through weight space, both evaluated on a grid of training losses:

* the trajectory plane: the first two PCA directions of the recorded weight snapshots minus the
  final weights; the path projected onto them ends at the origin (the final weights);
* filter-normalised random directions around the current weights: each row of a Linear weight
  (one neuron's filter) rescaled to the norm of the matching row of the weights; biases and
  BatchNorm parameters get a zero direction.

The grid runs as a Runner job (``trajectory_plane_job``, ``random_directions_job``) in the torch
thread, on a deepcopy of the model, so the live weights are never written. During training one
chunk runs between epochs and lasts about half an epoch (``chunk_seconds``): apart from the first
chunk (the setup), training keeps about two thirds of its speed or more while a landscape is
computed (benchmarks/bench_landscape.py).

The first Linear layer is linear in its weights, so ``X @ (W0 + a*D1 + b*D2).T`` is three
precomputed products and one sum per grid point: an MNIST-size net costs little more per point
than its small tail.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterator

import numpy as np
import torch
from torch import nn
from torch.nn.utils import vector_to_parameters

from playground.diagnostics.trajectory import find_recorder, flat_weights
from playground.jobs import JobUpdate

MIN_RESOLUTION = 3  # points per grid side
MAX_RESOLUTION = 101  # per side: 101 x 101 = 10,201 forward passes
MAX_POINT_ROWS = 12_000_000  # grid points x loss rows; ~10 s for the spiral net, ~60 s for MNIST 512
DEFAULT_ROWS = 2048  # training rows the loss is averaged over (a seeded subsample of bigger sets)
CHUNK_SHARE = 0.5  # a chunk between two epochs lasts this fraction of an epoch ...
CHUNK_MIN, CHUNK_MAX = 0.01, 0.1  # ... within these seconds (per-point overhead below; page latency above)
PLANE_MARGIN = 0.3  # grid reaches this fraction of the path's extent beyond it


class LandscapeError(ValueError):
    """A grid over its limits, or a trajectory too short to take a plane from."""


@dataclass(frozen=True)
class PlaneResult:
    """The training loss over the PCA plane of the weight trajectory (the current weights at 0, 0)."""

    xs: np.ndarray  # (R,) coordinates along the first direction
    ys: np.ndarray  # (R,) along the second
    loss: np.ndarray  # (R, R), row = y; NaN where not computed
    path: np.ndarray  # (T, 2) the recorded weights projected onto the plane; ends at the origin
    path_steps: np.ndarray  # (T,) optimizer step of each snapshot
    explained: np.ndarray  # (2,) share of the path's variance along each direction
    center_loss: float  # at the current weights
    epoch: int
    rows: int  # training rows the loss is averaged over
    n_params: int
    seconds: float  # wall time, waits between chunks included


@dataclass(frozen=True)
class SliceResult:
    """The training loss along 1 or 2 filter-normalised random directions (the current weights at 0)."""

    axes: tuple[np.ndarray, ...]  # dims x (R,) step sizes alpha (and beta)
    loss: np.ndarray  # (R,) or (R, R), row = beta
    center_loss: float
    epoch: int
    rows: int
    n_params: int
    seconds: float

    @property
    def dims(self) -> int:
        return len(self.axes)


def check_grid(resolution: int, rows: int, dims: int = 2) -> None:
    """Refuse grids too large for memory or time; the message names the value and the limit."""
    if not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        bound = f"must be <= {MAX_RESOLUTION}" if resolution > MAX_RESOLUTION else f"must be >= {MIN_RESOLUTION}"
        raise LandscapeError(f"grid == {resolution}, {bound} (points per side)")
    points = resolution**dims
    if points * rows > MAX_POINT_ROWS:
        raise LandscapeError(
            f"grid points x rows == {points:,} x {rows:,} = {points * rows:,}, must be <= {MAX_POINT_ROWS:,}; "
            "use a coarser grid or fewer rows"
        )


# ---------------------------------------------------------------- directions


@dataclass(frozen=True)
class TrajectoryPlane:
    directions: np.ndarray  # (2, P) orthonormal PCA directions
    path: np.ndarray  # (T, 2) each snapshot minus the final weights, projected
    explained: np.ndarray  # (2,) fraction of the trajectory's variance each direction explains


def pca_plane(weights: np.ndarray, final: np.ndarray) -> TrajectoryPlane:
    """weights (T, P) snapshots (the last may equal ``final``), final (P,) -> the trajectory plane.

    Same directions and explained variance as ``sklearn.decomposition.PCA(2).fit(weights - final)``
    (tested against it), computed in the dual: P can be 400k while T is at most a few hundred, and
    the (T, T) Gram matrix takes ~0.05 s where sklearn takes ~3 s, a stall of the training thread.
    """
    diffs = weights - final  # (T, P); Li et al. take PCA of the snapshots relative to the end point
    if len(diffs) < 3:
        raise LandscapeError(f"trajectory has {len(diffs)} snapshots, needs >= 3; train for a few more steps")
    if not np.any(diffs):
        raise LandscapeError("the weights have not moved yet; train for a few steps first")
    if diffs.shape[1] < 2:
        raise LandscapeError(f"the network has {diffs.shape[1]} weight, needs >= 2 for a plane")
    G = (diffs @ diffs.T).astype(np.float64)  # (T, T)
    G = G - G.mean(0) - G.mean(1)[:, None] + G.mean()  # Gram of the mean-centred rows (H G H)
    lam, U = np.linalg.eigh(G)  # ascending
    lam, U = np.clip(lam[::-1], 0, None), U[:, ::-1]
    if lam[0] <= 0:
        raise LandscapeError("the snapshots do not vary; train for a few more steps")
    # Right singular vectors: centred diffs.T @ U / s; the centring drops out because U is orthogonal to 1.
    d1 = diffs.T @ U[:, 0].astype(diffs.dtype)  # (P,)
    d2 = diffs.T @ U[:, 1].astype(diffs.dtype) if lam[1] > lam[0] * 1e-10 else _any_direction(d1.size)
    d1 /= np.linalg.norm(d1)
    d2 -= (d2 @ d1) * d1  # exactly orthogonal, also for a straight path (whose second direction is arbitrary)
    directions = np.stack([d1, d2 / np.linalg.norm(d2)])  # (2, P)
    path = diffs @ directions.T  # (T, 2)
    flip = np.where(path[0] > 0, -1.0, 1.0).astype(diffs.dtype)  # start at negative coordinates, end at 0
    return TrajectoryPlane(directions * flip[:, None], path * flip, lam[:2] / lam.sum())


def _any_direction(n: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal(n).astype(np.float32)


def filter_normalized_direction(model: nn.Module, generator: torch.Generator) -> torch.Tensor:
    """(P,) random direction: Gaussian rows rescaled to the norm of each weight row; 1-D params zero.

    In this MLP the 1-D parameters are exactly the biases and BatchNorm's weight and bias.
    """
    parts = []
    for p in model.parameters():
        w = p.detach()
        if w.dim() <= 1:
            parts.append(torch.zeros_like(w).reshape(-1))
            continue
        d = torch.randn(w.shape, generator=generator, dtype=w.dtype).to(w.device)  # (out, in)
        d *= w.norm(dim=1, keepdim=True) / d.norm(dim=1, keepdim=True).clamp_min(1e-12)
        parts.append(d.reshape(-1))
    return torch.cat(parts)


# ---------------------------------------------------------------- grid evaluation


class PlaneLoss:
    """Training loss at ``center + a*d1 + b*d2`` for a copy of a Sequential MLP (eval mode).

    The first Linear's output is ``Z0 + a*Z1 + b*Z2`` (each (rows, h), precomputed); only the
    rest of the network runs per point, with its weights written into the copy.
    """

    def __init__(self, model: nn.Sequential, center: torch.Tensor, dirs: list[torch.Tensor], X, y, loss_fn):
        self.net = copy.deepcopy(model).eval()  # a private copy, left in eval mode (playground/modes.py) for good
        first = self.net[0]
        n0 = first.weight.numel() + first.bias.numel()  # first layer's share of the flat vector
        self.tail = self.net[1:]  # shares modules with self.net
        self.tail_params = list(self.tail.parameters())
        self.y, self.loss_fn = y, loss_fn
        with torch.no_grad():
            self.Z = [self._first(first, v[:n0], X) for v in [center, *dirs]]  # each (rows, h)
        self.rest = [v[n0:] for v in [center, *dirs]]  # each (P - n0,)

    @staticmethod
    def _first(layer: nn.Linear, flat: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        W = flat[: layer.weight.numel()].view_as(layer.weight)  # (h, d)
        return X @ W.T + flat[layer.weight.numel() :]  # (rows, h)

    @torch.no_grad()
    def __call__(self, *coords: float) -> float:
        z, rest = self.Z[0], self.rest[0]
        for c, Zk, rk in zip(coords, self.Z[1:], self.rest[1:]):
            z, rest = z + c * Zk, rest + c * rk
        if self.tail_params:
            vector_to_parameters(rest, self.tail_params)
        return float(self.loss_fn(self.tail(z), self.y))


def loss_rows(trainer, rows: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded subsample of at most ``rows`` training rows: (X (r, d), y (r,))."""
    X, y = trainer.data["train"]
    if len(y) <= rows:
        return X, y
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(y), generator=g)[:rows].to(X.device)
    return X[idx], y[idx]


def chunk_seconds(trainer) -> float:
    """Work per chunk: CHUNK_SHARE of the mean epoch while training runs; CHUNK_MAX when it does not."""
    if trainer.stop_training or trainer.epoch == 0:
        return CHUNK_MAX
    return min(CHUNK_MAX, max(CHUNK_MIN, CHUNK_SHARE * trainer.train_seconds / trainer.epoch))


def eval_grid(f: Callable[..., float], axes: list[np.ndarray], out: np.ndarray, budget: float) -> Iterator[float]:
    """Fill ``out`` (shape = reversed axis lengths: row = y) with f at every grid point.

    Yields the fraction done after each chunk of about ``budget`` seconds.
    """
    points = np.stack(np.meshgrid(*axes[::-1], indexing="ij")[::-1], -1).reshape(-1, len(axes))  # row-major over y
    flat = out.reshape(-1)
    i, t0 = 0, time.perf_counter()
    while i < len(points):
        flat[i] = f(*points[i])
        i += 1
        if time.perf_counter() - t0 >= budget and i < len(points):
            yield i / len(points)
            t0 = time.perf_counter()
    yield 1.0


# ---------------------------------------------------------------- runner jobs


def trajectory_plane_job(resolution: int = 25, rows: int = DEFAULT_ROWS, margin: float = PLANE_MARGIN,
                         budget: float | None = None) -> Callable:  # fmt: skip
    """A ``Runner.submit`` job: loss over the PCA plane of the run's weight trajectory.

    ``budget``: seconds per chunk; None adapts it to the epoch time (``chunk_seconds``).
    A partial of a module-level generator, so it pickles to the ProcessRunner's child.
    """
    return partial(_trajectory_plane, resolution=resolution, rows=rows, margin=margin, budget=budget)


def _trajectory_plane(trainer, resolution: int, rows: int, margin: float, budget: float | None) -> Iterator[JobUpdate]:
    t_start = time.perf_counter()
    recorder = find_recorder(trainer)
    if recorder is None:
        raise LandscapeError("this run records no weight trajectory")
    X, y = loss_rows(trainer, rows, trainer.cfg.seed)
    check_grid(resolution, len(y))
    steps, weights = recorder.trajectory()  # (T,), (T, P)
    center = flat_weights(trainer.model)  # (P,) the current weights are the path's end
    final = center.cpu().numpy()
    if len(weights) and not np.array_equal(weights[-1], final):
        steps, weights = np.append(steps, recorder.step), np.vstack([weights, final])
    plane = pca_plane(weights, final)
    dirs = [torch.as_tensor(d, device=center.device) for d in plane.directions]
    f = PlaneLoss(trainer.model, center, dirs, X, y, trainer.loss)
    xs, ys = plane_axes(plane.path, resolution, margin)
    loss = np.full((resolution, resolution), np.nan)  # (R, R), row = y
    yield JobUpdate(0.0)  # the PCA was this chunk
    for progress in eval_grid(f, [xs, ys], loss, chunk_seconds(trainer) if budget is None else budget):
        if progress < 1.0:
            yield JobUpdate(progress)
    result = PlaneResult(
        xs=xs, ys=ys, loss=loss, path=plane.path, path_steps=steps, explained=plane.explained, center_loss=f(0.0, 0.0),
        epoch=trainer.epoch, rows=len(y), n_params=int(final.size), seconds=time.perf_counter() - t_start,
    )  # fmt: skip
    yield JobUpdate(1.0, result)


def plane_axes(path: np.ndarray, resolution: int, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Square grid around the path (equal scales: both directions are unit vectors in weight space)."""
    lo, hi = path.min(axis=0), path.max(axis=0)
    mid, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2, 1e-6) * (1 + margin)
    return tuple(np.linspace(m - half, m + half, resolution) for m in mid)


def random_directions_job(dims: int = 2, resolution: int = 25, span: float = 1.0, rows: int = DEFAULT_ROWS,
                          seed: int = 0, budget: float | None = None) -> Callable:  # fmt: skip
    """A ``Runner.submit`` job: loss along 1 or 2 filter-normalised random directions, in [-span, span]."""
    return partial(_random_directions, dims=dims, resolution=resolution, span=span, rows=rows, seed=seed, budget=budget)


def _random_directions(trainer, dims: int, resolution: int, span: float, rows: int, seed: int,
                       budget: float | None) -> Iterator[JobUpdate]:  # fmt: skip
    t_start = time.perf_counter()
    X, y = loss_rows(trainer, rows, trainer.cfg.seed)
    check_grid(resolution, len(y), dims)
    center = flat_weights(trainer.model)
    g = torch.Generator().manual_seed(seed)
    dirs = [filter_normalized_direction(trainer.model, g) for _ in range(dims)]
    f = PlaneLoss(trainer.model, center, dirs, X, y, trainer.loss)
    axes = [np.linspace(-span, span, resolution)] * dims
    loss = np.full((resolution,) * dims, np.nan)
    yield JobUpdate(0.0)
    for progress in eval_grid(f, axes, loss, chunk_seconds(trainer) if budget is None else budget):
        if progress < 1.0:
            yield JobUpdate(progress)
    result = SliceResult(
        axes=tuple(axes), loss=loss, center_loss=f(*[0.0] * dims), epoch=trainer.epoch, rows=len(y),
        n_params=int(center.numel()), seconds=time.perf_counter() - t_start,
    )  # fmt: skip
    yield JobUpdate(1.0, result)


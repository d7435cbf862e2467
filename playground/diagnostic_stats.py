"""What the diagnostics publish (``Snapshot.extras``): plain dataclasses of numpy arrays, no torch.

The training process computes them (diagnostics/gradflow.py, diagnostics/trajectory.py); the server
unpickles them from every snapshot, so their module must not import torch: a class defined beside
its torch code made the server import torch (~1.2 s) on a run's first snapshot.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ProbeStats:
    """One probe of the network: per-layer arrays (L,) over its Linear layers, input to output."""

    layers: tuple[str, ...]  # "1 relu", ..., "output"
    activations: tuple[str, ...]  # class name of each layer's activation ("" for the output)
    loss: float  # on the probe rows
    weight_norm: np.ndarray  # (L,) ||W||
    grad_norm: np.ndarray  # (L,) ||dL/dW||
    dead: np.ndarray  # (L,) share of ReLU-family units with input <= 0 on every row; NaN elsewhere
    saturation: np.ndarray  # (L,) share of sigmoid/tanh outputs in the flat tails; NaN elsewhere


@dataclass(frozen=True)
class GradFlowHistory:
    """The last HISTORY computes, for the chart over time; replaced, never written in place."""

    epoch: np.ndarray  # (H,)
    grad_norm: np.ndarray  # (H, L)
    update_ratio: np.ndarray  # (H, L)


@dataclass(frozen=True)
class GradFlowStats(ProbeStats):
    """What the page shows of gradient flow (``Snapshot.extras.gradflow``)."""

    update_ratio: np.ndarray  # (L,) ||W_now - W_before|| / ||W_before|| per optimizer step; NaN at the first
    epoch: int
    history: GradFlowHistory

    @property
    def vanishing_ratio(self) -> float:
        """First-layer gradient norm / output-layer gradient norm (1 is healthy; 1e-5 is vanishing)."""
        g = self.grad_norm
        return float(g[0] / g[-1]) if len(g) > 1 and g[-1] > 0 else float("nan")


@dataclass(frozen=True)
class TrajectorySummary:
    """What the page shows of the recorded path (``Snapshot.extras.trajectory``); the weights stay here."""

    points: int  # snapshots kept
    every: int  # optimizer steps between two kept snapshots
    steps: int  # optimizer steps so far
    capacity: int  # snapshots kept at most (then every other one is dropped and ``every`` doubles)
    megabytes: float

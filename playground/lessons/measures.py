"""Small measurements on run results, and how the sentences print them. numpy only."""
from __future__ import annotations

import math

import numpy as np


def pct(x: float) -> str:
    """0.9583 -> "96%"."""
    return f"{100 * x:.0f}%" if math.isfinite(x) else "n/a"


def num(x: float) -> str:
    """Three significant figures: 0.04712 -> "0.0471", 1.2e-07 -> "1.2e-07"."""
    return f"{x:.3g}" if math.isfinite(x) else str(x)


def first_epoch(curve: np.ndarray, below: float) -> int | None:
    """The first epoch (1-based) at which ``curve`` is <= ``below``; None if never."""
    hits = np.flatnonzero(np.asarray(curve) <= below)
    return int(hits[0]) + 1 if len(hits) else None


def epochs_text(epoch: int | None, epochs: int) -> str:
    return f"epoch {epoch}" if epoch is not None else f"not within {epochs} epochs"


def upward_share(curve: np.ndarray) -> float:
    """Share of epoch-to-epoch steps where the curve went up: 0 for a smooth descent."""
    steps = np.diff(np.asarray(curve, dtype=float))
    return float((steps > 0).mean()) if len(steps) else math.nan


def best_epoch(curve: np.ndarray) -> int:
    """1-based epoch of the curve's minimum, skipping NaN (epochs without validation)."""
    return int(np.nanargmin(curve)) + 1


def boundary_length(proba: np.ndarray) -> float:
    """(R, R, C) class probabilities on a grid -> share of neighbouring cells whose predicted class differs.

    A straight boundary across a 60x60 grid scores ~1/60; islands and wiggles around single points add to it.
    """
    cls = proba.argmax(-1)
    return float(((cls[1:] != cls[:-1]).mean() + (cls[:, 1:] != cls[:, :-1]).mean()) / 2)

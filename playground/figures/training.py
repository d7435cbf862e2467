"""Training curves: loss (with learning-rate changes marked) and accuracy per epoch, plus the progress line."""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from playground.figures.data import base_layout, lean_figure

MAX_POINTS = 1500  # per curve: more than a chart's pixel width carries no information, only JSON
TRAIN_COLOUR, VAL_COLOUR, LR_COLOUR = "#4e79a7", "#f28e2b", "#7f7f7f"


def downsample(n: int, limit: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``limit`` evenly spaced points of ``n``, always keeping the first and last."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


def _curves(history: dict, keys: tuple[str, str], names: tuple[str, str]) -> list[dict]:
    """One line per key. Validation is NaN on epochs it skipped (RunConfig.val_every): its line
    runs through the validated epochs only (a diverged NaN is dropped as well; the train curve keeps it)."""
    epoch = history.get("epoch", np.zeros(0))
    curves = []
    for key, name, colour in zip(keys, names, (TRAIN_COLOUR, VAL_COLOUR)):
        if key not in history:
            continue
        x, y = epoch, history[key]
        if key.startswith("val"):
            kept = ~np.isnan(y)
            x, y = x[kept], y[kept]
        idx = downsample(len(x))
        curves.append(dict(type="scatter", mode="lines", x=x[idx], y=y[idx], name=name,
                           line=dict(color=colour, width=2.5 if key.startswith("val") else 2)))  # fmt: skip
    return curves


def _blew_up(loss: np.ndarray) -> bool:
    """True when the loss rose far above its start: a log axis keeps the early curve readable."""
    finite = loss[np.isfinite(loss)]
    return len(finite) > 1 and finite.max() > 10 * max(finite[0], 1e-12)


def lr_markers(lr_changes) -> tuple[list[dict], list[dict]]:
    """(shapes, annotations): a dashed line just before the first epoch trained with each new lr."""
    shapes, notes = [], []
    for i, (epoch, lr) in enumerate(lr_changes):
        x = epoch - 0.5
        shapes.append(dict(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1,
                           line=dict(color=LR_COLOUR, width=1.5, dash="dash")))  # fmt: skip
        # Inside the plot, right of the line, stepping down so changes made close together stay readable.
        notes.append(dict(xref="x", yref="paper", x=x, y=0.97 - 0.12 * (i % 4), xanchor="left", yanchor="top",
                          showarrow=False, text=f" lr → {lr:g}", bgcolor="rgba(255,255,255,0.8)",
                          font=dict(size=12, color="#4a4a4a")))  # fmt: skip
    return shapes, notes


def loss_figure(history: dict, lr_changes=(), height: int = 300) -> go.Figure:
    """history: arrays ``epoch, loss, val_loss`` (E,); lr_changes: ((first epoch with the lr, lr), ...)."""
    shapes, notes = lr_markers(lr_changes)
    log = "loss" in history and _blew_up(history["loss"])
    layout = base_layout(
        "Loss (log scale)" if log else "Loss",
        height=height,
        xaxis=dict(title=dict(text="epoch"), rangemode="tozero"),
        yaxis=dict(type="log", exponentformat="power") if log else dict(rangemode="tozero"),
        shapes=shapes,
        annotations=notes,
        hovermode="x unified",
    )
    return lean_figure(_curves(history, ("loss", "val_loss"), ("train", "validation")), layout)


def accuracy_figure(history: dict, height: int = 300) -> go.Figure:
    """history: arrays ``epoch, accuracy, val_accuracy`` (E,), accuracies in [0, 1]."""
    layout = base_layout(
        "Accuracy",
        height=height,
        xaxis=dict(title=dict(text="epoch"), rangemode="tozero"),
        yaxis=dict(range=[0, 1.02], tickformat=".0%"),
        hovermode="x unified",
    )
    curves = _curves(history, ("accuracy", "val_accuracy"), ("train", "validation"))
    return lean_figure(curves, layout)


def progress_text(epoch: int, epochs: int, wall_seconds: float, samples_per_second: float) -> str:
    """``epoch 12 / 200 · 3.4 s · 25,400 samples/s`` for the progress bar."""
    speed = f"{samples_per_second:,.0f} samples/s" if math.isfinite(samples_per_second) else "– samples/s"
    return f"epoch {epoch} / {epochs} · {wall_seconds:.1f} s · {speed}"

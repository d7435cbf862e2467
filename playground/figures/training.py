"""Training curves: loss (with learning-rate changes marked) and accuracy per epoch, plus the progress line."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import plotly.graph_objects as go

from playground.figures.theme import base_layout, lean_figure

MAX_POINTS = 1500  # per curve: more than a chart's pixel width carries no information, only JSON
TRAIN_COLOUR, VAL_COLOUR, LR_COLOUR = "#4e79a7", "#f28e2b", "#7f7f7f"


def downsample(n: int, limit: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``limit`` evenly spaced points of ``n``, always keeping the first and last."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


FEW_POINTS = 30  # below this many points a curve also gets markers: one point is a dot, not nothing
LABEL_GAP = 1 / 12  # lr marks closer than this share of the epoch axis share one label
DIVERGED_COLOUR = "#c0392b"


def _curves(history: dict, keys: tuple[str, str], names: tuple[str, str]) -> list[dict]:
    """One line per key. Validation is NaN on epochs it skipped (RunConfig.val_every): its line
    runs through the validated epochs only. Non-finite values (a diverged loss) are dropped, so the
    axes fit the finite part; the divergence itself is marked by ``loss_figure``."""
    epoch = history.get("epoch", np.zeros(0))
    curves = []
    for key, name, colour in zip(keys, names, (TRAIN_COLOUR, VAL_COLOUR)):
        if key not in history:
            continue
        kept = np.isfinite(history[key])
        x, y = epoch[kept], history[key][kept]
        idx = downsample(len(x))
        few = len(x) < FEW_POINTS
        curves.append(dict(type="scatter", mode="lines+markers" if few else "lines", x=x[idx], y=y[idx], name=name,
                           marker=dict(size=7 if len(x) == 1 else 5, color=colour),
                           line=dict(color=colour, width=2.5 if key.startswith("val") else 2)))  # fmt: skip
    return curves


def _epoch_axis(epochs: np.ndarray) -> dict:
    """Epochs are whole numbers: no "0.5" ticks on a short run."""
    axis = dict(title=dict(text="epoch"), rangemode="tozero")
    if len(epochs) and epochs[-1] <= 10:
        axis.update(dtick=1, range=[0, max(float(epochs[-1]), 2.0) + 0.3])
    return axis


def _blew_up(loss: np.ndarray, val_loss: np.ndarray | None = None) -> bool:
    """True when the train or validation loss rose far above the first train loss: a log axis keeps
    the early curve readable (a diverging run's validation can reach 1e27 while train is at 1.5)."""
    finite = loss[np.isfinite(loss)]
    others = np.zeros(0) if val_loss is None else val_loss[np.isfinite(val_loss)]
    peak = max(finite.max(initial=0.0), others.max(initial=0.0))
    return len(finite) > 0 and len(finite) + len(others) > 1 and peak > 10 * max(finite[0], 1e-12)


def _clusters(lr_changes, span: float) -> list[list[tuple[int, float]]]:
    """Consecutive lr changes closer than LABEL_GAP * span epochs, grouped (each group gets one label)."""
    groups: list[list[tuple[int, float]]] = []
    for epoch, lr in lr_changes:
        if groups and epoch - groups[-1][-1][0] < LABEL_GAP * span:
            groups[-1].append((epoch, lr))
        else:
            groups.append([(epoch, lr)])
    return groups


def lr_markers(lr_changes, span: float = 0.0) -> tuple[list[dict], list[dict]]:
    """(shapes, annotations): a dashed line just before the first epoch trained with each new lr.

    ``span``: the epoch axis' length. Marks closer than LABEL_GAP of it share one label
    (" lr → 0.003 → 0.01"), so labels never pile on each other; labels alternate between two
    heights so neighbouring groups' labels don't overlap either.
    """
    shapes, notes = [], []
    for epoch, _ in lr_changes:
        shapes.append(dict(type="line", xref="x", yref="paper", x0=epoch - 0.5, x1=epoch - 0.5, y0=0, y1=1,
                           line=dict(color=LR_COLOUR, width=1.5, dash="dash")))  # fmt: skip
    for i, group in enumerate(_clusters(lr_changes, span)):
        text = " lr → " + " → ".join(f"{lr:g}" for _, lr in group)
        notes.append(dict(xref="x", yref="paper", x=group[0][0] - 0.5, y=0.97 - 0.14 * (i % 2), xanchor="left",
                          yanchor="top", showarrow=False, text=text, bgcolor="rgba(255,255,255,0.8)",
                          font=dict(size=12, color="#4a4a4a")))  # fmt: skip
    return shapes, notes


def divergence_marker(epoch: int) -> tuple[dict, dict]:
    """(shape, annotation): a red line at the epoch whose loss was no longer finite."""
    shape = dict(type="line", xref="x", yref="paper", x0=epoch, x1=epoch, y0=0, y1=1,
                 line=dict(color=DIVERGED_COLOUR, width=2))  # fmt: skip
    note = dict(xref="x", yref="paper", x=epoch, y=0.5, xanchor="right", yanchor="middle", showarrow=False,
                text=f"diverged (epoch {epoch}) ", font=dict(size=12, color=DIVERGED_COLOUR),
                bgcolor="rgba(255,255,255,0.8)")  # fmt: skip
    return shape, note


@dataclass(frozen=True)
class ReferenceCurves:
    """Another run's loss curves, drawn dashed under a live run: the comparison made while watching."""

    name: str  # e.g. "previous: optimizer=sgd"
    history: Mapping[str, np.ndarray]  # epoch, loss, val_loss (E,), as a History's arrays


def reference_traces(ref: ReferenceCurves) -> list[dict]:
    """Dashed, thinner and paler than the live run's lines, in the same colours (train blue, validation
    orange); one legend entry for both, so the live chart's legend stays on one line."""
    traces = _curves(ref.history, ("loss", "val_loss"), ("train", "validation"))
    for i, trace in enumerate(traces):
        trace.update(mode="lines", name=ref.name, opacity=0.6, legendgroup="reference", showlegend=i == 0,
                     line=dict(color=trace["line"]["color"], width=1.5, dash="dash"))  # fmt: skip
    return traces


def loss_figure(history: dict, lr_changes=(), height: int = 300, diverged_at: int | None = None,
                best_epoch: int | None = None, reference: ReferenceCurves | None = None) -> go.Figure:  # fmt: skip
    """history: arrays ``epoch, loss, val_loss`` (E,); lr_changes: ((first epoch with the lr, lr), ...);
    ``diverged_at``: the epoch a diverged run stopped at; ``best_epoch``: the weights early stopping restored;
    ``reference``: another run's curves, dashed (the x axis then spans both runs)."""
    epochs = history.get("epoch", np.zeros(0))
    shapes, notes = lr_markers(lr_changes, span=float(epochs[-1]) if len(epochs) else 0.0)
    if diverged_at is not None:
        shape, note = divergence_marker(diverged_at)
        shapes, notes = [*shapes, shape], [*notes, note]
    if best_epoch is not None:
        shape, note = restored_marker(best_epoch)
        shapes, notes = [*shapes, shape], [*notes, note]
    log = "loss" in history and _blew_up(history["loss"], history.get("val_loss"))
    if reference is not None and "loss" in reference.history:  # a diverged reference would flatten a linear axis
        log = log or _blew_up(reference.history["loss"], reference.history.get("val_loss"))
    ref_traces = reference_traces(reference) if reference is not None else []
    if reference is not None and len(reference.history.get("epoch", ())) > len(epochs):
        epochs = reference.history["epoch"]  # ticks and range for the longer run
    layout = base_layout(
        "Loss (log scale)" if log else "Loss",
        height=height,
        xaxis=_epoch_axis(epochs),
        yaxis=dict(type="log", exponentformat="power") if log else dict(rangemode="tozero"),
        shapes=shapes,
        annotations=notes,
        hovermode="x unified",
    )
    return lean_figure([*ref_traces, *_curves(history, ("loss", "val_loss"), ("train", "validation"))], layout)


def restored_marker(epoch: int) -> tuple[dict, dict]:
    """(shape, annotation): a dotted line at the best validation epoch, whose weights were restored."""
    shape = dict(type="line", xref="x", yref="paper", x0=epoch, x1=epoch, y0=0, y1=1,
                 line=dict(color=VAL_COLOUR, width=1.5, dash="dot"))  # fmt: skip
    note = dict(xref="x", yref="paper", x=epoch, y=0.03, xanchor="right", yanchor="bottom", showarrow=False,
                text=f"restored: epoch {epoch} ", font=dict(size=12, color="#4a4a4a"),
                bgcolor="rgba(255,255,255,0.8)")  # fmt: skip
    return shape, note


def accuracy_figure(history: dict, height: int = 300) -> go.Figure:
    """history: arrays ``epoch, accuracy, val_accuracy`` (E,), accuracies in [0, 1]."""
    layout = base_layout(
        "Accuracy",
        height=height,
        xaxis=_epoch_axis(history.get("epoch", np.zeros(0))),
        yaxis=dict(range=[0, 1.02], tickformat=".0%"),
        hovermode="x unified",
    )
    curves = _curves(history, ("accuracy", "val_accuracy"), ("train", "validation"))
    return lean_figure(curves, layout)


def progress_text(epoch: int, epochs: int, wall_seconds: float, samples_per_second: float) -> str:
    """``epoch 12 / 200 · 3.4 s · 25,400 samples/s`` for the progress bar."""
    speed = f"{samples_per_second:,.0f} samples/s" if math.isfinite(samples_per_second) else "– samples/s"
    return f"epoch {epoch} / {epochs} · {wall_seconds:.1f} s · {speed}"

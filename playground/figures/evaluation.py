"""Evaluation figures: confusion matrix and per-class recall (with balanced accuracy, their mean)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.theme import base_layout, class_colour, lean_figure

BLUES = [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]]
INSIDE_LABEL = 0.15  # recall at or above this: the label fits inside its bar; below, it goes just outside


def normalise_rows(cm: np.ndarray) -> np.ndarray:
    """(C, C) counts -> each true-class row divided by its total (0 for an empty row)."""
    cm = np.asarray(cm, dtype=np.float64)
    support = cm.sum(axis=1, keepdims=True)
    return np.divide(cm, support, out=np.zeros_like(cm), where=support > 0)


def _cell_text(cm: np.ndarray, normalise: bool) -> list[list[str]]:
    if not normalise:
        return [[f"{int(v):,}" for v in row] for row in cm]
    share = normalise_rows(cm)
    return [[f"{s:.0%}<br>({int(v)})" for s, v in zip(srow, row)] for srow, row in zip(share, cm)]


def confusion_figure(cm: np.ndarray, class_names: list[str], normalise: bool = False, title: str = "Confusion",
                     height: int = 320) -> go.Figure:  # fmt: skip
    """cm (C, C), row = true class, column = predicted. ``z`` holds the counts (or row shares when normalised)."""
    cm = np.asarray(cm)
    z = normalise_rows(cm) if normalise else cm.astype(np.float64)
    names = [str(n) for n in class_names]
    trace = dict(
        type="heatmap", z=z, x=names, y=names, text=_cell_text(cm, normalise), texttemplate="%{text}",
        colorscale=BLUES, zmin=0, zmax=1 if normalise else max(float(z.max()), 1.0), showscale=False,
        hovertemplate="true %{y}<br>predicted %{x}<br>%{text}<extra></extra>", xgap=1, ygap=1,
    )  # fmt: skip
    layout = base_layout(
        title,
        height=max(height, 120 + 26 * len(names)),
        margin=dict(l=8, r=8, t=48, b=8),
        xaxis=dict(title=dict(text="predicted"), type="category", showgrid=False, ticks=""),
        yaxis=dict(title=dict(text="true"), type="category", autorange="reversed", showgrid=False, ticks=""),
    )
    return lean_figure([trace], layout)


def recall_figure(recall: np.ndarray, class_names: list[str], balanced_accuracy: float | None = None,
                  title: str = "Recall per class", height: int = 320) -> go.Figure:  # fmt: skip
    """recall (C,) in [0, 1] (NaN for a class with no rows) -> bars; a dashed line marks their mean."""
    recall = np.asarray(recall, dtype=np.float64)
    names = [str(n) for n in class_names]
    labels = ["n/a" if np.isnan(r) else f"{r:.0%}" for r in recall]
    # Every class gets a label, never rotated: inside a long bar, just right of a short (or empty) one.
    inside = np.nan_to_num(recall) >= INSIDE_LABEL
    trace = dict(
        type="bar", orientation="h", x=np.nan_to_num(recall), y=names, text=labels, cliponaxis=False,
        textposition=["inside" if i else "outside" for i in inside], insidetextanchor="start", textangle=0,
        constraintext="none", outsidetextfont=dict(color="#31333f"),
        marker=dict(color=[class_colour(c) for c in range(len(names))]), hoverinfo="skip",
    )  # fmt: skip
    shapes = []
    if balanced_accuracy is not None and np.isfinite(balanced_accuracy):
        title += f"<br><span style='font-size:13px'>balanced accuracy {balanced_accuracy:.1%} (dashed)</span>"
        shapes.append(dict(type="line", xref="x", yref="paper", x0=balanced_accuracy, x1=balanced_accuracy,
                           y0=0, y1=1, line=dict(color="#31333f", width=1.5, dash="dash")))  # fmt: skip
    layout = base_layout(
        title,
        height=max(height, 120 + 26 * len(names)),
        margin=dict(l=8, r=28, t=64, b=40),  # r: room for half of the "100%" tick label, else plotly hides it
        xaxis=dict(range=[0, 1.0], tickvals=[0, 0.25, 0.5, 0.75, 1.0], tickformat=".0%"),
        yaxis=dict(autorange="reversed", type="category", showgrid=False),  # "3" is a label, not a number
        shapes=shapes,
        showlegend=False,
    )
    return lean_figure([trace], layout)

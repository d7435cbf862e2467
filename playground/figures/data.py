"""Dataset previews: a montage of image samples, class balance bars (a 2-D set's preview is figures/boundary.points_figure).

All builders are pure: numpy in, ``go.Figure`` out; the shared look is in ``figures/theme.py``.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.theme import base_layout, class_colour


def image_grid(X: np.ndarray, y: np.ndarray, shape: tuple[int, int], per_class: int = 3, gap: int = 2) -> go.Figure:
    """X (n, H*W) in [0, 1] -> a montage: one column per class, ``per_class`` examples down each.

    Dark digits on white (ink = 1 - pixel), the way a teacher would show them on paper.
    """
    H, W = shape
    classes = np.unique(y)
    tile_h, tile_w = H + gap, W + gap
    canvas = np.ones((per_class * tile_h + gap, len(classes) * tile_w + gap), dtype=np.float32)
    for col, c in enumerate(classes):
        for row, i in enumerate(np.flatnonzero(y == c)[:per_class]):
            top, left = gap + row * tile_h, gap + col * tile_w
            canvas[top : top + H, left : left + W] = 1.0 - X[i].reshape(H, W)
    grey = (canvas * 255).astype(np.uint8)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)  # (rows, cols, 3)
    centres = gap + np.arange(len(classes)) * tile_w + W / 2
    layout = base_layout(
        height=40 + per_class * 70,
        margin=dict(l=8, r=8, t=8, b=32),
        xaxis=dict(tickvals=centres, ticktext=[str(c) for c in classes], showgrid=False, ticks=""),
        yaxis=dict(visible=False, showgrid=False),
    )
    return go.Figure(dict(data=[dict(type="image", z=rgb, hoverinfo="skip")], layout=layout))


def class_balance_figure(counts: np.ndarray, class_names: list[str], height: int = 220) -> go.Figure:
    """counts (C,) -> horizontal bars, one per class, labelled with count and share."""
    counts = np.asarray(counts)
    share = counts / max(int(counts.sum()), 1)
    labels = [f"{n:,} ({s:.0%})" for n, s in zip(counts, share)]
    trace = dict(
        type="bar", orientation="h", x=counts, y=list(class_names), text=labels, textposition="auto",
        marker=dict(color=[class_colour(c) for c in range(len(counts))]), hoverinfo="skip",
    )  # fmt: skip
    layout = base_layout(
        height=max(height, 40 + 28 * len(counts)),
        margin=dict(l=8, r=16, t=8, b=24),
        yaxis=dict(autorange="reversed", type="category"),  # class names like "3" must stay labels, not numbers
        showlegend=False,
    )
    return go.Figure(dict(data=[trace], layout=layout))

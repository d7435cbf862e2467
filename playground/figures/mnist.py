"""MNIST views as figures: first-layer weight images, the test-digit gallery, a drawn digit's probabilities.

Each mosaic is one heatmap (tiles side by side, NaN gaps between them) rather than one subplot per
tile: 32 weight images or 24 digits in one trace keep a live update to a few milliseconds.
Weights are orange where positive and blue where negative, as the network graph's edges.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.network import NEGATIVE, POSITIVE
from playground.figures.theme import base_layout, lean_figure
from playground.mnist_views import FirstLayerImages, TestDigits

SIDE = 28
WEIGHT_COLUMNS = 8
WEIGHT_PITCH_X, WEIGHT_PITCH_Y = SIDE + 2, SIDE + 9  # grid units per tile: the image, a gap, its label above
GALLERY_COLUMNS = 8
TILE_X = SIDE + 4  # a gallery tile: label (8), image (28), gap (2), probability bars (12), gap (6)
LABEL_H, GAP_H, BARS_H, BOTTOM_H = 8, 2, 12, 6
TILE_Y = LABEL_H + SIDE + GAP_H + BARS_H + BOTTOM_H
WRONG, RIGHT, OTHER = "#d62728", "#2ca02c", "#b8bcc6"  # bar colours: a wrong prediction, the true class, the rest
DIVERGING = [[0.0, "rgb(%d,%d,%d)" % NEGATIVE], [0.5, "#ffffff"], [1.0, "rgb(%d,%d,%d)" % POSITIVE]]
GREYS = [[0.0, "#ffffff"], [1.0, "#000000"]]  # ink dark on white, as the digits are usually printed
AXIS = dict(visible=False, showgrid=False, zeroline=False)


def _mosaic(tiles: np.ndarray, columns: int, pitch_x: int, pitch_y: int, top_pad: int) -> tuple[np.ndarray, list]:
    """tiles (N, 28, 28) -> (rows * pitch_y, columns * pitch_x) array, NaN between tiles, y pointing up;
    and each tile's (x0, y0) lower-left corner in that grid. ``top_pad``: rows above each image (its label)."""
    n = len(tiles)
    rows = max(1, -(-n // columns))
    z = np.full((rows * pitch_y, columns * pitch_x), np.nan, dtype=np.float32)
    corners = []
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        x0, top = c * pitch_x, (rows - r) * pitch_y - top_pad  # top edge of the image, y up
        y0 = top - SIDE
        z[y0:top, x0:x0 + SIDE] = tile[::-1]  # image rows run downwards, the grid's y upwards
        corners.append((x0, y0))
    return z, corners


def weight_images_figure(first: FirstLayerImages, height: int | None = None) -> go.Figure:
    """(K, 28, 28) weights -> K tiles labelled 'unit 7', each scaled to its own largest |w| (its pattern,
    not its size: the norms are in the hover and the order)."""
    k = len(first.images)
    scale = np.abs(first.images).reshape(k, -1).max(axis=1).clip(min=1e-12)[:, None, None]
    z, corners = _mosaic(first.images / scale, WEIGHT_COLUMNS, WEIGHT_PITCH_X, WEIGHT_PITCH_Y, top_pad=8)
    rows = z.shape[0] // WEIGHT_PITCH_Y
    labels = [dict(x=x0 + SIDE / 2, y=y0 + SIDE + 1, text=f"unit {u}", showarrow=False, yanchor="bottom",
                   font=dict(size=11)) for (x0, y0), u in zip(corners, first.units)]  # fmt: skip
    trace = dict(type="heatmap", z=z, colorscale=DIVERGING, zmin=-1, zmax=1, showscale=False, hoverinfo="skip")
    layout = base_layout(None, height=height or 84 + 105 * rows, margin=dict(l=4, r=4, t=28, b=4),
                         xaxis=dict(AXIS, range=[-1, z.shape[1]], constrain="domain"),
                         yaxis=dict(AXIS, range=[-1, z.shape[0]], scaleanchor="x"),
                         annotations=labels)  # fmt: skip
    return lean_figure([trace], layout)


def gallery_figure(digits: TestDigits, indices: np.ndarray, class_names: list[str], height: int | None = None) -> go.Figure:
    """The digits at ``indices``: each labelled 'pred 9 · true 4' (red when wrong), and under it its class
    probabilities as 10 bars, class 0 to 9 left to right (red: the wrong prediction, green: the true class)."""
    idx = np.asarray(indices, dtype=np.int64)
    z, corners = _mosaic(digits.images[idx] / 255.0, GALLERY_COLUMNS, TILE_X, TILE_Y, top_pad=LABEL_H)
    rows = z.shape[0] // TILE_Y
    n_classes = digits.proba.shape[1]
    step = SIDE / n_classes
    bar_x, bar_y, bar_base, colours, hover = [], [], [], [], []
    labels = []
    y_pred = digits.y_pred
    for (x0, y0), i in zip(corners, idx):
        true, pred = int(digits.y_true[i]), int(y_pred[i])
        wrong = true != pred
        labels.append(dict(x=x0 + SIDE / 2, y=y0 + SIDE + 0.5, showarrow=False, yanchor="bottom", font=dict(
            size=11, color=WRONG if wrong else "#31333f"), text=f"pred {class_names[pred]} · true {class_names[true]}"))
        base = y0 - GAP_H - BARS_H
        for c in range(n_classes):
            p = float(digits.proba[i, c])
            bar_x.append(x0 + step * (c + 0.5))
            bar_y.append(max(p, 0.02) * BARS_H)  # a sliver for a tiny probability, so every class has a slot
            bar_base.append(base)
            colours.append(WRONG if (c == pred and wrong) else RIGHT if c == true else OTHER)
            hover.append(f"{class_names[c]}: {p:.1%}")
    traces = [
        dict(type="heatmap", z=z, colorscale=GREYS, zmin=0, zmax=1, showscale=False, hoverinfo="skip"),
        dict(type="bar", x=np.array(bar_x), y=np.array(bar_y), base=np.array(bar_base), width=step * 0.8,
             marker=dict(color=colours, line=dict(width=0)), hovertext=hover, hoverinfo="text"),
    ]  # fmt: skip
    layout = base_layout(None, height=height or 64 + 150 * rows, margin=dict(l=4, r=4, t=28, b=4), showlegend=False,
                         xaxis=dict(AXIS, range=[-1, z.shape[1]], constrain="domain"),
                         yaxis=dict(AXIS, range=[-1, z.shape[0]], scaleanchor="x"), annotations=labels,
                         bargap=0)  # fmt: skip
    return lean_figure(traces, layout)


def drawn_digit_figure(row: np.ndarray, height: int = 200) -> go.Figure:
    """(784,) in [0, 1] -> the 28x28 the network is given, dark ink on white."""
    trace = dict(type="heatmap", z=np.asarray(row, dtype=np.float32).reshape(SIDE, SIDE), colorscale=GREYS,
                 zmin=0, zmax=1, showscale=False, hovertemplate="row %{y}, col %{x}: %{z:.2f}<extra></extra>")  # fmt: skip
    layout = base_layout("The net sees (28×28)", height=height, margin=dict(l=4, r=4, t=32, b=4),
                         xaxis=dict(AXIS, constrain="domain"), yaxis=dict(AXIS, autorange="reversed", scaleanchor="x"))  # fmt: skip
    layout["title"]["font"] = dict(size=13)
    return lean_figure([trace], layout)


def digit_proba_figure(proba: np.ndarray, class_names: list[str], height: int = 260) -> go.Figure:
    """(C,) probabilities -> one bar per class, the most likely in green with its percentage on top."""
    proba = np.asarray(proba, dtype=np.float64)
    best = int(proba.argmax())
    trace = dict(type="bar", x=[str(n) for n in class_names], y=proba, cliponaxis=False,
                 text=[f"{p:.0%}" if c == best or p >= 0.1 else "" for c, p in enumerate(proba)], textposition="outside",
                 textfont=dict(size=12), constraintext="none", marker=dict(color=[RIGHT if c == best else OTHER for c in range(len(proba))]),
                 hovertemplate="%{x}: %{y:.1%}<extra></extra>")  # fmt: skip
    layout = base_layout(f"It reads a {class_names[best]} ({proba[best]:.0%})", height=height,
                         margin=dict(l=44, r=8, t=48, b=36), showlegend=False,
                         xaxis=dict(type="category", dtick=1, title=dict(text="digit")),  # every digit, even narrow
                         yaxis=dict(range=[0, 1.12], tickformat=".0%", title=dict(text="probability")))  # fmt: skip
    return lean_figure([trace], layout)

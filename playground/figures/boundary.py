"""Decision boundary: class-probability shading over the input plane, with train and test points.

The shading blends the class colours by predicted probability (a pale colour where the net is
sure, a muddy mix where it hesitates) and ships as one small PNG (``go.Image(source=...)``): a
100x100 grid costs ~5 KB and well under a millisecond, where a heatmap per class would cost C x 10k numbers.
"""
from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from playground.figures.data import base_layout, class_colour, class_colourscale, class_colours_rgb, lean_figure

SHADE = 0.45  # how far the shading goes from white towards the class colour; points stay readable on top


NO_PREDICTION = 235.0  # light grey where the net outputs NaN (a diverged run), instead of black


def shade_rgb(proba: np.ndarray) -> np.ndarray:
    """proba (R, R, C) -> (R, R, 3) uint8: colours mixed by probability, then pulled towards white."""
    mix = proba.astype(np.float32) @ class_colours_rgb(proba.shape[-1])  # (R, R, 3)
    shade = 255.0 - (255.0 - mix) * SHADE
    shade[~np.isfinite(shade).all(axis=-1)] = NO_PREDICTION
    return shade.clip(0, 255).astype(np.uint8)


def png_data_uri(rgb: np.ndarray) -> str:
    """(H, W, 3) uint8 -> ``data:image/png;base64,...``; row 0 is drawn at y0 (the bottom of the plane)."""
    buf = io.BytesIO()
    Image.fromarray(rgb, mode="RGB").save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _shading(xs: np.ndarray, ys: np.ndarray, proba: np.ndarray) -> dict:
    dx = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
    dy = float(ys[1] - ys[0]) if len(ys) > 1 else 1.0
    return dict(type="image", source=png_data_uri(shade_rgb(proba)), x0=float(xs[0]), dx=dx,
                y0=float(ys[0]), dy=dy, hoverinfo="skip", name="prediction")  # fmt: skip


def _train_traces(P: np.ndarray, y: np.ndarray, class_names: list[str]) -> list[dict]:
    """Filled markers, one trace per class so the legend names the classes."""
    return [
        dict(type="scatter", mode="markers", x=P[y == c, 0], y=P[y == c, 1], name=name, legendgroup=name,
             marker=dict(color=class_colour(c), size=7, line=dict(width=1, color="white")),
             hovertemplate=f"{name} (train)<br>%{{x:.2f}}, %{{y:.2f}}<extra></extra>")  # fmt: skip
        for c, name in enumerate(class_names)
    ]


def _test_traces(P: np.ndarray, y: np.ndarray, n_classes: int) -> list[dict]:
    """Hollow rings in the class colour: one trace, numeric colours through a stepwise colourscale
    (3x cheaper to build than per-class traces), plus a grey legend-only entry that explains the rings."""
    rings = dict(
        type="scatter", mode="markers", x=P[:, 0], y=P[:, 1], name="test", showlegend=False,
        marker=dict(symbol="circle-open", size=8, line=dict(width=2), color=y, colorscale=class_colourscale(n_classes),
                    cmin=0, cmax=max(n_classes - 1, 1)),
        hovertemplate="test<br>%{x:.2f}, %{y:.2f}<extra></extra>",
    )  # fmt: skip
    legend = dict(type="scatter", mode="markers", x=[None], y=[None], name="test",
                  marker=dict(symbol="circle-open", size=8, line=dict(width=2), color="#555"))  # fmt: skip
    return [rings, legend]


def boundary_figure(boundary: dict, class_names: list[str], height: int = 460) -> go.Figure:
    """boundary: ``xs (R,), ys (R,), proba (R, R, C), points {train, test: ((P, 2), (P,))}, axis_titles``."""
    xs, ys = boundary["xs"], boundary["ys"]
    P_train, y_train = boundary["points"]["train"]
    P_test, y_test = boundary["points"]["test"]
    traces = [_shading(xs, ys, boundary["proba"]), *_train_traces(P_train, y_train, class_names)]
    traces += _test_traces(P_test, y_test, len(class_names))
    x_range = [float(xs[0] - (xs[1] - xs[0]) / 2), float(xs[-1] + (xs[1] - xs[0]) / 2)]
    y_range = [float(ys[0] - (ys[1] - ys[0]) / 2), float(ys[-1] + (ys[1] - ys[0]) / 2)]
    ax, ay = boundary.get("axis_titles", ("x1", "x2"))
    yaxis = dict(title=dict(text=ay), range=y_range, autorange=False, showgrid=False)
    if 1 / 3 <= (y_range[1] - y_range[0]) / (x_range[1] - x_range[0]) <= 3:  # equal units unless it makes a sliver
        yaxis.update(scaleanchor="x", scaleratio=1, constrain="domain", constraintoward="top")  # no gap under the legend
    layout = base_layout(
        height=height,
        margin=dict(l=48, r=8, t=40, b=40),
        xaxis=dict(title=dict(text=ax), range=x_range, showgrid=False, constrain="domain"),
        yaxis=yaxis,
    )
    return lean_figure(traces, layout)

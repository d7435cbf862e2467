"""Regression figures (issue 13): predicted vs actual, the residual histogram, and the prediction surface.

Pure builders: numpy arrays (or a BoundaryGrid) in, a Figure out. Targets and predictions are on
the original scale (``RegressionMetrics.y_true`` / ``y_pred``).
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.theme import CLASS_COLOURS, base_layout, lean_figure
from playground.snapshot import BoundaryGrid

MAX_SCATTER = 3000  # points drawn in the predicted-vs-actual chart (an even subsample above this)
SURFACE_SCALE = [[0.0, "#d6604d"], [0.5, "#f7f7f7"], [1.0, "#4393c3"]]  # low red, middle white, high blue
POINT, IDENTITY = CLASS_COLOURS[0], "#31333f"
TRAIN, VALIDATION = CLASS_COLOURS[0], CLASS_COLOURS[1]  # the loss chart's train and validation colours


def _subsample(*arrays: np.ndarray, limit: int = MAX_SCATTER) -> tuple[np.ndarray, ...]:
    """Every k-th row so at most ``limit`` remain: deterministic, so a seeded run draws the same picture."""
    step = max(1, -(-len(arrays[0]) // limit))
    return tuple(np.asarray(a)[::step] for a in arrays)


def predicted_actual_figure(y_true: np.ndarray, y_pred: np.ndarray, title: str = "Predicted vs actual",
                            height: int = 320) -> go.Figure:  # fmt: skip
    """y_true, y_pred (n,): one marker per row and the identity line y = x (a perfect model's points lie on it).

    Integer targets (wine quality 3-8) pile up in columns; a little transparency shows how many."""
    t, p = _subsample(np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64))
    finite = np.isfinite(p)
    lo = float(min(t.min(), p[finite].min() if finite.any() else t.min()))
    hi = float(max(t.max(), p[finite].max() if finite.any() else t.max()))
    pad = 0.04 * (hi - lo or 1.0)
    lo, hi = lo - pad, hi + pad
    points = dict(type="scatter", mode="markers", x=t, y=p, name="rows", showlegend=False,
                  marker=dict(color=POINT, size=6, opacity=0.45),
                  hovertemplate="actual %{x:.3g}<br>predicted %{y:.3g}<extra></extra>")  # fmt: skip
    identity = dict(type="scatter", mode="lines", x=[lo, hi], y=[lo, hi], name="predicted = actual",
                    line=dict(color=IDENTITY, width=1.5, dash="dash"), hoverinfo="skip")  # fmt: skip
    layout = base_layout(title, height=height, margin=dict(l=56, r=16, t=64, b=44),
                         xaxis=dict(title=dict(text="actual"), range=[lo, hi]),
                         yaxis=dict(title=dict(text="predicted"), range=[lo, hi]))  # fmt: skip
    return lean_figure([points, identity], layout)


def residual_figure(y_true: np.ndarray, y_pred: np.ndarray, title: str = "Residuals (predicted - actual)",
                    height: int = 320, bins: int = 30) -> go.Figure:  # fmt: skip
    """A histogram of residuals (n,) = predicted - actual; a line at 0, where an unbiased model centres them."""
    r = np.asarray(y_pred, np.float64) - np.asarray(y_true, np.float64)
    r = r[np.isfinite(r)]
    span = None if len(r) and np.ptp(r) > 1e-9 * (1 + np.abs(r).max()) else (float(r[0]) - 0.5, float(r[0]) + 0.5) if len(r) else (-0.5, 0.5)
    counts, edges = np.histogram(r, bins=bins, range=span)  # span: all residuals equal (or none) still get bins
    centres = (edges[:-1] + edges[1:]) / 2
    bars = dict(type="bar", x=centres, y=counts, width=np.diff(edges), marker=dict(color=POINT), showlegend=False,
                hovertemplate="residual %{x:.3g}<br>%{y} rows<extra></extra>")  # fmt: skip
    zero = dict(type="line", xref="x", yref="paper", x0=0, x1=0, y0=0, y1=1, line=dict(color=IDENTITY, width=1.5, dash="dash"))
    layout = base_layout(title, height=height, margin=dict(l=56, r=16, t=64, b=44), shapes=[zero], bargap=0.05,
                         xaxis=dict(title=dict(text="predicted - actual")), yaxis=dict(title=dict(text="rows")))
    return lean_figure([bars], layout)


def surface_figure(grid: BoundaryGrid, title: str = "Prediction surface", height: int = 360) -> go.Figure:
    """The network's prediction over the input plane (``grid.proba`` (R, R, 1)) as a heatmap, with the
    training points (circles) and test points (outlined) coloured by their target on the same scale."""
    z = np.asarray(grid.proba)[:, :, 0]
    (P_train, y_train), (P_test, y_test) = grid.points.train, grid.points.test
    targets = np.concatenate([np.asarray(y_train, np.float64), np.asarray(y_test, np.float64)])
    finite_z = z[np.isfinite(z)]
    lo = float(min(targets.min(), finite_z.min())) if finite_z.size and targets.size else 0.0
    hi = float(max(targets.max(), finite_z.max())) if finite_z.size and targets.size else 1.0
    scale = dict(colorscale=SURFACE_SCALE, cmin=lo, cmax=hi)
    heat = dict(type="heatmap", x=grid.xs, y=grid.ys, z=z, zmin=lo, zmax=hi, colorscale=SURFACE_SCALE,
                colorbar=dict(title=dict(text="prediction"), thickness=12),
                hovertemplate="x1 %{x:.2f}<br>x2 %{y:.2f}<br>prediction %{z:.3g}<extra></extra>")  # fmt: skip

    def points(P, y, name, outline):
        return dict(type="scatter", mode="markers", x=P[:, 0], y=P[:, 1], name=name,
                    marker=dict(color=np.asarray(y, np.float64), size=6, line=dict(color=outline, width=1), **scale),
                    hovertemplate="target %{marker.color:.3g}<extra>" + name + "</extra>")  # fmt: skip

    x_title, y_title = grid.axis_titles
    layout = base_layout(title, height=height, margin=dict(l=56, r=16, t=64, b=44),
                         xaxis=dict(title=dict(text=x_title), range=[float(grid.xs[0]), float(grid.xs[-1])],
                                    constrain="domain"),
                         yaxis=dict(title=dict(text=y_title), range=[float(grid.ys[0]), float(grid.ys[-1])],
                                    scaleanchor="x", scaleratio=1, constrain="domain"))  # equal units, no blank margins
    return lean_figure([heat, points(P_train, y_train, "train", "white"), points(P_test, y_test, "test", "#31333f")],
                       layout)


def mae_figure(history: dict, height: int = 300) -> go.Figure:
    """history: arrays ``epoch, mae, val_mae, val_baseline_mae`` (E,): the running train MAE and validation MAE,
    original scale, and the mean predictor's validation MAE as a dashed line. Validation is NaN on epochs it
    skipped; its line runs through the validated epochs."""
    epoch = np.asarray(history.get("epoch", np.zeros(0)))
    traces = []
    for key, name, colour in (("mae", "train", TRAIN), ("val_mae", "validation", VALIDATION)):
        values = np.asarray(history.get(key, np.full(len(epoch), np.nan)), np.float64)
        kept = np.isfinite(values)
        traces.append(dict(type="scatter", mode="lines+markers" if kept.sum() < 30 else "lines", x=epoch[kept],
                           y=values[kept], name=name, marker=dict(size=5, color=colour), line=dict(color=colour, width=2)))
    baseline = np.asarray(history.get("val_baseline_mae", np.zeros(0)), np.float64)
    baseline = baseline[np.isfinite(baseline)]
    notes = []
    if len(baseline) and len(epoch):  # constant: the validation split's MAE of the training mean
        traces.append(dict(type="scatter", mode="lines", x=[epoch[0], epoch[-1]], y=[baseline[-1]] * 2,
                           name="mean predictor", showlegend=False, line=dict(color=IDENTITY, width=1.5, dash="dash")))
        # labelled on the line, not in the legend: a third legend entry wraps over the title in a half-width column
        notes.append(dict(xref="paper", x=1.0, y=baseline[-1], xanchor="right", yanchor="bottom", showarrow=False,
                          text="mean predictor", font=dict(size=12, color=IDENTITY), bgcolor="rgba(255,255,255,0.8)"))
    axis = dict(title=dict(text="epoch"), rangemode="tozero")
    layout = base_layout("Mean absolute error", height=height, xaxis=axis, yaxis=dict(rangemode="tozero"),
                         hovermode="x unified", annotations=notes)  # fmt: skip
    return lean_figure(traces, layout)


def target_scatter(X: np.ndarray, y: np.ndarray, axis_titles=("x1", "x2"), height: int = 420) -> go.Figure:
    """A 2-D regression set before training: X (n, 2) coloured by its target y (n,), on the surface's scale."""
    X, y = _subsample(np.asarray(X), np.asarray(y, np.float64))
    trace = dict(type="scatter", mode="markers", x=X[:, 0], y=X[:, 1], showlegend=False,
                 marker=dict(color=y, colorscale=SURFACE_SCALE, size=6, line=dict(width=0.5, color="#9aa"),
                             colorbar=dict(title=dict(text="target"), thickness=12)),
                 hovertemplate="target %{marker.color:.3g}<extra></extra>")  # fmt: skip
    layout = base_layout(height=height, xaxis=dict(title=dict(text=axis_titles[0])),
                         yaxis=dict(title=dict(text=axis_titles[1]), scaleanchor="x", scaleratio=1, constrain="domain",
                                    constraintoward="top"))  # fmt: skip
    return lean_figure([trace], layout)


def target_histogram(y: np.ndarray, title: str = "Target", height: int = 260) -> go.Figure:
    """The target's distribution (n,): whole-number targets (wine quality) get one bar per value."""
    y = np.asarray(y, np.float64)
    if np.array_equal(y, np.round(y)) and len(np.unique(y)) <= 20:
        values, counts = np.unique(y, return_counts=True)
        bars = dict(type="bar", x=values, y=counts, marker=dict(color=POINT), text=counts, textposition="outside",
                    cliponaxis=False, hovertemplate="%{x}: %{y} rows<extra></extra>")  # fmt: skip
    else:
        bars = dict(type="histogram", x=y, nbinsx=30, marker=dict(color=POINT), hovertemplate="%{y} rows<extra></extra>")
    layout = base_layout(title, height=height, margin=dict(l=56, r=16, t=48, b=44), showlegend=False,
                         xaxis=dict(title=dict(text="target"), dtick=1 if bars["type"] == "bar" else None),
                         yaxis=dict(title=dict(text="rows")))  # fmt: skip
    return lean_figure([bars], layout)

"""Loss-landscape figures: the trajectory plane, the 1-D slice and the 2-D random-direction surface.

Inputs are the typed results of playground.landscape's jobs (PlaneResult, SliceResult: numpy arrays). Losses span
orders of magnitude away from the minimum, so the colour scale is log10(loss), labelled in loss.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from playground.figures.theme import base_layout

if TYPE_CHECKING:  # the results' types only: figures import no torch
    from playground.landscape import PlaneResult, SliceResult

COLORSCALE = "Viridis"
PATH_COLOUR, START_COLOUR, END_COLOUR = "#ffffff", "#f28e2b", "#e15759"


def log_loss(loss: np.ndarray) -> np.ndarray:
    """log10 of the loss, NaN kept (not yet computed); the floor keeps a zero loss finite."""
    return np.log10(np.clip(loss, 1e-6, None))


def log_ticks(z: np.ndarray, want: int = 4) -> tuple[list[float], list[str]]:
    """Colour-bar ticks inside the range of z (log10 values), labelled as losses.

    Decades when that gives ``want`` ticks, else 1-2-5 per decade, finer mantissas for a narrow
    range, and evenly spaced in log as a last resort.
    """
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return [], []
    lo, hi = float(finite.min()), float(finite.max())
    decades = range(int(np.floor(lo)) - 1, int(np.ceil(hi)) + 1)
    for mantissas in ((1,), (1, 2, 5), (1, 1.5, 2, 3, 5, 7), (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)):
        ticks = [m * 10.0**k for k in decades for m in mantissas if lo <= np.log10(m * 10.0**k) <= hi]
        if len(ticks) >= want:
            break
    else:
        ticks = list(10 ** np.linspace(lo, hi, want))
    return [float(np.log10(v)) for v in ticks], [f"{v:.3g}" for v in ticks]


def _contour(xs: np.ndarray, ys: np.ndarray, loss: np.ndarray) -> dict:
    z = log_loss(loss)  # (R, R), row = y
    tickvals, ticktext = log_ticks(z)
    return dict(
        type="contour", x=xs, y=ys, z=z, colorscale=COLORSCALE, ncontours=24, name="loss",
        contours=dict(coloring="heatmap", showlines=True), line=dict(width=0.5, color="rgba(255,255,255,0.35)"),
        colorbar=dict(title=dict(text="loss"), tickvals=tickvals, ticktext=ticktext, thickness=14),
        customdata=loss, hovertemplate="(%{x:.3g}, %{y:.3g})<br>loss %{customdata:.4g}<extra></extra>",
    )  # fmt: skip


def _square_axes(x_title: str, y_title: str) -> dict:
    return dict(
        xaxis=dict(title=dict(text=x_title), constrain="domain"),
        yaxis=dict(title=dict(text=y_title), scaleanchor="x", scaleratio=1, constrain="domain"),
    )


def trajectory_plane_figure(result: PlaneResult, height: int = 520) -> go.Figure:
    """result: xs (R,), ys (R,), loss (R, R), path (T, 2), path_steps (T,), explained (2,)."""
    path, steps, explained = result.path, result.path_steps, result.explained
    traces = [
        _contour(result.xs, result.ys, result.loss),
        dict(type="scatter", x=path[:, 0], y=path[:, 1], mode="lines+markers", name="training path",
             line=dict(color=PATH_COLOUR, width=2),
             marker=dict(size=5, color=PATH_COLOUR, line=dict(width=0.6, color="black")),
             customdata=steps, hovertemplate="step %{customdata}<extra>path</extra>"),
        dict(type="scatter", x=path[:1, 0], y=path[:1, 1], mode="markers", name="start",
             marker=dict(size=13, color=START_COLOUR, symbol="circle", line=dict(width=1.5, color="black"))),
        dict(type="scatter", x=path[-1:, 0], y=path[-1:, 1], mode="markers", name="end (current weights)",
             marker=dict(size=17, color=END_COLOUR, symbol="star", line=dict(width=1.5, color="black"))),
    ]  # fmt: skip
    titles = [f"PCA direction {i + 1} ({e:.1%} of the path's variance)" for i, e in enumerate(explained)]
    layout = base_layout(
        f"Loss in the trajectory plane (epoch {result.epoch})", height=height, **_square_axes(*titles),
        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0.0), margin=dict(l=56, r=16, t=48, b=100),
    )  # fmt: skip
    return go.Figure(dict(data=traces, layout=layout))


def slice_figure(result: SliceResult, height: int = 360) -> go.Figure:
    """result: axes [alphas (R,)], loss (R,), center_loss: the 1-D filter-normalised slice."""
    alphas, loss = result.axes[0], result.loss
    traces = [
        dict(type="scatter", x=alphas, y=loss, mode="lines", name="training loss", line=dict(color="#4e79a7", width=2.5)),
        dict(type="scatter", x=[0.0], y=[result.center_loss], mode="markers", name="current weights",
             marker=dict(size=12, color=END_COLOUR, symbol="star", line=dict(width=1, color="black"))),
    ]  # fmt: skip
    finite = loss[np.isfinite(loss)]
    log = finite.size > 1 and finite.max() > 20 * max(finite.min(), 1e-12)
    layout = base_layout(
        "1-D slice along a random direction", height=height, showlegend=False,
        xaxis=dict(title=dict(text="α (in units of each neuron's weight norm)"), zeroline=True),
        yaxis=dict(title=dict(text="training loss" + (" (log)" if log else "")), type="log" if log else "linear",
                   dtick=1 if log else None, exponentformat="power"),  # decades only, as 10^-4 (not "100µ")
        hovermode="x unified",
    )  # fmt: skip
    return go.Figure(dict(data=traces, layout=layout))


def surface_figure(result: SliceResult, style: str = "contour", height: int = 520) -> go.Figure:
    """result: axes [xs (R,), ys (R,)], loss (R, R): the 2-D filter-normalised surface; style contour | surface."""
    xs, ys = result.axes
    title = "2-D surface over two random directions"
    if style == "surface":
        z = log_loss(result.loss)
        tickvals, ticktext = log_ticks(z)
        trace = dict(type="surface", x=xs, y=ys, z=z, colorscale=COLORSCALE, showscale=False, customdata=result.loss,
                     hovertemplate="(%{x:.2f}, %{y:.2f})<br>loss %{customdata:.4g}<extra></extra>")  # fmt: skip
        axis = lambda t: dict(title=dict(text=t))  # noqa: E731
        scene = dict(xaxis=axis("δ"), yaxis=axis("η"), zaxis=dict(title=dict(text=""), tickvals=tickvals, ticktext=ticktext),
                     camera=dict(eye=dict(x=1.6, y=-1.6, z=1.1)), aspectmode="cube")  # fmt: skip
        layout = base_layout(title + " (height: loss, log scale)", height=height, scene=scene)
        layout["margin"] = dict(l=0, r=0, t=40, b=0)  # a 3-D scene has no axis margins to keep (and no z title: clipped)
        return go.Figure(dict(data=[trace], layout=layout))
    traces = [
        _contour(xs, ys, result.loss),
        dict(type="scatter", x=[0.0], y=[0.0], mode="markers", name="current weights",
             marker=dict(size=15, color=END_COLOUR, symbol="star", line=dict(width=1.5, color="black"))),
    ]  # fmt: skip
    layout = base_layout(title, height=height, showlegend=False, **_square_axes("δ (direction 1)", "η (direction 2)"))
    return go.Figure(dict(data=traces, layout=layout))

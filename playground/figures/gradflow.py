"""Gradient-flow figures: per-layer bars for the latest probe, and gradient norms over time.

Input is ``snapshot.extras.gradflow``, a GradFlowStats of playground.diagnostics.gradflow (numpy).
Norms span orders of magnitude (vanishing gradients are 1e-7 of the last layer's), so both
norm charts use log axes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.theme import base_layout

if TYPE_CHECKING:  # the stats' type only: figures import no torch
    from playground.diagnostic_stats import GradFlowStats

GRAD_COLOUR, RATIO_COLOUR, DEAD_COLOUR, SAT_COLOUR = "#4e79a7", "#59a14f", "#e15759", "#f28e2b"
FROZEN_COLOUR = "#bab0ac"  # a frozen layer's gradient bar
HEALTHY_RATIO = 1e-3  # update/weight per step: a common rule of thumb for a healthy learning rate


def _finite_or_none(values: np.ndarray) -> list:
    """Plotly skips None; NaN (not applicable) would be drawn as a gap anyway, but None is explicit JSON."""
    return [float(v) if np.isfinite(v) and v > 0 else None for v in values]


def decade_range(*arrays, include: tuple[float, ...] = ()) -> list[float] | None:
    """[lo, hi] in log10 units: whole decades around the positive finite values (and ``include``).

    With the range on decade boundaries and a tick per decade (dtick=1), a log axis always has
    at least two labelled ticks and never the crowded "2 3 ... 9" minor labels plotly puts on an
    axis spanning less than a decade; and it starts where the data do, not at a reference line.
    """
    values = np.concatenate([np.ravel(a) for a in arrays] + [np.asarray(include, dtype=np.float64)])
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return None
    lo, hi = np.floor(np.log10(values.min())), np.ceil(np.log10(values.max()))
    return [float(lo), float(max(hi, lo + 1))]


MAX_LOG_TICKS = 5  # labelled decades per axis: more than that is every other (or third) decade


def _log_axis(*arrays, include: tuple[float, ...] = ()) -> dict:
    span = decade_range(*arrays, include=include)
    if span is None:
        return dict(type="log", exponentformat="power")
    step = max(1, int(np.ceil((span[1] - span[0]) / MAX_LOG_TICKS)))
    return dict(type="log", exponentformat="power", range=span, tick0=span[0], dtick=step)


def short_labels(layers: list[str]) -> list[str]:
    """"3 sigmoid" -> "3", "output" -> "out", "1 relu frozen" -> "1 frozen": nine layers must fit under a third
    of a chart."""
    return [label.split()[0] + (" frozen" if label.endswith(" frozen") else "") if label != "output" else "out"
            for label in layers]


def gradflow_figure(stats: GradFlowStats, height: int = 300) -> go.Figure:
    """Three panels over the layers: gradient norm (log), update/weight ratio (log), dead / saturated fraction."""
    layers = short_labels(stats.layers)
    fig = make_subplots(
        rows=1, cols=3, horizontal_spacing=0.09,
        subplot_titles=("gradient norm ‖∂L/∂W‖", "update / weight per step", "dead · saturated units"),
    )  # fmt: skip
    frozen = [label.endswith(" frozen") for label in stats.layers]  # grey: the gradient arrives, no step is taken
    fig.add_bar(x=layers, y=_finite_or_none(stats.grad_norm), name="gradient norm",
                marker_color=[FROZEN_COLOUR if f else GRAD_COLOUR for f in frozen],
                row=1, col=1, hovertemplate="%{customdata}: %{y:.2e}<extra></extra>")  # fmt: skip
    fig.add_bar(x=layers, y=_finite_or_none(stats.update_ratio), marker_color=RATIO_COLOUR, name="update ratio",
                row=1, col=2, hovertemplate="%{customdata}: %{y:.2e}<extra></extra>")  # fmt: skip
    fig.add_bar(x=layers, y=np.nan_to_num(stats.dead), marker_color=DEAD_COLOUR, name="dead (ReLU family)",
                row=1, col=3, hovertemplate="%{customdata}: %{y:.0%} dead<extra></extra>")  # fmt: skip
    fig.add_bar(x=layers, y=np.nan_to_num(stats.saturation), marker_color=SAT_COLOUR, name="saturated (sigmoid/tanh)",
                row=1, col=3, hovertemplate="%{customdata}: %{y:.0%} saturated<extra></extra>")  # fmt: skip
    fig.add_hline(y=HEALTHY_RATIO, line=dict(color="#7f7f7f", dash="dash", width=1), row=1, col=2)
    fig.update_yaxes(**_log_axis(stats.grad_norm), row=1, col=1)
    fig.update_yaxes(**_log_axis(stats.update_ratio, include=(HEALTHY_RATIO,)), row=1, col=2)
    fig.update_yaxes(range=[0, 1], tickformat=".0%", row=1, col=3)
    fig.update_xaxes(title=dict(text="layer (input → output)"), tickangle=0, type="category")
    fig.update_traces(customdata=list(stats.layers))
    layout = base_layout(height=height, barmode="group", showlegend=False)
    layout["margin"] = dict(l=56, r=16, t=40, b=44)
    fig.update_layout(**layout)
    fig.update_annotations(font=dict(size=13))
    return fig


def gradflow_history_figure(stats: GradFlowStats, height: int = 260) -> go.Figure:
    """Gradient norm per layer over the epochs (log y): first layer darkest, output lightest."""
    history, layers = stats.history, stats.layers
    epochs, grads = history.epoch, history.grad_norm  # (H,), (H, L)
    shades = np.linspace(0.15, 0.8, len(layers))
    traces = [
        dict(type="scatter", mode="lines", x=epochs, y=_finite_or_none(grads[:, i]), name=name,
             line=dict(width=2, color=f"rgba(31, 90, 160, {1 - s:.2f})"),
             hovertemplate=f"{name}: %{{y:.2e}}<extra>epoch %{{x}}</extra>")  # fmt: skip
        for i, (name, s) in enumerate(zip(layers, shades))
    ]
    # Below the plot, in rows: a side legend of 9 layers needs a scrollbar at this height.
    layout = base_layout(
        "Gradient norm per layer over training", height=height + 24 * (len(layers) // 6),
        xaxis=dict(title=dict(text="epoch")), yaxis=_log_axis(grads),
        legend=dict(orientation="h", x=0.0, xanchor="left", y=-0.28, yanchor="top", font=dict(size=12)),
    )  # fmt: skip
    layout["margin"] = dict(l=56, r=16, t=40, b=56 + 24 * (len(layers) // 6))
    return go.Figure(dict(data=traces, layout=layout))

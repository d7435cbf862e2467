"""Stored runs side by side: their curves on one chart and their final scores as grouped bars.

    names = run_names(runs)                                    # "optimizer=sgd", "optimizer=adam"
    curves_figure(runs, histories, "loss", log_x=True)          # train solid, validation dashed
    scores_figure(runs, "accuracy")                            # train / validation / test, one bar per run

One colour per run, the same on every chart of the Compare page (``run_colour(i)``). A run without
scores (diverged, interrupted) keeps its place and colour, draws no bar, and says why in its legend.
Pure: RunRecord / RunHistory in, go.Figure out; no streamlit.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.config_diff import describe, differing_fields
from playground.figures.theme import CLASS_COLOURS, base_layout, lean_figure
from playground.figures.training import FEW_POINTS, downsample
from playground.store import RunHistory, RunRecord, Scores

SPLITS = (("train", "train"), ("val", "validation"), ("test", "test"))  # (RunRecord attribute, axis label)
METRICS = {"loss": "Loss", "accuracy": "Accuracy", "mae": "Mean absolute error"}  # mae: regression runs' curves
MAX_LABELLED_RUNS = 4  # bars carry their value as text up to this many runs; past it the labels would collide
# At the foot of the figure, below the axis title: one row per run name when the names are long.
LEGEND = dict(orientation="h", yref="container", yanchor="bottom", y=0.0, xanchor="left", x=0.0, font=dict(size=13),
              tracegroupgap=0)
LEGEND_ROW = 20  # px


def run_colour(i: int) -> str:
    return CLASS_COLOURS[i % len(CLASS_COLOURS)]


def run_names(runs: Sequence[RunRecord]) -> list[str]:
    """One legend name per run: what differs between their setups ("optimizer=sgd"), else its label;
    a name that would repeat gets " #2", " #3" (runs with equal setups, e.g. two seeds' twins)."""
    configs = [run.config()[0] for run in runs]
    fields = differing_fields(configs)
    names = [describe(cfg, fields) if fields else run.label for cfg, run in zip(configs, runs)]
    counts = {name: names.count(name) for name in names}
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if counts[name] > 1:
            seen[name] = seen.get(name, 0) + 1
            names[i] = f"{name} #{seen[name]}"
    return names


def curves_figure(runs: Sequence[RunRecord], histories: Sequence[RunHistory], metric: str = "loss",
                  train: bool = True, val: bool = True, log_x: bool = False, height: int = 340,
                  names: Sequence[str] | None = None) -> go.Figure:  # fmt: skip
    """``metric`` ("loss", "accuracy" or, for regression runs, "mae") per epoch for each run: train solid, validation dashed, in the
    run's colour; one legend entry per run (clicking it hides both lines). Non-finite values (a diverged
    loss, epochs not validated) are left out, so each line joins the finite epochs. A loss that spans
    more than two decades (a run that blew up) gets a log axis, so the others are not flattened.
    ``names``: the legend's run names (default ``run_names(runs)``; a lesson names its runs by setup)."""
    _check(metric)
    parts = [(metric, "train", "solid")] * train + [(f"val_{metric}", "validation", "dash")] * val
    traces = []
    for i, (name, history) in enumerate(zip(names or run_names(runs), histories)):
        drawn = [t for t in (_line(history, key, part, dash, name, run_colour(i)) for key, part, dash in parts) if t]
        if not drawn:  # nothing finite (diverged in its first epoch): still in the legend, so colours match
            drawn = [dict(type="scatter", mode="lines", x=np.ones(1), y=np.full(1, np.nan), name=f"{name} ({runs[i].status}: no finite {metric})",
                          line=dict(color=run_colour(i), width=2))]  # fmt: skip
        for j, trace in enumerate(drawn):
            trace.update(legendgroup=f"run{i}", showlegend=j == 0)
        traces += drawn
    title = METRICS[metric]
    if metric == "accuracy":
        yaxis = dict(range=[0, 1.02], tickformat=".0%")
    elif _spans_decades([t["y"] for t in traces]):
        yaxis, title = dict(type="log", exponentformat="power"), f"{title} (log scale)"
    else:
        yaxis = dict(rangemode="tozero")
    key = {(True, True): "train solid, validation dashed", (True, False): "train", (False, True): "validation"}
    subtitle = key.get((train, val), "nothing shown: pick train or validation")
    epochs = max((float(t["x"][-1]) for t in traces if len(t["x"])), default=1.0)
    xaxis = _log_epochs(epochs) if log_x else dict(title=dict(text="epoch"), rangemode="tozero")
    layout = base_layout(f"{title}<br><span style='font-size:13px'>{subtitle}</span>", height=_tall(height, runs),
                         margin=dict(l=56, r=16, t=60, b=44), xaxis=xaxis, yaxis=yaxis, hovermode="x unified",
                         legend=LEGEND)  # fmt: skip
    return lean_figure(traces, layout)


def scores_figure(runs: Sequence[RunRecord], metric: str = "accuracy", height: int = 340) -> go.Figure:
    """Final ``metric`` ("accuracy" or "loss") on train, validation and test: one group per split, one bar
    per run in its colour. Scores are evaluated once on the final weights, so they are what the run ended
    with, not its best epoch. A run without scores draws no bars; its legend entry says why."""
    _check(metric)
    labelled = len(runs) <= MAX_LABELLED_RUNS  # more bars per group: values on hover only, never overlapping
    traces = []
    for i, (run, name) in enumerate(zip(runs, run_names(runs))):
        values = [_score(getattr(run, split), metric) for split, _ in SPLITS]  # None where unknown
        if all(v is None for v in values):
            name = f"{name} ({run.status}: no scores)"
        text = [_bar_text(v, metric) for v in values]
        traces.append(dict(
            type="bar", name=name, x=[label for _, label in SPLITS], y=[math.nan if v is None else v for v in values],
            marker=dict(color=run_colour(i)), text=text, texttemplate="%{text}" if labelled else "",
            textposition="outside", cliponaxis=False, textangle=0, hovertemplate="%{x}: %{text}",
        ))  # fmt: skip
    finite = [v for t in traces for v in t["y"] if np.isfinite(v)]
    if metric == "accuracy":
        yaxis = dict(range=[0, 1.1], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1.0])  # 1.1: room for "100.0%"
    else:
        yaxis = dict(range=[0, 1.15 * max(finite, default=1.0)])
    layout = base_layout(f"Final {metric}", height=_tall(height, runs), margin=dict(l=56, r=16, t=48, b=44), barmode="group",
                         xaxis=dict(type="category", showgrid=False, ticks=""), yaxis=yaxis, legend=LEGEND)  # fmt: skip
    return lean_figure(traces, layout)


def _line(history: RunHistory, key: str, part: str, dash: str, name: str, colour: str) -> dict | None:
    values = history.arrays.get(key)
    if values is None:
        return None
    kept = np.isfinite(values)
    x, y = history.arrays["epoch"][kept], values[kept]
    if not len(x):
        return None
    idx = downsample(len(x))
    return dict(type="scatter", mode="lines+markers" if len(x) < FEW_POINTS else "lines", x=x[idx], y=y[idx],
                name=name, line=dict(color=colour, width=2, dash=dash), marker=dict(color=colour, size=5),
                hovertemplate=f"{part} %{{y:.4g}}")  # fmt: skip


def _check(metric: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"metric == {metric!r}, must be one of {sorted(METRICS)}.")


def _log_epochs(last: float) -> dict:
    """A log epoch axis ticked at 1, 2, 5, 10, 20, 50... (plotly's own log ticks label 2..9 in every decade)."""
    ticks = [m * 10**d for d in range(int(math.log10(max(last, 1.0))) + 1) for m in (1, 2, 5) if m * 10**d <= last]
    return dict(title=dict(text="epoch (log scale)"), type="log", tickvals=ticks, range=[-0.05, math.log10(max(last, 2.0)) + 0.05])


def _tall(height: int, runs: Sequence[RunRecord]) -> int:
    """The legend takes a row per run at the foot of the figure: the plot keeps ``height`` minus one row."""
    return height + LEGEND_ROW * max(len(runs) - 1, 0)


def _spans_decades(ys: list[np.ndarray]) -> bool:
    """More than two decades between the smallest and largest positive finite values."""
    positive = np.concatenate([y[np.isfinite(y) & (y > 0)] for y in ys]) if ys else np.zeros(0)
    return len(positive) > 0 and positive.max() > 100 * positive.min()


def _score(scores: Scores | None, metric: str) -> float | None:
    value = getattr(scores, metric) if scores is not None else None
    return value if value is not None and math.isfinite(value) else None


def _bar_text(value: float | None, metric: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1%}" if metric == "accuracy" else f"{value:.3g}"

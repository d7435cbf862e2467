"""Stored runs on one chart: loss and accuracy of several runs, one colour per run, named by what differs.

    loss, accuracy = overlay_figures(runs, histories)   # RunRecord and RunHistory lists, same order

Train solid, validation dashed (it is NaN on epochs that were not validated; the line joins the
validated ones). Legend names come from config_diff: "optimizer=sgd" vs "optimizer=adam"; runs
whose setups are equal fall back to their labels.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.config_diff import describe, differing_fields
from playground.figures.theme import CLASS_COLOURS, base_layout, lean_figure
from playground.figures.training import downsample
from playground.store import RunHistory, RunRecord

RUN_COLOURS = CLASS_COLOURS  # ten distinct, colour-blind-aware hues (Tableau 10)


def run_names(runs: Sequence[RunRecord]) -> list[str]:
    """One legend name per run: the differing fields' values, else the label; duplicates get a #n suffix."""
    configs = [run.config()[0] for run in runs]
    fields = differing_fields(configs)
    names = [describe(cfg, fields) if fields else run.label for cfg, run in zip(configs, runs)]
    counts, seen = Counter(names), Counter()
    for i, name in enumerate(names):
        seen[name] += 1
        if counts[name] > 1:
            names[i] = f"{name} #{seen[name]}"
    return names


def overlay_figures(runs: Sequence[RunRecord], histories: Sequence[RunHistory], height: int = 300,
                    log_x: bool = False) -> tuple[go.Figure, go.Figure]:  # fmt: skip
    """(loss figure, accuracy figure) of ``runs``: per run a solid train line and a dashed validation line,
    one legend entry per run (it toggles both)."""
    names = run_names(runs)
    figures = []
    for metric, title in (("loss", "Loss"), ("accuracy", "Accuracy")):
        traces = []
        for i, (name, history) in enumerate(zip(names, histories)):
            colour = RUN_COLOURS[i % len(RUN_COLOURS)]
            for key, dash in ((metric, None), (f"val_{metric}", "dash")):
                traces.append(_trace(history, key, name, colour, dash, group=str(i), legend=dash is None))
        yaxis = dict(range=[0, 1.02], tickformat=".0%") if metric == "accuracy" else dict(rangemode="tozero")
        xaxis = dict(title=dict(text="epoch"), type="log" if log_x else "linear")
        layout = base_layout(title, height=height, xaxis=xaxis, yaxis=yaxis, hovermode="x unified")
        figures.append(lean_figure([t for t in traces if t is not None], layout))
    return figures[0], figures[1]


def _trace(history: RunHistory, key: str, name: str, colour: str, dash: str | None, group: str,
           legend: bool) -> dict | None:  # fmt: skip
    epoch, values = history.arrays["epoch"], history.arrays.get(key)
    if values is None:
        return None
    kept = np.isfinite(values)
    x, y = epoch[kept], values[kept]
    idx = downsample(len(x))
    part = "validation" if dash else "train"
    return dict(type="scatter", mode="lines" if len(x) > 1 else "markers", x=x[idx], y=y[idx], name=name,
                legendgroup=group, showlegend=legend, hovertemplate=f"%{{y:.4g}} ({part})",
                line=dict(color=colour, width=2, dash=dash), marker=dict(color=colour, size=6))  # fmt: skip

"""The Lessons page's figures: a lesson's live loss, its runs as stored-run records, and gradient flow per run.

    live_figure(curves, labels)                 # train loss of the runs so far, one colour per run
    records(results, run_ids)                   # RunResults -> (RunRecord, RunHistory) for compare.curves_figure
    grad_norms_figure(results)                  # ||dL/dW|| per layer at the start (dotted) and the end (solid)

The overlay itself is ``figures.compare.curves_figure`` (the Compare page's); ``records`` lets it draw a
lesson's runs when the run store is unavailable. Colours follow ``compare.run_colour``. Pure: no streamlit.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from playground.figures.compare import run_colour
from playground.figures.gradflow import _log_axis, short_labels
from playground.figures.theme import base_layout, lean_figure
from playground.figures.training import downsample
from playground.lessons import RunResult
from playground.store import RunHistory, RunRecord, Scores
from playground.store.schema import HISTORY_KEYS

LEGEND = dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0, font=dict(size=13))


def live_figure(curves: Mapping[int, Mapping[str, Sequence[float]]], labels: Mapping[int, str], height: int = 300) -> go.Figure:
    """Train loss per epoch of each run so far (``curves[i]["epoch"]``, ``["loss"]``), named by ``labels[i]``."""
    traces = []
    for i in sorted(curves):
        x, y = np.asarray(curves[i]["epoch"], dtype=float), np.asarray(curves[i]["loss"], dtype=float)
        kept = np.isfinite(y)
        x, y = x[kept], y[kept]
        idx = downsample(len(x))
        traces.append(dict(type="scatter", mode="lines", x=x[idx], y=y[idx], name=labels.get(i, f"run {i + 1}"),
                           line=dict(color=run_colour(i), width=2), hovertemplate="%{y:.4g}"))  # fmt: skip
    layout = base_layout(height=height, margin=dict(l=56, r=16, t=40, b=44), legend=LEGEND, hovermode="x unified",
                         xaxis=dict(title=dict(text="epoch"), rangemode="tozero"),
                         yaxis=dict(title=dict(text="train loss"), rangemode="tozero"))  # fmt: skip
    return lean_figure(traces, layout)


def records(results: Sequence[RunResult], run_ids: Sequence[str]) -> tuple[list[RunRecord], list[RunHistory]]:
    """The lesson's runs as the store would list them (scores, status, history), without the store."""
    now = datetime.now(timezone.utc)
    runs, histories = [], []
    for run, run_id in zip(results, run_ids):
        scores = {split: _scores(getattr(run, split)) for split in ("train", "val", "test")}
        runs.append(RunRecord(
            id=run_id, label=run.label, status=run.status, message=run.message, query=run.query, session=None,
            source="lesson", study=None, created=now, updated=now, finished=now, epochs=run.epochs_run,
            confusion=tuple(map(tuple, run.test.confusion.tolist())) if hasattr(run.test, "confusion") else None,
            class_names=(), seconds=run.seconds,
            samples_per_second=None, has_weights=False, **scores,
        ))  # fmt: skip
        n = run.epochs_run
        arrays = {k: np.asarray(run.history.get(k, np.full(n, np.nan)), dtype=np.float64) for k in HISTORY_KEYS}
        arrays["epoch"] = np.asarray(run.history.get("epoch", np.arange(1, n + 1)), dtype=np.float64)
        histories.append(RunHistory(run_id, arrays))
    return runs, histories


def _scores(metrics) -> Scores:
    nan = float("nan")  # a regression run has no accuracy
    return Scores(float(metrics.loss), float(getattr(metrics, "accuracy", nan)), float(getattr(metrics, "balanced_accuracy", nan)))


def grad_norms_figure(results: Sequence[RunResult], height: int = 360) -> go.Figure:
    """Per run, the gradient norm of each layer (input -> output, log y) on the initial weights (dotted)
    and on the final ones (solid): a vanishing gradient is a line that falls towards the input."""
    traces = []
    for i, run in enumerate(results):
        if run.grad_norm_start is None:
            continue
        layers = short_labels(list(run.grad_layers))
        for when, norms, dash in (("start", run.grad_norm_start, "dot"), ("end", run.grad_norm_end, "solid")):
            y = [float(v) if np.isfinite(v) and v > 0 else None for v in norms]
            traces.append(dict(type="scatter", mode="lines+markers", x=layers, y=y, name=f"{run.label}: {when}",
                               legendgroup=f"run{i}", line=dict(color=run_colour(i), width=2, dash=dash),
                               marker=dict(color=run_colour(i), size=6),
                               hovertemplate=f"{run.label} ({when}) layer %{{x}}: %{{y:.2e}}<extra></extra>"))  # fmt: skip
    norms = [np.asarray(t["y"], dtype=float) for t in traces]
    yaxis = _log_axis(*[n[np.isfinite(n)] for n in norms]) | dict(title=dict(text="‖∂L/∂W‖"))
    layout = base_layout("Gradient norm per layer<br><span style='font-size:13px'>at the start dotted, at the end solid</span>",
                         height=height, margin=dict(l=64, r=16, t=60, b=44),
                         xaxis=dict(title=dict(text="layer (input → output)"), type="category"), yaxis=yaxis,
                         legend=dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.02, font=dict(size=13)))  # fmt: skip
    return lean_figure(traces, layout)

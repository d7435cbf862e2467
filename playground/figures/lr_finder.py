"""The learning-rate range test: raw and smoothed loss against the learning rate (log axis)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from playground.figures.theme import base_layout

if TYPE_CHECKING:  # the result's type only: figures import no torch
    from playground.lr_finder import LRFinderResult

RAW_COLOUR, SMOOTH_COLOUR, SUGGEST_COLOUR, CURRENT_COLOUR = "#a0cbe8", "#4e79a7", "#e15759", "#7f7f7f"


def _vline(x: float, colour: str, text: str, dash: str, y: float) -> tuple[dict, dict]:
    shape = dict(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1, line=dict(color=colour, width=1.5, dash=dash))
    note = dict(xref="x", yref="paper", x=np.log10(x), y=y, yanchor="bottom", showarrow=False, text=text,
                font=dict(size=12, color=colour), bgcolor="rgba(255,255,255,0.7)")  # fmt: skip
    return shape, note


def lr_finder_figure(result: LRFinderResult, current_lr: float | None = None, height: int = 320) -> go.Figure:
    """The raw and smoothed (lr, loss) curves; the suggestion is a line and a dot on the smoothed curve."""
    lrs, raw, smooth = result.lrs, result.losses, result.smoothed
    traces = [
        dict(type="scatter", mode="lines", x=lrs, y=raw, name="batch loss", line=dict(color=RAW_COLOUR, width=1)),
        dict(type="scatter", mode="lines", x=lrs, y=smooth, name="smoothed (EMA)", line=dict(color=SMOOTH_COLOUR, width=2.5)),
    ]  # fmt: skip
    marks = []
    if result.suggested_lr:
        marks.append((result.suggested_lr, SUGGEST_COLOUR, f"suggested {result.suggested_lr:.2g}", "solid", 0.9))
        traces.append(dict(type="scatter", mode="markers", x=[result.suggested_lr], y=[result.suggested_loss],
                           name="steepest descent", marker=dict(color=SUGGEST_COLOUR, size=11, symbol="circle",
                                                                 line=dict(color="white", width=1.5))))  # fmt: skip
    if current_lr:
        marks.append((current_lr, CURRENT_COLOUR, f"current {current_lr:g}", "dash", 0.78))
    pairs = [_vline(*m) for m in marks]  # (shape, annotation) per marked lr
    shapes, notes = [p[0] for p in pairs], [p[1] for p in pairs]
    return go.Figure(dict(data=traces, layout=_layout(raw, smooth, shapes, notes, height)))


def _layout(raw: np.ndarray, smooth: np.ndarray, shapes: list, notes: list, height: int) -> dict:
    """y from 0 to just above the start or the first divergence, whichever is higher: the spike is cut off."""
    ok_raw, ok_smooth = raw[np.isfinite(raw)], smooth[np.isfinite(smooth)]
    top = max(ok_smooth[0], min(ok_raw.max(), 4 * ok_smooth.min())) * 1.1 if ok_smooth.size and ok_raw.size else 1.0
    return base_layout(
        "Learning-rate range test", height=height,
        xaxis=dict(type="log", title=dict(text="learning rate"), exponentformat="power", dtick=1),  # decades only
        yaxis=dict(title=dict(text="training loss"), range=[0, top]),
        shapes=shapes, annotations=notes, hovermode="x unified",
    )  # fmt: skip

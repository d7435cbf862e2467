"""The look every playground figure shares: class colours, the lean template and layout.

Figures are built from plain dicts with an explicit small template: the process-wide default
template that Streamlit installs would otherwise be most of each figure's JSON. The live charts
skip plotly's per-property validation (``lean_figure``); tests/unit/test_figures.py checks each of
them against the validated build.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

# Tableau 10: distinct on a projector and still readable when blended into pale shading.
CLASS_COLOURS = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
FONT = dict(family="Source Sans Pro, Source Sans, sans-serif", size=14, color="#31333f")
GRID = "#e6e8ee"
LEAN_TEMPLATE = go.layout.Template(  # validated once here, not on every live update
    layout=dict(
        font=FONT,
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(gridcolor=GRID, zeroline=False, linecolor="#aab", ticks="outside", tickcolor="#aab", automargin=True,
                   title=dict(standoff=6)),
        yaxis=dict(gridcolor=GRID, zeroline=False, linecolor="#aab", ticks="outside", tickcolor="#aab", automargin=True,
                   title=dict(standoff=6)),
        hoverlabel=dict(font=dict(family=FONT["family"])),
    )
)


def lean_figure(data: list[dict], layout: dict) -> go.Figure:
    """A Figure from plain dicts, without plotly's property-by-property validation.

    Validation is most of a live chart's cost (the 100x100 decision boundary: 4.5 ms with it,
    2 ms without, build plus JSON); the JSON is the same. Only for builders whose dicts the tests
    compare with ``go.Figure(dict(data=..., layout=...))``, which validates and would reject a typo.
    """
    return go.Figure(dict(data=data, layout=layout), _validate=False)


def class_colour(c: int) -> str:
    return CLASS_COLOURS[c % len(CLASS_COLOURS)]


def class_colours_rgb(n_classes: int) -> np.ndarray:
    """(C, 3) float RGB in 0..255, cycling the palette past ten classes."""
    hexes = [class_colour(c) for c in range(n_classes)]
    return np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in hexes], dtype=np.float32)


def class_colourscale(n_classes: int) -> list:
    """A stepwise colourscale so ``marker.color = y`` (ints 0..C-1) picks each class's colour.

    One trace with numeric colours builds ~3x faster than per-point colour strings.
    """
    if n_classes == 1:
        return [[0, class_colour(0)], [1, class_colour(0)]]
    return [[c / (n_classes - 1), class_colour(c)] for c in range(n_classes)]


def base_layout(title: str | None = None, height: int = 320, **overrides) -> dict:
    """Layout shared by all playground figures: lean template, tight margins, legend on top."""
    layout = dict(
        template=LEAN_TEMPLATE,
        height=height,
        margin=dict(l=56, r=16, t=48 if title else 16, b=44),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0, bgcolor="rgba(255,255,255,0.6)",
                    font=dict(size=13), itemwidth=30),
        uirevision="keep",  # keep the user's zoom across live updates
    )
    if title:
        layout["title"] = dict(text=title, x=0.0, xanchor="left", font=dict(size=16))
    layout.update(overrides)
    return layout

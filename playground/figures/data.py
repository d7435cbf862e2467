"""Dataset previews, plus the class colours and lean layout every figure module shares.

All builders are pure: numpy in, ``go.Figure`` out. Figures are built from plain dicts with an
explicit small template: the process-wide default template that Streamlit installs would
otherwise be most of each figure's JSON. The live charts skip plotly's per-property validation
(``lean_figure``); tests/unit/test_figures.py checks each of them against the validated build.
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


def scatter_preview(X: np.ndarray, y: np.ndarray, class_names: list[str], axis_titles=("x1", "x2"),
                    height: int = 420) -> go.Figure:  # fmt: skip
    """X (n, 2), y (n,) -> one marker trace per class (the legend names the classes); equal aspect."""
    traces = [
        dict(
            type="scatter", x=X[y == c, 0], y=X[y == c, 1], mode="markers", name=name,
            marker=dict(color=class_colour(c), size=6, line=dict(width=0.5, color="white")),
        )  # fmt: skip
        for c, name in enumerate(class_names)
    ]
    layout = base_layout(
        height=height,
        xaxis=dict(title=dict(text=axis_titles[0])),
        yaxis=dict(title=dict(text=axis_titles[1]), scaleanchor="x", scaleratio=1, constrain="domain",
                   constraintoward="top"),
    )
    return go.Figure(dict(data=traces, layout=layout))


def image_grid(X: np.ndarray, y: np.ndarray, shape: tuple[int, int], per_class: int = 3, gap: int = 2) -> go.Figure:
    """X (n, H*W) in [0, 1] -> a montage: one column per class, ``per_class`` examples down each.

    Dark digits on white (ink = 1 - pixel), the way a teacher would show them on paper.
    """
    H, W = shape
    classes = np.unique(y)
    tile_h, tile_w = H + gap, W + gap
    canvas = np.ones((per_class * tile_h + gap, len(classes) * tile_w + gap), dtype=np.float32)
    for col, c in enumerate(classes):
        for row, i in enumerate(np.flatnonzero(y == c)[:per_class]):
            top, left = gap + row * tile_h, gap + col * tile_w
            canvas[top : top + H, left : left + W] = 1.0 - X[i].reshape(H, W)
    grey = (canvas * 255).astype(np.uint8)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)  # (rows, cols, 3)
    centres = gap + np.arange(len(classes)) * tile_w + W / 2
    layout = base_layout(
        height=40 + per_class * 70,
        margin=dict(l=8, r=8, t=8, b=32),
        xaxis=dict(tickvals=centres, ticktext=[str(c) for c in classes], showgrid=False, ticks=""),
        yaxis=dict(visible=False, showgrid=False),
    )
    return go.Figure(dict(data=[dict(type="image", z=rgb, hoverinfo="skip")], layout=layout))


def class_balance_figure(counts: np.ndarray, class_names: list[str], height: int = 220) -> go.Figure:
    """counts (C,) -> horizontal bars, one per class, labelled with count and share."""
    counts = np.asarray(counts)
    share = counts / max(int(counts.sum()), 1)
    labels = [f"{n:,} ({s:.0%})" for n, s in zip(counts, share)]
    trace = dict(
        type="bar", orientation="h", x=counts, y=list(class_names), text=labels, textposition="auto",
        marker=dict(color=[class_colour(c) for c in range(len(counts))]), hoverinfo="skip",
    )  # fmt: skip
    layout = base_layout(
        height=max(height, 40 + 28 * len(counts)),
        margin=dict(l=8, r=16, t=8, b=24),
        yaxis=dict(autorange="reversed", type="category"),  # class names like "3" must stay labels, not numbers
        showlegend=False,
    )
    return go.Figure(dict(data=[trace], layout=layout))

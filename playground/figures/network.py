"""The network graph: one column per layer, at most K units each, edges coloured by the weight's sign.

Edges are orange for positive weights and blue for negative ones, wider and darker the larger the
weight (relative to the largest drawn). Plotly can't vary a line's width within one trace, so the
edges go into a few traces by sign and width band (each a polyline with gaps), plus one trace of
invisible midpoint markers that carries each edge's hover text. A hidden unit with a map shows it
as a small image on its node (a layout image: no trace per unit); every node is a point of one
marker trace whose ``customdata`` is (layer, unit), for ``st.plotly_chart(on_select=...)``.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import plotly.graph_objects as go

from playground.figures.boundary import png_data_uri, points_layer
from playground.figures.theme import base_layout, class_colour, lean_figure
from playground.network_graph import NetworkGraph
from playground.snapshot import PlanePoints

POSITIVE, NEGATIVE = (242, 142, 43), (78, 121, 167)  # orange / blue, as TensorFlow Playground
WIDTH_BANDS = 5  # edge traces per sign
MAX_EDGE_WIDTH = 6.0  # px, for the largest |weight| drawn
HIGHLIGHT = "#e8a800"  # where the backprop walk is
NODE_LINE = "#7f8590"
FRAME = (127, 133, 144)  # NODE_LINE as RGB
LABEL_MARGIN = 64  # px beside the input and output columns for their unit names

Node = tuple[int, int]  # (layer index in graph.layers, unit index in the layer)
Edge = tuple[int, int, int]  # (weight index i, output unit, input unit): layers[i] -> layers[i + 1]


def node_positions(graph: NetworkGraph) -> list[np.ndarray]:
    """Per layer, the (k,) y of its shown units: top to bottom, columns centred on 0.5."""
    k_max = max(len(layer.shown) for layer in graph.layers)
    step = 1.0 / max(k_max, 1)
    return [0.5 + (np.arange(len(layer.shown))[::-1] - (len(layer.shown) - 1) / 2) * step for layer in graph.layers]


def map_rgb(values: np.ndarray) -> np.ndarray:
    """(R, R) activations -> (R, R, 3) uint8: blue below 0, white at 0, orange above, scaled by max |a|;
    rows flipped, so the top row of the image is the plane's largest y."""
    a = np.nan_to_num(values.astype(np.float32))
    t = a / max(float(np.abs(a).max()), 1e-12)  # (R, R) in [-1, 1]
    pos, neg = np.array(POSITIVE, np.float32), np.array(NEGATIVE, np.float32)
    colour = np.where(t[..., None] >= 0, pos, neg)
    rgb = (255.0 - (255.0 - colour) * np.abs(t)[..., None])[::-1].clip(0, 255).astype(np.uint8)
    rgb[[0, -1], :], rgb[:, [0, -1]] = FRAME, FRAME  # a 1-px frame: the image covers the node's outline
    return rgb


def network_figure(graph: NetworkGraph, height: int = 430, selected: Node | None = None,
                   highlight_nodes: tuple[Node, ...] = (), highlight_edges: tuple[Edge, ...] = (),
                   node_text: Mapping[Node, str] | None = None, edge_text: Mapping[Edge, str] | None = None,
                   title: str | None = None) -> go.Figure:  # fmt: skip
    """The graph; ``selected`` rings one node; ``highlight_*`` mark nodes and edges (the backprop walk);
    ``node_text`` / ``edge_text`` write numbers beside nodes and along edges."""
    ys = node_positions(graph)
    node_size = min(34.0, 0.8 * (height - 60) / max(len(y) for y in ys))  # px: a little under the row spacing
    data = _edge_traces(graph, ys, highlight_edges) + [_edge_hover(graph, ys)]
    data += _node_traces(graph, ys, node_size, selected, highlight_nodes)
    n = len(graph.layers)
    images = _map_images(graph, ys, node_size, height, n)
    layout = base_layout(title, height=height, showlegend=False, hovermode="closest", dragmode=False,
                         margin=dict(l=_label_margin(graph.layers[0]), r=_label_margin(graph.layers[-1]),
                                     t=(48 if title else 28), b=8),
                         xaxis=dict(visible=False, range=[-0.3, n - 0.7], fixedrange=True),
                         yaxis=dict(visible=False, range=[-0.12, 1.0], fixedrange=True),
                         annotations=_layer_titles(graph, ys, node_size) + _value_labels(graph, ys, node_text or {},
                                                                                         edge_text or {}, node_size),
                         **({"images": images} if images else {}))  # fmt: skip
    return lean_figure(data, layout)


def _label_margin(layer) -> int:
    """Pixels beside a column for its unit names: LABEL_MARGIN holds 10 characters (with the plot's own
    padding); longer names (at most 12 shown) get ~7 px a character more."""
    longest = max((len(_short(label)) for label in layer.labels), default=0) if len(layer.shown) <= 12 else 0
    return LABEL_MARGIN if longest <= 10 else LABEL_MARGIN + 7 * (longest - 10) + 12


def _short(label: str) -> str:
    return label if len(label) <= 12 else label[:11] + "…"


def _edge_traces(graph: NetworkGraph, ys: list[np.ndarray], highlight: tuple[Edge, ...]) -> list[dict]:
    """One line trace per (sign, width band); the highlighted edges underneath, wide and gold."""
    biggest = max((float(np.abs(W).max()) for W in graph.weights if W.size), default=0.0) or 1.0
    segments: dict[tuple[bool, int], tuple[list, list]] = {}
    for i, W in enumerate(graph.weights):
        for o, j in np.ndindex(W.shape):
            w = float(W[o, j])
            band = min(int(abs(w) / biggest * WIDTH_BANDS), WIDTH_BANDS - 1)
            xs, yv = segments.setdefault((w >= 0, band), ([], []))
            xs += [i, i + 1, None]
            yv += [float(ys[i][j]), float(ys[i + 1][o]), None]
    traces = []
    if highlight:
        hx, hy = [], []
        for i, o, j in highlight:
            hx += [i, i + 1, None]
            hy += [float(ys[i][j]), float(ys[i + 1][o]), None]
        traces.append(dict(type="scatter", x=hx, y=hy, mode="lines", hoverinfo="skip", opacity=0.55,
                           line=dict(color=HIGHLIGHT, width=MAX_EDGE_WIDTH + 4)))  # fmt: skip
    for (positive, band), (xs, yv) in sorted(segments.items()):
        strength = (band + 1) / WIDTH_BANDS
        r, g, b = POSITIVE if positive else NEGATIVE
        traces.append(dict(type="scatter", x=xs, y=yv, mode="lines", hoverinfo="skip",
                           line=dict(color=f"rgba({r},{g},{b},{0.15 + 0.75 * strength:.2f})",
                                     width=0.6 + (MAX_EDGE_WIDTH - 0.6) * strength)))  # fmt: skip
    return traces


def _edge_hover(graph: NetworkGraph, ys: list[np.ndarray]) -> dict:
    """Invisible markers a third of the way along each edge, carrying "from -> to: w = ..."."""
    x, y, text = [], [], []
    for i, W in enumerate(graph.weights):
        src, dst = graph.layers[i], graph.layers[i + 1]
        for o, j in np.ndindex(W.shape):
            x.append(i + 1 / 3)
            y.append(float(ys[i][j] + (ys[i + 1][o] - ys[i][j]) / 3))
            text.append(f"{src.labels[j]} → {dst.labels[o]}<br>w = {W[o, j]:+.4f}")
    return dict(type="scatter", x=np.array(x), y=np.array(y), mode="markers", hovertext=text, hoverinfo="text",
                marker=dict(size=9, color="rgba(0,0,0,0)"), selected=dict(marker=dict(opacity=0)))  # fmt: skip


def _node_traces(graph: NetworkGraph, ys: list[np.ndarray], size: float, selected: Node | None,
                 highlight: tuple[Node, ...]) -> list[dict]:  # fmt: skip
    """All nodes in one trace (customdata = (layer, unit), for selection), then rings for the
    highlighted and selected nodes."""
    x, y, colour, symbol, text, custom = [], [], [], [], [], []
    last = len(graph.layers) - 1
    for li, layer in enumerate(graph.layers):
        for k, unit in enumerate(layer.shown):
            x.append(li)
            y.append(float(ys[li][k]))
            has_map = layer.maps is not None
            colour.append(class_colour(int(unit)) if li == last and layer.size > 1 else
                          "rgba(0,0,0,0)" if has_map else "#eef0f4")  # fmt: skip
            symbol.append("square-open" if has_map else "circle")
            text.append(_node_hover(layer, k, li == 0))
            custom.append([li, int(unit)])
    traces = [dict(type="scatter", x=x, y=y, mode="markers", hovertext=text, hoverinfo="text", customdata=custom,
                   marker=dict(size=size, color=colour, symbol=symbol, line=dict(color=NODE_LINE, width=1.2)),
                   unselected=dict(marker=dict(opacity=1)), name="units")]  # a click must not fade the graph  # fmt: skip
    rings = [(n, HIGHLIGHT, 4) for n in highlight] + ([(selected, "#31333f", 3)] if selected else [])
    for (li, unit), line_colour, width in rings:
        k = np.flatnonzero(graph.layers[li].shown == unit)
        if len(k):
            traces.append(dict(type="scatter", x=[li], y=[float(ys[li][k[0]])], mode="markers", hoverinfo="skip",
                               marker=dict(size=size + 8, symbol="circle-open", color=line_colour,
                                           line=dict(width=width, color=line_colour))))  # fmt: skip
    return traces


def _node_hover(layer, k: int, is_input: bool) -> str:
    text = f"{layer.labels[k]}"
    if layer.activation:
        text += f" ({layer.activation})"
    if not is_input and layer.bias is not None:
        text += f"<br>bias = {float(layer.bias[k]):+.4f}"
    if layer.maps is not None:
        text += "<br>click: its map, large"
    return text


def _layer_titles(graph: NetworkGraph, ys: list[np.ndarray], size: float) -> list[dict]:
    """A short title over each column and "+ N more" under a column that doesn't show every unit;
    input and output columns name their units beside them (when they are few)."""
    notes = []
    last = len(graph.layers) - 1
    for li, layer in enumerate(graph.layers):
        title = "in" if li == 0 else "out" if li == last else f"h{li}"
        notes.append(dict(x=li, y=1.0, xref="x", yref="y", yanchor="bottom", showarrow=False, text=f"<b>{title}</b>",
                          font=dict(size=13)))  # fmt: skip
        if layer.more:  # on two lines when the columns are narrow
            more = f"+ {layer.more}<br>more" if len(graph.layers) > 6 else f"+ {layer.more} more"
            notes.append(dict(x=li, y=float(ys[li].min()) - 0.5 / max(len(y) for y in ys), xref="x", yref="y",
                              yanchor="top", showarrow=False, text=more, font=dict(size=12, color="#6b6f7b")))  # fmt: skip
        if li in (0, last) and len(layer.shown) <= 12:
            for k, label in enumerate(layer.labels):
                notes.append(dict(x=li, y=float(ys[li][k]), xref="x", yref="y", showarrow=False, text=_short(label),
                                  xanchor="right" if li == 0 else "left", xshift=(size / 2 + 4) * (-1 if li == 0 else 1),
                                  font=dict(size=12)))  # fmt: skip
    return notes


def _map_images(graph: NetworkGraph, ys: list[np.ndarray], size: float, height: int, n_columns: int) -> list[dict]:
    """A small PNG of each shown hidden unit's map, centred on its node (``size`` px square)."""
    images = []
    plot_px = height - 36  # the y range [-0.12, 1.0] spans roughly this many pixels
    side = size / plot_px * 1.12  # the node's side in y units; "contain" keeps the image square in x
    for li, layer in enumerate(graph.layers):
        if layer.maps is None:
            continue
        for k in range(len(layer.shown)):
            # ~25x25 points: a node is ~25 px, and 96 nodes' PNGs stay ~100 KB in all
            step = max(1, layer.maps.shape[0] // 25)
            images.append(dict(source=png_data_uri(map_rgb(layer.maps[::step, ::step, k])), xref="x", yref="y",
                               x=li, y=float(ys[li][k]), sizex=1.0, sizey=side, xanchor="center",
                               yanchor="middle", sizing="contain", layer="above"))  # fmt: skip
    return images


def _value_labels(graph: NetworkGraph, ys: list[np.ndarray], node_text: Mapping[Node, str],
                  edge_text: Mapping[Edge, str], size: float) -> list[dict]:  # fmt: skip
    """Numbers on the graph as boxed annotations: above each node, and along each edge on the side where
    its layer's edges spread out most (near the wider layer), so neighbouring labels don't overlap."""
    notes = []
    box = dict(xref="x", yref="y", showarrow=False, bgcolor="rgba(255,255,255,0.85)", font=dict(size=13))
    for (li, unit), value in node_text.items():
        k = int(np.flatnonzero(graph.layers[li].shown == unit)[0])
        notes.append(dict(x=li, y=float(ys[li][k]), yshift=size / 2 + 12, text=value, **box))
    for (i, o, j), value in edge_text.items():
        kj = int(np.flatnonzero(graph.layers[i].shown == j)[0])
        ko = int(np.flatnonzero(graph.layers[i + 1].shown == o)[0])
        t = 0.7 if len(graph.layers[i + 1].shown) >= len(graph.layers[i].shown) else 0.35
        notes.append(dict(x=i + t, y=float(ys[i][kj] + (ys[i + 1][ko] - ys[i][kj]) * t), text=value, **box))
    return notes


def unit_map_figure(graph: NetworkGraph, node: Node, height: int = 430, points: PlanePoints | None = None,
                    n_classes: int = 0) -> go.Figure | None:  # fmt: skip
    """The map of hidden unit ``node`` = (layer, unit) over the input plane, large, under the boundary's
    data points (faded) when given; None without a map."""
    li, unit = node
    if not 0 < li < len(graph.layers) - 1 or graph.layers[li].maps is None:
        return None
    layer = graph.layers[li]
    k = np.flatnonzero(layer.shown == unit)
    if not len(k):
        return None  # no longer among the shown units
    z = layer.maps[:, :, k[0]].astype(np.float32)
    top = max(float(np.abs(z).max()), 1e-12)
    scale = [[0, f"rgb{NEGATIVE}"], [0.5, "white"], [1, f"rgb{POSITIVE}"]]
    data = [dict(type="heatmap", x=graph.map_xs, y=graph.map_ys, z=z, zmin=-top, zmax=top, colorscale=scale, zsmooth="best",
                 colorbar=dict(thickness=12, len=0.8), hovertemplate="x1 %{x:.2f}, x2 %{y:.2f}<br>%{z:.3f}<extra></extra>")]  # fmt: skip
    x_range = [float(graph.map_xs[0]), float(graph.map_xs[-1])]
    y_range = [float(graph.map_ys[0]), float(graph.map_ys[-1])]
    images = []
    if points is not None:  # the boundary's cached points PNG, as a layout image above the heatmap
        source = points_layer(points, x_range, y_range, n_classes)["source"]
        images.append(dict(source=source, xref="x", yref="y", x=x_range[0], y=y_range[1], sizex=x_range[1] - x_range[0],
                           sizey=y_range[1] - y_range[0], sizing="stretch", opacity=0.5, layer="above"))  # fmt: skip
    layout = base_layout(f"{layer.labels[k[0]]} ({layer.activation}): activation over the input plane", height=height,
                         xaxis=dict(title=dict(text="x1"), range=x_range, constrain="domain", showgrid=False),
                         yaxis=dict(title=dict(text="x2"), range=y_range, scaleanchor="x", constrain="domain",
                                    showgrid=False), **({"images": images} if images else {}))  # fmt: skip
    return lean_figure(data, layout)

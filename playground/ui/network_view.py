"""The live network graph beside the unit map a click picked: drawn from the snapshot's NetworkGraph.

Every live refresh sends a new figure, and Streamlit gives a chart whose figure changed a new
widget id, so its selection would be forgotten at the next refresh: the chart's ``on_select``
callback puts the click into the "Unit map" selectbox (``session_state[PICKED]``), whose id is its
key, so the pick stays. While a run trains the graph is redrawn twice a second and Plotly drops
most clicks (measured in Chromium: 0 of 6 clicks landed while training, 6 of 6 once finished), so
the selectbox is also the way to pick a unit then.
"""
from __future__ import annotations

from functools import partial

import streamlit as st

from playground.figures.network import network_figure, unit_map_figure
from playground.network_graph import NetworkGraph
from playground.snapshot import PlanePoints
from playground.ui import presenter
from playground.ui.charts import CONFIG

CHART_KEY = "network_chart"
PICKED = "network_unit"  # session_state: (layer, unit) of the clicked hidden unit


def _keep_pick(last: int) -> None:
    """on_select: put the clicked node into the selectbox, if it is a hidden unit (layers 1 to ``last`` - 1;
    inputs and outputs have no map)."""
    for point in st.session_state[CHART_KEY].selection.points:
        custom = point.get("customdata")
        if custom is not None and len(custom) == 2 and 0 < int(custom[0]) < last:
            st.session_state[PICKED] = (int(custom[0]), int(custom[1]))
            return


def _hidden_units(graph: NetworkGraph) -> list[tuple[int, int]]:
    """Every hidden unit as (layer, unit): the drawn ones first, then the rest (all of them, so the pick
    stays valid when the drawn set changes)."""
    drawn = [(li, int(u)) for li in range(1, len(graph.layers) - 1) for u in graph.layers[li].shown]
    rest = [(li, u) for li in range(1, len(graph.layers) - 1) for u in range(graph.layers[li].size)]
    return drawn + sorted(set(rest) - set(drawn))


def network_view(graph: NetworkGraph, points: PlanePoints | None = None, n_classes: int = 0, height: int = 400) -> None:
    """The graph (left) and the picked unit's map (right, over the data ``points``; a hint until a unit is clicked)."""
    left, right = st.container(key="network_view").columns([6, 5])
    with right:  # first: the selectbox's value is the pick the graph rings
        if graph.map_xs is None:
            st.caption("Unit maps are drawn for 2-D datasets; here the graph shows the weights only.")
            picked = None
        else:
            units = _hidden_units(graph)
            if st.session_state.get(PICKED) not in units:  # another network: its units differ
                st.session_state.pop(PICKED, None)
            picked = st.selectbox("Unit map", units, index=None, key=PICKED, placeholder="click a hidden unit, or pick one",
                                  format_func=lambda node: _option_label(graph, node))  # fmt: skip
            unit_map = unit_map_figure(graph, picked, height - 70, points, n_classes) if picked else None
            if unit_map is not None:
                st.plotly_chart(presenter.figure(unit_map), key="unit_map_chart", theme=None, config=CONFIG)
            elif picked:
                st.caption(f"{graph_unit_label(graph, picked)} is not among the {len(graph.layers[picked[0]].shown)} "
                           "units drawn (the largest outgoing weights) right now, so it has no map.")  # fmt: skip
    with left:
        figure = network_figure(graph, height=height, selected=picked)
        st.plotly_chart(presenter.figure(figure), key=CHART_KEY, theme=None, config=CONFIG,
                        on_select=partial(_keep_pick, len(graph.layers) - 1), selection_mode="points")  # fmt: skip


def _option_label(graph: NetworkGraph, node: tuple[int, int]) -> str:
    drawn = node[1] in graph.layers[node[0]].shown
    return graph_unit_label(graph, node) + ("" if drawn else " (not drawn now)")


def graph_unit_label(graph: NetworkGraph, node: tuple[int, int]) -> str:
    """``h1.7`` for hidden layer 1's unit 7."""
    return f"h{node[0]}.{node[1]}"

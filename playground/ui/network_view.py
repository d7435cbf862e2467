"""The live network graph beside the unit map a click picked: drawn from the snapshot's NetworkGraph.

Every live refresh sends a new figure, and Streamlit gives a chart whose figure changed a new
widget id, so its selection would be forgotten at the next refresh: the click is kept in
``session_state[PICKED]`` by the chart's ``on_select`` callback instead.
"""
from __future__ import annotations

import streamlit as st

from playground.figures.network import network_figure, unit_map_figure
from playground.network_graph import NetworkGraph
from playground.snapshot import PlanePoints
from playground.ui import presenter
from playground.ui.charts import CONFIG

CHART_KEY = "network_chart"
PICKED = "network_unit"  # session_state: (layer, unit) of the clicked hidden unit


def _keep_pick() -> None:
    """on_select: remember the clicked node, if it is a hidden unit (inputs and outputs have no map)."""
    points = st.session_state[CHART_KEY].selection.points
    for point in points:
        custom = point.get("customdata")
        if custom is not None and len(custom) == 2:
            st.session_state[PICKED] = (int(custom[0]), int(custom[1]))
            return


def network_view(graph: NetworkGraph, points: PlanePoints | None = None, n_classes: int = 0, height: int = 400) -> None:
    """The graph (left) and the picked unit's map (right, over the data ``points``; a hint until a unit is clicked)."""
    picked = st.session_state.get(PICKED)
    left, right = st.container(key="network_view").columns([6, 5])
    with left:
        figure = network_figure(graph, height=height, selected=picked)
        st.plotly_chart(presenter.figure(figure), key=CHART_KEY, theme=None, config=CONFIG,
                        on_select=_keep_pick, selection_mode="points")  # fmt: skip
    with right:
        unit_map = unit_map_figure(graph, picked, height, points, n_classes) if picked else None
        if unit_map is not None:
            st.plotly_chart(presenter.figure(unit_map), key="unit_map_chart", theme=None, config=CONFIG)
        elif graph.map_xs is not None:
            st.caption("Click a hidden unit in the graph to see what it computes over the input plane, large.")
        else:
            st.caption("Unit maps are drawn for 2-D datasets; here the graph shows the weights only.")

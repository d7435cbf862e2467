"""The live network graph beside the unit map a click picked: drawn from the snapshot's NetworkGraph.

Picking a unit: clicking a hidden node (``on_select``) or the "Unit map" list. Both are widgets,
and only appear while the run is not training: widgets inside the live fragment, rerun twice a
second with charts that change, left the page with two copies of its charts in the browser for
moments (tests/e2e/test_live_browser.py caught them), and Plotly dropped every click on a graph
redrawn twice a second (0 of 6 in Chromium; 6 of 6 once finished). The pick lives in
``session_state[PICKED]`` (a plain key, not a widget's, so it survives the widgets' absence); while
the run trains, the picked unit's map keeps updating.
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
PICKED = "network_unit"  # session_state: (layer, unit) of the picked hidden unit, or None
LIST_KEY = "network_unit_list"  # the "Unit map" selectbox


def _keep_pick(last: int) -> None:
    """on_select: put the clicked node into the selectbox, if it is a hidden unit (layers 1 to ``last`` - 1;
    inputs and outputs have no map)."""
    for point in st.session_state[CHART_KEY].selection.points:
        custom = point.get("customdata")
        if custom is not None and len(custom) == 2 and 0 < int(custom[0]) < last:
            st.session_state[PICKED] = (int(custom[0]), int(custom[1]))
            return


def _keep_listed() -> None:
    """on_change of the list: its value is the pick."""
    st.session_state[PICKED] = st.session_state[LIST_KEY]


def _hidden_units(graph: NetworkGraph) -> list[tuple[int, int]]:
    """Every hidden unit as (layer, unit): the drawn ones first, then the rest (all of them, so the pick
    stays valid when the drawn set changes)."""
    drawn = [(li, int(u)) for li in range(1, len(graph.layers) - 1) for u in graph.layers[li].shown]
    rest = [(li, u) for li in range(1, len(graph.layers) - 1) for u in range(graph.layers[li].size)]
    return drawn + sorted(set(rest) - set(drawn))


def network_view(graph: NetworkGraph, points: PlanePoints | None = None, n_classes: int = 0, height: int = 400,
                 interactive: bool = True) -> None:  # fmt: skip
    """The graph (left) and the picked unit's map (right, over the data ``points``). ``interactive``
    (the run is not training): the graph takes clicks and the list is shown (see the module's doc)."""
    left, right = st.container(key="network_view").columns([6, 5])
    units = _hidden_units(graph) if graph.map_xs is not None else []
    if st.session_state.get(PICKED) not in units:  # none yet, or another network: its units differ
        st.session_state[PICKED] = None
    picked = st.session_state[PICKED]
    with right:
        if not units and len(graph.layers) == 2:  # inputs straight to the output: there is no hidden unit to map
            st.caption("No hidden layer, so no unit maps: the inputs feed the output directly.")
        elif not units:
            st.caption("Unit maps are drawn for 2-D datasets; here the graph shows the weights only.")
        elif interactive:
            st.session_state[LIST_KEY] = picked  # the list shows the pick, however it was made
            st.selectbox("Unit map", units, key=LIST_KEY, on_change=_keep_listed, placeholder="click a hidden unit, or pick one",
                         format_func=lambda node: _option_label(graph, node))  # fmt: skip
        elif picked is None:
            st.caption("Pause or let the run finish to pick a hidden unit (click it); its map then updates as the net trains.")
        unit_map = unit_map_figure(graph, picked, height - 70, points, n_classes) if picked else None
        if unit_map is not None:
            st.plotly_chart(presenter.figure(unit_map), key="unit_map_chart", theme=None, config=CONFIG)
        elif picked:
            st.caption(f"{graph_unit_label(graph, picked)} is not among the {len(graph.layers[picked[0]].shown)} "
                       "units drawn (the largest outgoing weights) right now, so it has no map.")  # fmt: skip
    with left:
        figure = presenter.figure(network_figure(graph, height=height, selected=picked))
        if interactive:
            st.plotly_chart(figure, key=CHART_KEY, theme=None, config=CONFIG,
                            on_select=partial(_keep_pick, len(graph.layers) - 1), selection_mode="points")  # fmt: skip
        else:
            st.plotly_chart(figure, key=CHART_KEY, theme=None, config=CONFIG)


def _option_label(graph: NetworkGraph, node: tuple[int, int]) -> str:
    drawn = node[1] in graph.layers[node[0]].shown
    return graph_unit_label(graph, node) + ("" if drawn else " (not drawn now)")


def graph_unit_label(graph: NetworkGraph, node: tuple[int, int]) -> str:
    """``h1.7`` for hidden layer 1's unit 7."""
    return f"h{node[0]}.{node[1]}"

"""One way to put a figure on the page: our own lean look (theme=None), a quiet toolbar, a stable key."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from playground.ui import presenter

PRELOADED = "_plotly_preloaded"  # session_state: this tab has evaluated plotly.js
CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def chart(figure: go.Figure, key: str) -> None:
    """``key`` gives the chart a stable CSS class (``st-key-<key>``) for browser tests."""
    st.plotly_chart(presenter.figure(figure), key=key, theme=None, config=CONFIG)


def preload() -> None:
    """On a session's first run, before anything slow: an empty chart nobody sees.

    The browser fetches and evaluates plotly.js (a 4.7 MB chunk, ~0.9 s of one core) when the first
    chart arrives, and the page around it waits for that. Sent first, the chunk is evaluated while the
    server prepares the data (on a fresh server, scikit-learn's import), not after it."""
    if st.session_state.get(PRELOADED):
        return
    st.session_state[PRELOADED] = True
    with st.container(key="plotly_preload"):  # hidden with its layout wrapper: no room, no gap on the page
        st.html("<style>[data-testid='stLayoutWrapper']:has(> .st-key-plotly_preload){display:none}</style>")
        st.plotly_chart(go.Figure(), key="plotly_preload_chart", theme=None, config={"staticPlot": True}, height=10)

"""One way to put a figure on the page: our own lean look (theme=None), a quiet toolbar, a stable key."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from playground.ui import presenter

CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def chart(figure: go.Figure, key: str) -> None:
    """``key`` gives the chart a stable CSS class (``st-key-<key>``) for browser tests."""
    st.plotly_chart(presenter.figure(figure), key=key, theme=None, config=CONFIG)

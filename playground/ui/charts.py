"""One way to put a figure on the page: our own lean look (theme=None), a quiet toolbar, a stable key."""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Iterator

import plotly.graph_objects as go
import streamlit as st

from playground.ui import presenter

PRELOADED = "_plotly_preloaded"  # session_state: this tab has evaluated plotly.js
# Prefixed to every chart key in this script thread (each script run has its own thread, so its own
# value): a rehearsal (playground/ui/rehearsal.py) draws the live charts without taking their keys.
_KEY_PREFIX: ContextVar[str] = ContextVar("chart_key_prefix", default="")
CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def chart(figure: go.Figure, key: str) -> None:
    """``key`` gives the chart a stable CSS class (``st-key-<key>``) for browser tests."""
    st.plotly_chart(presenter.figure(figure), key=_KEY_PREFIX.get() + key, theme=None, config=CONFIG)


@contextlib.contextmanager
def keys_prefixed(prefix: str) -> Iterator[None]:
    """Within: ``chart(fig, key)`` uses the key ``prefix + key``."""
    token = _KEY_PREFIX.set(_KEY_PREFIX.get() + prefix)
    try:
        yield
    finally:
        _KEY_PREFIX.reset(token)


def preload() -> None:
    """On a session's first run, before anything slow: an empty chart nobody sees.

    The browser fetches and evaluates plotly.js (a 4.7 MB chunk, ~0.9 s of one core) when the first
    chart arrives, and the page around it waits for that. Sent first, the chunk is evaluated while the
    server prepares the data (on a fresh server, scikit-learn's import), not after it.

    Its container is in every run, empty after the first: the browser keeps the page's elements by
    their place, and a first element gone would shift every place after it, so the second run (a
    first Start) would mount the whole page afresh (~0.3 s of the browser's main thread)."""
    with st.container(key="plotly_preload"):  # hidden with its layout wrapper: no room, no gap on the page
        st.html("<style>[data-testid='stLayoutWrapper']:has(> .st-key-plotly_preload){display:none}</style>")
        if not st.session_state.get(PRELOADED):
            st.session_state[PRELOADED] = True
            st.plotly_chart(go.Figure(), key="plotly_preload_chart", theme=None, config={"staticPlot": True},
                            height=10)  # fmt: skip

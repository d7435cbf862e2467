"""URL <-> config: the query string holds the fields that differ from the defaults, so a link reproduces a setup."""
from __future__ import annotations

import streamlit as st

from playground.config import RunConfig, from_query, to_query
from playground.presentation import HIDE_KEY, PRESENT_KEY
from playground.ui import state

LOADED = "_url_loaded"  # session_state: (config read from the URL, its warnings)


def load_once() -> None:
    """On the first run of a session, seed every widget value from the URL (bad values keep the default)."""
    if state.ready():
        return
    cfg, warnings = from_query(st.query_params.to_dict())
    state.init(cfg)
    st.session_state[LOADED] = (cfg, warnings)


def show_warnings(cfg: RunConfig | None) -> None:
    """The URL's rejected parameters, until the user changes the setup they describe."""
    loaded, warnings = st.session_state.get(LOADED, (None, []))
    if cfg is not None and cfg == loaded:
        for message in warnings:
            st.warning(message, icon=":material/link_off:")


def sync(cfg: RunConfig) -> None:
    """Rewrite the query string to match ``cfg``; presenter mode's keys stay, another page's go (the race's
    keys are not this page's link). Writes only when something differs: each write is a browser message."""
    current = st.query_params.to_dict()
    query = {k: v for k, v in current.items() if k in (PRESENT_KEY, HIDE_KEY)} | to_query(cfg)
    if current != query:
        st.query_params.from_dict(query)

"""This session's part in the server's redraw budget (playground/refresh_budget.py): one budget per server.

    every = refresh.interval()     # the live view's run_every while a run trains
    refresh.record(seconds)        # after each live redraw: how long it took
    refresh.leave()                # the run ended: this page no longer redraws
"""
from __future__ import annotations

import time
import uuid

import streamlit as st

from playground.refresh_budget import RefreshBudget, share_from_env

TOKEN = "_refresh_token"  # session_state: this session's name in the budget
CURRENT = "_refresh_every"  # session_state: the interval this page redraws at now


@st.cache_resource(show_spinner=False)
def budget() -> RefreshBudget:
    """Shared by every session of this server process."""
    return RefreshBudget(share_from_env())


def _token() -> str:
    if TOKEN not in st.session_state:
        st.session_state[TOKEN] = uuid.uuid4().hex
    return st.session_state[TOKEN]


def interval() -> float:
    every = budget().interval(_token(), st.session_state.get(CURRENT), time.monotonic())
    st.session_state[CURRENT] = every
    return every


def record(seconds: float) -> None:
    budget().record(_token(), seconds, time.monotonic(), st.session_state.get(CURRENT))


def leave() -> None:
    budget().forget(_token())
    st.session_state.pop(CURRENT, None)

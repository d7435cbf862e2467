"""The app's run store: opened once per server (per store URL), or None with a plain message, said once.

    store = run_store.get()      # RunStore, or None when it can't be opened (the app still trains)
    run_store.notice()           # st.warning once per session when runs are not being saved

Opening is cached server-wide (``st.cache_resource``): a RunStore is a thread-safe connection
pool. The key is the URL the environment gives (PLAYGROUND_DB / PLAYGROUND_HOME), so a test that
points the environment elsewhere gets that store. A store that fails is not cached: the next
session tries again (a PostgreSQL server may come back), but each session says so only once.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from playground.store import Location, StoreUnavailable

if TYPE_CHECKING:
    from playground.store import RunStore

SAID = "_store_unavailable_said"  # session_state: this session has shown why runs are not saved


@st.cache_resource(show_spinner=False, on_release=lambda store: store.close())
def _open(url: str) -> RunStore:
    from playground.store import open_store  # here: SQLAlchemy loads after the page's first charts, not before

    return open_store(url)


def get() -> RunStore | None:
    """The store, or None if it cannot be opened (the reason: ``error()``)."""
    try:
        return _open(Location.from_env().url)
    except StoreUnavailable:
        return None


def error() -> StoreUnavailable | None:
    """Why the store cannot be opened, or None when it can."""
    try:
        _open(Location.from_env().url)
    except StoreUnavailable as err:
        return err
    return None


def notice() -> None:
    """Once per session: the plain reason runs are not being saved (training goes on without them)."""
    if st.session_state.get(SAID):
        return
    err = error()
    if err is not None:
        st.session_state[SAID] = True
        st.warning(str(err), icon=":material/cloud_off:")

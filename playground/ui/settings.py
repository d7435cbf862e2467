"""The settings column of the Playground page: Data / Network / Training tabs over one set of values."""
from __future__ import annotations

import streamlit as st

from playground.datasets import Splits
from playground.ui import controls, data_view, diagnostics, layers, state
from playground.ui.feature_crosses import crosses_row
from playground.ui.setup import load_data

SHOW = "show_settings"  # toggle key: the settings column can fold away (a projector shows the run alone)
SHOWN = "_settings_shown"  # session_state: the toggle's value, kept across page switches (which drop widget state)


def show_toggle(where) -> bool:
    """The "Settings" toggle; hidden settings keep their values (ui/state.py), so nothing is lost.
    Seeded from SHOWN (presenter mode sets it off), so it takes no ``value=``."""
    if SHOW not in st.session_state:
        st.session_state[SHOW] = st.session_state.get(SHOWN, True)
    return where.toggle("Settings", key=SHOW, on_change=_keep,
                        help="Hide the settings to give the charts the whole width.")  # fmt: skip


def _keep() -> None:
    st.session_state[SHOWN] = st.session_state[SHOW]


def settings_tabs() -> tuple[Splits | None, str | None]:
    """Draw the three tabs; returns the loaded splits (or None) and the data error to show."""
    data_tab, network_tab, training_tab = st.tabs(["Data", "Network", "Training"])
    with data_tab:  # first: the other tabs depend on what it loads
        controls.data_controls()
        crosses_row()  # x1², x2², ...: 2-D sets only
        splits, data_error = load_data()
        if splits is not None:
            data_view.summary(splits)
        else:
            st.warning("No data loaded: the message beside the run buttons says why.", icon=":material/database_off:")
    n_classes = splits.n_classes if splits is not None else None
    with network_tab:  # hidden layers, init, output head; the layer table needs the data's width
        hidden = layers.layer_editor()
        controls.network_controls(n_classes)
        diagnostics.render_vanishing_presets()
        if splits is not None and isinstance(hidden, tuple):
            layers.layer_summary(hidden, splits.n_features, n_classes, state.values()["binary_loss"])
    with training_tab:
        controls.training_controls(splits.dataset.class_names if splits is not None else None)
    return splits, data_error

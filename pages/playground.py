"""Playground: pick data, build a network, train it live and watch the decision boundary form.

Settings on the left (Data / Network / Training), the run on the right. Widget values live in
session state and the URL; training runs in this session's runner (a child process by default),
never in this script.
"""
import streamlit as st

from playground.status import Status
from playground.ui import controls, data_view, diagnostics, layers, live, run_controls, session, state, url
from playground.ui.navigation import require_app_navigation
from playground.ui.setup import load_data, resolve

require_app_navigation()  # before anything renders: a cold deep link reruns through app.py

runner = session.get_runner()
url.load_once()

st.title("Neural Network Playground", anchor=False)
settings, main = st.columns([5, 9], gap="large")
with settings:
    data_tab, network_tab, training_tab = st.tabs(["Data", "Network", "Training"])

# --- data: its widgets first, because the other tabs depend on what it loads
with data_tab:
    controls.data_controls()
    splits, data_error = load_data()
    if splits is not None:
        data_view.summary(splits)
    else:
        st.warning("No data loaded: the message beside the run buttons says why.", icon=":material/database_off:")
n_classes = splits.n_classes if splits is not None else None
class_names = splits.dataset.class_names if splits is not None else None

# --- network: hidden layers, init, output head; the layer table needs the data's width
with network_tab:
    hidden = layers.layer_editor()
    controls.network_controls(n_classes)
    diagnostics.render_vanishing_presets()
    if splits is not None and isinstance(hidden, tuple):
        layers.layer_summary(hidden, splits.n_features, n_classes, state.values()["binary_loss"])

with training_tab:
    controls.training_controls(class_names)

setup = resolve(splits)
if setup.cfg is not None:
    url.sync(setup.cfg)

# --- the run: buttons, what blocks a start, then the live view
with main.container(key="run_panel"):
    url.show_warnings(setup.cfg)
    run_controls.buttons(runner, setup)
    for problem in setup.problems:
        st.error(f"Fix this to start: {problem}", icon=":material/block:")
    if data_error and data_error not in setup.problems:  # e.g. a CSV to place; a bad split is a problem already
        st.error(data_error, icon=":material/database_off:")
    if runner.snapshot().status is Status.IDLE:  # a run reports its own notes
        for note in setup.notes:
            st.caption(note)
    run_controls.sync_lr(runner, state.values()["lr"])
    run_controls.change_notice(runner, setup.cfg)
    live.live_view(runner, idle_view=lambda: data_view.preview(splits) if splits is not None else None)
    with st.expander("Learning-rate range test", icon=":material/query_stats:"):
        diagnostics.render_lr_finder(runner, setup.cfg)

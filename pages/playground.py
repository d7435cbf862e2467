"""Playground: pick data, build a network, train it live and watch the decision boundary form.

Settings on the left (Data / Network / Training; they can fold away), the run on the right. Widget
values live in session state and the URL; training runs in this session's runner (a child process
by default), never in this script.
"""
import streamlit as st

from playground.status import Status
from playground.ui import (data_view, diagnostics, live, lr_sync, model_io, presenter, rehearsal, run_controls, runs,
                           session, settings, state, url)
from playground.ui.navigation import require_app_navigation
from playground.ui.setup import load_data, resolve

require_app_navigation()  # before anything renders: a cold deep link reruns through app.py

runner = session.get_runner()
session.announce_adoption()
url.load_once()

title, present, toggle = st.columns([5, 1, 1], vertical_alignment="center")
title.subheader("Neural Network Playground", anchor=False)  # compact: the charts get the height
presenter.toggle(present)
if settings.show_toggle(toggle):
    left, main = st.columns([5, 9], gap="large")
    with left:
        splits, data_error = settings.settings_tabs()
else:
    main = st.container()
    splits, data_error = load_data()

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
    model_io.loaded_note()  # a loaded model file waiting for the next Start
    if runner.snapshot().status is Status.IDLE:  # a run reports its own notes
        for note in setup.notes:
            st.caption(note)
    lr_sync.send_lr(runner, state.values()["lr"])  # a moved lr slider reaches the live run, once
    run_controls.change_notice(runner, setup.cfg)
    live.live_view(runner, idle_view=lambda queued=False: data_view.preview(splits, state.values()["scaling"], queued) if splits else None)
    runs.runs_panel()
    model_io.model_panel(runner, setup)
    with st.expander("Learning-rate range test", icon=":material/query_stats:"):
        diagnostics.render_lr_finder(runner, setup.cfg)
if runner.snapshot().status is Status.IDLE:  # last, out of sight: warms the browser for a first Start
    rehearsal.rehearse()

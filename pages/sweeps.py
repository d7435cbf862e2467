"""Sweeps: many runs of one base config, chosen by Optuna, trained in parallel worker processes."""
import streamlit as st

from playground.ui import presenter
from playground.ui import sweep_page as ui
from playground.ui.navigation import require_app_navigation

require_app_navigation()  # before anything renders: a cold deep link reruns through app.py

presenter.title_row("Sweeps", "Train many configs and see which settings matter. Optuna picks each trial's values; "
                    "every trial is also a run in the store, so it can be compared and reopened.")
storage = ui.storage()
if storage is None:
    st.stop()

setup, results = st.columns([1, 2.4], gap="medium")
with setup:
    runner = ui.session_sweep().runner
    started = ui.setup_form(running=runner is not None and not runner.progress().finished)
    if started is not None and ui.start(*started):
        st.rerun()

with results:
    ui.progress_panel()
    name = ui.study_picker(storage)
    if name is not None:
        ui.show_study(storage, name)

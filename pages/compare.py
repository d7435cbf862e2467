"""Compare runs: any stored runs (from the app, the CLI or a sweep) side by side, read from the run store."""
import streamlit as st

from playground.ui import compare, presenter, run_store
from playground.ui.navigation import require_app_navigation

require_app_navigation()  # before anything renders: a cold deep link reruns through app.py

presenter.title_row("Compare runs", "Every run is saved with its history. Pick runs in the table: their curves share "
                    "one chart, one colour per run, named by the settings that differ. The link keeps the picked runs.")

store = run_store.get()
if store is None:
    run_store.notice()
    st.info("Nothing to compare: the run store can't be opened, so runs are not being saved. Point PLAYGROUND_DB "
            "(a database URL) or PLAYGROUND_HOME (a folder) at a store that opens.", icon=":material/compare_arrows:")  # fmt: skip
    st.stop()
runs = compare.list_runs(store)
if runs is None:
    st.stop()
if not runs:
    st.info("No runs yet. Train one on the Playground page, or from a shell: "
            "`python -m playground train --dataset spiral --optimizer sgd`, then again with `--optimizer adam`.",
            icon=":material/compare_arrows:")  # fmt: skip
    st.page_link("pages/playground.py", label="Open the Playground", icon=":material/model_training:")
    st.stop()

picked = compare.pick(runs)
if not picked:
    st.info("Pick one or more runs in the table to compare them.", icon=":material/check_box:")
    st.stop()
histories = compare.load_histories(store, picked)
if histories is None:
    st.stop()
compare.curves(picked, histories)
compare.setups_and_scores(picked)
compare.confusions(picked)

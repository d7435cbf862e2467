"""The Compare page's parts: pick stored runs, then their curves, setups, final scores and confusion matrices.

It reads only the run store, so runs from the app, the CLI (``python -m playground train``) and
sweeps compare alike. The selection is kept by run id, not by table row: a run recorded while the
page is open adds a row at the top, and the runs already picked stay picked. ``?runs=id1,id2`` in
the URL picks runs on a session's first visit, and the page writes its selection back there, so
the link reproduces the comparison.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from playground.config_diff import differing_fields, effective_value
from playground.figures.compare import curves_figure, run_colour, run_names, scores_figure
from playground.figures.evaluation import confusion_figure
from playground.figures.theme import CLASS_COLOURS
from playground.store import RunHistory, RunRecord, RunStore, StoreUnavailable
from playground.ui.charts import chart

MAX_RUNS = 500  # the newest runs listed for picking
DEFAULT_PICKS = 2  # the newest runs picked on a first visit without a link, so the page is never empty
TABLE_ROWS = 6  # rows visible before the runs table scrolls: the charts start above a projector's fold
URL_KEY = "runs"  # ?runs=id1,id2
TABLE = "compare_table"  # widget keys
SELECTED = "_compare_selected"  # session_state: the picked run ids
LISTED = "_compare_listed"  # session_state: the ids the table listed last time, top to bottom
CONFUSIONS_PER_ROW = 3
MAX_COMPARED = len(CLASS_COLOURS)  # runs drawn at once: past this the colours would repeat


def list_runs(store: RunStore) -> list[RunRecord] | None:
    """The newest MAX_RUNS stored runs, newest first; None (with a warning) if the store fails now."""
    try:
        return store.list_runs(limit=MAX_RUNS)
    except StoreUnavailable as err:
        st.warning(str(err), icon=":material/cloud_off:")
        return None


def pick(runs: Sequence[RunRecord]) -> list[RunRecord]:
    """The runs table with row selection; returns the picked runs, oldest first (so a run keeps its
    colour when a newer one is added), and writes their ids to the URL."""
    ids = [run.id for run in runs]
    if SELECTED not in st.session_state:
        st.session_state[SELECTED] = _first_picks(ids)
    if TABLE not in st.session_state or st.session_state.get(LISTED) != ids:  # new table, or rows came or went
        rows = [ids.index(i) for i in st.session_state[SELECTED] if i in ids]
        st.session_state[TABLE] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    st.session_state[LISTED] = ids
    event = st.dataframe(
        _runs_frame(runs), key=TABLE, on_select="rerun", selection_mode="multi-row", hide_index=True,
        height=38 + 35 * min(len(runs), TABLE_ROWS), width="stretch", placeholder="–",
        column_config={
            "label": st.column_config.TextColumn(width="large"),
            "val accuracy": st.column_config.NumberColumn("val acc", format="percent"),
            "test accuracy": st.column_config.NumberColumn("test acc", format="percent"),
            "created": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )  # fmt: skip
    rows = sorted(event.selection.rows, reverse=True)  # oldest first
    st.session_state[SELECTED] = [ids[r] for r in rows]
    _write_url(st.session_state[SELECTED])
    if len(rows) > MAX_COMPARED:
        st.warning(f"{len(rows)} runs picked: the {MAX_COMPARED} newest are compared (one colour each).",
                   icon=":material/filter_list:")  # fmt: skip
        rows = rows[-MAX_COMPARED:]
    return [runs[r] for r in rows]


def load_histories(store: RunStore, runs: Sequence[RunRecord]) -> list[RunHistory] | None:
    try:
        return [store.load_history(run.id) for run in runs]
    except StoreUnavailable as err:
        st.warning(str(err), icon=":material/cloud_off:")
    except KeyError as err:  # deleted from another page or server since the table was listed
        st.warning(f"A picked run is no longer in the store ({err.args[0]}); pick again.", icon=":material/delete:")
    return None


def curves(runs: Sequence[RunRecord], histories: Sequence[RunHistory]) -> None:
    """Loss and accuracy side by side, with the train / validation / log-x switches above them."""
    train, val, log_x, _ = st.columns([1, 1, 1, 3])
    show_train = train.toggle("Train", value=True, key="compare_train")
    show_val = val.toggle("Validation", value=True, key="compare_val")
    log = log_x.toggle("Log epochs", key="compare_log_x", help="A log epoch axis shows the first epochs, where "
                       "optimizers differ most, as wide as the rest.")  # fmt: skip
    loss, accuracy = st.columns(2, gap="medium")
    with loss:
        chart(curves_figure(runs, histories, "loss", show_train, show_val, log), key="compare_loss")
    with accuracy:  # regression runs have no accuracy: their MAE (original scale) instead
        second = "mae" if all_regression(runs) else "accuracy"
        chart(curves_figure(runs, histories, second, show_train, show_val, log), key="compare_accuracy")


def all_regression(runs: Sequence[RunRecord]) -> bool:
    """Every picked run predicts a number (issue 13): accuracy means nothing for any of them."""
    return bool(runs) and all(run.config()[0].regression for run in runs)


def setups_and_scores(runs: Sequence[RunRecord]) -> None:
    """The settings that differ (one row per run, in its colour) beside the final scores as grouped bars."""
    left, right = st.columns([1, 1], gap="medium")
    with left:
        st.markdown("**What differs**")
        fields = differing_fields(run.config()[0] for run in runs)
        if not fields:
            st.caption("These runs have the same setup: they differ only in when they ran.")
        st.dataframe(_diff_frame(runs, fields), key="compare_diff", hide_index=True, width="stretch")
    with right:
        choices = ["loss"] if all_regression(runs) else ["accuracy", "loss"]  # the store keeps no final MAE
        metric = st.radio("Final score", choices, horizontal=True, key="compare_metric",
                          label_visibility="collapsed")  # fmt: skip
        chart(scores_figure(runs, metric), key="compare_scores")


def confusions(runs: Sequence[RunRecord]) -> None:
    """Each classification run's test confusion matrix, CONFUSIONS_PER_ROW to a row, titled in the run's colour."""
    shown = [(i, run, name) for i, (run, name) in enumerate(zip(runs, run_names(runs)))]
    with_matrix = [(i, run, name) for i, run, name in shown if run.confusion]
    if not with_matrix:
        return
    head, toggle = st.columns([3, 1], vertical_alignment="bottom")
    head.markdown("**Test confusion matrices** (row = true class, column = predicted)")
    normalise = toggle.toggle("Row shares", key="compare_normalise", help="Each true class's row as shares of its rows.")
    per_row = CONFUSIONS_PER_ROW if len(with_matrix) > 2 else 2
    for start in range(0, len(with_matrix), per_row):
        for column, (i, run, name) in zip(st.columns(per_row), with_matrix[start : start + per_row]):
            title = f"<span style='color:{run_colour(i)}'>●</span> {name}"
            with column:
                chart(confusion_figure(np.array(run.confusion), list(run.class_names), normalise, title),
                      key=f"compare_confusion_{i}")  # fmt: skip
    missing = [f"{name} ({run.status})" for i, run, name in shown if not run.confusion]
    if missing:
        st.caption("No confusion matrix (the run ended without usable weights): " + ", ".join(missing))


def _first_picks(ids: list[str]) -> list[str]:
    """The URL's runs (those still stored; a warning names the others), else the DEFAULT_PICKS newest."""
    wanted = [i for i in st.query_params.get(URL_KEY, "").split(",") if i.strip()]
    missing = [i for i in wanted if i not in ids]
    if missing:
        st.warning(f"The link names runs this store does not list: {', '.join(missing)} (deleted, or older "
                   f"than the newest {MAX_RUNS}).", icon=":material/link_off:")  # fmt: skip
    found = [i for i in wanted if i in ids]
    return found if wanted else ids[:DEFAULT_PICKS]


def _write_url(ids: list[str]) -> None:
    value = ",".join(ids)
    if value and st.query_params.get(URL_KEY) != value:
        st.query_params[URL_KEY] = value
    elif not value and URL_KEY in st.query_params:
        del st.query_params[URL_KEY]


def _runs_frame(runs: Sequence[RunRecord]) -> pd.DataFrame:
    """label, dataset, status, val/test accuracy (None when unknown), source, created (server's local time)."""
    return pd.DataFrame({
        "label": [run.label for run in runs],
        "dataset": [run.config()[0].dataset for run in runs],
        "status": [run.status for run in runs],
        "val accuracy": [run.val.accuracy if run.val else None for run in runs],
        "test accuracy": [run.test.accuracy if run.test else None for run in runs],
        "source": [run.source for run in runs],
        "created": [run.created.astimezone().replace(tzinfo=None) for run in runs],
    })  # fmt: skip


def _diff_frame(runs: Sequence[RunRecord], fields: Sequence[str]):
    """One row per run: a dot in its colour, its label, then the differing fields' values (URL spelling)."""
    configs = [run.config()[0] for run in runs]
    frame = pd.DataFrame({
        "": ["●"] * len(runs),
        "run": [run.label for run in runs],
        **{name: [effective_value(cfg, name) for cfg in configs] for name in fields},
    })  # fmt: skip
    colours = [f"color: {run_colour(i)}" for i in range(len(runs))]
    return frame.style.apply(lambda _: colours, subset=[""], axis=0)

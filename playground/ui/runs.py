"""The runs table under the live view: compare, restore, reopen, pin, rename, delete and export stored runs.

This browser's runs by default (a toggle lists every run in the store), oldest first so that a new
run appends a row and the rows already selected stay selected. Selecting rows overlays their
curves; with one row selected its setup can be restored into the widgets (and so the URL), its
final state reopened from the stored weights (computed in the server worker, never here), or it
can be pinned as the dashed reference on the live loss chart.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from playground.figures.boundary import boundary_figure
from playground.figures.evaluation import confusion_figure
from playground.figures.compare import curves_figure
from playground.reopen import NoWeights, Reopened, reopen
from playground.runs_table import histories_csv, runs_frame
from playground.store import RunRecord, StoreUnavailable
from playground.ui import model_io, reference, run_store, session, state
from playground.ui.charts import chart
from playground.ui.data_view import scaled_titles
from playground.ui.workers import server_worker
from playground.worker import WorkerClosed, WorkerCrashed, WorkerTimeout

if TYPE_CHECKING:
    from playground.store import RunStore

MAX_ROWS = 200  # the newest runs listed; older ones stay in the store (and on the Compare page)
TABLE = "runs_table"  # widget keys
ALL = "runs_all"
REOPENED = "_reopened_run"  # session_state: the id of the run whose final state is shown


def runs_panel() -> None:
    """The "Runs" section: a table of stored runs, the actions on the selected ones, and their overlay."""
    head, toggle = st.columns([3, 2], vertical_alignment="bottom")
    head.subheader("Runs", anchor=False, help="Every run is saved with its history and final weights. Select rows "
                   "to overlay their curves; select one to restore its setup, reopen it or pin it as the reference.")  # fmt: skip
    store = run_store.get()
    if store is None:
        run_store.notice()
        st.caption("Runs are not being saved, so there is nothing to list; the live chart still shows your "
                   "previous run dashed.")  # fmt: skip
        return
    every = toggle.toggle("All runs in the store", key=ALL, help="Off: the runs made in this browser.")
    try:
        runs = store.list_runs(session=None if every else session.owner(), limit=MAX_ROWS)[::-1]
    except StoreUnavailable as err:
        st.warning(str(err), icon=":material/cloud_off:")
        return
    if not runs:
        st.caption("Your runs appear here once you press Start: compare them, restore one, or reopen it.")
        return
    event = st.dataframe(
        runs_frame(runs), key=TABLE, on_select="rerun", selection_mode="multi-row", hide_index=True,
        height=min(38 + 35 * len(runs), 285), width="stretch",
        column_config={  # narrow headers: the whole row fits a 1280-px projector beside the settings
            "label": st.column_config.TextColumn(width="medium"),
            "val accuracy": st.column_config.NumberColumn("val acc", format="percent"),
            "test accuracy": st.column_config.NumberColumn("test acc", format="percent"),
            "seconds": st.column_config.NumberColumn("time", format="%.1f s", help="Seconds of training"),
        },
    )  # fmt: skip
    selected = [runs[i] for i in event.selection.rows if i < len(runs)]
    actions(store, selected)
    if selected:
        overlay(store, selected)
    reopened_view(store, {r.id: r for r in runs})


def actions(store: RunStore, selected: list[RunRecord]) -> None:
    one = selected[0] if len(selected) == 1 else None
    ref = reference.current()
    with st.container(horizontal=True, gap="small"):
        st.button("Restore", key="run_restore", icon=":material/settings_backup_restore:", disabled=one is None,
                  on_click=_restore, args=(one,), help="Put this run's whole setup back into the settings and the URL")
        if st.button("Reopen", key="run_reopen", icon=":material/open_in_new:", disabled=one is None or not one.has_weights,
                     help="Its final boundary, confusion and scores, from the stored weights (no retraining)"):  # fmt: skip
            st.session_state[REOPENED] = one.id
        if ref is not None and ref.pinned and (one is None or one.id == ref.run_id):
            st.button("Unpin", key="run_unpin", icon=":material/keep_off:", on_click=reference.unpin, help="Go back to comparing with your previous run")
        else:
            st.button("Pin", key="run_pin", icon=":material/keep:", disabled=one is None,
                      on_click=_pin, args=(store, one), help="Pin as the reference: its loss stays dashed on the live chart of every next run")
        with st.popover("Rename", icon=":material/edit:", disabled=one is None):
            rename_form(store, one)
        with st.popover("Delete", icon=":material/delete:", disabled=not selected):
            delete_form(store, selected)
        st.download_button("CSV", data=lambda: _csv(store, selected), file_name="runs.csv", mime="text/csv",
                           key="run_csv", icon=":material/download:", disabled=not selected, on_click="ignore",
                           help="The selected runs' per-epoch histories")  # fmt: skip
        model_io.run_download(store, one)


def rename_form(store: RunStore, run: RunRecord | None) -> None:
    if run is None:
        return
    label = st.text_input("Label", value=run.label, key=f"run_label_{run.id}", max_chars=200)
    if st.button("Save label", key="run_rename_save") and label.strip() and label != run.label:
        store.rename(run.id, label.strip())
        st.rerun()


def delete_form(store: RunStore, runs: list[RunRecord]) -> None:
    if not runs:
        return
    st.write(f"Delete {len(runs)} run{'s' * (len(runs) > 1)} with {'their' if len(runs) > 1 else 'its'} history "
             "and weights? This cannot be undone.")  # fmt: skip
    if st.button("Delete", key="run_delete_confirm", type="primary"):
        store.delete([r.id for r in runs])
        st.session_state.pop(TABLE, None)  # the selection's row numbers would point at other runs now
        if st.session_state.get(REOPENED) in {r.id for r in runs}:
            st.session_state.pop(REOPENED)
        st.rerun()


def overlay(store: RunStore, runs: list[RunRecord]) -> None:
    histories = [store.load_history(r.id) for r in runs]
    left, right = st.columns(2)
    with left:
        chart(curves_figure(runs, histories, "loss", height=300), key="runs_overlay_loss")
    with right:
        chart(curves_figure(runs, histories, "accuracy", height=300), key="runs_overlay_accuracy")


def reopened_view(store: RunStore, listed: dict[str, RunRecord]) -> None:
    run = listed.get(st.session_state.get(REOPENED, ""))
    if run is None:
        return
    with st.container(border=True, key="reopened"):
        head, close = st.columns([5, 1], vertical_alignment="center")
        head.markdown(f"**Reopened:** {run.label} · {run.status} after {run.epochs} epochs")
        close.button("Close", key="run_reopen_close", icon=":material/close:", on_click=st.session_state.pop,
                     args=(REOPENED, None))  # fmt: skip
        try:
            done = _reopen(store.location.url, run.id)
        except (NoWeights, RuntimeError, OSError) as err:  # worker crash/timeout, the store gone, data missing
            st.error(f"Could not reopen this run: {err}", icon=":material/error:")
            return
        names = list(run.class_names)
        one, two, three = st.columns(3)
        one.metric("Test accuracy", f"{done.test.accuracy:.1%}")
        two.metric("Test balanced accuracy", f"{done.test.balanced_accuracy:.1%}")
        three.metric("Validation accuracy", f"{done.val.accuracy:.1%}")
        left, right = st.columns([6, 5])
        with left:
            cfg, _ = run.config()
            grid = done.boundary
            titles = scaled_titles(list(grid.axis_titles), cfg.scaling) if not grid.note else None
            chart(boundary_figure(grid, names, height=400, axis_titles=titles), key="reopened_boundary")
            if grid.note:
                st.caption(grid.note)
        with right:
            chart(confusion_figure(done.test.confusion, names, title="Test confusion"), key="reopened_confusion")


@st.cache_data(max_entries=4, show_spinner="Reopening the run from its stored weights...")
def _reopen(url: str, run_id: str) -> Reopened:
    """Computed in the server worker (torch stays out of this script thread); a failure is not cached."""
    try:
        return server_worker().call(reopen, url, run_id)
    except (WorkerCrashed, WorkerTimeout, WorkerClosed) as err:
        raise RuntimeError(f"{err}; try again") from err


def _restore(run: RunRecord) -> None:
    cfg, warnings = run.config()
    state.restore(cfg)
    st.toast(f"Restored the setup of “{run.label}”." + (" " + " ".join(warnings) if warnings else ""),
             icon=":material/settings_backup_restore:")  # fmt: skip


def _pin(store: RunStore, run: RunRecord) -> None:
    reference.pin(run, store.load_history(run.id))


def _csv(store: RunStore, runs: list[RunRecord]) -> str:
    return histories_csv(runs, [store.load_history(r.id) for r in runs])

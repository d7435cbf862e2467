"""The live view: a fragment that redraws from ``runner.snapshot()`` every half second while a run trains.

It only reads numpy snapshots and builds figures; all torch work stays in the runner's thread.
The buttons and ``run_every`` only change with a full rerun, so when the fragment sees the run's
status change (paused, finished...) or its polling rate due to change, it reruns the whole app.
"""
from __future__ import annotations

import time
from typing import Callable

import streamlit as st

from playground.figures.boundary import boundary_figure
from playground.figures.evaluation import confusion_figure, recall_figure
from playground.figures.training import accuracy_figure, progress_text
from playground.runner_protocol import TrainingRunner
from playground.snapshot import Snapshot
from playground.status import Status
from playground.refresh_budget import LADDER
from playground.ui import mnist_view, presenter, reference, refresh, regression_view, session
from playground.ui.charts import chart
from playground.ui.data_view import scaled_titles
from playground.ui.diagnostics import render_gradient_flow
from playground.ui.network_view import network_view

POLL_SECONDS = LADDER[0]  # while training: charts refresh twice a second, slower when many pages train (refresh.py)
PAUSED_POLL_SECONDS = 2.0  # while paused nothing changes; this only keeps the heartbeat (timeout 30 s) alive
FIRST_FRAME_OF = "_first_frame_of"  # session_state: the run whose first live frame this page has drawn
FAST_UNTIL = "_poll_fast_until"  # session_state: monotonic time; a click (e.g. Step) wants its result promptly
LABELS = {Status.IDLE: "Idle", Status.STARTING: "Starting", Status.RUNNING: "Running", Status.PAUSED: "Paused",
          Status.FINISHED: "Finished", Status.EARLY_STOPPED: "Stopped early", Status.DIVERGED: "Diverged",
          Status.STALLED: "Stalled", Status.STOPPED: "Stopped", Status.FAILED: "Error"}  # fmt: skip
ENDED_NOTICE = {Status.DIVERGED: st.warning, Status.STALLED: st.warning, Status.EARLY_STOPPED: st.info,
                Status.STOPPED: st.info, Status.FINISHED: st.success}  # fmt: skip


def poll_every(snap: Snapshot) -> float | None:
    """Seconds between fragment reruns for this snapshot; None (no polling) once the run has ended.

    A queued Start polls as seldom as a paused run: only its place in line changes, and every rerun costs
    the server's one interpreter ~0.1-0.3 s of CPU, which a class of waiting sessions would otherwise
    take from the sessions that train (bench_sessions.py). A training run redraws at the interval the
    server's redraw budget gives every live page (POLL_SECONDS when few pages train)."""
    if snap.queued is not None:
        return PAUSED_POLL_SECONDS
    if snap.status is Status.PAUSED:
        fast = time.monotonic() <= st.session_state.get(FAST_UNTIL, 0.0)  # a Step's result, promptly
        return POLL_SECONDS if fast else PAUSED_POLL_SECONDS
    return refresh.interval() if snap.active else None


def poll_fast_for(seconds: float) -> None:
    st.session_state[FAST_UNTIL] = time.monotonic() + seconds


def live_view(runner: TrainingRunner, idle_view: Callable[..., None]) -> None:
    snap = runner.snapshot()
    every = poll_every(snap)
    st.fragment(run_every=every)(_draw)(runner, (snap.status, every), idle_view)


def _draw(runner: TrainingRunner, drawn_for: tuple[str, float | None], idle_view: Callable[..., None]) -> None:
    """``drawn_for``: (status, polling interval) the last full run drew the buttons and timer for."""
    began = time.perf_counter()
    runner.heartbeat()
    snap = runner.snapshot()
    if snap.status is Status.IDLE:
        refresh.leave()
        idle_view()
        return
    status_line(snap)
    if snap.queued is not None and not len(snap.history.get("epoch", ())):  # a queued Start: its data, meanwhile
        idle_view(queued=True)
    if len(snap.history.get("epoch", ())):  # charts from the first epoch on
        names = session.class_names(snap.config)
        training_charts(snap, names)
        # A toggle, not an expander: a collapsed expander's charts would still be built and sent
        # twice a second, costing the trainer throughput.
        if st.toggle("Show gradient flow per layer", key="show_gradflow"):
            render_gradient_flow(snap)
        test_results(snap, names)
        mnist_view.mnist_views(snap, names)  # image sets: first-layer weights, test gallery, Draw a digit
    if snap.status is Status.RUNNING and snap.queued is None:
        refresh.record(time.perf_counter() - began)  # what this redraw took the server: the budget's measure
    elif not snap.active:
        refresh.leave()
    if (snap.status, poll_every(snap)) != drawn_for:
        st.rerun()  # e.g. paused, or ended: only a full rerun refreshes the buttons and changes run_every


def status_line(snap: Snapshot) -> None:
    """Progress bar with epoch, elapsed time and throughput; then the run's message and notes."""
    if snap.queued is not None:  # waiting for a free place (playground/admission.py); the position updates
        ahead = "next in line" if snap.queued == 0 else f"{snap.queued} run{'s' * (snap.queued > 1)} ahead"
        st.progress(0.0, text=f"**Queued, {ahead}** · it starts by itself when a place frees up")
        return
    label = LABELS[snap.status]
    text = progress_text(snap.epoch, snap.epochs, snap.wall_seconds, snap.samples_per_second)
    st.progress(min(snap.epoch / max(snap.epochs, 1), 1.0), text=f"**{label}** · {text}")
    if snap.status is Status.FAILED:
        st.error(f"Training failed: {snap.message}", icon=":material/error:")
        with st.expander("Details"):
            st.code(snap.notes[-1] if snap.notes else snap.message)
        return
    if presenter.active():  # a projector keeps the height for the charts:
        if snap.status in (Status.DIVERGED, Status.STALLED):    # only what the class must see is said
            ENDED_NOTICE[snap.status](snap.message)
        return
    if snap.message and snap.status in ENDED_NOTICE:
        ENDED_NOTICE[snap.status](snap.message)
    for note in snap.notes:
        st.caption(note)


def training_charts(snap: Snapshot, names: list[str]) -> None:
    """Boundary beside the loss/accuracy curves; validation confusion beside per-class recall.

    A training run's first frame draws only what a 720-px screen shows first (boundary, loss, accuracy):
    the browser mounts each new chart (the graph with its hundreds of edges the dearest), and the first
    loss point should not wait for charts below the fold, which join half a second later."""
    if snap.config.regression:  # no classes: the prediction surface, loss and MAE instead
        return regression_view.training_charts(snap)
    first_frame = snap.active and st.session_state.get(FIRST_FRAME_OF) != snap.run_id
    st.session_state[FIRST_FRAME_OF] = snap.run_id
    left, right = st.columns([6, 5])
    with left:
        if snap.boundary is not None:
            titles = scaled_titles(list(snap.boundary.axis_titles), snap.config.scaling) if not snap.boundary.note else None
            chart(boundary_figure(snap.boundary, names, height=430, axis_titles=titles), key="boundary_chart")
            if snap.boundary.note:
                st.caption(snap.boundary.note)
    with right:
        reference.loss_chart(snap)
        chart(accuracy_figure(snap.history, height=230), key="accuracy_chart")
    if first_frame:
        return
    if snap.network is not None:  # the network graph and a clicked unit's map, under the boundary
        network_view(snap.network, snap.boundary.points if snap.boundary else None, len(names),
                     interactive=snap.status not in (Status.RUNNING, Status.STARTING))  # fmt: skip
    if snap.val is not None:
        left, right = st.columns(2)
        with left:
            chart(confusion_figure(snap.val.confusion, names, title="Validation confusion"), key="val_confusion_chart")
        with right:
            chart(recall_figure(snap.val.recall, names, snap.val.balanced_accuracy, title="Validation recall per class"),
                  key="val_recall_chart")  # fmt: skip


def test_results(snap: Snapshot, names: list[str]) -> None:
    """Shown once the run has ended: the held-out test set, evaluated a single time."""
    if snap.test is None:
        return
    if snap.config.regression:
        return regression_view.test_results(snap)
    t = snap.test
    st.subheader("Test set", divider="gray", help="Held out from training and validation; evaluated once, at the end.")
    one, two, three = st.columns(3)
    one.metric("Test accuracy", f"{t.accuracy:.1%}")
    two.metric("Test balanced accuracy", f"{t.balanced_accuracy:.1%}", help="Mean recall over the classes.")
    three.metric("Test loss", f"{t.loss:.4f}")
    left, right = st.columns(2)
    with left:
        if snap.test_digits is not None:  # image sets: a click on a cell filters the gallery below
            mnist_view.clickable_confusion(t.confusion, names)
        else:
            chart(confusion_figure(t.confusion, names, title="Test confusion"), key="test_confusion_chart")
    with right:
        chart(recall_figure(t.recall, names, t.balanced_accuracy, title="Test recall per class"), key="test_recall_chart")

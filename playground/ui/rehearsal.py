"""A session's first page ends with a live run's first frame drawn out of sight, from made-up numbers.

A new tab's JavaScript is cold: the first time plotly draws a boundary, a loss and an accuracy
chart, V8 runs those paths unoptimised (and collects more garbage). Drawn once while the student
reads the page, the same charts leave those paths warm: a new session's first Start painted its
first point ~0.15 s sooner (0.58-0.80 s against 0.78-0.82 s, 4 sessions each).

The frame is the live view's own code (``live.training_charts``) on a made-up Snapshot, with its
chart keys prefixed (no clash with the real charts, nor the tests' selectors) and its container
hidden off-screen: it takes no room and is never seen. The next rerun drops it. Only charts: a
progress bar, even hidden, would read as a run to anything that looks for one.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from playground.boundary import MAX_POINTS, resolution_for
from playground.config import RunConfig
from playground.snapshot import BoundaryGrid, PlanePoints, Snapshot
from playground.status import Status
from playground.ui import live
from playground.ui.charts import keys_prefixed

REHEARSED = "_first_frame_rehearsed"  # session_state: this tab has drawn the rehearsal
KEY = "first_frame_rehearsal"
PREFIX = "rehearsal_"  # of the rehearsal's chart keys
# Laid out at a real width (plotly measures its text and margins), but off-screen and invisible.
HIDE = (f"<style>[data-testid='stLayoutWrapper']:has(> .st-key-{KEY}){{position:absolute;left:-10000px;top:0;"
        "width:1200px;visibility:hidden;pointer-events:none}</style>")


def rehearse() -> None:
    """Once per session: draw the first live frame of a made-up run, hidden (see the module's doc)."""
    if st.session_state.get(REHEARSED):
        return
    st.session_state[REHEARSED] = True
    snap = made_up_first_frame()
    with st.container(key=KEY), keys_prefixed(PREFIX):
        st.html(HIDE)
        live.training_charts(snap, [str(c) for c in range(snap.boundary.proba.shape[-1])])


def made_up_first_frame(classes: int = 3, points: int = MAX_POINTS // 3) -> Snapshot:
    """A running spiral run after its first epoch: the shapes the first live frame draws, made-up values."""
    rng = np.random.default_rng(0)
    res = resolution_for(2)
    grid = np.linspace(-1.0, 1.0, res)  # (R,)
    proba = rng.dirichlet(np.ones(classes), size=(res, res)).astype(np.float32)  # (R, R, C)
    train = (rng.uniform(-1, 1, (points, 2)).astype(np.float32), rng.integers(0, classes, points))  # (m, 2), (m,)
    test = (rng.uniform(-1, 1, (points // 4, 2)).astype(np.float32), rng.integers(0, classes, points // 4))
    history = {key: np.array([value]) for key, value in  # (1,) each: the first epoch's
               dict(epoch=1.0, loss=1.1, accuracy=0.4, val_loss=1.1, val_accuracy=0.4, lr=0.01).items()}  # fmt: skip
    cfg = RunConfig()
    return Snapshot(status=Status.RUNNING, run_id="rehearsal", config=cfg, epoch=1, epochs=cfg.epochs,
                    history=history, boundary=BoundaryGrid(grid, grid, proba, PlanePoints(train, test)),
                    wall_seconds=0.1, train_seconds=0.05, n_train=points)  # fmt: skip

"""The run drawn dashed under the live one: this session's previous run, or a run pinned from the table.

    reference.remember(runner.snapshot())   # at Start / Reset: the run about to go becomes the reference
    reference.pin(run, history)             # from the runs table: kept until unpinned
    curves = reference.curves(snap)         # ReferenceCurves for loss_figure, or None

Kept in session_state as plain numpy columns, so it needs no store: a session whose runs are not
saved still compares with its last run.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import streamlit as st

from playground.config import RunConfig
from playground.config_diff import describe, differing_fields
from playground.figures.training import ReferenceCurves, loss_figure
from playground.snapshot import Snapshot
from playground.status import Status
from playground.store import RunHistory, RunRecord
from playground.ui.charts import chart

KEY = "_reference_run"  # session_state: Reference
COLUMNS = ("epoch", "loss", "val_loss")


@dataclass(frozen=True)
class Reference:
    run_id: str
    config: RunConfig
    history: Mapping[str, np.ndarray]  # COLUMNS, (E,) each
    pinned: bool = False
    label: str = ""  # a pinned run's label in the store


def current() -> Reference | None:
    return st.session_state.get(KEY)


def remember(snap: Snapshot) -> None:
    """The run in ``snap`` (about to be replaced by a Start or cleared by a Reset) becomes the reference,
    unless a run is pinned or it has no epoch."""
    ref = current()
    if (ref is not None and ref.pinned) or snap.config is None or not len(snap.history.get("epoch", ())):
        return
    st.session_state[KEY] = Reference(snap.run_id, snap.config, {k: snap.history[k] for k in COLUMNS if k in snap.history})


def pin(run: RunRecord, history: RunHistory) -> None:
    cfg, _ = run.config()
    st.session_state[KEY] = Reference(run.id, cfg, {k: history.arrays[k] for k in COLUMNS}, pinned=True, label=run.label)


def unpin() -> None:
    st.session_state.pop(KEY, None)


def curves(snap: Snapshot) -> ReferenceCurves | None:
    """The reference's curves for the live run in ``snap``, named by what differs ("previous: optimizer=sgd")."""
    ref = current()
    if ref is None or snap.config is None or ref.run_id == snap.run_id:
        return None
    fields = differing_fields([ref.config, snap.config])
    what = describe(ref.config, fields) if fields else "same setup"
    return ReferenceCurves(f"{'pinned' if ref.pinned else 'previous'}: {what}", ref.history)


def loss_chart(snap: Snapshot) -> None:
    """The live run's loss chart (classification and regression alike): its lr changes, the divergence point,
    the restored best epoch, and the reference run dashed under it."""
    diverged_at = snap.epoch if snap.status is Status.DIVERGED else None
    chart(loss_figure(snap.history, snap.lr_changes, height=250, diverged_at=diverged_at,
                      best_epoch=snap.restored_epoch, reference=curves(snap)), key="loss_chart")  # fmt: skip

"""The learning rate the page last sent to a live run, so that no rerun sends (and marks) it twice.

Shared by the Playground's lr slider (pages/playground.py) and the range test's "use this
learning rate" button (ui/diagnostics): both record what they sent, per run id.
"""
from __future__ import annotations

import streamlit as st

from playground.runner_protocol import TrainingRunner

LR_REQUEST = "_lr_request"  # session_state: (run id, the lr last sent to that run)


def send_lr(runner: TrainingRunner, lr: float) -> None:
    """Send ``lr`` to the live run once: not again on a rerun while the run reports an older lr."""
    snap = runner.snapshot()
    if not snap.active or snap.config is None or not snap.run_id:
        return
    current = snap.lr_changes[-1][1] if snap.lr_changes else snap.config.lr
    run_id, sent = st.session_state.get(LR_REQUEST, ("", None))
    if lr != current and not (run_id == snap.run_id and sent == lr):
        runner.set_lr(lr)
    st.session_state[LR_REQUEST] = (snap.run_id, lr)

"""Start / Pause / Resume / Step / Stop / Reset, the live learning rate, and "settings changed" notices."""
from __future__ import annotations

import streamlit as st

from playground.config import DATA_FIELDS, NETWORK_FIELDS, TRAINING_FIELDS, RunConfig
from playground.runner_protocol import TrainingRunner
from playground.status import Status
from playground.ui import reference
from playground.ui.live import poll_fast_for
from playground.ui.session import data_key, start
from playground.ui.setup import Setup


# widget key -> (label, icon), in row order
BUTTONS = {"start": ("Start", ":material/play_arrow:"), "pause": ("Pause", ":material/pause:"),
           "resume": ("Resume", ":material/resume:"), "step": ("Step", ":material/skip_next:"),
           "stop": ("Stop", ":material/stop:"), "reset": ("Reset", ":material/restart_alt:")}  # fmt: skip


def buttons(runner: TrainingRunner, setup: Setup) -> None:
    """One row of buttons, each enabled only when it means something.

    A click acts before the row is drawn (a button's value is in session state from the start of the
    run its click triggered), so the row and the live view below show the run's new state in that
    same run: no second full rerun of the page between the click and the first loss point."""
    clicked = next((key for key in BUTTONS if st.session_state.get(key)), None)
    if clicked is not None:
        act(runner, clicked, setup, runner.snapshot().status)
        poll_fast_for(3.0)  # show the click's effect (a Step's epoch) within half a second
    status = runner.snapshot().status
    idle = status is Status.IDLE
    enabled = {
        "start": setup.startable and not status.active,
        "pause": status in (Status.STARTING, Status.RUNNING),
        "resume": status is Status.PAUSED,
        "step": status is Status.PAUSED or (idle and setup.startable),
        "stop": status.active,
        "reset": not idle,
    }
    with st.container(horizontal=True, gap="small"):  # wraps instead of truncating labels on narrow screens
        for key, (label, icon) in BUTTONS.items():
            st.button(label, key=key, icon=icon, disabled=not enabled[key], width="content",
                      type="primary" if key == "start" else "secondary",
                      help="Train one epoch, then pause" if key == "step" else None)  # fmt: skip


def act(runner: TrainingRunner, key: str, setup: Setup, status: Status) -> None:
    if key in ("start", "reset"):  # the run about to go stays on the loss chart, dashed
        reference.remember(runner.snapshot())
    if key == "start":
        start(runner, setup.cfg, setup.splits)
    elif key == "pause":
        runner.pause()
    elif key == "resume":
        runner.resume()
    elif key == "step":
        if status is Status.IDLE:
            start(runner, setup.cfg, setup.splits, paused=True)
        runner.step(1)
    elif key == "stop":
        runner.stop()
    elif key == "reset":
        runner.reset()


def changed(run_cfg: RunConfig, cfg: RunConfig) -> tuple[list[str], list[str]]:
    """(network/data fields, other training fields) the user changed since the run started; lr applies live.

    A data field counts when its value differs and the new dataset uses it (switching spiral to
    circles changes "dataset", not "classes", whose value is the same and which circles ignores).
    """
    used = {name for name, _ in data_key(cfg)}
    data = [name for name in DATA_FIELDS if name in used and getattr(run_cfg, name) != getattr(cfg, name)]
    network = [name for name in NETWORK_FIELDS if getattr(run_cfg, name) != getattr(cfg, name)]
    training = [name for name in TRAINING_FIELDS if name != "lr" and getattr(run_cfg, name) != getattr(cfg, name)]
    return data + network, training


def change_notice(runner: TrainingRunner, cfg: RunConfig | None) -> None:
    """Never restart silently: say what the current run does not use yet."""
    snap = runner.snapshot()
    if snap.status is Status.IDLE or snap.config is None or cfg is None:
        return
    structural, training = changed(snap.config, cfg)
    if structural:
        st.warning(f"The network/data changed ({', '.join(structural)}) — Reset to apply.", icon=":material/sync_problem:")
    if training:
        st.info(f"Changed since this run started: {', '.join(training)}. These apply to the next run; "
                "the learning rate is the only setting that changes live.")  # fmt: skip

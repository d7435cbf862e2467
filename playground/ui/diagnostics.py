"""Diagnostics panels: gradient flow (live), the learning-rate range test, the vanishing-gradient presets,
and the job panels the Loss landscape page is made of.

Nothing here runs torch: range tests and landscape grids are Runner jobs, and these panels only
submit them and draw ``snapshot.jobs[name]`` (progress, then the result). A panel whose job is
running polls itself every JOB_POLL_SECONDS and reruns the app once the job ends (polling off).
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from playground.config import LayerSpec, RunConfig
from playground.figures.gradflow import gradflow_figure, gradflow_history_figure, vanishing_ratio
from playground.figures.lr_finder import lr_finder_figure
from playground.lr_finder import lr_range_job
from playground.runner import Runner, Snapshot
from playground.ui import layers as layer_ui
from playground.ui import state
from playground.ui.charts import chart

JOB_POLL_SECONDS = 1.0  # a progress bar needs no more; every rerun costs the trainer (shared GIL, browser redraws)
HEARTBEAT_POLL_SECONDS = 2.0  # keeps a run alive from another page (session.HEARTBEAT_TIMEOUT is 30 s)
LR_JOB = "lr_find"  # Runner job name and button key
VANISHING = 1e-3  # first/last layer gradient ratio below which the panel says "vanishing"
PRESET_UNITS = 32
PRESETS: dict[str, tuple[LayerSpec, ...]] = {
    "8× sigmoid": (LayerSpec(PRESET_UNITS, "sigmoid"),) * 8,
    "8× relu": (LayerSpec(PRESET_UNITS, "relu"),) * 8,
    "8× sigmoid + batchnorm": (LayerSpec(PRESET_UNITS, "sigmoid", 0.0, True),) * 8,
}
PRESET_KEYS = {"8× sigmoid": "preset_sigmoid", "8× relu": "preset_relu", "8× sigmoid + batchnorm": "preset_sigmoid_bn"}


# ---------------------------------------------------------------- jobs


def job_state(runner: Runner, name: str) -> dict | None:
    """``{"status": running | done | error, "progress", "result", "message"}`` or None (never submitted this run)."""
    return runner.snapshot().jobs.get(name)


def _running(runner: Runner, name: str) -> bool:
    job = job_state(runner, name)
    return job is not None and job.get("status") == "running"


def job_panel(runner: Runner, name: str, draw_result: Callable[[dict], None], busy_text: str) -> None:
    """Progress while job ``name`` runs, its error, or ``draw_result(result)`` once done."""
    running = _running(runner, name)
    st.fragment(run_every=JOB_POLL_SECONDS if running else None, key=f"job_{name}")(_job_body)(
        runner, name, running, draw_result, busy_text
    )


def _job_body(runner: Runner, name: str, polling: bool, draw_result: Callable[[dict], None], busy_text: str) -> None:
    runner.heartbeat()
    job = job_state(runner, name)
    if job is None:
        return
    if job["status"] == "running":
        st.progress(float(job.get("progress", 0.0)), text=f"{busy_text} {job.get('progress', 0.0):.0%}")
    elif job["status"] == "error":
        st.error(job.get("message") or "the job failed", icon=":material/error:")
    elif job.get("result") is not None:
        draw_result(job["result"])
    if polling and job["status"] != "running":
        st.rerun()  # the job just ended: a full rerun turns polling off


def run_heartbeat(runner: Runner, draw: Callable[[Snapshot], None]) -> None:
    """``draw(snapshot)`` and keep the run alive (its heartbeat) while it is active: for pages other than the Playground."""
    active = runner.snapshot().active
    st.fragment(run_every=HEARTBEAT_POLL_SECONDS if active else None, key="run_heartbeat")(_heartbeat_body)(runner, draw, active)


def _heartbeat_body(runner: Runner, draw: Callable[[Snapshot], None], polling: bool) -> None:
    runner.heartbeat()
    snap = runner.snapshot()
    draw(snap)
    if polling and not snap.active:
        st.rerun()


# ---------------------------------------------------------------- gradient flow


def render_gradient_flow(snapshot: Snapshot) -> None:
    """Live per-layer gradient flow from ``snapshot.extras["gradflow"]``; call it where the snapshot is redrawn."""
    stats = snapshot.extras.get("gradflow")
    if not stats:
        st.caption("Gradient flow appears after the first epoch.")
        return
    ratio = vanishing_ratio(stats)
    verdict = (
        f":red[**vanishing gradients**: the first layer gets {ratio:.0e} of the output layer's gradient]"
        if ratio < VANISHING
        else f"first/output layer gradient ratio {ratio:.2g}"
    )
    st.markdown(f"**Gradient flow** (epoch {stats['epoch']}, probe of {len(stats['layers'])} layers) · {verdict}")
    chart(gradflow_figure(stats), key="gradflow_chart")
    chart(gradflow_history_figure(stats), key="gradflow_history_chart")
    st.caption(
        "On a fixed probe batch of 256 training rows, without an optimizer step. Update/weight is "
        "‖W_now − W_before‖ / ‖W_before‖ per step (dashed: 1e-3, a common rule of thumb). Dead: ReLU-family "
        "units whose input is ≤ 0 on every probe row. Saturated: sigmoid outside [0.03, 0.97], |tanh| > 0.97."
    )


def _apply_preset(specs: tuple[LayerSpec, ...]) -> None:
    """on_click: write the layers where the layer editor reads them (see playground/ui/layers.py)."""
    state.values()["layers"] = specs
    st.session_state.pop(layer_ui.BASE, None)  # as the depth stepper does: the editor restarts from the stack
    st.session_state.pop(layer_ui.EDITOR, None)


def render_vanishing_presets() -> None:
    """Three one-click networks that show (or cure) vanishing gradients; Reset/Start to train them."""
    st.markdown("**Vanishing gradients** · 8 hidden layers of 32 units:")
    for column, (label, specs) in zip(st.columns(len(PRESETS)), PRESETS.items()):
        column.button(label, key=PRESET_KEYS[label], on_click=_apply_preset, args=(specs,), width="stretch")
    st.caption("Sigmoid's slope is at most 1/4, so the gradient shrinks layer by layer on its way back; "
               "ReLU passes it through, and BatchNorm keeps each layer's input in sigmoid's steep middle.")  # fmt: skip


# ---------------------------------------------------------------- learning-rate range test


def _lr_params(cfg: RunConfig | None) -> dict:
    """The optimizer the page is set to now (it may differ from the run's); None keeps the run's."""
    if cfg is None:
        return {}
    knobs = {"weight_decay": cfg.weight_decay, "momentum": cfg.momentum, "beta1": cfg.beta1, "beta2": cfg.beta2,
             "rho": cfg.rho}  # fmt: skip
    return {"optimizer": cfg.optimizer, "knobs": knobs, "batch_size": cfg.batch_size}


def render_lr_finder(runner: Runner, cfg: RunConfig | None) -> None:
    """Button, progress, plot, suggestion and "use this learning rate". Call it outside the live fragment."""
    snap = runner.snapshot()
    no_model = snap.status in ("idle", "error")  # "starting" stays enabled: this panel may not redraw until the run ends
    st.markdown("**Learning-rate range test** · on a copy of the current model: the live weights are not touched.")
    if st.button("Find a learning rate", key=LR_JOB, icon=":material/query_stats:", disabled=no_model or _running(runner, LR_JOB)):
        if not runner.submit(LR_JOB, lr_range_job(**_lr_params(cfg))):
            st.warning("The model is not built yet: try again in a moment, or press Start or Step first.")
    if no_model:
        st.caption("The test needs a model and its training data: press **Start** or **Step** first.")
    current = cfg.lr if cfg is not None else (snap.config.lr if snap.config else None)
    job_panel(runner, LR_JOB, lambda result: _lr_result(runner, result, current), "Range test:")


def _lr_result(runner: Runner, result: dict, current: float | None) -> None:
    chart(lr_finder_figure(result, current_lr=current), key="lr_finder_chart")
    st.caption(f"{len(result['lrs'])} mini-batches, lr from {result['start_lr']:g} to {result['end_lr']:g}; {result['message']}.")
    lr = result["suggested_lr"]
    if lr is None:
        st.warning("The loss did not fall anywhere in the range, so there is no steepest descent to suggest: the "
                   "model may already be trained, or its gradients vanish (try relu or batchnorm).")  # fmt: skip
        return
    lr = float(f"{lr:.2g}")
    st.markdown(f"Suggested learning rate: **{lr:g}** (steepest descent of the smoothed loss)")
    if st.button(f"Use {lr:g} as the learning rate", key="lr_find_use", on_click=_use_lr, args=(runner, lr)):
        st.rerun()  # redraw the whole page so the lr slider shows it


def _use_lr(runner: Runner, lr: float) -> None:
    """on_click: the lr widget's value (and the stored config value), and the live run's lr."""
    from playground.ui.run_controls import LR_REQUEST  # what the Playground already sent to the run

    if state.ready():
        state.values()["lr"] = lr
    st.session_state["lr"] = lr
    snap = runner.snapshot()
    if snap.active:
        runner.set_lr(lr)
        st.session_state[LR_REQUEST] = (snap.run_id, lr)  # so the page's sync_lr does not send it twice


def submit_button(runner: Runner, name: str, label: str, make_job: Callable[[], Callable], check: Callable[[], None] = lambda: None,
                  **button) -> None:  # fmt: skip
    """A button that submits ``make_job()`` as job ``name``; ``check()`` may raise ValueError with the message to show."""
    if not st.button(label, key=name, disabled=_running(runner, name), **button):
        return
    try:
        check()
    except ValueError as err:
        st.error(f"Refused: {err}", icon=":material/block:")
        return
    if not runner.submit(name, make_job()):
        st.warning("There is no model yet: train one on the Playground page first.")

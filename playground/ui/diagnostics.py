"""Diagnostics panels of the Playground page: gradient flow (live), the vanishing-gradient presets, and
the learning-rate range test.

Nothing here runs torch: the range test is a Runner job; this module submits it and draws its
JobState through the generic panels of playground/ui/jobs.py.
"""
from __future__ import annotations

import streamlit as st

from playground.config import LayerSpec, RunConfig
from playground.figures.gradflow import gradflow_figure, gradflow_history_figure
from playground.figures.lr_finder import lr_finder_figure
from playground.lr_finder import LRFinderResult, lr_range_job
from playground.runner_protocol import TrainingRunner
from playground.snapshot import Snapshot
from playground.ui import layers as layer_ui
from playground.ui import state
from playground.ui.charts import chart
from playground.ui.jobs import job_panel, running
from playground.ui.lr_sync import send_lr

LR_JOB = "lr_find"  # Runner job name and button key
LR_FROM_CURRENT = "lr_find_from_current"  # checkbox key: test the current weights instead of the initial ones
VANISHING = 1e-3  # first/last layer gradient ratio below which the panel says "vanishing"
PRESET_UNITS = 32
PRESETS: dict[str, tuple[LayerSpec, ...]] = {
    "8× sigmoid": (LayerSpec(PRESET_UNITS, "sigmoid"),) * 8,
    "8× relu": (LayerSpec(PRESET_UNITS, "relu"),) * 8,
    "8× sigmoid + batchnorm": (LayerSpec(PRESET_UNITS, "sigmoid", 0.0, True),) * 8,
}
PRESET_KEYS = {"8× sigmoid": "preset_sigmoid", "8× relu": "preset_relu", "8× sigmoid + batchnorm": "preset_sigmoid_bn"}


# ---------------------------------------------------------------- gradient flow


def render_gradient_flow(snapshot: Snapshot) -> None:
    """Live per-layer gradient flow from ``snapshot.extras.gradflow``; call it where the snapshot is redrawn."""
    stats = snapshot.extras.gradflow
    if stats is None:
        st.caption("Gradient flow appears after the first epoch.")
        return
    ratio = stats.vanishing_ratio
    verdict = (
        f":red[**vanishing gradients**: the first layer gets {ratio:.0e} of the output layer's gradient]"
        if ratio < VANISHING
        else f"first/output layer gradient ratio {ratio:.2g}"
    )
    st.markdown(f"**Gradient flow** (epoch {stats.epoch}, probe of {len(stats.layers)} layers) · {verdict}")
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
    with st.container(horizontal=True, gap="small"):  # buttons sized to their labels wrap, never truncate
        for label, specs in PRESETS.items():
            st.button(label, key=PRESET_KEYS[label], on_click=_apply_preset, args=(specs,), width="content")
    st.caption("Sigmoid's slope is at most 1/4, so the gradient shrinks layer by layer on its way back; "
               "ReLU passes it through, and BatchNorm keeps each layer's input in sigmoid's steep middle.")  # fmt: skip


# ---------------------------------------------------------------- learning-rate range test


def _lr_params(cfg: RunConfig | None, from_current: bool) -> dict:
    """The optimizer the page is set to now (it may differ from the run's); None keeps the run's."""
    params = {"initial": not from_current}
    if cfg is not None:
        params.update(optimizer=cfg.optimizer, knobs=cfg.optimizer_kwargs(), batch_size=cfg.batch_size)
    return params


def render_lr_finder(runner: TrainingRunner, cfg: RunConfig | None) -> None:
    """Button, progress, plot, suggestion and "use this learning rate". Call it outside the live fragment."""
    snap = runner.snapshot()
    no_model = not snap.has_model
    st.markdown("**Learning-rate range test** · on a copy of the model: the live weights are not touched.")
    from_current = st.checkbox(
        "Start from the current weights", key=LR_FROM_CURRENT,
        help="Off: the test starts from this setup's initial weights, which is what it is for. On: from the run's "
             "weights now (a run that diverged or stalled has damaged them, and the suggestion with them).",
    )  # fmt: skip
    if st.button("Find a learning rate", key=LR_JOB, icon=":material/query_stats:", disabled=no_model or running(runner, LR_JOB)):
        if not runner.submit(LR_JOB, lr_range_job(**_lr_params(cfg, from_current))):
            st.warning("The model is not built yet: try again in a moment, or press Start or Step first.")
    if no_model:
        st.caption("The test needs a model and its training data: press **Start** or **Step** first.")
    current = cfg.lr if cfg is not None else (snap.config.lr if snap.config else None)
    job_panel(runner, LR_JOB, lambda result: _lr_result(runner, result, current), "Range test:")


def _lr_result(runner: TrainingRunner, result: LRFinderResult, current: float | None) -> None:
    chart(lr_finder_figure(result, current_lr=current), key="lr_finder_chart")
    start = "this setup's initial weights" if result.from_initial else f"the run's weights at epoch {result.epoch}"
    st.caption(f"{len(result.lrs)} mini-batches from {start}, lr from {result.start_lr:g} to {result.end_lr:g}; "
               f"{result.message}.")  # fmt: skip
    lr = result.suggested_lr
    if lr is None:
        st.warning("The loss did not fall anywhere in the range, so there is no steepest descent to suggest: the "
                   "model may already be trained, or its gradients vanish (try relu or batchnorm).")  # fmt: skip
        return
    lr = float(f"{lr:.2g}")
    st.markdown(f"Suggested learning rate: **{lr:g}**, where the smoothed loss falls steepest (the red dot)")
    if st.button(f"Use {lr:g} as the learning rate", key="lr_find_use", on_click=_use_lr, args=(runner, lr)):
        st.rerun()  # redraw the whole page so the lr slider shows it


def _use_lr(runner: TrainingRunner, lr: float) -> None:
    """on_click: the lr widget's value (and the stored config value), and the live run's lr (sent once)."""
    if state.ready():
        state.values()["lr"] = lr
    st.session_state["lr"] = lr
    send_lr(runner, lr)

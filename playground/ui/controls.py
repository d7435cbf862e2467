"""Settings widgets, one function per tab. Every widget's key is its RunConfig field; options come from the registries.

Values land in ``state.values()``; the page turns them into a RunConfig afterwards.
"""
from __future__ import annotations

import streamlit as st

from playground.config import BINARY_LOSSES, DEVICES, MAX_EPOCHS, MAX_SEED, PIMA_MISSING, SCALINGS, TARGET_SCALINGS
from playground.names import REGRESSION_LOSS_NAMES, REGRESSION_ONLY
from playground.datasets import DATASETS
from playground.names import INIT_NAMES
from playground.optim import OPTIMIZERS
from playground.ui import presenter
from playground.ui.state import field, seed, values

# Log-spaced choices, tensorflow/playground style; a value from a URL is added to its list.
LR_STEPS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
NOISE_STEPS = tuple(round(0.05 * i, 2) for i in range(21)) + (1.5, 2.0, 3.0, 5.0)
SPLIT_STEPS = tuple(round(0.05 * i, 2) for i in range(1, 10))
KNOBS = {"momentum": ("Momentum", 0.01), "beta1": ("β1", 0.01), "beta2": ("β2", 0.001), "rho": ("ρ (decay)", 0.01)}
BINARY_LABELS = {"bce": "1 sigmoid output (BCE)", "softmax": "2-way softmax"}
LOSS_LABELS = {"mse": "MSE", "mae": "MAE", "huber": "Huber"}
TASK_LABELS = {"auto": "quality classes", "regression": "quality as a number (regression)"}


def _with(steps: tuple, value) -> list:
    """``steps`` plus ``value`` (e.g. lr=0.05 from a link), sorted, so the slider can show it."""
    return sorted(set(steps) | {value})


def _percent(v: float) -> str:
    return f"{v:.0%}" if round(v * 100) == v * 100 else f"{v:.1%}"


def data_controls() -> str:
    """Dataset picker, then only the fields that dataset ``uses``, then split/scaling/seed. Returns the dataset."""
    name = field(st.selectbox, "Dataset", "dataset", options=list(DATASETS), format_func=lambda k: DATASETS[k].title)
    uses = DATASETS[name].uses
    if "task" in uses:  # wine quality: its classes (auto, the dataset's own task) or its score as a number
        if values()["task"] == "classification":
            values()["task"] = "auto"  # the same run for this dataset; one option per choice
        field(st.radio, "Predict", "task", options=("auto", "regression"), horizontal=True, format_func=TASK_LABELS.get)
    else:  # the other sets have one task: a regression choice left from wine quality must not invalidate them
        values()["task"] = "auto"
    if "target_scaling" in uses and regression():
        field(st.radio, "Target scaling", "target_scaling", options=TARGET_SCALINGS, horizontal=True)
    if "n_samples" in uses:  # a regression plane has no classes: 2 x n_samples points, as circles and xor
        field(st.number_input, "Points per class" if not regression() else "Points ÷ 2", "n_samples", min_value=10, max_value=50_000, step=50)
    if "classes" in uses:
        field(st.slider, "Classes", "classes", min_value=2, max_value=10)
    if "noise" in uses:
        field(st.select_slider, "Noise", "noise", options=_with(NOISE_STEPS, values()["noise"]))
    if "pima_missing" in uses:
        field(st.radio, "Zeros that mean 'not measured'", "pima_missing", options=PIMA_MISSING, horizontal=True,
              format_func=lambda m: m.replace("_", " "))  # fmt: skip
    left, right = st.columns(2)
    with left:
        field(st.select_slider, "Validation split", "val_split", options=_with(SPLIT_STEPS, values()["val_split"]),
              format_func=_percent)  # fmt: skip
    with right:
        field(st.select_slider, "Test split", "test_split", options=_with(SPLIT_STEPS, values()["test_split"]),
              format_func=_percent)  # fmt: skip
    left, right = st.columns(2)
    with left:
        field(st.selectbox, "Scaling", "scaling", options=SCALINGS)
    with right:
        field(st.number_input, "Seed", "seed", min_value=0, max_value=MAX_SEED, step=1)
    return name


def regression() -> bool:
    """The current values' task (RunConfig.regression), before they make a config."""
    v = values()
    return v["task"] == "regression" or (v["task"] == "auto" and v["dataset"] in REGRESSION_ONLY)


def network_controls(n_classes: int | None) -> None:
    """Weight init, and the output head for binary tasks (the layer table is drawn by ui.layers)."""
    field(st.selectbox, "Weight init", "init", options=list(INIT_NAMES))
    if n_classes == 2:
        field(st.radio, "Binary output", "binary_loss", options=BINARY_LOSSES, horizontal=True,
              format_func=BINARY_LABELS.get)  # fmt: skip


def optimizer_controls() -> None:
    """Optimizer, its own knobs only, and the learning rate on a log scale (changes apply live)."""
    name = field(st.selectbox, "Optimizer", "optimizer", options=list(OPTIMIZERS))
    st.caption(OPTIMIZERS[name].summary)
    knobs = OPTIMIZERS[name].knobs
    for column, knob in zip(st.columns(len(knobs)) if knobs else [], knobs):
        label, step = KNOBS[knob]
        with column:
            field(st.number_input, label, knob, min_value=0.0, max_value=0.9999, step=step, format="%.4g")
    field(st.select_slider, "Learning rate", "lr", options=_with(LR_STEPS, values()["lr"]), format_func=lambda v: f"{v:g}",
          help="Step size, on a log scale. Changing it during a run takes effect at the next epoch.")  # fmt: skip


def schedule_controls() -> None:
    """Batch size, epochs, penalties, early stopping and how often to validate."""
    left, right = st.columns(2)
    with left:
        field(st.number_input, "Batch size (0 = full batch)", "batch_size", min_value=0, step=16)
        field(st.number_input, "Weight decay (L2)", "weight_decay", min_value=0.0, step=1e-4, format="%g")
        field(st.number_input, "Early-stop patience (0 = off)", "patience", min_value=0, step=5)
    with right:
        field(st.number_input, "Epochs", "epochs", min_value=1, max_value=MAX_EPOCHS, step=10)
        field(st.number_input, "L1 penalty", "l1", min_value=0.0, step=1e-5, format="%g")
        field(st.number_input, "Min improvement", "min_delta", min_value=0.0, step=1e-3, format="%g",
              disabled=values()["patience"] == 0)  # fmt: skip
    field(st.checkbox, "Restore the best weights when stopping early", "restore_best", disabled=values()["patience"] == 0)
    left, _ = st.columns(2)
    with left:
        field(st.number_input, "Validate every N epochs (0 = auto)", "val_every", min_value=0, step=1,
              help="Validation (curves, confusion, early stopping) runs on the first epoch, every N-th and the "
                   "last. Auto validates every epoch when that is cheap next to a training epoch, and less often "
                   "when it is not (full batch, big validation sets): about 2% of the training time. A pause or "
                   "a Step always shows a fresh validation.")  # fmt: skip


def class_weight_controls(class_names: list[str] | None) -> None:
    """none | balanced | custom; custom shows a text box "1,2.5" (kept while hidden, so nothing typed is lost)."""
    if presenter.is_hidden("class_weights"):
        return
    current = values()["class_weights"]
    seed("class_weights_mode", current if current in ("none", "balanced") else "custom")
    mode = st.radio("Class weights", ("none", "balanced", "custom"), key="class_weights_mode", horizontal=True,
                    help="Weights in the loss: 'balanced' uses n / (classes x count) from the training split.")  # fmt: skip
    if mode != "custom":
        values()["class_weights"] = mode
        return
    n = len(class_names) if class_names else 2
    typed = st.session_state.setdefault("_custom_weights", current if current not in ("none", "balanced") else ",".join("1" * n))
    seed("class_weights", typed)
    text = st.text_input("Weights, one per class, comma-separated", key="class_weights",
                         help="e.g. 1,2.5 gives the second class 2.5 times the weight of the first.")  # fmt: skip
    st.session_state["_custom_weights"] = text
    values()["class_weights"] = text.strip()
    if class_names:
        st.caption("Order: " + ", ".join(class_names))


def training_controls(class_names: list[str] | None) -> None:
    if regression():  # the loss of the one linear output; class weights mean nothing without classes
        field(st.radio, "Loss", "loss", options=REGRESSION_LOSS_NAMES, horizontal=True, format_func=LOSS_LABELS.get)
    optimizer_controls()
    schedule_controls()
    if not regression():
        class_weight_controls(class_names)
    field(st.selectbox, "Device", "device", options=list(DEVICES))

"""The hidden-layer editor: one table row per layer (units, activation, dropout, BatchNorm), plus a depth stepper.

``st.data_editor`` stores edits relative to the frame it was given, so that frame (the "base")
must stay the same between runs: it is rebuilt only when the depth stepper changes or when the
editor's state is gone (first run, page switch).
"""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from playground.architecture import layer_table
from playground.config import DEFAULT, MAX_LAYERS, MAX_UNITS, ConfigError, LayerSpec
from playground.names import ACTIVATION_NAMES
from playground.ui import presenter, state

DEFAULT_LAYERS = DEFAULT.layers
EDITOR = "layers"  # widget key == RunConfig field
DEPTH = "n_layers"  # the +/- stepper
BASE = "_layers_base"  # session_state: the frame the editor edits
COLUMNS = {  # pixel widths: all five fit the settings column at 1280 px without scrolling
    "units": st.column_config.NumberColumn("units", min_value=1, max_value=MAX_UNITS, step=1, default=16, required=True,
                                           width=54),
    "activation": st.column_config.SelectboxColumn("activation", options=list(ACTIVATION_NAMES), default="relu", required=True,
                                                   width=88),
    "dropout": st.column_config.NumberColumn("drop", min_value=0.0, max_value=0.95, step=0.05, default=0.0, format="%.2f",
                                             width=56, help="Dropout probability after the activation"),
    "batchnorm": st.column_config.CheckboxColumn("BN", default=False, width=44, help="BatchNorm after the Linear layer"),
    "frozen": st.column_config.CheckboxColumn("frozen", default=False, width=62,
                                              help="Keep this layer's weights as they are (trained by nobody): "
                                                   "as initialised, or as loaded from a model file"),
}


def to_frame(layers: tuple[LayerSpec, ...]) -> pd.DataFrame:
    rows = [(s.units, s.activation, s.dropout, s.batchnorm, s.frozen) for s in layers]
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype({"units": "int64", "dropout": "float64", "batchnorm": "bool",
                                                             "frozen": "bool"})


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def to_layers(frame: pd.DataFrame) -> tuple[LayerSpec, ...]:
    """Rows -> LayerSpecs; an emptied cell raises ConfigError naming the layer (limits are RunConfig's job)."""
    specs = []
    for i, row in enumerate(frame.itertuples(index=False), 1):
        if _blank(row.units) or _blank(row.activation):
            raise ConfigError(f"hidden layer {i} has an empty units or activation cell; fill it in or delete the row")
        dropout = 0.0 if _blank(row.dropout) else float(row.dropout)
        specs.append(LayerSpec(int(row.units), str(row.activation), dropout, bool(row.batchnorm is True),
                               bool(row.frozen is True)))
    return tuple(specs)


def _resize() -> None:
    """Depth stepper callback: cut or extend the stack (a new layer copies the last one)."""
    layers = state.values()["layers"]
    if isinstance(layers, ConfigError):
        layers = ()
    n = st.session_state[DEPTH]
    extra = layers[-1:] or DEFAULT_LAYERS[-1:]  # from no hidden layer: the default one (100 ReLU units)
    state.values()["layers"] = tuple(layers[:n]) + extra * max(0, n - len(layers))
    st.session_state.pop(BASE, None)  # the editor restarts from the new stack
    st.session_state.pop(EDITOR, None)


def layer_editor() -> tuple[LayerSpec, ...] | ConfigError:
    """Draw the editor and depth stepper; stores and returns the layers (or the ConfigError to show).
    Hidden by the URL (presenter ``hide=layers``): draws nothing and returns the stored layers."""
    if presenter.is_hidden(EDITOR):
        return state.values()["layers"]
    if EDITOR not in st.session_state or BASE not in st.session_state:
        stored = state.values()["layers"]
        st.session_state[BASE] = to_frame(stored if isinstance(stored, tuple) else ())
    frame = st.data_editor(
        st.session_state[BASE], key=EDITOR, num_rows="dynamic", column_config=COLUMNS, width="stretch",
        hide_index=True,
    )  # fmt: skip
    try:
        layers = to_layers(frame)
    except ConfigError as err:
        layers = err
    state.values()["layers"] = layers
    st.session_state[DEPTH] = min(len(frame), MAX_LAYERS)  # before the stepper exists: allowed, and keeps it in step with the table
    st.number_input(
        "Hidden layers", min_value=0, max_value=MAX_LAYERS, step=1, key=DEPTH, on_change=_resize,
        help="+ adds a copy of the last layer, − removes the last one. Edit cells in the table; "
             "rows can also be added (bottom) or deleted (select, then the bin icon).",
    )  # fmt: skip
    return layers


def layer_summary(layers, n_features: int, n_classes: int, binary_loss: str) -> None:
    """The network as a table (input, hidden..., output) with parameter counts; computed without torch."""
    n_out = DEFAULT.replace(binary_loss=binary_loss).n_outputs(n_classes) or 1  # regression: no classes, one output
    rows = layer_table(n_features, layers, n_out)
    total = sum(r["params"] for r in rows)
    frozen = sum(r["params"] for r in rows if r["frozen"])
    counts = f"**{total - frozen:,} trainable** · {frozen:,} frozen parameters" if frozen else f"**{total:,} trainable parameters**"
    st.markdown(f"{counts} · {n_features} inputs → {n_out} output{'s' if n_out > 1 else ''}")
    frame = pd.DataFrame(rows)[["layer", "units", "activation", "dropout", "batchnorm", "frozen", "params"]]
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={"layer": st.column_config.TextColumn(width=64),  # pixel widths: all seven fit at 1280 px
                                "units": st.column_config.NumberColumn(width=46),
                                "activation": st.column_config.TextColumn(width=68),
                                "dropout": st.column_config.NumberColumn("drop", width=40),
                                "batchnorm": st.column_config.CheckboxColumn("BN", width=34),
                                "frozen": st.column_config.CheckboxColumn("frozen", width=50),
                                "params": st.column_config.NumberColumn("params", format="localized", width=60)})  # fmt: skip

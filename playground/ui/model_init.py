"""A model file loaded on the Playground page: the next Start (or Step) begins from its weights.

The file stays loaded until Forget; while it is, a network that does not fit it (other units,
BatchNorm, a dataset with other features or classes) is a setup problem naming the mismatch, so Start
stays disabled instead of failing in the training process. Checked without torch (``expected_shapes``).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import streamlit as st

from playground.config import RunConfig
from playground.datasets import Splits
from playground.model_file import BadModelFile, ModelFile, check_fits, expected_shapes, with_init

LOADED = "_model_file_loaded"  # session_state: the Loaded file the next Start begins from


@dataclass(frozen=True)
class Loaded:
    name: str  # the uploaded file's name
    data: bytes  # its bytes: sent to the training process, which reads them again
    mf: ModelFile


def loaded() -> Loaded | None:
    return st.session_state.get(LOADED)


def load(file: Loaded) -> None:
    st.session_state[LOADED] = file


def forget() -> None:
    st.session_state.pop(LOADED, None)


def problem(cfg: RunConfig | None, splits: Splits | None) -> str | None:
    """Why the loaded file's weights cannot start ``cfg`` on ``splits`` (None when they can, or no file is loaded)."""
    file = loaded()
    if file is None or cfg is None or splits is None:
        return None
    n_out = cfg.n_outputs(splits.n_classes)
    try:
        check_fits(file.mf, expected_shapes(splits.n_features, cfg.layers, n_out), cfg, splits.n_features, splits.n_classes)
    except BadModelFile as err:
        return f"{err}. The loaded model file {file.name} needs its own network shape: change the settings back, or Forget it."
    return None


def extra_callbacks(record):
    """The Start's ``extra_callbacks``: ``record`` alone, or the loaded file's weights first and then ``record``."""
    file = loaded()
    return record if file is None else functools.partial(with_init, record, file.data)

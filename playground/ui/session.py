"""Long-lived objects of one browser session: its runner, and the loaded data (cached).

The runner lives in a session-scoped resource cache: Streamlit calls ``on_release`` when the
session ends (tab closed, reload, websocket lost), which ends the training process. The
heartbeat timeout is the safety net for anything that slips past that.

Backends (``PLAYGROUND_RUNNER``): ``process`` (default) trains in a spawned process with one
torch thread, so the server's chart reruns and the browser do not stall it (see
playground/process_runner.py); ``thread`` trains in a thread of the server process.
"""
from __future__ import annotations

import os

import streamlit as st

from playground.config import RunConfig
from playground.datasets import DATASETS, DatasetUnavailable, Splits, prepare
from playground.process_runner import ProcessRunner
from playground.runner import Runner
from playground.runner_protocol import TrainingRunner

HEARTBEAT_TIMEOUT = 30.0  # seconds without a page poll before the run stops itself
BACKEND_ENV = "PLAYGROUND_RUNNER"  # process | thread
SPLIT_FIELDS = ("val_split", "test_split", "seed", "scaling")  # change every dataset's splits
FAILED = "_data_failures"  # session_state: dataset name -> DatasetUnavailable message


@st.cache_resource(scope="session", on_release=lambda runner: runner.close(), show_spinner=False)
def get_runner() -> TrainingRunner:
    backend = os.environ.get(BACKEND_ENV, "process")
    if backend == "thread":
        return Runner(heartbeat_timeout=HEARTBEAT_TIMEOUT, threads=1)  # one torch thread: see IntraOpThreads
    if backend != "process":
        raise ValueError(f"{BACKEND_ENV} == {backend!r}, must be 'process' or 'thread'")
    return ProcessRunner(heartbeat_timeout=HEARTBEAT_TIMEOUT, threads=1)


def start(runner: TrainingRunner, cfg: RunConfig, splits: Splits, paused: bool = False) -> None:
    runner.start(cfg, splits, paused=paused)


def data_key(cfg: RunConfig) -> tuple:
    """The config fields that change the data: the dataset, the fields it ``uses``, and the split fields."""
    fields = ("dataset", *DATASETS[cfg.dataset].uses, *SPLIT_FIELDS)
    return tuple((name, getattr(cfg, name)) for name in fields)


@st.cache_data(max_entries=8, show_spinner="Loading the data...")
def _splits(key: tuple) -> Splits:
    return prepare(RunConfig().replace(**dict(key)))


@st.cache_data(max_entries=32, show_spinner=False)
def _class_names(key: tuple) -> list[str]:
    return list(_splits(key).dataset.class_names)


def load_splits(cfg: RunConfig) -> Splits:
    """Scaled train/val/test arrays for ``cfg``; raises DatasetUnavailable with the message to show.

    Failures are remembered per dataset for the session: an offline download attempt takes
    seconds and must not repeat on every click (nor for each Pima missing-value mode). A reload
    (new session) tries again, as the message suggests.
    """
    failures = st.session_state.setdefault(FAILED, {})
    if cfg.dataset in failures:
        raise DatasetUnavailable(failures[cfg.dataset])
    try:
        return _splits(data_key(cfg))
    except DatasetUnavailable as err:
        failures[cfg.dataset] = str(err)
        raise


def class_names(cfg: RunConfig) -> list[str]:
    """Class names of the data a run was started on (cheap: cached apart from the arrays)."""
    return _class_names(data_key(cfg))

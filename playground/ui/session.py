"""Long-lived objects of one browser session: its runner, and the loaded data (cached).

The runner lives in a session-scoped resource cache: Streamlit calls ``on_release`` when the
session ends (tab closed, reload, websocket lost). A runner with a run is then parked for 30 s
(playground/ui/park.py): the same browser's next session, after a reload, adopts it; otherwise it
is closed, which ends the training process. The heartbeat timeout is the safety net for anything
that slips past that.

Backends (``PLAYGROUND_RUNNER``): ``process`` (default) trains in a spawned process with one
torch thread, so the server's chart reruns and the browser do not stall it (see
playground/process_runner.py); its first Start takes a warm process from the server's spare pool
(playground/ui/workers.py). ``thread`` trains in a thread of the server process.
"""
from __future__ import annotations

import functools
import os

import streamlit as st

from playground import memory_budget
from playground.admitted_runner import AdmittedRunner
from playground.config import SPLIT_FIELDS, RunConfig
from playground.datasets import DATASETS, DatasetUnavailable, Splits, prepare
from playground.process_runner import ProcessRunner
from playground.runner_protocol import TrainingRunner
from playground.snapshot import new_run_id
from playground.store import Location
from playground.ui import model_init, run_store
from playground.ui.park import RunnerPark, browser_key
from playground.ui.workers import admission, spare_pool

HEARTBEAT_TIMEOUT = 30.0  # seconds without a page poll before the run stops itself
BACKEND_ENV = "PLAYGROUND_RUNNER"  # process | thread
ADOPTED = "_runner_adopted"  # session_state: this session took over a run parked by its browser's last session
FAILED = "_data_failures"  # session_state: dataset name -> DatasetUnavailable message
OWNER = "_run_owner"  # session_state: this session's id in the run store when the browser has none


@st.cache_resource(show_spinner=False, on_release=lambda park: park.close_all())
def runner_park() -> RunnerPark:
    """Server-wide (global cache): runners of ended sessions waiting for their browser to reload."""
    return RunnerPark()


@st.cache_resource(scope="session", on_release=lambda runner: runner_park().release(runner), show_spinner=False)
def get_runner() -> TrainingRunner:
    """This session's runner: the one its browser left running before a reload, or a new one."""
    key = browser_key(dict(st.context.cookies))
    runner = runner_park().take(key)
    if runner is not None:
        st.session_state[ADOPTED] = True
    else:
        runner = _new_runner()
    runner_park().register(runner, key)
    return runner


def _new_runner() -> TrainingRunner:
    """The backend's runner behind the server's admission gate: at most PLAYGROUND_MAX_TRAINING runs train at once."""
    return AdmittedRunner(_backend_runner(), admission())


def _backend_runner() -> TrainingRunner:
    backend = os.environ.get(BACKEND_ENV, "process")
    if backend == "thread":
        from playground.runner import Runner  # trains in this process: torch is loaded here only for this backend

        return Runner(heartbeat_timeout=HEARTBEAT_TIMEOUT, threads=1)  # one torch thread: see IntraOpThreads
    if backend != "process":
        raise ValueError(f"{BACKEND_ENV} == {backend!r}, must be 'process' or 'thread'")
    return ProcessRunner(heartbeat_timeout=HEARTBEAT_TIMEOUT, threads=1, spares=spare_pool(),
                         memory_mb=memory_budget.budget_mb())  # a run past it fails in its own session


def announce_adoption() -> None:
    """Once, after a reload that found this browser's run still there."""
    if st.session_state.pop(ADOPTED, False):
        st.toast("Your run is still here: it kept going while the page reloaded.", icon=":material/autorenew:")


def owner() -> str:
    """Whose runs these are in the store: the browser (kept across reloads and tabs), else this session."""
    key = browser_key(dict(st.context.cookies))
    if key is None:  # no XSRF cookie (AppTest, protection off): one id per session
        key = st.session_state.setdefault(OWNER, "session-" + new_run_id())
    return key


def start(runner: TrainingRunner, cfg: RunConfig, splits: Splits, paused: bool = False) -> str:
    """Start ``cfg`` on ``splits``, recorded in the run store when there is one; returns the run's id.
    The recorder is built in the training process (from this partial) and writes from a thread there."""
    run_id = new_run_id()
    record = None
    if run_store.get() is not None:
        from playground.store import recording  # the store's module (SQLAlchemy) is loaded by run_store.get()

        record = functools.partial(recording, store=Location.from_env().url, run_id=run_id, session=owner())
    # a loaded model file's weights first (model_init), then the recorder
    runner.start(cfg, splits, paused=paused, extra_callbacks=model_init.extra_callbacks(record), run_id=run_id)
    return run_id


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

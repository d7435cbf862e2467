"""Server-wide worker processes (global ``st.cache_resource``): one set for all sessions, not one each.

The server worker runs the pages' short torch tasks, one at a time: the optimizer race and its
surface grids (playground/race_task.py), and reopening a stored run (playground/reopen.py), so that
no Streamlit script thread runs torch. The spare pool keeps a training process warm (torch and the
engine imported, a first run rehearsed) for the next session's first Start (playground/spares.py).
Both are started by the app's warm-up after the first page has been drawn (playground/ui/warmup.py),
and warm up on their own. Clearing the resource cache (the tests do, before and after each test)
closes them; the server's exit or death ends them too (daemon children whose pipes break).
"""
from __future__ import annotations

import multiprocessing
import os

import streamlit as st

from playground.admission import Admission, default_slots
from playground.training_process import spawn_child
from playground.spares import SparePool
from playground.worker import WorkerProcess

CALL_TIMEOUT = 60.0  # s; the largest race (2,000 steps x 8 optimizers) takes ~1 s, reopening MNIST ~2 s
SPARES_ENV = "PLAYGROUND_SPARES"  # training processes kept warm (default 1; 0: each first Start spawns its own)


@st.cache_resource(show_spinner=False, on_release=lambda worker: worker.close())
def server_worker() -> WorkerProcess:
    """The one process every session's races and reopened runs are computed in, spawned (and warming up) at once."""
    # named, not imported: the race's torch is loaded in the worker, and this server process never waits for it
    worker = WorkerProcess(name="playground-server-worker", initializer="playground.race_task:warm_up",
                           timeout=CALL_TIMEOUT)  # fmt: skip
    worker.start()
    return worker


@st.cache_resource(show_spinner=False)
def admission() -> Admission:
    """The server's gate: at most PLAYGROUND_MAX_TRAINING runs (default: one per core, as the memory allows)
    train at once; the sessions' runners wait in line for it (playground/admitted_runner.py)."""
    return Admission(default_slots())


@st.cache_resource(show_spinner=False, on_release=lambda pool: pool.close())
def spare_pool() -> SparePool:
    """Warm training processes the sessions' runners take their child from; empty until ``fill()`` or a take."""
    return SparePool(spawn_child, size=spare_count())


def spare_count() -> int:
    value = os.environ.get(SPARES_ENV, "1")
    if not value.isdigit():
        raise ValueError(f"{SPARES_ENV} == {value!r}, must be a whole number >= 0")
    return int(value)


def start_server_processes() -> None:
    """Keep the spare training process started and, once it is warm, start the server worker; if this is the server.

    Cheap after the first call (cached resources, a look at the spare's pipe), so the app calls it
    after every page. In that order because they compete for the two cores while they import torch:
    a Start on the default page needs the spare, and the race page starts the worker itself if it
    comes first.

    Not in a spawned child: Streamlit installs the running script as ``__main__``, so every spawned
    child (a session's training process, the server worker itself) first re-runs app.py, warm-up
    included, and a child may not spawn while it bootstraps. (A child is named from the start of its
    bootstrap; ``parent_process()`` is set only after it.)
    """
    if multiprocessing.current_process().name != "MainProcess":
        return
    pool = spare_pool()
    pool.fill()
    if pool.settled():
        server_worker()

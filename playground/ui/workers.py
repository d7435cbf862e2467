"""Server-wide worker processes (global ``st.cache_resource``): one for all sessions, not one each.

The server worker runs the pages' short torch tasks, one at a time: the optimizer race and its
surface grids (playground/race_task.py), and reopening a stored run (playground/reopen.py), so that
no Streamlit script thread runs torch. It is started by the app's warm-up (playground/ui/warmup.py)
and warms itself up (imports torch, builds a first optimizer) while the first page renders, so the
first race does not wait for it. Clearing the resource cache (the tests do, before and after each
test) closes it; the server's exit or death ends it too (a daemon child whose pipe breaks).
"""
from __future__ import annotations

import multiprocessing

import streamlit as st

from playground import race_task
from playground.worker import WorkerProcess

CALL_TIMEOUT = 60.0  # s; the largest race (2,000 steps x 8 optimizers) takes ~1 s, reopening MNIST ~2 s


@st.cache_resource(show_spinner=False, on_release=lambda worker: worker.close())
def server_worker() -> WorkerProcess:
    """The one process every session's races and reopened runs are computed in, spawned (and warming up) at once."""
    worker = WorkerProcess(name="playground-server-worker", initializer=race_task.warm_up, timeout=CALL_TIMEOUT)
    worker.start()
    return worker


def start_server_worker() -> None:
    """Spawn the server worker now, if this is the server.

    Not in a spawned child: Streamlit installs the running script as ``__main__``, so every spawned
    child (a session's training process, the server worker itself) first re-runs app.py, warm-up
    included, and a child may not spawn while it bootstraps. (A child is named from the start of its
    bootstrap; ``parent_process()`` is set only after it.)
    """
    if multiprocessing.current_process().name == "MainProcess":
        server_worker()

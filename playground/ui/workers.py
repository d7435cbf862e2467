"""Server-wide worker processes (global ``st.cache_resource``): one for all sessions, not one each.

The race worker runs the optimizer race and its surface grids (playground/race_task.py) so that
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

RACE_TIMEOUT = 60.0  # s; the largest race the page allows (2,000 steps x 8 optimizers) takes ~1 s


@st.cache_resource(show_spinner=False, on_release=lambda worker: worker.close())
def race_worker() -> WorkerProcess:
    """The one process every session's races run in, spawned (and warming up) at once."""
    worker = WorkerProcess(name="playground-race-worker", initializer=race_task.warm_up, timeout=RACE_TIMEOUT)
    worker.start()
    return worker


def start_race_worker() -> None:
    """Spawn the race worker now, if this is the server.

    Not in a spawned child: Streamlit installs the running script as ``__main__``, so every spawned
    child (a session's training process, the race worker itself) first re-runs app.py, warm-up
    included, and a child may not spawn while it bootstraps. (A child is named from the start of its
    bootstrap; ``parent_process()`` is set only after it.)
    """
    if multiprocessing.current_process().name == "MainProcess":
        race_worker()

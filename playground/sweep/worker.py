"""A sweep worker: joins a study by name and runs trials until the study has all of them.

    python -m playground sweep-worker --study NAME     # any machine with PLAYGROUND_DB pointing at the store

Each trial: claim a slot (slots.py: exactly N trials over all workers), then one
``study.optimize(objective, n_trials=1)`` with that slot's sampler. Optuna's heartbeat is on, so a
worker that dies mid-trial has its trial marked FAIL by the next worker after GRACE seconds.
The SweepRunner starts these in processes of its own (``work``); the CLI runs one in its process.
"""
from __future__ import annotations

import logging

from playground.sweep import slots
from playground.sweep.objective import Objective
from playground.sweep.study import make_sampler, make_storage, open_study

THREADS = 1  # torch threads per worker: parallel workers, one core each


def work(name: str, url: str | None = None, stop=None, quiet: bool = True) -> int:
    """Run ``name``'s trials until its slots are all claimed (or ``stop`` is set); returns the trials run."""
    import optuna
    import torch

    from playground.store import open_store

    torch.set_num_threads(THREADS)
    optuna.logging.set_verbosity(logging.ERROR if quiet else logging.WARNING)
    storage = make_storage(url, heartbeat=True)
    settings, study = open_study(name, storage)
    store = open_store(url)
    objective = Objective(settings, store, stop)
    slots.ensure_table(storage.engine)
    ran = 0
    try:
        while stop is None or not stop.is_set():
            slot = slots.claim(storage.engine, name, settings.trials)
            if slot is None:
                break
            study.sampler = make_sampler(settings, slot)
            # catch everything: a failing config is a FAIL trial, not the end of the sweep
            study.optimize(objective, n_trials=1, catch=(Exception,))
            ran += 1
    finally:
        store.close()
        storage.engine.dispose()
    return ran


def work_in_child(name: str, url: str | None, stop) -> None:
    """The SweepRunner's process target: ``work``, with the process's exit code saying how it went."""
    work(name, url, stop)

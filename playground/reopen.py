"""Reopen a stored run without retraining: its weights back in a model, its boundary and scores recomputed.

    reopened = reopen(store_url, run_id)   # Reopened: boundary grid, val and test Metrics
    
Torch work: the app calls this in its server-wide worker process (playground/ui/workers.py), never
in a script thread. The data is prepared again from the stored config (same seed, same split,
same scaling), so the scores equal the stored ones when nothing about the data changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from playground.boundary import plane_of
from playground.datasets import prepare
from playground.metrics import Metrics
from playground.snapshot import BoundaryGrid

if TYPE_CHECKING:  # imported where a model is rebuilt: the pages import this module before torch is loaded
    from playground.trainer import Trainer


class NoWeights(LookupError):
    """The run kept no weights (it diverged, failed, or its process died)."""


@dataclass(frozen=True)
class Reopened:
    run_id: str
    boundary: BoundaryGrid
    val: Metrics
    test: Metrics


def stored_run(store_url: str, run_id: str, purpose: str):
    """(config, final weights, its data prepared again from the config: same seed and split) of stored run
    ``run_id``. NoWeights (naming ``purpose``) when it kept none; StoreUnavailable when the store can't be read."""
    from playground.store import open_store  # here: SQLAlchemy loads when a run is reopened, not with the page

    with open_store(store_url) as store:
        run, state = store.get_run(run_id), store.load_weights(run_id)
    if state is None:
        raise NoWeights(f"run {run_id} ({run.status}) kept no weights to {purpose}")
    cfg, _ = run.config()
    return cfg, state, prepare(cfg)


def reopen(store_url: str, run_id: str) -> Reopened:
    """Rebuild run ``run_id`` of the store at ``store_url`` from its config and stored weights.
    Raises NoWeights when it has none, StoreUnavailable when the store can't be read."""
    from playground.trainer import Trainer

    cfg, state, splits = stored_run(store_url, run_id, "reopen")
    trainer = Trainer(cfg, splits)
    trainer.model.load_state_dict(state)
    return rebuilt(run_id, trainer)


def rebuilt(run_id: str, trainer: Trainer) -> Reopened:
    """The boundary and scores of a trainer holding finished weights (a stored run's, a model file's)."""
    from playground.stream import boundary_grid, plane_points

    splits = trainer.splits
    plane = plane_of(splits)
    return Reopened(run_id, boundary_grid(trainer, plane, plane_points(splits, plane)),
                    trainer.evaluate("val"), trainer.evaluate("test"))  # fmt: skip

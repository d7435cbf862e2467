"""Draw a digit's prediction: a finished run's stored model on one drawn 784-pixel row.

    proba = predict_digit(store_url, run_id, row)   # row (784,) in [0, 1] (digit_preprocess) -> (C,) probabilities

Runs in the server's worker process (playground/ui/workers.py), never in a script thread. The first
call for a run rebuilds its model from the run store's weights and its feature scaling from its
config's data (same seed, same split: ~1 s for MNIST 5k); later calls reuse them, so a stroke's
prediction is one 784-512-10 forward pass (well under a millisecond) plus the pipe.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from playground.reopen import stored_run

if TYPE_CHECKING:  # imported in the worker that predicts: the page imports this module before torch is loaded
    from playground.trainer import Trainer

LOADED_RUNS = 2  # models kept in the worker: the run drawn on now and the one before


@lru_cache(maxsize=LOADED_RUNS)  # per worker process; the worker serves one call at a time
def _loaded(store_url: str, run_id: str) -> Trainer:
    """Run ``run_id``'s trainer with its stored final weights (NoWeights, not cached, while it has none)."""
    from playground.trainer import Trainer

    cfg, state, splits = stored_run(store_url, run_id, "predict with")
    trainer = Trainer(cfg, splits)
    trainer.model.load_state_dict(state)
    return trainer


def predict_digit(store_url: str, run_id: str, row: np.ndarray) -> np.ndarray:
    """(784,) raw pixels in [0, 1] -> (C,) float64 class probabilities, through the run's own feature scaling."""
    trainer = _loaded(store_url, run_id)
    x = np.asarray(row, dtype=np.float32)[None, :]  # (1, 784)
    if trainer.splits.scaler is not None:
        x = trainer.splits.scaler.transform(x)
    return trainer.predict_proba(x)[0].astype(np.float64)

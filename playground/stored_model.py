"""The page's model-file work, run in the server's worker process (playground/ui/workers.py), never in a script thread.

    data = stored_model_file(store_url, run_id)   # a finished run's model file, from the run store's weights
    shown = inspect_model_file(data)              # Reopened: its boundary and val/test scores on its own data
"""
from __future__ import annotations

from playground.datasets import prepare
from playground.model_file import load_into, read, to_bytes
from playground.reopen import Reopened, rebuilt, stored_run


def stored_model_file(store_url: str, run_id: str) -> bytes:
    """The model file of stored run ``run_id``: its config, its stored final weights, and the feature scaling
    its data gets again from the config (same seed and split). NoWeights when it kept none."""
    cfg, state, splits = stored_run(store_url, run_id, "download")
    return to_bytes(cfg, state, splits.scaler, splits.n_features)


def inspect_model_file(data: bytes, label: str = "model file") -> Reopened:
    """A model file's weights on its own config's data: the final boundary and scores, no training.
    BadModelFile when the file is bad or its weights do not fit that data."""
    from playground.trainer import Trainer  # here, in the worker: the page imports this module before torch is loaded

    mf = read(data)
    trainer = Trainer(mf.cfg, prepare(mf.cfg))
    load_into(trainer, mf)
    return rebuilt(label, trainer)

"""Trainer observers: history, early stopping and divergence detection."""
from __future__ import annotations

import copy
import math

import numpy as np

from playground.trainer import Callback, Trainer

SCALAR_KEYS = (
    "epoch", "loss", "accuracy", "val_loss", "val_accuracy", "val_balanced_accuracy", "lr", "seconds",
    "samples_per_second",
)  # fmt: skip


class History(Callback):
    """Scalar logs per epoch, as lists; ``as_arrays()`` gives numpy copies for figures."""

    def __init__(self) -> None:
        self.logs: dict[str, list[float]] = {k: [] for k in SCALAR_KEYS}
        self.last: dict = {}

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        for k in SCALAR_KEYS:
            self.logs[k].append(float(logs[k]))
        self.last = logs

    def as_arrays(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(v, dtype=np.float64) for k, v in self.logs.items()}


class DivergenceGuard(Callback):
    """A NaN or infinite loss stops training; the history is kept."""

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        if not (math.isfinite(logs["loss"]) and math.isfinite(logs["val_loss"])):
            trainer.stop("diverged", f"loss diverged at epoch {logs['epoch']}; try a smaller learning rate")


class EarlyStopping(Callback):
    """Stop when val_loss has not dropped by more than ``min_delta`` for ``patience`` epochs.

    With ``restore_best`` the weights of the best epoch are put back when it stops.
    """

    def __init__(self, patience: int, min_delta: float = 0.0, restore_best: bool = True) -> None:
        self.patience, self.min_delta, self.restore_best = patience, min_delta, restore_best
        self.best = math.inf
        self.best_epoch = 0
        self.best_state: dict | None = None
        self.wait = 0

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        if logs["val_loss"] < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = logs["val_loss"], logs["epoch"], 0
            if self.restore_best:
                self.best_state = copy.deepcopy(trainer.model.state_dict())
            return
        self.wait += 1
        if self.wait >= self.patience and not trainer.stop_training:
            message = f"early stopping at epoch {logs['epoch']}: val_loss did not improve for {self.patience} epochs"
            if self.restore_best and self.best_state is not None:
                trainer.model.load_state_dict(self.best_state)
                message += f"; restored the best weights (epoch {self.best_epoch}, val_loss {self.best:.4f})"
            trainer.stop("early_stopped", message)


def standard_callbacks(cfg) -> list[Callback]:
    """What every run gets: history, divergence guard, and early stopping when patience > 0."""
    cbs: list[Callback] = [History(), DivergenceGuard()]
    if cfg.patience > 0:
        cbs.append(EarlyStopping(cfg.patience, cfg.min_delta, cfg.restore_best))
    return cbs

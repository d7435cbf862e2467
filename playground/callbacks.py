"""Trainer observers: history, early stopping, and divergence and stall detection.

Epochs off the validation schedule (``RunConfig.val_every``) have no ``val_*`` logs: History
records NaN for them, DivergenceGuard checks the train loss alone, EarlyStopping waits.
"""
from __future__ import annotations

import copy
import math

import numpy as np
import torch

from playground.diagnostics.stall import largest_weight, stall_cause
from playground.modes import eval_mode
from playground.status import Status
from playground.trainer import Callback, Trainer

SCALAR_KEYS = (
    "epoch", "loss", "accuracy", "val_loss", "val_accuracy", "val_balanced_accuracy", "lr", "seconds",
    "samples_per_second", "mae", "val_mae", "val_r2", "val_baseline_mae",  # the last four: regression runs (issue 13)
)  # fmt: skip
NAN = float("nan")


class History(Callback):
    """Scalar logs per epoch as lists (NaN where a key is absent); ``as_arrays()`` gives numpy copies.

    Appending to lists is the cheapest per-epoch record (a numpy column write cost ~14 us between
    training epochs); ``as_arrays()``, called at the publish rate, converts only the epochs added
    since its last call into a growing array, so a long run's history is a memcpy per key.
    """

    def __init__(self) -> None:
        self.logs: dict[str, list[float]] = {k: [] for k in SCALAR_KEYS}
        self.last: dict = {}
        self._arrays = np.full((len(SCALAR_KEYS), 256), NAN)  # row i: SCALAR_KEYS[i]; columns: epochs
        self._converted = 0  # epochs already in _arrays

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        for k, column in self.logs.items():
            column.append(logs.get(k, NAN))
        self.last = logs

    def as_arrays(self) -> dict[str, np.ndarray]:
        n, done = len(self.logs["epoch"]), self._converted
        if n > self._arrays.shape[1]:
            grown = np.full((len(SCALAR_KEYS), 2 * n), NAN)
            grown[:, :done] = self._arrays[:, :done]
            self._arrays = grown
        for i, column in enumerate(self.logs.values()):
            self._arrays[i, done:n] = column[done:n]
        self._converted = n
        return {k: self._arrays[i, :n].copy() for i, k in enumerate(SCALAR_KEYS)}


class DivergenceGuard(Callback):
    """A NaN or infinite loss (train every epoch, validation when it ran) stops training; the history is kept."""

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        if not (math.isfinite(logs["loss"]) and math.isfinite(logs.get("val_loss", 0.0))):
            trainer.stop(Status.DIVERGED, f"loss diverged at epoch {logs['epoch']}; try a smaller learning rate")


class StallGuard(Callback):
    """Stops a run whose output no longer depends on its input: nothing more epochs can fix.

    "Input" means the training data: ReLUs dead on every training row may still fire far from it,
    so the decision-boundary plane can keep some colour outside the data.

    Seen after too large a step kills every ReLU of a layer (sgd, lr 10 on the spiral: accuracy
    stuck at 1/C, the loss flat) and with an all-zero init, whose hidden units stay identical
    and, for ReLU, dead. The test: the logits of a fixed probe batch are the same for every row,
    at two checks in a row ``every`` epochs apart. Costs one forward of ``rows`` rows per check.
    """

    def __init__(self, every: int = 5, rows: int = 256, strikes: int = 2) -> None:
        self.every, self.rows, self.needed = every, rows, strikes
        self.strikes = 0
        self.probe: torch.Tensor | None = None
        self.start_weight = 0.0  # the largest |w| at the start: did the weights blow up?

    def on_train_begin(self, trainer: Trainer) -> None:
        self.probe = trainer.data["train"][0][: self.rows]
        self.start_weight = largest_weight(trainer.model)

    @torch.no_grad()
    def constant_output(self, trainer: Trainer) -> bool:
        with eval_mode(trainer.model) as model:  # a deterministic function of the input
            out = model(self.probe)
        spread = float((out - out[:1]).abs().max())
        return len(out) > 1 and spread <= 1e-6 * (1.0 + float(out.abs().max()))

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        if logs["epoch"] % self.every or trainer.stop_training:
            return
        self.strikes = self.strikes + 1 if self.constant_output(trainer) else 0
        if self.strikes >= self.needed:
            X, y = (t[: self.rows] for t in trainer.data["train"])
            trainer.stop(Status.STALLED, f"training stalled at epoch {logs['epoch']}: "
                                         f"{stall_cause(trainer, X, y, self.start_weight)}")  # fmt: skip


class EarlyStopping(Callback):
    """Stop when val_loss has not dropped by more than ``min_delta`` for ``patience`` epochs.

    Acts on scheduled validations only (not the extra ones a pause or Step forces), so where a
    run stops does not depend on how it was watched; patience still counts epochs, so with
    validation every k epochs the stop comes at the first validation at least ``patience``
    epochs after the best one.
    With ``restore_best`` the weights of the best epoch are put back when it stops.
    """

    def __init__(self, patience: int, min_delta: float = 0.0, restore_best: bool = True) -> None:
        self.patience, self.min_delta, self.restore_best = patience, min_delta, restore_best
        self.best = math.inf
        self.best_epoch = 0
        self.best_state: dict | None = None
        self.wait = 0  # epochs since the best one, as of the last validation
        self.restored_epoch: int | None = None  # the epoch whose weights were put back when it stopped

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        if "val_loss" not in logs or not logs.get("val_scheduled", True):  # a pause's extra validation
            return
        if logs["val_loss"] < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = logs["val_loss"], logs["epoch"], 0
            if self.restore_best:
                self.best_state = copy.deepcopy(trainer.model.state_dict())
            return
        self.wait = logs["epoch"] - self.best_epoch
        if self.wait >= self.patience and not trainer.stop_training:
            message = (f"early stopping at epoch {logs['epoch']}: val_loss has not improved since epoch {self.best_epoch} "
                       f"(patience {self.patience} epochs)")  # fmt: skip
            if self.restore_best and self.best_state is not None:
                trainer.model.load_state_dict(self.best_state)
                self.restored_epoch = self.best_epoch
                message += f"; restored the best weights (epoch {self.best_epoch}, val_loss {self.best:.4f})"
            trainer.stop(Status.EARLY_STOPPED, message)


def standard_callbacks(cfg) -> list[Callback]:
    """What every run gets: history, divergence and stall guards, and early stopping when patience > 0."""
    cbs: list[Callback] = [History(), DivergenceGuard(), StallGuard()]
    if cfg.patience > 0:
        cbs.append(EarlyStopping(cfg.patience, cfg.min_delta, cfg.restore_best))
    return cbs

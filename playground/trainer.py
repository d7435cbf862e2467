"""Trainer: builds the model for a config and data, runs epochs, and emits events to callbacks.

Keras/fastai style: ``fit()`` / ``train_epoch()`` call ``on_epoch_end(trainer, logs)`` on each
callback with a plain dict of scalars. History, early stopping, divergence and streaming are
observers (playground/callbacks.py); an observer ends training with ``trainer.stop(...)``.

Validation runs on epoch 1, every ``val_every``-th epoch and the last (Keras' ``validation_freq``);
other epochs' logs have no ``val_*`` keys. ``val_every == 0`` picks the interval from the data and
model sizes (``auto_val_every``), never from timings, so a seeded run is reproducible.

Hot-path rules (see benchmarks/bench_trainer.py): tensors live on the device, batches are
``randperm`` slices (no DataLoader), and the step has no host sync: batch losses and logits
are kept as detached tensors and reduced once per epoch. Plain MLPs (no dropout, no BatchNorm)
compute their gradients with ``HandBackprop``, the same kernels without the autograd engine.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from playground import metrics
from playground.backprop import HandBackprop
from playground.config import RunConfig, check_against_data, custom_class_weights
from playground.datasets import Splits
from playground.device import resolve_device, threads_for
from playground.freeze import freeze
from playground.metrics_regression import RegressionMetrics, regression_scores
from playground.model import build_mlp
from playground.modes import eval_mode, has_modes
from playground.optim import make_optimizer, set_lr
from playground.regression import regression_loss
from playground.status import Status

# Auto val_every: a cost model of one epoch, in microseconds, measured on the reference 2-core CPU
# (benchmarks/bench_trainer.py). Only the ratio matters, and it depends on sizes alone (no timings),
# so the same config always validates the same epochs.
# fixed cost of one optimizer step: Python, op dispatch, zero_grad, the update (through autograd; the
# hand-backprop path of playground/backprop.py takes ~190 us, which moves k by at most one)
STEP_US = 300.0
# fixed cost of one validation pass as it runs, between training epochs: with cold caches it takes
# 2-3x its back-to-back time (~90 us), and the epoch after it runs slower too
EVAL_US = 250.0
ROW_US, PARAM_US = 0.15, 1.6e-5  # forward of one row: ~0.15 us plus ~1.6e-5 us per weight
TRAIN_FORWARDS = 3.5  # a training row costs ~3.5 forwards (forward, backward, update)
VAL_SHARE = 0.02  # target: validation ~2% of training time, leaving room for the other observers
MIN_VALIDATIONS = 10  # auto never leaves fewer than ~10 points on the validation curve


def epoch_costs_us(n_train: int, n_val: int, batch_size: int, n_params: int) -> tuple[float, float]:
    """The cost model: (one training epoch, one validation pass) in modelled microseconds.

    A training epoch costs ``steps * STEP_US + TRAIN_FORWARDS * n_train * row`` and a validation
    pass ``EVAL_US + n_val * row``, with ``row = ROW_US + PARAM_US * n_params``.
    """
    row = ROW_US + PARAM_US * n_params
    train = math.ceil(n_train / batch_size) * STEP_US + TRAIN_FORWARDS * n_train * row
    return train, EVAL_US + n_val * row


def auto_val_every(n_train: int, n_val: int, batch_size: int, n_params: int, epochs: int, patience: int = 0) -> int:
    """Validate every k epochs, k chosen so a validation pass costs ~VAL_SHARE of the training time.

    With ``train, val = epoch_costs_us(...)``, validating every k epochs costs val / (k * train)
    of the training time, and k = (val / train) / VAL_SHARE, rounded: the smallest k within the
    budget, give or take the rounding. Spiral 2-100-3 at batch 32 has 57 steps per epoch and
    validation is ~2% of it: k = 1. At full batch the epoch is one step and validation ~27% of it:
    k = 13. MNIST 784-512-10 at batch 128 is compute-bound, and the forward of its 1000 validation
    rows is ~9% of the 3000-row epoch: k = 4. k is capped so the validation curve keeps
    MIN_VALIDATIONS points. With early stopping on, auto validates every epoch: the user asked for a
    stop at the first epoch ``patience`` epochs past the best, and the curve must show why it came.
    """
    train, val = epoch_costs_us(n_train, n_val, batch_size, n_params)
    k = max(1, round(val / (VAL_SHARE * train)))
    k = min(k, max(1, epochs // MIN_VALIDATIONS))
    return 1 if patience > 0 else k


class Callback:
    """Observer protocol. Override what you need; ``logs`` is a dict of floats (plus arrays noted)."""

    def on_train_begin(self, trainer: "Trainer") -> None: ...

    def on_epoch_end(self, trainer: "Trainer", logs: dict) -> None: ...

    def on_train_end(self, trainer: "Trainer", logs: dict) -> None: ...


class Trainer:
    def __init__(self, cfg: RunConfig, splits: Splits, callbacks: Iterable[Callback] = ()):
        cfg, self.notes = check_against_data(cfg, splits.n_features, splits.n_classes, len(splits.y_train))
        self.cfg, self.splits = cfg, splits
        self.callbacks = list(callbacks)
        self.device = resolve_device(cfg.device)
        self.n_classes = splits.n_classes
        self.regression = splits.regression  # one linear unit against a float target (issue 13)
        self.binary_bce = cfg.n_outputs(self.n_classes) == 1 and not self.regression  # one sigmoid logit
        torch.manual_seed(cfg.seed)  # init and dropout masks
        self.model = build_mlp(splits.n_features, cfg.layers, cfg.n_outputs(self.n_classes), cfg.init)
        self.model.to(self.device)
        self.n_params = sum(p.numel() for p in self.model.parameters())
        trainable = freeze(self.model, cfg.layers)  # frozen layers' parameters never reach the optimizer
        self.optimizer = make_optimizer(cfg.optimizer, trainable, cfg.lr, fused=True, **cfg.optimizer_kwargs())
        self.lr = cfg.lr
        self.generator = torch.Generator(device=self.device).manual_seed(cfg.seed)  # batch order
        self.data = {name: self._tensors(name) for name in ("train", "val", "test")}
        self.class_weight = self._class_weights()
        self.l1_params = [m.weight for m in self.model.modules() if isinstance(m, torch.nn.Linear)]
        # plain MLPs (no dropout, no BatchNorm) skip the autograd engine: same gradients, ~1.6x the steps/s
        self.loss_kind = cfg.loss if self.regression else "bce" if self.binary_bce else "cross_entropy"
        self.backprop = self._hand_backprop(self.model)
        self.initial_state = copy.deepcopy(self.model.state_dict())  # for jobs that start over (LR range test)
        # eval() changes nothing without dropout or BatchNorm: skip the mode switches then
        self._has_modes = has_modes(self.model)
        self.val_every = cfg.val_every or auto_val_every(
            len(splits.y_train), len(splits.y_val), self.batch_size, self.n_params, cfg.epochs, cfg.patience
        )
        if self.val_every > 1:
            how = "auto, val_every == 0" if cfg.val_every == 0 else "val_every"
            self.notes.append(f"Validating every {self.val_every} epochs ({how}), and on the first and the last.")
        self.last_validated = 0  # the last epoch whose logs have val_* keys
        self.epoch = 0  # epochs completed
        self.train_seconds = 0.0  # wall time inside training epochs only
        self.stop_training = False
        self.status = Status.IDLE  # RUNNING once stepped; an ended status once stopped
        self.message = ""
        self.started = False
        self._logit_buf: torch.Tensor | None = None  # (n_train, out) running logits of the epoch
        self._batch_share: torch.Tensor | None = None  # (steps,) rows of each batch / n_train

    # ------------------------------------------------------------ setup helpers
    def _tensors(self, split: str) -> tuple[torch.Tensor, torch.Tensor]:
        X = getattr(self.splits, f"X_{split}")
        y = getattr(self.splits, f"y_{split}")
        if self.regression:  # the network learns the target on the training scale (target_scaling)
            y = ((y - self.splits.y_offset) / self.splits.y_scale).astype(np.float32)
        return torch.as_tensor(X, device=self.device), torch.as_tensor(y, device=self.device)

    def _hand_backprop(self, model: nn.Module) -> HandBackprop | None:
        """Hand backprop for plain MLPs on the classification losses; regression goes through autograd."""
        if self.regression or not HandBackprop.supports(model):
            return None
        return HandBackprop(model, self.loss_kind, self.class_weight, self.cfg.l1)

    def _class_weights(self) -> torch.Tensor | None:
        custom = custom_class_weights(self.cfg)
        if custom is not None:
            weights = np.asarray(custom, dtype=np.float32)
        elif self.cfg.class_weights == "balanced":  # sklearn's n / (C * count_c)
            from sklearn.utils.class_weight import compute_class_weight

            y = self.splits.y_train
            weights = np.ones(self.n_classes, dtype=np.float32)
            present = np.unique(y)
            weights[present] = compute_class_weight("balanced", classes=present, y=y)
        else:
            return None
        return torch.as_tensor(weights, dtype=torch.float32, device=self.device)

    @property
    def batch_size(self) -> int:
        n = len(self.splits.y_train)
        return n if self.cfg.batch_size == 0 else min(self.cfg.batch_size, n)

    # ------------------------------------------------------------ loss and prediction
    def loss(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean (class-weighted) loss of logits (B, C) or (B, 1) against labels (B,)."""
        if self.regression:  # logits (B, 1) against y (B,) float
            return regression_loss(self.cfg.loss, logits, y)
        w = self.class_weight
        if self.binary_bce:
            z = logits.squeeze(1)
            if w is None:
                return F.binary_cross_entropy_with_logits(z, y.to(z.dtype))
            per_row = F.binary_cross_entropy_with_logits(z, y.to(z.dtype), reduction="none")
            wy = w[y]
            return (per_row * wy).sum() / wy.sum()  # same normalisation as cross_entropy(weight=)
        return F.cross_entropy(logits, y, weight=w)

    def predict(self, logits: torch.Tensor) -> torch.Tensor:
        """Class indices (B,); regression: predictions (B,) on the target's original scale."""
        if self.regression:
            return logits.squeeze(1) * self.splits.y_scale + self.splits.y_offset
        return (logits.squeeze(1) > 0).long() if self.binary_bce else logits.argmax(1)

    def proba(self, logits: torch.Tensor) -> torch.Tensor:
        """(B, C) class probabilities, for either output head; regression: (B, 1) predictions, original scale."""
        if self.regression:  # the boundary grid becomes the prediction surface
            return self.predict(logits).unsqueeze(1)
        if self.binary_bce:
            p1 = torch.sigmoid(logits)
            return torch.cat([1 - p1, p1], dim=1)
        # torch.softmax over a short last dim is slow on CPU (10k x 3 boundary grid: 0.68 ms vs 0.26 ms)
        e = (logits - logits.amax(dim=1, keepdim=True)).exp_()
        return e.div_(e.sum(dim=1, keepdim=True))

    def _eval_forward(self, module: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        """``module(x)`` in eval mode (dropout off, BatchNorm running statistics); the model stays in train mode."""
        if not self._has_modes:
            return module(x)
        with eval_mode(self.model):
            return module(x)

    @torch.no_grad()
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(N, d) float32 features -> (N, C) probabilities, in eval mode. Call from the trainer's thread."""
        return self.proba(self._eval_forward(self.model, torch.as_tensor(X, device=self.device))).cpu().numpy()

    @torch.no_grad()
    def predict_proba_affine(self, grid: np.ndarray, origin: np.ndarray, basis: np.ndarray) -> np.ndarray:
        """Probabilities at x = origin + grid @ basis, for grid (N, 2), origin (d,), basis (2, d).

        Such points lie on a 2-D plane, so the first Linear folds into (N, 2) @ (2, H):
        x @ W.T + b = grid @ (basis @ W.T) + (origin @ W.T + b). The cost no longer grows with d
        (MNIST's 784-wide boundary grid: ~8 ms -> ~1.3 ms). Equal to predict_proba on the points.
        """
        first = self.model[0]
        as_t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float32), device=self.device)  # noqa: E731
        W = first.weight
        hidden = as_t(grid) @ (as_t(basis) @ W.T) + (as_t(origin) @ W.T + first.bias)
        return self.proba(self._eval_forward(self.model[1:], hidden)).cpu().numpy()

    @torch.inference_mode()
    def evaluate(self, split: str) -> metrics.Metrics | RegressionMetrics:
        """Loss, accuracy, balanced accuracy, recall per class and confusion (numpy (C, C)) on a split;
        regression: loss, MAE, RMSE, R^2, Pearson r and the mean-predictor baseline (original scale)."""
        X, y = self.data[split]
        logits = self._eval_forward(self.model, X)
        if self.regression:
            y_true, y_pred = getattr(self.splits, f"y_{split}"), self.predict(logits).cpu().numpy()
            scores = regression_scores(y_true, y_pred, float(self.splits.y_train.mean()))
            return RegressionMetrics(loss=float(self.loss(logits, y)), **scores, y_true=y_true, y_pred=y_pred,
                                     target_scale=self.splits.y_scale)
        cm = metrics.confusion(y, self.predict(logits), self.n_classes)
        return metrics.Metrics(loss=float(self.loss(logits, y)), **metrics.scores(cm), confusion=cm)

    # ------------------------------------------------------------ training
    def set_lr(self, lr: float) -> None:
        """Takes effect on the next optimizer step."""
        self.lr = lr
        set_lr(self.optimizer, lr)

    def stop(self, status: Status = Status.STOPPED, message: str = "") -> None:
        self.stop_training = True
        self.status, self.message = status, message

    def _with_penalty(self, loss: torch.Tensor, model: torch.nn.Module) -> torch.Tensor:
        """Add the L1 penalty on ``model``'s Linear weights; no extra op on the hot path when l1 == 0."""
        if self.cfg.l1 == 0:
            return loss
        weights = self.l1_params if model is self.model else [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
        return loss + self.cfg.l1 * sum(w.abs().sum() for w in weights)

    def _step(self, xb: torch.Tensor, yb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One optimizer step of the run's model on a batch. Returns the detached (batch loss, logits (B, out))."""
        return self.step_on(self.model, self.optimizer, self.backprop, xb, yb)

    def step_on(self, model: nn.Module, optimizer: torch.optim.Optimizer, backprop: HandBackprop | None,
                xb: torch.Tensor, yb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
        """The one training step, for the run's model and for a job's copy of it (``copy_for_job``):
        loss with class weights, L1, hand backprop where the model allows it, then the optimizer."""
        if backprop is not None:  # sets every p.grad; the logged loss leaves out the L1 term, as below
            loss, logits = backprop(xb, yb)
            optimizer.step()
            return loss, logits
        logits = model(xb)
        loss = self.loss(logits, yb)
        optimizer.zero_grad(set_to_none=True)
        self._with_penalty(loss, model).backward()
        optimizer.step()
        return loss.detach(), logits.detach()

    def copy_for_job(self, initial: bool = False, optimizer: str | None = None,
                     knobs: dict[str, float] | None = None) -> "JobCopy":  # fmt: skip
        """A copy of the model with its own optimizer that trains through ``step_on``, for jobs (the LR
        range test). ``initial``: start from the run's initial weights instead of the current ones.
        ``optimizer`` / ``knobs``: another optimizer than the run's (the page's current setting)."""
        model = copy.deepcopy(self.model).train()
        if initial:
            model.load_state_dict(self.initial_state)
        name, kwargs = optimizer or self.cfg.optimizer, knobs if knobs is not None else self.cfg.optimizer_kwargs()
        opt = make_optimizer(name, freeze(model, self.cfg.layers), self.lr, **kwargs)
        return JobCopy(self, model, opt, self._hand_backprop(model))

    def _run_epoch(self) -> tuple[float, float]:
        """One pass over train in shuffled mini-batches. Returns (mean batch loss, running accuracy).

        Batch losses stay tensors and batch logits are copied into one preallocated (n, out)
        buffer, so the epoch costs a single host sync at the end (measured: within 2% of a bare loop).
        A full batch skips the shuffle (the mean gradient does not depend on row order) and the buffer.
        """
        X, y = self.data["train"]
        n, bs = len(y), self.batch_size
        if bs >= n:
            loss, logits = self._step(X, y)
            return float(loss), self._running_score(logits, y)
        if self._logit_buf is None:
            self._logit_buf = torch.empty(n, self.model[-1].out_features, device=self.device)
            sizes = [min(bs, n - start) for start in range(0, n, bs)]
            self._batch_share = torch.tensor(sizes, device=self.device, dtype=torch.float32) / n
        perm = torch.randperm(n, device=self.device, generator=self.generator)
        losses = []
        for start in range(0, n, bs):
            idx = perm[start : start + bs]
            loss, logits = self._step(X[idx], y[idx])
            losses.append(loss)
            self._logit_buf[start : start + bs] = logits
        mean_loss = torch.dot(torch.stack(losses), self._batch_share)  # batches weighted by their rows
        return float(mean_loss), self._running_score(self._logit_buf, y[perm])

    def _running_score(self, logits: torch.Tensor, y: torch.Tensor) -> float:
        """The epoch's running accuracy; regression: its running MAE on the original scale."""
        if self.regression:
            return float((logits.squeeze(1) - y).abs().mean()) * self.splits.y_scale
        return float((self.predict(logits) == y).sum()) / len(y)

    def validates(self, epoch: int) -> bool:
        """Whether ``epoch`` (1-based) is on the validation schedule: the first, every k-th, the last."""
        return epoch == 1 or epoch % self.val_every == 0 or epoch >= self.cfg.epochs

    def train_epoch(self, validate: bool = False) -> dict:
        """Run one epoch and notify callbacks. Returns the epoch's logs.

        The validation pass runs when the epoch is on the schedule (``validates``) or ``validate``
        is True (the runner forces it before a pause); otherwise the logs have no ``val_*`` keys.
        A forced validation is for display: ``logs["val_scheduled"]`` is False, and early stopping
        ignores it, so pausing a run does not change where it stops.
        """
        if not self.started:
            self._begin()
        t0 = time.perf_counter()
        loss, acc = self._run_epoch()
        seconds = time.perf_counter() - t0
        self.train_seconds += seconds
        self.epoch += 1
        logs = {
            "epoch": self.epoch,
            "loss": loss,
            "mae" if self.regression else "accuracy": acc,
            "lr": self.lr,
            "seconds": self.train_seconds,
            "samples_per_second": len(self.splits.y_train) / seconds if seconds > 0 else float("nan"),
        }
        scheduled = self.validates(self.epoch)
        if validate or scheduled:
            val = self.evaluate("val")
            logs["val_scheduled"] = scheduled
            logs["val_loss"] = val.loss
            if self.regression:  # no classes: no accuracy, recall or confusion
                logs.update(val_mae=val.mae, val_rmse=val.rmse, val_r2=val.r2, val_pearson_r=val.pearson_r,
                            val_baseline_mae=val.baseline_mae)  # the MAE chart's "mean predictor" line
            else:
                self._class_logs(logs, val)
            self.last_validated = self.epoch
        for cb in self.callbacks:
            cb.on_epoch_end(self, logs)
        if self.epoch >= self.cfg.epochs and not self.stop_training:
            self.stop(Status.FINISHED, f"finished {self.epoch} epoch{'s' if self.epoch != 1 else ''}")
        return logs

    @staticmethod
    def _class_logs(logs: dict, val: metrics.Metrics) -> None:
        logs["val_accuracy"] = val.accuracy
        logs["val_balanced_accuracy"] = val.balanced_accuracy
        logs["val_recall"] = val.recall  # (C,) array
        logs["val_confusion"] = val.confusion  # (C, C) array

    def _begin(self) -> None:
        self.started = True
        torch.set_num_threads(threads_for(self.n_params))  # process-wide; sized to the model
        self.status = Status.RUNNING
        for cb in self.callbacks:
            cb.on_train_begin(self)

    def finish(self) -> metrics.Metrics:
        """Evaluate on test once and notify callbacks (logs: ``test_*`` keys and ``epochs_run``)."""
        test = self.evaluate("test")
        logs = {f"test_{k}": v for k, v in vars(test).items()}
        logs["epochs_run"] = self.epoch
        for cb in self.callbacks:
            cb.on_train_end(self, logs)
        return test

    def fit(self) -> metrics.Metrics:
        """Train until the configured epochs or a callback stops it; returns the test split's metrics."""
        while not self.stop_training:
            self.train_epoch()
        return self.finish()


@dataclass
class JobCopy:
    """A job's own copy of the run's model and optimizer; ``step`` is the Trainer's step (``step_on``)."""

    trainer: Trainer
    model: nn.Module
    optimizer: torch.optim.Optimizer
    backprop: HandBackprop | None

    def step(self, xb: torch.Tensor, yb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.trainer.step_on(self.model, self.optimizer, self.backprop, xb, yb)

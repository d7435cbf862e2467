"""Trainer: builds the model for a config and data, runs epochs, and emits events to callbacks.

Keras/fastai style: ``fit()`` / ``train_epoch()`` call ``on_epoch_end(trainer, logs)`` on each
callback with a plain dict of scalars. History, early stopping, divergence and streaming are
observers (playground/callbacks.py); an observer ends training with ``trainer.stop(...)``.

Hot-path rules (see benchmarks/bench_trainer.py): tensors live on the device, batches are
``randperm`` slices (no DataLoader), and the step has no host sync: batch losses and logits
are kept as detached tensors and reduced once per epoch.
"""
from __future__ import annotations

import time
from typing import Iterable

import numpy as np
import torch
import torch.nn.functional as F

from playground import metrics
from playground.config import RunConfig, check_against_data, custom_class_weights
from playground.datasets import Splits
from playground.device import resolve_device, threads_for
from playground.model import build_mlp
from playground.optim import make_optimizer, set_lr


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
        self.binary_bce = self.n_classes == 2 and cfg.binary_loss == "bce"  # one sigmoid logit
        torch.manual_seed(cfg.seed)  # init and dropout masks
        self.model = build_mlp(splits.n_features, cfg.layers, 1 if self.binary_bce else self.n_classes, cfg.init)
        self.model.to(self.device)
        self.n_params = sum(p.numel() for p in self.model.parameters())
        self.optimizer = make_optimizer(
            cfg.optimizer, self.model.parameters(), cfg.lr, cfg.weight_decay, fused=True,
            momentum=cfg.momentum, beta1=cfg.beta1, beta2=cfg.beta2, rho=cfg.rho,
        )  # fmt: skip
        self.lr = cfg.lr
        self.generator = torch.Generator(device=self.device).manual_seed(cfg.seed)  # batch order
        self.data = {name: self._tensors(name) for name in ("train", "val", "test")}
        self.class_weight = self._class_weights()
        self.l1_params = [m.weight for m in self.model.modules() if isinstance(m, torch.nn.Linear)]
        self.epoch = 0  # epochs completed
        self.train_seconds = 0.0  # wall time inside training epochs only
        self.stop_training = False
        self.status = "ready"  # ready | running | finished | early_stopped | diverged | stopped
        self.message = ""
        self.started = False
        self._logit_buf: torch.Tensor | None = None  # (n_train, out) running logits of the epoch

    # ------------------------------------------------------------ setup helpers
    def _tensors(self, split: str) -> tuple[torch.Tensor, torch.Tensor]:
        X = getattr(self.splits, f"X_{split}")
        y = getattr(self.splits, f"y_{split}")
        return torch.as_tensor(X, device=self.device), torch.as_tensor(y, device=self.device)

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
        return (logits.squeeze(1) > 0).long() if self.binary_bce else logits.argmax(1)

    def proba(self, logits: torch.Tensor) -> torch.Tensor:
        """(B, C) class probabilities, for either output head."""
        if self.binary_bce:
            p1 = torch.sigmoid(logits)
            return torch.cat([1 - p1, p1], dim=1)
        return torch.softmax(logits, dim=1)

    @torch.no_grad()
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(N, d) float32 features -> (N, C) probabilities, in eval mode. Call from the trainer's thread."""
        self.model.eval()
        out = self.proba(self.model(torch.as_tensor(X, device=self.device)))
        self.model.train()
        return out.cpu().numpy()

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
        self.model.eval()
        out = self.proba(self.model[1:](hidden))
        self.model.train()
        return out.cpu().numpy()

    @torch.no_grad()
    def evaluate(self, split: str) -> dict:
        """Loss, accuracy, balanced accuracy, recall per class and confusion (numpy (C, C)) on a split."""
        X, y = self.data[split]
        self.model.eval()
        logits = self.model(X)
        self.model.train()
        cm = metrics.confusion(y, self.predict(logits), self.n_classes)
        return {
            "loss": float(self.loss(logits, y)),
            "accuracy": metrics.accuracy(cm),
            "balanced_accuracy": metrics.balanced_accuracy(cm),
            "recall": metrics.recall_per_class(cm),
            "confusion": cm,
        }

    # ------------------------------------------------------------ training
    def set_lr(self, lr: float) -> None:
        """Takes effect on the next optimizer step."""
        self.lr = lr
        set_lr(self.optimizer, lr)

    def stop(self, status: str = "stopped", message: str = "") -> None:
        self.stop_training = True
        self.status, self.message = status, message

    def _with_penalty(self, loss: torch.Tensor) -> torch.Tensor:
        """Add the L1 penalty on Linear weights; no extra op on the hot path when l1 == 0."""
        if self.cfg.l1 == 0:
            return loss
        return loss + self.cfg.l1 * sum(w.abs().sum() for w in self.l1_params)

    def _run_epoch(self) -> tuple[float, float]:
        """One pass over train in shuffled mini-batches. Returns (mean batch loss, running accuracy).

        Batch losses stay tensors and batch logits are copied into one preallocated (n, out)
        buffer, so the epoch costs a single host sync at the end (measured: within 2% of a bare loop).
        """
        X, y = self.data["train"]
        n, bs = len(y), self.batch_size
        if self._logit_buf is None:
            self._logit_buf = torch.empty(n, self.model[-1].out_features, device=self.device)
        perm = torch.randperm(n, device=self.device, generator=self.generator)
        losses = []
        for start in range(0, n, bs):
            idx = perm[start : start + bs]
            logits = self.model(X[idx])
            loss = self.loss(logits, y[idx])
            self.optimizer.zero_grad(set_to_none=True)
            self._with_penalty(loss).backward()
            self.optimizer.step()
            losses.append(loss.detach())
            self._logit_buf[start : start + bs] = logits.detach()
        sizes = torch.tensor([min(bs, n - s) for s in range(0, n, bs)], device=self.device, dtype=torch.float32)
        mean_loss = (torch.stack(losses) * sizes).sum() / n
        correct = (self.predict(self._logit_buf) == y[perm]).sum()
        return float(mean_loss), float(correct) / n

    def train_epoch(self) -> dict:
        """Run one epoch and notify callbacks. Returns the epoch's logs."""
        if not self.started:
            self._begin()
        t0 = time.perf_counter()
        loss, acc = self._run_epoch()
        seconds = time.perf_counter() - t0
        self.train_seconds += seconds
        self.epoch += 1
        val = self.evaluate("val")
        logs = {
            "epoch": self.epoch,
            "loss": loss,
            "accuracy": acc,
            "val_loss": val["loss"],
            "val_accuracy": val["accuracy"],
            "val_balanced_accuracy": val["balanced_accuracy"],
            "lr": self.lr,
            "seconds": self.train_seconds,
            "samples_per_second": len(self.splits.y_train) / seconds if seconds > 0 else float("nan"),
            "val_recall": val["recall"],  # (C,) array
            "val_confusion": val["confusion"],  # (C, C) array
        }
        for cb in self.callbacks:
            cb.on_epoch_end(self, logs)
        if self.epoch >= self.cfg.epochs and not self.stop_training:
            self.stop("finished", f"finished {self.epoch} epoch{'s' if self.epoch != 1 else ''}")
        return logs

    def _begin(self) -> None:
        self.started = True
        torch.set_num_threads(threads_for(self.n_params))  # process-wide; sized to the model
        self.status = "running"
        for cb in self.callbacks:
            cb.on_train_begin(self)

    def finish(self) -> dict:
        """Evaluate on test once and notify callbacks. Returns test logs (test_* keys)."""
        test = self.evaluate("test")
        logs = {f"test_{k}": v for k, v in test.items()}
        logs["epochs_run"] = self.epoch
        for cb in self.callbacks:
            cb.on_train_end(self, logs)
        return logs

    def fit(self) -> dict:
        """Train until the configured epochs or a callback stops it; returns the test logs."""
        while not self.stop_training:
            self.train_epoch()
        return self.finish()

"""GradientFlow: per-layer weight norm, gradient norm, update ratio, dead units and saturation.

Computed lazily in ``snapshot()`` -- only at the runner's publish rate, never per step -- on a
fixed probe batch of training rows: one forward with hooks on the activation modules and one
``torch.autograd.grad`` (no optimizer step; the parameters' ``.grad`` is never touched).

The probe runs with dropout off (it must not draw from the training RNG) and BatchNorm on batch
statistics (as in training; with running statistics an untrained BN net looks like the plain
one), with BN's running buffers saved and put back.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import replace

import numpy as np
import torch
from torch import nn

from playground.diagnostic_stats import GradFlowHistory, GradFlowStats, ProbeStats  # noqa: F401  (the page's types)
from playground.freeze import mark_frozen
from playground.model import ACTIVATIONS
from playground.modes import eval_mode
from playground.trainer import Callback, Trainer

PROBE_ROWS = 256  # rows of train in the probe batch
HISTORY = 200  # publishes kept for the live chart
RELU_FAMILY = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU)  # "dead": negative input on every probe row
SATURATING = (nn.Sigmoid, nn.Tanh)
SATURATION = 0.97  # |tanh| > 0.97; sigmoid < 0.03 or > 0.97


def layer_groups(model: nn.Sequential) -> list[tuple[str, nn.Linear, nn.Module | None]]:
    """(label, Linear, its activation or None) per Linear; the last Linear is the output (logits)."""
    groups: list[list] = []
    for m in model:
        if isinstance(m, nn.Linear):
            groups.append([m, None])
        elif groups and isinstance(m, tuple(ACTIVATIONS.values())):
            groups[-1][1] = m
    names = {cls: name for name, cls in ACTIVATIONS.items()}  # nn.Identity -> "linear"
    labels = [f"{i} {names.get(type(a), '')}".strip() for i, (_, a) in enumerate(groups, 1)]
    labels[-1] = "output"
    return [(label, lin, act) for label, (lin, act) in zip(labels, groups)]


def dead_fraction(pre: torch.Tensor) -> float:
    """pre (B, U) activation inputs -> fraction of units with input <= 0 on every row (ReLU outputs 0)."""
    return float((pre.amax(dim=0) <= 0).float().mean())  # max over rows <= 0; 5x faster than .all(dim=0)


def saturated_fraction(act: nn.Module, out: torch.Tensor) -> float:
    """out (B, U) activations -> fraction in the flat tails of sigmoid / tanh."""
    if isinstance(act, nn.Tanh):
        return float((out.abs() > SATURATION).float().mean())
    return float(((out < 1 - SATURATION) | (out > SATURATION)).float().mean())


@contextmanager
def probe_mode(model: nn.Module):
    """``eval_mode`` (dropout off, the mode put back), except BatchNorm on batch statistics, with its
    running buffers restored afterwards (a batch-statistics forward updates them)."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [{k: v.clone() for k, v in bn.named_buffers()} for bn in bns]
    with eval_mode(model):
        for bn in bns:
            bn.train()
        try:
            yield
        finally:
            for bn, buffers in zip(bns, saved):
                for k, v in bn.named_buffers():
                    v.copy_(buffers[k])


def probe_stats(model: nn.Sequential, loss_fn, X: torch.Tensor, y: torch.Tensor) -> ProbeStats:
    """One forward + gradient on (X (B, d), y (B,)). Returns per-layer arrays (L,) and the labels."""
    groups = layer_groups(model)
    captured: dict[nn.Module, tuple[torch.Tensor, torch.Tensor]] = {}
    hooks = [
        act.register_forward_hook(lambda m, inp, out: captured.__setitem__(m, (inp[0].detach(), out.detach())))
        for _, _, act in groups
        if act is not None
    ]
    try:
        with probe_mode(model):
            loss = loss_fn(model(X), y)
            weights = [lin.weight for _, lin, _ in groups]
            grads = torch.autograd.grad(loss, weights)
    finally:
        for h in hooks:
            h.remove()
    dead, saturated = [], []
    for _, _, act in groups:
        pre, out = captured.get(act, (None, None))
        dead.append(dead_fraction(pre) if isinstance(act, RELU_FAMILY) else math.nan)
        saturated.append(saturated_fraction(act, out) if isinstance(act, SATURATING) else math.nan)
    return ProbeStats(
        layers=tuple(label for label, _, _ in groups),
        activations=tuple(type(act).__name__ if act is not None else "" for _, _, act in groups),
        loss=float(loss.detach()),
        weight_norm=np.array([float(w.detach().norm()) for w in weights]),
        grad_norm=np.array([float(g.norm()) for g in grads]),
        dead=np.array(dead),
        saturation=np.array(saturated),
    )


class GradientFlow(Callback):
    snapshot_key = "gradflow"

    def __init__(self, probe_rows: int = PROBE_ROWS, history: int = HISTORY) -> None:
        self.probe_rows = probe_rows
        self.trainer: Trainer | None = None
        self.probe: tuple[torch.Tensor, torch.Tensor] | None = None
        self.prev: list[torch.Tensor] | None = None  # weights at the last computed snapshot
        self.prev_step = 0
        self.max_history = history
        self.history: GradFlowHistory | None = None  # shared by published snapshots: replaced, never written
        self.cached: tuple[int, GradFlowStats] | None = None  # (step, stats): no recompute without training

    def on_train_begin(self, trainer: Trainer) -> None:
        X, y = trainer.data["train"]
        rng = np.random.default_rng(trainer.cfg.seed)
        idx = torch.as_tensor(rng.permutation(len(y))[: self.probe_rows], device=X.device)
        self.trainer, self.probe = trainer, (X[idx], y[idx])

    def _steps(self) -> int:
        t = self.trainer
        return t.epoch * math.ceil(len(t.data["train"][1]) / t.batch_size)

    def snapshot(self) -> GradFlowStats | None:
        if self.trainer is None:
            return None  # published before the first epoch begins
        step = self._steps()
        if self.cached is None or self.cached[0] != step:
            self.cached = (step, self._compute(step))
        return self.cached[1]

    def _compute(self, step: int) -> GradFlowStats:
        model = self.trainer.model
        probe = probe_stats(model, self.trainer.loss, *self.probe)
        probe = replace(probe, layers=mark_frozen(probe.layers, self.trainer.cfg.layers))  # the chart marks them
        now = [lin.weight.detach().clone() for _, lin, _ in layer_groups(model)]
        ratio = self._update_ratio(now, step)
        self.prev, self.prev_step = now, step
        self.history = self._appended(self.trainer.epoch, probe.grad_norm, ratio)
        return GradFlowStats(**vars(probe), update_ratio=ratio, epoch=self.trainer.epoch, history=self.history)

    def _appended(self, epoch: int, grad_norm: np.ndarray, ratio: np.ndarray) -> GradFlowHistory:
        """The history with this compute's row added, the oldest dropped beyond ``max_history`` rows."""
        row = GradFlowHistory(np.array([epoch]), grad_norm[None], ratio[None])
        if self.history is None:
            return row
        start = max(0, len(self.history.epoch) + 1 - self.max_history)
        return GradFlowHistory(*(np.concatenate([getattr(self.history, k)[start:], getattr(row, k)])
                                 for k in ("epoch", "grad_norm", "update_ratio")))  # fmt: skip

    def _update_ratio(self, now: list[torch.Tensor], step: int) -> np.ndarray:
        """||W_now - W_prev|| / ||W_prev|| per optimizer step since the last snapshot (NaN at the first)."""
        steps = step - self.prev_step
        if self.prev is None or steps <= 0:
            return np.full(len(now), math.nan)
        return np.array([float((w - p).norm() / p.norm().clamp_min(1e-12)) / steps for w, p in zip(now, self.prev)])

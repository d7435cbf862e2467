"""OPTIMIZERS registry: name -> torch.optim factory, with the knobs each one reads.

Every optimizer is a real ``torch.optim`` class; this file only maps the playground's
flat knobs (momentum, beta1/beta2, rho) onto each constructor's arguments.
The registry's keys are ``names.OPTIMIZER_NAMES`` (config validates against those without torch).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import torch

from playground.config import DEFAULT


@dataclass(frozen=True)
class OptimizerSpec:
    make: Callable[..., torch.optim.Optimizer]  # (params, lr, weight_decay, knobs) -> optimizer
    knobs: tuple[str, ...]  # which of momentum / beta1 / beta2 / rho this optimizer reads
    summary: str  # one line for captions: what the update does


OPTIMIZERS: dict[str, OptimizerSpec] = {
    "sgd": OptimizerSpec(
        lambda p, lr, wd, k, **f: torch.optim.SGD(p, lr=lr, weight_decay=wd, **f),
        (),
        "SGD steps straight down the gradient: w -= lr * g.",
    ),
    "momentum": OptimizerSpec(
        lambda p, lr, wd, k, **f: torch.optim.SGD(p, lr=lr, weight_decay=wd, momentum=k["momentum"], **f),
        ("momentum",),
        "Momentum accumulates a velocity v = m*v + g and steps along it, so it rolls through ravines.",
    ),
    "nesterov": OptimizerSpec(
        lambda p, lr, wd, k, **f: torch.optim.SGD(
            p, lr=lr, weight_decay=wd, momentum=k["momentum"], nesterov=True, **f
        ),
        ("momentum",),
        "Nesterov momentum looks ahead: it takes the gradient where the velocity is about to carry it.",
    ),
    "rmsprop": OptimizerSpec(
        lambda p, lr, wd, k, **f: torch.optim.RMSprop(p, lr=lr, weight_decay=wd, alpha=k["rho"]),
        ("rho",),
        "RMSprop divides each coordinate's step by a running RMS of its recent gradients (decay rho).",
    ),
    "adagrad": OptimizerSpec(
        lambda p, lr, wd, k, **f: torch.optim.Adagrad(p, lr=lr, weight_decay=wd, **f),
        (),
        "Adagrad's per-coordinate step shrinks with the running sum of squared gradients.",
    ),
    "adadelta": OptimizerSpec(
        lambda p, lr, wd, k, **f: torch.optim.Adadelta(p, lr=lr, weight_decay=wd, rho=k["rho"]),
        ("rho",),
        "Adadelta uses a decaying window of squared gradients and of past updates instead of a growing sum.",
    ),
    "adam": OptimizerSpec(
        lambda p, lr, wd, k, **f: torch.optim.Adam(p, lr=lr, weight_decay=wd, betas=(k["beta1"], k["beta2"]), **f),
        ("beta1", "beta2"),
        "Adam combines momentum (beta1) with RMS scaling (beta2), plus bias correction for early steps.",
    ),
    "adamw": OptimizerSpec(
        lambda p, lr, wd, k, **f: torch.optim.AdamW(p, lr=lr, weight_decay=wd, betas=(k["beta1"], k["beta2"]), **f),
        ("beta1", "beta2"),
        "AdamW is Adam with weight decay applied directly to the weights, decoupled from the gradient scaling.",
    ),
}

# Every knob at RunConfig's default (momentum, beta1, beta2, rho); a caller overrides only what it sets.
DEFAULT_KNOBS = {k: v for k, v in DEFAULT.optimizer_kwargs().items() if k != "weight_decay"}
# These constructors accept fused=True (one kernel per step instead of one per tensor).
_FUSABLE = {"sgd", "momentum", "nesterov", "adagrad", "adam", "adamw"}


def make_optimizer(
    name: str,
    params: Iterable[torch.nn.Parameter],
    lr: float,
    weight_decay: float = 0.0,
    fused: bool = False,
    **knobs: float,
) -> torch.optim.Optimizer:
    """Build ``OPTIMIZERS[name]``; ``fused`` is honoured only where torch supports it."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer == {name!r}, must be one of {sorted(OPTIMIZERS)}")
    k = {**DEFAULT_KNOBS, **knobs}
    extra = {"fused": True} if fused and name in _FUSABLE else {}
    return OPTIMIZERS[name].make(list(params), lr, weight_decay, k, **extra)


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Change the learning rate in place; takes effect on the next ``step()``."""
    for group in optimizer.param_groups:
        group["lr"] = lr

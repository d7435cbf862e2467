"""OPTIMIZERS registry: name -> the torch.optim class it builds, with the knobs each one reads.

Every optimizer is a real ``torch.optim`` class; this file only maps the playground's
flat knobs (momentum, beta1/beta2, rho) onto each constructor's arguments.
The registry's keys are ``names.OPTIMIZER_NAMES`` (config validates against those without torch).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from playground.config import DEFAULT

if TYPE_CHECKING:  # imported where an optimizer is built: the page lists OPTIMIZERS without waiting for torch
    import torch


@dataclass(frozen=True)
class OptimizerSpec:
    torch_class: str  # the torch.optim class it builds
    args: Callable[[dict], dict]  # knobs -> that constructor's arguments besides params, lr and weight_decay
    knobs: tuple[str, ...]  # which of momentum / beta1 / beta2 / rho this optimizer reads
    summary: str  # one line for captions: what the update does


def _betas(k: dict) -> dict:
    return {"betas": (k["beta1"], k["beta2"])}


OPTIMIZERS: dict[str, OptimizerSpec] = {
    "sgd": OptimizerSpec("SGD", lambda k: {}, (), "SGD steps straight down the gradient: w -= lr * g."),
    "momentum": OptimizerSpec(
        "SGD", lambda k: {"momentum": k["momentum"]}, ("momentum",),
        "Momentum accumulates a velocity v = m*v + g and steps along it, so it rolls through ravines.",
    ),
    "nesterov": OptimizerSpec(
        "SGD", lambda k: {"momentum": k["momentum"], "nesterov": True}, ("momentum",),
        "Nesterov momentum looks ahead: it takes the gradient where the velocity is about to carry it.",
    ),
    "rmsprop": OptimizerSpec(
        "RMSprop", lambda k: {"alpha": k["rho"]}, ("rho",),
        "RMSprop divides each coordinate's step by a running RMS of its recent gradients (decay rho).",
    ),
    "adagrad": OptimizerSpec(
        "Adagrad", lambda k: {}, (), "Adagrad's per-coordinate step shrinks with the running sum of squared gradients.",
    ),
    "adadelta": OptimizerSpec(
        "Adadelta", lambda k: {"rho": k["rho"]}, ("rho",),
        "Adadelta uses a decaying window of squared gradients and of past updates instead of a growing sum.",
    ),
    "adam": OptimizerSpec(
        "Adam", _betas, ("beta1", "beta2"),
        "Adam combines momentum (beta1) with RMS scaling (beta2), plus bias correction for early steps.",
    ),
    "adamw": OptimizerSpec(
        "AdamW", _betas, ("beta1", "beta2"),
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
    import torch

    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer == {name!r}, must be one of {sorted(OPTIMIZERS)}")
    k = {**DEFAULT_KNOBS, **knobs}
    extra = {"fused": True} if fused and name in _FUSABLE else {}
    spec = OPTIMIZERS[name]
    return getattr(torch.optim, spec.torch_class)(list(params), lr=lr, weight_decay=weight_decay, **spec.args(k), **extra)


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Change the learning rate in place; takes effect on the next ``step()``."""
    for group in optimizer.param_groups:
        group["lr"] = lr

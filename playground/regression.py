"""Regression losses (issue 13): the LOSSES registry, name -> loss of one linear output against a target.

The output head is one linear unit: ``logits (B, 1)``, squeezed to ``(B,)`` against the float32
target ``(B,)`` (on the training scale: ``(y - Splits.y_offset) / Splits.y_scale``).
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from playground.names import REGRESSION_LOSS_NAMES

HUBER_DELTA = 1.0  # quadratic within 1 unit of the target, linear outside: MSE near, MAE far

_LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "mse": F.mse_loss,  # mean squared error: punishes large errors most; its minimiser is the mean
    "mae": F.l1_loss,  # mean absolute error: robust to outliers; its minimiser is the median
    "huber": lambda pred, y: F.huber_loss(pred, y, delta=HUBER_DELTA),
}
LOSSES = {name: _LOSSES[name] for name in REGRESSION_LOSS_NAMES}  # names.REGRESSION_LOSS_NAMES order


def regression_loss(name: str, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean loss of ``logits (B, 1)`` against ``y (B,)``."""
    return LOSSES[name](logits.squeeze(1), y)

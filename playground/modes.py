"""Evaluation mode in one place: dropout off, BatchNorm on its running statistics, the mode put back.

Everything that evaluates a model between training steps (validation and the boundary grid in
the Trainer, the stall guard and its diagnosis) goes through ``eval_mode``; gradient flow's
``probe_mode`` is ``eval_mode`` with BatchNorm put back on batch statistics, as in training. The
landscape evaluates a private copy that it leaves in eval mode for good.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from torch import nn

_MODAL = (nn.Dropout, nn.modules.batchnorm._BatchNorm)  # the layers that behave differently in eval mode


def has_modes(model: nn.Module) -> bool:
    """False for plain MLPs: eval() changes nothing, so callers may skip the switch (it costs ~10 us)."""
    return any(isinstance(m, _MODAL) for m in model.modules())


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """``with eval_mode(model): model(x)`` evaluates deterministically, then restores train/eval as it was."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)

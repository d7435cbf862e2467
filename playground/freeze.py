"""Frozen layers: a hidden layer whose ``LayerSpec.frozen`` is set keeps its weights through training.

    trainable = freeze(model, cfg.layers)   # the parameters the optimizer may move
    optimizer = make_optimizer(name, trainable, lr)

A frozen layer's Linear (and BatchNorm affine) parameters are simply not given to the optimizer, so
no step, momentum or weight decay ever touches them: they stay bit-identical. Their gradients are
still computed (the gradient-flow view shows what reaches the layer; HandBackprop writes every
``.grad``), which costs one small matmul per frozen layer and step. A frozen BatchNorm keeps its running
statistics too (momentum 0: ``running = (1 - 0) * running + 0 * batch``); in training mode it still
normalises with the batch's statistics, as torch's ``requires_grad_(False)`` recipe does.

The typical use: ``train --init-from FILE --layers "64:relu:frozen,64:relu"``: the first layer keeps the
file's weights and the rest adapts.
"""
from __future__ import annotations

from typing import Sequence

from torch import nn


def hidden_blocks(model: nn.Sequential) -> list[list[nn.Module]]:
    """The modules of each hidden layer (Linear, [BatchNorm], activation, [Dropout]), in order; the output
    Linear is left out. ``build_mlp`` starts a block at every Linear."""
    blocks: list[list[nn.Module]] = []
    for m in model:
        if isinstance(m, nn.Linear):
            blocks.append([m])
        elif blocks:
            blocks[-1].append(m)
    return blocks[:-1]  # the last block is the output Linear alone


def freeze(model: nn.Sequential, layers: Sequence) -> list[nn.Parameter]:
    """Freeze the hidden layers whose spec has ``frozen``; returns the parameters left to train, in
    ``model.parameters()`` order (the optimizer's list)."""
    frozen: set[int] = set()
    for spec, block in zip(layers, hidden_blocks(model)):
        if not getattr(spec, "frozen", False):
            continue
        for m in block:
            frozen.update(id(p) for p in m.parameters())
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.momentum = 0.0  # running stats stay as they are
    return [p for p in model.parameters() if id(p) not in frozen]


def frozen_flags(layers: Sequence) -> tuple[bool, ...]:
    """Per Linear of the network, input to output: whether it is frozen (the output layer never is)."""
    return (*(bool(getattr(spec, "frozen", False)) for spec in layers), False)


FROZEN_MARK = " frozen"  # appended to a frozen layer's gradient-flow label ("1 relu frozen"; the chart's "1 frozen")


def mark_frozen(labels: Sequence[str], layers: Sequence) -> tuple[str, ...]:
    """Gradient-flow labels (one per Linear, input to output) with the frozen hidden layers marked."""
    return tuple(label + FROZEN_MARK if frozen else label for label, frozen in zip(labels, frozen_flags(layers)))

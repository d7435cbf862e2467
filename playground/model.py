"""ACTIVATIONS / INITS registries and the MLP builder.

The network is plain constructor data, micrograd style: ``build_mlp(n_in, layers, n_out)``
returns ``nn.Sequential`` of blocks ``Linear -> [BatchNorm1d] -> activation -> [Dropout]``
followed by the output ``Linear`` (logits; the loss applies softmax / sigmoid).
The registries' keys are ``names.ACTIVATION_NAMES`` / ``INIT_NAMES`` (config validates against those
without torch); the layer table and parameter count live in the torch-free ``architecture``.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "softplus": nn.Softplus,
    "linear": nn.Identity,
}


def _zeros(w: torch.Tensor) -> None:
    nn.init.zeros_(w)


def _xavier(w: torch.Tensor) -> None:
    nn.init.xavier_uniform_(w)


def _kaiming(w: torch.Tensor) -> None:
    nn.init.kaiming_uniform_(w, nonlinearity="relu")


# Weight initialisers for Linear layers; None keeps torch's default (kaiming-uniform, a=sqrt(5)).
# Biases are zeroed whenever a non-default init is chosen.
INITS = {"default": None, "xavier": _xavier, "kaiming": _kaiming, "zeros": _zeros}


def build_mlp(n_in: int, layers: Sequence, n_out: int, init: str = "default") -> nn.Sequential:
    """``layers`` holds objects with ``units, activation, dropout, batchnorm`` (config.LayerSpec)."""
    blocks: list[nn.Module] = []
    width = n_in
    for spec in layers:
        blocks.append(nn.Linear(width, spec.units))
        if spec.batchnorm:
            blocks.append(nn.BatchNorm1d(spec.units))
        blocks.append(ACTIVATIONS[spec.activation]())
        if spec.dropout > 0:
            blocks.append(nn.Dropout(spec.dropout))
        width = spec.units
    blocks.append(nn.Linear(width, n_out))
    model = nn.Sequential(*blocks)
    init_fn = INITS[init]
    if init_fn is not None:
        for m in model.modules():
            if isinstance(m, nn.Linear):
                init_fn(m.weight)
                nn.init.zeros_(m.bias)
    return model

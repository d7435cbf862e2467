"""ACTIVATIONS / INITS registries and the MLP builder.

The network is plain constructor data, micrograd style: ``build_mlp(n_in, layers, n_out)``
returns ``nn.Sequential`` of blocks ``Linear -> [BatchNorm1d] -> activation -> [Dropout]``
followed by the output ``Linear`` (logits; the loss applies softmax / sigmoid).
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


def layer_table(n_in: int, layers: Sequence, n_out: int) -> list[dict]:
    """Rows for the page's layer table, computed without torch (page threads must not run torch).

    Parameter counts: Linear has in*out + out; BatchNorm1d has 2*units (running stats are buffers).
    """
    rows, width = [], n_in
    rows.append({"layer": "input", "units": n_in, "activation": "", "dropout": 0.0, "batchnorm": False, "params": 0})
    for i, spec in enumerate(layers, 1):
        params = width * spec.units + spec.units + (2 * spec.units if spec.batchnorm else 0)
        rows.append(
            {
                "layer": f"hidden {i}",
                "units": spec.units,
                "activation": spec.activation,
                "dropout": spec.dropout,
                "batchnorm": spec.batchnorm,
                "params": params,
            }
        )
        width = spec.units
    rows.append({"layer": "output", "units": n_out, "activation": "logits", "dropout": 0.0, "batchnorm": False,
                 "params": width * n_out + n_out})
    return rows


def count_params(n_in: int, layers: Sequence, n_out: int) -> int:
    return sum(row["params"] for row in layer_table(n_in, layers, n_out))

"""The training process's side of the network graph: one forward pass over the boundary grid that
keeps every hidden layer's output, and the graph built from the model's Linear weights.

The boundary and the unit maps come from this single pass (a 2-D set's 100x100 grid), so the maps
cost the copies of the shown units' columns, not a second forward. Sets drawn on a PCA plane get
the graph without maps (their grid goes through ``Trainer.predict_proba_affine``).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from playground.modes import eval_mode
from playground.network_graph import NetworkGraph, network_graph, output_names


@torch.no_grad()
def forward_keeping_hidden(model: nn.Sequential, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """``model(x)`` in eval mode, module by module: (logits (N, out), [hidden layer outputs (N, H_l)]).

    A hidden layer's output is what enters the next Linear (after activation, BatchNorm and dropout,
    which is the identity in eval mode)."""
    hidden = []
    with eval_mode(model):
        for i, m in enumerate(model):
            if isinstance(m, nn.Linear) and i > 0:
                hidden.append(x)
            x = m(x)
    return x, hidden


def linear_arrays(model: nn.Module) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The Linear layers' (out, in) weights and (out,) biases as numpy views (read-only use)."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return ([m.weight.detach().cpu().numpy() for m in linears],
            [m.bias.detach().cpu().numpy() for m in linears])  # fmt: skip


def graph_of(trainer, hidden: list[torch.Tensor] | None = None, plane=None, previous: NetworkGraph | None = None) -> NetworkGraph:
    """The trainer's network graph; with ``hidden`` (the grid pass's hidden outputs) and its ``plane``,
    every shown hidden unit carries its map; ``previous``: the last graph published (sticky picks)."""
    weights, biases = linear_arrays(trainer.model)
    splits = trainer.splits
    outputs = output_names(splits.dataset.class_names, weights[-1].shape[0])
    maps = {}
    if hidden is not None:
        maps = dict(hidden=[h.cpu().numpy() for h in hidden], grid_shape=(len(plane.ys), len(plane.xs)),
                    xs=plane.xs, ys=plane.ys)  # fmt: skip
    # the inputs are the model's: x1, x2 and a 2-D set's crosses (x1², ...), or a real set's features
    return network_graph(weights, biases, splits.feature_names, outputs, [layer.activation for layer in trainer.cfg.layers],
                         previous=previous, **maps)  # fmt: skip

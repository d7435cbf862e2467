"""Why a run stalled: the diagnosis StallGuard reports when the output stops depending on the input.

Three different failures end the same way, and each has its own cure:
- every unit of a layer has the same weights (the zeros init): they compute one thing forever;
- every ReLU of a layer is dead on the data, often because too large a step blew the weights up;
- the signal fades through saturating layers (sigmoid, tanh): every example reaches the output
  with nearly the same activations, and the gradient reaching the first layer vanishes.
Computed once, when the guard fires, on the guard's probe rows.
"""
from __future__ import annotations

import torch
from torch import nn

from playground.diagnostics.gradflow import RELU_FAMILY, SATURATING, layer_groups
from playground.modes import eval_mode

BLOWN_UP = 10.0  # the largest weight grew this many times over its value at the start: "blew up"


def largest_weight(model: nn.Module) -> float:
    return max((float(m.weight.detach().abs().max()) for m in model.modules() if isinstance(m, nn.Linear)), default=0.0)


def _pre_activations(model: nn.Sequential, X: torch.Tensor) -> dict[nn.Module, torch.Tensor]:
    """Input of every activation module on ``X`` (B, U), in eval mode."""
    seen: dict[nn.Module, torch.Tensor] = {}
    hooks = [m.register_forward_hook(lambda mod, inp, out: seen.__setitem__(mod, inp[0].detach()))
             for m in model if isinstance(m, RELU_FAMILY + SATURATING)]  # fmt: skip
    try:
        with eval_mode(model), torch.no_grad():
            model(X)
    finally:
        for h in hooks:
            h.remove()
    return seen


def _gradient_ratio(trainer, X: torch.Tensor, y: torch.Tensor) -> float:
    """|dL/dW| of the first Linear over that of the output Linear, on the probe rows."""
    linears = [m for m in trainer.model.modules() if isinstance(m, nn.Linear)]
    first, last = torch.autograd.grad(trainer.loss(trainer.model(X), y), [linears[0].weight, linears[-1].weight])
    return float(first.norm() / last.norm().clamp_min(1e-30))


def stall_cause(trainer, X: torch.Tensor, y: torch.Tensor, start_weight: float) -> str:
    """One sentence: what stalled this run and what to try. ``start_weight``: largest |w| at the start."""
    groups = layer_groups(trainer.model)[:-1]  # hidden layers: (label, Linear, activation)
    for i, (_, linear, _) in enumerate(groups, 1):
        W = linear.weight.detach()
        if len(W) > 1 and float((W - W[:1]).abs().max()) <= 1e-7 * (1.0 + float(W.abs().max())):
            return (f"every unit of hidden layer {i} has the same weights ({trainer.cfg.init} init), so they compute one "
                    "thing and get one gradient forever; choose the default, xavier or kaiming init")  # fmt: skip
    pre = _pre_activations(trainer.model, X)
    for i, (_, _, act) in enumerate(groups, 1):
        if isinstance(act, RELU_FAMILY) and act in pre and bool((pre[act].amax(dim=0) <= 0).all()):
            grown = largest_weight(trainer.model) / max(start_weight, 1e-12)
            if start_weight > 0 and grown >= BLOWN_UP:
                return (f"the steps were too large (lr {trainer.lr:g}): the weights blew up ({grown:.0f}x their starting "
                        f"size) and every ReLU of hidden layer {i} died, so no gradient gets through; try a learning "
                        "rate 10-100x smaller")  # fmt: skip
            return (f"every ReLU of hidden layer {i} is dead (its input is negative for every example, so it passes no "
                    "gradient); try a smaller learning rate, leaky_relu or the kaiming init")  # fmt: skip
    if any(isinstance(act, SATURATING) for _, _, act in groups):
        ratio = _gradient_ratio(trainer, X, y)
        return (f"the signal fades through the sigmoid/tanh layers: every example reaches the output with nearly the "
                f"same activations, and the first layer gets {ratio:.0e} of the output layer's gradient (vanishing "
                "gradients); try relu, or batchnorm between the layers")  # fmt: skip
    return ("the network gives the same output for every training example, so its weights can no longer learn; try a "
            "smaller learning rate, leaky_relu or another init")  # fmt: skip

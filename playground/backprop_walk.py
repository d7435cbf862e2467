"""One training step of a tiny network, every number of it: the backprop walk-through's engine.

A 2-H-1 net (H = 2 or 3 hidden units, one activation, a sigmoid-BCE output) on one example of the
XOR set. The step is the trainer's: ``build_mlp`` builds the net, ``HandBackprop`` (the trainer's
backward pass) writes the parameter gradients, and a ``torch.optim.SGD`` step updates the weights,
so the walk shows what training does, not a re-derivation. The gradients at the nodes
(dL/dz, dL/da), which the engine never keeps, come from the same aten kernels
(``backprop.ACTIVATION_GRADS``). tests/unit/test_backprop_walk.py checks every number against autograd.

Shapes: x (2,), hidden pre-activation z1 (H,), activation a1 (H,), output logit z2 (1,), p (1,);
W1 (H, 2), b1 (H,), W2 (1, H), b2 (1,): torch's Linear layout (out, in).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from playground.backprop import ACTIVATION_GRADS, HandBackprop
from playground.config import LayerSpec
from playground.datasets.toy import xor
from playground.model import build_mlp
from playground.optim import make_optimizer

HIDDEN_CHOICES = (2, 3)
ACTIVATION_CHOICES = ("tanh", "sigmoid", "relu")
# The walk's stages, in the order the Next button visits them.
STAGES = ("input", "hidden_z", "hidden_a", "output", "loss", "grad_output", "grad_w2", "grad_hidden_a",
          "grad_hidden_z", "grad_w1", "update")  # fmt: skip


@dataclass(frozen=True)
class WalkSettings:
    hidden: int = 2  # hidden units: 2 or 3 (HIDDEN_CHOICES)
    activation: str = "tanh"  # the hidden layer's activation (ACTIVATION_CHOICES)
    lr: float = 0.5  # SGD step size
    seed: int = 0  # the initial weights and the XOR points
    example: int = 0  # which of the XOR set's points the step trains on (0..EXAMPLES-1)


EXAMPLES = 8  # XOR points to pick from


@dataclass(frozen=True)
class Walk:
    """Every number of one SGD step on one example (float64 copies of float32 values)."""

    settings: WalkSettings
    x: np.ndarray  # (2,) the example
    y: int  # its label, 0 or 1
    W1: np.ndarray  # (H, 2) weights before the step
    b1: np.ndarray  # (H,)
    W2: np.ndarray  # (1, H)
    b2: np.ndarray  # (1,)
    z1: np.ndarray  # (H,) W1 x + b1
    a1: np.ndarray  # (H,) activation(z1)
    z2: np.ndarray  # (1,) W2 a1 + b2, the logit
    p: np.ndarray  # (1,) sigmoid(z2) = p(class 1)
    loss: float  # -(y log p + (1 - y) log(1 - p))
    dz2: np.ndarray  # (1,) dL/dz2 = p - y
    dW2: np.ndarray  # (1, H) dL/dW2 = dz2 a1^T
    db2: np.ndarray  # (1,)
    da1: np.ndarray  # (H,) dL/da1 = W2^T dz2
    dz1: np.ndarray  # (H,) dL/dz1 = da1 * activation'(z1)
    dW1: np.ndarray  # (H, 2) dL/dW1 = dz1 x^T
    db1: np.ndarray  # (H,)
    W1_new: np.ndarray  # (H, 2) W1 - lr dW1, as the optimizer stepped it
    b1_new: np.ndarray
    W2_new: np.ndarray  # (1, H)
    b2_new: np.ndarray
    loss_after: float  # the same example's loss after the step


def validate(settings: WalkSettings) -> None:
    """Errors name the setting, its value and the limit."""
    s = settings
    if s.hidden not in HIDDEN_CHOICES:
        raise ValueError(f"hidden == {s.hidden}, must be one of {HIDDEN_CHOICES}")
    if s.activation not in ACTIVATION_CHOICES:
        raise ValueError(f"activation == {s.activation!r}, must be one of {ACTIVATION_CHOICES}")
    if not 0 < s.lr <= 10:
        raise ValueError(f"lr == {s.lr}, must be in (0, 10]")
    if not 0 <= s.example < EXAMPLES:
        raise ValueError(f"example == {s.example}, must be in [0, {EXAMPLES - 1}]")


def xor_points(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """EXAMPLES points of the playground's XOR set ((n, 2) float32, (n,) int64), noise 0.1."""
    return xor(EXAMPLES // 2, 2, 0.1, np.random.default_rng(seed))


def walk(settings: WalkSettings = WalkSettings()) -> Walk:
    """One SGD step of the 2-H-1 net on example ``settings.example``, every intermediate kept."""
    validate(settings)
    torch.manual_seed(settings.seed)
    model = build_mlp(2, [LayerSpec(settings.hidden, settings.activation)], 1, init="xavier")
    with torch.no_grad():  # xavier zeroes the biases; small non-zero ones show that b gets a gradient too
        for m in (model[0], model[2]):
            m.bias.uniform_(-0.5, 0.5)
    X, Y = xor_points(settings.seed)
    x, y = torch.from_numpy(X[settings.example : settings.example + 1]), torch.from_numpy(Y[settings.example : settings.example + 1])
    first, act, out = model[0], model[1], model[2]
    before = [p.detach().clone() for p in (first.weight, first.bias, out.weight, out.bias)]
    with torch.no_grad():  # the forward values the step's backward uses
        z1 = first(x)
        a1 = act(z1)
        z2 = out(a1)
        p = torch.sigmoid(z2)
    loss, _ = HandBackprop(model, "bce")(x, y)  # the trainer's backward: sets every p.grad
    dz2 = (p - y.to(p.dtype).unsqueeze(1))  # (1, 1): d BCE-with-logits / dz2 for one example
    da1 = dz2 @ out.weight.detach()  # (1, H)
    dz1 = ACTIVATION_GRADS[type(act)](act, da1, z1, a1)
    grads = [first.weight.grad.clone(), first.bias.grad.clone(), out.weight.grad.clone(), out.bias.grad.clone()]
    optimizer = make_optimizer("sgd", model.parameters(), settings.lr)
    optimizer.step()
    with torch.no_grad():
        after = torch.nn.functional.binary_cross_entropy_with_logits(model(x).squeeze(1), y.float())
    n = lambda t: t.detach().double().numpy().copy()  # noqa: E731
    return Walk(settings, n(x[0]), int(y[0]), *[n(t) for t in before], n(z1[0]), n(a1[0]), n(z2[0]), n(p[0]),
                float(loss), n(dz2[0]), n(grads[2]), n(grads[3]), n(da1[0]), n(dz1[0]), n(grads[0]), n(grads[1]),
                n(first.weight), n(first.bias), n(out.weight), n(out.bias), float(after))  # fmt: skip

"""Backprop by hand for plain MLPs: the trainer's fast path around the autograd engine.

On the playground's small nets a training step is made of fixed per-op costs, and the autograd
engine adds as much again: spiral 2-100-3 at batch 32 spends ~125 us of a ~310 us step in
``backward()``, for ~40 us of kernels (2 cores, benchmarks/bench_trainer.py). A ``Sequential`` of
``Linear`` layers and pointwise activations has a fixed, short backward chain, so ``HandBackprop``
runs it directly: the forward keeps each layer's input and output, and the backward calls the same
aten backward kernels autograd would (``threshold_backward``, ``_log_softmax_backward_data``, ...)
and writes ``p.grad``. The ``torch.optim`` optimizer then steps as usual, and its hooks fire.

Anything else (dropout, BatchNorm, an activation not in ``ACTIVATION_GRADS``) trains through
autograd: ``HandBackprop.supports(model)`` says which. tests/unit/test_backprop.py checks the
gradients against autograd for every activation, both binary heads, class weights and L1.
"""
from __future__ import annotations

from typing import Callable

import torch
from torch import nn

aten = torch.ops.aten

# activation module -> (module, grad wrt its output, its input, its output) -> grad wrt its input;
# each is the kernel autograd runs for that module's forward
ACTIVATION_GRADS: dict[type[nn.Module], Callable[..., torch.Tensor]] = {
    nn.ReLU: lambda m, g, x, y: aten.threshold_backward.default(g, y, 0),
    nn.LeakyReLU: lambda m, g, x, y: aten.leaky_relu_backward.default(g, x, m.negative_slope, False),
    nn.ELU: lambda m, g, x, y: aten.elu_backward.default(g, m.alpha, 1, 1, False, x),
    nn.GELU: lambda m, g, x, y: aten.gelu_backward.default(g, x, approximate=m.approximate),
    nn.Tanh: lambda m, g, x, y: aten.tanh_backward.default(g, y),
    nn.Sigmoid: lambda m, g, x, y: aten.sigmoid_backward.default(g, y),
    nn.Softplus: lambda m, g, x, y: aten.softplus_backward.default(g, x, m.beta, m.threshold),
    nn.Identity: lambda m, g, x, y: g,
}

_MEAN = 1  # torch's Reduction::Mean
_NO_IGNORE = -100  # cross_entropy's default ignore_index


class HandBackprop:
    """Loss and parameter gradients of ``model`` on a batch, without building an autograd graph.

    ``loss`` is "cross_entropy" (logits (B, C), optional class weights (C,)) or "bce" (one logit
    (B, 1); class weights (2,) weight each row by its label's weight, normalised by their sum, as
    ``Trainer.loss`` does). ``l1`` adds the gradient of ``l1 * sum |W|`` over the Linear weights;
    the returned loss is the data loss alone, as the trainer logs it.
    """

    def __init__(self, model: nn.Sequential, loss: str, class_weight: torch.Tensor | None = None, l1: float = 0.0):
        if not self.supports(model):
            raise ValueError("HandBackprop needs a Sequential of Linear layers and activations in ACTIVATION_GRADS")
        self.layers = list(model)
        self.loss, self.class_weight, self.l1 = loss, class_weight, l1
        self.weights = [m.weight for m in self.layers if isinstance(m, nn.Linear)]
        w = self.weights[0]
        self._one = torch.ones((), dtype=w.dtype, device=w.device)  # d loss / d loss, for nll_loss_backward

    @staticmethod
    def supports(model: nn.Module) -> bool:
        return isinstance(model, nn.Sequential) and all(
            (isinstance(m, nn.Linear) and m.bias is not None) or type(m) in ACTIVATION_GRADS for m in model
        )

    @torch.no_grad()
    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Forward and backward on a batch (x (B, d), labels y (B,)): sets ``p.grad`` of every
        parameter (overwriting it, so no ``zero_grad`` is needed) and returns (data loss, logits (B, out))."""
        acts = [x]  # acts[i] is the input of layers[i]; the last is the logits
        for m in self.layers:  # Linear as F.linear runs it; forward() skips Module.__call__'s hook handling
            x = torch.addmm(m.bias, x, m.weight.t()) if isinstance(m, nn.Linear) else m.forward(x)
            acts.append(x)
        logits = x
        loss, g = self._loss_and_grad(logits, y)  # g: dloss/dlogits, (B, out)
        for i in range(len(self.layers) - 1, -1, -1):
            m = self.layers[i]
            if isinstance(m, nn.Linear):
                if m.weight.grad is None:  # first step; later steps write into the same buffers
                    m.weight.grad, m.bias.grad = torch.empty_like(m.weight), torch.empty_like(m.bias)
                _weight_grad(g, acts[i], m.weight.grad)
                torch.sum(g, 0, out=m.bias.grad)
                if i > 0:  # the input needs no gradient
                    g = torch.mm(g, m.weight)
            else:
                g = ACTIVATION_GRADS[type(m)](m, g, acts[i], acts[i + 1])
        if self.l1:  # d/dW of l1 * sum |W|
            for w in self.weights:
                w.grad.add_(w.sgn(), alpha=self.l1)
        return loss, logits

    def _loss_and_grad(self, z: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean loss of logits z and its gradient dloss/dz, shaped like z."""
        w = self.class_weight
        if self.loss == "bce":  # z (B, 1): d/dz of the (weighted) mean of BCE-with-logits
            z1, t = z.squeeze(1), y.to(z.dtype)
            if w is None:
                loss = nn.functional.binary_cross_entropy_with_logits(z1, t)
                g = (torch.sigmoid(z1) - t).div_(len(t))
            else:
                wy = w[y]
                total = wy.sum()
                per_row = nn.functional.binary_cross_entropy_with_logits(z1, t, reduction="none")
                loss = (per_row * wy).sum() / total
                g = (torch.sigmoid(z1) - t).mul_(wy).div_(total)
            return loss, g.unsqueeze(1)
        # cross_entropy = log_softmax then nll_loss; backward through both, as autograd does
        log_p = torch.log_softmax(z, 1)
        loss, total_weight = aten.nll_loss_forward.default(log_p, y, w, _MEAN, _NO_IGNORE)
        g = aten.nll_loss_backward.default(self._one, log_p, y, w, _MEAN, _NO_IGNORE, total_weight)
        return loss, aten._log_softmax_backward_data.default(g, log_p, 1, z.dtype)


def _weight_grad(g: torch.Tensor, a: torch.Tensor, out: torch.Tensor) -> None:
    """out (O, I) = g.T @ a for g (B, O), a (B, I), with the short side of the product first: on
    the reference CPU a product with 2 rows and 100 columns over 1,800 rows takes ~50 us, and its
    transpose ~250 us (autograd always builds the (I, O) one: 3 x 100 at ~65 us vs ~300 us)."""
    if a.shape[1] < g.shape[1]:
        out.copy_(torch.mm(a.t(), g).t())
    else:
        torch.mm(g.t(), a, out=out)

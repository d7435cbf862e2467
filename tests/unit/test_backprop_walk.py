"""The backprop walk-through's numbers against autograd on the same net and example."""
import numpy as np
import pytest
import torch

from playground.backprop_walk import STAGES, WalkSettings, walk, xor_points
from playground.figures.backprop_walk import stage_figure, stage_lines


def autograd_step(w):
    """The same step written out with autograd: forward, BCE loss, backward, w - lr * grad."""
    s = w.settings
    t = lambda a: torch.tensor(a, dtype=torch.float32, requires_grad=True)  # noqa: E731
    W1, b1, W2, b2 = t(w.W1), t(w.b1), t(w.W2), t(w.b2)
    x = torch.tensor(w.x, dtype=torch.float32)
    act = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[s.activation]
    z1 = W1 @ x + b1
    z1.retain_grad()
    a1 = act(z1)
    a1.retain_grad()
    z2 = W2 @ a1 + b2
    z2.retain_grad()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z2, torch.tensor([float(w.y)]))
    loss.backward()
    return dict(z1=z1, a1=a1, z2=z2, p=torch.sigmoid(z2), loss=loss, dz2=z2.grad, da1=a1.grad, dz1=z1.grad,
                dW1=W1.grad, db1=b1.grad, dW2=W2.grad, db2=b2.grad,
                W1_new=W1 - s.lr * W1.grad, b1_new=b1 - s.lr * b1.grad, W2_new=W2 - s.lr * W2.grad,
                b2_new=b2 - s.lr * b2.grad)  # fmt: skip


@pytest.mark.parametrize("settings", [WalkSettings(), WalkSettings(hidden=3, activation="sigmoid", lr=0.1, seed=1, example=3),
                                      WalkSettings(hidden=3, activation="relu", seed=2, example=5)])  # fmt: skip
def test_every_number_of_the_walk_equals_autograds(settings):
    w = walk(settings)
    X, Y = xor_points(settings.seed)
    np.testing.assert_array_equal(w.x, X[settings.example])
    assert w.y == Y[settings.example]
    reference = autograd_step(w)
    for name, expected in reference.items():
        np.testing.assert_allclose(getattr(w, name), expected.detach().numpy(), rtol=1e-5, atol=1e-7, err_msg=name)
    assert w.loss_after < w.loss  # one small step on this example lowers its loss


def test_bad_settings_name_the_setting_and_the_limit():
    with pytest.raises(ValueError, match=r"hidden == 4, must be one of \(2, 3\)"):
        walk(WalkSettings(hidden=4))
    with pytest.raises(ValueError, match=r"example == 8, must be in \[0, 7\]"):
        walk(WalkSettings(example=8))


def test_every_stage_draws_the_graph_with_its_place_highlighted():
    w = walk(WalkSettings(hidden=3))
    for i, stage in enumerate(STAGES):
        fig = stage_figure(w, i)
        rings = [t for t in fig.data if t.type == "scatter" and t.marker and t.marker.symbol == "circle-open"]
        gold_edges = [t for t in fig.data if t.mode == "lines" and t.line.color == "#e8a800"]
        assert rings or gold_edges, stage
        assert stage_lines(w, i), stage
    update = stage_figure(w, len(STAGES) - 1)
    texts = [a.text for a in update.layout.annotations]
    assert f"{w.W1_new[0, 0]:+.3f}" in texts

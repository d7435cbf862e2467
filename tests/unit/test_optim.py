"""Every optimizer in OPTIMIZERS descends a quadratic; set_lr reaches the param groups."""
import pytest
import torch

from playground.optim import OPTIMIZERS, make_optimizer, set_lr

TARGET = torch.tensor([1.0, -2.0, 0.5])


def quadratic(w: torch.Tensor) -> torch.Tensor:
    return ((w - TARGET) ** 2).sum()


def descend(name: str, steps: int, lr: float, fused: bool = False) -> tuple[float, float]:
    w = torch.zeros(3, requires_grad=True)
    opt = make_optimizer(name, [w], lr=lr, fused=fused)
    start = float(quadratic(w.detach()))
    for _ in range(steps):
        opt.zero_grad()
        quadratic(w).backward()
        opt.step()
    return start, float(quadratic(w.detach()))


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_one_step_reduces_the_loss(name):
    start, end = descend(name, steps=1, lr=0.05)
    assert end < start


@pytest.mark.parametrize("name", sorted(set(OPTIMIZERS) - {"adadelta"}))  # adadelta's first steps are ~sqrt(eps)
def test_many_steps_approach_the_minimum(name):
    lr = 0.5 if name == "adagrad" else 0.05  # adagrad's step shrinks with the summed squared gradients
    start, end = descend(name, steps=300, lr=lr)
    assert end < 0.05 * start


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_fused_request_is_honoured_or_ignored(name):
    _, plain = descend(name, steps=5, lr=0.05)
    _, fused = descend(name, steps=5, lr=0.05, fused=True)
    assert fused == pytest.approx(plain, rel=1e-5)  # same update either way


def test_sgd_step_is_lr_times_gradient():
    w = torch.zeros(3, requires_grad=True)
    opt = make_optimizer("sgd", [w], lr=0.1)
    quadratic(w).backward()  # grad = 2 (w - target) = -2 target
    opt.step()
    torch.testing.assert_close(w.detach(), 0.2 * TARGET)


def test_knobs_reach_the_constructor():
    w = torch.zeros(3, requires_grad=True)
    assert make_optimizer("momentum", [w], 0.1, momentum=0.5).param_groups[0]["momentum"] == 0.5
    assert make_optimizer("nesterov", [w], 0.1).param_groups[0]["nesterov"] is True
    assert make_optimizer("adam", [w], 0.1, beta1=0.8, beta2=0.95).param_groups[0]["betas"] == (0.8, 0.95)
    assert make_optimizer("rmsprop", [w], 0.1, rho=0.7).param_groups[0]["alpha"] == 0.7
    assert make_optimizer("adadelta", [w], 0.1, rho=0.7).param_groups[0]["rho"] == 0.7
    assert make_optimizer("adamw", [w], 0.1, weight_decay=0.01).param_groups[0]["weight_decay"] == 0.01


def test_unknown_optimizer():
    with pytest.raises(ValueError, match="optimizer == 'lbfgs', must be one of"):
        make_optimizer("lbfgs", [torch.zeros(1, requires_grad=True)], 0.1)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_set_lr_changes_every_param_group(name):
    a, b = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    opt = make_optimizer(name, [a], lr=0.1)
    opt.add_param_group({"params": [b]})
    set_lr(opt, 0.003)
    assert [g["lr"] for g in opt.param_groups] == [0.003, 0.003]


def test_set_lr_takes_effect_on_the_next_step():
    w = torch.zeros(3, requires_grad=True)
    opt = make_optimizer("sgd", [w], lr=0.1)
    set_lr(opt, 0.25)
    quadratic(w).backward()
    opt.step()
    torch.testing.assert_close(w.detach(), 0.5 * TARGET)

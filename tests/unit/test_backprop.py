"""HandBackprop against autograd: the same loss, logits and parameter gradients as the trainer's
autograd step, for every activation, both binary heads, class weights and L1; and whole runs that
train to the same weights either way."""
import pytest
import torch
from torch import nn

from playground.backprop import ACTIVATION_GRADS, HandBackprop
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.model import ACTIVATIONS, build_mlp
from playground.trainer import Trainer

SMALL = dict(n_samples=60, epochs=5, batch_size=16)


def make_trainer(**changes) -> Trainer:
    cfg = RunConfig(**{**SMALL, **changes})
    return Trainer(cfg, prepare(cfg))


def autograd_grads(trainer: Trainer, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The reference, through autograd: the data loss, and the gradients of loss + l1 * sum |w| over Linear weights."""
    trainer.optimizer.zero_grad(set_to_none=True)
    loss = trainer.loss(trainer.model(x), y)
    total = loss
    if trainer.cfg.l1:
        total = loss + trainer.cfg.l1 * sum(m.weight.abs().sum() for m in trainer.model.modules() if isinstance(m, nn.Linear))
    total.backward()
    return loss.detach(), [p.grad.clone() for p in trainer.model.parameters()]


def assert_same_as_autograd(trainer: Trainer, exact: bool = False) -> None:
    x, y = trainer.data["train"]
    x, y = x[:16], y[:16]
    want_loss, want = autograd_grads(trainer, x, y)
    for p in trainer.model.parameters():
        p.grad = None
    loss, logits = trainer.backprop(x, y)
    assert not loss.requires_grad and not logits.requires_grad
    torch.testing.assert_close(logits, trainer.model(x).detach())
    got = [p.grad for p in trainer.model.parameters()]
    for name_grad, w, g in zip(trainer.model.named_parameters(), want, got):
        if exact:
            assert torch.equal(w, g), name_grad[0]
        else:
            torch.testing.assert_close(g, w, rtol=1e-5, atol=1e-6, msg=name_grad[0])
    torch.testing.assert_close(loss, want_loss)


def test_every_registered_activation_has_a_hand_gradient():
    assert set(ACTIVATIONS.values()) <= set(ACTIVATION_GRADS)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_gradients_match_autograd_for_each_activation(activation):
    # two hidden layers, so the gradient passes through the activation and a hidden Linear
    trainer = make_trainer(layers=parse_layers(f"12:{activation},7:{activation}"), init="xavier")
    assert trainer.backprop is not None
    assert_same_as_autograd(trainer)


def test_relu_cross_entropy_is_bitwise_the_autograd_result():
    # the same aten kernels in the same order: not just close, equal
    assert_same_as_autograd(make_trainer(layers=parse_layers("20:relu")), exact=True)


@pytest.mark.parametrize(
    "changes",
    [
        dict(classes=2, binary_loss="bce"),
        dict(classes=2, binary_loss="bce", class_weights="balanced"),
        dict(classes=2, binary_loss="bce", class_weights="1,3"),
        dict(classes=2, binary_loss="softmax", class_weights="3,1"),
        dict(class_weights="balanced"),
        dict(class_weights="1,2,0.5"),
        dict(l1=0.01),
        dict(classes=2, binary_loss="bce", l1=0.003, class_weights="balanced"),
    ],
    ids=repr,
)
def test_gradients_match_autograd_for_losses_weights_and_l1(changes):
    # dataset "blobs" keeps classes overlapping, so some rows are misclassified and weights matter
    trainer = make_trainer(dataset="blobs", layers=parse_layers("10:tanh"), **changes)
    assert trainer.backprop is not None
    assert_same_as_autograd(trainer)


@pytest.mark.parametrize("layers", ["10:relu:0.2", "10:relu:0:bn"])
def test_dropout_and_batchnorm_train_through_autograd(layers):
    trainer = make_trainer(layers=parse_layers(layers))
    assert trainer.backprop is None
    trainer.fit()
    assert trainer.status == "finished"


def test_supports_only_linear_and_known_activations():
    assert HandBackprop.supports(nn.Sequential(nn.Linear(2, 3), nn.GELU(approximate="tanh"), nn.Linear(3, 2)))
    assert not HandBackprop.supports(nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.1), nn.Linear(3, 2)))
    assert not HandBackprop.supports(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 2)))
    assert not HandBackprop.supports(nn.Sequential(nn.Linear(2, 3, bias=False)))
    assert not HandBackprop.supports(nn.Linear(2, 3))
    with pytest.raises(ValueError, match="Sequential of Linear"):
        HandBackprop(nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.1)), "cross_entropy")


def test_gelu_tanh_approximation_uses_its_own_derivative():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.GELU(approximate="tanh"), nn.Linear(8, 4))
    x, y = torch.randn(10, 3), torch.randint(0, 4, (10,))
    nn.functional.cross_entropy(model(x), y).backward()
    want = [p.grad.clone() for p in model.parameters()]
    HandBackprop(model, "cross_entropy")(x, y)
    for w, p in zip(want, model.parameters()):
        torch.testing.assert_close(p.grad, w)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_a_run_trains_to_the_same_weights_as_autograd(optimizer):
    cfg = RunConfig(**{**SMALL, "epochs": 4, "optimizer": optimizer, "l1": 1e-3, "layers": parse_layers("16:elu,8:relu")})
    splits = prepare(cfg)
    fast, slow = Trainer(cfg, splits), Trainer(cfg, splits)
    slow.backprop = None  # the autograd path
    fast.fit(), slow.fit()
    for (name, a), b in zip(fast.model.named_parameters(), slow.model.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=name)


def test_grads_are_overwritten_not_accumulated():
    torch.manual_seed(0)
    model = build_mlp(2, parse_layers("5:relu"), 3)
    x, y = torch.randn(8, 2), torch.randint(0, 3, (8,))
    step = HandBackprop(model, "cross_entropy")
    step(x, y)
    first = [p.grad.clone() for p in model.parameters()]
    step(x, y)
    for a, p in zip(first, model.parameters()):
        assert torch.equal(a, p.grad)

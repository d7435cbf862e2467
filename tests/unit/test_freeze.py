"""Frozen layers: the ``:frozen`` layer syntax, and frozen weights bit-identical through training."""
import pytest
import torch

from playground.config import ConfigError, RunConfig, format_layers, parse_layers
from playground.datasets import prepare
from playground.freeze import frozen_flags, hidden_blocks
from playground.trainer import Trainer


@pytest.mark.parametrize("text, frozen, token", [
    ("64:relu::bn:frozen", (True,), "64:relu:0:bn:frozen"),
    ("64:relu:frozen,32:tanh", (True, False), "64:relu:frozen,32:tanh"),
    ("8:frozen", (True,), "8:relu:frozen"),
    ("8:tanh:0.2:FROZEN", (True,), "8:tanh:0.2:frozen"),
    ("100:relu", (False,), "100:relu"),
])  # fmt: skip
def test_layer_syntax_round_trips(text, frozen, token):
    layers = parse_layers(text)
    assert tuple(s.frozen for s in layers) == frozen
    assert format_layers(layers) == token and parse_layers(token) == layers
    assert frozen_flags(layers) == (*frozen, False)  # the output layer is never frozen


def test_too_many_parts_names_the_syntax():
    with pytest.raises(ConfigError, match=r"\[:frozen\]"):
        parse_layers("8:relu:0:bn:x:frozen")


def _state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("layers, optimizer", [
    ("16:relu:frozen,16:relu", "adamw"),  # plain MLP: HandBackprop path, decoupled weight decay
    ("16:tanh:0.1:bn:frozen,16:relu:0:bn", "momentum"),  # dropout + BatchNorm: autograd path
])  # fmt: skip
def test_frozen_weights_stay_bit_identical(layers, optimizer):
    cfg = RunConfig(dataset="spiral", n_samples=60, layers=parse_layers(layers), optimizer=optimizer,
                    weight_decay=0.01, l1=0.001, epochs=5, batch_size=16, seed=1)  # fmt: skip
    trainer = Trainer(cfg, prepare(cfg))
    before = _state(trainer.model)
    trainer.fit()
    after = trainer.model.state_dict()
    first = hidden_blocks(trainer.model)[0]
    prefixes = tuple(f"{i}." for i, m in enumerate(trainer.model) if any(m is b for b in first))
    frozen_names = {n for n in after if n.startswith(prefixes) and not n.endswith("num_batches_tracked")}
    assert frozen_names >= {"0.weight", "0.bias"}
    for name in frozen_names:  # weights, biases, BatchNorm's affine and running statistics
        assert torch.equal(before[name], after[name]), f"{name} changed"
    moved = [n for n in after if n not in frozen_names and after[n].is_floating_point()
             and not torch.equal(before[n], after[n])]  # fmt: skip
    assert f"{len(trainer.model) - 1}.weight" in moved, "the unfrozen layers trained"


def test_gradient_flow_marks_frozen_layers_and_their_update_is_zero():
    from playground.diagnostics.gradflow import GradientFlow
    from playground.figures.gradflow import FROZEN_COLOUR, gradflow_figure
    from playground.freeze import FROZEN_MARK

    cfg = RunConfig(dataset="spiral", n_samples=60, layers=parse_layers("16:relu:frozen,16:relu"), epochs=3, seed=0)
    flow = GradientFlow()
    trainer = Trainer(cfg, prepare(cfg), [flow])
    trainer.train_epoch()
    flow.snapshot()
    trainer.train_epoch()
    stats = flow.snapshot()
    assert stats.layers[0].endswith(FROZEN_MARK) and not stats.layers[1].endswith(FROZEN_MARK)
    assert stats.update_ratio[0] == 0 and stats.update_ratio[1] > 0
    bars = gradflow_figure(stats).data[0]
    assert list(bars.x)[0] == "1 frozen" and bars.marker.color[0] == FROZEN_COLOUR

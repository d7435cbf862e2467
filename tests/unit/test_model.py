"""build_mlp: structure, parameter counts against layer_table/count_params, activations and inits."""
import pytest
import torch
from torch import nn

from playground.architecture import count_params, layer_table
from playground.config import LayerSpec, parse_layers
from playground.model import ACTIVATIONS, INITS, build_mlp


def torch_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(
    "n_in, layers, n_out",
    [
        (2, "", 3),
        (2, "100:relu", 3),
        (2, "8:tanh,8:tanh", 1),
        (784, "512:relu", 10),
        (13, "64:relu:0.2:bn,32:gelu:0.5,16:elu:0:bn", 3),
        (34, "4:sigmoid:0:bn", 1),
    ],
)
def test_parameter_count_matches_layer_table(n_in, layers, n_out):
    specs = parse_layers(layers)
    model = build_mlp(n_in, specs, n_out)
    assert torch_params(model) == count_params(n_in, specs, n_out)
    rows = layer_table(n_in, specs, n_out)
    assert [r["layer"] for r in rows] == ["input", *(f"hidden {i}" for i in range(1, len(specs) + 1)), "output"]
    assert sum(r["params"] for r in rows) == count_params(n_in, specs, n_out)


def test_block_structure_and_output_shape():
    model = build_mlp(5, parse_layers("16:tanh:0.3:bn,4:relu"), 3)
    kinds = [type(m) for m in model]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.Tanh, nn.Dropout, nn.Linear, nn.ReLU, nn.Linear]
    assert model(torch.randn(7, 5)).shape == (7, 3)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_every_activation_builds_and_runs(activation):
    model = build_mlp(2, (LayerSpec(8, activation),), 3)
    assert isinstance(model[1], ACTIVATIONS[activation])
    out = model(torch.randn(4, 2))
    assert out.shape == (4, 3) and torch.isfinite(out).all()


@pytest.mark.parametrize("init", list(INITS))
def test_every_init_builds(init):
    torch.manual_seed(0)
    model = build_mlp(3, parse_layers("8,8"), 2, init=init)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    if init != "default":
        assert all(torch.count_nonzero(m.bias) == 0 for m in linears)  # biases zeroed for explicit inits
    if init != "zeros":
        assert all(m.weight.std() > 0 for m in linears)


def test_zeros_init_gives_zero_weights_and_outputs():
    model = build_mlp(4, parse_layers("8:relu,8:tanh"), 3, init="zeros")
    assert all(torch.count_nonzero(p) == 0 for p in model.parameters())
    assert torch.count_nonzero(model(torch.randn(5, 4))) == 0


def test_xavier_bounds():
    torch.manual_seed(0)
    model = build_mlp(50, (LayerSpec(30),), 20, init="xavier")
    bound = (6 / (50 + 30)) ** 0.5
    assert model[0].weight.abs().max() <= bound

"""Gradient flow: vanishing gradients in deep sigmoid nets, dead ReLU units, saturation, no side effects."""
import numpy as np
import pytest
import torch
from torch import nn

from playground.callbacks import standard_callbacks
from playground.config import LayerSpec, RunConfig
from playground.datasets import prepare
from playground.diagnostics import GradientFlow, TrajectoryRecorder
from playground.diagnostics.gradflow import layer_groups, probe_stats
from playground.diagnostics.trajectory import flat_weights
from playground.trainer import Trainer


def first_over_last(activation: str, batchnorm: bool = False, epochs: int = 1) -> float:
    cfg = RunConfig(n_samples=100, epochs=epochs, seed=0, layers=(LayerSpec(32, activation, 0.0, batchnorm),) * 8)
    flow = GradientFlow()
    trainer = Trainer(cfg, prepare(cfg), [*standard_callbacks(cfg), flow])
    trainer.fit()
    stats = flow.snapshot()
    assert list(stats.layers) == [f"{i} {activation}" for i in range(1, 9)] + ["output"]
    assert stats.vanishing_ratio == stats.grad_norm[0] / stats.grad_norm[-1]
    return stats.vanishing_ratio


def test_deep_sigmoid_gradients_vanish_compared_with_relu_and_batchnorm():
    sigmoid, relu, sigmoid_bn = first_over_last("sigmoid"), first_over_last("relu"), first_over_last("sigmoid", True)
    assert sigmoid < 1e-4  # the first layer barely learns
    assert relu > 1e-2 and sigmoid_bn > 1e-2
    assert sigmoid / relu < 1e-3 and sigmoid / sigmoid_bn < 1e-3  # orders of magnitude


def _one_layer(activation: nn.Module, weight: torch.Tensor, bias: torch.Tensor) -> nn.Sequential:
    first = nn.Linear(2, len(bias))
    with torch.no_grad():
        first.weight.copy_(weight)
        first.bias.copy_(bias)
    return nn.Sequential(first, activation, nn.Linear(len(bias), 2))


def test_dead_relu_units_are_counted():
    X = torch.randn(64, 2, generator=torch.Generator().manual_seed(0))
    y = torch.randint(0, 2, (64,), generator=torch.Generator().manual_seed(1))
    bias = torch.tensor([-100.0, 0.0, 0.0, -100.0])  # units 0 and 3: input <= 0 on every row
    model = _one_layer(nn.ReLU(), torch.ones(4, 2), bias)
    stats = probe_stats(model, nn.functional.cross_entropy, X, y)
    assert stats.dead[0] == pytest.approx(0.5)
    assert np.isnan(stats.dead[1]) and np.isnan(stats.saturation[0])  # output layer / not a saturating unit


@pytest.mark.parametrize("activation", [nn.Sigmoid(), nn.Tanh()])
def test_saturation_in_the_flat_tails(activation):
    X = torch.randn(32, 2, generator=torch.Generator().manual_seed(0))
    y = torch.zeros(32, dtype=torch.long)
    flat = _one_layer(activation, torch.zeros(4, 2), torch.tensor([10.0, 10.0, 0.0, 0.0]))  # two units pinned at the top
    assert probe_stats(flat, nn.functional.cross_entropy, X, y).saturation[0] == pytest.approx(0.5)
    steep = _one_layer(activation, torch.zeros(4, 2), torch.zeros(4))
    assert probe_stats(steep, nn.functional.cross_entropy, X, y).saturation[0] == 0.0


def test_probe_has_no_side_effects():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.Sigmoid(), nn.Dropout(0.5), nn.Linear(8, 3)).train()
    X, y = torch.randn(16, 2), torch.randint(0, 3, (16,))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    probe_stats(model, nn.functional.cross_entropy, X, y)
    assert model.training and all(p.grad is None for p in model.parameters())
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())  # BN running stats put back
    assert torch.equal(torch.get_rng_state(), rng)  # dropout off: no draw from the training RNG
    assert [label for label, _, _ in layer_groups(model)] == ["1 sigmoid", "output"]


def test_update_ratio_and_history_accumulate():
    cfg = RunConfig(n_samples=50, epochs=3, seed=0)
    flow = GradientFlow()
    trainer = Trainer(cfg, prepare(cfg), [flow])
    assert flow.snapshot() is None  # before the first epoch
    trainer.train_epoch()
    first = flow.snapshot()
    assert np.isnan(first.update_ratio).all()  # nothing to compare with yet
    assert flow.snapshot() is first  # no new steps: cached, not recomputed
    trainer.train_epoch()
    second = flow.snapshot()
    assert np.all(second.update_ratio > 0) and np.all(second.update_ratio < 1)
    assert second.history.grad_norm.shape == (2, 2) and list(second.history.epoch) == [1, 2]


def test_gradient_history_keeps_the_last_computes_and_is_never_written_in_place():
    cfg = RunConfig(n_samples=50, epochs=6, seed=0)
    flow = GradientFlow(history=3)
    trainer = Trainer(cfg, prepare(cfg), [flow])
    published = []
    for _ in range(5):
        trainer.train_epoch()
        published.append(flow.snapshot().history)
    assert [h.epoch.tolist() for h in published] == [[1], [1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    assert published[2].grad_norm.shape == (3, 2) and published[2].grad_norm[2].tolist() == published[4].grad_norm[0].tolist()


class EveryStep:
    """Reference for the trajectory: a copy of the flat weights after every optimizer step (0 = initial)."""

    def __init__(self, trainer):
        self.weights = {0: flat_weights(trainer.model).numpy().copy()}
        trainer.optimizer.register_step_post_hook(self._after)
        self.trainer = trainer

    def _after(self, optimizer, args, kwargs):
        self.weights[len(self.weights)] = flat_weights(self.trainer.model).numpy().copy()


def test_trajectory_snapshots_written_into_reused_arrays_hold_the_weights_of_their_step():
    cfg = RunConfig(n_samples=50, epochs=12, seed=0, batch_size=16, layers=(LayerSpec(8, "tanh", 0.0, True),))
    recorder = TrajectoryRecorder(max_points=5)  # halves its buffer several times: later snapshots reuse arrays
    trainer = Trainer(cfg, prepare(cfg), [recorder])
    reference = EveryStep(trainer)
    trainer.fit()
    steps, weights = recorder.trajectory()
    assert recorder.every >= 8 and len(steps) >= 3  # several halvings happened
    for step, row in zip(steps, weights):
        np.testing.assert_array_equal(row, reference.weights[step])
    assert len({row.ctypes.data for row in recorder.weights}) == len(recorder.weights)  # no array shared by two


def test_trajectory_starts_at_8_snapshots_per_epoch_and_at_most_1_mb_of_them():
    spiral = RunConfig(batch_size=32)  # 1800 rows, 57 steps; 2.4 KB per snapshot
    mnist = RunConfig(dataset="mnist", layers=(LayerSpec(512),), batch_size=128)  # 24 steps; 1.6 MB per snapshot
    for cfg, every in ((spiral, 57 // 8), (mnist, int(24 / (2**20 / (4 * 407_050))))):  # mnist: every 37 steps
        recorder = TrajectoryRecorder()
        recorder.on_train_begin(Trainer(cfg, prepare(cfg), [recorder]))
        assert recorder.every == every and recorder.steps == [0]

"""LR range test: suggestion in range, live model untouched, early stop on divergence, no-data message."""
import numpy as np
import pytest
import torch
from torch import nn

from playground.config import RunConfig
from playground.datasets import prepare
from playground.lr_finder import LRFinderError, lr_range_job, lr_range_test, range_test_steps, steepest
from playground.trainer import Trainer

CFG = RunConfig(n_samples=100, epochs=1, seed=1)


@pytest.fixture(scope="module")
def trainer() -> Trainer:
    return Trainer(CFG, prepare(CFG))


def test_suggestion_is_inside_the_tested_range(trainer):
    result = lr_range_test(trainer, num_steps=60)
    lrs = result["lrs"]
    assert lrs[0] == pytest.approx(1e-6) and np.all(np.diff(lrs) > 0)
    assert result["suggested_lr"] is not None
    assert lrs[0] <= result["suggested_lr"] <= lrs[-1] <= 10.0
    assert len(result["losses"]) == len(result["smoothed"]) == len(lrs)


def test_the_live_model_and_rng_are_untouched(trainer):
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    rng = torch.get_rng_state()
    steps = list(lr_range_job(num_steps=40, budget=0.0)(trainer))  # as the Runner drives it, chunk by chunk
    assert len(steps) > 1 and steps[-1]["progress"] == 1.0
    for k, v in trainer.model.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert torch.equal(torch.get_rng_state(), rng)  # the copy's dropout would not shift the run's masks
    assert all(p.grad is None for p in trainer.model.parameters())


def _regression(n: int = 64):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, 3, generator=g)
    return X, X @ torch.tensor([1.0, -2.0, 0.5])


def test_stops_early_when_the_loss_diverges():
    X, y = _regression()
    model = nn.Linear(3, 1)
    loss = lambda out, target: ((out.squeeze(1) - target) ** 2).mean()  # noqa: E731
    steps = list(range_test_steps(model, X, y, loss, "sgd", {}, batch_size=16, end_lr=100.0, num_steps=100))
    result = steps[-1]["result"]
    assert result["stopped_early"] and len(result["lrs"]) < 100
    assert "exceeded 4x" in result["message"]
    assert result["smoothed"][-1] > 4 * result["smoothed"].min()  # plain SGD on MSE diverges above lr ~ 1


def test_no_training_data_is_a_clear_error():
    model = nn.Linear(3, 2)
    with pytest.raises(LRFinderError, match="no training data"):
        next(range_test_steps(model, torch.zeros(0, 3), torch.zeros(0, dtype=torch.long), nn.functional.cross_entropy,
                              "adam", {}, batch_size=32))  # fmt: skip


def test_steepest_descent_of_a_known_curve():
    lrs = np.geomspace(1e-6, 10, 100)
    curve = 1.0 - 0.8 / (1 + np.exp(-2 * (np.log10(lrs) + 2)))  # falls fastest at lr = 1e-2
    curve[-10:] = np.linspace(0.25, 2.0, 10)  # then blows up
    assert steepest(lrs, curve) == pytest.approx(1e-2, rel=0.2)
    assert steepest(lrs, np.linspace(1.0, 2.0, 100)) is None  # minimum at the first point: nothing falls


def test_bad_range_is_refused(trainer):
    with pytest.raises(LRFinderError, match="start_lr == 1, must be > 0 and < end_lr == 0.1"):
        lr_range_test(trainer, start_lr=1.0, end_lr=0.1)


def test_no_suggestion_when_the_loss_cannot_fall():
    model = nn.Linear(3, 2)
    nn.init.zeros_(model.weight), nn.init.zeros_(model.bias)  # already at the optimum of balanced, featureless data
    X, y = torch.zeros(40, 3), torch.arange(40) % 2
    result = list(range_test_steps(model, X, y, nn.functional.cross_entropy, "adam", {}, batch_size=8, num_steps=30))[-1]["result"]
    assert result["drop"] < 0.05 and result["suggested_lr"] is None

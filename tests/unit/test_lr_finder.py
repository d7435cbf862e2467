"""LR range test: the Trainer's own step on a copy, suggestion in range, live model untouched, early stop, messages."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from playground.callbacks import standard_callbacks
from playground.config import RunConfig, parse_layers
from playground.datasets import Dataset, Splits, prepare
from playground.jobs import JobUpdate
from playground.lr_finder import LRFinderError, LRFinderResult, lr_range_job, lr_range_test, range_test_steps, steepest
from playground.trainer import Trainer

CFG = RunConfig(n_samples=100, epochs=1, seed=1)


@pytest.fixture(scope="module")
def trainer() -> Trainer:
    return Trainer(CFG, prepare(CFG))


def test_suggestion_is_inside_the_tested_range_and_on_the_curve(trainer):
    result = lr_range_test(trainer, num_steps=60)
    assert isinstance(result, LRFinderResult) and result.from_initial
    lrs = result.lrs
    assert lrs[0] == pytest.approx(1e-6) and np.all(np.diff(lrs) > 0)
    assert result.suggested_lr is not None and lrs[0] <= result.suggested_lr <= lrs[-1] <= 10.0
    assert len(result.losses) == len(result.smoothed) == len(lrs)
    assert result.suggested_loss in result.smoothed  # the plot's dot sits on the smoothed curve


def test_the_live_model_and_rng_are_untouched(trainer):
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    rng = torch.get_rng_state()
    steps = list(lr_range_job(num_steps=40, budget=0.0)(trainer))  # as the Runner drives it, chunk by chunk
    assert len(steps) > 1 and all(isinstance(s, JobUpdate) for s in steps) and steps[-1].progress == 1.0
    for k, v in trainer.model.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert torch.equal(torch.get_rng_state(), rng)  # the copy's dropout would not shift the run's masks
    assert all(p.grad is None for p in trainer.model.parameters())


@pytest.mark.parametrize("layers", ["16:relu", "16:relu:0:bn"], ids=["hand-backprop", "autograd (batchnorm)"])
def test_the_range_test_steps_exactly_as_the_trainer_does_l1_included(layers):
    """Full batch, lr fixed at 0.1 for two steps: the test's losses are the Trainer's first two epoch losses."""
    cfg = RunConfig(n_samples=60, layers=parse_layers(layers), optimizer="sgd", lr=0.1, l1=0.01, batch_size=0, epochs=5)
    run = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
    test = lr_range_test(run, start_lr=0.1, end_lr=0.1 * (1 + 1e-9), num_steps=2)  # the copy starts at the initial weights
    first, second = run.train_epoch()["loss"], run.train_epoch()["loss"]
    assert (run.backprop is None) == layers.endswith("bn")  # both paths of the step are covered
    np.testing.assert_allclose(test.losses, [first, second], rtol=1e-5)  # step 2 saw step 1's update, L1 in it
    no_l1 = Trainer(cfg.replace(l1=0.0), prepare(cfg))
    assert lr_range_test(no_l1, start_lr=0.1, end_lr=0.1 * (1 + 1e-9), num_steps=2).losses[1] != pytest.approx(second, rel=1e-6)


@pytest.mark.parametrize("layers", ["16:relu", "16:relu:0:bn"], ids=["hand-backprop", "autograd (batchnorm)"])
def test_a_job_copy_steps_as_the_trainer_does_and_leaves_the_run_alone(layers):
    """One step of the job's copy and one of the run on the same batch, L1 > 0: same loss, same weights after."""
    cfg = RunConfig(n_samples=60, layers=parse_layers(layers), optimizer="adam", lr=0.05, l1=0.01, epochs=5)
    run = Trainer(cfg, prepare(cfg))
    X, y = run.data["train"]
    xb, yb = X[:16], y[:16]  # (16, d), (16,) one mini-batch
    job = run.copy_for_job()
    before = {k: v.clone() for k, v in run.model.state_dict().items()}
    job_loss, _ = job.step(xb, yb)
    for k, v in run.model.state_dict().items():  # the copy's step moved none of the run's weights
        assert torch.equal(v, before[k]), k
    run_loss, _ = run._step(xb, yb)
    assert float(job_loss) == pytest.approx(float(run_loss), rel=1e-6)
    for (k, a), b in zip(job.model.state_dict().items(), run.model.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7, msg=k)
    no_l1 = Trainer(cfg.replace(l1=0.0), prepare(cfg)).copy_for_job()
    no_l1.step(xb, yb)  # the same start (same seed), no penalty: the weights move elsewhere
    assert not torch.allclose(no_l1.model[0].weight, run.model[0].weight, rtol=1e-6, atol=1e-7)


def test_it_starts_from_the_initial_weights_unless_asked(trainer):
    cfg = RunConfig(n_samples=60, optimizer="sgd", lr=10.0, epochs=3)  # one epoch at lr 10 damages the weights
    run = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
    fresh = lr_range_test(run, num_steps=30)
    run.train_epoch()
    again = lr_range_test(run, num_steps=30)
    damaged = lr_range_test(run, num_steps=30, initial=False)
    np.testing.assert_array_equal(fresh.losses, again.losses)  # training in between changes nothing
    assert not damaged.from_initial and damaged.epoch == 1 and damaged.losses[0] != fresh.losses[0]


def test_stops_early_when_the_loss_diverges(trainer):
    result = lr_range_test(trainer, optimizer="sgd", knobs={}, end_lr=1e4, num_steps=100)
    assert result.stopped_early and len(result.lrs) < 100
    assert "exceeded 4x" in result.message
    assert result.smoothed[-1] > 4 * result.smoothed.min() or not np.isfinite(result.smoothed[-1])


def test_no_training_data_is_a_clear_error():
    empty = SimpleNamespace(data={"train": (torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))})
    with pytest.raises(LRFinderError, match="no training data"):
        next(range_test_steps(empty))


def test_steepest_descent_of_a_known_curve():
    lrs = np.geomspace(1e-6, 10, 100)
    curve = 1.0 - 0.8 / (1 + np.exp(-2 * (np.log10(lrs) + 2)))  # falls fastest at lr = 1e-2
    curve[-10:] = np.linspace(0.25, 2.0, 10)  # then blows up
    assert steepest(lrs, curve) == pytest.approx(1e-2, rel=0.2)
    assert steepest(lrs, np.linspace(1.0, 2.0, 100)) is None  # minimum at the first point: nothing falls


def test_bad_range_is_refused(trainer):
    with pytest.raises(LRFinderError, match="start_lr == 1, must be > 0 and < end_lr == 0.1"):
        lr_range_test(trainer, start_lr=1.0, end_lr=0.1)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"end_lr": float("inf")}, "end_lr == inf, must be a number <= 1e+06"),
        ({"num_steps": 10**9}, "num_steps == 1000000000, must be in [2, 10000]"),  # before a (1e9,) schedule exists
        ({"num_steps": 1}, "num_steps == 1, must be in [2, 10000]"),
    ],
)
def test_range_past_its_limits_is_refused(trainer, params, message):
    with pytest.raises(LRFinderError) as info:
        lr_range_test(trainer, **params)
    assert str(info.value) == message


def test_no_suggestion_when_the_loss_cannot_fall():
    """Featureless, balanced data and a zero-init linear model: already at the optimum (log 2)."""
    X, y = np.zeros((40, 3), np.float32), (np.arange(40) % 2).astype(np.int64)
    ds = Dataset("wine", X, y, ["a", "b", "c"], ["0", "1"], "tabular")
    splits = Splits(X, y, X[:4], y[:4], X[:4], y[:4], ds)
    run = Trainer(RunConfig(layers=(), init="zeros", batch_size=8), splits)
    result = lr_range_test(run, num_steps=30)
    assert result.drop < 0.05 and result.suggested_lr is None

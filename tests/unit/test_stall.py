"""StallGuard: a run whose output stopped depending on its input ends with a message, not a flat line."""
import time

import pytest

from playground.callbacks import StallGuard, standard_callbacks
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.runner import Runner
from playground.trainer import Trainer


def fit(cfg: RunConfig) -> Trainer:
    trainer = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
    trainer.fit()
    return trainer


@pytest.mark.parametrize(
    "cfg",
    [
        RunConfig(optimizer="sgd", lr=10.0, epochs=60),  # the steps kill every ReLU
        RunConfig(n_samples=300, init="zeros", layers=parse_layers("16:tanh"), epochs=60),  # symmetric, no gradient
    ],
    ids=["dead-relus", "zero-init"],
)
def test_a_network_that_ignores_its_input_is_stopped_as_stalled(cfg):
    trainer = fit(cfg)
    assert trainer.status == "stalled" and trainer.epoch == 10  # checks at epochs 5 and 10 both found it constant
    assert trainer.message.startswith("training stalled at epoch 10: ")  # the cause: tests/unit/test_stall_cause.py
    history = next(cb for cb in trainer.callbacks if hasattr(cb, "as_arrays")).as_arrays()
    assert len(history["loss"]) == 10  # the history is kept


@pytest.mark.parametrize(
    "cfg",
    [
        RunConfig(n_samples=300, epochs=20),
        RunConfig(n_samples=300, init="zeros", layers=(), epochs=20),  # zero-init logistic regression still learns
        RunConfig(n_samples=300, layers=parse_layers("32:relu:0.5:bn"), epochs=20),  # dropout and BatchNorm
    ],
    ids=["default", "linear-zero-init", "dropout-bn"],
)
def test_healthy_runs_are_not_called_stalled(cfg):
    assert fit(cfg).status == "finished"


def test_it_takes_two_constant_checks_in_a_row():
    guard = StallGuard(every=1, strikes=2)
    cfg = RunConfig(n_samples=100, optimizer="sgd", epochs=10)  # no optimizer state to move the weights
    trainer = Trainer(cfg, prepare(cfg), [guard])
    trainer.train_epoch()
    assert guard.strikes == 0 and not guard.constant_output(trainer)
    for p in trainer.model.parameters():
        p.data.zero_()  # ReLU(0) = 0 with zero slope: only the output bias can still move
    trainer.train_epoch()
    assert guard.strikes == 1 and trainer.status == "running"
    trainer.train_epoch()
    assert trainer.status == "stalled" and trainer.epoch == 3


def test_a_stalled_run_in_the_runner_still_reports_test_metrics():
    cfg = RunConfig(optimizer="sgd", lr=10.0, epochs=60)
    runner = Runner()
    try:
        runner.start(cfg, prepare(cfg))
        deadline = time.monotonic() + 30
        while runner.snapshot().active and time.monotonic() < deadline:
            time.sleep(0.05)
        snap = runner.snapshot()
        assert snap.status == "stalled" and "training stalled at epoch 10" in snap.message
        assert snap.test is not None and snap.test.confusion.sum() == len(prepare(cfg).y_test)
    finally:
        runner.stop()

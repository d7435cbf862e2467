"""StallGuard: a run whose output stopped depending on its input ends with a message, not a flat line."""
import pytest
import torch

from playground.callbacks import StallGuard, standard_callbacks
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.runner import Runner
from playground.status import Status
from playground.trainer import Callback, Trainer
from polling import wait_for


class OutputSpread(Callback):
    """The reference check: after each epoch (0 = before training), does the model's output still
    depend on its input? The output on every training row, in eval mode, compared with the first row's."""

    def __init__(self):
        self.input_dependent: dict[int, bool] = {}

    @torch.no_grad()
    def _record(self, trainer, epoch):
        model, was_training = trainer.model, trainer.model.training
        model.eval()
        out = model(trainer.data["train"][0])
        model.train(was_training)
        self.input_dependent[epoch] = not torch.allclose(out, out[:1].expand_as(out), rtol=1e-5, atol=1e-7)

    def on_train_begin(self, trainer):
        self._record(trainer, 0)

    def on_epoch_end(self, trainer, logs):
        self._record(trainer, logs["epoch"])

    @property
    def last_input_dependent(self) -> int:
        """The last epoch whose output depended on the input (0: none did, or only the initial weights)."""
        return max([e for e, dependent in self.input_dependent.items() if dependent], default=0)


def fit(cfg: RunConfig) -> Trainer:
    trainer = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
    trainer.fit()
    return trainer


def guard_of(trainer: Trainer) -> StallGuard:
    return next(cb for cb in trainer.callbacks if isinstance(cb, StallGuard))


def assert_stalled_within_the_guards_window(trainer: Trainer, spread: OutputSpread) -> None:
    """StallGuard checks every ``every`` epochs and stops at ``needed`` constant checks in a row: once the
    output stops depending on the input (after epoch ``last``), the first check that sees it comes within
    ``every`` epochs and the stop ``needed - 1`` checks later; it never comes before ``needed`` such checks."""
    guard, last = guard_of(trainer), spread.last_input_dependent
    assert trainer.status == "stalled", trainer.message
    assert last + guard.every * (guard.needed - 1) < trainer.epoch <= last + guard.every * guard.needed, (
        last, trainer.epoch)  # fmt: skip
    assert not any(spread.input_dependent[e] for e in range(last + 1, trainer.epoch + 1))  # it stayed constant
    assert trainer.message.startswith(f"training stalled at epoch {trainer.epoch}: ")  # the cause: test_stall_cause.py
    history = next(cb for cb in trainer.callbacks if hasattr(cb, "as_arrays")).as_arrays()
    assert len(history["loss"]) == trainer.epoch  # the history is kept


@pytest.mark.parametrize(
    "cfg",
    [
        RunConfig(optimizer="sgd", lr=10.0, epochs=60),  # the steps kill every ReLU
        RunConfig(n_samples=300, init="zeros", layers=parse_layers("16:tanh"), epochs=60),  # symmetric, no gradient
    ],
    ids=["dead-relus", "zero-init"],
)
def test_a_network_that_ignores_its_input_is_stopped_as_stalled(cfg):
    spread = OutputSpread()
    trainer = Trainer(cfg, prepare(cfg), [spread, *standard_callbacks(cfg)])
    trainer.fit()
    assert_stalled_within_the_guards_window(trainer, spread)


class ZeroWeightsAt(Callback):
    """Zeroes every parameter at the end of one epoch: ReLU(0) has zero slope, so only the output bias moves."""

    def __init__(self, epoch: int):
        self.epoch = epoch

    @torch.no_grad()
    def on_epoch_end(self, trainer, logs):
        if logs["epoch"] == self.epoch:
            for p in trainer.model.parameters():
                p.zero_()


def test_the_stall_comes_within_the_window_whenever_the_output_goes_constant():
    """Whatever phase of the guard's check cycle the output stops depending on the input in."""
    cfg = RunConfig(n_samples=100, optimizer="sgd", epochs=100)  # no optimizer state to move the zeroed weights
    splits = prepare(cfg)
    every = StallGuard().every
    for dies in range(1, 2 * every + 2):
        spread = OutputSpread()
        trainer = Trainer(cfg, splits, [ZeroWeightsAt(dies), spread, *standard_callbacks(cfg)])
        trainer.fit()
        assert spread.last_input_dependent == dies - 1  # the reference saw it go constant at the zeroing
        assert_stalled_within_the_guards_window(trainer, spread)


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
    assert guard.strikes == 1 and trainer.status == "running"  # one constant check is not enough
    trainer.train_epoch()
    assert trainer.status == "stalled" and trainer.epoch == 3  # the second in a row, one epoch later


def test_a_stalled_run_in_the_runner_still_reports_test_metrics():
    cfg = RunConfig(optimizer="sgd", lr=10.0, epochs=60)
    runner = Runner()
    try:
        runner.start(cfg, prepare(cfg))
        # the final publish carries the test metrics of an ended run (an earlier one may say "stalled" without them)
        snap = wait_for(lambda: (s := runner.snapshot()).status.ended and s.test is not None and s, what="the run's end")
        assert snap.status is Status.STALLED and snap.message.startswith(f"training stalled at epoch {snap.epoch}: ")
        assert snap.epoch < cfg.epochs and len(snap.history["loss"]) == snap.epoch
        assert snap.test.confusion.sum() == len(prepare(cfg).y_test)
    finally:
        runner.close()

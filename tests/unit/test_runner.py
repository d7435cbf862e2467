"""The threaded Runner: start / pause / step / resume / set_lr / stop / reset, errors, heartbeat, jobs.

Every wait is a bounded poll; "no more epochs ran" is checked with a probe job (tests/unit/probes.py),
not a sleep. The autouse fixture in conftest.py also checks no thread survives.
"""

import numpy as np
import pytest

from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.jobs import JobStatus, JobUpdate
from playground.runner import Runner
from playground.status import Status
from playground.trainer import Callback
from polling import wait_for
from probes import settled_epoch

LONG = RunConfig(n_samples=50, epochs=100_000)  # never finishes on its own


@pytest.fixture
def runner():
    r = Runner(publish_every=0.05)
    yield r
    r.stop()


@pytest.fixture(scope="module")
def splits():
    return prepare(LONG)


def test_start_publishes_history_and_boundary(runner, splits):
    runner.start(LONG, splits)
    snap = wait_for(lambda: (s := runner.snapshot()).epoch >= 3 and len(s.history.get("loss", ())) and s, what="3 epochs")
    assert snap.status is Status.RUNNING and snap.active and runner.alive
    assert snap.config == LONG and snap.epochs == LONG.epochs and snap.n_train == len(splits.y_train)
    assert 1 <= len(snap.history["loss"]) <= snap.epoch  # history arrays are published at publish rate
    assert snap.boundary.proba.shape == (100, 100, 3)
    np.testing.assert_allclose(snap.boundary.proba.sum(-1), 1, rtol=1e-5)
    assert snap.val.confusion.shape == (3, 3) and snap.samples_per_second > 0


def test_pause_step_resume(runner, splits):
    runner.start(LONG, splits)
    wait_for(lambda: runner.snapshot().epoch >= 2, what="2 epochs")
    runner.pause()
    paused_at = settled_epoch(runner)
    assert runner.snapshot().status is Status.PAUSED
    runner.step()
    wait_for(lambda: runner.snapshot().epoch == paused_at + 1, what="one step")
    assert settled_epoch(runner) == paused_at + 1  # exactly one epoch, then paused again
    runner.step(3)
    wait_for(lambda: runner.snapshot().epoch == paused_at + 4, what="three steps")
    assert settled_epoch(runner) == paused_at + 4 and runner.snapshot().status is Status.PAUSED
    runner.resume()
    wait_for(lambda: runner.snapshot().epoch >= paused_at + 7, what="resumed training")
    assert runner.snapshot().status is Status.RUNNING


def test_start_paused_trains_nothing_until_stepped(runner, splits):
    runner.start(LONG, splits, paused=True)
    assert settled_epoch(runner) == 0
    runner.step()
    wait_for(lambda: runner.snapshot().epoch == 1, what="first step")


def test_set_lr_is_applied_and_marked(runner, splits):
    runner.start(LONG, splits, paused=True)
    runner.step(2)
    wait_for(lambda: runner.snapshot().epoch == 2, what="2 steps")
    runner.set_lr(0.123)
    runner.step()
    snap = wait_for(lambda: (s := runner.snapshot()).epoch == 3 and s, what="third step")
    assert snap.lr_changes == ((3, 0.123),)  # first epoch trained with the new lr
    assert snap.history["lr"].tolist() == [0.01, 0.01, 0.123]
    probe = lambda trainer: iter([JobUpdate(1.0, [g["lr"] for g in trainer.optimizer.param_groups])])  # noqa: E731
    assert runner.submit("lr", probe)
    job = wait_for(lambda: (j := runner.snapshot().jobs.get("lr")) and j.status is JobStatus.DONE and j, what="lr probe")
    assert job.result == [0.123]  # the optimizer's own lr


def test_stop_computes_test_metrics(runner, splits):
    runner.start(LONG, splits)
    wait_for(lambda: runner.snapshot().epoch >= 2, what="2 epochs")
    runner.stop()
    snap = runner.snapshot()
    assert not runner.alive
    assert snap.status is Status.STOPPED and "stopped by the user" in snap.message and not snap.active
    assert snap.test.confusion.sum() == len(splits.y_test)
    assert 0 <= snap.test.accuracy <= 1


def test_finishes_on_its_own(runner):
    cfg = RunConfig(n_samples=30, epochs=5)
    runner.start(cfg, prepare(cfg))
    snap = wait_for(lambda: (s := runner.snapshot()).status is Status.FINISHED and s, what="finished")
    assert snap.epoch == 5 and snap.test is not None and snap.history["epoch"].tolist() == [1, 2, 3, 4, 5]
    wait_for(lambda: not runner.alive, what="thread end")


def test_reset_returns_to_idle(runner, splits):
    runner.start(LONG, splits)
    wait_for(lambda: runner.snapshot().epoch >= 1, what="1 epoch")
    before = runner.snapshot().version
    runner.reset()
    snap = runner.snapshot()
    assert snap.status is Status.IDLE and snap.epoch == 0 and snap.history == {} and snap.version > before
    assert not runner.alive and runner.submit("noop", lambda trainer: iter(())) is False  # no model after reset


def test_restart_replaces_the_previous_run(runner, splits):
    runner.start(LONG, splits)
    wait_for(lambda: runner.snapshot().epoch >= 2, what="2 epochs")
    short = RunConfig(n_samples=30, epochs=3)
    runner.start(short, prepare(short))
    snap = wait_for(lambda: (s := runner.snapshot()).status is Status.FINISHED and s, what="second run")
    assert snap.config == short and snap.epoch == 3


class Boom(Callback):
    def on_epoch_end(self, trainer, logs):
        if logs["epoch"] == 2:
            raise RuntimeError("boom at epoch 2")


def test_callback_error_is_surfaced_in_the_snapshot(runner, splits):
    runner.start(LONG, splits, extra_callbacks=lambda: [Boom()])
    snap = wait_for(lambda: (s := runner.snapshot()).status is Status.FAILED and s, what="failed status")
    assert snap.message == "RuntimeError: boom at epoch 2"
    assert any("Traceback" in note for note in snap.notes)
    wait_for(lambda: not runner.alive, what="thread end")


def test_divergence_is_a_final_status(runner):
    cfg = RunConfig(n_samples=100, epochs=1000, layers=parse_layers("32:linear,32:linear,32:linear"), optimizer="sgd", lr=1.0)
    runner.start(cfg, prepare(cfg))
    snap = wait_for(lambda: (s := runner.snapshot()).status is Status.DIVERGED and s, what="diverged")
    assert snap.message == f"loss diverged at epoch {snap.epoch}; try a smaller learning rate"
    assert snap.test is None and len(snap.history["loss"]) == snap.epoch  # the final publish is complete


def test_paused_snapshot_is_complete_after_steps(splits):
    runner = Runner(publish_every=60)  # nothing would be republished by time alone
    try:
        runner.start(LONG, splits, paused=True)
        wait_for(lambda: runner.snapshot().has_model, what="a model")
        runner.step(3)
        snap = wait_for(lambda: (s := runner.snapshot()).epoch == 3 and s.status is Status.PAUSED and s, what="3 steps")
        snap = wait_for(lambda: (s := runner.snapshot()).history and len(s.history["epoch"]) == 3 and s,
                        what="the paused snapshot to hold all 3 epochs")  # fmt: skip
        assert snap.val.balanced_accuracy == snap.history["val_balanced_accuracy"][-1]
    finally:
        runner.stop()


class _PublishLog(Runner):
    """A Runner that keeps the epochs of every history it publishes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.histories = []

    def publish(self, changes, final=False):
        if "history" in changes:
            self.histories.append(list(changes["history"].get("epoch", ())))
        super().publish(changes, final)


def test_the_first_epoch_is_published_in_full_at_once(splits):
    # The Start's first loss point: the first trained epoch's history goes out right away, not when the
    # publish budget next allows (the run's first publish is costly and set that 0.3-0.5 s later).
    runner = _PublishLog(publish_every=60)
    try:
        runner.start(LONG, splits)
        wait_for(lambda: any(runner.histories[1:]), what="a published history with an epoch")
        assert runner.histories[0] == []  # the start: no epoch yet
        assert next(h for h in runner.histories if h) == [1]
    finally:
        runner.stop()


SPARSE = LONG.replace(val_every=1000)  # validates epoch 1, then only when forced


def test_a_pause_between_validations_ends_on_a_validated_epoch(splits):
    runner = Runner(publish_every=60)  # only forced publishes refresh the history
    try:
        runner.start(SPARSE, splits)
        running = wait_for(lambda: (s := runner.snapshot()).epoch >= 5 and s, what="5 epochs")
        runner.pause()
        epoch = settled_epoch(runner)
        snap = runner.snapshot()
        assert snap.status is Status.PAUSED and len(snap.history["epoch"]) == epoch
        val = snap.history["val_balanced_accuracy"]
        assert running.val.balanced_accuracy == val[0]  # while it ran: epoch 1's, the only validation
        assert not np.isnan(val[-1]) and np.isnan(val[1:-1]).all()  # epoch 1, then the epoch it paused on
        assert snap.val.balanced_accuracy == val[-1]
        runner.step(2)  # the last stepped epoch is validated, the one before is not
        snap = wait_for(lambda: (s := runner.snapshot()).epoch == epoch + 2 and len(s.history["epoch"]) == epoch + 2 and s,
                        what="two steps")  # fmt: skip
        val = snap.history["val_balanced_accuracy"]
        assert np.isnan(val[-2]) and not np.isnan(val[-1]) and snap.val.balanced_accuracy == val[-1]
        assert settled_epoch(runner) == epoch + 2
    finally:
        runner.stop()


def test_unvalidated_epochs_leave_the_published_validation_alone(runner, splits):
    runner.start(SPARSE, splits)
    snap = wait_for(lambda: (s := runner.snapshot()).epoch >= 10 and len(s.history.get("epoch", ())) >= 10 and s,
                    what="10 published epochs")  # fmt: skip
    history = snap.history
    assert np.isnan(history["val_loss"][1:]).all() and not np.isnan(history["val_loss"][0])
    np.testing.assert_allclose(snap.val.recall.mean(), history["val_balanced_accuracy"][0])  # epoch 1's


def test_heartbeat_timeout_stops_the_thread(splits):
    runner = Runner(heartbeat_timeout=0.3)
    try:
        runner.start(LONG, splits)
        snap = wait_for(lambda: (s := runner.snapshot()).status is Status.STOPPED and s, what="heartbeat stop")
        assert "no heartbeat" in snap.message
        wait_for(lambda: not runner.alive, what="thread end")
    finally:
        runner.stop()


def test_heartbeats_keep_the_run_alive(splits):
    runner = Runner(heartbeat_timeout=0.3)
    try:
        runner.start(LONG, splits)
        # Beat on every poll until the run's own clock has passed three timeouts: still running.
        snap = wait_for(lambda: runner.heartbeat() or ((s := runner.snapshot()).wall_seconds > 3 * 0.3 and s),
                        what="three heartbeat timeouts of training")  # fmt: skip
        assert snap.status is Status.RUNNING and runner.alive
    finally:
        runner.stop()


def counting_job(chunks: int):
    """A job factory: ``chunks`` steps of progress, then a result computed from the model."""

    def job(trainer):
        for i in range(chunks):
            yield JobUpdate((i + 1) / chunks)
        yield JobUpdate(1.0, {"n_params": trainer.n_params})

    return job


def test_submit_during_a_run_reports_progress_and_result(runner, splits):
    runner.start(LONG, splits)
    snap = wait_for(lambda: (s := runner.snapshot()).has_model and s.epoch >= 1 and s, what="a model")
    assert runner.submit("count", counting_job(4)) is True
    job = wait_for(lambda: (j := runner.snapshot().jobs.get("count")) and j.status is JobStatus.DONE and j, what="job done")
    assert job.progress == 1.0 and job.result == {"n_params": snap.n_params}
    assert runner.snapshot().status is Status.RUNNING  # training carried on


def test_submit_while_paused_and_after_the_run(runner):
    cfg = RunConfig(n_samples=30, epochs=2)
    runner.start(cfg, prepare(cfg), paused=True)
    wait_for(lambda: runner.snapshot().has_model, what="a model")
    assert runner.submit("paused", counting_job(3))
    wait_for(lambda: (j := runner.snapshot().jobs.get("paused")) and j.status is JobStatus.DONE, what="job on a paused run")
    runner.resume()
    wait_for(lambda: runner.snapshot().status is Status.FINISHED and not runner.alive, what="finished")
    assert runner.submit("after", counting_job(2))  # the worker had ended: a new one runs the job
    job = wait_for(lambda: (j := runner.snapshot().jobs.get("after")) and j.status is JobStatus.DONE and j, what="job done")
    assert job.result["n_params"] > 0


def test_failing_job_reports_its_error(runner):
    cfg = RunConfig(n_samples=30, epochs=2)
    runner.start(cfg, prepare(cfg))
    wait_for(lambda: runner.snapshot().status is Status.FINISHED, what="finished")

    def broken(trainer):
        yield JobUpdate(0.5)
        raise ValueError("bad chunk")

    runner.submit("broken", broken)
    job = wait_for(lambda: (j := runner.snapshot().jobs.get("broken")) and j.status is JobStatus.FAILED and j, what="job error")
    assert job.message == "ValueError: bad chunk"


def test_submit_without_a_model_is_refused():
    assert Runner().submit("x", counting_job(1)) is False


def test_setting_the_same_lr_again_leaves_no_mark(runner, splits):
    runner.start(LONG, splits, paused=True)
    runner.step(1)
    wait_for(lambda: runner.snapshot().epoch == 1, what="one step")
    runner.set_lr(LONG.lr)  # what a page rerun would send if it lost track: no change, so no mark
    runner.set_lr(0.003)
    runner.set_lr(0.003)
    runner.step(1)
    snap = wait_for(lambda: (s := runner.snapshot()).epoch == 2 and s, what="second step")
    assert snap.lr_changes == ((2, 0.003),)


def test_no_snapshot_says_starting_once_an_epoch_is_in(runner, splits):
    """The progress line and the charts come from one snapshot: "Starting" only before epoch 1."""
    runner.start(LONG, splits)
    seen = []
    wait_for(lambda: seen.append(runner.snapshot()) or seen[-1].epoch >= 5, what="5 epochs")
    assert not [s for s in seen if s.status is Status.STARTING and (s.epoch > 0 or len(s.history.get("epoch", ())))]

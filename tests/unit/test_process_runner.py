"""ProcessRunner: the Runner's API with training in a spawned child process.

Spawning a child costs a few seconds (it imports torch), so each test walks through several
steps of one run. The autouse fixture in conftest.py checks that no thread and no child process
survives a test.
"""
import functools
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from playground.config import RunConfig
from playground.datasets import prepare
from playground.lr_finder import lr_range_job
from playground.jobs import JobStatus, JobUpdate
from playground.process_runner import ProcessRunner
from playground.status import Status
from playground.trainer import Callback
from polling import wait_for
from probes import settled_epoch

LONG = RunConfig(n_samples=50, epochs=100_000)  # never finishes on its own
SPAWN_TIMEOUT = 60  # the child imports torch and sklearn; slow on a loaded 2-core machine


class Boom(Callback):
    def on_train_begin(self, trainer) -> None:
        raise RuntimeError("boom at the start")


def boom_callbacks() -> list[Callback]:  # module level: it pickles to the child
    return [Boom()]


def failing_job(trainer):
    yield JobUpdate(0.5)
    raise ValueError(f"job failed at epoch {trainer.epoch}")


@pytest.fixture(scope="module")
def splits():
    return prepare(LONG)


@pytest.fixture
def runner():
    r = ProcessRunner(publish_every=0.05)
    yield r
    r.close()
    assert not r.child_alive


def test_a_run_walks_through_every_control(runner, splits):
    runner.start(LONG, splits)
    snap = wait_for(lambda: (s := runner.snapshot()).epoch >= 3 and len(s.history.get("loss", ())) and s,
                    SPAWN_TIMEOUT, "3 epochs")  # fmt: skip
    assert snap.status is Status.RUNNING and runner.alive
    assert snap.config == LONG and snap.n_train == len(splits.y_train) and snap.samples_per_second > 0
    assert snap.boundary.proba.shape == (100, 100, 3)
    np.testing.assert_allclose(snap.boundary.proba.sum(-1), 1, rtol=1e-5)

    runner.pause()
    assert runner.snapshot().status is Status.PAUSED  # calls answer with the snapshot right after them
    paused_at = settled_epoch(runner)
    runner.step(2)
    wait_for(lambda: runner.snapshot().epoch == paused_at + 2, what="two stepped epochs")
    assert settled_epoch(runner) == paused_at + 2

    runner.set_lr(0.05)
    runner.resume()
    snap = wait_for(lambda: (s := runner.snapshot()).lr_changes and s.history["lr"][-1] == 0.05 and s, what="new lr")
    assert snap.lr_changes[0] == (paused_at + 3, 0.05)

    runner.stop()
    snap = runner.snapshot()
    assert snap.status is Status.STOPPED and "stopped by the user" in snap.message and not runner.alive
    assert 0 <= snap.test.accuracy <= 1 and snap.test.confusion.shape == (3, 3)

    assert runner.submit("lr", lr_range_job(num_steps=20))  # jobs run on the finished model, in the child
    job = wait_for(lambda: (j := runner.snapshot().jobs.get("lr")) and not j.running and j, what="lr job")
    assert job.status is JobStatus.DONE and len(job.result.lrs) > 0

    runner.reset()
    assert runner.snapshot().status is Status.IDLE and not runner.submit("lr", lr_range_job())  # no model after a reset


def test_a_finished_run_matches_the_thread_runner(runner):
    """Same seed and config: the child's run gives the numbers a run in this process gives."""
    from playground.runner import Runner

    cfg = RunConfig(n_samples=60, epochs=15, seed=3)
    splits = prepare(cfg)
    runner.start(cfg, splits)
    snap = wait_for(lambda: (s := runner.snapshot()).status is Status.FINISHED and s, SPAWN_TIMEOUT, "finished")
    local = Runner()
    local.start(cfg, splits)
    here = wait_for(lambda: (s := local.snapshot()).status is Status.FINISHED and s, what="local run")
    local.stop()
    assert snap.epoch == here.epoch == 15 and snap.message == "finished 15 epochs"
    np.testing.assert_array_equal(snap.history["loss"], here.history["loss"])
    assert snap.test.loss == here.test.loss
    np.testing.assert_array_equal(snap.test.confusion, here.test.confusion)


def test_errors_in_the_child_reach_the_page(runner, splits):
    runner.start(LONG, splits, extra_callbacks=boom_callbacks)
    snap = wait_for(lambda: (s := runner.snapshot()).status is Status.FAILED and s, SPAWN_TIMEOUT, "error status")
    assert "RuntimeError: boom at the start" in snap.message and not snap.active

    runner.start(LONG.replace(epochs=5), splits)
    wait_for(lambda: runner.snapshot().status is Status.FINISHED, what="finished")
    assert runner.submit("bad", functools.partial(failing_job))
    job = wait_for(lambda: (j := runner.snapshot().jobs.get("bad")) and j.status is JobStatus.FAILED and j, what="job error")
    assert job.message == "ValueError: job failed at epoch 5"
    with pytest.raises(TypeError):  # a bad call raises in the caller, as with the thread runner
        runner.step("two")


def test_a_killed_child_is_reported_and_a_new_start_replaces_it(runner, splits):
    runner.start(LONG, splits)
    wait_for(lambda: len(runner.snapshot().history.get("epoch", ())) >= 2, SPAWN_TIMEOUT, "2 epochs on the curves")
    os.kill(runner.pid, signal.SIGKILL)  # e.g. the OOM killer
    snap = wait_for(lambda: (s := runner.snapshot()).status is Status.FAILED and s, what="error status")
    assert "the training process ended unexpectedly" in snap.message
    assert len(snap.history["epoch"]) >= 2 and not snap.active  # the curves stay; the page enables Start
    runner.pause()  # calls on a dead child are no-ops, not hangs
    runner.start(LONG.replace(epochs=3), splits)
    wait_for(lambda: runner.snapshot().status is Status.FINISHED, SPAWN_TIMEOUT, "a run in a new child")


SERVER = """
import os, sys, time
from playground.config import RunConfig
from playground.datasets import prepare
from playground.jobs import JobStatus, JobUpdate
from playground.process_runner import ProcessRunner
from playground.status import Status
cfg = RunConfig(n_samples=50, epochs=100_000)
runner = ProcessRunner()
runner.start(cfg, prepare(cfg))
deadline = time.monotonic() + 90
while runner.snapshot().epoch < 1 and time.monotonic() < deadline:
    time.sleep(0.05)
print(runner.pid, flush=True)
os._exit(0)  # dies without closing anything, as a killed server would
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\tZ" not in next(line for line in f if line.startswith("State:"))
    except (FileNotFoundError, StopIteration):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_child_ends_when_its_server_dies():
    out = subprocess.run([sys.executable, "-c", SERVER], capture_output=True, text=True, timeout=120, check=True)
    pid = int(out.stdout.split()[-1])
    wait_for(lambda: not _running(pid), what=f"the orphaned child {pid} to exit")


def test_heartbeat_timeout_stops_the_run_in_the_child(splits):
    runner = ProcessRunner(heartbeat_timeout=1.0)
    try:
        runner.start(LONG, splits)
        snap = wait_for(lambda: (s := runner.snapshot()).status is Status.STOPPED and s, SPAWN_TIMEOUT, "heartbeat stop")
        assert "no heartbeat" in snap.message
    finally:
        runner.close()


def test_a_host_that_cannot_spawn_gets_an_error_not_a_spinner(monkeypatch, splits):
    import playground.training_process as tp  # spawn_child starts the training process

    def refuse(method):
        raise OSError("process creation is not allowed here")

    monkeypatch.setattr(tp.mp, "get_context", refuse)
    runner = ProcessRunner()
    runner.start(LONG, splits)
    snap = runner.snapshot()
    assert snap.status is Status.FAILED and not snap.active
    assert "could not start the training process (OSError: process creation is not allowed here)" in snap.message
    assert "PLAYGROUND_RUNNER=thread" in snap.message
    runner.pause()  # no child: the controls are no-ops
    runner.close()

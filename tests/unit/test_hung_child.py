"""A hung training process (SIGSTOP): the runner says so within a bounded poll, calls do not wait on
it, and Stop / Reset / close end it (SIGKILL), keeping the run's history. Every test resumes or
kills the child in its teardown."""
import os
import signal

import pytest

from playground.config import RunConfig
from playground.datasets import prepare
from playground.process_runner import ProcessRunner
from playground.status import Status
from polling import wait_for

LONG = RunConfig(n_samples=50, epochs=100_000)  # never finishes on its own
SPAWN_TIMEOUT = 90  # the child imports torch; slow on a loaded 2-core machine
SILENCE = 1.0  # s without a message (the child pulses every 0.5 s) before it counts as hung here


@pytest.fixture(scope="module")
def splits():
    return prepare(LONG)


@pytest.fixture
def runner():
    r = ProcessRunner(publish_every=0.05, not_responding_after=SILENCE)
    yield r
    if r.pid is not None:
        os.kill(r.pid, signal.SIGCONT)  # a stopped child would ignore everything but SIGKILL
    r.close()
    assert not r.child_alive


def not_responding(runner):
    snap = runner.snapshot()
    return any("not responding" in note for note in snap.notes) and snap


def hang(runner, splits) -> int:
    """Start a run, let it train, stop its process (SIGSTOP); its pid."""
    runner.start(LONG, splits)
    # the curves, not only the epoch count: history arrays are published at the publish rate
    wait_for(lambda: len(runner.snapshot().history.get("epoch", ())) >= 2, SPAWN_TIMEOUT, "2 epochs on the curves")
    pid = runner.pid
    os.kill(pid, signal.SIGSTOP)
    return pid


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\tZ" in next(line for line in f if line.startswith("State:"))
    except (FileNotFoundError, StopIteration):
        return True


def test_a_stopped_process_is_reported_and_stop_kills_it_keeping_the_history(runner, splits):
    pid = hang(runner, splits)
    snap = wait_for(lambda: not_responding(runner), 30, "the not-responding note")
    assert snap.status is Status.RUNNING and runner.child_alive and not runner.responding
    runner.pause()  # returns: no reply is awaited from a process that says nothing
    runner.set_lr(0.5)
    runner.heartbeat()
    epochs = len(snap.history["epoch"])
    runner.stop()
    snap = runner.snapshot()
    assert snap.status is Status.STOPPED and "not responding" in snap.message and not snap.notes
    assert len(snap.history["epoch"]) == epochs >= 2  # the run's curves stay on the page
    assert not runner.child_alive
    wait_for(lambda: gone(pid), what=f"process {pid} to end")
    runner.start(LONG.replace(epochs=3), splits)  # a new process
    wait_for(lambda: runner.snapshot().status is Status.FINISHED, SPAWN_TIMEOUT, "a run in a new process")


def test_a_process_that_resumes_responds_again_and_stops_normally(runner, splits):
    pid = hang(runner, splits)
    wait_for(lambda: not_responding(runner), 30, "the not-responding note")
    os.kill(pid, signal.SIGCONT)
    wait_for(lambda: not not_responding(runner) and runner.responding, 30, "the note to go")
    runner.stop()
    snap = runner.snapshot()
    assert snap.status is Status.STOPPED and "stopped by the user" in snap.message and runner.pid == pid


def test_reset_ends_a_stopped_process(runner, splits):
    pid = hang(runner, splits)
    wait_for(lambda: not_responding(runner), 30, "the not-responding note")
    runner.reset()
    assert runner.snapshot().status is Status.IDLE and not runner.child_alive
    wait_for(lambda: gone(pid), what=f"process {pid} to end")


def test_close_ends_a_stopped_process(runner, splits):
    pid = hang(runner, splits)
    wait_for(lambda: not_responding(runner), 30, "the not-responding note")
    runner.close()
    assert not runner.child_alive
    wait_for(lambda: gone(pid), what=f"process {pid} to end")


def test_a_start_whose_reply_does_not_come_leaves_the_page_starting_not_idle(runner, splits):
    # A page draws the snapshot start() leaves behind and polls only while a run is active: a reply
    # that does not come in time (a loaded machine, a hung child) must leave "starting", not "idle"
    runner.start(LONG, splits)
    wait_for(lambda: len(runner.snapshot().history.get("epoch", ())) >= 1, SPAWN_TIMEOUT, "a first epoch")
    runner.stop()
    runner.reset()
    os.kill(runner.pid, signal.SIGSTOP)
    runner.start(LONG, splits)  # returns once the child counts as hung
    assert runner.snapshot().status is Status.STARTING
    os.kill(runner.pid, signal.SIGCONT)  # it wakes, starts, and its messages arrive
    wait_for(lambda: runner.snapshot().status is Status.RUNNING, 30, "the run to show as running")

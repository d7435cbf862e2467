"""Admission: at most N runs train at once, later Starts wait in line (first come, first served) and start by
themselves; a paused or ended run gives its slot back; an idle runner gives its training process back.

The gate is checked on its own (plain tickets), then with real thread Runners behind AdmittedRunner."""
import threading

import pytest

from playground.admission import MAX_TRAINING_ENV, Admission, default_slots
from playground.admitted_runner import AdmittedRunner
from playground.config import RunConfig
from playground.datasets import prepare
from playground.runner import Runner
from playground.status import Status
from polling import wait_for

LONG = RunConfig(n_samples=50, epochs=100_000)  # never finishes on its own
SHORT = RunConfig(n_samples=50, epochs=3)


class Plain:
    """A ticket that records its grant and trains until told otherwise."""

    def __init__(self) -> None:
        self.grants, self.training = 0, True

    def granted(self) -> None:
        self.grants += 1

    def still_training(self) -> bool:
        return self.training

    def tick(self, now: float) -> None:
        pass


def test_the_gate_admits_up_to_its_slots_then_queues_first_come_first_served():
    gate = Admission(slots=2)
    a, b, c, d = Plain(), Plain(), Plain(), Plain()
    assert gate.request(a) and gate.request(b)
    assert not gate.request(c) and not gate.request(d)
    assert (gate.ahead(c), gate.ahead(d), gate.ahead(a)) == (0, 1, None)
    assert gate.request(a) and gate.training == 2  # a holder asking again keeps its one slot
    gate.release(a)
    wait_for(lambda: c.grants == 1, what="c's grant")
    assert gate.holds(c) and gate.ahead(d) == 0 and d.grants == 0
    gate.release(d)  # d gives up its place in line
    gate.release(b)
    assert gate.waiting == 0 and gate.training == 1 and d.grants == 0


def test_the_watcher_takes_back_the_slot_of_a_run_that_stopped_training():
    gate = Admission(slots=1)
    a, b = Plain(), Plain()
    for t in (a, b):
        gate.join(t)
    assert gate.request(a) and not gate.request(b)
    a.training = False  # ended or paused; nobody told the gate
    wait_for(lambda: b.grants == 1, what="b's grant")
    assert not gate.holds(a) and gate.holds(b)
    for t in (a, b):
        gate.leave(t)
    wait_for(lambda: not [t for t in threading.enumerate() if t.name == "playground-admission"], what="the watcher's end")


def test_default_slots_follow_the_cores_and_the_memory_and_the_env(monkeypatch):
    monkeypatch.delenv(MAX_TRAINING_ENV, raising=False)
    assert default_slots(cores=2, memory_mb=24_000) == 2
    assert default_slots(cores=16, memory_mb=8192) == 3  # (8192 - 1024) // 2048: runs that fit beside the server
    assert default_slots(cores=4, memory_mb=512) == 1
    monkeypatch.setenv(MAX_TRAINING_ENV, "5")
    assert default_slots(cores=2, memory_mb=24_000) == 5
    monkeypatch.setenv(MAX_TRAINING_ENV, "0")
    with pytest.raises(ValueError, match="PLAYGROUND_MAX_TRAINING == '0', must be a whole number >= 1"):
        default_slots()


@pytest.fixture(scope="module")
def splits():
    return prepare(LONG)


@pytest.fixture
def pair():
    gate = Admission(slots=1)
    runners = [AdmittedRunner(Runner(publish_every=0.05), gate) for _ in range(2)]
    yield gate, runners
    for r in runners:
        r.close()


def status(runner) -> Status:
    return runner.snapshot().status


def test_a_start_beyond_the_slots_waits_in_line_and_starts_when_the_first_pauses(pair, splits):
    gate, (a, b) = pair
    a.start(LONG, splits)
    wait_for(lambda: status(a) is Status.RUNNING, what="a running")
    b.start(LONG, splits)
    snap = b.snapshot()
    assert snap.status is Status.STARTING and snap.queued == 0 and snap.config == LONG and b.alive
    a.pause()  # a paused run holds no core
    wait_for(lambda: status(b) is Status.RUNNING and b.snapshot().queued is None, what="b running")
    a.resume()  # now a waits for b
    assert status(a) is Status.PAUSED and a.snapshot().queued == 0
    b.stop()
    wait_for(lambda: status(a) is Status.RUNNING, what="a resumed")
    assert gate.holds(a) and not gate.holds(b)


def test_an_ended_run_frees_its_slot_and_stop_or_pause_leave_the_line(pair, splits):
    gate, (a, b) = pair
    a.start(SHORT, splits)
    b.start(SHORT, splits)  # queued or started, depending on how fast a's three epochs went
    wait_for(lambda: status(a) is Status.FINISHED and status(b) is Status.FINISHED, what="both finished in turn")
    wait_for(lambda: gate.training == 0, what="the slot back")
    a.start(LONG, splits)
    b.start(LONG, splits)
    assert b.snapshot().queued == 0
    b.stop()  # leaves the line: what it shows is its last run again
    assert b.snapshot().queued is None and status(b) is Status.FINISHED and gate.waiting == 0
    b.start(LONG, splits)
    b.pause()  # a queued start starts paused (a paused run needs no slot)
    wait_for(lambda: status(b) is Status.PAUSED, what="b paused")
    assert b.snapshot().queued is None and gate.waiting == 0 and gate.holds(a)


class Closable(Runner):
    """A thread Runner that says it holds a process, and counts its closes."""

    child_alive = True
    closes = 0

    def close(self, timeout: float = 10.0) -> None:
        self.closes += 1
        self.child_alive = False
        super().close(timeout)


def test_an_idle_runner_gives_its_process_back_after_the_timeout(splits):
    gate = Admission(slots=1)
    inner = Closable(publish_every=0.05)
    runner = AdmittedRunner(inner, gate, idle_timeout=0.5)
    try:
        runner.start(SHORT, splits)
        wait_for(lambda: status(runner) is Status.FINISHED, what="the run")
        wait_for(lambda: inner.closes == 1, what="the idle close")
        assert status(runner) is Status.FINISHED  # the last run stays on the page
    finally:
        runner.close()

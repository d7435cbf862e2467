"""SparePool: a session's first Start takes a training process that is already warm.

Rule-based, no wall times: a warm spare's start answers "running" at once (no import to wait
for), the run's process is the spare's (no new interpreter), it trains with the taker's thread
count, a crashed spare falls back to a plain spawn, and closing the pool ends every spare.
"""
import functools
import multiprocessing
import os
import signal
import sys

import pytest

from playground.config import RunConfig
from playground.datasets import prepare
from playground.jobs import JobStatus, JobUpdate
from playground.process_runner import ProcessRunner
from playground.training_process import spawn_child
from playground.spares import SparePool
from playground.status import Status
from polling import wait_for

LONG = RunConfig(n_samples=50, epochs=100_000)  # never finishes on its own
IMPORTING = "importing torch"  # the page's note while a start waits for its process to warm up
SPAWN_TIMEOUT = 90  # a spare imports torch and rehearses a run; slow on a loaded 2-core machine


def child_facts(trainer):
    """A job run in the training process: what it has loaded and how many torch threads it trains with."""
    import torch

    yield JobUpdate(1.0, (os.getpid(), torch.get_num_threads(), "sklearn" in sys.modules))


@pytest.fixture(scope="module")
def splits():
    return prepare(LONG)


@pytest.fixture
def pool():
    p = SparePool(spawn_child)
    yield p
    p.close()


def warm(pool: SparePool) -> int:
    """The pid of the pool's spare once it has said "ready" (torch imported, a run rehearsed)."""
    pool.fill()
    wait_for(pool.settled, SPAWN_TIMEOUT, "the spare's ready message")  # full, warmed up, no take held
    return pool.pids[0]


def facts(runner: ProcessRunner) -> tuple:
    assert runner.submit("facts", functools.partial(child_facts))
    job = wait_for(lambda: (j := runner.snapshot().jobs.get("facts")) and j.status is JobStatus.DONE and j, what="facts")
    return job.result


def test_a_first_start_takes_the_warm_spare_and_trains_with_its_own_thread_count(pool, splits):
    spare = warm(pool)
    runner = ProcessRunner(threads=2, spares=pool)
    try:
        runner.start(LONG, splits)
        # Warm: the start was a call answered by the child's Runner, not queued behind an import.
        assert runner.from_spare and IMPORTING not in runner.snapshot().message
        assert runner.pid == spare  # no new interpreter for this run
        wait_for(lambda: pool.pids and pool.pids[0] != spare, what="the replacement")  # after the hold
        pid, threads, sklearn = facts(runner)
        assert (pid, threads, sklearn) == (spare, 2, False)  # the taker's thread count; a lean process
        runner.stop()
        runner.start(LONG.replace(epochs=3), splits)  # a later run reuses the same child
        wait_for(lambda: runner.snapshot().status is Status.FINISHED, what="the second run")
        assert runner.pid == spare
    finally:
        runner.close()
    assert not runner.child_alive


def test_a_spare_taken_while_it_warms_queues_the_start(pool, splits):
    pool.fill()
    runner = ProcessRunner(spares=pool)
    try:
        runner.start(LONG, splits)
        assert runner.from_spare and IMPORTING in runner.snapshot().message
        wait_for(lambda: runner.snapshot().epoch >= 1, SPAWN_TIMEOUT, "the first epoch")
    finally:
        runner.close()


def test_a_crashed_spare_falls_back_to_a_plain_spawn_and_the_run_works(pool, splits):
    dead = warm(pool)
    os.kill(dead, signal.SIGKILL)
    wait_for(lambda: dead not in {p.pid for p in multiprocessing.active_children()}, what="the spare to die")
    runner = ProcessRunner(spares=pool)
    try:
        runner.start(LONG.replace(epochs=3), splits)
        assert not runner.from_spare
        snap = wait_for(lambda: (s := runner.snapshot()).status is Status.FINISHED and s, SPAWN_TIMEOUT, "finished")
        assert snap.epoch == 3 and runner.pid not in (None, dead)
        wait_for(lambda: pool.pids and dead not in pool.pids, what="a new spare")  # the dead one was replaced
    finally:
        runner.close()


def test_a_spare_that_dies_after_it_was_handed_over_is_replaced_by_a_spawn(splits):
    """The pool looked (alive), then the spare died before its settings reached it."""

    class Dying(SparePool):
        def take(self):
            child = super().take()
            child[0].kill()
            child[0].join()
            return child

    pool = Dying(spawn_child)
    pool.fill()
    runner = ProcessRunner(spares=pool)
    try:
        runner.start(LONG.replace(epochs=2), splits)
        assert not runner.from_spare
        wait_for(lambda: runner.snapshot().status is Status.FINISHED, SPAWN_TIMEOUT, "a run in a spawned child")
    finally:
        runner.close()
        pool.close()


class FakeProcess:
    """Enough of a Process for the pool: alive until killed; counts terminations."""

    def __init__(self, pid: int) -> None:
        self.pid, self.alive, self.closed = pid, True, False

    def is_alive(self) -> bool:
        return self.alive

    def terminate(self) -> None:
        self.alive = False

    kill = terminate

    def join(self, timeout=None) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class FakeConn:
    def poll(self, timeout=0) -> bool:
        return True

    def close(self) -> None:
        pass


def fake_pool(refill_after: float) -> tuple[SparePool, list]:
    made = []

    def make():
        made.append(FakeProcess(len(made) + 1))
        return made[-1], FakeConn()

    return SparePool(make, refill_after=refill_after), made


def test_a_take_holds_the_refill_until_the_takers_first_points_are_drawn():
    pool, made = fake_pool(refill_after=0.3)
    try:
        pool.fill()
        first, _ = pool.take()
        assert first.pid == 1 and pool.pids == []
        pool.fill()  # the app's warm-up calls fill after every page: it must wait out the hold too
        assert pool.pids == [] and len(made) == 1 and not pool.settled()  # nor start the race worker
        wait_for(lambda: pool.pids == [2], what="the refill after the hold")
        assert len(made) == 2 and pool.settled()  # FakeConn.poll: the new spare has said "ready"
    finally:
        pool.close()


def test_a_dead_spare_is_released_and_skipped():
    pool, made = fake_pool(refill_after=0.0)
    try:
        pool.fill()
        made[0].alive = False  # crashed while waiting
        assert pool.take() is None and made[0].closed
    finally:
        pool.close()


def test_closing_during_the_hold_ends_the_refill_thread_and_starts_nothing():
    pool, made = fake_pool(refill_after=60.0)
    pool.fill()
    pool.take()
    pool.close()  # returns at once: the refill thread wakes on close (conftest: no playground- thread survives)
    assert pool.pids == [] and len(made) == 1


def test_closing_the_pool_ends_every_spare_and_starts_none_later(pool):
    pool.fill()
    pool.close()
    import multiprocessing

    assert not multiprocessing.active_children() and pool.pids == []
    assert pool.take() is None
    pool.fill()
    assert pool.pids == []


def test_a_runner_whose_pool_closed_spawns_its_own(pool, splits):
    pool.close()
    runner = ProcessRunner(spares=pool)
    try:
        runner.start(LONG.replace(epochs=2), splits)
        assert not runner.from_spare
        wait_for(lambda: runner.snapshot().status is Status.FINISHED, SPAWN_TIMEOUT, "a run in a spawned child")
    finally:
        runner.close()

"""Fifty Start/Stop cycles through the app's runner stack (AdmittedRunner around a ProcessRunner, one warm spare)
leave no extra thread or process in the server, and its memory within 10% of where it started."""
import multiprocessing
import sys
import threading

import pytest

from playground.admission import Admission
from playground.admitted_runner import AdmittedRunner
from playground.config import RunConfig
from playground.datasets import prepare
from playground.process_runner import ProcessRunner
from playground.spares import SparePool
from playground.status import Status
from playground.training_process import spawn_child
from polling import wait_for

LONG = RunConfig(n_samples=50, epochs=100_000)
SPAWN_TIMEOUT = 90  # s: the child imports torch; slow on a loaded 2-core machine
CYCLES = 50


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def cycle(runner, splits) -> None:
    runner.start(LONG, splits)
    wait_for(lambda: runner.snapshot().epoch >= 1, SPAWN_TIMEOUT, "the first epoch")
    runner.stop()
    assert runner.snapshot().status is Status.STOPPED


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_fifty_start_stop_cycles_leave_no_thread_process_or_memory_behind():
    splits = prepare(LONG)
    pool = SparePool(spawn_child, size=1)
    gate = Admission(slots=1)
    runner = AdmittedRunner(ProcessRunner(threads=1, spares=pool), gate)
    try:
        pool.fill()
        for _ in range(3):  # warm: the child, its pipe threads, torch's and numpy's first allocations
            cycle(runner, splits)
        wait_for(lambda: len(pool.pids) == 1, SPAWN_TIMEOUT, "the spare's replacement")
        threads, children, rss = threading.active_count(), len(multiprocessing.active_children()), rss_kb()
        for _ in range(CYCLES):
            cycle(runner, splits)
        wait_for(lambda: gate.training == 0, what="the slot back")
        assert threading.active_count() == threads
        assert len(multiprocessing.active_children()) == children  # the session's process and the spare
        assert rss_kb() <= rss * 1.10, (rss, rss_kb())
    finally:
        runner.close()
        pool.close()

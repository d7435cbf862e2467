"""Event-based checks of a runner's worker: "no epoch ran" proven by a job, not by a sleep.

The worker runs one job chunk before each epoch while it trains, and chunks back to back only
while a paused run rests; a probe whose chunks all saw the same epoch proves none ran between.
Module-level, so the probe pickles into a ProcessRunner's child.
"""
import functools
import itertools

from playground.jobs import JobStatus, JobUpdate
from playground.status import Status
from polling import wait_for

_names = itertools.count()


def epoch_probe(trainer, chunks: int = 5):
    """A job: the trainer's epoch at each of ``chunks`` chunks; its result is the tuple of them."""
    seen = []
    for i in range(chunks):
        seen.append(trainer.epoch)
        yield JobUpdate((i + 1) / chunks, tuple(seen) if i == chunks - 1 else None)


def settled_epoch(runner, attempts: int = 20) -> int:
    """The epoch a paused run rests on (a pause lets the current, and an unvalidated, epoch end first)."""
    wait_for(lambda: runner.snapshot().status is Status.PAUSED, what="paused")
    for _ in range(attempts):
        name = f"probe-{next(_names)}"
        assert runner.submit(name, functools.partial(epoch_probe, chunks=5))
        job = wait_for(lambda: (j := runner.snapshot().jobs.get(name)) and j.status is JobStatus.DONE and j, what="probe")
        if len(set(job.result)) == 1:
            return job.result[0]
    raise AssertionError(f"the run kept training while paused: {job.result}")

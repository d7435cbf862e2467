"""Jobs: chunked background work on a run's model (LR range test, landscape grids).

A job is a callable ``job(trainer) -> Iterator[JobUpdate]``: each ``next()`` does one chunk of
work (tens of milliseconds, so training waits at most that long between epochs) and yields its
progress; the last update carries the ``result``. The runner turns updates into ``JobState``,
which the page reads from ``Snapshot.jobs[name]``. Everything here pickles (it crosses the
training process's pipe).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Callable, Iterator


class JobStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class JobUpdate:
    """What one chunk of a job yields."""

    progress: float  # in [0, 1]
    result: Any = None  # the job's typed result (e.g. LRFinderResult) on its last update


@dataclass(frozen=True)
class JobState:
    """A job as the page sees it."""

    status: JobStatus = JobStatus.RUNNING
    progress: float = 0.0  # in [0, 1]
    result: Any = None  # set once, by the job's last update
    message: str = ""  # the error, when status is FAILED

    @property
    def running(self) -> bool:
        return self.status is JobStatus.RUNNING


Job = Callable[[Any], Iterator[JobUpdate]]  # job(trainer); module-level or functools.partial, so it pickles

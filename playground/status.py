"""Status: where a run is in its life, one enum for the trainer, both runners and the page.

A ``StrEnum``: it pickles across the training process's pipe as its value, and prints as the
plain word (``f"{Status.PAUSED}" == "paused"``), which the run store and logs keep.
"""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    IDLE = "idle"  # no run (or a trainer built but not yet stepped)
    STARTING = "starting"  # the runner is building the trainer (or the training process is importing torch)
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"  # trained every configured epoch
    EARLY_STOPPED = "early_stopped"  # early stopping ended it (a kind of finish: the weights are good)
    STOPPED = "stopped"  # the user (or a page gone quiet) ended it
    DIVERGED = "diverged"  # the loss became NaN or infinite
    STALLED = "stalled"  # the output stopped depending on the input
    FAILED = "failed"  # an exception ended it; the message says which

    @property
    def active(self) -> bool:
        """Still training, or about to: the page keeps polling."""
        return self in ACTIVE

    @property
    def ended(self) -> bool:
        return self in ENDED

    @property
    def has_model(self) -> bool:
        """Ended with usable (finite) weights: test metrics are computed for these."""
        return self in (Status.FINISHED, Status.EARLY_STOPPED, Status.STOPPED, Status.STALLED)


ACTIVE = frozenset({Status.STARTING, Status.RUNNING, Status.PAUSED})
ENDED = frozenset({Status.FINISHED, Status.EARLY_STOPPED, Status.STOPPED, Status.DIVERGED, Status.STALLED, Status.FAILED})

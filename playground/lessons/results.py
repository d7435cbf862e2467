"""What a lesson's runs measured: plain data (numpy arrays and numbers), no torch.

A check reads a ``Measured`` (the runs, by label, and the race when the lesson has one) and returns
``(held, sentence)``; ``run_lesson`` wraps both into a ``LessonResult``. Tests build these by hand to
check that a lesson's sentence is computed from the numbers it is given.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # the engine's result types, named here without importing torch
    from playground.lr_finder import LRFinderResult
    from playground.metrics import Metrics
    from playground.race import RaceResult


@dataclass(frozen=True)
class RunResult:
    """One trained setup of a lesson."""

    label: str  # the setup's label: names the run in the sentence and the legend
    query: str  # the effective RunConfig as a URL query (seed replaced, lr picked by the range test)
    train: Metrics  # scores on the final weights (the restored ones after early stopping), eval mode
    val: Metrics
    test: Metrics
    status: str = "finished"  # playground.status.Status value
    message: str = ""
    epochs_run: int = 0
    history: dict[str, np.ndarray] = field(default_factory=dict)  # callbacks.History.as_arrays(): (E,) per key
    seconds: float = 0.0  # inside training epochs only
    restored_epoch: int | None = None  # early stopping put this epoch's weights back
    lr_changed_at: int | None = None  # the epoch after which the live lr change applied
    grad_layers: tuple[str, ...] = ()  # gradient-flow probe's layer labels, input to output
    grad_norm_start: np.ndarray | None = None  # (L,) ||dL/dW|| per layer at the initial weights
    grad_norm_end: np.ndarray | None = None  # (L,) the same on the final weights
    boundary: np.ndarray | None = None  # (R, R, C) class probabilities on the input plane, row = y (2-D sets only)
    weight_change: np.ndarray | None = None  # (L,) ||W_end - W_start|| / ||W_start|| per Linear, input to output
    lr_finder: LRFinderResult | None = None  # the range test that picked this run's lr

    def curve(self, key: str) -> np.ndarray:
        """(E,) one history column; NaN on epochs without it (validation off schedule)."""
        return self.history.get(key, np.array([]))

    @property
    def grad_ratio_start(self) -> float:
        """First-layer / output-layer gradient norm at the initial weights (1 healthy, 1e-5 vanishing)."""
        g = self.grad_norm_start
        return float(g[0] / g[-1]) if g is not None and len(g) > 1 and g[-1] > 0 else float("nan")


@dataclass(frozen=True)
class Measured:
    """What a check reads: every run of the lesson, and the optimizer race when it has one."""

    runs: tuple[RunResult, ...] = ()
    race: RaceResult | None = None

    def __getitem__(self, label: str) -> RunResult:
        for run in self.runs:
            if run.label == label:
                return run
        raise KeyError(f"run == {label!r}, must be one of {[r.label for r in self.runs]}")


@dataclass(frozen=True)
class LessonResult:
    lesson_id: str
    seed: int
    measured: Measured
    held: bool  # the claim held on these runs
    sentence: str  # computed from the runs by the lesson's check
    seconds: float = 0.0  # wall time of the whole lesson (data, training, checks)

    @property
    def runs(self) -> tuple[RunResult, ...]:
        return self.measured.runs


@dataclass(frozen=True)
class LessonEvent:
    """Progress for a live page: ``run_lesson(..., on_event=...)`` calls back with these."""

    kind: str  # "run_started" | "epoch" | "run_finished" | "race_finished" | "lesson_finished"
    run: int  # index of the setup (0-based); the race counts as one more
    runs: int  # how many runs the lesson has
    label: str = ""
    epoch: int = 0  # epochs done ("epoch" events)
    epochs: int = 0  # configured epochs of this run
    logs: dict[str, Any] | None = None  # the trainer's epoch logs ("epoch" events)
    result: Any = None  # the RunResult / RaceResult / LessonResult just finished

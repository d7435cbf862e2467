"""Snapshot: everything the page draws of a run, as frozen dataclasses of numbers and numpy arrays.

The runner publishes a new Snapshot (never mutates one), so the page may keep any it reads. All
of it pickles: the training process sends snapshots over its pipe. Each part is typed, so a
renamed field fails in a unit test rather than in a browser.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from playground.config import RunConfig
from playground.jobs import JobState
from playground.metrics import Metrics
from playground.mnist_views import FirstLayerImages, TestDigits
from playground.network_graph import NetworkGraph
from playground.status import Status


@dataclass(frozen=True)
class Validation:
    """The last validation pass's class-level scores (its loss and accuracy are in the history)."""

    confusion: np.ndarray  # (C, C) counts, rows = true class
    recall: np.ndarray  # (C,) per class
    balanced_accuracy: float  # mean recall


@dataclass(frozen=True)
class PlanePoints:
    """Train and test points projected onto the boundary's plane (at most boundary.MAX_POINTS each)."""

    train: tuple[np.ndarray, np.ndarray]  # ((m, 2) float32 plane coordinates, (m,) int64 labels)
    test: tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class BoundaryGrid:
    """Class probabilities over a grid of the input plane (or the training data's PCA plane)."""

    xs: np.ndarray  # (R,) grid x coordinates
    ys: np.ndarray  # (R,) grid y coordinates
    proba: np.ndarray  # (R, R, C) float32, row = y
    points: PlanePoints
    note: str = ""  # what the plane is, for a caption ("" for 2-D sets)
    axis_titles: tuple[str, str] = ("x1", "x2")


@dataclass(frozen=True)
class Extras:
    """Small summaries from the diagnostic observers (their big state stays in the training process)."""

    gradflow: Any = None  # diagnostics.gradflow's stats, after the first epoch
    trajectory: Any = None  # diagnostics.trajectory's summary (snapshot count, spacing, size)


@dataclass(frozen=True)
class Snapshot:
    """One published state of a run (copies; safe to keep)."""

    status: Status = Status.IDLE
    run_id: str = ""  # unique per started run (new_run_id(), or the id given to start); "" while idle
    message: str = ""  # why it ended, or the error
    queued: int | None = None  # a Start waiting for a free slot (playground/admission.py): runs ahead of it
    config: RunConfig | None = None
    epoch: int = 0  # epochs completed
    epochs: int = 0  # configured
    history: Mapping[str, np.ndarray] = field(default_factory=dict)  # callbacks.SCALAR_KEYS -> (epoch,) arrays
    lr_changes: tuple[tuple[int, float], ...] = ()  # (first epoch trained with the lr, lr)
    restored_epoch: int | None = None  # early stopping put this epoch's weights back
    val: Validation | None = None
    boundary: BoundaryGrid | None = None
    network: NetworkGraph | None = None  # the network graph's units, weights and unit maps (with the boundary)
    test: Metrics | None = None  # the held-out test split, evaluated once when the run ends
    first_layer: FirstLayerImages | None = None  # image sets: the first layer's largest weight rows as 28x28 (live)
    test_digits: TestDigits | None = None  # image sets: the test digits' predictions, with the test metrics
    notes: tuple[str, ...] = ()  # e.g. "batch_size clamped to ..."
    extras: Extras = Extras()
    jobs: Mapping[str, JobState] = field(default_factory=dict)  # job name -> its state
    wall_seconds: float = 0.0  # since start, pauses included
    train_seconds: float = 0.0  # inside training epochs only
    n_params: int = 0
    n_train: int = 0  # training rows
    device: str = ""
    version: int = 0  # bumps on each publish

    @property
    def active(self) -> bool:
        return self.status.active

    @property
    def has_model(self) -> bool:
        """A model has been built for this run (jobs such as the LR range test can run on it)."""
        return self.n_params > 0

    @property
    def samples_per_second(self) -> float:
        """Average training throughput (training-loop time only)."""
        return self.epoch * self.n_train / self.train_seconds if self.train_seconds > 0 else float("nan")


def new_run_id() -> str:
    """A run's id: 12 hex characters (the run store's key, the runs table's row id)."""
    return uuid.uuid4().hex[:12]

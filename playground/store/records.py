"""Typed records: what the store's reads return (RunRecord, RunHistory) and what a finished run writes (RunResult).

Frozen dataclasses of plain values (tuples, floats, datetimes), so they compare, hash where they can
and cross a process pipe; ``RunHistory`` holds numpy columns, as ``History.as_arrays()`` does.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Mapping
from urllib.parse import parse_qsl

import numpy as np

if TYPE_CHECKING:
    from playground.config import RunConfig

INTERRUPTED = "interrupted"  # shown for a run still "running" whose writer has gone quiet (see RunStore.stale_after)
ACTIVE = frozenset({"starting", "running", "paused"})  # playground.status.ACTIVE's values


@dataclass(frozen=True)
class Scores:
    """Final scores on one split, evaluated once on the final weights."""

    loss: float
    accuracy: float
    balanced_accuracy: float


@dataclass(frozen=True)
class RunResult:
    """How a run ended, as the recorder writes it. Scores are None when unknown (e.g. diverged: NaN weights)."""

    status: str  # a playground.status.Status value
    message: str
    epochs: int
    train: Scores | None = None
    val: Scores | None = None
    test: Scores | None = None
    confusion: tuple[tuple[int, ...], ...] | None = None  # (C, C) test counts, row = true class
    class_names: tuple[str, ...] = ()
    seconds: float | None = None  # inside training epochs only
    samples_per_second: float | None = None


@dataclass(frozen=True)
class RunRecord:
    """One stored run, as listed (no history, no weights: load those by id)."""

    id: str
    label: str
    status: str  # a Status value, or "interrupted" (a run whose process died while it trained)
    message: str
    query: str  # the config as its URL query string; ``config()`` parses it
    session: str | None
    source: str  # "app", "cli", "sweep"
    study: str | None
    created: datetime  # UTC
    updated: datetime  # UTC, the last write
    finished: datetime | None
    epochs: int
    train: Scores | None
    val: Scores | None
    test: Scores | None
    confusion: tuple[tuple[int, ...], ...] | None
    class_names: tuple[str, ...]
    seconds: float | None
    samples_per_second: float | None
    has_weights: bool

    @property
    def interrupted(self) -> bool:
        return self.status == INTERRUPTED

    def config(self) -> tuple["RunConfig", list[str]]:
        """The run's RunConfig and the warnings of ``from_query`` (a field renamed since it was stored)."""
        from playground.config import from_query

        return from_query(dict(parse_qsl(self.query, keep_blank_values=True)))

    def as_json(self) -> dict:
        """Plain JSON values: ISO 8601 times, metrics as ``{split}_{score}`` keys, None for unknown."""
        metrics = {f"{split}_{k}": getattr(s, k) if s else None for split, s in self.splits().items()
                   for k in ("loss", "accuracy", "balanced_accuracy")}  # fmt: skip
        return {
            "id": self.id, "label": self.label, "status": self.status, "message": self.message, "query": self.query,
            "session": self.session, "source": self.source, "study": self.study,
            "created": _iso(self.created), "finished": _iso(self.finished) if self.finished else None,
            "epochs": self.epochs, "metrics": {k: _finite_or_none(v) for k, v in metrics.items()},
            "confusion_matrix": [list(row) for row in self.confusion] if self.confusion else None,
            "class_names": list(self.class_names), "seconds": self.seconds,
            "samples_per_second": _finite_or_none(self.samples_per_second), "has_weights": self.has_weights,
        }  # fmt: skip

    def splits(self) -> dict[str, Scores | None]:
        return {"train": self.train, "val": self.val, "test": self.test}


@dataclass(frozen=True, eq=False)
class RunHistory:
    """A run's per-epoch scalars: ``arrays[key]`` is (epochs,) float64 for each key of HISTORY_KEYS
    (History.as_arrays()'s keys), NaN where the epoch had no such log (e.g. not validated)."""

    run_id: str
    arrays: Mapping[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.arrays["epoch"])

    @property
    def lr_changes(self) -> tuple[tuple[int, float], ...]:
        """(first epoch trained at the new lr, lr) for each mid-run change, as ``Snapshot.lr_changes``."""
        epoch, lr = self.arrays["epoch"], self.arrays["lr"]
        changed = np.flatnonzero(lr[1:] != lr[:-1]) + 1  # (K,) indexes whose lr differs from the epoch before
        return tuple((int(epoch[i]), float(lr[i])) for i in changed)


def utc(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None

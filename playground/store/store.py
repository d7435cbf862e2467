"""RunStore: every run of the app and the CLI, in one database (SQLite by default, any SQLAlchemy URL).

    store = open_store()                      # PLAYGROUND_DB, else $PLAYGROUND_HOME/runs.db
    for run in store.list_runs(session=sid):  # newest first, RunRecord
        print(run.label, run.status, run.test.accuracy if run.test else None)
    history = store.load_history(run.id)      # RunHistory: History.as_arrays()-shaped columns
    state = store.load_weights(run.id)        # state_dict of CPU tensors, or None

Writers are RunRecorder callbacks (recorder.py), one per run: ``begin_run``, ``record_epochs``
every few seconds (also a heartbeat), ``end_run``. Every write transaction starts with a write
(INSERT, UPDATE or DELETE; no read first), so SQLite's busy timeout orders concurrent writers
instead of failing them. A run whose writer has been silent for ``stale_after`` seconds while it
says "running" reads as "interrupted": its process died. Every database error is a StoreUnavailable.
"""
from __future__ import annotations

import functools
import json
import math
import time
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np
from sqlalchemy import Engine, delete, exists, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from playground.store import schema as s
from playground.store import weights as w
from playground.store.engine import connect
from playground.store.errors import redact, translate
from playground.store.location import Location
from playground.store.records import ACTIVE, INTERRUPTED, RunHistory, RunRecord, RunResult, Scores, utc

if TYPE_CHECKING:
    import torch

STALE_AFTER = 20.0  # seconds without a write before a "running" run reads as interrupted (writers beat every ~2 s)
MAX_LABEL = 200  # characters, the column's size
NAN = float("nan")


def open_store(url: str | None = None, stale_after: float = STALE_AFTER) -> "RunStore":
    """The store at ``url`` (any SQLAlchemy URL), else where the environment says (``Location.from_env``).
    Raises StoreUnavailable, with a plain message, when it cannot be opened."""
    if not stale_after > 0:
        raise ValueError(f"stale_after == {stale_after!r}, must be > 0 seconds (writers beat every ~2 s).")
    location = Location.from_env() if url is None else Location(url, "given")
    return RunStore(connect(location), location, stale_after)


def _guarded(method):
    """Database errors of a store call (the driver's, or no pooled connection in time) -> StoreUnavailable
    naming the store. SQLAlchemy's other errors are bugs here, and propagate as they are."""

    @functools.wraps(method)
    def call(self: "RunStore", *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (DBAPIError, PoolTimeout) as err:
            raise translate(self.where, err, is_sqlite_file=self.engine.url.get_backend_name() == "sqlite") from err

    return call


class RunStore:
    """One store's reads and writes; thread-safe (a connection pool), one per process is enough.
    ``stale_after``: seconds of silence after which a "running" run reads as interrupted."""

    def __init__(self, engine: Engine, location: Location, stale_after: float = STALE_AFTER) -> None:
        self.engine, self.location, self.stale_after = engine, location, stale_after
        self.where = f"{redact(location.url)} ({location.origin})"

    @property
    def url(self) -> str:
        """The store's URL with any password hidden: for messages and the CLI."""
        return redact(self.location.url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "RunStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ writes (RunRecorder's)
    @_guarded
    def begin_run(self, run_id: str, query: str, label: str, session: str | None = None, source: str = "app",
                  study: str | None = None) -> None:  # fmt: skip
        """A row for a run that starts now, status "running"."""
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(insert(s.runs).values(
                id=run_id, label=_check_label(label[:MAX_LABEL]), status="running", message="", query=query,
                session=session, source=source, study=study, created=now, updated=now, epochs=0,
            ))  # fmt: skip

    @_guarded
    def record_epochs(self, run_id: str, rows: Sequence[Sequence[float]], epochs: int) -> None:
        """Store per-epoch rows (values in HISTORY_KEYS order, epoch first, NaN where not logged) as one
        block, and beat the run's heartbeat. ``rows`` may be empty (a heartbeat only).

        Idempotent: blocks from the first given epoch on are replaced, so a write retried after a
        lost reply does not fail on its own first attempt.
        """
        with self.engine.begin() as conn:
            if rows:
                block = np.asarray(rows, dtype="<f8").reshape(len(rows), len(s.HISTORY_KEYS))
                first, last = int(block[0, 0]), int(block[-1, 0])
                conn.execute(delete(s.history).where(s.history.c.run_id == run_id, s.history.c.first_epoch >= first))
                conn.execute(insert(s.history).values(run_id=run_id, first_epoch=first, last_epoch=last,
                                                      fields=",".join(s.HISTORY_KEYS), data=block.tobytes()))  # fmt: skip
            conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(updated=time.time(), epochs=epochs))

    @_guarded
    def end_run(self, run_id: str, result: RunResult, weights: tuple[str, bytes] | None = None) -> None:
        """The run's final status, metrics and (if its model is usable) weights, as ``weights.dump`` made them."""
        now = time.time()
        values = {"status": str(result.status), "message": result.message, "epochs": result.epochs,
                  "updated": now, "finished": now, "seconds": _num(result.seconds),
                  "samples_per_second": _num(result.samples_per_second),
                  "confusion": json.dumps(result.confusion) if result.confusion is not None else None,
                  "class_names": json.dumps(list(result.class_names))}  # fmt: skip
        for split in s.SPLITS:
            scores = getattr(result, split)
            values.update({f"{split}_{k}": _num(getattr(scores, k)) if scores else None for k in s.SCORES})
        with self.engine.begin() as conn:
            conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(**values))
            conn.execute(delete(s.weights).where(s.weights.c.run_id == run_id))
            if weights is not None:
                conn.execute(insert(s.weights).values(run_id=run_id, format=weights[0], data=weights[1]))

    # ------------------------------------------------------------ reads
    @_guarded
    def list_runs(self, session: str | None = None, study: str | None = None, limit: int | None = None) -> list[RunRecord]:
        """Stored runs, newest first; ``session`` / ``study``: only those of that session or sweep."""
        has_weights = exists().where(s.weights.c.run_id == s.runs.c.id).label("has_weights")
        query = select(s.runs, has_weights).order_by(s.runs.c.created.desc(), s.runs.c.id)
        if session is not None:
            query = query.where(s.runs.c.session == session)
        if study is not None:
            query = query.where(s.runs.c.study == study)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        now = time.time()
        return [self._record(row, now) for row in rows]

    def get_run(self, run_id: str) -> RunRecord:
        """One run by id; KeyError if the store has none."""
        return self._one(run_id)

    @_guarded
    def _one(self, run_id: str) -> RunRecord:
        has_weights = exists().where(s.weights.c.run_id == s.runs.c.id).label("has_weights")
        with self.engine.connect() as conn:
            row = conn.execute(select(s.runs, has_weights).where(s.runs.c.id == run_id)).first()
        if row is None:
            raise KeyError(f"run_id == {run_id!r}: no such run in the store {self.url}")
        return self._record(row, time.time())

    @_guarded
    def load_history(self, run_id: str) -> RunHistory:
        """The run's per-epoch columns (empty before its first write); KeyError for an unknown run."""
        query = select(s.history.c.fields, s.history.c.data).where(s.history.c.run_id == run_id)
        with self.engine.connect() as conn:
            blocks = conn.execute(query.order_by(s.history.c.first_epoch)).all()
        if not blocks:
            self._one(run_id)  # KeyError if there is no such run
        parts: list[np.ndarray] = []  # (epochs, HISTORY_KEYS) blocks, ordered and not overlapping
        for fields, data in blocks:
            block = _block(fields.split(","), data)
            while parts and parts[-1][-1, 0] >= block[0, 0]:  # a rewritten range (a retried write) replaces the old
                kept = parts.pop()
                kept = kept[kept[:, 0] < block[0, 0]]
                if len(kept):
                    parts.append(kept)
                    break
            parts.append(block)
        table = np.concatenate(parts) if parts else np.empty((0, len(s.HISTORY_KEYS)))
        return RunHistory(run_id, {k: table[:, i].copy() for i, k in enumerate(s.HISTORY_KEYS)})

    @_guarded
    def load_weights(self, run_id: str) -> dict[str, "torch.Tensor"] | None:
        """The run's final state_dict (CPU tensors, never unpickled), or None if it ended without usable weights."""
        with self.engine.connect() as conn:
            row = conn.execute(select(s.weights.c.format, s.weights.c.data).where(s.weights.c.run_id == run_id)).first()
        if row is None:
            self._one(run_id)  # KeyError if there is no such run
            return None
        return w.load(row.format, row.data)

    # ------------------------------------------------------------ edits
    @_guarded
    def rename(self, run_id: str, label: str) -> None:
        label = _check_label(label)
        with self.engine.begin() as conn:
            found = conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(label=label)).rowcount
        if not found:
            raise KeyError(f"run_id == {run_id!r}: no such run in the store {self.url}")

    @_guarded
    def delete(self, run_ids: str | Iterable[str]) -> int:
        """Delete runs (one id or several) with their history and weights; returns how many there were."""
        ids = [run_ids] if isinstance(run_ids, str) else list(run_ids)
        with self.engine.begin() as conn:
            conn.execute(delete(s.history).where(s.history.c.run_id.in_(ids)))
            conn.execute(delete(s.weights).where(s.weights.c.run_id.in_(ids)))
            return conn.execute(delete(s.runs).where(s.runs.c.id.in_(ids))).rowcount

    # ------------------------------------------------------------ rows -> records
    def _record(self, row, now: float) -> RunRecord:
        status, message = row.status, row.message
        if status in ACTIVE and now - row.updated > self.stale_after:
            status = INTERRUPTED
            message = message or f"interrupted: its process stopped writing after epoch {row.epochs}"
        return RunRecord(
            id=row.id, label=row.label, status=status, message=message, query=row.query, session=row.session,
            source=row.source, study=row.study, created=utc(row.created), updated=utc(row.updated),
            finished=utc(row.finished), epochs=row.epochs,
            **{split: _scores(row, split) for split in s.SPLITS},
            confusion=tuple(map(tuple, json.loads(row.confusion))) if row.confusion else None,
            class_names=tuple(json.loads(row.class_names)) if row.class_names else (),
            seconds=row.seconds, samples_per_second=row.samples_per_second, has_weights=bool(row.has_weights),
        )  # fmt: skip


def _check_label(label: str) -> str:
    if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL:
        raise ValueError(f"label == {label!r}, must be 1 to {MAX_LABEL} characters, not all blank.")
    return label.strip()


def _num(value: float | None) -> float | None:
    """NaN -> None (SQLite stores NaN as NULL anyway; this makes both backends agree)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _block(keys: list[str], data: bytes) -> np.ndarray:
    """(epochs, HISTORY_KEYS) float64 from a stored block; a key it lacks (an older writer) reads as NaN."""
    stored = np.frombuffer(bytes(data), dtype="<f8").reshape(-1, len(keys))
    return np.stack([stored[:, keys.index(k)] if k in keys else np.full(len(stored), NAN) for k in s.HISTORY_KEYS], axis=1)


def _scores(row, split: str) -> Scores | None:
    values = [getattr(row, f"{split}_{k}") for k in s.SCORES]
    if all(v is None for v in values):
        return None
    return Scores(*(NAN if v is None else v for v in values))

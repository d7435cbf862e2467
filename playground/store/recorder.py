"""RunRecorder: a Trainer callback that records its run into a RunStore, off the training thread.

    recorder = RunRecorder(store, run_id=snapshot_run_id, session=session_id)
    trainer = Trainer(cfg, splits, [*standard_callbacks(cfg), recorder])
    trainer.fit()   # or the runner's epochs; Trainer.finish() writes the final state

Cost on the training thread: one tuple appended per epoch (~1 us); everything else happens in a
``playground-recorder`` thread that writes the new epochs every ``interval`` seconds (so a crash
loses at most that much history) and, even with no new epoch (a paused run), beats the run's
heartbeat, so a live run never reads as interrupted. See benchmarks/bench_store.py.

How a run ends:
- ``Trainer.finish()`` -> ``on_train_end``: final status, train/val/test scores, confusion and
  the weights (when the status has a usable model), written before ``finish()`` returns;
- ``close(status, message)``: for a run that ends without ``finish()`` (the runner skips it for a
  diverged run, and a failed run never gets there): final status and history, no weights;
- neither (a forgotten close): once the trainer has stopped with a status that has no usable
  model (diverged), or the trainer is gone, the writer waits ``2 * interval`` for one of the
  above, then writes the trainer's status (or "interrupted") itself.

Store failures never stop training: the latest one is in ``error`` (a StoreUnavailable), and
unwritten epochs are retried at the next write.

A Callback by its three methods (like cli.train.Progress): subclassing trainer.Callback would
import torch with this module. It pickles (its settings, not its thread), so a ProcessRunner can
build it in the server and send it to the training process.
"""
from __future__ import annotations

import math
import threading
import time
import uuid
import weakref
from collections import deque
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from playground.status import Status
from playground.store import weights as w
from playground.store.errors import StoreUnavailable
from playground.store.records import INTERRUPTED, RunResult, Scores
from playground.store.schema import HISTORY_KEYS
from playground.store.store import RunStore, open_store

if TYPE_CHECKING:
    from playground.config import RunConfig
    from playground.metrics import Metrics
    from playground.trainer import Trainer

FLUSH_INTERVAL = 2.0  # seconds between a live run's writes: the most history a crash can lose
END_TIMEOUT = 10.0  # seconds finish()/close() wait for the final write; then it goes on in the background
END_TRIES = 3  # writes tried, one interval apart, once the run has ended; then the writer gives up
NAN = float("nan")
_NANS = (NAN,) * len(HISTORY_KEYS)


class RunRecorder:
    def __init__(self, store: RunStore | str | None = None, run_id: str | None = None, label: str | None = None,
                 session: str | None = None, source: str = "app", study: str | None = None,
                 interval: float = FLUSH_INTERVAL) -> None:  # fmt: skip
        """``store``: a RunStore, a URL, or None for the environment's store (opened in the writer thread).
        ``run_id``: the runner's id for the run (Snapshot.run_id), else a new 12-hex-char one.
        ``label``: a short name (default: optimizer, lr, layers, dataset)."""
        if interval <= 0:
            raise ValueError(f"interval == {interval!r}, must be > 0 seconds.")
        self.store, self.run_id, self.label = store, run_id or uuid.uuid4().hex[:12], label
        self.session, self.source, self.study, self.interval = session, source, study, interval
        self.error: StoreUnavailable | None = None  # the latest store failure, None once a write succeeds again
        self._pending: deque[tuple] = deque()  # (epoch, loss, ...) in HISTORY_KEYS order; trainer thread appends
        self._final: RunResult | None = None  # set once by whoever ends the run; the writer writes it and exits
        self._weights: tuple[str, bytes] | None = None
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._trainer: weakref.ref | None = None
        self._off = False  # the store could not be opened: stop collecting
        self._written = 0  # the last epoch in the store (writer thread)

    def __reduce__(self):
        """Pickle the settings only (a RunStore travels as its URL); must happen before the run begins."""
        if self._thread is not None:
            raise RuntimeError("a RunRecorder pickles only before its run begins")
        store = self.store.location.url if isinstance(self.store, RunStore) else self.store
        return RunRecorder, (store, self.run_id, self.label, self.session, self.source, self.study, self.interval)

    # ------------------------------------------------------------ Trainer callback (training thread)
    def on_train_begin(self, trainer: "Trainer") -> None:
        if self._thread is not None:
            raise RuntimeError(f"RunRecorder {self.run_id} already recorded a run; make one per run")
        from playground.config import to_query  # torch-free; imported here to keep this module light

        self._trainer = weakref.ref(trainer)
        begin = (urlencode(to_query(trainer.cfg)), self.label or default_label(trainer.cfg))
        self._thread = threading.Thread(target=self._write_loop, args=begin, name="playground-recorder", daemon=True)
        self._thread.start()

    def on_epoch_end(self, trainer: "Trainer", logs: dict) -> None:
        if not self._off:
            self._pending.append(tuple(map(logs.get, HISTORY_KEYS, _NANS)))

    def on_train_end(self, trainer: "Trainer", logs: dict) -> None:
        if self._off:
            return
        status = Status(trainer.status)
        weights = w.dump(trainer.model.state_dict()) if status.has_model else None
        self._end(final_result(trainer, logs), weights, authoritative=True)

    # ------------------------------------------------------------ ending without finish()
    def close(self, status: Status | str | None = None, message: str | None = None) -> None:
        """End a run that will not reach ``Trainer.finish()``: write ``status`` (default: the trainer's)
        and ``message`` with the history, no weights. Does nothing once the run's end is written."""
        trainer = self._trainer() if self._trainer is not None else None
        if trainer is None:
            return
        result = ended_result(trainer, status, message)
        self._end(result, None, authoritative=False)

    @property
    def alive(self) -> bool:
        """The writer thread is running (the run has begun and its end is not yet written)."""
        return self._thread is not None and self._thread.is_alive()

    def _end(self, result: RunResult, weights: tuple[str, bytes] | None, authoritative: bool) -> None:
        """Hand the run's end to the writer and wait (at most END_TIMEOUT) until it is written."""
        if self._thread is None:
            return
        if self._final is None or authoritative:
            self._weights, self._final = weights, result
        self._wake.set()
        self._thread.join(END_TIMEOUT)

    # ------------------------------------------------------------ the writer thread
    def _write_loop(self, query: str, label: str) -> None:
        store = self._connect()
        if store is None:
            return
        try:
            store.begin_run(self.run_id, query, label, self.session, self.source, self.study)
            self._beat(store)
        except StoreUnavailable as err:
            self.error, self._off = err, True
            self._pending.clear()
        finally:
            if store is not self.store:
                store.close()

    def _beat(self, store: RunStore) -> None:
        """Every ``interval`` (or when woken to end): write new epochs, else just the heartbeat; at the
        end, the final state. Returns once that is written, or after END_TRIES failed final writes."""
        unwritten: list[tuple] = []
        stopped_at: float | None = None
        tries = 0
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            final, stopped_at = self._final, stopped_at or self._stopped_since()
            if final is None and stopped_at is not None and time.monotonic() - stopped_at >= 2 * self.interval:
                final = self._final = self._forgotten_end()  # nobody ended the run: write what the trainer says
            unwritten = self._flush(store, unwritten)
            if final is not None:
                tries += 1
                if not unwritten:
                    return self._write_end(store, final)
                if tries >= END_TRIES:  # the store is down: give up, so the thread ends (error says why)
                    return

    def _connect(self) -> RunStore | None:
        try:
            return self.store if isinstance(self.store, RunStore) else open_store(self.store)
        except StoreUnavailable as err:
            self.error, self._off = err, True
            self._pending.clear()
            return None

    def _flush(self, store: RunStore, unwritten: list[tuple]) -> list[tuple]:
        """Write the epochs queued since the last write (and the heartbeat); returns what is still unwritten."""
        while self._pending:
            unwritten.append(self._pending.popleft())
        try:
            store.record_epochs(self.run_id, unwritten, int(unwritten[-1][0]) if unwritten else self._written)
        except StoreUnavailable as err:
            self.error = err
            return unwritten
        if unwritten:
            self._written = int(unwritten[-1][0])
        self.error = None
        return []

    def _write_end(self, store: RunStore, final: RunResult) -> None:
        # on_train_end may replace a close()'s result while we wrote it: write the last one given
        while True:
            store.end_run(self.run_id, final, self._weights)
            if self._final is final:
                return
            final = self._final

    def _stopped_since(self) -> float | None:
        """Now, if the run has ended in a way that finish() will not follow (the runner skips it for
        statuses without a usable model), or the trainer is gone; else None."""
        trainer = self._trainer() if self._trainer is not None else None
        if trainer is None or (trainer.stop_training and not Status(trainer.status).has_model):
            return time.monotonic()
        return None

    def _forgotten_end(self) -> RunResult:
        trainer = self._trainer() if self._trainer is not None else None
        if trainer is None:
            return RunResult(INTERRUPTED, "the run's trainer went away before the run ended", self._written)
        return ended_result(trainer, None, None)


def recording(**settings) -> list[RunRecorder]:
    """``[RunRecorder(**settings)]``: for ``Runner.start(extra_callbacks=functools.partial(recording, run_id=...,
    session=...))``, which pickles across the ProcessRunner's pipe and builds the recorder in the training process."""
    return [RunRecorder(**settings)]


def close_recorders(trainer: "Trainer", status: Status | str | None = None, message: str | None = None) -> None:
    """``close(status, message)`` every RunRecorder of ``trainer``: the runner's hook for runs that end
    without ``finish()`` (diverged in ``_end_run``; failed in ``_fail``). Harmless after ``finish()``."""
    for cb in trainer.callbacks:
        if isinstance(cb, RunRecorder):
            cb.close(status, message)


def final_result(trainer: "Trainer", logs: dict) -> RunResult:
    """The run's end after ``Trainer.finish()`` (``logs``: its test_* keys): scores on the final weights."""
    base = ended_result(trainer, None, None)
    if not Status(trainer.status).has_model:  # diverged: NaN weights score nothing
        return base
    train, val = trainer.evaluate("train"), trainer.evaluate("val")
    return RunResult(
        **{**vars(base), "train": _scores(train), "val": _scores(val),
           "test": _scores(trainer.evaluate("test")) if trainer.regression else
                   Scores(float(logs["test_loss"]), float(logs["test_accuracy"]), float(logs["test_balanced_accuracy"])),
           "confusion": None if trainer.regression else tuple(tuple(int(v) for v in row) for row in logs["test_confusion"])},
    )  # fmt: skip


def ended_result(trainer: "Trainer", status: Status | str | None, message: str | None) -> RunResult:
    """Status, message, epochs and timing of a run, no scores."""
    seconds = trainer.train_seconds
    n_train = len(trainer.splits.y_train)
    return RunResult(
        status=str(status if status is not None else trainer.status),
        message=message if message is not None else trainer.message,
        epochs=trainer.epoch,
        class_names=tuple(str(c) for c in trainer.splits.dataset.class_names),
        seconds=seconds,
        samples_per_second=trainer.epoch * n_train / seconds if seconds > 0 else None,
    )


def default_label(cfg: "RunConfig") -> str:
    """e.g. "adam lr 0.001 · 100:relu · spiral": what a student changes most, short enough for a legend."""
    from playground.config import format_value

    layers = format_value("layers", cfg.layers) or "no hidden layer"
    if len(layers) > 40:
        layers = layers[:39] + "…"
    return f"{cfg.optimizer} lr {cfg.lr:g} · {layers} · {cfg.dataset}"


def _scores(m: "Metrics") -> Scores:
    """A regression run's scores have its loss only (NaN accuracies: the store has no regression columns yet)."""
    return Scores(float(m.loss), float(getattr(m, "accuracy", math.nan)), float(getattr(m, "balanced_accuracy", math.nan)))

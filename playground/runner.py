"""Runner: a thin background thread around one Trainer, with pause / step / stop.

The page never touches torch: all torch work (training, the boundary grid, diagnostics) runs in
this one long-lived thread, which publishes numpy snapshots under a lock. (Running torch in a
second Python thread, e.g. a Streamlit script thread, can quarter the trainer's speed on 2 cores
through competing OpenMP pools.) The page reads ``snapshot()`` -- a copy -- and draws.

Lifetime: ``stop()`` ends the thread; the UI ties ``close()`` to the browser session's release,
and an optional heartbeat makes the thread stop itself when the page has gone quiet.
"""
from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator

import numpy as np
import torch

from playground.boundary import Plane, make_plane, sample_points
from playground.callbacks import History, standard_callbacks
from playground.config import RunConfig
from playground.datasets import Splits
from playground.diagnostics import diagnostic_callbacks
from playground.trainer import Callback, Trainer

ACTIVE = ("starting", "running", "paused")
# fraction of wall time the boundary grid and diagnostics may take: 1.5% keeps a spiral-size net's
# ~3 ms publish at ~0.2 s apart (the page polls every 0.5 s), inside the trainer's 5% overhead target
PUBLISH_BUDGET = 0.015
MAX_PUBLISH_INTERVAL = 0.5  # seconds: the page's charts refresh at least this often
COUNTER_INTERVAL = 0.025  # seconds between counter publishes (epoch, times, validation); the page polls every 0.5 s


@dataclass(frozen=True)
class Snapshot:
    """Everything the page draws, as plain numbers and numpy arrays (copies; safe to keep)."""

    status: str = "idle"  # idle | starting | running | paused | finished | early_stopped | diverged | stalled | stopped | error
    message: str = ""
    config: RunConfig | None = None
    epoch: int = 0
    epochs: int = 0
    history: dict[str, np.ndarray] = field(default_factory=dict)  # History.as_arrays()
    lr_changes: tuple[tuple[int, float], ...] = ()  # (first epoch trained with the lr, lr)
    val: dict = field(default_factory=dict)  # confusion (C, C), recall (C,), balanced_accuracy
    boundary: dict | None = None  # xs (R,), ys (R,), proba (R, R, C), points: {train, test}, note, axis_titles
    test: dict | None = None  # test_loss, test_accuracy, test_balanced_accuracy, test_recall, test_confusion
    notes: tuple[str, ...] = ()  # e.g. "batch_size clamped to ..."
    extras: dict = field(default_factory=dict)  # snapshot() of callbacks that define ``snapshot_key``
    jobs: dict = field(default_factory=dict)  # name -> {"status", "progress" (0..1), "result", "message"}
    wall_seconds: float = 0.0  # since start, pauses included
    train_seconds: float = 0.0  # inside training epochs only
    n_params: int = 0
    n_train: int = 0  # training rows
    device: str = ""
    version: int = 0  # bumps on each publish

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def samples_per_second(self) -> float:
        """Average training throughput (training-loop time only)."""
        return self.epoch * self.n_train / self.train_seconds if self.train_seconds > 0 else float("nan")


class Runner:
    def __init__(self, heartbeat_timeout: float | None = None, publish_every: float = 0.1, threads: int | None = None):
        self.heartbeat_timeout = heartbeat_timeout  # seconds of page silence before the thread stops itself
        self.publish_every = publish_every  # min seconds between expensive publishes (boundary grid)
        self.threads = threads  # torch intra-op threads for training; None: sized to the model (threads_for)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._snap = Snapshot()
        self._paused = False
        self._steps = 0  # epochs requested while paused
        self._pending_lr: float | None = None
        self._beat = time.monotonic()
        self._trainer: Trainer | None = None  # kept after the run ends, for jobs on the finished model
        self._jobs: dict[str, Iterator] = {}  # name -> iterator yielding progress dicts (see submit)
        self._job_thread: threading.Thread | None = None
        self._jobs_lock = threading.Lock()  # guards _jobs together with _taker
        self._taker = False  # True while some live thread will still pick up submitted jobs

    # ------------------------------------------------------------ page-side API (never blocks long)
    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snap

    def heartbeat(self) -> None:
        self._beat = time.monotonic()

    def start(self, cfg: RunConfig, splits: Splits, paused: bool = False,
              extra_callbacks: Callable[[], Iterable[Callback]] | None = None,
              plane: Plane | None = None) -> None:  # fmt: skip
        """Stop any current run, then train ``cfg`` on ``splits`` in a new thread. ``plane``: the
        decision-boundary plane of ``splits.X_train`` if the caller has it (else made here)."""
        self.stop()
        self._paused, self._steps, self._pending_lr = paused, 0, None
        self.heartbeat()
        with self._lock:
            self._snap = Snapshot(status="starting", config=cfg, epochs=cfg.epochs, version=self._snap.version + 1)
        extras = list(extra_callbacks()) if extra_callbacks else []
        with self._jobs_lock:
            self._taker = True  # the training thread polls jobs between epochs
        self._thread = threading.Thread(
            target=self._main, args=(cfg, splits, extras, plane), name="playground-trainer", daemon=True
        )
        self._thread.start()

    def pause(self) -> None:
        self._paused = True
        self._update(status="paused")

    def resume(self) -> None:
        self._paused, self._steps = False, 0
        self._update(status="running")
        self._wake.set()

    def step(self, epochs: int = 1) -> None:
        """While paused: train ``epochs`` more epochs, then pause again (the last one validated, whatever val_every)."""
        self._paused = True
        self._steps += epochs
        self._wake.set()

    def set_lr(self, lr: float) -> None:
        """Applied before the next epoch and marked on the loss curve."""
        self._pending_lr = lr
        self._wake.set()

    def submit(self, name: str, job: Callable[[Trainer], Iterator[dict]]) -> bool:
        """Run ``job(trainer)`` on the run's model, in the one thread that does torch work.

        ``job`` returns an iterator; each ``next()`` does one chunk of work and yields a dict with
        ``progress`` in [0, 1] and optionally ``result``. During training, one chunk runs between
        epochs, so a long job slows training by its chunk size, not its length. A job must leave the
        model as it found it at every yield (training resumes in between). With no training
        thread alive the job runs in a short-lived thread of its own. Returns False when there is
        no model yet (start or step a run first).
        """
        if self._trainer is None:
            return False
        self._set_job(name, {"status": "running", "progress": 0.0, "result": None, "message": ""})
        with self._jobs_lock:
            self._jobs[name] = job(self._trainer)
            if not self._taker:
                self._taker = True
                self._job_thread = threading.Thread(target=self._drain_jobs, name="playground-jobs", daemon=True)
                self._job_thread.start()
        return True

    def _drain_jobs(self) -> None:
        """Run pending jobs to completion, then hand back the taker role (under the lock: no job is lost)."""
        while True:
            with self._jobs_lock:
                if not self._jobs or self._stop.is_set():
                    self._taker = False
                    return
            self._run_job_chunk()

    def _run_job_chunk(self) -> None:
        """Advance every pending job by one chunk."""
        for name, job in list(self._jobs.items()):
            try:
                update = next(job)
                self._set_job(name, {"status": "running", **update})
            except StopIteration:
                self._jobs.pop(name, None)
                self._set_job(name, {"status": "done", "progress": 1.0})
            except Exception as err:  # shown on the page next to the job's button
                self._jobs.pop(name, None)
                self._set_job(name, {"status": "error", "message": f"{type(err).__name__}: {err}"})

    def _set_job(self, name: str, update: dict) -> None:
        with self._lock:
            jobs = dict(self._snap.jobs)
            jobs[name] = {**jobs.get(name, {}), **update}
            self._snap = replace(self._snap, jobs=jobs, version=self._snap.version + 1)

    def stop(self, timeout: float = 10.0) -> None:
        """End the run (test metrics are still computed) and wait for the thread."""
        self._stop.set()
        self._wake.set()
        for t in (self._thread, self._job_thread):
            if t is not None and t is not threading.current_thread():
                t.join(timeout)
        with self._jobs_lock:
            self._jobs.clear()
            self._taker = False
        self._thread = self._job_thread = None
        self._stop.clear()  # both threads have ended; later submits and starts begin clean

    def reset(self) -> None:
        self.stop()
        self._trainer = None
        with self._lock:
            self._snap = Snapshot(version=self._snap.version + 1)

    close = stop  # session release hook

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------ thread side
    def _update(self, **changes) -> None:
        with self._lock:
            if self._snap.active or "status" not in changes:
                self._snap = replace(self._snap, version=self._snap.version + 1, **changes)

    def _main(self, cfg: RunConfig, splits: Splits, extras: list[Callback], plane: Plane | None) -> None:
        started = time.monotonic()
        try:
            stream = _Stream(self, splits, started, plane)
            fixed = [IntraOpThreads(self.threads)] if self.threads else []
            trainer = Trainer(cfg, splits, [*standard_callbacks(cfg), *diagnostic_callbacks(cfg), *extras, *fixed, stream])
            self._trainer = trainer
            stream.begin(trainer)
            self._loop(trainer)
            if trainer.status in ("finished", "early_stopped", "stopped", "stalled"):  # not diverged: NaN weights
                stream.publish(trainer, final=True, test=trainer.finish())
            else:
                stream.publish(trainer, final=True)
        except Exception as err:  # the page shows it; no dead spinner
            detail = traceback.format_exc(limit=4)
            with self._lock:
                self._snap = replace(
                    self._snap, status="error", message=f"{type(err).__name__}: {err}",
                    notes=self._snap.notes + (detail,), version=self._snap.version + 1,
                )  # fmt: skip
        self._drain_jobs()  # jobs submitted during the run finish here, after training

    def _loop(self, trainer: Trainer) -> None:
        while not trainer.stop_training:
            if self._stop.is_set():
                trainer.stop("stopped", f"stopped by the user at epoch {trainer.epoch}")
                break
            if self._page_gone():
                trainer.stop("stopped", "stopped: the page went away (no heartbeat)")
                break
            # A pause that lands between validations trains one more, validated, epoch: the paused
            # page then shows a validation of the weights it shows.
            unvalidated = trainer.last_validated < trainer.epoch
            if self._paused and self._steps == 0 and not unvalidated:
                if self._jobs:  # a paused run lends its thread to jobs
                    self._run_job_chunk()
                    continue
                self._update(status="paused")
                self._wake.wait(0.2)
                self._wake.clear()
                continue
            if self._pending_lr is not None:
                lr, self._pending_lr = self._pending_lr, None
                trainer.set_lr(lr)
                self._update(lr_changes=self._snap.lr_changes + ((trainer.epoch + 1, lr),))
            if self._jobs:
                self._run_job_chunk()
            self._update(status="paused" if self._paused else "running")
            trainer.train_epoch(validate=self._paused and self._steps <= 1)  # the last epoch before a pause
            if self._steps > 0:
                self._steps -= 1

    def _page_gone(self) -> bool:
        return self.heartbeat_timeout is not None and time.monotonic() - self._beat > self.heartbeat_timeout


class IntraOpThreads(Callback):
    """Trains with ``n`` torch intra-op threads: set right after the trainer sized them to the model.

    The app uses one. Beside a Streamlit server and a browser redrawing charts on 2 cores, two
    OpenMP threads keep waiting for each other: MNIST 784-512-10 trained in the app at 0.36x the
    plain loop with two, 0.75x with one (benchmarks/bench_in_app.py).
    """

    def __init__(self, n: int) -> None:
        self.n = n

    def on_train_begin(self, trainer: Trainer) -> None:
        torch.set_num_threads(self.n)


class _Stream(Callback):
    """Publishes counters at most every COUNTER_INTERVAL s, and history, boundary grid and extras at
    most every ``publish_every`` s; the last epoch before a pause and the end of the run in full."""

    def __init__(self, runner: Runner, splits: Splits, started: float, plane: Plane | None = None):
        self.runner, self.splits, self.started = runner, splits, started
        self.plane = plane or make_plane(splits.X_train)
        self.points = {
            "train": sample_points(splits.X_train, splits.y_train, self.plane),
            "test": sample_points(splits.X_test, splits.y_test, self.plane),
        }
        self.next_publish = 0.0  # monotonic time before which only counters are published
        self.next_counters = 0.0  # monotonic time before which nothing is published
        self.history: History | None = None
        self.val: dict | None = None  # the last validation's confusion, recall, balanced accuracy
        self.constants: dict = {}  # snapshot fields fixed for the run, published once

    def begin(self, trainer: Trainer) -> None:
        self.history = next(cb for cb in trainer.callbacks if isinstance(cb, History))
        self.constants = {
            "notes": tuple(trainer.notes) + self.splits.notes,
            "n_params": trainer.n_params,
            "n_train": len(self.splits.y_train),
            "device": str(trainer.device),
        }
        self.publish(trainer, force=True)

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        self._keep_val(logs)
        # The last epoch before a pause publishes in full: a paused page must not show stale curves.
        pausing = self.runner._paused and self.runner._steps <= 1
        if pausing or time.monotonic() >= self.next_counters:
            self.publish(trainer, force=pausing)

    def _keep_val(self, logs: dict) -> None:
        """Hold a validated epoch's confusion, recall and balanced accuracy for the next publish."""
        if "val_confusion" in logs:  # validated epochs only (see RunConfig.val_every)
            self.val = {
                "confusion": logs["val_confusion"],
                "recall": logs["val_recall"],
                "balanced_accuracy": logs["val_balanced_accuracy"],
            }

    def publish(self, trainer: Trainer, logs: dict | None = None, force: bool = False, test: dict | None = None,
                final: bool = False):  # fmt: skip
        """``final``: the run has ended; its status lands together with full history and test metrics,
        so a page that stops polling on seeing a final status never keeps a partial snapshot.
        ``logs``: optional epoch logs whose validation (if any) is published too."""
        if logs is not None:
            self._keep_val(logs)
        now = time.monotonic()
        self.next_counters = now + COUNTER_INTERVAL
        expensive = force or final or now >= self.next_publish
        changes = {"epoch": trainer.epoch, "wall_seconds": now - self.started, "train_seconds": trainer.train_seconds}
        if self.constants:
            changes.update(self.constants)
            self.constants = {}
        if self.val is not None:
            changes["val"], self.val = self.val, None
        if expensive:
            changes["history"] = self.history.as_arrays()  # O(epochs): only at publish rate
            changes["boundary"] = self._boundary(trainer)
            changes["extras"] = {cb.snapshot_key: cb.snapshot() for cb in trainer.callbacks if hasattr(cb, "snapshot_key")}
            cost = time.monotonic() - now
            # At most every publish_every s, and rarer when a publish is costly (big nets, a loaded
            # machine): the expensive part stays under PUBLISH_BUDGET of the wall time.
            # Capped, so the charts still change twice a second (and a cold first publish cannot stall them).
            self.next_publish = now + min(max(self.runner.publish_every, cost / PUBLISH_BUDGET), MAX_PUBLISH_INTERVAL)
        if final:
            changes.update(status=trainer.status, message=trainer.message)
        if test is not None:
            changes["test"] = test
        with self.runner._lock:  # final statuses must land even though they are not "active"
            self.runner._snap = replace(self.runner._snap, version=self.runner._snap.version + 1, **changes)

    def _boundary(self, trainer: Trainer) -> dict:
        plane = self.plane
        if plane.components is None:
            proba = trainer.predict_proba(plane.features)  # (R*R, C)
        else:  # PCA plane: x = mean + grid @ components, folded into the first layer
            proba = trainer.predict_proba_affine(plane.grid, plane.mean, plane.components)
        return {
            "xs": plane.xs,
            "ys": plane.ys,
            "proba": proba.reshape(len(plane.ys), len(plane.xs), -1).astype(np.float32),
            "points": self.points,
            "note": plane.note,
            "axis_titles": plane.axis_titles,
        }

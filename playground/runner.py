"""Runner: one background thread that does all of a session's torch work, driven by a command queue.

The page never touches torch. It calls ``start``, ``pause``, ``step``, ``set_lr``, ``submit``...,
which put a command on one queue and return; the runner's worker thread applies the commands
between epochs, trains, runs jobs in chunks, and publishes immutable ``Snapshot``s under a lock.
The page reads ``snapshot()`` and draws. (Running torch in a second Python thread, e.g. a
Streamlit script thread, can quarter the trainer's speed on 2 cores through competing OpenMP
pools.) ``stop``, ``reset`` and ``close`` wait until the worker has applied them.

Only the worker touches the trainer, the run's pause/step state and the jobs; the page side
touches only the queue, the snapshot (under ``_lock``) and the heartbeat time. The worker ends
when it has nothing left to do (no run, no job, no command) and the next command starts a new one,
so an idle session holds no thread.

Lifetime: ``close()`` (the session's release hook) stops the run and drops the model; an optional
heartbeat makes the worker stop a run whose page has gone quiet.
"""
from __future__ import annotations

import queue
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator

import torch

from playground.boundary import Plane, make_plane, sample_points
from playground.callbacks import EarlyStopping, History, standard_callbacks
from playground.config import RunConfig
from playground.datasets import Splits
from playground.diagnostics import diagnostic_callbacks
from playground.jobs import Job, JobState, JobStatus, JobUpdate
from playground.snapshot import BoundaryGrid, Extras, PlanePoints, Snapshot, Validation
from playground.status import Status
from playground.trainer import Callback, Trainer

__all__ = ["Runner", "Snapshot", "IntraOpThreads"]

# fraction of wall time the boundary grid and diagnostics may take: 1.5% keeps a spiral-size net's
# ~3 ms publish at ~0.2 s apart (the page polls every 0.5 s), inside the trainer's 5% overhead target
PUBLISH_BUDGET = 0.015
MAX_PUBLISH_INTERVAL = 0.5  # seconds: the page's charts refresh at least this often
COUNTER_INTERVAL = 0.025  # seconds between counter publishes (epoch, times, validation); the page polls every 0.5 s
PAUSED_WAIT = 0.2  # seconds a paused run waits for a command before it checks the heartbeat again


@dataclass(frozen=True)
class _Command:
    name: str  # a _Worker method: _on_<name>
    args: tuple = ()
    done: threading.Event | None = None  # set once applied (stop, reset, close wait for it)


@dataclass
class _Run:
    """The run in progress; owned by the worker thread."""

    paused: bool
    steps: int = 0  # epochs requested while paused
    trainer: Trainer | None = None
    stream: "_Stream | None" = None

    @property
    def pausing(self) -> bool:
        """The epoch about to end is the last before a pause: publish it in full."""
        return self.paused and self.steps <= 1


class Runner:
    def __init__(self, heartbeat_timeout: float | None = None, publish_every: float = 0.1, threads: int | None = None):
        self.heartbeat_timeout = heartbeat_timeout  # seconds of page silence before the worker stops the run
        self.publish_every = publish_every  # min seconds between expensive publishes (boundary grid)
        self.threads = threads  # torch intra-op threads for training; None: sized to the model (threads_for)
        self._lock = threading.Lock()  # guards _snap, and orders commands with the statuses they imply
        self._snap = Snapshot()
        self._mailbox = _Mailbox()
        self._state = _WorkerState()  # the worker's: trainer, run, jobs (a new worker thread takes it over)
        self._beat = time.monotonic()  # written by the page, read by the worker: one float, atomic

    # ------------------------------------------------------------ page-side API (never blocks long)
    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snap

    def heartbeat(self) -> None:
        self._beat = time.monotonic()

    def start(self, cfg: RunConfig, splits: Splits, paused: bool = False,
              extra_callbacks: Callable[[], Iterable[Callback]] | None = None,
              plane: Plane | None = None) -> None:  # fmt: skip
        """Stop any current run, then train ``cfg`` on ``splits`` in the worker thread. ``plane``: the
        decision-boundary plane of ``splits.X_train`` if the caller has it (else made there)."""
        self.stop()
        self.heartbeat()
        extras = list(extra_callbacks()) if extra_callbacks else []
        with self._lock:
            self._snap = Snapshot(status=Status.STARTING, run_id=uuid.uuid4().hex[:12], config=cfg, epochs=cfg.epochs,
                                  version=self._snap.version + 1)  # fmt: skip
        self._send(_Command("start", (cfg, splits, paused, extras, plane)))

    def pause(self) -> None:
        self._send(_Command("pause"), shows=Status.PAUSED)

    def resume(self) -> None:
        self._send(_Command("resume"), shows=Status.RUNNING)

    def step(self, epochs: int = 1) -> None:
        """While paused: train ``epochs`` more epochs, then pause again (the last one validated, whatever val_every)."""
        if not isinstance(epochs, int) or isinstance(epochs, bool):
            raise TypeError(f"epochs == {epochs!r}, must be an integer")
        if epochs < 1:
            raise ValueError(f"epochs == {epochs}, must be >= 1")
        self._send(_Command("step", (epochs,)))

    def set_lr(self, lr: float) -> None:
        """Applied before the next epoch and marked on the loss curve."""
        if not (isinstance(lr, (int, float)) and 0 < lr < float("inf")):
            raise ValueError(f"lr == {lr!r}, must be a positive finite number")
        self._send(_Command("set_lr", (float(lr),)))

    def submit(self, name: str, job: Job) -> bool:
        """Run ``job(trainer)`` on the run's model, in the worker thread (see playground/jobs.py).

        During training one chunk runs between epochs, so a long job slows training by its chunk
        size, not its length; a paused or ended run lends the worker to jobs entirely. A job must
        leave the model as it found it at every yield. Returns False when there is no model yet
        (start or step a run first).
        """
        with self._lock:
            if not self._snap.has_model:
                return False
            self._snap = replace(self._snap, jobs={**self._snap.jobs, name: JobState()}, version=self._snap.version + 1)
        self._send(_Command("submit", (name, job)))
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """End the run (test metrics are still computed) and cancel pending jobs; waits until done."""
        self._send_and_wait(_Command("stop", done=threading.Event()), timeout)

    def reset(self, timeout: float = 10.0) -> None:
        """Stop, drop the model and clear the snapshot."""
        self._send_and_wait(_Command("reset", done=threading.Event()), timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Stop the run and release what it holds (the model, the worker thread); the snapshot stays.
        The session's release hook. A later ``start`` begins afresh."""
        self._send_and_wait(_Command("close", done=threading.Event()), timeout)
        self._mailbox.join(timeout)

    @property
    def alive(self) -> bool:
        """True while a run is training (or starting, or paused) in the worker thread."""
        return self._mailbox.worker_alive and self.snapshot().active

    # ------------------------------------------------------------ worker side
    def publish(self, changes: dict[str, Any], final: bool = False) -> None:
        """Replace the snapshot with ``changes`` applied (the worker's one way to publish).

        A status change lands only while the run is active (a late "paused" must not hide
        "finished"), unless ``final``: the run has ended and this is its last word.
        """
        with self._lock:
            if "status" in changes and not (final or self._snap.active):
                changes = {k: v for k, v in changes.items() if k != "status"}
            self._snap = replace(self._snap, version=self._snap.version + 1, **changes)

    def show_status(self, status: Status) -> None:
        """Publish ``status`` unless a command that may change it is still queued (the page set its own)."""
        with self._lock:
            if self._mailbox.empty() and self._snap.active and self._snap.status != status:
                self._snap = replace(self._snap, status=status, version=self._snap.version + 1)

    def set_job(self, name: str, state: JobState) -> None:
        with self._lock:
            self._snap = replace(self._snap, jobs={**self._snap.jobs, name: state}, version=self._snap.version + 1)

    def clear(self) -> None:
        """A fresh, idle snapshot (after a reset)."""
        with self._lock:
            self._snap = Snapshot(version=self._snap.version + 1)

    def page_gone(self) -> bool:
        return self.heartbeat_timeout is not None and time.monotonic() - self._beat > self.heartbeat_timeout

    # ------------------------------------------------------------ the queue
    def _send(self, command: _Command, shows: Status | None = None) -> None:
        """Queue ``command``; ``shows``: the status the page sees at once (the worker confirms it)."""
        with self._lock:  # together with show_status: a queued command's status is never overwritten
            self._mailbox.put(command)
            if shows is not None and self._snap.active:
                self._snap = replace(self._snap, status=shows, version=self._snap.version + 1)
        self._mailbox.ensure_worker(lambda mailbox: _Worker(self, mailbox, self._state).main)

    def _send_and_wait(self, command: _Command, timeout: float) -> None:
        if self._mailbox.in_worker():  # e.g. a job that stops its own run: it would wait for itself
            raise RuntimeError(f"Runner.{command.name}() called from its own worker thread")
        self._send(command)
        command.done.wait(timeout)


class _Mailbox:
    """The command queue, and the hand-over of the one worker thread that reads it.

    A worker ends only when the queue is empty, checked under the same lock under which a sender
    decides whether a worker is alive: a command is never left without a worker to apply it.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Command] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def put(self, command: _Command) -> None:
        self._queue.put(command)

    def get(self, wait: float | None = None) -> _Command | None:
        """The next command; ``wait``: seconds to block for it (None: don't block)."""
        try:
            return self._queue.get(timeout=wait) if wait else self._queue.get_nowait()
        except queue.Empty:
            return None

    def empty(self) -> bool:
        return self._queue.empty()

    def ensure_worker(self, make_target: Callable[["_Mailbox"], Callable[[], None]]) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=make_target(self), name="playground-trainer", daemon=True)
                self._worker.start()

    def retire(self) -> bool:
        """Called by the worker: True (and it must end) when no command is queued."""
        with self._lock:
            if not self._queue.empty():
                return False
            self._worker = None
            return True

    def in_worker(self) -> bool:
        return threading.current_thread() is self._worker

    @property
    def worker_alive(self) -> bool:
        worker = self._worker
        return worker is not None and worker.is_alive()

    def join(self, timeout: float) -> None:
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)


@dataclass
class _WorkerState:
    """What outlives one worker thread: the model (jobs run on a finished run's model) and pending jobs."""

    trainer: Trainer | None = None
    run: _Run | None = None
    jobs: dict[str, Iterator[JobUpdate]] = field(default_factory=dict)


class _Worker:
    """The body of the runner's worker thread: apply commands, train an epoch, advance jobs, repeat."""

    def __init__(self, runner: Runner, mailbox: _Mailbox, state: _WorkerState) -> None:
        self.runner, self.mailbox, self.state = runner, mailbox, state
        self.closing = False

    def main(self) -> None:
        while True:
            self._drain(wait=None)
            if self.closing:  # close() joins us
                if self.mailbox.retire():
                    return
                self.closing = False  # a command sent after close(): serve it
            if self.state.run is not None:
                self._advance_run(self.state.run)
            elif self.state.jobs:
                self._run_job_chunk()
            elif self.mailbox.retire():
                return

    def _drain(self, wait: float | None) -> None:
        """Apply every queued command; ``wait``: seconds to block for the first one."""
        command = self.mailbox.get(wait)
        while command is not None:
            try:
                getattr(self, f"_on_{command.name}")(*command.args)
            except Exception as err:  # a bug, not the user's: the run fails visibly and the worker lives on
                self._fail(err)
            finally:
                if command.done is not None:
                    command.done.set()
            command = self.mailbox.get()

    # ------------------------------------------------------------ commands
    def _on_start(self, cfg: RunConfig, splits: Splits, paused: bool, extras: list[Callback], plane: Plane | None) -> None:
        self._end_run(Status.STOPPED, "stopped: a new run started")
        run = _Run(paused=paused)
        self.state.run = run
        try:
            run.stream = _Stream(self.runner, run, splits, time.monotonic(), plane)
            fixed = [IntraOpThreads(self.runner.threads)] if self.runner.threads else []
            callbacks = [*standard_callbacks(cfg), *diagnostic_callbacks(cfg), *extras, *fixed, run.stream]
            run.trainer = self.state.trainer = Trainer(cfg, splits, callbacks)
            run.stream.begin(run.trainer)
        except Exception as err:  # the page shows it; no dead spinner
            self._fail(err)

    def _on_pause(self) -> None:
        if self.state.run is not None:
            self.state.run.paused = True

    def _on_resume(self) -> None:
        if self.state.run is not None:
            self.state.run.paused, self.state.run.steps = False, 0

    def _on_step(self, epochs: int) -> None:
        if self.state.run is not None:
            self.state.run.paused = True
            self.state.run.steps += epochs

    def _on_set_lr(self, lr: float) -> None:
        run = self.state.run
        if run is None or run.trainer is None or lr == run.trainer.lr:  # no change, no mark
            return
        run.trainer.set_lr(lr)
        self.runner.publish({"lr_changes": self.runner.snapshot().lr_changes + ((run.trainer.epoch + 1, lr),)})

    def _on_submit(self, name: str, job: Job) -> None:
        if self.state.trainer is None:  # reset between the page's check and now
            self.runner.set_job(name, JobState(JobStatus.FAILED, message="there is no model: start a run first"))
            return
        self.state.jobs[name] = job(self.state.trainer)

    def _on_stop(self) -> None:
        run = self.state.run
        epoch = run.trainer.epoch if run is not None and run.trainer is not None else 0
        self._end_run(Status.STOPPED, f"stopped by the user at epoch {epoch}")
        self._cancel_jobs("the run was stopped")

    def _on_reset(self) -> None:
        self._on_stop()
        self.state.trainer = None
        self.runner.clear()

    def _on_close(self) -> None:
        self._on_stop()
        self.state.trainer = None
        self.closing = True

    # ------------------------------------------------------------ training
    def _advance_run(self, run: _Run) -> None:
        """One step of the run: end it, wait while paused, or train one epoch."""
        trainer = run.trainer
        if trainer is None:  # it failed to build
            self.state.run = None
            return
        try:
            if trainer.stop_training:
                self._end_run()
            elif self.runner.page_gone():
                self._end_run(Status.STOPPED, "stopped: the page went away (no heartbeat)")
            # A pause that lands between validations trains one more, validated, epoch: the paused
            # page then shows a validation of the weights it shows.
            elif run.paused and run.steps == 0 and trainer.last_validated >= trainer.epoch:
                self.runner.show_status(Status.PAUSED)
                if self.state.jobs:  # a paused run lends its thread to jobs
                    self._run_job_chunk()
                else:
                    self._drain(wait=PAUSED_WAIT)
            else:
                self._train_epoch(run, trainer)
        except Exception as err:
            self._fail(err)

    def _train_epoch(self, run: _Run, trainer: Trainer) -> None:
        if self.state.jobs:
            self._run_job_chunk()
        self.runner.show_status(Status.PAUSED if run.paused else Status.RUNNING)
        trainer.train_epoch(validate=run.pausing)  # the last epoch before a pause is validated
        if run.steps > 0:
            run.steps -= 1

    def _end_run(self, status: Status | None = None, message: str = "") -> None:
        """Stop the run (with ``status`` if it is still training) and publish its final state."""
        run, self.state.run = self.state.run, None
        if run is None or run.trainer is None:
            return
        trainer = run.trainer
        if status is not None and not trainer.stop_training:
            trainer.stop(status, message)
        test = trainer.finish() if trainer.status.has_model else None  # diverged: NaN weights
        run.stream.publish(trainer, final=True, test=test)

    def _fail(self, err: Exception) -> None:
        self.state.run = None
        detail = traceback.format_exc(limit=4)
        notes = self.runner.snapshot().notes + (detail,)
        self.runner.publish({"status": Status.FAILED, "message": f"{type(err).__name__}: {err}", "notes": notes}, final=True)

    # ------------------------------------------------------------ jobs
    def _run_job_chunk(self) -> None:
        """Advance every pending job by one chunk."""
        for name, job in list(self.state.jobs.items()):
            try:
                update = next(job)
                self.runner.set_job(name, JobState(JobStatus.RUNNING, update.progress, update.result))
            except StopIteration:
                del self.state.jobs[name]
                last = self.runner.snapshot().jobs.get(name, JobState())
                self.runner.set_job(name, replace(last, status=JobStatus.DONE, progress=1.0))
            except Exception as err:  # shown on the page next to the job's button
                del self.state.jobs[name]
                self.runner.set_job(name, JobState(JobStatus.FAILED, message=f"{type(err).__name__}: {err}"))

    def _cancel_jobs(self, why: str) -> None:
        for name in self.state.jobs:
            self.runner.set_job(name, JobState(JobStatus.FAILED, message=f"cancelled: {why}"))
        self.state.jobs.clear()


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

    def __init__(self, runner: Runner, run: _Run, splits: Splits, started: float, plane: Plane | None = None):
        self.runner, self.run, self.splits, self.started = runner, run, splits, started
        self.plane = plane or make_plane(splits.X_train)
        self.points = PlanePoints(
            train=sample_points(splits.X_train, splits.y_train, self.plane),
            test=sample_points(splits.X_test, splits.y_test, self.plane),
        )
        self.next_publish = 0.0  # monotonic time before which only counters are published
        self.next_counters = 0.0  # monotonic time before which nothing is published
        self.history: History | None = None
        self.val: Validation | None = None  # the last validation's, until published
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
        pausing = self.run.pausing
        if pausing or time.monotonic() >= self.next_counters:
            self.publish(trainer, force=pausing)

    def _keep_val(self, logs: dict) -> None:
        """Hold a validated epoch's confusion, recall and balanced accuracy for the next publish."""
        if "val_confusion" in logs:  # validated epochs only (see RunConfig.val_every)
            self.val = Validation(logs["val_confusion"], logs["val_recall"], logs["val_balanced_accuracy"])

    def publish(self, trainer: Trainer, force: bool = False, test=None, final: bool = False) -> None:
        """``final``: the run has ended; its status lands together with full history and test metrics,
        so a page that stops polling on seeing a final status never keeps a partial snapshot."""
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
            changes["extras"] = Extras(**{cb.snapshot_key: cb.snapshot() for cb in trainer.callbacks
                                          if hasattr(cb, "snapshot_key")})  # fmt: skip
            cost = time.monotonic() - now
            # At most every publish_every s, and rarer when a publish is costly (big nets, a loaded
            # machine): the expensive part stays under PUBLISH_BUDGET of the wall time.
            # Capped, so the charts still change twice a second (and a cold first publish cannot stall them).
            self.next_publish = now + min(max(self.runner.publish_every, cost / PUBLISH_BUDGET), MAX_PUBLISH_INTERVAL)
        if final:
            changes.update(status=trainer.status, message=trainer.message, restored_epoch=_restored_epoch(trainer))
        if test is not None:
            changes["test"] = test
        self.runner.publish(changes, final=final)

    def _boundary(self, trainer: Trainer) -> BoundaryGrid:
        plane = self.plane
        if plane.components is None:
            proba = trainer.predict_proba(plane.features)  # (R*R, C)
        else:  # PCA plane: x = mean + grid @ components, folded into the first layer
            proba = trainer.predict_proba_affine(plane.grid, plane.mean, plane.components)
        return BoundaryGrid(
            xs=plane.xs, ys=plane.ys, proba=proba.reshape(len(plane.ys), len(plane.xs), -1).astype("float32"),
            points=self.points, note=plane.note, axis_titles=plane.axis_titles,
        )  # fmt: skip


def _restored_epoch(trainer: Trainer) -> int | None:
    return next((cb.restored_epoch for cb in trainer.callbacks if isinstance(cb, EarlyStopping)), None)

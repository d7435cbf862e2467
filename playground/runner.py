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

The queue and the worker's hand-over are in playground/mailbox.py; the callback that turns epochs
into snapshots is in playground/stream.py.

Lifetime: ``close()`` (the session's release hook) stops the run and drops the model; an optional
heartbeat makes the worker stop a run whose page has gone quiet.
"""
from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator

from playground.boundary import Plane
from playground.callbacks import standard_callbacks
from playground.config import RunConfig
from playground.datasets import Splits
from playground.diagnostics import diagnostic_callbacks
from playground.jobs import Job, JobState, JobStatus, JobUpdate
from playground.mailbox import Command, Mailbox
from playground.snapshot import Snapshot, new_run_id
from playground import memory_budget
from playground.status import Status
from playground.stream import IntraOpThreads, SnapshotStream
from playground.trainer import Callback, Trainer

__all__ = ["Runner", "Snapshot", "IntraOpThreads"]

PAUSED_WAIT = 0.2  # seconds a paused run waits for a command before it checks the heartbeat again


@dataclass
class _Run:
    """The run in progress; owned by the worker thread."""

    paused: bool
    steps: int = 0  # epochs requested while paused
    trainer: Trainer | None = None
    stream: SnapshotStream | None = None

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
        self._mailbox = Mailbox()
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
              plane: Plane | None = None, run_id: str | None = None) -> None:  # fmt: skip
        """Stop any current run, then train ``cfg`` on ``splits`` in the worker thread. ``plane``: the
        decision-boundary plane of ``splits.X_train`` if the caller has it (else made there).
        ``run_id``: the run's ``Snapshot.run_id``, else a new 12-hex-char one."""
        self.stop()
        self.heartbeat()
        extras = list(extra_callbacks()) if extra_callbacks else []
        with self._lock:
            self._snap = Snapshot(status=Status.STARTING, run_id=run_id or new_run_id(), config=cfg, epochs=cfg.epochs,
                                  version=self._snap.version + 1)  # fmt: skip
        self._send(Command("start", (cfg, splits, paused, extras, plane)))

    def pause(self) -> None:
        self._send(Command("pause"), shows=Status.PAUSED)

    def resume(self) -> None:
        self._send(Command("resume"), shows=Status.RUNNING)

    def step(self, epochs: int = 1) -> None:
        """While paused: train ``epochs`` more epochs, then pause again (the last one validated, whatever val_every)."""
        if not isinstance(epochs, int) or isinstance(epochs, bool):
            raise TypeError(f"epochs == {epochs!r}, must be an integer")
        if epochs < 1:
            raise ValueError(f"epochs == {epochs}, must be >= 1")
        self._send(Command("step", (epochs,)))

    def set_lr(self, lr: float) -> None:
        """Applied before the next epoch and marked on the loss curve."""
        if not (isinstance(lr, (int, float)) and 0 < lr < float("inf")):
            raise ValueError(f"lr == {lr!r}, must be a positive finite number")
        self._send(Command("set_lr", (float(lr),)))

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
        self._send(Command("submit", (name, job)))
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """End the run (test metrics are still computed) and cancel pending jobs; waits until done."""
        self._send_and_wait(Command("stop", done=threading.Event()), timeout)

    def reset(self, timeout: float = 10.0) -> None:
        """Stop, drop the model and clear the snapshot."""
        self._send_and_wait(Command("reset", done=threading.Event()), timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Stop the run and release what it holds (the model, the worker thread); the snapshot stays.
        The session's release hook. A later ``start`` begins afresh."""
        self._send_and_wait(Command("close", done=threading.Event()), timeout)
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
    def _send(self, command: Command, shows: Status | None = None) -> None:
        """Queue ``command``; ``shows``: the status the page sees at once (the worker confirms it)."""
        with self._lock:  # together with show_status: a queued command's status is never overwritten
            self._mailbox.put(command)
            if shows is not None and self._snap.active:
                self._snap = replace(self._snap, status=shows, version=self._snap.version + 1)
        self._mailbox.ensure_worker(lambda mailbox: _Worker(self, mailbox, self._state).main)

    def _send_and_wait(self, command: Command, timeout: float) -> None:
        if self._mailbox.in_worker():  # e.g. a job that stops its own run: it would wait for itself
            raise RuntimeError(f"Runner.{command.name}() called from its own worker thread")
        self._send(command)
        command.done.wait(timeout)


@dataclass
class _WorkerState:
    """What outlives one worker thread: the model (jobs run on a finished run's model) and pending jobs."""

    trainer: Trainer | None = None
    run: _Run | None = None
    jobs: dict[str, Iterator[JobUpdate]] = field(default_factory=dict)


class _Worker:
    """The body of the runner's worker thread: apply commands, train an epoch, advance jobs, repeat."""

    def __init__(self, runner: Runner, mailbox: Mailbox, state: _WorkerState) -> None:
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
            run.stream = SnapshotStream(self.runner, lambda: run.pausing, splits, time.monotonic(), plane)
            fixed = [IntraOpThreads(self.runner.threads)] if self.runner.threads else []
            # a model file's weights load first, before any observer takes the start (trajectory step 0, stall guard)
            first = [cb for cb in extras if getattr(cb, "loads_weights", False)]
            rest = [cb for cb in extras if cb not in first]
            callbacks = [*first, *standard_callbacks(cfg), *diagnostic_callbacks(cfg), *rest, *fixed, run.stream]
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
        message = memory_budget.explain(err) or f"{type(err).__name__}: {err}"
        self.runner.publish({"status": Status.FAILED, "message": message, "notes": notes}, final=True)

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

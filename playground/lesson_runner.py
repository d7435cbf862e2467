"""LessonRunner: one lesson's runs in a spawned process, its progress read by polling.

    runner = LessonRunner("xor", store_url=url, session=owner, spares=pool)
    runner.start()          # takes a warm training process from the pool (or spawns one); returns at once
    runner.poll()           # LessonProgress: which run, its epoch, the loss curves so far, the result when done
    runner.close()          # ends the process (a new Run while this one trains, the session's end)
    LessonRunner("adam_vs_sgd", worker=runner.detach())   # the next lesson in the finished one's process

The child (playground/lesson_process.py) calls ``run_lesson``, all torch work, never in the server, and
records each setup's run into the run store under ``run_ids[i]`` (source "lesson", label = the setup's
label), so the runs show in the Playground's runs table and on the Compare page. Its events come back
on the pipe, tagged with the job.
The process (LessonWorker) is a training process (playground/training_process.py) told to serve
lessons, taken warm from the server's spare pool, so even a session's first lesson skips the ~5-10 s
of imports; it stays up after a lesson for the session's next one (0.2 s instead of ~10 s to a small
lesson's result), and exits after IDLE_TIMEOUT seconds without one, since it holds ~470 MB RSS.
Spawned, never forked (the server's threads and OpenMP pool do not survive a fork).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.admission import Admission
from playground.lessons import LESSONS, LessonEvent, LessonResult, RunResult
from playground.lesson_process import LIVE_KEYS, Plane2D
from playground.snapshot import BoundaryGrid, new_run_id
from playground.spares import Child, SparePool

CLOSE_TIMEOUT = 3.0  # s a terminated child has to exit before it is killed


@dataclass
class LessonProgress:
    lesson_id: str
    runs: int  # setups, plus one for the race
    run: int = 0  # index of the current run
    label: str = ""
    epoch: int = 0
    epochs: int = 0
    curves: dict[int, dict[str, list]] = field(default_factory=dict)  # run -> {"epoch": [...], "loss": [...]} so far
    labels: dict[int, str] = field(default_factory=dict)  # run -> setup label
    results: dict[int, RunResult] = field(default_factory=dict)  # finished runs
    planes: dict[int, Plane2D] = field(default_factory=dict)
    class_names: tuple[str, ...] = ()
    race: Any = None  # RaceResult
    race_grid: Any = None  # figures.race.Grid
    result: LessonResult | None = None
    error: str = ""
    queued: int | None = None  # waiting for a place to train (playground/admission.py): runs ahead of it
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    @property
    def finished(self) -> bool:
        return self.result is not None or bool(self.error)

    @property
    def fraction(self) -> float:
        if self.result is not None:
            return 1.0
        within = self.epoch / self.epochs if self.epochs else 0.0
        return min(1.0, (self.run + within) / max(self.runs, 1))

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def boundary(self, i: int) -> BoundaryGrid | None:
        """Run ``i``'s decision boundary (2-D sets), once it has finished."""
        run, plane = self.results.get(i), self.planes.get(i)
        if run is None or plane is None or run.boundary is None:
            return None
        return BoundaryGrid(plane.xs, plane.ys, run.boundary, plane.points)

    def apply(self, event: LessonEvent | tuple) -> None:
        if isinstance(event, tuple):  # ("plane", i, Plane2D) | ("race_grid", grid) | ("error", message)
            kind, *rest = event
            if kind == "plane":
                self.planes[rest[0]] = rest[1]
                self.class_names = rest[1].class_names
            elif kind == "class_names":
                self.class_names = rest[0]
            elif kind == "race_grid":
                self.race_grid = rest[0]
            elif kind == "error":
                self.error, self.ended = rest[0], time.monotonic()
            return
        self.run, self.label = min(event.run, self.runs - 1), event.label or self.label
        if event.kind == "run_started":
            self.labels[event.run], self.epoch, self.epochs = event.label, 0, 0
        elif event.kind == "epoch":
            self.epoch, self.epochs = event.epoch, event.epochs
            curve = self.curves.setdefault(event.run, {k: [] for k in LIVE_KEYS})
            for k in LIVE_KEYS:
                curve[k].append(event.logs.get(k, np.nan))
        elif event.kind == "run_finished":
            run: RunResult = event.result
            self.results[event.run] = run
            self.epoch = self.epochs = run.epochs_run
            self.curves[event.run] = {k: list(run.curve(k)) for k in LIVE_KEYS}
        elif event.kind == "race_finished":
            self.race = event.result
        elif event.kind == "lesson_finished":
            self.result, self.ended = event.result, time.monotonic()


class LessonWorker:
    """The process that runs a session's lessons, one job at a time: a warm training process from the server's
    spare pool when there is one (its torch and engine imports paid: a first lesson's first curve in under a
    second instead of ~5-10 s), else a new one, told to serve lessons. It stays up for the session's next
    lesson, and exits by itself after IDLE_TIMEOUT seconds without one.

    Messages on the pipe: ("ready",) once from the child, then (job, event) for each lesson event."""

    def __init__(self, child: Child | None = None) -> None:
        from playground.training_process import spawn_child

        self.proc, self.conn = child if child is not None else spawn_child()
        self.proc.name = "playground-lessons"  # the parent's name for it (active_children, a process listing)
        self.conn.send(("lessons",))  # read by the child once it is warm

    @property
    def alive(self) -> bool:
        return self.proc.is_alive()

    def send(self, job: tuple) -> None:
        self.conn.send(job)

    def receive(self) -> list[tuple[str, Any]]:
        """Every (job, event) the child has sent so far (its "ready" dropped); [] once the pipe is closed."""
        events = []
        try:
            while self.conn.poll(0):
                msg = self.conn.recv()
                if msg != ("ready",):
                    events.append(msg)
        except (EOFError, OSError):  # the child has gone; what it sent before is in ``events``
            pass
        return events

    def close(self) -> None:
        """End the process, whatever it is doing, and release its pipe (the process handle stays readable)."""
        self.conn.close()
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(CLOSE_TIMEOUT)
            if self.proc.is_alive():
                self.proc.kill()
        self.proc.join()


class LessonRunner:
    """One lesson's runs for a session. With a ``gate`` (the server's Admission) the lesson waits for a free
    place to train like any run: ``poll().queued`` is then the number of runs ahead of it."""

    def __init__(self, lesson_id: str, seed: int = 0, store_url: str | None = None, session: str | None = None,
                 worker: LessonWorker | None = None, spares: SparePool | None = None,
                 gate: Admission | None = None) -> None:  # fmt: skip
        """``worker``: the process of a finished lesson to run this one in; else one from ``spares``, else a new one."""
        if lesson_id not in LESSONS:
            raise ValueError(f"lesson == {lesson_id!r}, must be one of {list(LESSONS)}")
        lesson = LESSONS[lesson_id]
        self.lesson_id, self.seed, self.store_url, self.session = lesson_id, seed, store_url, session
        self.run_ids = tuple(new_run_id() for _ in lesson.setups)  # the store's ids of the setups' runs
        self.progress = LessonProgress(lesson_id, len(lesson.setups) + (lesson.race is not None))
        self.job = new_run_id()  # tags this lesson's events: a reused worker's pipe may hold an earlier job's
        self._worker = worker if worker is not None and worker.alive else None
        self.spares, self.gate = spares, gate
        self._lock = threading.RLock()  # poll() runs on the page and on the gate's watcher; guards _launched, _closed
        self._started = self._launched = self._closed = False

    def start(self) -> None:
        if self._started:
            raise RuntimeError("this LessonRunner has already started")
        self._started = True
        if self.gate is not None:
            self.gate.join(self)
            if not self.gate.request(self):
                return  # in line: granted() launches it
        self._launch()

    def _launch(self) -> None:
        with self._lock:
            if self._closed or self._launched:
                return
            self._launched = True
            if self._worker is None:
                self._worker = LessonWorker(self.spares.take() if self.spares is not None else None)
            self._worker.send((self.job, self.lesson_id, self.seed, self.store_url, self.session, self.run_ids))

    # the gate's side (playground/admission.py)
    def granted(self) -> None:
        self._launch()

    def still_training(self) -> bool:
        return not self.poll().finished

    def tick(self, now: float) -> None:
        pass

    def poll(self) -> LessonProgress:
        """Apply every event the child has sent for this lesson; a child that died without a result is an error."""
        with self._lock:
            worker, p = self._worker, self.progress
            p.queued = self.gate.ahead(self) if self.gate is not None and not self._launched else None
            if worker is None or not self._launched:
                return p
            for job, event in worker.receive():
                if job == self.job:
                    p.apply(event)
            if not p.finished and not worker.alive and not worker.receive():
                p.apply(("error", f"the lesson's process ended unexpectedly (exit code {worker.proc.exitcode})"))
            return p

    @property
    def alive(self) -> bool:
        return self._worker is not None and self._worker.alive

    def detach(self) -> LessonWorker | None:
        """Hand this finished lesson's process to the next lesson (None if it is not finished or gone)."""
        with self._lock:
            if not self.progress.finished or self._worker is None or not self._worker.alive:
                return None
            worker, self._worker = self._worker, None
        return worker

    def close(self) -> None:
        """End the process (whatever it is doing) and give back the lesson's place to train, or in line."""
        with self._lock:
            self._closed = True
            worker, self._worker = self._worker, None
        if self.gate is not None:
            self.gate.leave(self)
        if worker is not None:
            worker.close()

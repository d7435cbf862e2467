"""LessonRunner: one lesson's runs in a spawned process, its progress read by polling.

    runner = LessonRunner("xor", store_url=url, session=owner)
    runner.start()          # spawns the process (or uses the one given); returns at once
    runner.poll()           # LessonProgress: which run, its epoch, the loss curves so far, the result when done
    runner.close()          # ends the process (a new Run while this one trains, the session's end)
    LessonRunner("adam_vs_sgd", worker=runner.detach())   # the next lesson in the finished one's process

The child calls ``run_lesson`` (all torch work is there, never in the server) and records each
setup's run into the run store (a RunRecorder per setup: source "lesson", label = the setup's label,
under ``run_ids[i]``), so the runs show in the Playground's runs table and on the Compare page.
It sends LessonEvents through a queue: epoch events at most every EPOCH_INTERVAL seconds per run
(the finished run's full history follows with it), plus what the page needs to draw that the
results leave out: each 2-D run's plane and points (for its boundary) and the race's contour grid.
The process (LessonWorker) stays up after a lesson, so the session's next lesson skips its ~5-10 s of
imports (0.2 s instead of ~10 s to a small lesson's result); it exits after IDLE_TIMEOUT seconds without
one, since it holds ~470 MB RSS. Spawned, never forked (the server's threads and OpenMP pool do not
survive a fork).
"""
from __future__ import annotations

import multiprocessing
import queue
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.lessons import LESSONS, LessonEvent, LessonResult, RunResult
from playground.snapshot import BoundaryGrid, PlanePoints, new_run_id

EPOCH_INTERVAL = 0.25  # s between a run's epoch events: a few a second is enough for a live curve
LIVE_KEYS = ("epoch", "loss", "val_loss", "accuracy", "val_accuracy")  # epoch logs the page draws live
CLOSE_TIMEOUT = 3.0  # s a terminated child has to exit before it is killed


@dataclass(frozen=True)
class Plane2D:
    """A 2-D run's boundary plane and points: with RunResult.boundary, a BoundaryGrid."""

    xs: np.ndarray  # (R,)
    ys: np.ndarray  # (R,)
    points: PlanePoints
    class_names: tuple[str, ...]


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
    """The spawned process that runs a session's lessons, one job at a time. It stays up (its imports paid)
    for the session's next lesson, and exits by itself after IDLE_TIMEOUT seconds without one."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.jobs, self.out = ctx.Queue(), ctx.Queue()
        self.proc = ctx.Process(target=work_in_child, args=(self.jobs, self.out), name="playground-lessons", daemon=True)
        self.proc.start()

    @property
    def alive(self) -> bool:
        return self.proc.is_alive()

    def close(self) -> None:
        """End the process, whatever it is doing, and release the queues."""
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(CLOSE_TIMEOUT)
            if self.proc.is_alive():
                self.proc.kill()
        self.proc.join()
        for q in (self.jobs, self.out):
            q.cancel_join_thread()
            q.close()


class LessonRunner:
    def __init__(self, lesson_id: str, seed: int = 0, store_url: str | None = None, session: str | None = None,
                 worker: LessonWorker | None = None) -> None:  # fmt: skip
        """``worker``: the process of a finished lesson to run this one in (else a new one is spawned)."""
        if lesson_id not in LESSONS:
            raise ValueError(f"lesson == {lesson_id!r}, must be one of {list(LESSONS)}")
        lesson = LESSONS[lesson_id]
        self.lesson_id, self.seed, self.store_url, self.session = lesson_id, seed, store_url, session
        self.run_ids = tuple(new_run_id() for _ in lesson.setups)  # the store's ids of the setups' runs
        self.progress = LessonProgress(lesson_id, len(lesson.setups) + (lesson.race is not None))
        self.job = new_run_id()  # tags this lesson's events: a reused worker's queue may hold an earlier job's
        self._worker = worker if worker is not None and worker.alive else None
        self._started = False

    def start(self) -> None:
        if self._started:
            raise RuntimeError("this LessonRunner has already started")
        self._started = True
        if self._worker is None:
            self._worker = LessonWorker()
        self._worker.jobs.put((self.job, self.lesson_id, self.seed, self.store_url, self.session, self.run_ids))

    def poll(self) -> LessonProgress:
        """Apply every event the child has sent for this lesson; a child that died without a result is an error."""
        worker, p = self._worker, self.progress
        if worker is None:
            return p
        while True:
            try:
                job, event = worker.out.get_nowait()
            except (queue.Empty, OSError, ValueError):  # empty, or closed
                break
            if job == self.job:
                p.apply(event)
        if not p.finished and not worker.alive and worker.out.empty():
            p.apply(("error", f"the lesson's process ended unexpectedly (exit code {worker.proc.exitcode})"))
        return p

    @property
    def alive(self) -> bool:
        return self._worker is not None and self._worker.alive

    def detach(self) -> LessonWorker | None:
        """Hand this finished lesson's process to the next lesson (None if it is not finished or gone)."""
        if not self.progress.finished or self._worker is None or not self._worker.alive:
            return None
        worker, self._worker = self._worker, None
        return worker

    def close(self) -> None:
        """End the process (whatever it is doing)."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.close()


# ---------------------------------------------------------------- the child process

IDLE_TIMEOUT = 300.0  # s an idle process waits for the session's next lesson (~470 MB RSS: torch, sklearn)


def work_in_child(jobs, out) -> None:
    """Spawned process: run each lesson sent on ``jobs``, sending its events, tagged with the job, to ``out``."""
    while True:
        try:
            job = jobs.get(timeout=IDLE_TIMEOUT)
        except queue.Empty:
            return
        tag, lesson_id, seed, store_url, session, run_ids = job
        send = Tagged(out, tag)
        try:
            _run(lesson_id, seed, store_url, session, run_ids, send)
        except Exception as err:  # noqa: BLE001 - whatever it is, the page says it
            send.put(("error", f"{type(err).__name__}: {err}"))


class Tagged:
    """``out`` for one job: each event goes as (job, event)."""

    def __init__(self, out, tag: str) -> None:
        self.out, self.tag = out, tag

    def put(self, event) -> None:
        self.out.put((self.tag, event))


def _run(lesson_id, seed, store_url, session, run_ids, out) -> None:
    import torch

    from playground.lessons.run import run_lesson
    from playground.store import RunRecorder

    torch.set_num_threads(1)  # the server and the browser share the two cores; run_lesson sizes it per model
    sent: dict[int, float] = {}

    def on_event(event: LessonEvent) -> None:
        if event.kind == "epoch":
            now = time.monotonic()
            if now - sent.get(event.run, 0.0) < EPOCH_INTERVAL:
                return
            sent[event.run] = now
            event = LessonEvent("epoch", event.run, event.runs, event.label, event.epoch, event.epochs,
                                {k: float(event.logs[k]) for k in LIVE_KEYS if k in event.logs})  # fmt: skip
        elif event.kind == "race_finished":
            out.put(("race_grid", _race_grid(event.result)))
        out.put(event)

    def callbacks(i: int, setup) -> list:
        label = setup.label
        return [RunRecorder(store_url, run_id=run_ids[i], label=label, session=session, source="lesson"),
                PlaneSender(i, out)]  # fmt: skip

    run_lesson(lesson_id, seed, on_event, callbacks)


class PlaneSender:
    """Trainer callback: sends a 2-D run's boundary plane and points (class names for any run) as it begins."""

    def __init__(self, run: int, out) -> None:
        self.run, self.out = run, out

    def on_train_begin(self, trainer) -> None:
        from playground.boundary import make_plane, sample_points
        from playground.lessons.run import BOUNDARY_RESOLUTION

        splits = trainer.splits
        names = tuple(splits.dataset.class_names)
        if splits.n_features != 2:
            self.out.put(("class_names", names))
            return
        plane = make_plane(splits.X_train, BOUNDARY_RESOLUTION)  # the plane run_lesson's boundary is computed on
        points = PlanePoints(sample_points(splits.X_train, splits.y_train, plane),
                             sample_points(splits.X_test, splits.y_test, plane))  # fmt: skip
        self.out.put(("plane", self.run, Plane2D(plane.xs, plane.ys, points, names)))

    def on_epoch_end(self, trainer, logs: dict) -> None:
        pass

    def on_train_end(self, trainer, logs: dict) -> None:
        pass


def _race_grid(result):
    from playground.figures.race import view_ranges
    from playground.race_task import CONTOUR_POINTS
    from playground.surfaces import surface_grid

    return surface_grid(result.surface, *view_ranges(result), n=CONTOUR_POINTS)

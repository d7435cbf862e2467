"""LessonRunner: one lesson's runs in a spawned process, its progress read by polling.

    runner = LessonRunner("xor", store_url=url, session=owner)
    runner.start()          # spawns the process; returns at once
    runner.poll()           # LessonProgress: which run, its epoch, the loss curves so far, the result when done
    runner.close()          # ends the process (a new Run, the session's end)

The child calls ``run_lesson`` (all torch work is there, never in the server) and records each
setup's run into the run store (a RunRecorder per setup: source "lesson", label = the setup's label,
under ``run_ids[i]``), so the runs show in the Playground's runs table and on the Compare page.
It sends LessonEvents through a queue: epoch events at most every EPOCH_INTERVAL seconds per run
(the finished run's full history follows with it), plus what the page needs to draw that the
results leave out: each 2-D run's plane and points (for its boundary) and the race's contour grid.
Spawned, never forked (the server's threads and OpenMP pool do not survive a fork).
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


class LessonRunner:
    def __init__(self, lesson_id: str, seed: int = 0, store_url: str | None = None, session: str | None = None) -> None:
        if lesson_id not in LESSONS:
            raise ValueError(f"lesson == {lesson_id!r}, must be one of {list(LESSONS)}")
        lesson = LESSONS[lesson_id]
        self.lesson_id, self.seed, self.store_url, self.session = lesson_id, seed, store_url, session
        self.run_ids = tuple(new_run_id() for _ in lesson.setups)  # the store's ids of the setups' runs
        self.progress = LessonProgress(lesson_id, len(lesson.setups) + (lesson.race is not None))
        self._ctx = multiprocessing.get_context("spawn")
        self._queue = self._ctx.Queue()
        self._proc = None

    def start(self) -> None:
        if self._proc is not None:
            raise RuntimeError("this LessonRunner has already started")
        args = (self.lesson_id, self.seed, self.store_url, self.session, self.run_ids, self._queue)
        self._proc = self._ctx.Process(target=run_in_child, args=args, name=f"playground-lesson-{self.lesson_id}",
                                       daemon=True)  # fmt: skip
        self._proc.start()

    def poll(self) -> LessonProgress:
        """Apply every event the child has sent; a child that died without a result is an error."""
        while True:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                break
            self.progress.apply(event)
        p = self.progress
        if not p.finished and self._proc is not None and not self._proc.is_alive() and self._queue.empty():
            p.apply(("error", f"the lesson's process ended unexpectedly (exit code {self._proc.exitcode})"))
        return p

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def close(self) -> None:
        """End the child (whatever it is doing) and release the queue."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.is_alive():
                proc.terminate()
                proc.join(CLOSE_TIMEOUT)
                if proc.is_alive():
                    proc.kill()
            proc.join()
        self._queue.cancel_join_thread()
        self._queue.close()


# ---------------------------------------------------------------- the child process


def run_in_child(lesson_id: str, seed: int, store_url: str | None, session: str | None, run_ids: tuple[str, ...],
                 out) -> None:  # fmt: skip
    """Spawned process: run the lesson, recording each run, and send its events to ``out``."""
    try:
        _run(lesson_id, seed, store_url, session, run_ids, out)
    except BaseException as err:  # noqa: BLE001 - whatever it is, the page says it
        out.put(("error", f"{type(err).__name__}: {err}"))


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

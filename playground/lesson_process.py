"""The lesson process's side: what a training process runs once a LessonWorker tells it ("lessons",).

    serve_lessons(conn)     # each job (tag, lesson id, seed, store url, session, run ids) -> run_lesson

``run_lesson`` does all the torch work here, never in the server, and each setup's run is recorded
into the run store (a RunRecorder per setup: source "lesson"). Events go back on the pipe tagged
with their job: epoch events at most every EPOCH_INTERVAL seconds per run, and what the page needs
to draw that the results leave out (a 2-D run's plane and points, the race's contour grid).
The parent side is playground/lesson_runner.py.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from playground.lessons import LessonEvent
from playground.snapshot import PlanePoints

EPOCH_INTERVAL = 0.25  # s between a run's epoch events: a few a second is enough for a live curve
LIVE_KEYS = ("epoch", "loss", "val_loss", "accuracy", "val_accuracy")  # epoch logs the page draws live

@dataclass(frozen=True)
class Plane2D:
    """A 2-D run's boundary plane and points: with RunResult.boundary, a BoundaryGrid."""

    xs: np.ndarray  # (R,)
    ys: np.ndarray  # (R,)
    points: PlanePoints
    class_names: tuple[str, ...]


IDLE_TIMEOUT = 300.0  # s an idle process waits for the session's next lesson (~470 MB RSS: torch, sklearn)


def serve_lessons(conn) -> None:
    """In the child (a training process told ("lessons",)): run each lesson job the pipe brings, sending its
    events, tagged with the job, back on it. Ends on EOF (the session closed it, or the server went away) or
    after IDLE_TIMEOUT seconds without a job."""
    try:
        while conn.poll(IDLE_TIMEOUT):
            tag, lesson_id, seed, store_url, session, run_ids = conn.recv()
            send = Tagged(conn, tag)
            try:
                _run(lesson_id, seed, store_url, session, run_ids, send)
            except (EOFError, BrokenPipeError, ConnectionResetError):  # the pipe, not the lesson
                raise
            except Exception as err:  # noqa: BLE001 - whatever it is, the page says it
                send.put(("error", f"{type(err).__name__}: {err}"))
    except (EOFError, OSError):  # nobody reads (a closed or broken pipe): end quietly
        return


class Tagged:
    """The pipe for one job: each event goes as (job, event)."""

    def __init__(self, conn, tag: str) -> None:
        self.conn, self.tag = conn, tag

    def put(self, event) -> None:
        self.conn.send((self.tag, event))


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
        from playground.boundary import plane_of, sample_points
        from playground.lessons.run import BOUNDARY_RESOLUTION

        splits = trainer.splits
        names = tuple(splits.dataset.class_names)
        if not splits.planar:
            self.out.put(("class_names", names))
            return
        plane = plane_of(splits, BOUNDARY_RESOLUTION)  # the plane run_lesson's boundary is computed on
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

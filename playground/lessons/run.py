"""``run_lesson``: train a lesson's setups headless through the app's engine and check its claim.

Every setup trains as a page run does: ``prepare(cfg)``, then ``Trainer(cfg, splits,
standard_callbacks(cfg))`` (the same step, guards and early stopping). Around it: the live lr change
as a callback, the LR range test (``lr_finder``) for a setup that takes its suggestion, and the
gradient-flow probe (``diagnostics.gradflow.probe_stats``) on the initial and the final weights.
"""
from __future__ import annotations

import time
from typing import Callable, Sequence
from urllib.parse import urlencode

import numpy as np
import torch

from playground.boundary import plane_of
from playground.callbacks import EarlyStopping, History, standard_callbacks
from playground.config import DATA_FIELDS, RunConfig, to_query
from playground.datasets import Splits, prepare
from playground.device import threads_for
from playground.diagnostics.gradflow import PROBE_ROWS, probe_stats
from playground.lessons.lesson import Lesson, Setup
from playground.lessons.registry import LESSONS
from playground.lessons.results import LessonEvent, LessonResult, Measured, RunResult
from playground.lr_finder import lr_range_test
from playground.race import PRESETS
from playground.trainer import Callback, Trainer

BOUNDARY_RESOLUTION = 60  # (R, R) grid of class probabilities kept for 2-D sets
OnEvent = Callable[[LessonEvent], None]
SetupCallbacks = Callable[[int, Setup], Sequence[Callback]]  # (setup index, setup) -> extra callbacks for its run


class LrChange(Callback):
    """After epoch ``at``, set the lr to ``lr``: what the page's live lr control does between epochs."""

    def __init__(self, at: int, lr: float) -> None:
        self.at, self.lr = at, lr

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        if logs["epoch"] == self.at:
            trainer.set_lr(self.lr)


class Relay(Callback):
    """Passes each epoch's logs to ``on_event`` as an "epoch" LessonEvent."""

    def __init__(self, on_event: OnEvent, run: int, runs: int, label: str, epochs: int) -> None:
        self.on_event, self.event = on_event, dict(run=run, runs=runs, label=label, epochs=epochs)

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        self.on_event(LessonEvent("epoch", epoch=logs["epoch"], logs=logs, **self.event))


def run_lesson(lesson_id: str, seed: int = 0, on_event: OnEvent | None = None,
               callbacks: SetupCallbacks | None = None) -> LessonResult:  # fmt: skip
    """Train every setup of ``LESSONS[lesson_id]`` with ``seed`` (replacing the setups' own), race its
    preset if it has one, and check the claim. ``on_event`` gets progress (LessonEvent) as it goes;
    ``callbacks(i, setup)``, if given, makes extra Trainer callbacks for setup ``i``'s run (the Lessons
    page records each run into the run store this way: playground/lesson_runner.py)."""
    if lesson_id not in LESSONS:
        raise ValueError(f"lesson == {lesson_id!r}, must be one of {list(LESSONS)}")
    lesson, t0 = LESSONS[lesson_id], time.perf_counter()
    emit = on_event or (lambda event: None)
    n = len(lesson.setups) + (lesson.race is not None)
    data: dict[tuple, Splits] = {}  # setups that share their data fields share one prepared split
    runs = []
    for i, setup in enumerate(lesson.setups):
        emit(LessonEvent("run_started", i, n, setup.label))
        extra = callbacks(i, setup) if callbacks is not None else ()
        run = run_setup(setup, seed, data, Relay(emit, i, n, setup.label, setup.config(seed).epochs), *extra)
        emit(LessonEvent("run_finished", i, n, setup.label, run.epochs_run, result=run))
        runs.append(run)
    race = _race(lesson, emit, n)
    measured = Measured(tuple(runs), race)
    held, sentence = lesson.check(measured)
    result = LessonResult(lesson.id, seed, measured, bool(held), sentence, time.perf_counter() - t0)
    emit(LessonEvent("lesson_finished", n, n, result=result))
    return result


def _race(lesson: Lesson, emit: OnEvent, n: int):
    if lesson.race is None:
        return None
    emit(LessonEvent("run_started", n - 1, n, lesson.race))
    race = PRESETS[lesson.race].run()
    emit(LessonEvent("race_finished", n - 1, n, lesson.race, result=race))
    return race


def run_setup(setup: Setup, seed: int = 0, data: dict | None = None, *extra: Callback) -> RunResult:
    """Train one setup to the end. ``data``: prepared splits by data fields, shared between setups."""
    cfg = setup.config(seed)
    splits = _splits(cfg, {} if data is None else data)
    finder = None
    if setup.lr_from_finder:  # the range test runs from the same initial weights the run starts from
        finder = lr_range_test(_threaded(Trainer(cfg, splits)))
        if finder.suggested_lr is None:
            raise RuntimeError(f"lesson setup {setup.label!r}: the LR range test found no learning rate")
        cfg = cfg.replace(lr=float(f"{finder.suggested_lr:.2g}"))  # as the page's "use this learning rate"
    callbacks = standard_callbacks(cfg) + ([LrChange(*setup.lr_change)] if setup.lr_change else []) + list(extra)
    trainer = _threaded(Trainer(cfg, splits, callbacks))
    start = _grad_norms(trainer)
    weights = _weights(trainer)
    test = trainer.fit()
    end = _grad_norms(trainer)
    history = next(cb for cb in callbacks if isinstance(cb, History))
    stopper = next((cb for cb in callbacks if isinstance(cb, EarlyStopping)), None)
    return RunResult(
        label=setup.label, query=urlencode(to_query(trainer.cfg), safe=":,"),
        train=trainer.evaluate("train"), val=trainer.evaluate("val"), test=test,
        status=str(trainer.status), message=trainer.message, epochs_run=trainer.epoch,
        history=history.as_arrays(), seconds=trainer.train_seconds,
        restored_epoch=stopper.restored_epoch if stopper else None,
        lr_changed_at=setup.lr_change[0] if setup.lr_change and trainer.epoch > setup.lr_change[0] else None,
        grad_layers=start[0], grad_norm_start=start[1], grad_norm_end=end[1],
        boundary=_boundary(trainer), lr_finder=finder, weight_change=_change(weights, _weights(trainer)),
    )  # fmt: skip


def _splits(cfg: RunConfig, cache: dict) -> Splits:
    key = tuple(getattr(cfg, name) for name in DATA_FIELDS)
    if key not in cache:
        cache[key] = prepare(cfg)
    return cache[key]


def _threaded(trainer: Trainer) -> Trainer:
    """The torch thread count the trainer sets when it begins, set now: the range test and probes run first."""
    torch.set_num_threads(threads_for(trainer.n_params))
    return trainer


def _grad_norms(trainer: Trainer) -> tuple[tuple[str, ...], np.ndarray]:
    """Gradient-flow probe on the first PROBE_ROWS training rows: (layer labels, (L,) gradient norms)."""
    X, y = (t[:PROBE_ROWS] for t in trainer.data["train"])
    stats = probe_stats(trainer.model, trainer.loss, X, y)
    return stats.layers, stats.grad_norm


def _weights(trainer: Trainer) -> list[torch.Tensor]:
    """Copies of every Linear weight, input to output."""
    return [m.weight.detach().clone() for m in trainer.model if isinstance(m, torch.nn.Linear)]


def _change(start: list[torch.Tensor], end: list[torch.Tensor]) -> np.ndarray:
    """(L,) relative change per Linear weight: 0.0 exactly for a frozen layer (playground/freeze.py)."""
    return np.array([float((b - a).norm() / a.norm().clamp_min(1e-12)) for a, b in zip(start, end)])


def _boundary(trainer: Trainer) -> np.ndarray | None:
    """(R, R, C) class probabilities over the input plane, row = y; None unless the data is 2-D."""
    if not trainer.splits.planar:
        return None
    plane = plane_of(trainer.splits, BOUNDARY_RESOLUTION)
    proba = trainer.predict_proba(plane.features)  # (R*R, C), row-major over (y, x)
    return proba.reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, -1)

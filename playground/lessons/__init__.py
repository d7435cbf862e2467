"""Lessons: one click per claim, each claim checked by the engine.

``LESSONS`` (id -> Lesson) and the result types import no torch, so a page can list lessons cheaply;
``run_lesson`` (playground/lessons/run.py) loads the engine when first used.
"""
from playground.lessons.lesson import GROUPS, WATCHES, Lesson, Setup
from playground.lessons.registry import LESSONS
from playground.lessons.results import LessonEvent, LessonResult, Measured, RunResult

__all__ = ["GROUPS", "LESSONS", "WATCHES", "Lesson", "LessonEvent", "LessonResult", "Measured", "RunResult", "Setup",
           "run_lesson"]  # fmt: skip


def __getattr__(name: str):
    if name == "run_lesson":  # the engine (torch) loads on first use, not with the registry
        from playground.lessons.run import run_lesson

        return run_lesson
    raise AttributeError(f"module 'playground.lessons' has no attribute {name!r}")

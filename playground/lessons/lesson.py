"""A lesson: a question, a claim, the runs that show it, and the check that measures it.

Plain data, torch-free: the page lists ``LESSONS`` without loading the engine. Each run setup is a
URL query string (``playground.config.from_query``), so it stays readable and opens as is in the
Playground page; ``run_lesson`` (playground/lessons/run.py) trains it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qsl

from playground.config import ConfigError, RunConfig, from_query
from playground.lessons.results import Measured

GROUPS = ("first steps", "optimisation", "generalisation", "real data")  # the page's sections, in teaching order
WATCHES = ("boundary", "loss", "accuracy", "gradflow", "race", "lr_finder", "confusion")  # the chart to show large


@dataclass(frozen=True)
class Setup:
    label: str  # names the run in the sentence and the legend
    query: str  # RunConfig fields as a URL query string; the lesson's seed replaces any seed here
    lr_change: tuple[int, float] | None = None  # (epoch, lr): after that epoch the lr changes, as the live control does
    lr_from_finder: bool = False  # train at the LR range test's suggestion instead of the query's lr

    def config(self, seed: int = 0) -> RunConfig:
        """The RunConfig of this setup with ``seed``; a bad value raises ConfigError (a bug in the lesson)."""
        cfg, warnings = from_query(dict(parse_qsl(self.query, strict_parsing=True)))
        if warnings:
            raise ConfigError(f"lesson setup {self.label!r}: {'; '.join(warnings)}")
        return cfg.replace(seed=seed)


Check = Callable[[Measured], tuple[bool, str]]  # the runs' results -> (claim held, measured sentence)


@dataclass(frozen=True)
class Lesson:
    id: str  # URL-safe: /lessons?lesson=<id>
    title: str
    group: str  # one of GROUPS
    question: str  # asked before the runs, so the class predicts first
    claim: str  # revealed after the runs
    watch: str  # one of WATCHES: the chart to show large
    check: Check
    setups: tuple[Setup, ...] = ()  # trained one after another, in this order
    race: str | None = None  # a playground.race.PRESETS key, raced after the setups
    measured: str = ""  # what tests/lessons measured over seeds 0-4, for the closing note and the curious

    def named_fields(self) -> tuple[str, ...]:
        """The RunConfig fields the lesson's setups set (seed aside, which the lesson picks), in first-seen
        order: the controls a presenter's link keeps on screen."""
        names: list[str] = []
        for setup in self.setups:
            for name, _ in parse_qsl(setup.query, strict_parsing=True):
                if name != "seed" and name not in names:
                    names.append(name)
        return tuple(names)

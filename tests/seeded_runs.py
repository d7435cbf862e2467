"""Stored runs for the Compare page's tests: tiny seeded spiral runs trained in-process into a given store.

    seed_runs(url, {"cmp-sgd": TINY.replace(optimizer="sgd"), "cmp-adam": TINY.replace(optimizer="adam")})

Ids are given (a link names them), and so are the created times (oldest first, one minute apart):
a screenshot of the runs table must not show the minute the test ran.
"""
from __future__ import annotations

from typing import Mapping

from sqlalchemy import update

from playground.callbacks import standard_callbacks
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.store import RunRecorder, open_store
from playground.store import schema as s
from playground.trainer import Trainer

TINY = RunConfig(dataset="spiral", n_samples=150, epochs=20, layers=parse_layers("16:relu"), seed=0)
CREATED = 1_767_268_800.0  # 2026-01-01 12:00 UTC: the first seeded run's created time


def seed_runs(url: str, configs: Mapping[str, RunConfig], source: str = "cli") -> None:
    """Train each config (in order) and record it under its id in the store at ``url``."""
    for run_id, cfg in configs.items():
        recorder = RunRecorder(url, run_id=run_id, source=source, interval=0.05)
        Trainer(cfg, prepare(cfg), [*standard_callbacks(cfg), recorder]).fit()
        if recorder.error is not None:
            raise recorder.error
    with open_store(url) as store, store.engine.begin() as conn:
        for i, run_id in enumerate(configs):
            conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(created=CREATED + 60 * i))

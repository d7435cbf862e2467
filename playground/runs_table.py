"""Stored runs as tables: the runs table's rows (the settings that tell them apart as columns) and CSV exports.

    frame = runs_frame(runs)                       # one row per RunRecord, in the order given
    text = histories_csv(runs, histories)         # per-epoch rows of several runs, one CSV

Pure pandas (no streamlit, no torch): the Playground page and the Compare page draw these.
"""
from __future__ import annotations

import math
from typing import Sequence

import pandas as pd

from playground.config import RunConfig
from playground.config_diff import differing_fields, effective_value
from playground.store import RunHistory, RunRecord

MAX_DIFF_COLUMNS = 6  # the differing fields shown as columns; more would push the scores off a projector
FIXED = ("label", "dataset")
SCORES = ("val accuracy", "test accuracy")
TAIL = ("epochs", "status", "seconds")


def configs(runs: Sequence[RunRecord]) -> list[RunConfig]:
    return [run.config()[0] for run in runs]


def diff_columns(runs: Sequence[RunRecord]) -> tuple[str, ...]:
    """The fields whose values differ between ``runs`` (``dataset`` has a column of its own), at most MAX_DIFF_COLUMNS."""
    return tuple(f for f in differing_fields(configs(runs)) if f != "dataset")[:MAX_DIFF_COLUMNS]


def runs_frame(runs: Sequence[RunRecord]) -> pd.DataFrame:
    """label, dataset, the differing fields, val/test accuracy (NaN when unknown), epochs, status, seconds of training."""
    cfgs, diff = configs(runs), diff_columns(runs)
    rows = []
    for run, cfg in zip(runs, cfgs):
        rows.append({
            "label": run.label, "dataset": cfg.dataset, **{name: effective_value(cfg, name) for name in diff},
            "val accuracy": _score(run.val), "test accuracy": _score(run.test), "epochs": run.epochs,
            "status": run.status, "seconds": run.seconds if run.seconds is not None else math.nan,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=[*FIXED, *diff, *SCORES, *TAIL])


def histories_csv(runs: Sequence[RunRecord], histories: Sequence[RunHistory]) -> str:
    """One row per (run, epoch): run id, label, then the History columns (empty where not validated)."""
    frames = [
        pd.DataFrame({"run_id": run.id, "label": run.label, **{k: v for k, v in history.arrays.items()}})
        for run, history in zip(runs, histories)
    ]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run_id", "label"])
    if "epoch" in frame:
        frame["epoch"] = frame["epoch"].astype("int64")
    return frame.to_csv(index=False)


def _score(scores) -> float:
    return scores.accuracy if scores is not None else math.nan

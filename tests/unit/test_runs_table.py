"""runs_frame / histories_csv and the overlay figures: rows and traces of stored runs, named by what differs."""
import io
import math
from datetime import datetime, timezone
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from playground.config import RunConfig, to_query
from playground.runs_table import MAX_DIFF_COLUMNS, histories_csv, runs_frame
from playground.store import RunHistory, RunRecord, Scores
from playground.store.schema import HISTORY_KEYS

NOW = datetime(2026, 11, 29, tzinfo=timezone.utc)


def record(cfg: RunConfig, run_id: str, val: float | None = 0.9, status: str = "finished") -> RunRecord:
    scores = Scores(0.3, val, val) if val is not None else None
    return RunRecord(id=run_id, label=f"run {run_id}", status=status, message="", query=urlencode(to_query(cfg)),
                     session=None, source="cli", study=None, created=NOW, updated=NOW, finished=NOW, epochs=3,
                     train=scores, val=scores, test=scores, confusion=None, class_names=("a", "b"), seconds=1.5,
                     samples_per_second=100.0, has_weights=val is not None)  # fmt: skip


def history(run_id: str, loss: list[float], val_every: int = 1) -> RunHistory:
    n = len(loss)
    arrays = {k: np.full(n, np.nan) for k in HISTORY_KEYS}
    arrays.update(epoch=np.arange(1, n + 1, dtype=float), loss=np.array(loss), accuracy=np.linspace(0.5, 0.9, n))
    validated = np.arange(n) % val_every == 0
    arrays["val_loss"] = np.where(validated, np.array(loss) + 0.1, np.nan)
    arrays["val_accuracy"] = np.where(validated, 0.8, np.nan)
    return RunHistory(run_id, arrays)


A, B = RunConfig(), RunConfig(optimizer="sgd")


def test_the_frame_has_a_column_per_differing_field_and_nan_for_unknown_scores():
    frame = runs_frame([record(A, "a"), record(B, "b", val=None, status="diverged")])
    assert list(frame.columns) == ["label", "dataset", "optimizer", "val accuracy", "test accuracy", "epochs",
                                   "status", "seconds"]  # fmt: skip
    assert list(frame["optimizer"]) == ["adam", "sgd"] and math.isnan(frame["test accuracy"][1])


def test_diff_columns_are_capped_so_the_scores_stay_on_screen():
    many = RunConfig(optimizer="sgd", lr=0.1, epochs=7, batch_size=8, seed=3, weight_decay=0.01, l1=0.001, patience=2)
    frame = runs_frame([record(A, "a"), record(many, "b")])
    assert len(frame.columns) == 2 + MAX_DIFF_COLUMNS + 2 + 3


def test_csv_has_one_row_per_run_and_epoch_with_blanks_where_not_validated():
    runs = [record(A, "a"), record(B, "b")]
    text = histories_csv(runs, [history("a", [1.0, 0.5, 0.2], val_every=2), history("b", [1.0, 0.9])])
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame["run_id"]) == ["a", "a", "a", "b", "b"] and list(frame["epoch"]) == [1, 2, 3, 1, 2]
    assert frame["val_loss"].isna().tolist() == [False, True, False, False, False]

"""Local-file-or-OpenML loading for the UCI sets.

Order: ``$PLAYGROUND_DATA_DIR/<file>.csv`` if present, else ``fetch_openml`` (cached in
``$PLAYGROUND_CACHE_DIR``, default ``~/.cache/playground``). If both fail, DatasetUnavailable
names the file to place and where.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas loads when a CSV is read, not with the registry
    import pandas as pd


class DatasetUnavailable(RuntimeError):
    """The data could not be read locally nor downloaded; the message says what to place where."""


def data_dir() -> Path | None:
    value = os.environ.get("PLAYGROUND_DATA_DIR")
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    return Path(os.environ.get("PLAYGROUND_CACHE_DIR", "~/.cache/playground")).expanduser()


def read_csv_or_openml(filename: str, openml_id: int, title: str, shape_hint: str) -> pd.DataFrame:
    """Rows as a DataFrame whose last column is the label (as read: text or number)."""
    local = data_dir() / filename if data_dir() else None
    if local is not None and local.is_file():
        return _read_headerless_csv(local)
    try:
        from sklearn.datasets import fetch_openml

        bunch = fetch_openml(data_id=openml_id, as_frame=True, data_home=str(cache_dir()), n_retries=1, delay=0.5)
    except Exception as err:  # offline, blocked, or the service changed
        where = f"PLAYGROUND_DATA_DIR={data_dir()}" if data_dir() else "the folder named by $PLAYGROUND_DATA_DIR"
        raise DatasetUnavailable(
            f"{title} is not available: no local file and the download failed ({type(err).__name__}). "
            f"Place {filename} ({shape_hint}) in {where} and reload."
        ) from err
    frame = bunch.frame.copy()
    target = bunch.target.name if hasattr(bunch.target, "name") else frame.columns[-1]
    return frame[[c for c in frame.columns if c != target] + [target]]


def _read_headerless_csv(path: Path) -> pd.DataFrame:
    import pandas as pd

    frame = pd.read_csv(path, header=None, sep=None, engine="python")
    first = frame.iloc[0, :-1]
    if pd.to_numeric(first, errors="coerce").isna().any():  # a header row after all
        frame = pd.read_csv(path, sep=None, engine="python")
    return frame


def to_xy(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Features as float32 and labels encoded 0..K-1 in sorted order; returns the label names too."""
    import pandas as pd

    X = frame.iloc[:, :-1].apply(pd.to_numeric, errors="coerce").to_numpy(np.float32)
    labels = frame.iloc[:, -1].astype(str).str.strip()
    numeric = pd.to_numeric(labels, errors="coerce")
    if numeric.notna().all():  # sort 3 < 10 numerically, not as text
        labels = numeric.map(lambda v: f"{v:g}")
        names = [f"{v:g}" for v in sorted(numeric.unique())]
    else:
        names = sorted(labels.unique())
    y = labels.map({n: i for i, n in enumerate(names)}).to_numpy(np.int64)
    return X, y, names

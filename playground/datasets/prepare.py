"""Load a dataset for a config, then split (stratified) and scale it, fitted on train only."""
from __future__ import annotations

import numpy as np

from playground.config import check_split_sizes
from playground.datasets.crosses import with_crosses
from playground.datasets.registry import DATASETS
from playground.datasets.scaler import Scaler
from playground.datasets.splits import Dataset, Splits


def load_dataset(cfg) -> Dataset:
    """Raises DatasetUnavailable when a real set is neither on disk nor downloadable."""
    info = DATASETS[cfg.dataset]
    X, y, features, classes = info.load(cfg)
    if cfg.regression:  # a number per row: no classes (y float32)
        classes = []
    elif classes is None:  # generated sets
        classes = [f"class {c}" for c in range(int(y.max()) + 1)]
    return Dataset(cfg.dataset, X, y, list(features), list(classes), info.kind)


def split_and_scale(ds: Dataset, cfg) -> Splits:
    """Stratified train/val/test split seeded by cfg.seed; imputer and scaler fitted on train; then a 2-D set's
    feature crosses (``cfg.crosses``) computed from the scaled coordinates.

    Regression: a plain (unstratified) split, and with ``target_scaling == "minmax"`` the target's
    train min and range in ``Splits.y_offset`` / ``y_scale`` (the y arrays stay on the original scale)."""
    # sklearn is imported here, not at the top: the package stays importable without it (the
    # app's training process receives prepared Splits and never loads sklearn)
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

    check_split_sizes(cfg, len(ds.y), max(1, ds.n_classes))  # ConfigError naming the field, not scikit-learn's
    idx = np.arange(len(ds.y))
    strata = None if ds.regression else ds.y
    rest, test = train_test_split(idx, test_size=cfg.test_split, random_state=cfg.seed, stratify=strata)
    val_fraction = cfg.val_split / (1 - cfg.test_split)
    train, val = train_test_split(rest, test_size=val_fraction, random_state=cfg.seed,
                                  stratify=None if strata is None else strata[rest])
    steps, notes = [], []
    if np.isnan(ds.X).any():
        steps.append(SimpleImputer(strategy="median"))
        missing = int(np.isnan(ds.X).any(axis=0).sum())
        notes.append(f"{missing} feature(s) had missing values; filled with the training-set median.")
    steps.append({"standard": StandardScaler(), "minmax": MinMaxScaler(), "none": FunctionTransformer()}[cfg.scaling])
    pipe = make_pipeline(*steps).fit(ds.X[train])
    out = lambda rows: with_crosses(pipe.transform(ds.X[rows]), cfg.crosses)  # noqa: E731  (n, d + crosses) float32
    offset, scale = _target_scale(ds.y[train], cfg) if ds.regression else (0.0, 1.0)
    return Splits(out(train), ds.y[train], out(val), ds.y[val], out(test), ds.y[test], ds, tuple(notes), offset, scale,
                  scaler=Scaler.of(pipe), crosses=cfg.crosses)


def _target_scale(y_train: np.ndarray, cfg) -> tuple[float, float]:
    """(offset, scale) with the training target (y - offset) / scale: [0, 1] on train for minmax."""
    if cfg.target_scaling != "minmax":
        return 0.0, 1.0
    low, high = float(y_train.min()), float(y_train.max())
    return low, (high - low) or 1.0


def prepare(cfg) -> Splits:
    return split_and_scale(load_dataset(cfg), cfg)

"""Datasets: generators, real-set shapes, Pima missing modes, stratified splits, train-only scaling."""
import os
from pathlib import Path

import numpy as np
import pytest

from playground.config import ConfigError, RunConfig
from playground.datasets import DATASETS, Dataset, DatasetUnavailable, load_dataset, prepare, split_and_scale
from playground.datasets import toy


DATA_DIR = Path(os.environ["PLAYGROUND_DATA_DIR"])  # the real data files (tests/conftest.py), before any test moves it


def rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- generated 2-D sets


@pytest.mark.parametrize("n, classes", [(50, 2), (100, 3), (37, 5)])
def test_spiral_shape_labels_and_radius(n, classes):
    X, y = toy.spiral(n, classes, 0.3, rng())
    assert X.shape == (n * classes, 2) and X.dtype == np.float32
    assert y.dtype == np.int64
    assert np.array_equal(np.bincount(y), np.full(classes, n))  # labels 0..C-1, N rows each
    radius = np.linalg.norm(X, axis=1)
    assert radius.max() <= 1 + 1e-6  # the noise jitters the angle, never the radius t in [0, 1]
    for c in range(classes):
        np.testing.assert_allclose(radius[y == c], np.linspace(0, 1, n), atol=1e-6)


def test_spiral_noise_moves_points_and_seed_reproduces():
    clean, _ = toy.spiral(100, 3, 0.0, rng())
    noisy, _ = toy.spiral(100, 3, 0.5, rng())
    assert not np.allclose(clean, noisy)
    assert np.array_equal(toy.spiral(100, 3, 0.5, rng(1))[0], toy.spiral(100, 3, 0.5, rng(1))[0])
    assert not np.array_equal(toy.spiral(100, 3, 0.5, rng(1))[0], toy.spiral(100, 3, 0.5, rng(2))[0])


@pytest.mark.parametrize("name, classes", [("circles", 2), ("blobs", 4), ("spiral", 4)])
def test_generated_sets_shapes_and_balanced_labels(name, classes):
    ds = load_dataset(RunConfig(dataset=name, n_samples=60, classes=4, noise=0.1))
    assert ds.X.shape == (60 * classes, 2) and ds.kind == "2d"
    assert ds.n_classes == classes
    assert np.array_equal(ds.class_counts, np.full(classes, 60))


def test_xor_has_two_n_points_in_random_quadrants():
    ds = load_dataset(RunConfig(dataset="xor", n_samples=60, noise=0.1))
    assert ds.X.shape == (120, 2) and ds.n_classes == 2
    assert 30 < ds.class_counts[0] < 90  # uniform over the square: about half each, not exactly


def test_circles_and_xor_labels_follow_their_rule():
    X, y = toy.circles(200, 2, 0.0, rng())
    r = np.linalg.norm(X, axis=1)
    outer = int(r[y == 0].mean() < r[y == 1].mean())  # which label is the ring is a display choice
    assert np.allclose(r[y == outer], 1, atol=1e-5) and np.allclose(r[y == 1 - outer], 0.5, atol=1e-5)
    X, y = toy.xor(200, 2, 0.0, rng())
    assert np.array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))


# ---------------------------------------------------------------- real sets


@pytest.mark.parametrize(
    "name, shape, classes",
    [("wine", (178, 13), 3), ("wine_quality", (1599, 11), 6), ("ionosphere", (351, 34), 2), ("pima", (768, 8), 2)],
)
def test_real_set_shapes(name, shape, classes):
    ds = load_dataset(RunConfig(dataset=name))
    assert ds.X.shape == shape and ds.X.dtype == np.float32
    assert ds.n_classes == classes and len(ds.class_names) == classes
    assert set(np.unique(ds.y)) == set(range(classes))
    assert len(ds.feature_names) == shape[1]


def test_pima_labels_and_zero_means_missing():
    ds = load_dataset(RunConfig(dataset="pima"))
    assert ds.class_counts.tolist() == [500, 268]
    glucose = ds.feature_names.index("glucose")
    assert np.isnan(ds.X[:, glucose]).sum() == 5  # the 5 zero glucose readings
    assert not np.isnan(ds.X[:, ds.feature_names.index("pregnancies")]).any()  # zero pregnancies is real


def test_pima_drop_modes_row_counts():
    rows = load_dataset(RunConfig(dataset="pima", pima_missing="drop_rows"))
    assert rows.X.shape == (392, 8) and not np.isnan(rows.X).any()
    cols = load_dataset(RunConfig(dataset="pima", pima_missing="drop_columns"))
    assert cols.X.shape == (724, 6) and not np.isnan(cols.X).any()
    assert "insulin" not in cols.feature_names and "skin_thickness" not in cols.feature_names


def with_row_index(ds: Dataset) -> Dataset:
    """The dataset plus a last column holding each row's index: it tells which raw rows landed in which split."""
    X = np.column_stack([ds.X, np.arange(len(ds.y))]).astype(np.float32)
    return Dataset(ds.name, X, ds.y, ds.feature_names + ["row"], ds.class_names, ds.kind)


def test_pima_median_imputes_from_the_train_split_only():
    cfg = RunConfig(dataset="pima", scaling="none")
    ds = load_dataset(cfg)
    tagged = with_row_index(ds)
    splits = split_and_scale(tagged, cfg)
    assert any("median" in note for note in splits.notes)
    train_rows = splits.X_train[:, -1].astype(int)
    for X in (splits.X_train, splits.X_val, splits.X_test):
        assert not np.isnan(X).any()
        rows = X[:, -1].astype(int)
        for j in range(8):
            missing = np.isnan(ds.X[rows, j])
            if missing.any():
                expected = np.nanmedian(ds.X[train_rows, j])
                np.testing.assert_allclose(X[missing, j], expected)
            np.testing.assert_array_equal(X[~missing, j], ds.X[rows[~missing], j])  # measured values untouched


def test_mnist_subset():
    ds = load_dataset(RunConfig(dataset="mnist"))
    assert ds.X.shape == (5000, 784) and ds.kind == "image"
    assert ds.X.min() >= 0 and ds.X.max() <= 1 and ds.X.max() > 0.99
    assert ds.class_counts.tolist() == [500] * 10


def test_registry_entries_are_complete():
    for name, info in DATASETS.items():
        assert info.kind in ("2d", "tabular", "image"), name
        assert info.title and info.about
        assert set(info.uses) <= set(RunConfig.__dataclass_fields__)


# ---------------------------------------------------------------- splits and scaling


def test_split_fractions():
    cfg = RunConfig(n_samples=500, classes=3, val_split=0.2, test_split=0.1)  # 1500 rows
    s = prepare(cfg)
    assert (len(s.y_train), len(s.y_val), len(s.y_test)) == (1050, 300, 150)
    assert s.X_train.dtype == np.float32 and s.y_train.dtype == np.int64


def test_splits_are_stratified_and_partition_the_rows():
    cfg = RunConfig(dataset="wine_quality", scaling="none")
    ds = load_dataset(cfg)
    tagged = with_row_index(ds)
    s = split_and_scale(tagged, cfg)
    share = ds.class_counts / len(ds.y)
    for y in (s.y_train, s.y_val, s.y_test):
        counts = np.bincount(y, minlength=ds.n_classes)
        assert np.all(np.abs(counts - share * len(y)) <= 1.5), counts  # even the 10-row class is spread
    rows = np.concatenate([s.X_train[:, -1], s.X_val[:, -1], s.X_test[:, -1]]).astype(int)
    assert np.array_equal(np.sort(rows), np.arange(len(ds.y)))  # every row in exactly one split
    np.testing.assert_array_equal(s.y_test, ds.y[s.X_test[:, -1].astype(int)])


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"val_split": 1e-300}, "val_split == 1e-300 holds out 1 of 3,000 rows, must hold out at least one per class (3)"),
        ({"test_split": 1e-300}, "test_split == 1e-300 holds out 1 of 3,000 rows, must hold out at least one per class (3)"),
        ({"dataset": "wine", "val_split": 0.01}, "val_split == 0.01 holds out 2 of 178 rows"),
        ({"n_samples": 10, "classes": 10, "val_split": 0.05}, "val_split == 0.05 holds out 5 of 100 rows"),
    ],
)
def test_a_split_too_small_for_every_class_names_the_field(changes, message):
    # scikit-learn's stratified split raised "The test_size = 1 should be greater or equal to the number of classes"
    with pytest.raises(ConfigError) as info:
        prepare(RunConfig(**changes))
    assert str(info.value).startswith(message)
    s = prepare(RunConfig(dataset="wine", val_split=0.02))  # the smallest part that still fits: 4 rows, 3 classes
    assert len(s.y_val) == 4 and len(set(s.y_val.tolist())) == 3


def test_split_depends_on_seed():
    a, b = prepare(RunConfig(n_samples=100, seed=0)), prepare(RunConfig(n_samples=100, seed=1))
    assert not np.array_equal(a.X_test, b.X_test)
    assert np.array_equal(a.X_test, prepare(RunConfig(n_samples=100, seed=0)).X_test)


def test_standard_scaler_is_fitted_on_train_only():
    s = prepare(RunConfig(dataset="wine"))
    np.testing.assert_allclose(s.X_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(s.X_train.std(axis=0), 1, atol=1e-4)
    assert np.abs(s.X_val.mean(axis=0)).max() > 1e-3  # val was transformed, not refitted
    assert np.abs(s.X_test.mean(axis=0)).max() > 1e-3


def test_minmax_and_none_scaling():
    s = prepare(RunConfig(dataset="wine", scaling="minmax"))
    np.testing.assert_allclose(s.X_train.min(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(s.X_train.max(axis=0), 1, atol=1e-6)
    raw = load_dataset(RunConfig(dataset="wine"))
    s = prepare(RunConfig(dataset="wine", scaling="none"))
    together = np.concatenate([s.X_train, s.X_val, s.X_test])
    np.testing.assert_array_equal(np.sort(together, axis=0), np.sort(raw.X, axis=0))  # values untouched


# ---------------------------------------------------------------- missing data files


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """An empty data dir and an OpenML that fails at once (no network wait)."""
    import sklearn.datasets

    def refuse(*args, **kwargs):
        raise OSError("offline (test)")

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", refuse)
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PLAYGROUND_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.mark.parametrize("name, filename", [("ionosphere", "ionosphere.csv"), ("pima", "pima-indians-diabetes.csv"),
                                            ("wine_quality", "winequality-red.csv")])  # fmt: skip
def test_unavailable_message_names_the_file_and_folder(offline, name, filename):
    with pytest.raises(DatasetUnavailable) as info:
        load_dataset(RunConfig(dataset=name))
    assert filename in str(info.value) and str(offline) in str(info.value)
    assert "OSError" in str(info.value)


def test_local_file_is_used_without_openml(offline):
    (offline / "ionosphere.csv").write_bytes((DATA_DIR / "ionosphere.csv").read_bytes())
    assert load_dataset(RunConfig(dataset="ionosphere")).X.shape == (351, 34)


def test_mnist_full_unavailable_points_to_the_subset(offline):
    with pytest.raises(DatasetUnavailable, match="'mnist' works offline"):
        load_dataset(RunConfig(dataset="mnist_full"))

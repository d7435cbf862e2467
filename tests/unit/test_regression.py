"""Regression tasks (issue 13 §1): planes, losses, metrics against scikit-learn, the trainer, the CLI JSON, figures."""
import json

import numpy as np
import pytest
from scipy.stats import pearsonr
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from playground.cli import main
from playground.config import ConfigError, RunConfig, from_query, parse_layers, to_query
from playground.datasets import prepare
from playground.datasets.planes import gaussians, gaussians_target, plane, plane_target
from playground.metrics_regression import regression_scores

SMALL = dict(n_samples=100, epochs=30, layers=parse_layers("16:tanh"), batch_size=0, lr=0.03)


@pytest.mark.parametrize("make", [plane, gaussians])
def test_planes_shapes_noise_and_seed(make):
    X, y = make(50, 3, 0.0, np.random.default_rng(0))
    assert X.shape == (100, 2) and y.shape == (100,) and X.dtype == y.dtype == np.float32
    assert np.abs(X).max() <= 1
    target = plane_target if make is plane else gaussians_target
    np.testing.assert_allclose(y, target(X.astype(np.float64)), atol=1e-6)  # noise 0: the exact surface
    X2, y2 = make(50, 3, 0.5, np.random.default_rng(0))
    np.testing.assert_array_equal(X, X2)  # noise blurs the target, not the inputs
    assert not np.allclose(y, y2)
    X3, _ = make(50, 3, 0.0, np.random.default_rng(1))
    assert not np.array_equal(X, X3)


def test_metrics_match_sklearn_and_scipy():
    rng = np.random.default_rng(0)
    y = rng.normal(5, 1, 200)
    p = y + rng.normal(0, 0.5, 200)
    s = regression_scores(y, p, train_mean=4.8)
    assert s["mae"] == pytest.approx(mean_absolute_error(y, p))
    assert s["rmse"] == pytest.approx(np.sqrt(mean_squared_error(y, p)))
    assert s["r2"] == pytest.approx(r2_score(y, p))
    assert s["pearson_r"] == pytest.approx(pearsonr(y, p)[0])
    assert s["baseline_mae"] == pytest.approx(np.abs(y - 4.8).mean())
    flat = regression_scores(y, np.full(200, 5.0), 5.0)  # a constant prediction: r undefined, not an error
    assert np.isnan(flat["pearson_r"]) and flat["mae"] == pytest.approx(np.abs(y - 5).mean())
    diverged = regression_scores(y, np.full(200, np.nan), 5.0)
    assert np.isnan(diverged["mae"]) and np.isfinite(diverged["baseline_mae"])


def test_task_config_and_url():
    assert RunConfig(dataset="plane").regression and not RunConfig(dataset="wine_quality").regression
    assert RunConfig(dataset="wine_quality", task="regression").n_outputs(0) == 1
    with pytest.raises(ConfigError, match="task == 'regression' for dataset 'spiral'"):
        RunConfig(task="regression")
    with pytest.raises(ConfigError, match="task == 'classification' for dataset 'gaussians'"):
        RunConfig(dataset="gaussians", task="classification")
    with pytest.raises(ConfigError, match="loss == 'hinge'"):
        RunConfig(loss="hinge")
    cfg = RunConfig(dataset="wine_quality", task="regression", loss="huber", target_scaling="minmax")
    back, warnings = from_query(dict(reversed(list(to_query(cfg).items()))))  # a link's key order does not matter
    assert back == cfg and warnings == []


def test_wine_quality_as_regression_and_target_scaling():
    s = prepare(RunConfig(dataset="wine_quality", task="regression", target_scaling="minmax"))
    assert len(s.y_train) + len(s.y_val) + len(s.y_test) == 1599 and s.n_features == 11 and s.n_classes == 0
    assert s.y_train.dtype == np.float32 and set(np.unique(s.y_train)) <= {3, 4, 5, 6, 7, 8}
    assert (s.y_offset, s.y_scale) == (s.y_train.min(), s.y_train.max() - s.y_train.min())


def _fit(**changes):
    from playground.callbacks import standard_callbacks
    from playground.trainer import Trainer

    cfg = RunConfig(**{"dataset": "gaussians", **SMALL, **changes})
    trainer = Trainer(cfg, prepare(cfg), standard_callbacks(cfg))
    first = trainer.train_epoch()
    return trainer, first, trainer.fit()


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_each_loss_trains_down(loss):
    trainer, first, test = _fit(loss=loss, dataset="plane")
    history = next(cb for cb in trainer.callbacks if hasattr(cb, "as_arrays")).as_arrays()
    assert history["loss"][-1] < 0.5 * first["loss"]
    assert "accuracy" not in first and first["mae"] > 0 and "val_mae" in first and "val_confusion" not in first
    assert first["val_baseline_mae"] == pytest.approx(test.baseline_mae, rel=0.5)  # val vs test split of one plane
    assert test.mae < test.baseline_mae and test.r2 > 0.5


def test_minmax_scaling_reports_the_original_scale():
    cfg = dict(dataset="wine_quality", task="regression", epochs=15, batch_size=64, lr=0.003)
    trainer, _, test = _fit(**cfg, target_scaling="minmax")
    assert float(trainer.data["train"][1].min()) == 0 and float(trainer.data["train"][1].max()) == 1
    assert test.y_true.min() >= 3 and 3 < test.y_pred.mean() < 8  # predictions back on the 3-8 scale
    assert test.mae == pytest.approx(np.abs(test.y_true - test.y_pred).mean(), rel=1e-5)
    assert test.mae < test.baseline_mae
    assert test.target_scale == trainer.splits.y_scale == 5.0  # quality 3-8 on train


def test_regression_json_keys(capsys):
    flags = ["train", "--dataset", "plane", "--n-samples", "60", "--epochs", "5", "--layers", "8:tanh", "--loss", "huber"]
    assert main([*flags, "--json", "--no-record"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert "test_mae_scaled" not in r  # no target scaling: one scale
    assert main([*flags, "--target-scaling", "minmax", "--json", "--no-record"]) == 0
    scaled = json.loads(capsys.readouterr().out)
    assert 0 < scaled["test_mae_scaled"] < scaled["test_mae"]  # plane targets span ~2: the [0, 1] MAE is about half
    assert {"val_mae", "test_mae", "test_rmse", "test_r2", "test_pearson_r", "baseline_mae"} <= set(r)
    assert not {k for k in r if "accuracy" in k or k in ("confusion_matrix", "test_recall", "class_names")}
    assert r["config"]["loss"] == "huber" and r["n_params"] == 2 * 8 + 8 + 8 + 1
    assert main(["train", "--dataset", "wine_quality", "--task", "regression", "--epochs", "2"]) == 0  # recorded
    assert "from always predicting the training mean" in capsys.readouterr().out
    assert main(["runs", "--json", "--limit", "1"]) == 0
    stored = json.loads(capsys.readouterr().out)
    stored = stored[0] if isinstance(stored, list) else stored["runs"][0]
    assert "task=regression" in stored["query"] and stored["status"] == "finished"
    assert stored["metrics"]["test_loss"] > 0 and stored["metrics"]["test_accuracy"] is None  # no accuracy column value


def test_figures():
    from playground.figures.regression import predicted_actual_figure, residual_figure

    y = np.linspace(3, 8, 50)
    fig = predicted_actual_figure(y, y + 0.5)
    assert [t.type for t in fig.data] == ["scatter", "scatter"] and list(fig.data[1].x) == list(fig.data[1].y)
    from playground.figures.regression import mae_figure

    curves = mae_figure({"epoch": np.arange(1.0, 4.0), "mae": np.ones(3), "val_mae": np.array([1.0, np.nan, 0.8]),
                         "val_baseline_mae": np.array([1.2, np.nan, 1.2])})  # fmt: skip
    assert [t.name for t in curves.data] == ["train", "validation", "mean predictor"] and list(curves.data[2].y) == [1.2, 1.2]
    hist = residual_figure(y, y + 0.5)
    assert hist.data[0].y.sum() == 50 and hist.data[0].x[hist.data[0].y.argmax()] == pytest.approx(0.5, abs=0.1)


def test_surface_figure():
    """The boundary grid of a regression run is its prediction surface (R, R, 1), drawn as a heatmap."""
    from playground.boundary import make_plane, sample_points
    from playground.figures.regression import surface_figure
    from playground.snapshot import BoundaryGrid, PlanePoints

    trainer, _, _ = _fit(epochs=2)
    s, plane_ = trainer.splits, make_plane(trainer.splits.X_train, resolution=20)
    proba = trainer.predict_proba(plane_.features)  # (R*R, 1): predictions, not probabilities
    assert proba.shape == (len(plane_.ys) * len(plane_.xs), 1)
    points = PlanePoints(sample_points(s.X_train, s.y_train, plane_), sample_points(s.X_test, s.y_test, plane_))
    grid = BoundaryGrid(plane_.xs, plane_.ys, proba.reshape(len(plane_.ys), len(plane_.xs), 1), points)
    fig = surface_figure(grid)
    assert fig.data[0].type == "heatmap" and np.asarray(fig.data[0].z).shape == (len(plane_.ys), len(plane_.xs))
    assert len(fig.data[1].x) == len(s.y_train)


def test_guards_and_diagnostics_work_for_regression():
    """Early stopping, the stall guard, the LR range test, gradient flow and both landscape jobs on a regression run."""
    from playground.callbacks import standard_callbacks
    from playground.diagnostics import diagnostic_callbacks
    from playground.landscape import random_directions_job, trajectory_plane_job
    from playground.lr_finder import lr_range_test
    from playground.status import Status
    from playground.trainer import Trainer

    cfg = RunConfig(dataset="plane", **{**SMALL, "epochs": 40, "patience": 3, "min_delta": 1.0})
    trainer = Trainer(cfg, prepare(cfg), standard_callbacks(cfg) + diagnostic_callbacks(cfg))
    trainer.fit()
    assert trainer.status == Status.EARLY_STOPPED and trainer.epoch < 40  # min_delta 1: no improvement counts
    lr = lr_range_test(trainer, num_steps=30)
    assert lr.suggested_lr is not None and np.isfinite(lr.losses[:5]).all()
    flow = next(cb for cb in trainer.callbacks if hasattr(cb, "snapshot_key") and cb.snapshot_key == "gradflow")
    assert np.isfinite(flow.snapshot().grad_norm).all()
    for job in (random_directions_job(dims=2, resolution=5, rows=100), trajectory_plane_job(resolution=5, rows=100)):
        result = list(job(trainer))[-1].result
        assert np.isfinite(result.loss).all()

    zeros = cfg.replace(init="zeros", layers=parse_layers("8:relu"), patience=0, epochs=20)
    stalled = Trainer(zeros, prepare(zeros), standard_callbacks(zeros))
    stalled.fit()
    assert stalled.status == Status.STALLED

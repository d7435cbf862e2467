"""Feature crosses (issue 12: 2): the columns against numpy's formulas, the fields through the URL and the CLI,
and every path from 2-D points to the model: the splits, the boundary grid, the network graph, a model file.
(The exported script: tests/unit/test_export_script.py; the lesson: tests/lessons; the page: tests/app.)"""
import argparse
import json

import numpy as np
import pytest
import torch

from playground.boundary import plane_of
from playground.cli.flags import add_config_flags, config_from_args
from playground.config import CROSS_FIELDS, FIELDS, RunConfig, from_query, parse_layers, to_query
from playground.datasets import prepare
from playground.datasets.crosses import NAMES, cross_names, with_crosses
from playground.figures.network import network_figure
from playground.model_file import BadModelFile, load_into, model_bytes, read
from playground.stream import boundary_and_graph, boundary_grid, plane_points
from playground.trainer import Trainer

EVERY = CROSS_FIELDS
INPUTS = ["x1", "x2", "x1²", "x2²", "x1·x2", "sin x1", "sin x2"]
CFG = RunConfig(dataset="circles", n_samples=60, layers=parse_layers("8:tanh"), epochs=5, seed=1, **dict.fromkeys(EVERY, True))


def reference(X: np.ndarray, crosses) -> np.ndarray:
    """numpy's own formulas, in float64: x1, x2, then each cross."""
    x1, x2 = X[:, 0].astype(np.float64), X[:, 1].astype(np.float64)
    formulas = {"x1_squared": x1**2, "x2_squared": x2**2, "x1_times_x2": x1 * x2,
                "sin_x1": np.sin(x1), "sin_x2": np.sin(x2)}  # fmt: skip
    return np.column_stack([X, *(formulas[c] for c in crosses)])


@pytest.fixture(scope="module")
def trained() -> Trainer:
    trainer = Trainer(CFG, prepare(CFG))
    trainer.fit()
    return trainer


def test_cross_columns_equal_numpys_formulas():
    X = np.random.default_rng(0).normal(0, 2, size=(50, 2)).astype(np.float32)
    for crosses in (EVERY, ("sin_x2", "x1_squared"), ("x1_times_x2",)):
        out = with_crosses(X, crosses)
        assert out.dtype == np.float32 and out.shape == (50, 2 + len(crosses))
        np.testing.assert_allclose(out, reference(X, crosses), rtol=1e-6, atol=1e-6)
    assert with_crosses(X, ()) is X  # no crosses: the points as they are, not a copy
    assert cross_names(EVERY) == INPUTS[2:] and tuple(NAMES) == CROSS_FIELDS
    assert all(FIELDS[c].type == "bool" and FIELDS[c].default is False for c in EVERY)


def test_crosses_round_trip_through_the_url_and_the_cli():
    cfg = RunConfig(dataset="circles", x1_squared=True, x2_squared=True)
    assert cfg.crosses == ("x1_squared", "x2_squared")
    assert to_query(cfg) == {"dataset": "circles", "x1_squared": "1", "x2_squared": "1"}  # non-defaults only
    assert from_query(to_query(cfg)) == (cfg, [])
    parser = argparse.ArgumentParser()
    add_config_flags(parser)
    args = parser.parse_args(["--dataset", "circles", "--x1-squared", "--x2-squared", "1", "--sin-x1", "0"])
    assert config_from_args(args) == cfg  # a bare flag means 1, as --restore-best
    back, warnings = from_query({"dataset": "circles", "sin_x1": "maybe"})
    assert not back.sin_x1 and warnings[0].startswith("URL parameter sin_x1='maybe' ignored (sin_x1 == 'maybe', must be 0 or 1)")


def test_a_set_that_is_not_2d_ignores_its_crosses():
    # the convention of every dataset-specific field (classes on wine): accepted and kept in the link, no effect
    cfg = RunConfig(dataset="wine", x1_squared=True, sin_x2=True)
    assert cfg.crosses == () and to_query(cfg) == {"dataset": "wine", "x1_squared": "1", "sin_x2": "1"}
    splits = prepare(cfg)
    assert splits.n_features == 13 and splits.crosses == () and not splits.planar
    np.testing.assert_array_equal(splits.X_train, prepare(RunConfig(dataset="wine")).X_train)
    assert RunConfig(dataset="plane", x1_times_x2=True).crosses == ("x1_times_x2",)  # the regression planes are 2-D


def test_the_splits_hold_the_crosses_of_their_scaled_points():
    plain, crossed = prepare(CFG.replace(**dict.fromkeys(EVERY, False))), prepare(CFG)
    for split in ("train", "val", "test"):
        np.testing.assert_allclose(getattr(crossed, f"X_{split}"), reference(getattr(plain, f"X_{split}"), EVERY),
                                   rtol=1e-6, atol=1e-6)  # fmt: skip
    assert crossed.feature_names == INPUTS and crossed.planar and crossed.n_features == 7
    assert plain.feature_names == INPUTS[:2] and plain.planar


def test_the_boundary_is_drawn_over_x1_x2_from_the_grid_and_its_crosses(trained):
    plane = plane_of(trained.splits)
    assert plane.components is None and plane.axis_titles == ("x1", "x2") and plane.grid.shape == (100 * 100, 2)
    boundary, graph = boundary_and_graph(trained, plane, plane_points(trained.splits, plane))
    trained.model.eval()
    with torch.no_grad():  # the reference: numpy's crosses of the grid, one direct forward pass
        direct = trained.proba(trained.model(torch.as_tensor(reference(plane.grid, EVERY), dtype=torch.float32)))
    trained.model.train()
    direct = direct.numpy().reshape(100, 100, -1)
    np.testing.assert_allclose(boundary.proba, direct, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(boundary_grid(trained, plane, boundary.points).proba, direct, rtol=1e-5, atol=1e-6)
    assert boundary.points.train[0].shape[1] == 2  # the points are drawn at their x1, x2
    assert graph.layers[1].maps.shape[:2] == (50, 50)  # unit maps over the x1-x2 plane too


def test_the_graph_shows_the_crosses_as_named_input_nodes(trained):
    plane = plane_of(trained.splits)
    _, graph = boundary_and_graph(trained, plane, plane_points(trained.splits, plane))
    inputs = graph.layers[0]
    assert inputs.size == 7 and list(inputs.labels) == INPUTS and graph.weights[0].shape == (8, 7)
    fig = json.loads(network_figure(graph).to_json())
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert all(name in texts for name in INPUTS)  # each input's name beside its node


def test_a_model_file_with_crosses_loads_back_with_identical_metrics(trained):
    mf = read(model_bytes(trained))
    assert mf.cfg == CFG and mf.cfg.crosses == EVERY and mf.n_features == 7
    again = Trainer(mf.cfg, prepare(mf.cfg))  # the data prepared again from the file's config: crosses and all
    load_into(again, mf)
    for split in ("val", "test"):
        a, b = again.evaluate(split), trained.evaluate(split)
        assert (a.loss, a.accuracy) == (b.loss, b.accuracy)
    plain = CFG.replace(**dict.fromkeys(EVERY, False))
    with pytest.raises(BadModelFile, match=r"takes 7 features \(with x1², x2², x1·x2, sin x1, sin x2\), circles has 2$"):
        load_into(Trainer(plain, prepare(plain)), mf)

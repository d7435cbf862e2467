"""The race page's worker task: the same race and grids as calling the engine directly, in a form that crosses a pipe."""
import os
import pickle

import numpy as np
import pytest
import torch

from playground.figures.race import view_ranges
from playground.race import OptimizerSettings, run_race
from playground.race_task import CONTOUR_POINTS, MESH_POINTS, compute, settings_from_config, warm_up
from playground.surfaces import get_surface, surface_grid

CONFIG = {  # what race_controls.read_config returns
    "surface": "bowl", "params": {"condition": 20.0}, "start": (-3.5, 1.5), "steps": 40,
    "settings": {"sgd": {"lr": 0.05, "knobs": {}, "weight_decay": 0.0},
                 "adam": {"lr": 0.1, "knobs": {"beta1": 0.8, "beta2": 0.99}, "weight_decay": 0.0}},
}  # fmt: skip


def test_settings_from_config():
    assert settings_from_config(CONFIG) == {"sgd": OptimizerSettings(0.05),
                                            "adam": OptimizerSettings(0.1, {"beta1": 0.8, "beta2": 0.99})}  # fmt: skip


def test_compute_is_the_engines_race_with_grids_over_its_view():
    run = compute(CONFIG)
    surface = get_surface("bowl", condition=20.0)
    direct = run_race(surface, settings_from_config(CONFIG), (-3.5, 1.5), 40)
    for name, track in direct.tracks.items():
        np.testing.assert_array_equal(run.result.tracks[name].path, track.path)
    view = view_ranges(direct)
    for grid, n in ((run.contour, CONTOUR_POINTS), (run.mesh, MESH_POINTS)):
        for got, expected in zip(grid, surface_grid(surface, *view, n=n)):
            np.testing.assert_array_equal(got, expected)
    assert run.pid == os.getpid()  # computed here, in this test; the page's runs carry the worker's pid


def test_a_run_survives_the_pipe():
    run = compute(CONFIG)
    back = pickle.loads(pickle.dumps(run))
    np.testing.assert_array_equal(back.contour[2], run.contour[2])
    assert back.result.surface == run.result.surface and back.result.settings == run.result.settings


def test_bad_settings_raise_value_error_naming_the_field():
    bad = {**CONFIG, "settings": {"sgd": {"lr": -1.0, "knobs": {}, "weight_decay": 0.0}}}
    with pytest.raises(ValueError, match=r"lr == -1.0 \(sgd\)"):
        compute(bad)


def test_warm_up_leaves_one_torch_thread():
    before = torch.get_num_threads()
    try:
        warm_up()
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)

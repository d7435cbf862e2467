"""The race engine: shapes, agreement with a plain torch loop, divergence, and every preset's claim."""
import json

import numpy as np
import pytest
import torch

from playground.optim import OPTIMIZERS
from playground.race import (
    PRESETS,
    OptimizerSettings,
    comparable_settings,
    run_race,
    summary,
)
from playground.surfaces import SURFACES, Surface, get_surface, loss_at


def test_every_optimizer_gets_a_full_path_from_the_start():
    s = SURFACES["rosenbrock"]
    result = run_race(s, comparable_settings(s, list(OPTIMIZERS)), (-1.5, 2.0), 40)
    assert list(result.tracks) == list(OPTIMIZERS)
    for name, track in result.tracks.items():
        assert track.path.shape == (41, 2) and track.losses.shape == (41,), name
        assert track.diverged_at is None
        np.testing.assert_array_equal(track.path[0], [-1.5, 2.0])
        np.testing.assert_allclose(track.losses, loss_at(s, track.path), rtol=1e-12)
        assert track.path_length == pytest.approx(np.linalg.norm(np.diff(track.path, axis=0), axis=1).sum())


@pytest.mark.parametrize("name", ["momentum", "adam", "adadelta"])
def test_paths_equal_a_plain_torch_loop(name):
    """The shared forward/backward gives each optimizer exactly its own gradient."""
    s, start, steps = SURFACES["beale"], (1.0, 1.5), 25
    result = run_race(s, comparable_settings(s, list(OPTIMIZERS)), start, steps)  # all 8 share one backward
    p = torch.nn.Parameter(torch.tensor(start, dtype=torch.float64))
    opt = {"momentum": lambda: torch.optim.SGD([p], lr=0.001, momentum=0.9),
           "adam": lambda: torch.optim.Adam([p], lr=0.05),
           "adadelta": lambda: torch.optim.Adadelta([p], lr=5.0, rho=0.9)}[name]()
    expected = [p.detach().clone().numpy()]
    for _ in range(steps):
        opt.zero_grad()
        s(p).backward()
        opt.step()
        expected.append(p.detach().clone().numpy())
    np.testing.assert_array_equal(result.tracks[name].path, np.array(expected))


def test_momentum_beats_sgd_on_the_ill_conditioned_bowl():
    bowl = get_surface("bowl", condition=50.0)
    same = {"sgd": OptimizerSettings(0.036), "momentum": OptimizerSettings(0.036)}  # lr * 50 = 1.8 < 2: both stable
    tracks = run_race(bowl, same, (-3.5, 1.0), 100).tracks
    assert tracks["momentum"].final_loss < tracks["sgd"].final_loss / 10  # ~20x here; the ravine preset has ~2500x


def test_divergence_is_labelled_with_its_step_and_the_others_carry_on():
    bowl = get_surface("bowl", condition=10.0)
    settings = {"sgd": OptimizerSettings(0.3), "adam": OptimizerSettings(0.1), "momentum": OptimizerSettings(0.02)}
    tracks = run_race(bowl, settings, (-3.5, 1.5), 60).tracks
    sgd = tracks["sgd"]
    # y is multiplied by (1 - 0.3 * 10) = -2 per step: 1.5 * 2^k first exceeds 1e6 at k = 20
    assert sgd.diverged_at == 20
    assert len(sgd.path) == 20 and np.abs(sgd.path).max() <= 1e6
    assert abs(sgd.path[-1, 1]) == pytest.approx(1.5 * 2**19)
    for name in ("adam", "momentum"):
        assert tracks[name].diverged_at is None and tracks[name].path.shape == (61, 2)
        assert tracks[name].final_loss < tracks[name].losses[0] / 100


def test_nan_stops_only_that_optimizer():
    def log_bowl(xy):  # NaN once x < 0: log of a negative number
        return torch.log(xy[..., 0]) ** 2 + xy[..., 1] ** 2

    surface = Surface("log", log_bowl, (0.1, 3.0), (-1.0, 1.0), (2.0, 0.5), ((1.0, 0.0),), False, "test")
    settings = {"sgd": OptimizerSettings(3.0), "adam": OptimizerSettings(0.01)}  # sgd jumps to x < 0
    tracks = run_race(surface, settings, (2.0, 0.5), 30).tracks
    assert tracks["sgd"].diverged_at == 1 and len(tracks["sgd"].path) == 1
    assert tracks["adam"].diverged_at is None and np.isfinite(tracks["adam"].losses).all()


def test_comparable_rates_never_diverge_and_scale_with_the_bowl_condition():
    for name, s in SURFACES.items():
        tracks = run_race(s, comparable_settings(s, list(OPTIMIZERS)), s.start, 300).tracks
        assert all(t.diverged_at is None for t in tracks.values()), name
    for condition in (1.0, 100.0, 1000.0):
        bowl = get_surface("bowl", condition=condition)
        settings = comparable_settings(bowl, ["sgd", "adam"])
        assert settings["sgd"].lr * condition == pytest.approx(1.5, rel=1e-2)  # lr * steepest curvature stays 1.5
        assert settings["adam"].lr == 0.1  # adaptive step sizes do not depend on the curvature
        assert run_race(bowl, settings, bowl.start, 200).tracks["sgd"].diverged_at is None


@pytest.mark.parametrize(
    "settings, start, steps, message",
    [
        ({}, (0, 0), 10, r"optimizers == \[\], must name at least one"),
        ({"sgd": OptimizerSettings(0.1)}, (0, 0), 0, r"steps == 0, must be an integer in \[1, 10000\]"),
        ({"sgd": OptimizerSettings(0.0)}, (0, 0), 10, r"lr == 0.0 \(sgd\), must be a finite number > 0"),
        ({"sgd": OptimizerSettings(float("nan"))}, (0, 0), 10, r"lr == nan \(sgd\)"),
        ({"adam": OptimizerSettings(0.1, {"beta1": 1.0})}, (0, 0), 10, r"beta1 == 1.0 \(adam\), must be in \[0, 1\)"),
        ({"lbfgs": OptimizerSettings(0.1)}, (0, 0), 10, r"optimizer == 'lbfgs', must be one of"),
        ({"sgd": OptimizerSettings(0.1)}, (float("inf"), 0), 10, r"start == \(inf, 0.0\), must be two finite numbers"),
        ({"sgd": OptimizerSettings(0.1)}, (1e308, 1e308), 10, r"start == \(1e\+308, 1e\+308\), must have \|x\| and \|y\| <= 1e\+06"),
        ({"nesterov": OptimizerSettings(0.1, {"momentum": 0.0})}, (0, 0), 10, r"momentum == 0.0 \(nesterov\), must be in \(0, 1\)"),
    ],
)
def test_bad_settings_name_the_field_the_value_and_the_limit(settings, start, steps, message):
    with pytest.raises(ValueError, match=message):
        run_race(SURFACES["bowl"], settings, start, steps)


def test_a_start_on_the_bound_runs_and_one_where_the_loss_is_not_finite_is_refused():
    track = run_race(SURFACES["rosenbrock"], {"sgd": OptimizerSettings(0.001)}, (1e6, 1e6), 5).tracks["sgd"]
    assert track.path.shape == (1, 2) and track.diverged_at == 1  # its first step leaves the bounds
    cliff = Surface("cliff", lambda xy: torch.full(xy.shape[:-1], float("inf"), dtype=xy.dtype), (-1.0, 1.0), (-1.0, 1.0),
                    (0.0, 0.0), (), False, "infinite everywhere")  # fmt: skip
    with pytest.raises(ValueError, match=r"start == \(0.0, 0.0\), must be a point where cliff's loss is finite \(it is inf\)"):
        run_race(cliff, {"sgd": OptimizerSettings(0.1)}, (0.0, 0.0), 5)


def test_summary_is_plain_json():
    s = SURFACES["bowl"]
    result = run_race(s, {"sgd": OptimizerSettings(0.3), "adam": OptimizerSettings(0.1)}, s.start, 50)
    report = json.loads(json.dumps(summary(result), allow_nan=False))
    assert report["optimizers"]["sgd"]["diverged_at"] == 20
    assert set(report["optimizers"]["adam"]) >= {"final_point", "final_loss", "path_length", "diverged_at"}


# ---------------------------------------------------------------- every preset shows its claim


def test_ravine_preset_momentum_ends_far_lower_than_sgd():
    tracks = PRESETS["ravine"].run().tracks
    sgd, momentum = tracks["sgd"], tracks["momentum"]
    assert sgd.final_loss > 0.01  # still crawling along the ravine floor: x ~ -0.2 after 150 steps
    assert momentum.final_loss < sgd.final_loss / 1000
    assert np.all(np.sign(sgd.path[1:12, 1]) != np.sign(sgd.path[:11, 1]))  # SGD zigzags across the ravine


def test_saddle_preset_sgd_stays_near_the_saddle_while_the_others_escape():
    tracks = PRESETS["saddle"].run().tracks
    distance = np.linalg.norm(tracks["sgd"].path, axis=1)  # saddle point at the origin
    assert distance[-1] < 0.25
    assert np.abs(tracks["sgd"].path[:, 1]).max() < 0.1  # never left the stable line's neighbourhood
    for name in ("momentum", "adam"):
        assert abs(tracks[name].final_point[1]) > 5, name
        assert tracks[name].diverged_at is None


def test_diverge_preset_labels_the_large_lr_diverged_and_the_small_one_converges():
    result = PRESETS["diverge"].run()
    sgd, momentum = result.tracks["sgd"], result.tracks["momentum"]
    assert result.settings["sgd"].lr > 2 / 10 > result.settings["momentum"].lr  # 2 / steepest curvature
    assert sgd.diverged_at == 34  # |y| grows 1.5x per step from 1.5 and passes 1e6 at step 34
    assert momentum.diverged_at is None and momentum.final_loss < 1e-3


def test_adagrad_preset_step_length_decays_while_rmsprop_keeps_its_pace():
    result = PRESETS["adagrad"].run()
    adagrad, rmsprop = result.tracks["adagrad"].step_lengths, result.tracks["rmsprop"].step_lengths
    windows = adagrad.reshape(5, 30).mean(axis=1)  # 150 steps in 5 windows
    assert np.all(np.diff(windows) < 0)
    assert adagrad[-1] < adagrad[0] / 10
    assert rmsprop[-1] > 3 * adagrad[-1]
    assert rmsprop[-1] == pytest.approx(result.settings["rmsprop"].lr, rel=0.2)  # steady step ~ lr
    grad_start, grad_end = (2 * np.hypot(*result.tracks["adagrad"].path[i]) for i in (0, -1))  # |grad(x^2 - y^2)|
    assert grad_end > grad_start  # the gradient grew; the step shrank anyway

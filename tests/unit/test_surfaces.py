"""Surfaces: values at known points, zero gradient at every known minimum and saddle (torch.autograd)."""
import math

import numpy as np
import pytest
import torch

from playground.surfaces import SURFACES, get_surface, loss_at, surface_grid


def value_and_grad(surface, point):
    p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    loss = surface(p)
    (grad,) = torch.autograd.grad(loss, p)
    return loss.item(), grad.numpy()


@pytest.mark.parametrize(
    "name, point, expected",
    [
        ("bowl", (2.0, 1.0), 0.5 * (4 + 10 * 1)),
        ("rosenbrock", (0.0, 0.0), 1.0),
        ("rosenbrock", (-1.5, 2.0), 2.5**2 + 100 * (2 - 2.25) ** 2),
        ("beale", (0.0, 0.0), 1.5**2 + 2.25**2 + 2.625**2),
        ("himmelblau", (0.0, 0.0), 121 + 49),
        ("saddle", (1.0, 2.0), -3.0),
        ("rastrigin", (1.0, 1.0), 2.0),  # 20 + 2 * (1 - 10 cos 2pi)
        ("rastrigin", (0.5, 0.0), 20 + 0.25 + 10 - 10),
    ],
)
def test_value_at_known_points(name, point, expected):
    assert value_and_grad(SURFACES[name], point)[0] == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", list(SURFACES))
def test_minima_and_saddles_have_zero_gradient(name):
    surface = SURFACES[name]
    for point in surface.minima + surface.saddles:
        loss, grad = value_and_grad(surface, point)
        assert np.abs(grad).max() < 1e-9, f"{name} gradient at {point} is {grad}"
    for point in surface.minima:  # every listed minimum of these surfaces is a global one, loss 0
        assert value_and_grad(surface, point)[0] == pytest.approx(0.0, abs=1e-12)


def test_himmelblau_has_four_minima_and_saddle_has_none():
    assert len(SURFACES["himmelblau"].minima) == 4
    assert SURFACES["saddle"].minima == () and SURFACES["saddle"].saddles == ((0.0, 0.0),)


def test_saddle_point_is_a_saddle_not_a_minimum():
    hessian = torch.autograd.functional.hessian(SURFACES["saddle"], torch.zeros(2, dtype=torch.float64))
    assert sorted(torch.linalg.eigvalsh(hessian).tolist()) == [-2.0, 2.0]


@pytest.mark.parametrize("condition", [1.0, 10.0, 250.0])
def test_bowl_condition_number_is_the_hessian_eigenvalue_ratio(condition):
    bowl = get_surface("bowl", condition=condition)
    hessian = torch.autograd.functional.hessian(bowl, torch.tensor([0.3, -0.7], dtype=torch.float64))
    low, high = torch.linalg.eigvalsh(hessian).tolist()
    assert high / low == pytest.approx(condition)


def test_default_starts_lie_inside_the_plot_range_and_are_not_stationary():
    for name, s in SURFACES.items():
        assert s.x_range[0] <= s.start[0] <= s.x_range[1] and s.y_range[0] <= s.start[1] <= s.y_range[1], name
        assert np.abs(value_and_grad(s, s.start)[1]).max() > 1e-3, name


def test_bad_names_and_params_name_the_field_and_limit():
    with pytest.raises(ValueError, match=r"surface == 'moon', must be one of"):
        get_surface("moon")
    with pytest.raises(ValueError, match=r"condition == 0.5, must be in \[1, 1000\]"):
        get_surface("bowl", condition=0.5)
    with pytest.raises(ValueError, match="condition == 10 is not a parameter of surface 'rosenbrock'"):
        get_surface("rosenbrock", condition=10)


def test_grid_matches_pointwise_evaluation():
    s = SURFACES["beale"]
    xs, ys, z = surface_grid(s, s.x_range, s.y_range, n=7)
    assert z.shape == (7, 7)
    i, j = 2, 5  # z[i, j] is f(xs[j], ys[i])
    assert z[i, j] == pytest.approx(loss_at(s, np.array([xs[j], ys[i]])))
    assert math.isclose(xs[0], s.x_range[0]) and math.isclose(ys[-1], s.y_range[1])

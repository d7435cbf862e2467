"""SURFACES registry: 2-D test functions for the optimizer race.

Each loss takes a tensor ``xy`` of shape (..., 2) and returns shape (...), so one
function serves the optimizer (a single point, autograd) and the plots (a grid).
They are module-level functions, not lambdas, so a Surface pickles (st.cache_data).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

Point = tuple[float, float]


def bowl(xy: torch.Tensor, condition: float = 10.0) -> torch.Tensor:
    """0.5 * (x^2 + condition * y^2): Hessian eigenvalues 1 and ``condition``."""
    x, y = xy[..., 0], xy[..., 1]
    return 0.5 * (x**2 + condition * y**2)


def rosenbrock(xy: torch.Tensor) -> torch.Tensor:
    x, y = xy[..., 0], xy[..., 1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def beale(xy: torch.Tensor) -> torch.Tensor:
    x, y = xy[..., 0], xy[..., 1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def himmelblau(xy: torch.Tensor) -> torch.Tensor:
    x, y = xy[..., 0], xy[..., 1]
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def saddle(xy: torch.Tensor) -> torch.Tensor:
    """x^2 - y^2: x is the stable direction, y the unstable one; unbounded below."""
    x, y = xy[..., 0], xy[..., 1]
    return x**2 - y**2


def rastrigin(xy: torch.Tensor) -> torch.Tensor:
    """20 + sum(v^2 - 10 cos(2 pi v)): a local minimum near every integer point."""
    return 20 + (xy**2 - 10 * torch.cos(2 * math.pi * xy)).sum(-1)


@dataclass(frozen=True)
class Surface:
    name: str
    fn: Callable[..., torch.Tensor]  # (xy (..., 2), **params) -> loss (...)
    x_range: Point  # plot window, and the start sliders' limits
    y_range: Point
    start: Point  # a start that shows the surface's character
    minima: tuple[Point, ...]  # known minima, marked on the plots
    log_scale: bool  # contour of log10(loss): the loss spans many decades and the minimum is 0
    description: str  # one line for the page
    saddles: tuple[Point, ...] = ()  # saddle points, marked as such
    params: dict[str, float] = field(default_factory=dict)  # shape parameters passed to fn

    def __call__(self, xy: torch.Tensor) -> torch.Tensor:
        return self.fn(xy, **self.params)

    def with_params(self, **params: float) -> "Surface":
        """A copy with some shape parameters changed, e.g. ``bowl.with_params(condition=50)``."""
        for name, value in params.items():
            if name not in self.params:
                raise ValueError(f"{name} == {value!r} is not a parameter of surface {self.name!r} (has {list(self.params)})")
            low, high = PARAM_LIMITS[name]
            if not (isinstance(value, (int, float)) and low <= value <= high):
                raise ValueError(f"{name} == {value!r}, must be in [{low:g}, {high:g}]")
        return dataclasses.replace(self, params={**self.params, **params})


PARAM_LIMITS = {"condition": (1.0, 1000.0)}  # largest / smallest curvature of the bowl

SURFACES: dict[str, Surface] = {
    "bowl": Surface(
        "bowl", bowl, (-4.0, 4.0), (-2.0, 2.0), (-3.5, 1.5), ((0.0, 0.0),), True,
        "Ill-conditioned quadratic bowl: one direction is `condition` times steeper than the other.",
        params={"condition": 10.0},
    ),
    "rosenbrock": Surface(
        "rosenbrock", rosenbrock, (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.0), ((1.0, 1.0),), True,
        "Rosenbrock: a curved, flat-bottomed banana valley; finding it is easy, following it is hard.",
    ),
    "beale": Surface(
        "beale", beale, (-4.5, 4.5), (-4.5, 4.5), (1.0, 1.5), ((3.0, 0.5),), True,
        "Beale: flat plateaus and steep walls; the minimum sits in a narrow arm at (3, 0.5).",
    ),
    "himmelblau": Surface(
        "himmelblau", himmelblau, (-5.0, 5.0), (-5.0, 5.0), (-0.5, -0.5),
        (
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644034),
        ),
        True,
        "Himmelblau: four equal minima; which one an optimizer reaches depends on its path.",
    ),
    "saddle": Surface(
        "saddle", saddle, (-2.0, 2.0), (-2.0, 2.0), (1.5, 0.01), (), False,
        "Saddle x² − y²: downhill along y, uphill along x; the gradient vanishes at the saddle point.",
        saddles=((0.0, 0.0),),
    ),
    "rastrigin": Surface(
        "rastrigin", rastrigin, (-5.12, 5.12), (-5.12, 5.12), (3.3, -2.7), ((0.0, 0.0),), False,
        "Rastrigin: a bowl covered in ripples; a local minimum near every integer point, global at (0, 0).",
    ),
}


def get_surface(name: str, **params: float) -> Surface:
    """``SURFACES[name]`` with shape parameters applied; unknown names raise ValueError."""
    if name not in SURFACES:
        raise ValueError(f"surface == {name!r}, must be one of {list(SURFACES)}")
    return SURFACES[name].with_params(**params) if params else SURFACES[name]


def loss_at(surface: Surface, points: np.ndarray) -> np.ndarray:
    """Loss at points (..., 2) -> (...), float64, no autograd."""
    with torch.no_grad():
        return surface(torch.as_tensor(points, dtype=torch.float64)).numpy()


def surface_grid(surface: Surface, x_range: Point, y_range: Point, n: int = 121) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate on an n x n grid: xs (n,), ys (n,), z (n, n) with z[i, j] = f(xs[j], ys[i]) (Plotly's layout)."""
    xs = np.linspace(*x_range, n)
    ys = np.linspace(*y_range, n)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)  # (n, n, 2), [i, j] = (xs[j], ys[i])
    return xs, ys, loss_at(surface, grid)

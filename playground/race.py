"""The optimizer race: real ``torch.optim`` optimizers stepping a 2-D point down a surface.

``run_race`` gives every optimizer its own float64 parameter of shape (2,) and the
same start, steps them independently, and records the path. An optimizer that leaves
the bounds (NaN, inf or |coordinate| > ``bound``) stops there, labelled with the step;
the others carry on. PRESETS are the teaching scenarios; COMPARABLE_LR puts all
optimizers on a comparable footing per surface.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from playground.optim import DEFAULT_KNOBS, OPTIMIZERS, make_optimizer
from playground.surfaces import SURFACES, Point, Surface, get_surface

MAX_STEPS = 10_000  # 8 optimizers x 10k steps is still about a second
DIVERGENCE_BOUND = 1e6  # |coordinate| beyond this counts as diverged (before float64 overflows)


@dataclass(frozen=True)
class OptimizerSettings:
    lr: float  # step size
    knobs: dict[str, float] = field(default_factory=dict)  # momentum / beta1 / beta2 / rho; unset ones use DEFAULT_KNOBS
    weight_decay: float = 0.0  # pull towards the origin (decoupled for adamw)

    def knob(self, name: str) -> float:
        return self.knobs.get(name, DEFAULT_KNOBS[name])


@dataclass(frozen=True)
class Track:
    """One optimizer's run. ``path[k]`` is the point after k steps."""

    path: np.ndarray  # (n + 1, 2): n == steps, or diverged_at - 1 when it diverged
    losses: np.ndarray  # (n + 1,): loss at each point of path
    diverged_at: int | None  # the step whose update left the bounds; None if it never did

    @property
    def final_point(self) -> np.ndarray:
        return self.path[-1]

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def step_lengths(self) -> np.ndarray:
        """(n,): Euclidean length of each step."""
        return np.linalg.norm(np.diff(self.path, axis=0), axis=1)

    @property
    def path_length(self) -> float:
        return float(self.step_lengths.sum())


@dataclass(frozen=True)
class RaceResult:
    surface: Surface
    start: Point
    steps: int
    settings: dict[str, OptimizerSettings]
    tracks: dict[str, Track]  # same keys and order as settings


def validate(settings: dict[str, OptimizerSettings], start: Point, steps: int) -> None:
    """Raise ValueError naming the field, the value and the limit."""
    if not settings:
        raise ValueError("optimizers == [], must name at least one of " + ", ".join(OPTIMIZERS))
    if not (isinstance(steps, int) and 1 <= steps <= MAX_STEPS):
        raise ValueError(f"steps == {steps!r}, must be an integer in [1, {MAX_STEPS}]")
    if len(start) != 2 or not all(math.isfinite(v) for v in start):
        raise ValueError(f"start == {tuple(start)!r}, must be two finite numbers")
    for name, s in settings.items():
        if name not in OPTIMIZERS:
            raise ValueError(f"optimizer == {name!r}, must be one of {list(OPTIMIZERS)}")
        if not (math.isfinite(s.lr) and s.lr > 0):
            raise ValueError(f"lr == {s.lr!r} ({name}), must be a finite number > 0")
        if not (math.isfinite(s.weight_decay) and s.weight_decay >= 0):
            raise ValueError(f"weight_decay == {s.weight_decay!r} ({name}), must be >= 0")
        for knob, value in s.knobs.items():
            if knob not in DEFAULT_KNOBS:
                raise ValueError(f"knob == {knob!r} ({name}), must be one of {list(DEFAULT_KNOBS)}")
            if not (0 <= value < 1):
                raise ValueError(f"{knob} == {value!r} ({name}), must be in [0, 1)")


def run_race(surface: Surface, settings: dict[str, OptimizerSettings], start: Point, steps: int,
             bound: float = DIVERGENCE_BOUND) -> RaceResult:
    """Race every optimizer in ``settings`` from ``start`` for ``steps`` steps.

    Each optimizer owns a float64 parameter of shape (2,). One forward/backward per step serves
    them all: the loss of the stacked points (A, 2) -> (A,) is summed, and since each point's loss
    depends only on that point, each parameter's gradient is exactly its own loss's gradient.
    """
    start = (float(start[0]), float(start[1]))
    validate(settings, start, steps)
    params = {n: torch.nn.Parameter(torch.tensor(start, dtype=torch.float64)) for n in settings}
    optimizers = {n: _make(n, s, params[n]) for n, s in settings.items()}
    paths = {n: np.empty((steps + 1, 2)) for n in settings}
    losses = {n: np.empty(steps + 1) for n in settings}
    diverged: dict[str, int] = {}
    active = list(settings)
    for k in range(steps + 1):
        points = torch.stack([params[n] for n in active])  # (A, 2)
        loss = surface(points)  # (A,)
        xy, values = points.detach().numpy(), loss.detach().numpy()
        ok = np.isfinite(xy).all(1) & (np.abs(xy) <= bound).all(1) & np.isfinite(values)  # (A,)
        for i, n in enumerate(active):
            if ok[i]:
                paths[n][k], losses[n][k] = xy[i], values[i]
            else:
                diverged[n] = k
        if k == steps or not ok.any():
            break
        for n in active:
            optimizers[n].zero_grad()
        loss[torch.from_numpy(ok)].sum().backward()
        active = [n for i, n in enumerate(active) if ok[i]]
        for n in active:
            optimizers[n].step()
    tracks = {}
    for n in settings:
        kept = diverged.get(n, steps + 1)  # points 0 .. kept-1 are inside the bounds
        tracks[n] = Track(paths[n][:kept], losses[n][:kept], diverged.get(n))
    return RaceResult(surface, start, steps, dict(settings), tracks)


def _make(name: str, settings: OptimizerSettings, param: torch.nn.Parameter) -> torch.optim.Optimizer:
    knobs = {k: settings.knob(k) for k in OPTIMIZERS[name].knobs}
    return make_optimizer(name, [param], settings.lr, settings.weight_decay, **knobs)


# ---------------------------------------------------------------- comparable footing

# surface -> optimizer -> lr: each makes steady progress from the surface's default start in a few
# hundred steps without diverging. Roughly: SGD-family lr ~ 1 / (curvature scale); adaptive
# methods move ~lr per step, so their lr is a fraction of the distance to travel.
COMPARABLE_LR: dict[str, dict[str, float]] = {
    "bowl": {"sgd": 0.15, "momentum": 0.03, "nesterov": 0.03, "rmsprop": 0.02, "adagrad": 0.5,
             "adadelta": 5.0, "adam": 0.1, "adamw": 0.1},
    "rosenbrock": {"sgd": 0.001, "momentum": 0.0005, "nesterov": 0.0005, "rmsprop": 0.005, "adagrad": 0.5,
                   "adadelta": 5.0, "adam": 0.05, "adamw": 0.05},
    "beale": {"sgd": 0.005, "momentum": 0.001, "nesterov": 0.001, "rmsprop": 0.005, "adagrad": 0.5,
              "adadelta": 5.0, "adam": 0.05, "adamw": 0.05},
    "himmelblau": {"sgd": 0.005, "momentum": 0.001, "nesterov": 0.001, "rmsprop": 0.02, "adagrad": 0.5,
                   "adadelta": 5.0, "adam": 0.1, "adamw": 0.1},
    "saddle": {"sgd": 0.01, "momentum": 0.01, "nesterov": 0.01, "rmsprop": 0.01, "adagrad": 0.1,
               "adadelta": 1.0, "adam": 0.05, "adamw": 0.05},
    "rastrigin": {"sgd": 0.002, "momentum": 0.001, "nesterov": 0.001, "rmsprop": 0.02, "adagrad": 0.5,
                  "adadelta": 5.0, "adam": 0.1, "adamw": 0.1},
}


def comparable_settings(surface: str, names: list[str] | tuple[str, ...]) -> dict[str, OptimizerSettings]:
    """Default knobs and the surface's comparable learning rate for each optimizer in ``names``."""
    if surface not in COMPARABLE_LR:
        raise ValueError(f"surface == {surface!r}, must be one of {list(COMPARABLE_LR)}")
    return {n: OptimizerSettings(COMPARABLE_LR[surface][n]) for n in names}


# ---------------------------------------------------------------- teaching scenarios


@dataclass(frozen=True)
class Preset:
    title: str  # button label
    claim: str  # what the run shows; tests/unit/test_race.py checks it numerically
    surface: str  # SURFACES key
    settings: dict[str, OptimizerSettings]
    start: Point
    steps: int
    params: dict[str, float] = field(default_factory=dict)  # surface shape parameters

    def run(self) -> RaceResult:
        return run_race(get_surface(self.surface, **self.params), self.settings, self.start, self.steps)


PRESETS: dict[str, Preset] = {}

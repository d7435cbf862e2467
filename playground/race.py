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


def summary(result: RaceResult) -> dict:
    """The JSON report: run setup plus, per optimizer, where it ended and how it got there."""
    return {
        "surface": result.surface.name,
        "params": result.surface.params,
        "start": list(result.start),
        "steps": result.steps,
        "optimizers": {
            name: {
                "lr": result.settings[name].lr,
                "knobs": {k: result.settings[name].knob(k) for k in OPTIMIZERS[name].knobs},
                "weight_decay": result.settings[name].weight_decay,
                "final_point": track.final_point.tolist(),
                "final_loss": track.final_loss,
                "path_length": track.path_length,
                "diverged_at": track.diverged_at,
            }
            for name, track in result.tracks.items()
        },
    }


def validate(settings: dict[str, OptimizerSettings], start: Point, steps: int, bound: float = DIVERGENCE_BOUND) -> None:
    """Raise ValueError naming the field, the value and the limit."""
    if not settings:
        raise ValueError("optimizers == [], must name at least one of " + ", ".join(OPTIMIZERS))
    if not (isinstance(steps, int) and 1 <= steps <= MAX_STEPS):
        raise ValueError(f"steps == {steps!r}, must be an integer in [1, {MAX_STEPS}]")
    if len(start) != 2 or not all(math.isfinite(v) for v in start):
        raise ValueError(f"start == {tuple(start)!r}, must be two finite numbers")
    if not all(abs(v) <= bound for v in start):  # beyond it every optimizer has diverged before its first step
        raise ValueError(f"start == {tuple(start)!r}, must have |x| and |y| <= {bound:g}")
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
        if name == "nesterov" and not s.knob("momentum") > 0:  # torch refuses it: the look-ahead follows the velocity
            raise ValueError(f"momentum == {s.knob('momentum')!r} (nesterov), must be in (0, 1)")


def run_race(surface: Surface, settings: dict[str, OptimizerSettings], start: Point, steps: int,
             bound: float = DIVERGENCE_BOUND) -> RaceResult:
    """Race every optimizer in ``settings`` from ``start`` for ``steps`` steps.

    Each optimizer owns a float64 parameter of shape (2,). One forward/backward per step serves
    them all: the loss of the stacked points (A, 2) -> (A,) is summed, and since each point's loss
    depends only on that point, each parameter's gradient is exactly its own loss's gradient.
    """
    start = (float(start[0]), float(start[1]))
    validate(settings, start, steps, bound)
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
        if k == 0 and not ok.all():  # every optimizer starts here: an empty path has no final point
            raise ValueError(f"start == {start!r}, must be a point where {surface.name}'s loss is finite (it is {values[0]:g})")
        for i, n in enumerate(active):
            if ok[i]:
                paths[n][k], losses[n][k] = xy[i], values[i]
            else:
                diverged[n] = k
        if k == steps or not ok.any():
            break
        for n in active:
            params[n].grad = None  # what optimizer.zero_grad() does, minus its profiler overhead
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

# surface -> optimizer -> lr, picked from a sweep (300 steps from the surface's default start): each
# makes steady progress without diverging. SGD-family methods step lr * gradient, so their lr is
# bounded by ~2 / (largest curvature); adaptive methods step about lr per coordinate, so theirs is a
# fraction of the distance to travel.
COMPARABLE_LR: dict[str, dict[str, float]] = {
    "bowl": {"sgd": 0.15, "momentum": 0.02, "nesterov": 0.02, "rmsprop": 0.02, "adagrad": 0.5,
             "adadelta": 5.0, "adam": 0.1, "adamw": 0.1},  # at condition 10; see comparable_settings
    "rosenbrock": {"sgd": 0.001, "momentum": 0.001, "nesterov": 0.001, "rmsprop": 0.01, "adagrad": 0.5,
                   "adadelta": 10.0, "adam": 0.1, "adamw": 0.1},
    "beale": {"sgd": 0.01, "momentum": 0.001, "nesterov": 0.001, "rmsprop": 0.01, "adagrad": 0.5,
              "adadelta": 5.0, "adam": 0.05, "adamw": 0.05},
    "himmelblau": {"sgd": 0.005, "momentum": 0.001, "nesterov": 0.001, "rmsprop": 0.02, "adagrad": 0.2,
                   "adadelta": 2.0, "adam": 0.05, "adamw": 0.05},
    "saddle": {"sgd": 0.01, "momentum": 0.001, "nesterov": 0.001, "rmsprop": 0.01, "adagrad": 0.1,
               "adadelta": 0.1, "adam": 0.01, "adamw": 0.01},
    "rastrigin": {"sgd": 0.002, "momentum": 0.002, "nesterov": 0.002, "rmsprop": 0.01, "adagrad": 0.2,
                  "adadelta": 1.0, "adam": 0.05, "adamw": 0.05},
}
CURVATURE_BOUND = ("sgd", "momentum", "nesterov")  # lr must shrink as the surface gets steeper
DEFAULT_WEIGHT_DECAY = {"adamw": 0.01}  # torch's AdamW default; without it AdamW == Adam here


def comparable_settings(surface: Surface, names: list[str] | tuple[str, ...]) -> dict[str, OptimizerSettings]:
    """Default knobs and the surface's comparable learning rate for each optimizer in ``names``.

    On the bowl the steep direction's curvature is ``condition``, so SGD-family rates scale with
    (table condition / condition) to keep lr * curvature the same.
    """
    if surface.name not in COMPARABLE_LR:
        raise ValueError(f"surface == {surface.name!r}, must be one of {list(COMPARABLE_LR)}")
    table_condition = SURFACES[surface.name].params.get("condition", 1.0)
    stiffness = surface.params.get("condition", 1.0) / table_condition
    settings = {}
    for name in names:
        lr = COMPARABLE_LR[surface.name][name]
        lr = lr / stiffness if name in CURVATURE_BOUND else lr
        settings[name] = OptimizerSettings(float(f"{lr:.3g}"), weight_decay=DEFAULT_WEIGHT_DECAY.get(name, 0.0))
    return settings


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


def _same_lr(lr: float, *names: str) -> dict[str, OptimizerSettings]:
    return {n: OptimizerSettings(lr) for n in names}


PRESETS: dict[str, Preset] = {
    "ravine": Preset(
        "Momentum escapes the ravine",
        "Bowl with condition 100, same lr 0.019 (lr × steepest curvature = 1.9) for both: SGD zigzags across "
        "the ravine and crawls along it (x shrinks by 1 − lr per step); momentum's velocity builds up along "
        "the floor and ends ~1000× lower after 150 steps.",
        "bowl", _same_lr(0.019, "sgd", "momentum"), (-3.5, 1.0), 150, {"condition": 100.0},
    ),
    "saddle": Preset(
        "SGD stalls on the saddle",
        "Start just off the saddle's stable line (y = 0.01). SGD's step is lr × gradient, and the gradient "
        "vanishes at the saddle: after 100 steps SGD is still within 0.25 of it, while momentum (velocity) "
        "and Adam (step ≈ lr whatever the gradient) have escaped to |y| > 5.",
        "saddle", {"sgd": OptimizerSettings(0.01), "momentum": OptimizerSettings(0.01), "adam": OptimizerSettings(0.05)},
        (1.5, 0.01), 100,
    ),
    "diverge": Preset(
        "Too-large learning rate diverges",
        "Bowl with condition 10: SGD needs lr < 2 / 10 = 0.2. At lr 0.25 each step overshoots the steep "
        "direction by 1.5× more than the last, and the run is stopped as diverged; momentum at lr 0.02 "
        "converges.",
        "bowl", {"sgd": OptimizerSettings(0.25), "momentum": OptimizerSettings(0.02)}, (-3.5, 1.5), 100,
        {"condition": 10.0},
    ),
    "adagrad": Preset(
        "Adagrad's step decays",
        "Adagrad divides lr by the root of the *sum* of all squared gradients, so its step keeps shrinking: "
        "on the saddle the gradient grows as it descends, yet Adagrad's step falls ~10× over 150 steps, "
        "while RMSprop (a decaying average instead of a sum) keeps stepping about lr.",
        "saddle", {"adagrad": OptimizerSettings(0.05), "rmsprop": OptimizerSettings(0.02)}, (1.5, 0.5), 150,
    ),
}

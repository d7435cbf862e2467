"""The race page's torch work as one pure function of plain data, run in a worker process.

``compute(config)`` takes the page's config dict (``playground.ui.race_controls.read_config``),
runs the race with real ``torch.optim`` optimizers and evaluates the surface on the contour and
mesh grids over the plot window; ``warm_up`` is the worker's initializer. Both run in the
server-wide race worker (playground/worker.py, held by playground/ui/workers.py), never in a
Streamlit script thread: everything here crosses a pipe, so it is module-level and the result is
numpy and frozen dataclasses.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from playground.figures.race import Grid, view_ranges
from playground.race import OptimizerSettings, RaceResult, run_race
from playground.surfaces import get_surface, surface_grid

CONTOUR_POINTS = 361  # per axis: the contour image's pixels (smooth isolines)
MESH_POINTS = 101  # per axis: the 3-D surface mesh


@dataclass(frozen=True)
class RaceRun:
    """A race and the surface around it, as the page draws them."""

    result: RaceResult
    contour: Grid  # xs (361,), ys (361,), z (361, 361) over view_ranges(result)
    mesh: Grid  # xs (101,), ys (101,), z (101, 101) over the same window
    pid: int  # the process that computed it (the tests check it is not the server's)


def settings_from_config(config: dict) -> dict[str, OptimizerSettings]:
    """config["settings"] {name: {"lr", "knobs", "weight_decay"}} -> OptimizerSettings per optimizer."""
    return {n: OptimizerSettings(c["lr"], dict(c["knobs"]), c["weight_decay"]) for n, c in config["settings"].items()}


def compute(config: dict) -> RaceRun:
    """The race for a config from read_config, with its grids; ValueError names a bad field."""
    surface = get_surface(config["surface"], **config["params"])
    result = run_race(surface, settings_from_config(config), config["start"], config["steps"])
    view = view_ranges(result)
    contour = surface_grid(surface, *view, n=CONTOUR_POINTS)
    return RaceRun(result, contour, surface_grid(surface, *view, n=MESH_POINTS), os.getpid())


def warm_up() -> None:
    """Worker initializer: one torch thread, and the first race's cold costs paid before any page asks.

    One thread: a race steps (A, 2) tensors and the 361 x 361 grid is ~3 ms on one core; a pool of
    two would only compete with the server and the training processes for the two cores. The first
    optimizer construction imports torch._dynamo (~0.8 s).
    """
    import torch

    torch.set_num_threads(1)
    surface = get_surface("bowl")
    run_race(surface, {"adam": OptimizerSettings(0.1)}, surface.start, 2)
    surface_grid(surface, surface.x_range, surface.y_range, n=3)

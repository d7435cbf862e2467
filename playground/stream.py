"""SnapshotStream: the callback that turns a training run into the snapshots the page draws.

Counters (epoch, times, the last validation) go out at most every COUNTER_INTERVAL; the history
arrays, the boundary grid and the diagnostics' summaries at most every ``publish_every`` s and
within PUBLISH_BUDGET of the wall time; the first epoch, the last epoch before a pause and the end
of a run in full.
It publishes through ``Runner.publish`` only. IntraOpThreads sets the run's torch thread count.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

import torch

from playground.boundary import Plane, plane_of, plane_points
from playground.callbacks import EarlyStopping, History
from playground.datasets import Splits
from playground.graph_probe import forward_keeping_hidden, graph_of
from playground.mnist_views import first_layer_images, test_digits
from playground.network_graph import NetworkGraph
from playground.snapshot import BoundaryGrid, Extras, PlanePoints, Validation
from playground.trainer import Callback, Trainer

if TYPE_CHECKING:
    from playground.runner import Runner

# fraction of wall time the boundary grid and diagnostics may take: 1.5% keeps a spiral-size net's
# ~3 ms publish at ~0.2 s apart (the page polls every 0.5 s), inside the trainer's 5% overhead target
PUBLISH_BUDGET = 0.015
MAX_PUBLISH_INTERVAL = 0.5  # seconds: the page's charts refresh at least this often
COUNTER_INTERVAL = 0.025  # seconds between counter publishes (epoch, times, validation); the page polls every 0.5 s


class IntraOpThreads(Callback):
    """Trains with ``n`` torch intra-op threads: set right after the trainer sized them to the model.

    The app uses one. Beside a Streamlit server and a browser redrawing charts on 2 cores, two
    OpenMP threads keep waiting for each other: MNIST 784-512-10 trained in the app at 0.36x the
    plain loop with two, 0.75x with one (benchmarks/bench_in_app.py).
    """

    def __init__(self, n: int) -> None:
        self.n = n

    def on_train_begin(self, trainer: Trainer) -> None:
        torch.set_num_threads(self.n)


class SnapshotStream(Callback):
    """Publishes counters at most every COUNTER_INTERVAL s, and history, boundary grid and extras at
    most every ``publish_every`` s; the first epoch, the last epoch before a pause and the end of the run in full."""

    def __init__(self, runner: "Runner", pausing: Callable[[], bool], splits: Splits, started: float,
                 plane: Plane | None = None):  # fmt: skip
        self.runner, self.pausing, self.splits, self.started = runner, pausing, splits, started
        self.plane = plane or plane_of(splits)
        self.points = plane_points(splits, self.plane)
        self.next_publish = 0.0  # monotonic time before which only counters are published
        self.next_counters = 0.0  # monotonic time before which nothing is published
        self.history: History | None = None
        self.val: Validation | None = None  # the last validation's, until published
        self.constants: dict = {}  # snapshot fields fixed for the run, published once
        self.graph: NetworkGraph | None = None  # the last network graph published (its picks are sticky)
        self.history_published = False  # a trained epoch's history has gone out (the page's first loss point)

    def begin(self, trainer: Trainer) -> None:
        self.history = next(cb for cb in trainer.callbacks if isinstance(cb, History))
        self.constants = {
            "notes": tuple(trainer.notes) + self.splits.notes,
            "n_params": trainer.n_params,
            "n_train": len(self.splits.y_train),
            "device": str(trainer.device),
        }
        self.publish(trainer, force=True)

    def on_epoch_end(self, trainer: Trainer, logs: dict) -> None:
        self._keep_val(logs)
        # The last epoch before a pause publishes in full: a paused page must not show stale curves.
        # So does the first: the Start's first loss point must not wait out the budget that the
        # run's first (cold, costly) publish set for the next one (it was 0.3-0.5 s of a 1 s target).
        force = self.pausing() or not self.history_published
        if force or time.monotonic() >= self.next_counters:
            self.publish(trainer, force=force)

    def _keep_val(self, logs: dict) -> None:
        """Hold a validated epoch's confusion, recall and balanced accuracy for the next publish."""
        if "val_confusion" in logs:  # validated epochs only (see RunConfig.val_every)
            self.val = Validation(logs["val_confusion"], logs["val_recall"], logs["val_balanced_accuracy"])

    def publish(self, trainer: Trainer, force: bool = False, test=None, final: bool = False) -> None:
        """``final``: the run has ended; its status lands together with full history and test metrics,
        so a page that stops polling on seeing a final status never keeps a partial snapshot."""
        now = time.monotonic()
        self.next_counters = now + COUNTER_INTERVAL
        expensive = force or final or now >= self.next_publish
        changes = {"epoch": trainer.epoch, "wall_seconds": now - self.started, "train_seconds": trainer.train_seconds}
        if self.constants:
            changes.update(self.constants)
            self.constants = {}
        if self.val is not None:
            changes["val"], self.val = self.val, None
        if expensive:
            changes["history"] = self.history.as_arrays()  # O(epochs): only at publish rate
            self.history_published = trainer.epoch > 0
            # the final graph picks its units afresh (no stickiness): a finished seeded run draws the same graph
            # however its publishes were timed
            sticky = None if final else self.graph
            changes["boundary"], changes["network"] = boundary_and_graph(trainer, self.plane, self.points, sticky)
            self.graph = changes["network"]
            changes["first_layer"] = first_layer_images(trainer)  # None unless 28x28 inputs; ~0.5 ms for 512 units
            changes["extras"] = Extras(**{cb.snapshot_key: cb.snapshot() for cb in trainer.callbacks
                                          if hasattr(cb, "snapshot_key")})  # fmt: skip
            cost = time.monotonic() - now
            # At most every publish_every s, and rarer when a publish is costly (big nets, a loaded
            # machine): the expensive part stays under PUBLISH_BUDGET of the wall time.
            # Capped, so the charts still change twice a second (and a cold first publish cannot stall them).
            self.next_publish = now + min(max(self.runner.publish_every, cost / PUBLISH_BUDGET), MAX_PUBLISH_INTERVAL)
        if final:
            changes.update(status=trainer.status, message=trainer.message, restored_epoch=_restored_epoch(trainer))
        if test is not None:
            changes["test"], changes["test_digits"] = test, test_digits(trainer)  # the gallery: image sets only
        self.runner.publish(changes, final=final)


def boundary_grid(trainer: Trainer, plane: Plane, points: PlanePoints) -> BoundaryGrid:
    """The trainer's class probabilities over ``plane``'s grid (R, R, C), in eval mode."""
    if plane.components is None:
        proba = trainer.predict_proba(plane.features)  # (R*R, C)
    else:  # PCA plane: x = mean + grid @ components, folded into the first layer
        proba = trainer.predict_proba_affine(plane.grid, plane.mean, plane.components)
    return BoundaryGrid(
        xs=plane.xs, ys=plane.ys, proba=proba.reshape(len(plane.ys), len(plane.xs), -1).astype("float32"),
        points=points, note=plane.note, axis_titles=plane.axis_titles,
    )  # fmt: skip


def boundary_and_graph(trainer: Trainer, plane: Plane, points: PlanePoints,
                       previous: NetworkGraph | None = None) -> tuple[BoundaryGrid, NetworkGraph]:  # fmt: skip
    """The boundary grid and the network graph; on a 2-D set both from one forward pass over the grid,
    which keeps every hidden layer's output for the unit maps (network_graph.unit_maps). ``previous``:
    the last graph published, whose units stay drawn unless others clearly outweigh them."""
    if plane.components is not None:  # a PCA plane: the folded first layer; no unit maps
        return boundary_grid(trainer, plane, points), graph_of(trainer, previous=previous)
    x = torch.as_tensor(plane.features, device=trainer.device)
    logits, hidden = forward_keeping_hidden(trainer.model, x)
    proba = trainer.proba(logits).cpu().numpy()  # (R*R, C), as predict_proba computes it
    grid = BoundaryGrid(xs=plane.xs, ys=plane.ys, proba=proba.reshape(len(plane.ys), len(plane.xs), -1),
                        points=points, note=plane.note, axis_titles=plane.axis_titles)  # fmt: skip
    return grid, graph_of(trainer, hidden, plane, previous)


def _restored_epoch(trainer: Trainer) -> int | None:
    return next((cb.restored_epoch for cb in trainer.callbacks if isinstance(cb, EarlyStopping)), None)

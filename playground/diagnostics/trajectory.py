"""TrajectoryRecorder: flattened weight snapshots every k optimizer steps, for the landscape's PCA plane.

Memory is bounded twice: at most ``max_points`` snapshots, and at most ``max_bytes`` of them
(an MNIST-size net keeps fewer). When the buffer is full, every other snapshot is dropped and k
doubles, so the kept points stay evenly spaced in steps over the whole run (0, k, 2k, ...).
k starts at about an eighth of an epoch (less often for big nets, see EPOCH_BYTES).

Snapshots are rows of one block of ``capacity + 1`` rows allocated at the start (untouched rows
cost no memory), and a dropped snapshot's row takes the next one: no allocation per snapshot
(a fresh 1.6 MB array per MNIST-size snapshot cost ~0.4 ms, a copy into a used row ~0.08 ms; on a
spiral-size net a snapshot is one ``torch.cat`` into a row, ~5 us).
"""
from __future__ import annotations

import math

import numpy as np
import torch

from playground.diagnostic_stats import TrajectorySummary
from playground.trainer import Callback, Trainer

MAX_POINTS = 300  # snapshots kept; PCA on (300, P) stays well under a second
MAX_BYTES = 100 * 2**20  # ~100 MB of float32 snapshots per run
MIN_POINTS = 4  # even a 5M-parameter net keeps a start, two middles and an end
PER_EPOCH = 8  # snapshots per epoch at the start (then fewer as k doubles): no burst of copies
# ... and at most this much new snapshot memory per epoch until the buffer first fills: touching fresh
# pages cost 0.25-4 ms per MB on the reference VM (MNIST 784-512-10, 1.6 MB a snapshot: one every
# ~1.5 epochs, not 8 per epoch, ~10% of its first epochs' time otherwise). Long runs end with the same
# evenly spaced points.
EPOCH_BYTES = 2**20


def flat_weights(model: torch.nn.Module) -> torch.Tensor:
    """(P,) detached copy of every parameter, in ``model.parameters()`` order (cat copies)."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def points_for(n_params: int, max_points: int = MAX_POINTS, max_bytes: int = MAX_BYTES) -> int:
    """How many float32 snapshots of ``n_params`` weights fit both budgets."""
    return max(MIN_POINTS, min(max_points, max_bytes // (4 * max(n_params, 1))))


class TrajectoryRecorder(Callback):
    snapshot_key = "trajectory"  # the page reads only this small summary; the weights stay here

    def __init__(self, max_points: int = MAX_POINTS, max_bytes: int = MAX_BYTES) -> None:
        self.max_points, self.max_bytes = max_points, max_bytes
        self.capacity = max_points
        self.every = 1  # k: record every k-th optimizer step
        self.step = 0  # optimizer steps taken so far
        self.steps: list[int] = []  # step index of each kept snapshot
        self.weights: list[np.ndarray] = []  # each (P,) float32 on the host: rows of one block
        self._spare: list[np.ndarray] = []  # free rows of the block (dropped snapshots' rows)
        self._model: torch.nn.Module | None = None
        self._flat: list[torch.Tensor] | None = None  # (P_i,) views of CPU float32 parameters, else None
        self._hook = None

    def on_train_begin(self, trainer: Trainer) -> None:
        self._model = trainer.model
        params = list(trainer.model.parameters())  # updated in place by the optimizer and load_state_dict
        if all(p.device.type == "cpu" and p.dtype == torch.float32 and p.is_contiguous() for p in params):
            self._flat = [p.detach().view(-1) for p in params]  # torch.cat writes them straight into a row
        self.capacity = points_for(trainer.n_params, self.max_points, self.max_bytes)
        # torch.empty, not np.empty: numpy asks for huge pages on big blocks, and where the kernel
        # compacts memory for them on first touch that cost ~2.5 ms per MB on the reference VM,
        # ~0.3 ms with plain pages (an MNIST-size snapshot is 1.6 MB). The rows keep the tensor alive.
        self._spare = list(torch.empty(self.capacity + 1, trainer.n_params).numpy())[::-1]
        steps_per_epoch = math.ceil(len(trainer.data["train"][1]) / trainer.batch_size)
        per_epoch = min(PER_EPOCH, EPOCH_BYTES / (4 * trainer.n_params))  # may be < 1: big nets
        self.every = max(1, int(steps_per_epoch / per_epoch))
        self._record()  # step 0: the initial weights
        # Per-step granularity without touching the trainer: a post-step hook on its optimizer.
        self._hook = trainer.optimizer.register_step_post_hook(self._after_step)

    def on_train_end(self, trainer: Trainer, logs: dict) -> None:
        if self._hook is not None:
            self._hook.remove()
            self._hook = None

    def _after_step(self, optimizer, args, kwargs) -> None:
        self.step += 1
        if self.step % self.every == 0:
            self._record()

    def _record(self) -> None:
        row = self._spare.pop()
        if self._flat is not None:
            torch.cat(self._flat, out=torch.from_numpy(row))
        else:
            row[:] = flat_weights(self._model).cpu().numpy()
        self.steps.append(self.step)
        self.weights.append(row)
        if len(self.weights) > self.capacity:  # keep steps 0, 2k, 4k, ...; record every 2k from now on
            self._spare.extend(self.weights[1::2])
            self.steps, self.weights = self.steps[::2], self.weights[::2]
            self.every *= 2

    def trajectory(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps (T,), weights (T, P) float32). Call from the trainer's thread (it appends)."""
        if not self.weights:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        return np.asarray(self.steps), np.stack(self.weights)

    def snapshot(self) -> "TrajectorySummary":
        n_params = self.weights[0].size if self.weights else 0
        return TrajectorySummary(points=len(self.weights), every=self.every, steps=self.step, capacity=self.capacity,
                                 megabytes=len(self.weights) * n_params * 4 / 2**20)  # fmt: skip


def find_recorder(trainer: Trainer) -> TrajectoryRecorder | None:
    return next((cb for cb in trainer.callbacks if isinstance(cb, TrajectoryRecorder)), None)

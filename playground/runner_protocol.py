"""TrainingRunner: what the page may ask of a runner, whichever host the training runs in.

Two implementations: ``playground.runner.Runner`` (a worker thread of this process) and
``playground.process_runner.ProcessRunner`` (the same Runner in a spawned child process). The UI
annotates with this protocol only, so either can stand in (``PLAYGROUND_RUNNER``), and a later
host (a classroom pool) has one list of methods to provide; tests/unit/test_runner_protocol.py
checks both classes' signatures against it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Protocol, runtime_checkable

if TYPE_CHECKING:
    from playground.boundary import Plane
    from playground.config import RunConfig
    from playground.datasets import Splits
    from playground.jobs import Job
    from playground.snapshot import Snapshot
    from playground.trainer import Callback


@runtime_checkable
class TrainingRunner(Protocol):
    def snapshot(self) -> Snapshot:
        """The latest published state; never blocks on training."""

    def heartbeat(self) -> None:
        """The page is still there (a run whose page goes quiet stops itself)."""

    def start(self, cfg: RunConfig, splits: Splits, paused: bool = False,
              extra_callbacks: Callable[[], Iterable[Callback]] | None = None,
              plane: Plane | None = None, run_id: str | None = None) -> None:  # fmt: skip
        """Stop any current run and train ``cfg`` on ``splits``; returns at once (status STARTING).
        ``run_id``: the new run's ``Snapshot.run_id`` (e.g. to record it under that id), else a new one."""

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def step(self, epochs: int = 1) -> None:
        """While paused: train ``epochs`` epochs, then pause again."""

    def set_lr(self, lr: float) -> None:
        """Applied before the next epoch and marked on the loss curve."""

    def submit(self, name: str, job: Job) -> bool:
        """Run a chunked job on the run's model (playground/jobs.py); False when there is no model."""

    def stop(self, timeout: float = 10.0) -> None:
        """End the run (its test metrics are computed) and cancel pending jobs; waits."""

    def reset(self, timeout: float = 10.0) -> None:
        """Stop, drop the model and clear the snapshot."""

    def close(self, timeout: float = 10.0) -> None:
        """Stop the run and release what it holds (thread or process); a later start begins afresh."""

    @property
    def alive(self) -> bool:
        """A run is starting, training or paused."""

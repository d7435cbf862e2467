"""AdmittedRunner: a TrainingRunner that trains only while the server's Admission gives it a slot.

    runner = AdmittedRunner(ProcessRunner(...), gate)     # gate: the server's one Admission
    runner.start(cfg, splits)    # trains now, or waits in line: snapshot() is STARTING with ``queued`` = runs ahead
    runner.pause()               # a paused run gives its slot back; resume() asks for one again

Everything else passes through to the inner runner (a ProcessRunner in the app, a thread Runner in
tests). The gate's watcher thread asks each holder ``still_training()`` and takes back the slot of a
run that has ended or paused, whether or not its page is still polling; and it calls ``tick()`` on
every runner, so one whose run has ended more than ``idle_timeout`` s ago closes its inner runner
(for a ProcessRunner: the ~250 MB training process goes; the last snapshot stays on the page, and
the next Start takes a warm spare).
"""
from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Iterable

from playground.admission import Admission
from playground.runner_protocol import TrainingRunner
from playground.snapshot import Snapshot, new_run_id
from playground.status import Status

if TYPE_CHECKING:
    from playground.boundary import Plane
    from playground.config import RunConfig
    from playground.datasets import Splits
    from playground.jobs import Job
    from playground.trainer import Callback

IDLE_TIMEOUT = 300.0  # s after a run ends before the session's training process is given back


class AdmittedRunner:
    def __init__(self, inner: TrainingRunner, gate: Admission, idle_timeout: float | None = IDLE_TIMEOUT) -> None:
        self.inner, self.gate, self.idle_timeout = inner, gate, idle_timeout
        self._lock = threading.Lock()  # guards _pending, _waiting_snap, _starting, _idle_since
        self._pending: tuple[str, tuple, dict] | None = None  # ("start", args, kwargs) | ("resume", (), {})
        self._waiting_snap: Snapshot | None = None  # what a queued start shows
        self._starting = 0  # calls between a grant and the inner start's return: the slot is in use meanwhile
        self._idle_since: float | None = None  # monotonic time the runner was last seen without an active run
        gate.join(self)

    # ------------------------------------------------------------ the gate's side
    def granted(self) -> None:
        """Our turn: run what was waiting (called on a gate thread, holding a slot)."""
        with self._lock:
            pending, self._pending, self._waiting_snap = self._pending, None, None
            self._starting += 1
        try:
            if pending is None:  # withdrawn meanwhile
                self.gate.release(self)
                return
            name, args, kwargs = pending
            getattr(self.inner, name)(*args, **kwargs)
        finally:
            with self._lock:
                self._starting -= 1

    def still_training(self) -> bool:
        """Does our slot still train? False once the run has ended or paused (the gate then takes the slot back)."""
        with self._lock:
            if self._starting:
                return True
        return self.inner.snapshot().status in (Status.STARTING, Status.RUNNING)

    def tick(self, now: float) -> None:
        """The gate's periodic look: give the training process back after ``idle_timeout`` s without a run."""
        if self.idle_timeout is None:
            return
        with self._lock:
            if self._pending is not None or self._starting:
                self._idle_since = None
                return
        if self.inner.snapshot().active:
            self._idle_since = None
            return
        if self._idle_since is None:
            self._idle_since = now
        elif now - self._idle_since > self.idle_timeout and _holds_process(self.inner):
            self.inner.close()

    # ------------------------------------------------------------ TrainingRunner
    def snapshot(self) -> Snapshot:
        with self._lock:
            pending, waiting = self._pending, self._waiting_snap
        if pending is None:
            return self.inner.snapshot()
        ahead = self.gate.ahead(self)
        base = waiting if waiting is not None else self.inner.snapshot()  # a queued resume shows the paused run
        return replace(base, queued=ahead if ahead is not None else 0)

    def heartbeat(self) -> None:
        self.inner.heartbeat()

    def start(self, cfg: RunConfig, splits: Splits, paused: bool = False,
              extra_callbacks: Callable[[], Iterable[Callback]] | None = None,
              plane: Plane | None = None, run_id: str | None = None) -> None:  # fmt: skip
        run_id = run_id or new_run_id()
        kwargs = dict(paused=paused, extra_callbacks=extra_callbacks, plane=plane, run_id=run_id)
        if paused:  # a paused run holds no core: it starts at once, and asks for a slot when resumed
            self._withdraw()
            self.inner.start(cfg, splits, **kwargs)
            return
        self._queue_or_run("start", (cfg, splits), kwargs, Snapshot(
            status=Status.STARTING, run_id=run_id, config=cfg, epochs=cfg.epochs,
            version=self.inner.snapshot().version + 1, message="waiting for a free place to train"))

    def resume(self) -> None:
        self._queue_or_run("resume", (), {}, None)

    def _queue_or_run(self, name: str, args: tuple, kwargs: dict, waiting: Snapshot | None) -> None:
        with self._lock:
            self._pending, self._waiting_snap = (name, args, kwargs), waiting  # replaces an earlier wait
            self._starting += 1  # from here a slot we get counts as training, before the inner run shows it
        try:
            if not self.gate.request(self):
                return  # in line: granted() runs it
            with self._lock:
                pending, self._pending, self._waiting_snap = self._pending, None, None
            if pending is not None:
                getattr(self.inner, pending[0])(*pending[1], **pending[2])
        finally:
            with self._lock:
                self._starting -= 1

    def _withdraw(self) -> bool:
        """Leave the line (a waiting start or resume is dropped); True if something was waiting."""
        with self._lock:
            was, self._pending, self._waiting_snap = self._pending is not None, None, None
        if was:
            self.gate.release(self)
        return was

    def pause(self) -> None:
        """A training run pauses (its slot goes); a queued resume stays paused; a queued start starts paused
        at once (a paused run needs no slot: it asks for one when resumed)."""
        with self._lock:
            pending = self._pending
        if pending is None:
            self.inner.pause()
        elif self._withdraw() and pending[0] == "start":
            self.inner.start(*pending[1], **(pending[2] | {"paused": True}))

    def step(self, epochs: int = 1) -> None:
        self.inner.step(epochs)  # a few epochs while paused: short, no slot asked

    def set_lr(self, lr: float) -> None:
        self.inner.set_lr(lr)

    def submit(self, name: str, job: Job) -> bool:
        return self.inner.submit(name, job)

    def stop(self, timeout: float = 10.0) -> None:
        self._withdraw()
        self.inner.stop(timeout)

    def reset(self, timeout: float = 10.0) -> None:
        self._withdraw()
        self.inner.reset(timeout)

    def close(self, timeout: float = 10.0) -> None:
        self._withdraw()
        self.gate.leave(self)
        self.inner.close(timeout)

    @property
    def alive(self) -> bool:
        with self._lock:
            if self._pending is not None:
                return True
        return self.inner.alive

    def __getattr__(self, name: str) -> Any:  # e.g. ProcessRunner.pid, from_spare (tests, benchmarks)
        if name == "inner":  # not set yet (during __init__): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)


def _holds_process(runner: TrainingRunner) -> bool:
    """A ProcessRunner with its child alive (a thread Runner holds nothing worth giving back)."""
    return bool(getattr(runner, "child_alive", False))

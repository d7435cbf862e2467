"""ProcessRunner: the Runner's page-side API, with the training in a process of its own.

Why a process: in the app, a trainer thread shares one interpreter lock and two cores with the
Streamlit server (a script rerun per chart poll) and, on a teacher's laptop, with the browser.
Measured with Chromium watching the default spiral run, a thread kept about half of the standalone
trainer's samples/s. A spawned process has its own interpreter, so the server's reruns no longer
stall the training loop between two optimizer steps.

Shape::

    page threads --calls--> ProcessRunner --Pipe--> child: _serve() loop --> Runner (thread backend)
    snapshot() <-- receiver thread <-- snapshots (numpy, pickled) <--------'

The child runs an ordinary ``Runner``: one engine, two hosts. Each call is executed there and
answered with its result and the snapshot right after it, so ``pause(); snapshot().status`` reads
"paused" exactly as with the thread backend. Between calls the child sends the snapshot whenever
its version changed, at most every ``SEND_INTERVAL`` (final statuses at once). Jobs and extra
callbacks cross the pipe, so they must pickle: module-level functions, ``functools.partial``.

Lifetime: ``close()`` (the session's release hook) ends the child; the child also ends by itself
when the pipe breaks (the server died), and its Runner's heartbeat timeout stops a run whose
page went quiet. The session's first ``start()`` takes a child from the server's ``SparePool``
(playground/spares.py), which has usually imported torch and warmed up already, so the first
point comes as fast as a later run's. Without a pool, or when the spare has died, it spawns one
and returns at once while the child imports torch (~2-4 s; the page shows "Starting"). Later runs
reuse the child. Sessions that never train never hold a process.

A child, spare or not, starts with ``_serve`` (playground/training_process.py): it warms up, says "ready", and waits for its
settings (heartbeat timeout, publish interval, torch threads, memory budget), the first message its runner sends.

A hung child (stopped with SIGSTOP, swapped out, stuck in native code): a thread of its own sends a
pulse every ``PULSE_EVERY`` s, so silence means the whole process has stopped, not that it is busy.
After ``not_responding_after`` s of silence the snapshot carries a note saying so, calls return at
once instead of waiting for a reply that may never come (the page stays live), and ``stop``,
``reset`` and ``close`` kill the child (SIGKILL ends a stopped process too), keeping the history.
"""
from __future__ import annotations

import itertools
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Iterable

from playground.boundary import Plane, plane_of
from playground.config import RunConfig
from playground.datasets import Splits
from playground.jobs import Job
from playground.snapshot import Snapshot, new_run_id
from playground.spares import Child, SparePool, release
from playground.status import Status
from playground.training_process import spawn_child

if TYPE_CHECKING:  # the training (torch) happens in the child: the server's side never imports it
    from playground.trainer import Callback

CALL_TIMEOUT = 60.0  # s; a stop waits for the current epoch (an MNIST-70k epoch takes seconds)
BEAT_EVERY = 1.0  # s between heartbeats forwarded to the child
NOT_RESPONDING_AFTER = 5.0  # s of silence (ten missed pulses) after which the child counts as hung
NOT_RESPONDING = (":material/warning: **The training process is not responding** (nothing from it for {:.0f} s). "
                  "Stop or Reset ends it.")  # fmt: skip


class ProcessRunner:
    """A ``TrainingRunner`` (playground/runner_protocol.py) whose training and jobs run in a spawned
    child process, in an ordinary ``Runner`` there."""

    def __init__(self, heartbeat_timeout: float | None = None, publish_every: float = 0.1, threads: int | None = 1,
                 spares: SparePool | None = None, not_responding_after: float = NOT_RESPONDING_AFTER,
                 memory_mb: int | None = None):  # fmt: skip
        self.heartbeat_timeout = heartbeat_timeout  # enforced in the child, by its Runner
        self.publish_every = publish_every
        self.threads = threads  # torch intra-op threads in the child; None sizes them to the model
        self.spares = spares  # warm children to take one from (the server's); None: spawn one
        self.not_responding_after = not_responding_after
        self.memory_mb = memory_mb  # the child's data-segment budget (playground/memory_budget.py); None: none
        self._lock = threading.Lock()  # guards _snap
        self._snap = Snapshot()
        self._send_lock = threading.Lock()  # page threads may call concurrently
        self._replies: dict[int, tuple] = {}  # call id -> (result, error), until its caller takes it
        self._unwaited: set[int] = set()  # ids of calls sent with wait=False
        self._replied = threading.Condition()
        self._ids = itertools.count()
        self._last_beat = 0.0
        self._ready = threading.Event()  # the child has imported torch and serves calls
        self._heard = 0.0  # monotonic time of the child's last message (a pulse at least every PULSE_EVERY)
        self._base = 0  # version offset: versions keep increasing across respawned children
        self._proc = self._conn = self._receiver = None  # taken or spawned by the first start()
        self.from_spare = False  # the current child came from the pool (tests, benchmarks)

    # ------------------------------------------------------------ the child's lifetime
    def _spawn(self) -> None:
        """A child for this runner: a spare if the pool has one alive, else a new spawn; then its settings."""
        self._reap()
        self._base = self._snap.version + 1
        self._ready.clear()
        spare = self._take_spare()
        self._proc, self._conn = spare or spawn_child()
        self.from_spare = spare is not None
        self._heard = time.monotonic()
        if not self.from_spare:
            self._conn.send(self._setup())
        self._receiver = threading.Thread(target=self._receive, args=(self._conn,), name="playground-receiver",
                                          daemon=True)  # fmt: skip
        self._receiver.start()

    def _setup(self) -> tuple:
        """The child's first message: how its Runner runs (the thread count and the budget are set from it, in the child)."""
        return ("setup", self.heartbeat_timeout, self.publish_every, self.threads, self.memory_mb)

    def _take_spare(self) -> Child | None:
        """A spare from the pool, given its settings; marked ready if it has said so. None: spawn instead."""
        spare = self.spares.take() if self.spares is not None else None
        if spare is None:
            return None
        proc, conn = spare
        try:
            if conn.poll(0):  # a warm spare said "ready" while it waited; nothing else comes before its setup
                conn.recv()
                self._ready.set()
            conn.send(self._setup())
        except (EOFError, OSError):  # it died since the pool looked: a new spawn instead
            self._ready.clear()
            release(spare)
            return None
        return spare

    def _reap(self) -> None:
        """Release a child that has ended (crashed or closed) and its pipe."""
        if self._proc is None:
            return
        self._proc.join(10)  # its exit closes the pipe: the receiver reads EOF and ends
        if self._receiver is not threading.current_thread():
            self._receiver.join(10)
        self._conn.close()
        self._proc.close()
        self._proc = None

    @property
    def child_alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    @property
    def pid(self) -> int | None:
        """The training process's id while it runs (for memory figures and crash tests)."""
        return self._proc.pid if self.child_alive else None

    def _receive(self, conn) -> None:
        """Receiver thread: store snapshots, hand replies to the waiting caller; ends at EOF."""
        try:
            while True:
                msg = conn.recv()
                self._heard = time.monotonic()
                if msg[0] == "pulse":
                    continue
                if msg[0] == "snapshot":
                    self._store(msg[1])
                elif msg[0] == "ready":
                    self._ready.set()
                else:  # ("reply", call_id, result, error, snapshot)
                    _, call_id, result, error, snap = msg
                    self._store(snap)
                    with self._replied:
                        if call_id in self._unwaited:
                            self._unwaited.discard(call_id)
                        else:
                            self._replies[call_id] = (result, error)
                            self._replied.notify_all()
        except (EOFError, OSError):
            pass
        with self._replied:  # wake callers: no reply will come
            self._replied.notify_all()
        if self._proc is not None and self._snap.active:
            self._proc.join(1.0)
            code = self._proc.exitcode
            with self._lock:
                self._snap = replace(self._snap, status=Status.FAILED, version=self._snap.version + 1,
                                     message=f"the training process ended unexpectedly (exit code {code})")  # fmt: skip

    def _store(self, snap: Snapshot) -> None:
        """One child's snapshots arrive in order; versions continue across children (a respawn restarts at 0)."""
        with self._lock:
            self._snap = replace(snap, version=self._base + snap.version)

    def _call(self, name: str, *args, wait: bool = True, **kwargs) -> Any:
        """Run ``Runner.<name>(*args, **kwargs)`` in the child and return its result (None if the child is
        gone or not responding: the caller, a page, must not hang with it).

        ``wait=False`` only queues the call (its reply is dropped)."""
        if not self.child_alive or not self.responding:
            return None
        call_id = next(self._ids)
        if not wait:
            with self._replied:
                self._unwaited.add(call_id)
        try:
            with self._send_lock:
                self._conn.send(("call", call_id, name, args, kwargs))
        except (OSError, ValueError):  # the pipe broke or was closed
            return None
        if not wait:
            return None
        deadline = time.monotonic() + CALL_TIMEOUT
        with self._replied:
            while call_id not in self._replies:
                if not self._receiver.is_alive() or time.monotonic() > deadline or not self.responding:
                    return None
                self._replied.wait(0.5)
            result, error = self._replies.pop(call_id)
        if error is not None:
            raise error
        return result

    @property
    def responding(self) -> bool:
        """False once a child that serves calls has sent nothing, not even a pulse, for ``not_responding_after`` s."""
        if not self._ready.is_set() or not self.child_alive:
            return True  # still importing (it pulses once it serves), or gone (reported as a crash)
        return time.monotonic() - self._heard < self.not_responding_after

    def _end_hung(self, ended: Callable[[Snapshot], Snapshot]) -> None:
        """Kill the child if it is not responding, and publish ``ended(last snapshot)``."""
        if self.responding:
            return
        self._proc.kill()  # SIGKILL: a stopped (SIGSTOP) process ends too; SIGTERM would wait for a SIGCONT
        self._reap()  # its receiver marks the run failed; the snapshot below replaces that
        with self._lock:
            self._snap = replace(ended(self._snap), version=self._snap.version + 1)

    # ------------------------------------------------------------ page-side API (as Runner)
    def snapshot(self) -> Snapshot:
        """The child's latest snapshot; while the child does not respond, with a note that says so."""
        with self._lock:
            snap = self._snap
        if snap.active and not self.responding:
            return replace(snap, notes=(*snap.notes, NOT_RESPONDING.format(time.monotonic() - self._heard)))
        return snap

    def heartbeat(self) -> None:
        """Forwarded at most every BEAT_EVERY s, without waiting (the page calls this on every poll)."""
        now = time.monotonic()
        if now - self._last_beat < BEAT_EVERY or not self.child_alive or not self.responding:
            return
        self._last_beat = now
        try:
            with self._send_lock:
                self._conn.send(("beat",))
        except (OSError, ValueError):
            pass

    def start(self, cfg: RunConfig, splits: Splits, paused: bool = False,
              extra_callbacks: Callable[[], Iterable[Callback]] | None = None,
              plane: Plane | None = None, run_id: str | None = None) -> None:  # fmt: skip
        """As ``Runner.start``; ``extra_callbacks`` must pickle (a module-level function)."""
        run_id = run_id or new_run_id()
        if not self.child_alive:  # the first run, or the child was closed or crashed
            try:
                self._spawn()
            except (OSError, RuntimeError) as err:  # e.g. a host that forbids new processes
                with self._lock:
                    self._snap = Snapshot(status=Status.FAILED, config=cfg, epochs=cfg.epochs,
                                          version=self._snap.version + 1,
                                          message=f"could not start the training process ({type(err).__name__}: "
                                                  f"{err}); set PLAYGROUND_RUNNER=thread to train inside the server")  # fmt: skip
                self._proc = None
                return
        # The full dataset stays here: the child needs the scaled splits and the class names only.
        ds = splits.dataset
        light = replace(splits, dataset=replace(ds, X=ds.X[:0], y=ds.y[:0]))
        # A PCA plane is fitted here, where sklearn is loaded anyway, and goes over as numpy arrays:
        # the child then never imports sklearn (~140 MB per session). A 2-D plane costs nothing.
        if plane is None and not splits.planar:
            plane = plane_of(splits)
        kwargs = dict(paused=paused, extra_callbacks=extra_callbacks, plane=plane, run_id=run_id)
        # "Starting" from here, whatever comes back when: a reply that is late (a loaded machine) or
        # never comes (a hung child) must not leave the page showing the idle state of before the
        # click, which does not poll. The child's next message is this call's reply (it sends
        # snapshots only when they change, and the last run's last one has gone), so nothing stale
        # overwrites it.
        ready = self._ready.is_set()
        with self._lock:
            self._snap = Snapshot(status=Status.STARTING, run_id=run_id, config=cfg, epochs=cfg.epochs,
                                  version=self._snap.version + 1,
                                  message="" if ready else "starting the training process (importing torch)")  # fmt: skip
        # A ready child answers with the first epoch in its reply; one still importing torch gets
        # the call queued, and we return at once.
        self._call("start", cfg, light, **kwargs, wait=ready)

    def pause(self) -> None:
        self._call("pause")

    def resume(self) -> None:
        self._call("resume")

    def step(self, epochs: int = 1) -> None:
        self._call("step", epochs)

    def set_lr(self, lr: float) -> None:
        self._call("set_lr", lr)

    def submit(self, name: str, job: Job) -> bool:
        """As ``Runner.submit``; ``job`` must pickle (e.g. ``functools.partial`` of a module-level generator)."""
        return bool(self._call("submit", name, job))

    def stop(self, timeout: float = 10.0) -> None:
        """As ``Runner.stop``; a child that does not respond (before or during the call) is killed, its history kept."""
        self._call("stop", timeout)
        self._end_hung(lambda s: replace(s, status=Status.STOPPED, notes=(),
                                         message="stopped: the training process was not responding and was ended"))  # fmt: skip

    def reset(self, timeout: float = 10.0) -> None:
        """As ``Runner.reset``; a child that does not respond is killed (the next ``start`` takes or spawns another)."""
        self._call("reset", timeout)
        self._end_hung(lambda s: Snapshot())

    def close(self, timeout: float = 10.0) -> None:
        """Stop the run and end the child process (the session's release hook). ``start`` spawns a new one."""
        if self._proc is None:
            return
        if self._ready.is_set() and self.responding:
            self._call("close")
            if self.responding:  # it may stop answering during the call: then no grace period
                self._proc.join(timeout)
        if self._proc.is_alive():  # still importing (no run, no state), not responding, or stuck
            self._proc.kill()
        self._reap()

    @property
    def alive(self) -> bool:
        """True while a training thread runs in the child."""
        return bool(self._call("alive"))

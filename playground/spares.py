"""SparePool: training processes started ahead of time, so a session's first Start finds one warm.

A new training process spends seconds importing torch and the engine (~2 s on a quiet 2-core
machine, 8-20 s while other sessions train) before it can train. The pool keeps ``size`` such
processes started; ``take()`` hands one over (warm, or at least further along than a new one),
and a ``playground-spares`` thread starts its replacement ``refill_after`` seconds later, once the
taken one has drawn its first points: a replacement importing torch meanwhile competes with them
for the two cores (measured: a warm child's first epoch took 0.5 s instead of 0.02 s).

Why spare spawned processes and not a fork server: each spare is an ordinary ``spawn`` child of
the server (a fresh interpreter, no torch state shared with anyone; it sets its own thread count
when it is handed over), so the server sees its exit code, can kill it, and
``multiprocessing.active_children()`` lists it. Children forked by ``multiprocessing``'s
forkserver hang off that one process: if it dies, every running child reads as ended (exit code
255) to the server, and stopping it waits for all of them.

The pool only holds and starts children; what they run is the ``make`` factory's business
(``playground.training_process.spawn_child``). ``close()`` ends every spare not handed out and
refuses later requests; a handed-out child belongs to its taker.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Callable

Child = tuple[BaseProcess, Connection]  # a started process and the server's end of its pipe
REFILL_AFTER = 3.0  # s after a take before a replacement may start (a warm child's first point takes ~0.1-0.5 s)


class SparePool:
    """``size`` started children kept ready; ``take()`` hands one over, and the next starts after a hold."""

    def __init__(self, make: Callable[[], Child], size: int = 1, refill_after: float = REFILL_AFTER) -> None:
        self.make = make  # starts one child (a spawn); its errors leave the pool short, not broken
        self.size = size  # spares kept; each idle one holds ~250 MB (torch imported)
        self.refill_after = refill_after
        self._lock = threading.Lock()  # guards _spares, _closed, _hold_until and _refill
        self._spares: deque[Child] = deque()
        self._closed = threading.Event()
        self._hold_until = 0.0  # monotonic time before which fill() starts nothing (a take's first points)
        self._refill: threading.Thread | None = None

    def fill(self) -> None:
        """Start spares until ``size`` are alive (dead ones are released); nothing within ``refill_after`` of a take."""
        with self._lock:
            if self._closed.is_set() or time.monotonic() < self._hold_until:
                return
            alive = [c for c in self._spares if c[0].is_alive()]
            for child in (c for c in self._spares if c not in alive):
                release(child)
            self._spares = deque(alive)
            while len(self._spares) < self.size:
                try:
                    self._spares.append(self.make())
                except (OSError, RuntimeError):  # e.g. a host that forbids new processes: the taker spawns (and says why)
                    break

    def take(self) -> Child | None:
        """A live spare (ready or still warming), now the caller's; None if there is none or the pool is closed."""
        with self._lock:
            child = None
            while self._spares and child is None:
                candidate = self._spares.popleft()
                if candidate[0].is_alive():
                    child = candidate
                else:  # crashed or killed while waiting
                    release(candidate)
            if not self._closed.is_set():  # the replacement starts once the taker's first points are drawn
                self._hold_until = time.monotonic() + self.refill_after
                if self._refill is None or not self._refill.is_alive():
                    self._refill = threading.Thread(target=self._fill_after_hold, name="playground-spares", daemon=True)
                    self._refill.start()
        return child

    def _fill_after_hold(self) -> None:
        """The refill thread: wait out the hold (later takes extend it), then fill; ends early on close."""
        while True:
            with self._lock:
                wait = self._hold_until - time.monotonic()
            if wait <= 0:
                break
            if self._closed.wait(wait):
                return
        self.fill()

    def settled(self) -> bool:
        """The pool is full and every spare has warmed up (sent its first message: a ``make`` child says "ready"
        once warm), and no take's hold is on: other warm-up work may have the cores now."""
        with self._lock:
            if self._closed.is_set():
                return True
            if time.monotonic() < self._hold_until or len(self._spares) < self.size:
                return False
            try:
                return all(conn.poll(0) for _, conn in self._spares)
            except OSError:  # closed meanwhile
                return True

    @property
    def pids(self) -> list[int]:
        """Process ids of the spares waiting now."""
        with self._lock:
            return [c[0].pid for c in self._spares]

    def close(self, timeout: float = 10.0) -> None:
        """End every spare still waiting; later ``take()`` calls get None and start nothing."""
        with self._lock:
            self._closed.set()
            spares, self._spares = list(self._spares), deque()
            refill = self._refill
        if refill is not None and refill is not threading.current_thread():
            refill.join()  # woken by _closed; a fill in progress finds the pool closed or is released below
        for child in spares:
            release(child, timeout)


def release(child: Child, timeout: float = 10.0) -> None:
    """End a child that holds no run (a spare) and release its pipe and process handle."""
    proc, conn = child
    conn.close()  # a waiting spare reads EOF and exits by itself
    proc.terminate()  # one still importing torch is not listening yet
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
    proc.close()

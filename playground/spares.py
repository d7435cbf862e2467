"""SparePool: training processes started ahead of time, so a session's first Start finds one warm.

A new training process spends seconds importing torch and the engine (~2 s on a quiet 2-core
machine, 8-20 s while other sessions train) before it can train. The pool keeps ``size`` such
processes started; ``take()`` hands one over (warm, or at least further along than a new one)
and starts its replacement at once, which warms up while the taken one trains.

Why spare spawned processes and not a fork server: each spare is an ordinary ``spawn`` child of
the server (a fresh interpreter, no torch state shared with anyone; it sets its own thread count
when it is handed over), so the server sees its exit code, can kill it, and
``multiprocessing.active_children()`` lists it. Children forked by ``multiprocessing``'s
forkserver hang off that one process: if it dies, every running child reads as ended (exit code
255) to the server, and stopping it waits for all of them.

The pool only holds and starts children; what they run is the ``make`` factory's business
(``playground.process_runner.spawn_child``). ``close()`` ends every spare not handed out and
refuses later requests; a handed-out child belongs to its taker.
"""
from __future__ import annotations

import threading
from collections import deque
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Callable

Child = tuple[BaseProcess, Connection]  # a started process and the server's end of its pipe


class SparePool:
    """``size`` started children kept ready; ``take()`` hands one over and starts the next."""

    def __init__(self, make: Callable[[], Child], size: int = 1) -> None:
        self.make = make  # starts one child (a spawn); its errors leave the pool short, not broken
        self.size = size  # spares kept; each idle one holds ~250 MB (torch imported)
        self._lock = threading.Lock()  # guards _spares and _closed
        self._spares: deque[Child] = deque()
        self._closed = False

    def fill(self) -> None:
        """Start spares until ``size`` are alive (dead ones are released)."""
        with self._lock:
            if self._closed:
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
        self.fill()  # the replacement warms up while the taken one trains
        return child

    def settled(self) -> bool:
        """Every spare has warmed up: each has sent its first message (a ``make`` child says "ready" once warm)."""
        with self._lock:
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
            self._closed = True
            spares, self._spares = list(self._spares), deque()
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

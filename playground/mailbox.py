"""Mailbox: the runner's command queue, and the hand-over of the one worker thread that reads it.

Page threads put commands; one worker thread takes them. A worker ends only when the queue is
empty, checked under the same lock under which a sender decides whether a worker is alive, so a
command is never left without a worker to apply it (playground/runner.py).
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Command:
    name: str  # the runner worker's method _on_<name> applies it
    args: tuple = ()
    done: threading.Event | None = None  # set once applied (stop, reset, close wait for it)


class Mailbox:
    """The command queue, and the hand-over of the one worker thread that reads it.

    A worker ends only when the queue is empty, checked under the same lock under which a sender
    decides whether a worker is alive: a command is never left without a worker to apply it.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def put(self, command: Command) -> None:
        self._queue.put(command)

    def get(self, wait: float | None = None) -> Command | None:
        """The next command; ``wait``: seconds to block for it (None: don't block)."""
        try:
            return self._queue.get(timeout=wait) if wait else self._queue.get_nowait()
        except queue.Empty:
            return None

    def empty(self) -> bool:
        return self._queue.empty()

    def ensure_worker(self, make_target: Callable[["Mailbox"], Callable[[], None]]) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=make_target(self), name="playground-trainer", daemon=True)
                self._worker.start()

    def retire(self) -> bool:
        """Called by the worker: True (and it must end) when no command is queued."""
        with self._lock:
            if not self._queue.empty():
                return False
            self._worker = None
            return True

    def in_worker(self) -> bool:
        return threading.current_thread() is self._worker

    @property
    def worker_alive(self) -> bool:
        worker = self._worker
        return worker is not None and worker.is_alive()

    def join(self, timeout: float) -> None:
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)

"""Admission: at most ``slots`` runs train at once on this server; later Starts wait in line, first come first served.

    gate = Admission(slots=2)
    gate.request(ticket)    # True: train now; False: queued (``ticket.granted()`` is called when its turn comes)
    gate.ahead(ticket)      # runs ahead of a queued ticket (0: next), None when it is not queued
    gate.release(ticket)    # a run ended, paused or was withdrawn: its slot goes to the first in line
    gate.join(ticket) / gate.leave(ticket)   # the runners the watcher looks after

A watcher thread (started by a ``join``, ending once every member has left) asks every holder ``still_training()`` each
WATCH_EVERY s and takes back the slots of runs that have ended or paused, so a slot is freed even
when its page has stopped polling; and it calls every member's ``tick(now)`` (idle runners give their
training process back).

Why: thirty students pressing Start on two cores would each get a fifteenth of a core, and every
chart would crawl (measured before this gate: five sessions at once waited 62-74 s for a first point,
then trained at 5k samples/s each instead of 100k alone). With a gate, the runs that train get a core
each and finish in seconds, and the others see where they are in line.

A ``Ticket`` is anything with ``granted()``; the admitted runner (playground/admitted_runner.py) is
one. ``granted()`` is called on a thread of the gate's own, never under its lock, so a slow start
(a training process that is still importing torch) holds up neither the releasing page nor the line.
"""
from __future__ import annotations

import os
import threading
import time
from collections import deque
from typing import Protocol

from playground.memory_budget import DEFAULT_MB as RUN_MEMORY_MB  # a training process's budget

MAX_TRAINING_ENV = "PLAYGROUND_MAX_TRAINING"
SERVER_MEMORY_MB = 1024  # the server itself, its spare process and the page caches


WATCH_EVERY = 0.25  # s between the watcher's looks: a freed slot reaches the next in line within this


class Ticket(Protocol):
    def granted(self) -> None:
        """Its turn has come: start what was waiting. Called once per queued request, off the gate's lock."""

    def still_training(self) -> bool:
        """False once the run that holds the slot has ended or paused."""

    def tick(self, now: float) -> None:
        """The watcher's periodic call (monotonic ``now``), for housekeeping such as an idle timeout."""


class Admission:
    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"slots == {slots}, must be >= 1")
        self.slots = slots
        self._lock = threading.Lock()
        self._holders: set[int] = set()  # id(ticket) of the runs training now
        self._line: deque[Ticket] = deque()  # waiting, first in line first
        self._members: dict[int, Ticket] = {}  # id -> ticket: every runner the watcher looks after
        self._tickets: dict[int, Ticket] = {}  # id -> ticket, for the holders
        self._watcher: threading.Thread | None = None

    def request(self, ticket: Ticket) -> bool:
        """A slot now (True), or a place at the end of the line (False). A holder asking again keeps its slot."""
        with self._lock:
            if id(ticket) in self._holders:
                return True
            if len(self._holders) < self.slots and not self._line:
                self._holders.add(id(ticket))
                self._tickets[id(ticket)] = ticket
                return True
            if ticket not in self._line:
                self._line.append(ticket)
            return False

    def release(self, ticket: Ticket) -> None:
        """``ticket`` no longer trains (ended, paused, closed) or no longer waits; the freed slots go down the line."""
        with self._lock:
            self._holders.discard(id(ticket))
            self._tickets.pop(id(ticket), None)
            if ticket in self._line:
                self._line.remove(ticket)
            admitted = []
            while self._line and len(self._holders) < self.slots:
                nxt = self._line.popleft()
                self._holders.add(id(nxt))
                self._tickets[id(nxt)] = nxt
                admitted.append(nxt)
        for nxt in admitted:
            threading.Thread(target=nxt.granted, name="playground-admitted", daemon=True).start()

    def join(self, ticket: Ticket) -> None:
        """Look after ``ticket`` (its slot, its ticks) until it leaves; starts the watcher."""
        with self._lock:
            self._members[id(ticket)] = ticket
            if self._watcher is None:
                self._watcher = threading.Thread(target=self._watch, name="playground-admission", daemon=True)
                self._watcher.start()

    def leave(self, ticket: Ticket) -> None:
        """``ticket`` is closed: its slot or place in line goes, and the watcher forgets it."""
        with self._lock:
            self._members.pop(id(ticket), None)
        self.release(ticket)

    def _watch(self) -> None:
        """The watcher thread: ends when the last member leaves (the next ``join`` starts another)."""
        while True:
            time.sleep(WATCH_EVERY)
            with self._lock:
                if not self._members:
                    self._watcher = None
                    return
            self.check()

    def check(self) -> None:
        """One look: slots of runs that no longer train go down the line; every member ticks."""
        with self._lock:
            holders = list(self._tickets.values())
            members = list(self._members.values())
        for ticket in holders:
            if not _safe(ticket.still_training, True):
                self.release(ticket)
        now = time.monotonic()
        for ticket in members:
            _safe(lambda t=ticket: t.tick(now), None)

    def holds(self, ticket: Ticket) -> bool:
        with self._lock:
            return id(ticket) in self._holders

    def ahead(self, ticket: Ticket) -> int | None:
        """How many runs are ahead of ``ticket`` in line (0: it is next); None if it is not waiting."""
        with self._lock:
            for i, waiting in enumerate(self._line):
                if waiting is ticket:
                    return i
        return None

    @property
    def training(self) -> int:
        with self._lock:
            return len(self._holders)

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._line)


def default_slots(cores: int | None = None, memory_mb: int | None = None) -> int:
    """Runs that may train at once: one per core (a run trains on one torch thread), fewer if the memory
    can't hold that many runs at their budget beside the server; ``PLAYGROUND_MAX_TRAINING`` overrides."""
    value = os.environ.get(MAX_TRAINING_ENV)
    if value is not None:
        if not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"{MAX_TRAINING_ENV} == {value!r}, must be a whole number >= 1")
        return int(value)
    cores = cores or os.cpu_count() or 1
    memory_mb = memory_mb or _memory_mb()
    by_memory = (memory_mb - SERVER_MEMORY_MB) // RUN_MEMORY_MB if memory_mb else cores
    return max(1, min(cores, by_memory))


def _safe(call, default):
    """``call()``, or ``default`` if it raises: one broken runner must not stop the watcher for everyone."""
    try:
        return call()
    except Exception:  # noqa: BLE001
        return default


def _memory_mb() -> int | None:
    """The machine's memory in MB (Linux), None when it can't be read."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):
        return None

"""A reload keeps the run: a released session's runner waits GRACE seconds for its browser to return.

Streamlit ends a session on every reload (its session cache is released, which closes the
runner). The browser is the same, though, and Streamlit's XSRF cookie says so: its value is
re-masked on each response, but the token under the mask is fixed per browser. So when a session
ends, its runner is parked under that token; the browser's next session adopts it, and a timer
closes it if nobody does. Another browser (a student opening a shared link) has another token.
"""
from __future__ import annotations

import hashlib
import threading
from itertools import cycle

from playground.runner_protocol import TrainingRunner
from playground.status import Status

GRACE = 30.0  # seconds a parked runner waits; the run's own heartbeat timeout is the same


def browser_key(cookies: dict[str, str]) -> str | None:
    """A stable id of the browser from Streamlit's XSRF cookie ("2|mask|masked-token|time"), or None."""
    try:
        _, mask, masked, _ = cookies["_streamlit_xsrf"].split("|")
        token = bytes(a ^ b for a, b in zip(bytes.fromhex(masked), cycle(bytes.fromhex(mask))))
    except (KeyError, ValueError):
        return None  # no cookie (AppTest, XSRF protection off): every session stands alone
    return hashlib.sha256(token).hexdigest()[:16]


class RunnerPark:
    """Server-wide: runners of ended sessions, by browser key, each until adopted or GRACE runs out."""

    def __init__(self, grace: float = GRACE) -> None:
        self.grace = grace
        self._lock = threading.Lock()
        self._keys: dict[int, str] = {}  # id(runner) -> its browser's key, while its session lives
        self._held: dict[str, tuple[TrainingRunner, threading.Timer]] = {}

    def register(self, runner: TrainingRunner, key: str | None) -> None:
        if key is not None:
            with self._lock:
                self._keys[id(runner)] = key

    def take(self, key: str | None) -> TrainingRunner | None:
        """The runner parked for this browser, if any (its timer is cancelled)."""
        with self._lock:
            held = self._held.pop(key, None) if key is not None else None
        if held is None:
            return None
        held[1].cancel()
        return held[0]

    def release(self, runner: TrainingRunner) -> None:
        """A session ended: park its runner if it has a run to come back to, else close it."""
        with self._lock:
            key = self._keys.pop(id(runner), None)
        if key is None or runner.snapshot().status is Status.IDLE:
            runner.close()
            return
        timer = threading.Timer(self.grace, self._expire, (key, runner))
        timer.name, timer.daemon = "playground-park", True
        with self._lock:
            previous = self._held.pop(key, None)
            self._held[key] = (runner, timer)
        if previous is not None:  # the same browser ended two sessions: keep the newer run
            previous[1].cancel()
            previous[0].close()
        timer.start()

    def _expire(self, key: str, runner: TrainingRunner) -> None:
        with self._lock:
            if self._held.get(key, (None,))[0] is runner:
                del self._held[key]
            else:
                return
        runner.close()

    def close_all(self) -> None:
        with self._lock:
            held, self._held = list(self._held.values()), {}
        for runner, timer in held:
            timer.cancel()
            runner.close()

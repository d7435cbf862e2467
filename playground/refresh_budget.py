"""How often each live page may redraw, so that all of them together use at most a share of the server.

    budget = RefreshBudget(share=0.5)
    budget.record(session, seconds, now)   # after each live redraw: how long it took this server
    every = budget.interval(session, current, now)  # the redraw interval that page should use now

Every live page redraws its charts on a timer (``st.fragment(run_every=...)``), and each redraw costs
the server's one interpreter 40-100 ms of CPU (building and serialising the charts; profiled with
py-spy). Two pages at twice a second cost little; thirty would need more than the one core that
interpreter can use, and then everything on it waits behind the redraws: Pause clicks, heartbeats,
queued Starts (measured: at ten live pages a Pause took 19 s and the runs timed out). So the pages
share one budget: together they may keep the interpreter busy ``share`` of the time, measured, not
guessed. The measure is each redraw's wall time, not its CPU time: on a machine whose cores the
training processes fill, the server gets a fraction of a core, and a redraw's wall time says so.
The interval is the same for every live page (fair), never below the ladder's first step (a lone
page still redraws twice a second), and moves along the ladder with some slack, because a page
changes its interval only through a full rerun.
"""
from __future__ import annotations

import os
import threading

SHARE_ENV = "PLAYGROUND_REFRESH_SHARE"
DEFAULT_SHARE = 0.5  # of the interpreter's time: the rest serves clicks, queued Starts, new pages
LADDER = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)  # s; the top stays well inside the 30 s heartbeat timeout
SLACK = 0.8  # step down only when the need is below this fraction of the lower step: no flapping at an edge
COST_WEIGHT = 0.1  # of each new redraw in the running mean cost (about the last ten redraws)
GONE_AFTER = 3.0  # a page that has not redrawn for this many of its intervals is no longer live


def share_from_env() -> float:
    raw = os.environ.get(SHARE_ENV)
    if raw is None:
        return DEFAULT_SHARE
    try:
        share = float(raw)
    except ValueError:
        raise ValueError(f"{SHARE_ENV} == {raw!r}, must be a number in (0, 64]") from None
    if not 0 < share <= 64:
        raise ValueError(f"{SHARE_ENV} == {share}, must be a number in (0, 64]")
    return share


class RefreshBudget:
    def __init__(self, share: float = DEFAULT_SHARE, ladder: tuple[float, ...] = LADDER) -> None:
        if share <= 0:
            raise ValueError(f"share == {share}, must be > 0")
        self.share = share
        self.ladder = ladder
        self._lock = threading.Lock()
        self._cost: float | None = None  # running mean seconds of one redraw, over all pages
        self._seen: dict[str, tuple[float, float]] = {}  # session -> (last redraw time, its interval then)

    def record(self, session: str, seconds: float, now: float, interval: float | None = None) -> None:
        """A live redraw of ``session`` just took ``seconds``; ``interval``: the one it runs at."""
        with self._lock:
            w = COST_WEIGHT if self._cost is not None else 1.0
            self._cost = (1 - w) * (self._cost or 0.0) + w * max(seconds, 0.0)
            self._seen[session] = (now, interval or self.ladder[0])

    def forget(self, session: str) -> None:
        """``session`` stopped redrawing (its run ended, the tab closed): it no longer counts."""
        with self._lock:
            self._seen.pop(session, None)

    def live(self, now: float) -> int:
        """Pages that redrew recently (within GONE_AFTER of their own interval)."""
        with self._lock:
            self._prune(now)
            return len(self._seen)

    def need(self, now: float, pages: int | None = None) -> float:
        """The interval at which ``pages`` (default: the live ones) redrawing would use exactly the share."""
        with self._lock:
            self._prune(now)
            return self._need(len(self._seen) if pages is None else pages)

    def interval(self, session: str, current: float | None, now: float) -> float:
        """The ladder step ``session`` should redraw at: the smallest one that meets the need, except that
        a page steps down from ``current`` only when the need has fallen well below the lower step."""
        with self._lock:
            self._prune(now)
            need = self._need(len(self._seen) + (session not in self._seen))  # this page counts, seen or not
        fits = next((s for s in self.ladder if s >= need), self.ladder[-1])
        if current is None or current not in self.ladder or fits >= current:
            return fits
        lower = self.ladder[self.ladder.index(current) - 1]
        return fits if need < SLACK * lower else current

    def _need(self, pages: int) -> float:
        return pages * (self._cost or 0.0) / self.share

    def _prune(self, now: float) -> None:
        for session, (last, every) in list(self._seen.items()):
            if now - last > GONE_AFTER * every + 1.0:
                del self._seen[session]

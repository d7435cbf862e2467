"""SweepRunner: a study's trials in ``jobs`` worker processes, with progress and Stop.

    runner = SweepRunner("lr-sweep", jobs=2)   # the study exists (study.create_sweep)
    runner.start()                             # spawns the workers; returns at once
    runner.progress()                          # SweepProgress: done / total, best so far, ETA
    runner.stop()                              # running trials end at their next epoch; finished ones stay
    runner.join()                              # wait for the workers (after the study is done or stopped)

The workers do all the torch work (one thread each); this object only reads the study from the
storage, so a Streamlit page can hold it in its session and poll it from a fragment. Workers are
spawned, never forked (a server's threads and OpenMP pool do not survive a fork).
"""
from __future__ import annotations

import math
import multiprocessing
import os
import time
from dataclasses import dataclass

from playground.sweep.study import load_settings, make_storage
from playground.sweep.worker import work_in_child

STOP_GRACE = 30.0  # s a stopped worker has to end its trial (one epoch) before it is terminated


@dataclass(frozen=True)
class SweepProgress:
    study: str
    total: int  # trials the study will have
    complete: int
    pruned: int
    failed: int  # includes trials ended by Stop
    running: int
    best_value: float | None  # the lowest final val loss so far
    best_trial: int | None
    elapsed: float  # s since start()
    eta: float | None  # s until all trials are done, from this run's pace; None before the first trial ends
    workers: int  # worker processes still alive
    stopping: bool

    @property
    def done(self) -> int:
        return self.complete + self.pruned + self.failed

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 1.0

    @property
    def finished(self) -> bool:
        """No worker of this runner is left: the study is complete, stopped, or the workers failed."""
        return self.workers == 0


class SweepRunner:
    def __init__(self, name: str, url: str | None = None, jobs: int | None = None) -> None:
        jobs = (os.cpu_count() or 1) if jobs is None else jobs
        if jobs < 1:
            raise ValueError(f"jobs == {jobs}, must be >= 1")
        self.name, self.url, self.jobs = name, url, jobs
        self._storage = make_storage(url)
        self.settings = load_settings(name, self._storage)  # ConfigError if there is no such study
        self._ctx = multiprocessing.get_context("spawn")
        self._stop = self._ctx.Event()
        self._procs: list = []
        self._started: float | None = None
        self._ended: float | None = None  # when progress() first saw every worker gone
        self._done_before = 0  # trials already done when started: not part of this run's pace

    def start(self) -> None:
        if self._procs:
            raise RuntimeError("this SweepRunner has already started")
        self._done_before = self._counts()[0]
        self._started = time.monotonic()
        for i in range(self.jobs):
            proc = self._ctx.Process(target=work_in_child, args=(self.name, self.url, self._stop),
                                     name=f"playground-sweep-{i}", daemon=True)  # fmt: skip
            proc.start()
            self._procs.append(proc)

    def progress(self) -> SweepProgress:
        from optuna.trial import TrialState

        trials = self._trials()
        count = lambda state: sum(t.state == state for t in trials)  # noqa: E731
        complete = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None and math.isfinite(t.value)]
        best = min(complete, key=lambda t: t.value, default=None)
        done = sum(t.state.is_finished() for t in trials)
        workers = sum(p.is_alive() for p in self._procs)
        if workers == 0 and self._procs and self._ended is None:
            self._ended = time.monotonic()
        elapsed = (self._ended or time.monotonic()) - self._started if self._started is not None else 0.0
        here = done - self._done_before
        left = max(0, self.settings.trials - done)
        eta = elapsed / here * left if here > 0 else None  # this run's pace, parallel workers included
        return SweepProgress(
            study=self.name, total=self.settings.trials, complete=count(TrialState.COMPLETE), pruned=count(TrialState.PRUNED),
            failed=count(TrialState.FAIL), running=count(TrialState.RUNNING), best_value=None if best is None else best.value,
            best_trial=None if best is None else best.number, elapsed=elapsed, eta=eta,
            workers=workers, stopping=self._stop.is_set(),
        )  # fmt: skip

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Running trials end at their next epoch (FAIL, "stopped"; their runs "stopped" in the store);
        finished trials stay. Workers that do not end within ``grace`` s are terminated and their
        trials marked FAIL."""
        self._stop.set()
        self.join(grace)
        stuck = [p for p in self._procs if p.is_alive()]
        for p in stuck:
            p.terminate()
        for p in stuck:
            p.join(5)
        if stuck:
            self._fail_running()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the workers to end (at most ``timeout`` s in all); True when none is left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for p in self._procs:
            p.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(p.is_alive() for p in self._procs)

    def close(self) -> None:
        """Stop the workers if they still run, and release the storage's connections."""
        if any(p.is_alive() for p in self._procs):
            self.stop()
        for p in self._procs:
            p.join()
        self._storage.engine.dispose()

    @property
    def exit_codes(self) -> list[int | None]:
        return [p.exitcode for p in self._procs]

    def _trials(self):
        study_id = self._storage.get_study_id_from_name(self.name)
        return self._storage.get_all_trials(study_id, deepcopy=False)

    def _counts(self) -> tuple[int, int]:
        trials = self._trials()
        return sum(t.state.is_finished() for t in trials), len(trials)

    def _fail_running(self) -> None:
        """Trials of terminated workers would read RUNNING until the heartbeat's grace ends: fail them now.
        Only used after this runner terminated its own workers; other machines' trials keep running
        only if they beat their heartbeat, which ours no longer do."""
        from optuna.trial import TrialState

        pids = {f":{p.pid}" for p in self._procs}
        for t in self._trials():
            if t.state == TrialState.RUNNING and any(str(t.user_attrs.get("worker", "")).endswith(pid) for pid in pids):
                self._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)

"""A study as plain data: its trials, and its best config as flags, as a URL query and with its metrics.

    summary = summarize("lr-sweep")   # what ``sweep --json`` prints
    rows = trial_rows(study)          # [TrialRow]: number, state, params, value, run id
"""
from __future__ import annotations

import math
import shlex
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from playground.config import RunConfig, to_query
from playground.sweep.study import SweepSettings, make_storage, open_study

if TYPE_CHECKING:
    import optuna

    from playground.store import RunStore


@dataclass(frozen=True)
class TrialRow:
    number: int
    state: str  # COMPLETE | PRUNED | FAIL | RUNNING | WAITING
    params: dict[str, Any]
    value: float | None  # COMPLETE: the final validation loss; PRUNED: the last one reported; else None
    run_id: str | None  # the trial's run in the store
    status: str | None  # the run's status (finished, early_stopped, stopped, diverged, ...)


def trial_rows(study: "optuna.Study") -> list[TrialRow]:
    return [
        TrialRow(t.number, t.state.name, dict(t.params), _finite(t.value), t.user_attrs.get("run_id"), t.user_attrs.get("status"))
        for t in study.get_trials(deepcopy=False)
    ]  # fmt: skip


def as_flags(cfg: RunConfig) -> str:
    """The config's non-default fields as ``train`` flags: ``--lr 0.01 --layers 64:relu``."""
    return " ".join(f"--{name.replace('_', '-')} {shlex.quote(text)}" for name, text in to_query(cfg).items())


def best_config(settings: SweepSettings, study: "optuna.Study") -> tuple["optuna.trial.FrozenTrial", RunConfig] | None:
    """The lowest-loss complete trial and its whole config, or None before any trial completes."""
    from optuna.trial import TrialState

    complete = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if _finite(t.value) is not None]
    if not complete:
        return None
    best = min(complete, key=lambda t: t.value)
    return best, settings.space.config(settings.base, best.params)


def summarize(name: str, url: str | None = None, store: "RunStore | None" = None) -> dict[str, Any]:
    """The study's settings, best trial (config as flags and URL query, metrics from the run store) and trials."""
    storage = make_storage(url)
    try:
        settings, study = open_study(name, storage)
        rows = trial_rows(study)
        found = best_config(settings, study)
    finally:
        storage.engine.dispose()
    best = None
    if found is not None:
        trial, cfg = found
        best = {"number": trial.number, "value": trial.value, "params": dict(trial.params), "run_id": trial.user_attrs.get("run_id"),
                "flags": as_flags(cfg), "query": urlencode(to_query(cfg)), "metrics": _metrics(store, url, trial.user_attrs.get("run_id"))}  # fmt: skip
    return {
        "study": name, "trials_total": settings.trials, "sampler": settings.sampler, "pruner": settings.pruner,
        "space": settings.space.specs(), "base_query": urlencode(to_query(settings.base)),
        "states": {s: sum(r.state == s for r in rows) for s in ("COMPLETE", "PRUNED", "FAIL", "RUNNING")},
        "best": best, "trials": [asdict(r) for r in rows],
    }  # fmt: skip


def _metrics(store: "RunStore | None", url: str | None, run_id: str | None) -> dict[str, float | None] | None:
    """The best run's final train/val/test loss and accuracy as the run store has them."""
    from playground.store import StoreUnavailable, open_store

    if run_id is None:
        return None
    try:
        own = store is None
        store = open_store(url) if own else store
        try:
            run = store.get_run(run_id)
        finally:
            if own:
                store.close()
    except (StoreUnavailable, KeyError):
        return None
    out: dict[str, float | None] = {"epochs": run.epochs}
    for split in ("train", "val", "test"):
        scores = getattr(run, split)
        for key in ("loss", "accuracy", "balanced_accuracy"):
            out[f"{split}_{key}"] = None if scores is None else _finite(getattr(scores, key))
    return out


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None

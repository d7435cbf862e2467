"""Sweeps (issue 10 §4-5): many configs of one base run, chosen by Optuna, each trial a run in the store.

    space = parse_space(["lr=1e-4:1:log", "batch_size=16,32,128"], base)  # ConfigError before anything runs
    create_sweep(SweepSettings("my-sweep", base, space, trials=20, sampler="tpe", pruner="median"))
    runner = SweepRunner("my-sweep", jobs=2); runner.start(); runner.progress(); runner.stop()
    summarize("my-sweep")                                                # best config, trials

One idea per module: space (parsing and checking the search space), study (settings, storage,
samplers, pruners), slots (exactly N trials over any number of workers), objective (one trial =
one recorded Trainer run, with pruning), worker (a process that runs trials), runner (worker
processes, progress, stop), report (a finished study as plain data). Importing this package
imports neither torch nor optuna.
"""
from playground.sweep.report import TrialRow, summarize, trial_rows
from playground.sweep.runner import SweepProgress, SweepRunner
from playground.sweep.space import Space, parse_space
from playground.sweep.study import PRUNERS, SAMPLERS, SweepSettings, create_sweep, load_settings, make_storage, study_names

__all__ = [
    "PRUNERS", "SAMPLERS", "Space", "SweepProgress", "SweepRunner", "SweepSettings", "TrialRow", "create_sweep",
    "load_settings", "make_storage", "parse_space", "study_names", "summarize", "trial_rows",
]  # fmt: skip

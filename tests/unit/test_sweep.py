"""Sweeps end to end on a tiny spiral: a seeded grid's trial set, pruning, the runner's Stop, the CLI."""
import json

import optuna
import pytest
import torch

from playground.cli import main
from playground.config import RunConfig
from playground.store import open_store
from playground.sweep import SweepRunner, SweepSettings, create_sweep, make_storage, parse_space, study_names, summarize
from playground.sweep.objective import Objective
from playground.sweep.study import grid_point
from playground.sweep.worker import work
from tests.unit.polling import wait_for

BASE = RunConfig(dataset="spiral", n_samples=30, layers=RunConfig().layers[:0] + (RunConfig().layers[0].__class__(8, "relu"),),
                 batch_size=0, epochs=4, seed=1)  # fmt: skip
TINY = ["--dataset", "spiral", "--n-samples", "30", "--layers", "8:relu", "--batch-size", "0", "--epochs", "4"]


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("PLAYGROUND_DB", url)
    threads = torch.get_num_threads()
    yield url
    torch.set_num_threads(threads)  # work() keeps its process to one torch thread


def grid_trials(name: str, url: str) -> list[tuple]:
    space = parse_space(["lr=0.01,0.1", "optimizer=sgd,adam", "epochs=2:3"], BASE)
    create_sweep(SweepSettings(name, BASE, space, trials=space.grid_size(), sampler="grid", seed=3), url)
    assert work(name, url) == 8
    summary = summarize(name, url)
    return [(t["params"]["lr"], t["params"]["optimizer"], t["params"]["epochs"], t["state"]) for t in summary["trials"]]


def test_a_seeded_grid_sweep_runs_every_point_once_in_the_same_order(db):
    first, second = grid_trials("grid-a", db), grid_trials("grid-b", db)
    assert first == second  # same seed, one worker: the same trials in the same order
    assert sorted(first) == sorted((lr, opt, ep, "COMPLETE") for lr in (0.01, 0.1) for opt in ("sgd", "adam") for ep in (2, 3))
    with open_store(db) as store:
        runs = store.list_runs(study="grid-a")
    assert len(runs) == 8 and {r.source for r in runs} == {"sweep"} and {r.status for r in runs} == {"finished"}
    summary = summarize("grid-a", db)
    assert {t["run_id"] for t in summary["trials"]} == {r.id for r in runs}
    best = summary["best"]
    assert best["value"] == min(t["value"] for t in summary["trials"])
    assert best["metrics"]["val_loss"] == pytest.approx(best["value"])  # the objective is the final val loss
    assert f"lr={best['params']['lr']:g}" in best["query"] and "--dataset" not in best["flags"]  # spiral is the default
    assert study_names(make_storage(db)) == ["grid-b", "grid-a"]


def test_the_median_pruner_prunes_a_trial_that_lags_the_others(db):
    """Five good trials (adam, lr 0.05) set the median; a sixth with lr 1e-5 barely moves and is pruned."""
    base = BASE.replace(epochs=30)
    settings = SweepSettings("prune", base, parse_space(["lr=1e-5:0.1:log"], base), trials=6, pruner="median")
    study = create_sweep(settings, db)
    for lr in (0.05,) * 5 + (1e-5,):
        study.enqueue_trial({"lr": lr})
    with open_store(db) as store:
        study.optimize(Objective(settings, store), n_trials=6)
        runs = {r.id: r for r in store.list_runs(study="prune")}
    states = [t.state for t in study.trials]
    assert states == [optuna.trial.TrialState.COMPLETE] * 5 + [optuna.trial.TrialState.PRUNED]
    pruned = study.trials[5]
    run = runs[pruned.user_attrs["run_id"]]
    assert run.status == "stopped" and run.message.startswith("pruned at epoch") and 6 <= run.epochs < 30  # warm-up: 20%
    assert pruned.user_attrs["epochs"] == run.epochs


def test_the_runner_runs_a_study_in_two_processes_and_stop_keeps_finished_trials(db):
    slow = BASE.replace(epochs=100_000)  # the second wave of trials would run for minutes: Stop must end them
    settings = SweepSettings("stop", slow, parse_space(["epochs=2,100000", "lr=0.01,0.02"], slow), trials=4, sampler="grid", seed=2)
    assert grid_point(settings, 0)["epochs"] == 2  # the first trial finishes at once; a long one runs beside it
    create_sweep(settings, db)
    runner = SweepRunner("stop", db, jobs=2)
    try:
        runner.start()
        wait_for(lambda: (p := runner.progress()).complete >= 1 and p.running >= 1, 120, "a finished trial and a running one")
        runner.stop()
        p = runner.progress()
    finally:
        runner.close()
    assert p.finished and p.running == 0 and p.stopping and p.complete >= 1 and p.failed >= 1
    assert runner.exit_codes == [0, 0]  # the workers ended their trials and exited on their own
    summary = summarize("stop", db)
    with open_store(db) as store:
        runs = {r.id: r for r in store.list_runs(study="stop")}
    for t in summary["trials"]:
        run = runs[t["run_id"]]
        if t["state"] == "COMPLETE":
            assert t["params"]["epochs"] == 2 and run.status == "finished"
        else:
            assert t["state"] == "FAIL" and run.status == "stopped" and "the sweep was stopped" in run.message


def test_cli_sweep_prints_the_best_config_and_every_trial(db, capsys):
    args = ["sweep", *TINY, "--param", "lr=1e-3:0.3:log", "--param", "optimizer=sgd,adam", "--trials", "3",
            "--sampler", "random", "--jobs", "1", "--study", "cli", "--json"]  # fmt: skip
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["study"] == "cli" and out["jobs"] == 1 and len(out["trials"]) == 3
    assert [t["number"] for t in out["trials"]] == [0, 1, 2] and {t["state"] for t in out["trials"]} == {"COMPLETE"}
    best = out["best"]
    assert set(best) >= {"flags", "query", "metrics", "params", "value", "run_id"} and "--n-samples 30" in best["flags"]
    assert main(args) == 2 and "study == 'cli' already exists" in capsys.readouterr().err


def test_cli_rejects_a_bad_space_before_anything_runs(db, capsys):
    assert main(["sweep", *TINY, "--param", "lr=0:1:log", "--study", "bad"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: lr range low == 0 with log scale, must be > 0"
    assert study_names(make_storage(db)) == []
    assert main(["sweep-worker", "--study", "nope"]) == 2
    assert "error: study == 'nope' is not in this store" in capsys.readouterr().err


def test_an_unreachable_store_is_one_line_and_exit_2(monkeypatch, capsys):
    monkeypatch.setenv("PLAYGROUND_DB", "postgresql://nobody@127.0.0.1:1/x")  # port 1: refused at once
    assert main(["sweep-worker", "--study", "x"]) == 2
    assert main(["sweep", *TINY, "--param", "lr=0.01,0.1", "--study", "x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") and "(from PLAYGROUND_DB)" in line for line in err)

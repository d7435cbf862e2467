"""Two ``sweep-worker`` processes share one study (issue 10 §5): exactly the study's trials, none lost,
none duplicated, every trial a run in the store. On PostgreSQL (Optuna's documented distributed
mode) and on the default SQLite file."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from playground.config import LayerSpec, RunConfig
from playground.store import open_store
from playground.sweep import SweepSettings, create_sweep, make_storage, parse_space, summarize
from playground.sweep.slots import claimed

BASE = RunConfig(dataset="spiral", n_samples=30, layers=(LayerSpec(8, "relu"),), batch_size=0, epochs=3, seed=1)
TRIALS = 8
TIMEOUT = 180  # s for both workers (each imports torch first: seconds on a busy machine)


def test_two_workers_run_exactly_the_studys_trials(store_url):
    """A grid sweep, so the check is exact: every point once. (The other samplers share the slot claims.)"""
    space = parse_space(["lr=0.001,0.01,0.1,0.3", "optimizer=sgd,adam"], BASE)
    name = "shared"
    create_sweep(SweepSettings(name, BASE, space, trials=TRIALS, sampler="grid", pruner="median"), store_url)
    env = {**os.environ, "PLAYGROUND_DB": store_url}
    cmd = [sys.executable, "-m", "playground", "sweep-worker", "--study", name, "--json"]
    workers = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        outs = [w.communicate(timeout=TIMEOUT) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in outs]
    ran = [json.loads(out)["trials_run"] for out, _ in outs]
    assert sum(ran) == TRIALS

    summary = summarize(name, store_url)
    trials = summary["trials"]
    assert [t["number"] for t in trials] == list(range(TRIALS))  # none lost, none duplicated
    assert all(t["state"] in ("COMPLETE", "PRUNED") for t in trials)
    assert sorted((t["params"]["lr"], t["params"]["optimizer"]) for t in trials) == sorted(
        (lr, opt) for lr in (0.001, 0.01, 0.1, 0.3) for opt in ("sgd", "adam"))  # every point once, whoever ran it
    run_ids = [t["run_id"] for t in trials]
    assert len(set(run_ids)) == TRIALS
    with open_store(store_url) as store:
        runs = {r.id: r for r in store.list_runs(study=name)}
        assert set(runs) == set(run_ids)
        assert {r.source for r in runs.values()} == {"sweep"}
        assert all(r.status in ("finished", "stopped") for r in runs.values())
        assert claimed(store.engine, name) == TRIALS
    storage = make_storage(store_url)
    assert storage.get_study_user_attrs(storage.get_study_id_from_name(name))["playground"]["trials"] == TRIALS
    storage.engine.dispose()

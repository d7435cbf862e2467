"""``python -m playground runs`` and ``train``'s recording, on both backends; a broken store exits 2."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.cli import main

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ["train", "--dataset", "xor", "--n-samples", "80", "--epochs", "4", "--layers", "8:tanh", "--seed", "2", "--json"]
GARBAGE = b"not a database" * 100


def runs_json(capsys) -> dict:
    assert main(["runs", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def test_train_records_its_run_and_runs_lists_it(store_url, monkeypatch, capsys):
    monkeypatch.setenv("PLAYGROUND_DB", store_url)
    assert main(TRAIN) == 0
    out, err = capsys.readouterr()
    trained = json.loads(out)
    assert "run_id" not in trained  # train's JSON keys stay as they were; the id is on stderr
    run_id = err.split("recorded as run ")[1].split()[0]
    assert main([*TRAIN, "--no-record"]) == 0 and "recorded" not in capsys.readouterr().err
    listing = runs_json(capsys)
    assert listing["store"] == store_url and [r["id"] for r in listing["runs"]] == [run_id]
    run = listing["runs"][0]
    assert (run["status"], run["source"], run["query"], run["epochs"]) == ("finished", "cli", trained["query"], 4)
    assert run["label"] == "adam lr 0.01 · 8:tanh · xor" and run["created"].endswith("+00:00")
    for key in ("train_loss", "val_accuracy", "test_loss", "test_accuracy"):  # the same final weights, evaluated alike
        assert run["metrics"][key] == trained[key], key
    assert run["metrics"]["test_balanced_accuracy"] == trained["balanced_accuracy"]
    assert run["confusion_matrix"] == trained["confusion_matrix"] and run["has_weights"] is True


def test_runs_lists_newest_first_with_session_and_limit(tmp_path, monkeypatch, capsys):
    from playground.store import open_store

    monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{tmp_path / 'runs.db'}")
    with open_store() as store:
        for i, session in enumerate(["a", "b", "a"]):
            store.begin_run(f"r{i}", "epochs=3", f"run {i}", session=session)
            time.sleep(0.01)  # distinct creation times: newest first
    assert [r["id"] for r in runs_json(capsys)["runs"]] == ["r2", "r1", "r0"]
    assert main(["runs", "--json", "--session", "a", "--limit", "1"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)["runs"]] == ["r2"]
    assert main(["runs"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == f"3 runs in sqlite:///{tmp_path / 'runs.db'}" and table[2].startswith("r2 ") and "run 2" in table[2]
    assert main(["runs", "--limit", "0"]) == 2 and "error: --limit == 0, must be >= 1" in capsys.readouterr().err


def test_a_broken_store_exits_2_and_train_still_trains(tmp_path, monkeypatch, capsys):
    (tmp_path / "runs.db").write_bytes(GARBAGE)
    monkeypatch.delenv("PLAYGROUND_DB", raising=False)
    monkeypatch.setenv("PLAYGROUND_HOME", str(tmp_path))
    assert main(["runs", "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: Runs are not being saved: the run store sqlite:///") and err.count("\n") == 1
    assert "file is not a database" in err
    assert main(TRAIN) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "finished" and "warning: Runs are not being saved" in err
    assert (tmp_path / "runs.db").read_bytes() == GARBAGE


def test_runs_as_a_process_exit_codes(tmp_path):
    env = {**os.environ, "PLAYGROUND_DB": f"sqlite:///{tmp_path / 'runs.db'}"}
    cmd = [sys.executable, "-m", "playground", "runs", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert done.returncode == 0 and json.loads(done.stdout)["runs"] == [], done.stderr
    broken = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={**env, "PLAYGROUND_DB": "nonsense"}, cwd=ROOT)
    assert broken.returncode == 2 and broken.stdout == ""
    assert broken.stderr.startswith("error: Runs are not being saved: the run store nonsense (from PLAYGROUND_DB)")


@pytest.mark.parametrize("argv", [["runs", "--help"], ["train", "--help"]])
def test_help_loads_neither_torch_nor_the_store(argv):
    code = f"import sys\nfrom playground.cli import main\ntry: main({argv!r})\nexcept SystemExit: pass\n" \
           "print(sorted(m for m in ('torch', 'sqlalchemy') if m in sys.modules), file=sys.stderr)"  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr

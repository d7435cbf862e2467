"""``python -m playground race``: JSON report, per-optimizer flags, readable errors."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground.cli import main
from playground.race import OptimizerSettings, run_race
from playground.surfaces import SURFACES

ROOT = Path(__file__).resolve().parents[2]


def race_json(capsys, *flags: str) -> dict:
    assert main(["race", *flags, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_one_entry_per_optimizer_with_the_documented_keys(capsys):
    report = race_json(capsys, "--surface", "rosenbrock", "--optimizers", "sgd,momentum,adam",
                       "--lr", "0.001", "--steps", "50", "--start", "-1.5,2")
    assert report["surface"] == "rosenbrock" and report["start"] == [-1.5, 2.0] and report["steps"] == 50
    assert list(report["optimizers"]) == ["sgd", "momentum", "adam"]
    for entry in report["optimizers"].values():
        assert {"final_point", "final_loss", "path_length", "diverged_at"} <= set(entry)
        assert entry["lr"] == 0.001 and len(entry["final_point"]) == 2 and entry["diverged_at"] is None


def test_json_matches_the_engine(capsys):
    report = race_json(capsys, "--surface", "beale", "--optimizers", "adam", "--lr", "0.05", "--steps", "30",
                       "--start", "1,1.5", "--beta1", "0.8")
    track = run_race(SURFACES["beale"], {"adam": OptimizerSettings(0.05, {"beta1": 0.8})}, (1, 1.5), 30).tracks["adam"]
    assert report["optimizers"]["adam"]["final_point"] == track.final_point.tolist()
    assert report["optimizers"]["adam"]["final_loss"] == track.final_loss
    assert report["optimizers"]["adam"]["knobs"] == {"beta1": 0.8, "beta2": 0.999}


def test_per_optimizer_lr_and_comparable_defaults(capsys):
    report = race_json(capsys, "--optimizers", "sgd,momentum,adam", "--lr", "sgd=0.002,adam=0.05", "--steps", "5")
    lrs = {n: e["lr"] for n, e in report["optimizers"].items()}
    assert lrs == {"sgd": 0.002, "momentum": 0.001, "adam": 0.05}  # momentum: rosenbrock's comparable lr
    report = race_json(capsys, "--optimizers", "sgd,adam", "--lr", "0.01,adam=0.2", "--steps", "5")
    assert {n: e["lr"] for n, e in report["optimizers"].items()} == {"sgd": 0.01, "adam": 0.2}


def test_knob_flags_reach_only_the_optimizers_that_read_them(capsys):
    report = race_json(capsys, "--surface", "bowl", "--condition", "50", "--optimizers", "sgd,momentum,nesterov,rmsprop",
                       "--momentum", "0.5,nesterov=0.8", "--rho", "0.95", "--steps", "5")
    knobs = {n: e["knobs"] for n, e in report["optimizers"].items()}
    assert knobs == {"sgd": {}, "momentum": {"momentum": 0.5}, "nesterov": {"momentum": 0.8}, "rmsprop": {"rho": 0.95}}
    assert report["params"] == {"condition": 50.0}


def test_divergence_is_reported_as_a_step(capsys):
    report = race_json(capsys, "--surface", "bowl", "--optimizers", "sgd,adam", "--lr", "sgd=0.3", "--steps", "60")
    assert report["optimizers"]["sgd"]["diverged_at"] == 20
    assert report["optimizers"]["adam"]["diverged_at"] is None


def test_table_without_json(capsys):
    assert main(["race", "--surface", "bowl", "--optimizers", "sgd,adam", "--lr", "sgd=0.3", "--steps", "60"]) == 0
    out = capsys.readouterr().out
    assert "final loss" in out and "path length" in out
    assert "at step 20" in out


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--lr", "foo=1"], "--lr entry 'foo=1' names 'foo', which is not in --optimizers"),
        (["--lr", "fast"], "--lr entry 'fast', must be NUMBER or NAME=NUMBER"),
        (["--optimizers", "sgd,lbfgs"], "--optimizers entry 'lbfgs', must be one of"),
        (["--start", "1"], "--start == '1', must be X,Y"),
        (["--condition", "3"], "--condition == 3 applies only to --surface bowl"),
        (["--surface", "bowl", "--condition", "0.5"], r"condition == 0.5, must be in [1, 1000]"),
        (["--steps", "0"], "steps == 0, must be an integer in [1, 10000]"),
        (["--surface", "moon"], "surface == 'moon', must be one of"),
        (["--optimizers", "sgd,adam", "--momentum", "sgd=0.5"], "sgd does not use momentum"),
        (["--lr", "-1"], "lr == -1.0 (sgd), must be a finite number > 0"),
        (["--start", "1e308,1e308"], "start == (1e+308, 1e+308), must have |x| and |y| <= 1e+06"),  # was an IndexError
        (["--start", "nan,1"], "start == (nan, 1.0), must be two finite numbers"),
        (["--steps", "1000000000"], "steps == 1000000000, must be an integer in [1, 10000]"),
        (["--optimizers", "nesterov", "--momentum", "0"], "momentum == 0.0 (nesterov), must be in (0, 1)"),
        (["--lr", "inf"], "lr == inf (sgd), must be a finite number > 0"),
    ],
)
def test_bad_flags_exit_2_with_a_clear_message(capsys, flags, message):
    assert main(["race", "--steps", "3", *flags]) == 2  # a later --steps overrides the first
    err = capsys.readouterr().err
    assert message in err and err.startswith("error: ") and err.count("\n") == 1  # one line, no traceback


def test_module_entry_point_prints_one_json_object():
    cmd = [sys.executable, "-m", "playground", "race", "--surface", "rosenbrock", "--optimizers", "sgd,momentum,adam",
           "--lr", "0.001", "--steps", "500", "--start", "-1.5,2", "--json"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert list(report["optimizers"]) == ["sgd", "momentum", "adam"]
    assert report["optimizers"]["momentum"]["final_loss"] < report["optimizers"]["sgd"]["final_loss"]

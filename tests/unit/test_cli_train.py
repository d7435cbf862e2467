"""``python -m playground train``: flags from RunConfig, the JSON contract, errors and reproducibility."""
import json
import math
import os
import subprocess
import sys

import pytest

from playground.cli import main
from playground.config import DEFAULT, FIELDS

SMALL = ["train", "--dataset", "spiral", "--n-samples", "60", "--epochs", "5", "--layers", "16:relu"]
KEYS = {
    "config", "epochs_run", "train_loss", "val_loss", "test_loss", "train_accuracy", "val_accuracy", "test_accuracy",
    "balanced_accuracy", "confusion_matrix", "seconds", "samples_per_second", "status", "message", "notes",
    "device", "n_params", "test_recall",
}  # fmt: skip


def run_json(capsys, *flags: str) -> dict:
    assert main([*SMALL, *flags, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON line on stdout
    return json.loads(out)


def test_json_keys_and_values(capsys):
    r = run_json(capsys, "--optimizer", "sgd", "--lr", "0.1", "--batch-size", "0", "--seed", "3")
    assert KEYS <= set(r)
    assert set(r["config"]) == set(FIELDS)
    assert r["config"]["layers"] == "16:relu" and r["config"]["optimizer"] == "sgd" and r["config"]["lr"] == 0.1
    assert r["config"]["batch_size"] == 0 and r["config"]["seed"] == 3 and r["config"]["restore_best"] is True
    assert r["status"] == "finished" and r["epochs_run"] == 5
    C = DEFAULT.classes  # spiral: 60 points per class
    n_test = round(60 * C * DEFAULT.test_split)
    assert sum(map(sum, r["confusion_matrix"])) == n_test and len(r["confusion_matrix"]) == C
    assert r["test_accuracy"] == pytest.approx(sum(r["confusion_matrix"][i][i] for i in range(C)) / n_test)
    assert r["balanced_accuracy"] == pytest.approx(sum(r["test_recall"]) / C)
    assert r["n_params"] == 2 * 16 + 16 + 16 * C + C
    assert r["seconds"] > 0 and r["samples_per_second"] == pytest.approx(5 * r["n_train"] / r["seconds"])
    assert r["query"] == "n_samples=60&layers=16%3Arelu&optimizer=sgd&lr=0.1&batch_size=0&epochs=5&seed=3"


def test_every_config_field_has_a_flag(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = capsys.readouterr().out
    for name in FIELDS:
        assert "--" + name.replace("_", "-") in help_text
    for extra in ("--dropout", "--batchnorm", "--json", "--quiet"):
        assert extra in help_text


HELP_WITHOUT_TORCH = """
import sys
from playground.cli import main
try:
    main(["train", "--help"])
except SystemExit:
    pass
print("torch" in sys.modules)
"""


def test_train_help_imports_no_torch():
    # --help builds only the train parser, from RunConfig's fields; the engine loads when a run starts
    done = subprocess.run([sys.executable, "-c", HELP_WITHOUT_TORCH], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--n-samples" in done.stdout, done.stderr
    assert done.stdout.strip().endswith("False"), done.stdout


def test_top_level_help_still_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in ("train", "race", "lr-find"))


def test_flags_reach_the_config(capsys):
    r = run_json(capsys, "--val-split", "0.25", "--test-split", "0.15", "--weight-decay", "0.001", "--l1", "0.0001",
                 "--momentum", "0.5", "--patience", "3", "--noise", "0.1", "--classes", "4", "--device", "cpu",
                 "--restore-best", "0", "--class-weights", "balanced", "--init", "xavier")  # fmt: skip
    c = r["config"]
    assert (c["val_split"], c["test_split"], c["weight_decay"], c["l1"], c["momentum"]) == (0.25, 0.15, 0.001, 0.0001, 0.5)
    assert (c["patience"], c["noise"], c["classes"], c["device"], c["restore_best"]) == (3, 0.1, 4, "cpu", False)
    assert c["class_weights"] == "balanced" and c["init"] == "xavier" and r["device"] == "cpu"
    assert len(r["confusion_matrix"]) == 4


def test_val_every_flag_reaches_the_run_and_keeps_the_json_keys(capsys):
    assert main([*SMALL, "--val-every", "2", "--progress", "1", "--json"]) == 0
    out, err = capsys.readouterr()
    r = json.loads(out)
    assert KEYS <= set(r) and r["config"]["val_every"] == 2 and "val_every=2" in r["query"]
    assert any(note.startswith("Validating every 2 epochs (val_every)") for note in r["notes"])
    lines = [line for line in err.splitlines() if line.startswith("epoch")]
    assert [("val_loss" in line) for line in lines] == [True, True, False, True, True]  # epochs 1, 2, 4 and the last
    last_val = float(lines[-1].split("val_loss")[1].split()[0])
    assert r["val_loss"] == pytest.approx(last_val, abs=1e-4)  # the final epoch is always validated


def test_dropout_and_batchnorm_apply_to_every_hidden_layer(capsys):
    r = run_json(capsys, "--layers", "8:tanh,4", "--dropout", "0.25", "--batchnorm")
    assert r["config"]["layers"] == "8:tanh:0.25:bn,4:relu:0.25:bn"
    assert r["n_params"] == (2 * 8 + 8 + 16) + (8 * 4 + 4 + 8) + (4 * 3 + 3)


def test_pima_mode_and_batch_clamp_note(capsys):
    r = run_json(capsys, "--dataset", "pima", "--pima-missing", "drop_columns", "--batch-size", "5000")
    assert r["n_train"] + r["n_val"] + r["n_test"] == 724
    assert r["config"]["batch_size"] == r["n_train"]  # the effective, clamped config
    assert any("batch_size == 5000" in note for note in r["notes"])
    assert len(r["confusion_matrix"]) == 2


def test_same_seed_same_metrics_through_the_cli(capsys):
    timing = ("seconds", "samples_per_second")
    a, b = (run_json(capsys, "--seed", "5", "--dropout", "0.1") for _ in range(2))
    c = run_json(capsys, "--seed", "6", "--dropout", "0.1")
    assert {k: v for k, v in a.items() if k not in timing} == {k: v for k, v in b.items() if k not in timing}
    assert a["train_loss"] != c["train_loss"]


def test_human_summary_and_progress(capsys):
    assert main([*SMALL, "--progress", "2"]) == 0
    out, err = capsys.readouterr()
    assert "test balanced accuracy" in out and "finished 5 epochs" in out and "samples/s" in out
    assert [line.split()[1] for line in err.splitlines() if line.startswith("epoch")] == ["2/5", "4/5", "5/5"]


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--layers", "100:swish"], "error: activation == 'swish' (layer 1), must be one of ['relu'"),
        (["--layers", "0:relu"], "error: hidden units == 0 (layer 1), must be >= 1"),
        (["--lr", "0"], "error: lr == 0.0, must be in (0, 10]"),
        (["--lr=-0.5"], "error: lr == -0.5, must be in (0, 10]"),
        (["--val-split", "0.5", "--test-split", "0.5"], "error: val_split + test_split == 1, must be < 0.9"),
        (["--epochs", "ten"], "error: epochs == 'ten', must be an integer"),
        (["--val-every", "-1"], "error: val_every == -1, must be >= 0"),
        (["--restore-best", "maybe"], "error: restore_best == 'maybe', must be 0 or 1"),
        (["--dropout", "1.5"], "error: dropout == 1.5 (layer 1), must be in [0, 1)"),
        (["--optimizer", "lbfgs"], "error: optimizer == 'lbfgs', must be one of"),
        (["--seed", "4294967296"], "error: seed == 4294967296, must be in [0, 4294967295]"),
        (["--n-samples", "50000", "--classes", "10"],
         "error: n_samples x classes == 50000 x 10 = 500,000 points (spiral), must be <= 100,000"),
        (["--dataset", "xor", "--n-samples", "50000", "--batch-size", "1"],
         "error: batch_size == 1 makes 60,000 steps per epoch over 60,000 training rows, must make <= 10,000"),
        (["--val-split", "1e-300"], "error: val_split == 1e-300 holds out 1 of 180 rows, must hold out at least one per class"),
        (["--weight-decay", "1e300"], "error: weight_decay == 1e+300, must be in [0, 10]"),
        (["--optimizer", "nesterov", "--momentum", "0"], "error: momentum == 0.0, must be > 0 for optimizer 'nesterov'"),
        (["--epochs", "inf"], "error: epochs == 'inf', must be an integer"),
        (["--batch-size=-1"], "error: batch_size == -1, must be >= 0"),
        (["--lr", "nan"], "error: lr == nan, must be a finite number"),
    ],
)
def test_bad_values_exit_2_with_the_config_message(capsys, flags, message):
    assert main([*SMALL, *flags, "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(message) and err.count("\n") == 1


def test_unknown_flag_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main([*SMALL, "--learning-rate", "0.1"])
    assert info.value.code == 2 and "unrecognized arguments: --learning-rate" in capsys.readouterr().err


def test_missing_data_file_exits_2_with_a_clear_message(capsys, monkeypatch, tmp_path):
    import sklearn.datasets

    def refuse(*args, **kwargs):
        raise OSError("offline (test)")

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", refuse)
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path))
    assert main(["train", "--dataset", "ionosphere", "--epochs", "1", "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: Ionosphere is not available") and "ionosphere.csv" in err


def test_subprocess_json_run():
    cmd = [sys.executable, "-m", "playground", "train", "--dataset", "spiral", "--layers", "100:relu",
           "--optimizer", "adam", "--lr", "0.01", "--batch-size", "0", "--epochs", "20", "--seed", "0",
           "--n-samples", "50", "--json"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ})
    assert done.returncode == 0, done.stderr
    r = json.loads(done.stdout)
    assert KEYS <= set(r) and r["epochs_run"] == 20 and r["config"]["layers"] == "100:relu"
    assert r["train_loss"] < math.log(DEFAULT.classes)  # below chance level after 20 full-batch Adam steps

"""``python -m playground lr-find``: the JSON contract, the shared train flags, and clean errors."""
import json

import pytest

from playground.cli import main


def test_json_keys_and_curve(capsys):
    code = main(["lr-find", "--dataset", "spiral", "--n-samples", "60", "--layers", "16:tanh", "--num-steps", "40", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert {"suggested_lr", "lr_range", "num_steps", "steps_run", "stopped_early", "message", "curve"} <= set(out)
    assert out["lr_range"] == [1e-06, 10.0] and out["num_steps"] == 40
    assert len(out["curve"]) == out["steps_run"] <= 40
    assert set(out["curve"][0]) == {"lr", "loss", "smoothed"}
    assert out["suggested_lr"] is None or 1e-6 <= out["suggested_lr"] <= 10.0


def test_plain_text_report(capsys):
    assert main(["lr-find", "--n-samples", "40", "--num-steps", "20", "--optimizer", "sgd"]) == 0
    assert "suggested lr:" in capsys.readouterr().out


def test_bad_flags_exit_2_with_the_limit(capsys):
    assert main(["lr-find", "--n-samples", "5"]) == 2
    assert "n_samples == 5, must be in [10, 50000]" in capsys.readouterr().err
    assert main(["lr-find", "--start-lr", "1", "--end-lr", "0.1"]) == 2
    assert "must be > 0 and < end_lr" in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--num-steps", "1000000000"], "error: num_steps == 1000000000, must be in [2, 10000]"),  # grew past 3 GB first
        (["--num-steps", "1"], "error: num_steps == 1, must be in [2, 10000]"),
        (["--end-lr", "inf"], "error: end_lr == inf, must be a number <= 1e+06"),  # was "Out of range float values ..."
        (["--end-lr", "nan"], "error: end_lr == nan, must be a number <= 1e+06"),
        (["--start-lr", "nan"], "error: start_lr == nan, must be > 0 and < end_lr == 10"),
        (["--start-lr=-1"], "error: start_lr == -1, must be > 0 and < end_lr == 10"),
    ],
)
def test_range_flags_past_their_limits_exit_2_before_any_data(capsys, monkeypatch, flags, message):
    import playground.cli.lr_find as cli

    monkeypatch.setattr(cli, "prepare", lambda cfg: pytest.fail("the data was loaded before the flags were checked"))
    assert main(["lr-find", *flags, "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == message + "\n"

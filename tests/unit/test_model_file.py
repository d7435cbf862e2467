"""Model files: a round trip gives identical predictions; every bad file is refused naming why; the CLI's
``--save`` and ``--init-from``."""
import io
import json
import struct

import numpy as np
import pytest
import torch
from safetensors.torch import save

from playground.cli import main
from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.model_file import MAX_BYTES, BadModelFile, load_into, model_bytes, read
from playground.trainer import Trainer

CFG = RunConfig(dataset="spiral", n_samples=60, layers=parse_layers("16:relu,8:tanh:0:bn"), epochs=5, seed=2)


@pytest.fixture(scope="module")
def trained():
    trainer = Trainer(CFG, prepare(CFG))
    trainer.fit()
    return trainer, model_bytes(trainer)


def test_round_trip_gives_identical_predictions(trained):
    trainer, data = trained
    mf = read(data)
    assert mf.cfg == trainer.cfg and mf.n_features == 2
    again = Trainer(mf.cfg, prepare(mf.cfg))  # fresh random init, then the file's weights
    load_into(again, mf)
    X = trainer.splits.X_test
    assert np.array_equal(again.predict_proba(X), trainer.predict_proba(X))
    assert again.evaluate("test").accuracy == trainer.evaluate("test").accuracy
    raw = trainer.splits.dataset.X  # the file's scaler turns raw rows into the model's inputs
    scaled = mf.scaler.transform(raw)
    assert max(np.abs(scaled - row).max(axis=1).min() for row in X) < 1e-6


def _flip(data: bytes, at: int) -> bytes:
    b = bytearray(data)
    b[at] ^= 0xFF
    return bytes(b)


def _safetensors(meta: dict) -> bytes:
    return save({"model.0.weight": torch.zeros(2, 2)}, metadata=meta)


def _pickle() -> bytes:
    buffer = io.BytesIO()
    torch.save({"weight": torch.zeros(2)}, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("make, match", [
    (lambda d: b"", "not a model file"),
    (lambda d: b"hello, I am a text file that is long enough", "not a model file"),
    (lambda d: _pickle(), "not a model file"),  # a torch pickle is never unpickled
    (lambda d: struct.pack("<Q", 5) + b"{nope", "not a model file"),
    (lambda d: _safetensors({"note": "someone else's"}), "not a model file"),
    (lambda d: _safetensors({"format": "playground-model", "version": "9"}), "version"),
    (lambda d: d[: len(d) - 100], "corrupted"),  # truncated
    (lambda d: _flip(d, len(d) - 7), "corrupted"),  # a flipped byte in the weights
    (lambda d: d + b"\0" * (MAX_BYTES + 1 - len(d)), "must be <= 20 MB"),
])  # fmt: skip
def test_bad_files_are_refused_naming_why(trained, make, match):
    with pytest.raises(BadModelFile, match=match):
        read(make(trained[1]))


def test_an_invalid_config_in_the_file_is_corruption(trained):
    data = trained[1]
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    header["__metadata__"]["query"] = "lr=-1"
    text = json.dumps(header).encode()
    with pytest.raises(BadModelFile, match="config is invalid.*lr == -1"):
        read(struct.pack("<Q", len(text)) + text + data[8 + n :])


@pytest.mark.parametrize("changes, match", [
    ({"dataset": "circles"}, "has shape"),  # 2 classes where the file has 3 outputs
    ({"dataset": "wine"}, "takes 2 features, wine has 13"),
    ({"layers": parse_layers("32:relu,8:tanh:0:bn")}, r"has shape \(16, 2\).*needs \(32, 2\)"),
    ({"layers": parse_layers("16:relu,8:tanh")}, "lacks"),  # no BatchNorm
])  # fmt: skip
def test_the_wrong_architecture_for_the_data_is_refused(trained, changes, match):
    cfg = CFG.replace(**changes)
    with pytest.raises(BadModelFile, match="wrong architecture for the chosen data.*" + match):
        load_into(Trainer(cfg, prepare(cfg)), read(trained[1]))


SMALL = ["train", "--dataset", "spiral", "--n-samples", "60", "--layers", "16:relu,16:relu", "--epochs", "5",
         "--no-record", "--quiet"]  # fmt: skip


def test_cli_save_then_init_from_with_a_frozen_first_layer(tmp_path, capsys):
    first, second = tmp_path / "a.safetensors", tmp_path / "b.safetensors"
    assert main([*SMALL, "--save", str(first)]) == 0
    capsys.readouterr()
    # the file's config is the default setup: dataset, n_samples come from it; --layers freezes layer 1
    assert main(["train", "--init-from", str(first), "--layers", "16:relu:frozen,16:relu", "--epochs", "3",
                 "--no-record", "--json", "--save", str(second)]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["config"]["n_samples"] == 60 and out["config"]["layers"] == "16:relu:frozen,16:relu"
    a, b = read(first.read_bytes()), read(second.read_bytes())
    assert np.array_equal(a.state["0.weight"], b.state["0.weight"]) and np.array_equal(a.state["0.bias"], b.state["0.bias"])
    assert not np.array_equal(a.state["2.weight"], b.state["2.weight"])  # the rest trained on


def test_cli_init_from_refuses_a_mismatch_and_a_missing_file(tmp_path, capsys):
    path = tmp_path / "a.safetensors"
    assert main([*SMALL, "--save", str(path)]) == 0
    assert main(["train", "--init-from", str(path), "--layers", "32:relu", "--no-record"]) == 2
    assert "wrong architecture for the chosen data" in capsys.readouterr().err
    assert main(["train", "--init-from", str(tmp_path / "nope.safetensors"), "--no-record"]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("layers", ["", "16:relu", "16:relu:0.2:bn,8:tanh,4:gelu:0.1", "8:relu::bn:frozen"])
def test_expected_shapes_match_build_mlp(layers):
    from playground.model import build_mlp
    from playground.model_file import expected_shapes

    specs = parse_layers(layers) if layers else ()
    built = {k: tuple(v.shape) for k, v in build_mlp(5, specs, 3).state_dict().items()}
    assert expected_shapes(5, specs, 3) == built


def test_cli_does_not_save_a_diverged_run(tmp_path, capsys):
    path = tmp_path / "nan.safetensors"
    assert main([*SMALL, "--optimizer", "sgd", "--lr", "10", "--layers", "16:linear,16:linear", "--epochs", "30",
                 "--save", str(path)]) == 0  # fmt: skip
    assert not path.exists() and "not saved" in capsys.readouterr().err


def test_the_size_limit_is_the_uploaders():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert MAX_BYTES == config["server"]["maxUploadSize"] * 1024 * 1024


def test_a_run_started_from_a_file_begins_at_its_weights(trained):
    """Through the Runner, as the page starts it: the file's weights load before any observer takes the start
    (the trajectory's step 0 is the file's weights, not the random init)."""
    import functools
    import time

    from playground.diagnostics.trajectory import find_recorder, flat_weights
    from playground.model_file import with_init
    from playground.runner import Runner

    data = trained[1]
    cfg = CFG.replace(epochs=2)
    runner = Runner()
    try:
        runner.start(cfg, prepare(cfg), extra_callbacks=functools.partial(with_init, None, data))
        deadline = time.monotonic() + 30
        while not runner.snapshot().status.ended and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runner.snapshot().status.has_model, runner.snapshot().message
        steps, weights = find_recorder(runner._state.trainer).trajectory()
        assert steps[0] == 0 and np.array_equal(weights[0], flat_weights(trained[0].model).numpy())
    finally:
        runner.close()

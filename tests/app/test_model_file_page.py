"""The Playground's Model file panel (AppTest): a good file inspected and trained from, frozen layer kept;
bad files refused with nothing changed."""
import numpy as np
import pytest

from apptest_helpers import app, progress, rerun_until

from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.model_file import model_bytes, read
from playground.store import open_store
from playground.stored_model import stored_model_file
from playground.trainer import Trainer


@pytest.fixture(autouse=True)
def own_store(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{tmp_path / 'runs.db'}")
    monkeypatch.setenv("PLAYGROUND_RUNNER", "thread")  # the panel is the subject here, not the process runner


def _file(**changes) -> tuple[bytes, float]:
    """A trained model file and its test accuracy."""
    cfg = RunConfig(n_samples=100, layers=parse_layers("16:relu:frozen,16:relu"), epochs=5, seed=2).replace(**changes)
    trainer = Trainer(cfg, prepare(cfg))
    accuracy = trainer.fit().accuracy
    return model_bytes(trainer), accuracy


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_a_good_file_is_inspected_then_trained_from_with_its_frozen_layer_kept():
    data, accuracy = _file()
    at = app()
    at.file_uploader(key="model_upload").upload("spiral.safetensors", data).run()
    assert not _errors(at) and any("spiral.safetensors" in c.value for c in at.caption)
    at.button(key="model_inspect").click().run()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Test accuracy"] == f"{accuracy:.1%}"
    at.button(key="model_train_own").click().run()
    assert at.query_params["layers"] in ("16:relu:frozen,16:relu", ["16:relu:frozen,16:relu"])
    assert any("next Start begins from the weights of" in i.value for i in at.info)
    at.button(key="start").click().run()
    rerun_until(at, lambda at: "Finished" in progress(at), "the run from the file to finish")
    with open_store() as store:
        run_id = store.list_runs()[0].id
        rerun_until(at, lambda at: store.load_weights(run_id) is not None, "the run's weights in the store")
    at.session_state["runs_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    model_buttons = [b for b in at.get("download_button") if b.proto.id.endswith("run_model")]
    assert len(model_buttons) == 1 and not model_buttons[0].proto.disabled  # the Runs table's "Model"
    before, after = read(data), read(stored_model_file(open_store().url, run_id))  # what Download gives
    assert after.cfg.layers == before.cfg.layers
    assert np.array_equal(before.state["0.weight"], after.state["0.weight"])  # frozen: the file's own weights
    assert not np.array_equal(before.state["2.weight"], after.state["2.weight"])  # the rest trained on


def test_bad_files_are_refused_naming_why_and_nothing_changes():
    at = app(n_samples="100")
    query = dict(at.query_params)
    uploader = at.file_uploader(key="model_upload")
    uploader.upload("notes.txt", b"just some text, not weights at all").run()
    assert any("Not loaded: not a model file" in e for e in _errors(at))
    good, _ = _file()
    at.file_uploader(key="model_upload").upload("cut.safetensors", good[:-50]).run()
    assert any("Not loaded: corrupted model file" in e for e in _errors(at))
    circles, _ = _file(dataset="circles")  # one output; the page's spiral has 3 classes
    at.file_uploader(key="model_upload").upload("circles.safetensors", circles).run()
    at.button(key="model_train_mine").click().run()
    assert any("Not loaded: wrong architecture for the chosen data" in e for e in _errors(at))
    assert dict(at.query_params) == query and "_model_file_loaded" not in at.session_state
    assert not at.button(key="start").disabled

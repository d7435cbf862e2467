"""The Playground page through AppTest: defaults, widgets <-> URL, bad input, a live run, and offline data."""
import base64
import urllib.error

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from apptest_helpers import app, chart, progress, rerun_until
from playground.config import DEFAULT

TINY = {"n_samples": "100", "epochs": "8", "seed": "0"}  # 180 training rows: a run takes well under a second


def wait_for(at: AppTest, word: str) -> str:
    return rerun_until(at, lambda a: word in progress(a) and progress(a), f"{word!r} in the progress line")


def errors(at: AppTest) -> str:
    return " | ".join(e.value for e in at.error)


def test_defaults_render_spiral_and_a_small_network():
    at = app()
    assert at.selectbox(key="dataset").value == "spiral"
    assert at.number_input(key="n_samples").value == DEFAULT.n_samples
    assert at.number_input(key="n_layers").value == len(DEFAULT.layers)
    assert not at.button(key="start").disabled and not at.button(key="step").disabled
    assert all(at.button(key=k).disabled for k in ("pause", "resume", "stop", "reset"))
    preview = chart(at, "preview")["data"]  # the points as one image (as on the live boundary), then the legend
    assert [t["type"] for t in preview][:1] == ["image"]
    assert [t["name"] for t in preview[1:]] == [*(f"class {c}" for c in range(DEFAULT.classes)), "test"]
    widths = [2, *(layer.units for layer in DEFAULT.layers), DEFAULT.classes]  # the 2-D spiral's network
    n_params = sum((a + 1) * b for a, b in zip(widths, widths[1:]))  # weights and biases, counted without torch
    assert any(f"{n_params:,} trainable parameters" in m.value for m in at.markdown)
    assert not at.error and not at.warning
    assert dict(at.query_params) == {}  # defaults make a short link


def test_widgets_write_the_url():
    at = app()
    at.select_slider(key="lr").set_value(0.1).run()
    assert at.query_params["lr"] == "0.1"
    at.selectbox(key="dataset").set_value("wine").run()
    assert not at.exception
    assert dict(at.query_params) == {"lr": "0.1", "dataset": "wine"}
    assert "n_samples" not in [w.key for w in at.number_input]  # wine does not use it
    at.number_input(key="n_layers").set_value(3).run()
    assert at.query_params["layers"] == "100:relu,100:relu,100:relu"
    at.selectbox(key="optimizer").set_value("momentum").run()
    assert [w.key for w in at.number_input if w.key == "momentum"] == ["momentum"]  # only its knobs are shown
    assert "beta1" not in [w.key for w in at.number_input]


def test_url_restores_a_setup_and_malformed_values_fall_back_with_a_warning():
    at = app(dataset="wine", lr="0.05", layers="32:tanh:0.1:bn,16", epochs="abc")
    assert at.selectbox(key="dataset").value == "wine"
    assert at.select_slider(key="lr").value == 0.05  # a value between the slider's steps survives the round trip
    assert at.number_input(key="n_layers").value == 2
    assert at.number_input(key="epochs").value == DEFAULT.epochs
    assert len(at.warning) == 1 and "epochs" in at.warning[0].value
    assert "epochs" not in dict(at.query_params)  # the bad parameter is dropped from the link


def test_url_values_past_the_limits_warn_with_the_limit_instead_of_a_traceback():
    at = app(seed="4294967296")  # app() asserts no exception; scikit-learn's split used to raise one
    assert [w.value for w in at.warning] == [
        "URL parameter seed='4294967296' ignored (seed == 4294967296, must be in [0, 4294967295]); using '0'."]
    assert at.number_input(key="seed").value == 0 and not at.button(key="start").disabled
    at = app(dataset="spiral", n_samples="50000", classes="10")  # 500,000 points: the page never settled
    assert len(at.warning) == 1 and "n_samples x classes == 50000 x 3 = 150,000 points (spiral), must be <= 100,000" in (
        at.warning[0].value)
    assert at.number_input(key="n_samples").value == DEFAULT.n_samples and not at.button(key="start").disabled


def test_invalid_class_weights_name_the_field_and_block_start_until_fixed():
    at = app()
    at.radio(key="class_weights_mode").set_value("custom").run()
    at.text_input(key="class_weights").input("1,x").run()
    assert "class_weights" in errors(at) and at.button(key="start").disabled
    assert at.text_input(key="class_weights").value == "1,x"  # what the user typed is kept
    at.text_input(key="class_weights").input("1,2").run()
    assert "one per class (3)" in errors(at)  # check_against_data: needs the loaded data
    at.text_input(key="class_weights").input("1,2,3").run()
    assert not at.error and not at.button(key="start").disabled
    assert at.query_params["class_weights"] == "1,2,3"


def test_parameter_cap_is_an_error_not_a_crash():
    at = app(layers="4096,4096")  # 16.8M weights on the 2-D spiral
    assert "parameter count" in errors(at) and at.button(key="start").disabled


def test_a_tiny_seeded_run_trains_to_the_end_and_shows_charts_and_test_metrics():
    at = app(**TINY)
    at.button(key="start").click().run()
    assert not at.exception, at.exception
    text = wait_for(at, "Finished")
    assert "epoch 8 / 8" in text and "samples/s" in text
    loss = chart(at, "loss_chart")["data"]
    assert [t["name"] for t in loss] == ["train", "validation"]
    boundary = chart(at, "boundary_chart")["data"]
    assert boundary[0]["type"] == "image" and boundary[0]["source"].startswith("data:image/png;base64,")
    assert [t["name"] for t in boundary if t.get("name", "").startswith("class")] == ["class 0", "class 1", "class 2"]
    assert chart(at, "val_confusion_chart")["data"][0]["type"] == "heatmap"
    assert chart(at, "test_confusion_chart")["data"][0]["type"] == "heatmap"
    labels = [m.label for m in at.metric]
    assert labels == ["Test accuracy", "Test balanced accuracy", "Test loss"]
    assert float(at.metric[0].value.rstrip("%")) > 50
    assert at.button(key="start").disabled is False and at.button(key="stop").disabled
    at.button(key="reset").click().run()
    assert progress(at) == "" and not at.metric  # back to the data preview


def test_validate_every_widget_sets_the_url_and_the_run():
    assert app(val_every="5").number_input(key="val_every").value == 5  # a link restores it
    at = app(**TINY)
    assert at.number_input(key="val_every").value == 0  # auto
    at.number_input(key="val_every").set_value(3).run()
    assert at.query_params["val_every"] == "3"
    at.button(key="start").click().run()
    wait_for(at, "Finished")
    train, val = chart(at, "loss_chart")["data"]
    assert val["name"] == "validation" and val["x"]["dtype"] == "f8"  # plotly's typed-array encoding
    assert np.frombuffer(base64.b64decode(val["x"]["bdata"])).tolist() == [1, 3, 6, 8]  # first, every 3rd, last
    assert any("Validating every 3 epochs (val_every)" in c.value for c in at.caption)


def test_step_pause_and_a_live_learning_rate_change():
    at = app(n_samples="100", epochs="2000")
    at.button(key="step").click().run()
    wait_for(at, "Paused** · epoch 1 /")
    at.button(key="resume").click().run()
    wait_for(at, "Running")
    at.select_slider(key="lr").set_value(0.1).run()
    notes = rerun_until(  # applied at the next epoch, then marked on the loss curve
        at, lambda a: [n["text"] for n in chart(a, "loss_chart")["layout"].get("annotations", [])], "the lr mark"
    )
    assert [n.strip() for n in notes] == ["lr → 0.1"]
    at.number_input(key="n_layers").increment().run()
    assert any("network/data changed (layers)" in w.value for w in at.warning)  # not silently restarted
    at.button(key="stop").click().run()
    assert "Stopped" in progress(at) and at.metric  # a stopped run still reports on the test set


def test_pima_offline_without_its_csv_shows_where_to_put_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PLAYGROUND_CACHE_DIR", str(tmp_path / "cache"))

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network in this test")

    monkeypatch.setattr("sklearn.datasets.fetch_openml", offline)
    at = app(dataset="pima")
    assert "pima-indians-diabetes.csv" in errors(at) and str(tmp_path) in errors(at)
    assert at.button(key="start").disabled and at.button(key="step").disabled
    at.radio(key="pima_missing").set_value("drop_rows").run()  # the other widgets keep working
    assert not at.exception and "pima-indians-diabetes.csv" in errors(at)
    at.selectbox(key="dataset").set_value("wine").run()
    assert not at.error and not at.button(key="start").disabled


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_a_run_that_fails_to_start_shows_the_error_not_a_spinner():
    at = app(device="cuda", **TINY)
    at.button(key="start").click().run()
    wait_for(at, "Error")
    assert "device == 'cuda'" in errors(at)
    assert not at.button(key="start").disabled and not at.button(key="reset").disabled

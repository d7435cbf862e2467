"""Presenter mode (?present=1, the Present toggle) and ?hide=: on the Playground, the race and the landscape pages."""
from urllib.parse import parse_qs, urlsplit

import pytest

from apptest_helpers import app, chart, progress, rerun_until
from playground.figures.theme import FONT


@pytest.fixture(autouse=True)
def thread_runner(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYGROUND_RUNNER", "thread")
    monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{tmp_path / 'runs.db'}")


def keys(at) -> set[str]:
    return {w.key for w in at.selectbox} | {w.key for w in at.number_input} | {w.key for w in at.select_slider}


def test_present_folds_the_settings_and_scales_the_charts():
    at = app(present="1", n_samples="100", epochs="5")
    assert at.toggle(key="present").value is True and at.toggle(key="show_settings").value is False
    at.button(key="start").click().run()
    rerun_until(at, lambda at: "Finished" in progress(at), "the run to finish")
    big = chart(at, "loss_chart")["layout"]
    at.toggle(key="present").set_value(False).run()
    assert at.toggle(key="show_settings").value is True  # off again: the settings come back
    normal = chart(at, "loss_chart")["layout"]
    assert big["font"]["size"] > normal.get("font", {}).get("size", FONT["size"])  # the theme's size when not set
    assert big["title"]["font"]["size"] > normal["title"]["font"]["size"]
    # the URL (present=1 dropped when off, kept across page switches) is checked in a browser:
    # tests/e2e/test_presenter_browser.py


def test_hide_leaves_out_the_named_controls_and_keeps_their_values():
    at = app(hide="optimizer,batch_size,layers,bogus", optimizer="sgd", batch_size="64")
    assert {"optimizer", "batch_size"}.isdisjoint(keys(at)) and "lr" in keys(at) and "epochs" in keys(at)
    assert not [d for d in at.dataframe if d.key == "layers"]  # the layer editor too
    assert [w.value for w in at.warning if "'bogus' is not a setting" in w.value]
    at.number_input(key="epochs").set_value(7).run()  # a change rewrites the URL: hide= stays, the values too
    assert at.query_params["hide"] in ("optimizer,batch_size,layers", ["optimizer,batch_size,layers"])
    assert at.query_params["optimizer"] in ("sgd", ["sgd"]) and at.query_params["batch_size"] in ("64", ["64"])


@pytest.mark.parametrize("page", ["pages/race.py", "pages/landscape.py", "pages/compare.py", "pages/sweeps.py",
                                  "pages/lessons.py"])
def test_every_page_has_the_toggle_and_keeps_the_mode(page):
    at = app(page=page, present="1")
    assert at.toggle(key="present").value is True and not at.exception
    assert at.query_params["present"] in ("1", ["1"])


def test_a_lessons_playground_link_in_presenter_mode_shows_only_the_lessons_controls():
    at = app(page="pages/lessons.py", present="1", lesson="adam_vs_sgd")
    url = next(b.proto.url for b in at.get("link_button") if "optimizer=" in b.proto.url)
    query = parse_qs(urlsplit(url).query)
    hidden = query["hide"][0].split(",")
    assert query["present"] == ["1"] and "noise" in hidden and "momentum" in hidden
    assert {"optimizer", "lr", "layers", "dataset"}.isdisjoint(hidden)

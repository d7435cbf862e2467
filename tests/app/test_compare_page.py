"""The Compare page through AppTest: stored runs picked by table or link, overlaid, diffed, scored and their
confusion matrices side by side; an empty or broken store says so and the page does not fail."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import app, chart, page_charts
from playground.config import parse_layers
from playground.store import open_store
from seeded_runs import TINY, seed_runs

RUNS = {"cmp-sgd": TINY.replace(optimizer="sgd"), "cmp-adam": TINY.replace(optimizer="adam")}


@pytest.fixture
def store_url(tmp_path, monkeypatch) -> str:
    """A store of this test's own: the page sees no other test's runs."""
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("PLAYGROUND_DB", url)
    return url


@pytest.fixture
def seeded(store_url) -> str:
    seed_runs(store_url, RUNS)
    return store_url


def compare_at(**query: str) -> AppTest:
    """A fresh session opening /compare?<query>."""
    return app("pages/compare.py", **query)


def legend(at: AppTest, key: str) -> list[str]:
    return [t["name"] for t in chart(at, key)["data"] if t.get("showlegend", True)]


def diff_columns(at: AppTest) -> list[str]:
    """The "What differs" table's columns (the one table that is not the runs picker; keys name widgets only)."""
    (table,) = [d for d in at.dataframe if d.key != "compare_table"]
    return list(table.value.columns)


def test_the_two_newest_runs_are_compared_on_arrival(seeded):
    at = compare_at()
    assert at.subheader[0].value == "Compare runs" and not at.warning
    assert legend(at, "compare_loss") == ["optimizer=sgd", "optimizer=adam"]  # oldest first: colours stay put
    loss = chart(at, "compare_loss")["data"]
    assert [t["line"]["dash"] for t in loss] == ["solid", "dash", "solid", "dash"]
    assert legend(at, "compare_accuracy") == ["optimizer=sgd", "optimizer=adam"]
    assert diff_columns(at) == ["", "run", "optimizer"]
    assert [t["name"] for t in chart(at, "compare_scores")["data"]] == ["optimizer=sgd", "optimizer=adam"]
    with open_store(seeded) as store:  # each run's stored test confusion matrix, titled with its name
        for i, run_id in enumerate(RUNS):
            cm = chart(at, f"compare_confusion_{i}")
            assert cm["data"][0]["text"] == [[f"{v:,}" for v in row] for row in store.get_run(run_id).confusion]
            assert "optimizer=" + RUNS[run_id].optimizer in cm["layout"]["title"]["text"]
    assert at.query_params["runs"] == "cmp-sgd,cmp-adam"  # the link reproduces the comparison


def test_switches_redraw_the_curves(seeded):
    at = compare_at()
    at.toggle(key="compare_val").set_value(False).run()
    assert {t["line"]["dash"] for t in chart(at, "compare_loss")["data"]} == {"solid"}
    at.toggle(key="compare_log_x").set_value(True).run()
    assert chart(at, "compare_accuracy")["layout"]["xaxis"]["type"] == "log"
    at.radio(key="compare_metric").set_value("loss").run()
    assert chart(at, "compare_scores")["layout"]["title"]["text"] == "Final loss"
    at.toggle(key="compare_normalise").set_value(True).run()
    assert "%" in chart(at, "compare_confusion_0")["data"][0]["text"][0][0]
    assert not at.exception


def test_a_link_picks_its_runs_and_the_table_writes_the_pick_back(seeded):
    at = compare_at(runs="cmp-adam")
    assert [t["name"] for t in chart(at, "compare_scores")["data"]] == ["adam lr 0.01 · 16:relu · spiral"]  # its label
    assert diff_columns(at) == ["", "run"]  # one run: nothing differs
    at.session_state["compare_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}  # a click on sgd
    at.run()
    assert legend(at, "compare_loss") == ["optimizer=sgd", "optimizer=adam"]
    assert at.query_params["runs"] == "cmp-sgd,cmp-adam"
    at.session_state["compare_table"] = {"selection": {"rows": [], "columns": [], "cells": []}}
    at.run()
    assert "runs" not in at.query_params and "Pick one or more runs" in at.info[0].value
    assert not page_charts(at)


def test_a_link_to_a_deleted_run_warns_and_shows_the_rest(seeded):
    at = compare_at(runs="cmp-sgd,gone123")
    assert "gone123" in at.warning[0].value
    assert legend(at, "compare_loss") == ["sgd lr 0.01 · 16:relu · spiral"]
    assert at.query_params["runs"] == "cmp-sgd"


def test_a_run_recorded_while_the_page_is_open_keeps_the_pick(seeded):
    at = compare_at(runs="cmp-sgd")
    seed_runs(seeded, {"cmp-late": TINY.replace(optimizer="rmsprop")})  # a new top row: row numbers shift by one
    at.run()
    assert not at.exception, at.exception
    assert legend(at, "compare_loss") == ["sgd lr 0.01 · 16:relu · spiral"]
    assert len([d for d in at.dataframe if d.key == "compare_table"][0].value) == 3


def test_a_diverged_run_is_compared_without_scores(store_url):
    seed_runs(store_url, {"cmp-sgd": RUNS["cmp-sgd"], "cmp-blew": TINY.replace(optimizer="sgd", lr=10.0, layers=parse_layers("64:relu,64:relu"))})
    at = compare_at()
    assert not at.exception
    names = [t["name"] for t in chart(at, "compare_scores")["data"]]
    assert names[1].endswith("(diverged: no scores)")
    assert "compare_confusion_1" not in json.dumps([c.proto.id for c in page_charts(at)])
    assert "No confusion matrix" in " ".join(c.value for c in at.caption)


def test_an_empty_store_says_how_to_make_runs(store_url):
    at = compare_at()
    assert "python -m playground train" in at.info[0].value and "Playground" in at.info[0].value
    assert not at.warning and not page_charts(at)


@pytest.mark.parametrize("broken", ["unmakeable-dir", "corrupted-file"])
def test_a_broken_store_warns_and_the_page_stands(tmp_path, monkeypatch, broken):
    if broken == "unmakeable-dir":  # its folder would be under a file (a missing dir is made, even as root)
        (tmp_path / "file").write_text("")
        url = f"sqlite:///{tmp_path / 'file' / 'dir' / 'x.db'}"
    else:
        path = tmp_path / "runs.db"
        path.write_bytes(b"this is not a database, just text " * 200)
        url = f"sqlite:///{path}"
    monkeypatch.setenv("PLAYGROUND_DB", url)
    at = compare_at()
    assert len(at.warning) == 1 and "can't be opened" in at.info[0].value
    assert not page_charts(at)
    if broken == "corrupted-file":
        assert (tmp_path / "runs.db").read_bytes().startswith(b"this is not a database")  # never overwritten


def test_at_most_ten_runs_are_compared(store_url):
    seed_runs(store_url, {f"cmp-{i:02d}": TINY.replace(epochs=2, seed=i) for i in range(12)})
    at = compare_at(runs=",".join(f"cmp-{i:02d}" for i in range(12)))
    assert "the 10 newest are compared" in at.warning[0].value
    assert legend(at, "compare_loss") == [f"seed={i}" for i in range(2, 12)]
    assert at.query_params["runs"].count(",") == 11  # the link keeps the whole pick

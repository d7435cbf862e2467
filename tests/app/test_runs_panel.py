"""The runs table on the Playground page: two runs compared, restored, reopened, pinned, deleted (AppTest, widgets by key).

Rows are selected as the browser would, through the table's selection state (AppTest has no click for it).
Each test has a store of its own (PLAYGROUND_DB), so runs of other tests never show.
"""
import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import app, chart, progress, rerun_until

SMALL = {"n_samples": "100", "epochs": "6", "seed": "2"}


@pytest.fixture(autouse=True)
def own_store(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{tmp_path / 'runs.db'}")
    monkeypatch.setenv("PLAYGROUND_RUNNER", "thread")  # the runs panel is the subject here, not the process runner


def train(at: AppTest) -> None:
    at.button(key="start").click().run()
    rerun_until(at, lambda at: "Finished" in progress(at), "the run to finish")
    rerun_until(at, lambda at: _table(at) is not None and len(_table(at).value) >= _runs(at) + 1 and _runs_done(at),
                "the run in the runs table")  # fmt: skip


def _table(at: AppTest):
    return next((d for d in at.dataframe if d.key == "runs_table"), None)


def _runs(at: AppTest) -> int:
    return at.session_state["_trained"] if "_trained" in at.session_state else 0


def _runs_done(at: AppTest) -> bool:
    at.session_state["_trained"] = len(_table(at).value)
    return (_table(at).value["status"] == "finished").all()


def select(at: AppTest, *rows: int) -> None:
    at.session_state["runs_table"] = {"selection": {"rows": list(rows), "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception


def legend_names(at: AppTest, key: str) -> list[str]:
    return [t["name"] for t in chart(at, key)["data"] if t.get("showlegend", True)]


def two_runs() -> AppTest:
    """adam, then sgd: the second run's only difference is the optimizer."""
    at = app(**SMALL)
    train(at)
    at.selectbox(key="optimizer").set_value("sgd").run()
    train(at)
    return at


def test_the_previous_run_stays_dashed_on_the_live_loss_chart():
    at = two_runs()
    dashed = [t for t in chart(at, "loss_chart")["data"] if t.get("line", {}).get("dash") == "dash"]
    assert {t["name"] for t in dashed} == {"previous: optimizer=adam"} and len(dashed) == 2  # train and validation


def test_two_runs_listed_then_overlaid_with_names_of_what_differs():
    at = two_runs()
    table = _table(at).value
    assert list(table["optimizer"]) == ["adam", "sgd"]  # oldest first; the differing field is a column
    assert "lr" not in table.columns  # equal in both runs: not a column
    select(at, 0, 1)
    assert legend_names(at, "runs_overlay_loss") == ["optimizer=adam", "optimizer=sgd"]
    assert legend_names(at, "runs_overlay_accuracy") == ["optimizer=adam", "optimizer=sgd"]


def test_restore_puts_the_first_runs_setup_back_into_widgets_and_url():
    at = two_runs()
    at.number_input(key="epochs").set_value(9).run()
    select(at, 0)
    at.button(key="run_restore").click().run()
    assert at.selectbox(key="optimizer").value == "adam" and at.number_input(key="epochs").value == 6
    assert at.query_params.get("optimizer") in (None, []) and at.query_params["epochs"] in ("6", ["6"])


def test_pin_keeps_a_run_as_the_reference_of_every_next_run():
    at = two_runs()
    select(at, 0)
    at.button(key="run_pin").click().run()
    at.selectbox(key="optimizer").set_value("rmsprop").run()
    train(at)
    dashed = {t["name"] for t in chart(at, "loss_chart")["data"] if t.get("line", {}).get("dash") == "dash"}
    assert dashed == {"pinned: optimizer=adam"}


def test_reopen_shows_the_final_state_from_stored_weights():
    at = two_runs()
    select(at, 1)
    at.button(key="run_reopen").click().run()
    rerun_until(at, lambda at: any(c.proto.id.endswith("reopened_boundary") for c in at.get("plotly_chart")),
                "the reopened boundary")  # fmt: skip
    assert not at.error
    assert chart(at, "reopened_confusion")["data"][0]["type"] == "heatmap"


def test_delete_removes_the_selected_run():
    at = two_runs()
    select(at, 0)
    at.button(key="run_delete_confirm").click().run()
    assert list(_table(at).value["label"].str.startswith("sgd")) == [True]


def test_a_store_that_cannot_open_says_so_once_and_training_goes_on(monkeypatch, tmp_path):
    corrupted = tmp_path / "corrupted.db"
    corrupted.write_bytes(b"not a database, " * 512)
    monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{corrupted}")
    at = app(**SMALL)
    said = [w.value for w in at.warning if "Runs are not being saved" in w.value]
    assert len(said) == 1
    at.button(key="start").click().run()
    rerun_until(at, lambda at: "Finished" in progress(at), "the run to finish")
    assert not [w for w in at.warning if "Runs are not being saved" in w.value]  # said once, not on every rerun
    assert _table(at) is None and corrupted.read_bytes() == b"not a database, " * 512  # never overwritten


def test_restore_drops_every_widget_state_derived_from_a_field():
    from playground.ui import controls, layers, state

    assert {layers.DEPTH, layers.BASE} <= set(state.DERIVED_KEYS)
    assert "class_weights_mode" in state.DERIVED_KEYS and "_custom_weights" in state.DERIVED_KEYS
    assert "class_weights_mode" in open(controls.__file__).read()  # the radio's key, as restore drops it

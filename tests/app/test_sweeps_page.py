"""The Sweeps page (AppTest): a finished study's plots and trials, the setup form's errors, the picker."""
import json

import pytest
import torch

from playground.config import LayerSpec, RunConfig
from playground.sweep import SweepSettings, create_sweep, parse_space
from playground.sweep.worker import work
from tests.app.apptest_helpers import app, page_charts, rerun_until

PAGE = "pages/sweeps.py"
BASE = RunConfig(dataset="spiral", n_samples=30, layers=(LayerSpec(8, "relu"),), batch_size=0, epochs=3, seed=1)


@pytest.fixture
def study(tmp_path, monkeypatch):
    """A finished 4-trial grid study (lr x optimizer) in a fresh store the page reads."""
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("PLAYGROUND_DB", url)
    threads = torch.get_num_threads()
    space = parse_space(["lr=0.01,0.1", "optimizer=sgd,adam"], BASE)
    create_sweep(SweepSettings("done", BASE, space, trials=4, sampler="grid"), url)
    work("done", url)
    torch.set_num_threads(threads)
    return "done"


def figure(at, key: str) -> dict:
    found = [c for c in page_charts(at) if c.proto.id.endswith(key)]
    assert len(found) == 1, [c.proto.id for c in page_charts(at)]
    return json.loads(found[0].proto.spec)


def test_a_finished_study_shows_its_plots_best_config_and_trials(study):
    at = app(PAGE)
    assert at.selectbox(key="sweep_study").value == "done" and at.selectbox(key="sweep_study").options == ["done"]
    assert any(c.value.startswith("4 of 4 trials · grid sampler · none pruner") for c in at.caption)
    assert any(m.value.startswith("**Best:** trial") and "open in the Playground](/?" in m.value for m in at.markdown)
    parallel = figure(at, "sweep_chart_parallel")
    assert parallel["layout"]["font"]["family"].startswith("Source Sans")  # the app's look, not Optuna's default
    assert parallel["layout"].get("title", {}).get("text") is None
    at.session_state["sweep_view"] = "Trials"
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["#"]) == [0, 1, 2, 3] and set(table["state"]) == {"COMPLETE"}
    assert sorted(zip(table["lr"], table["optimizer"])) == [(0.01, "adam"), (0.01, "sgd"), (0.1, "adam"), (0.1, "sgd")]
    assert table["run"].str.len().eq(12).all()
    at.session_state["sweep_view"] = "Parameter importances"
    at.run()
    assert figure(at, "sweep_chart_importance")["data"][0]["type"] == "bar"
    assert not at.exception


def test_importances_of_a_one_parameter_study_say_why_not(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("PLAYGROUND_DB", url)
    threads = torch.get_num_threads()
    create_sweep(SweepSettings("one", BASE, parse_space(["lr=0.01,0.1"], BASE), trials=2, sampler="grid"), url)
    work("one", url)
    torch.set_num_threads(threads)
    at = app(PAGE)
    at.session_state["sweep_view"] = "Parameter importances"
    at.run()
    assert not at.exception and not page_charts(at)
    assert any("Parameter importances need more than one varied parameter" in c.value for c in at.caption)


def test_the_setup_form_says_what_is_wrong_and_keeps_start_disabled(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{tmp_path / 'runs.db'}")
    at = app(PAGE)
    assert any("No sweeps in the store yet" in i.value for i in at.info)
    assert not at.button(key="sweep_start").disabled and not at.error
    at.text_area(key="sweep_space").input("lr=0:1:log\nbatch_size=16,32").run()
    assert [e.value for e in at.error] == ["Search space: lr range low == 0 with log scale, must be > 0"]
    assert at.button(key="sweep_start").disabled
    at.text_area(key="sweep_space").input("lr=1e-3:0.1:log").run()
    at.text_input(key="sweep_base").input("--layers 0:relu").run()
    assert [e.value for e in at.error] == ["Base config: hidden units == 0 (layer 1), must be >= 1"]
    at.text_input(key="sweep_base").input("layers=8%3Arelu").run()
    at.selectbox(key="sweep_sampler").select("grid").run()
    at.text_area(key="sweep_space").input("optimizer=sgd,adam").run()
    assert any("The grid has 2 points: 2 trials." in c.value for c in at.caption) and not at.error


def test_the_base_starts_from_the_playground_config_in_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{tmp_path / 'runs.db'}")
    at = app(PAGE, dataset="xor", epochs="40", lr="0.03", layers="8:tanh")
    assert at.selectbox(key="sweep_dataset").value == "xor" and at.number_input(key="sweep_epochs").value == 40
    assert at.text_input(key="sweep_base").value == "layers=8%3Atanh&lr=0.03"


def test_start_runs_a_sweep_in_worker_processes_with_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{tmp_path / 'runs.db'}")
    at = app(PAGE)
    at.text_input(key="sweep_base").input("n_samples=30&layers=8%3Arelu&batch_size=0").run()
    at.number_input(key="sweep_epochs").set_value(3).run()
    at.text_area(key="sweep_space").input("lr=0.01,0.1").run()
    at.number_input(key="sweep_trials").set_value(2).run()
    at.number_input(key="sweep_jobs").set_value(1).run()
    at.text_input(key="sweep_name").input("from-page").run()
    at.button(key="sweep_start").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="sweep_study").value == "from-page" and at.button(key="sweep_start").disabled
    assert at.text_input(key="sweep_name").value.startswith("sweep-")  # a new name for the next sweep
    done = lambda at: any("2/2 trials" in p.proto.text and "done in" in p.proto.text for p in at.get("progress"))  # noqa: E731
    rerun_until(at, done, "the page's sweep to finish", timeout=120)
    assert at.button(key="sweep_stop").disabled and not at.button(key="sweep_start").disabled
    assert any(m.value.startswith("**Best:** trial") for m in at.markdown)

"""The race page's torch work runs in the server-wide race worker process, never in the script thread.

Proofs: with torch's backward and the surface evaluation disabled in this (the server's) process the
page still draws its charts from runs that carry the worker's pid; a failure in the worker is an
error message on the page and the next change races again; sessions share one worker.
"""
import multiprocessing
import os
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

import race_faults
from apptest_helpers import page_charts
from playground import race_task, surfaces
from playground.ui import race_controls
from playground.ui.workers import server_worker
from playground.worker import WorkerProcess

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CHARTS = ["race_chart_contour", "race_chart_loss"]


def race_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/race.py").run()
    assert not at.exception, at.exception
    return at


def chart_keys(at: AppTest) -> list[str]:
    return sorted(c.proto.id[c.proto.id.index("race_chart"):] for c in page_charts(at))


def server_workers() -> list:
    return [p for p in multiprocessing.active_children() if p.name == "playground-server-worker"]


def test_the_race_runs_in_the_worker_not_in_the_script_thread(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("torch ran in the server process")

    monkeypatch.setattr(torch.autograd, "backward", refuse)  # every optimizer step needs a backward
    monkeypatch.setattr(surfaces, "loss_at", refuse)  # surface_grid evaluates the surface through it
    with pytest.raises(AssertionError, match="torch ran"):  # the traps work: computing here would spring them
        race_task.compute(race_controls.preset_config("ravine"))
    runs = []
    call = WorkerProcess.call
    monkeypatch.setattr(WorkerProcess, "call", lambda self, fn, *args: runs.append(call(self, fn, *args)) or runs[-1])
    at = race_page()
    at.slider(key="race_steps").set_value(120).run()  # a change: a new race
    assert chart_keys(at) == CHARTS and not at.error
    assert len(runs) == 2 and all(isinstance(r, race_task.RaceRun) for r in runs)
    assert {r.pid for r in runs} == {server_worker().pid} and server_worker().pid != os.getpid()


def test_an_exception_in_the_worker_is_an_error_on_the_page_and_the_next_change_races_again(monkeypatch):
    monkeypatch.setattr(race_controls, "compute", race_faults.raises)
    at = race_page()
    assert not at.exception
    assert "The race could not be computed: RuntimeError: boom on rosenbrock" in at.error[0].value
    assert chart_keys(at) == []
    monkeypatch.setattr(race_controls, "compute", race_task.compute)
    at.run()  # failures are not cached: the same config races again
    assert not at.error and chart_keys(at) == CHARTS


def test_a_worker_crash_is_an_error_on_the_page_and_a_fresh_worker_takes_over(monkeypatch):
    at = race_page()
    first = server_worker().pid
    monkeypatch.setattr(race_controls, "compute", race_faults.crashes)
    at.slider(key="race_steps").set_value(120).run()
    assert "stopped unexpectedly (exit code 7)" in at.error[0].value and not at.exception
    monkeypatch.setattr(race_controls, "compute", race_task.compute)
    at.slider(key="race_steps").set_value(130).run()
    assert not at.error and chart_keys(at) == CHARTS
    assert server_worker().pid not in (None, first) and len(server_workers()) == 1


def test_sessions_share_one_worker():
    pages = [race_page() for _ in range(3)]
    pages[1].slider(key="race_steps").set_value(50).run()
    pages[2].multiselect(key="race_optimizers").set_value(["adam", "rmsprop"]).run()
    assert all(chart_keys(at) == CHARTS for at in pages)
    (worker,) = server_workers()
    assert server_worker().pid == worker.pid  # reachable outside any session: a server-wide (global) resource

"""The recorder inside both runners, attached as the app would: ``extra_callbacks=partial(recording, ...)``."""
from __future__ import annotations

import functools
import time

import numpy as np
import pytest

from playground.config import RunConfig, parse_layers
from playground.datasets import prepare
from playground.process_runner import ProcessRunner
from playground.runner import Runner
from playground.status import Status
from playground.store import open_store, recording

LONG = RunConfig(dataset="spiral", n_samples=100, epochs=5000, layers=parse_layers("16:relu"), seed=3)
SPAWN_TIMEOUT = 60  # seconds: a training process imports torch first


def wait_for(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _run_or_none(store, run_id: str):
    """The stored run, or None while its recorder's thread has not written its first row yet."""
    try:
        return store.get_run(run_id)
    except KeyError:
        return None


def test_a_runner_run_with_an_lr_change_and_a_stop(store_url):
    runner = Runner(publish_every=0.05)
    record = functools.partial(recording, store=store_url, run_id="runner000001", session="browser-1", interval=0.05)
    try:
        runner.start(LONG, prepare(LONG), extra_callbacks=record)
        wait_for(lambda: runner.snapshot().epoch >= 5, what="5 epochs")
        runner.set_lr(0.003)
        wait_for(lambda: runner.snapshot().lr_changes and runner.snapshot().epoch >= runner.snapshot().lr_changes[0][0] + 2,
                 what="epochs at the new lr")  # fmt: skip
        runner.stop()
        snap = runner.snapshot()
    finally:
        runner.close()
    with open_store(store_url) as store:
        run, history = store.get_run("runner000001"), store.load_history("runner000001")
        weights = store.load_weights(run.id)
    assert snap.status is Status.STOPPED and (run.status, run.session, run.epochs) == ("stopped", "browser-1", snap.epoch)
    assert run.test.loss == snap.test.loss and np.array_equal(run.confusion, snap.test.confusion) and weights is not None
    np.testing.assert_array_equal(history.arrays["loss"], snap.history["loss"])
    assert history.lr_changes == snap.lr_changes


def test_a_diverged_runner_run_gets_its_status_without_finish(store_url):
    cfg = LONG.replace(optimizer="sgd", lr=10.0, layers=parse_layers("64:relu,64:relu"))
    runner = Runner(publish_every=0.05)
    try:
        runner.start(cfg, prepare(cfg), extra_callbacks=functools.partial(recording, store=store_url, run_id="diverged0001",
                                                                          interval=0.05))  # fmt: skip
        wait_for(lambda: runner.snapshot().status is Status.DIVERGED, what="divergence")
        with open_store(store_url) as store:  # the runner skips finish(); the recorder writes the status itself
            run = wait_for(lambda: (r := _run_or_none(store, "diverged0001")) and r.status != "running" and r,
                           what="the final status")  # fmt: skip
    finally:
        runner.close()
    assert run.status == "diverged" and run.epochs == runner.snapshot().epoch and not run.has_weights


@pytest.mark.parametrize("backend", ["sqlite"])  # the pipe and the child are the point here, not the database
def test_a_recorder_crosses_into_the_training_process(tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    cfg = LONG.replace(epochs=30)
    runner = ProcessRunner(publish_every=0.05)
    try:
        runner.start(cfg, prepare(cfg), extra_callbacks=functools.partial(recording, store=url, run_id="process00001"))
        snap = wait_for(lambda: (s := runner.snapshot()).status is Status.FINISHED and s, SPAWN_TIMEOUT, "the run's end")
    finally:
        runner.close()
    with open_store(url) as store:
        run = store.get_run("process00001")
    assert (run.status, run.epochs, run.has_weights) == ("finished", 30, True) and run.test.loss == snap.test.loss

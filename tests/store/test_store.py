"""The run store on SQLite and PostgreSQL: round trip, weights, edits, schema version, staleness, concurrency."""
from __future__ import annotations

import math
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pytest
import torch
from sqlalchemy import create_engine, select, update
from store_standin import StandInTrainer, expected_column

from playground.callbacks import SCALAR_KEYS, History, standard_callbacks
from playground.config import RunConfig, parse_layers, to_query
from playground.datasets import prepare
from playground.status import Status
from playground.store import SCHEMA_VERSION, RunRecorder, RunResult, Scores, StoreUnavailable, open_store
from playground.store import schema as s
from playground.trainer import Callback, Trainer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


class ChangeLr(Callback):
    """Sets the lr after ``epoch`` as the runner does between epochs (the next epoch trains at it)."""

    def __init__(self, epoch: int, lr: float) -> None:
        self.epoch, self.lr = epoch, lr

    def on_epoch_end(self, trainer, logs) -> None:
        if logs["epoch"] == self.epoch:
            trainer.set_lr(self.lr)


def train(store, cfg: RunConfig, **recorder_kwargs) -> tuple[Trainer, RunRecorder]:
    recorder = RunRecorder(store, interval=0.05, **recorder_kwargs)
    trainer = Trainer(cfg, prepare(cfg), [*standard_callbacks(cfg), ChangeLr(3, cfg.lr / 2), recorder])
    trainer.test_metrics = trainer.fit()
    assert recorder.error is None and not recorder.alive
    return trainer, recorder


SMALL = RunConfig(dataset="spiral", n_samples=60, epochs=6, layers=parse_layers("16:relu"), val_every=2, seed=1)


def test_a_recorded_run_reads_back_as_it_trained(store_url):
    with open_store(store_url) as store:
        trainer, _ = train(store, SMALL, run_id="0123456789ab", label="first", session="s1")
        run = store.get_run("0123456789ab")
        history = store.load_history(run.id)
    test = trainer.test_metrics
    assert (run.id, run.label, run.status, run.session, run.source) == ("0123456789ab", "first", "finished", "s1", "app")
    assert run.query == urlencode(to_query(trainer.cfg)) and run.config() == (trainer.cfg, [])
    assert run.epochs == 6 and run.message == trainer.message and run.created <= run.finished and run.has_weights
    assert run.test == Scores(test.loss, test.accuracy, test.balanced_accuracy)
    for split in ("train", "val"):
        m = trainer.evaluate(split)
        assert getattr(run, split) == Scores(m.loss, m.accuracy, m.balanced_accuracy)
    assert np.array_equal(run.confusion, test.confusion) and run.class_names == tuple(trainer.splits.dataset.class_names)
    assert run.seconds == trainer.train_seconds and run.samples_per_second == pytest.approx(6 * 108 / run.seconds)
    expected = next(cb for cb in trainer.callbacks if isinstance(cb, History)).as_arrays()
    assert set(history.arrays) == set(expected) and len(history) == 6
    for key, column in expected.items():  # NaN where an epoch was not validated, on both backends
        np.testing.assert_array_equal(history.arrays[key], column, err_msg=key)
    assert np.isnan(history.arrays["val_loss"][2]) and history.lr_changes == ((4, SMALL.lr / 2),)


def test_reloaded_weights_give_identical_predictions(store_url):
    cfg = SMALL.replace(layers=parse_layers("16:relu:0.2:bn,8:tanh"), epochs=4)  # dropout, BatchNorm buffers
    with open_store(store_url) as store:
        trainer, recorder = train(store, cfg)
        run = store.get_run(recorder.run_id)
        state = store.load_weights(run.id)
    reopened = Trainer(run.config()[0], prepare(run.config()[0]))  # what "Reopen" does: rebuild, then load
    reopened.model.load_state_dict(state)
    assert {k: (v.dtype, v.shape) for k, v in state.items()} == \
           {k: (v.dtype, v.shape) for k, v in trainer.model.state_dict().items()}  # fmt: skip
    X = trainer.splits.X_test
    assert np.array_equal(reopened.predict_proba(X), trainer.predict_proba(X))
    assert reopened.evaluate("test").loss == trainer.test_metrics.loss


def test_a_diverged_run_keeps_its_history_and_has_no_weights(store_url):
    cfg = SMALL.replace(optimizer="sgd", lr=10.0, layers=parse_layers("64:relu,64:relu"), epochs=200, val_every=1)
    with open_store(store_url) as store:
        trainer, recorder = train(store, cfg)
        run = store.get_run(recorder.run_id)
        assert store.load_weights(run.id) is None
    assert trainer.status == Status.DIVERGED and run.status == "diverged" and "diverged" in run.message
    assert run.epochs == trainer.epoch and not run.has_weights and run.train is None and run.test is None


def _result(**kw) -> RunResult:
    return RunResult(**{"status": "finished", "message": "", "epochs": 1, **kw})


def test_list_by_session_rename_and_delete(store_url):
    with open_store(store_url) as store:
        for i, session in enumerate(["s1", "s2", "s1"]):
            store.begin_run(f"run{i}", f"lr={i}", f"run {i}", session=session)
            store.record_epochs(f"run{i}", [(1, 0.5, 0.5, math.nan, math.nan, math.nan, 0.1, 0.01, 100.0) + REGRESSION], 1)
            store.end_run(f"run{i}", _result(test=Scores(0.5, 0.9, 0.8)), ("torch", b"not loaded here"))
            time.sleep(0.01)  # distinct creation times: newest first
        assert [r.id for r in store.list_runs()] == ["run2", "run1", "run0"]
        assert [r.id for r in store.list_runs(session="s1")] == ["run2", "run0"]
        assert [r.id for r in store.list_runs(limit=1)] == ["run2"]
        store.rename("run1", "  adam wins  ")
        assert store.get_run("run1").label == "adam wins"
        with pytest.raises(ValueError, match=r"label == '  ', must be 1 to 200 characters"):
            store.rename("run1", "  ")
        with pytest.raises(KeyError, match="run_id == 'nope'"):
            store.rename("nope", "x")
        assert store.delete(["run0", "nope"]) == 1 and store.delete("run1") == 1
        assert [r.id for r in store.list_runs()] == ["run2"]
        for load in (store.get_run, store.load_history, store.load_weights):
            with pytest.raises(KeyError):
                load("run0")
        with create_engine(store_url).connect() as conn:  # history and weights went with the run
            assert conn.execute(select(s.history.c.run_id).where(s.history.c.run_id == "run0")).all() == []
            assert conn.execute(select(s.weights.c.run_id).where(s.weights.c.run_id == "run0")).all() == []


REGRESSION = (math.nan,) * 4  # HISTORY_KEYS' mae, val_mae, val_r2, val_baseline_mae: a classification run has none


def test_epochs_written_twice_are_stored_once(store_url):
    with open_store(store_url) as store:
        store.begin_run("r", "", "r")
        row = lambda e, loss: (e, loss, 0.5, None, None, None, 0.1, 0.0, 1.0) + REGRESSION  # noqa: E731
        store.record_epochs("r", [row(1, 1.0), row(2, 2.0), row(3, 3.0)], 3)
        store.record_epochs("r", [row(2, 20.0), row(3, 30.0), row(4, 40.0)], 4)  # a retry after a lost reply
        history, run = store.load_history("r"), store.get_run("r")
    assert list(history.arrays["epoch"]) == [1, 2, 3, 4] and list(history.arrays["loss"]) == [1, 20, 30, 40]
    assert run.epochs == 4 and run.status == "running"


def test_schema_version_present_and_another_version_refused(store_url):
    open_store(store_url).close()
    engine = create_engine(store_url)
    with engine.begin() as conn:
        assert conn.execute(select(s.schema.c.component, s.schema.c.version)).all() == [("runs", SCHEMA_VERSION)]
        conn.execute(update(s.schema).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(StoreUnavailable) as info:
        open_store(store_url)
    message = str(info.value)
    assert message.startswith("Runs are not being saved: the run store ")
    assert f"its schema version is {SCHEMA_VERSION + 1}, and this playground reads version {SCHEMA_VERSION}" in message
    with engine.connect() as conn:  # refused, not migrated
        assert conn.execute(select(s.schema.c.version)).scalar_one() == SCHEMA_VERSION + 1
    engine.dispose()


def test_history_keys_are_the_trainer_history_keys():
    assert s.HISTORY_KEYS == SCALAR_KEYS


# ---------------------------------------------------------------- how runs end, live runs, crashes


def test_a_run_without_finish_gets_the_trainer_status_or_the_one_closed_with(store_url):
    with open_store(store_url) as store:
        forgotten, closed = StandInTrainer(), StandInTrainer()
        a, b = RunRecorder(store, interval=0.05), RunRecorder(store, interval=0.05)
        for trainer, recorder in ((forgotten, a), (closed, b)):
            recorder.on_train_begin(trainer)
            for _ in range(3):
                trainer.emit(recorder)
        forgotten.stop(Status.DIVERGED, "loss diverged at epoch 3")  # the runner skips finish(), and no close()
        b.close(Status.FAILED, "RuntimeError: boom")
        a._thread.join(5)
        assert not a.alive and not b.alive
        runs = {r.id: r for r in store.list_runs()}
    assert (runs[a.run_id].status, runs[a.run_id].message, runs[a.run_id].epochs) == ("diverged", "loss diverged at epoch 3", 3)
    assert (runs[b.run_id].status, runs[b.run_id].message, runs[b.run_id].epochs) == ("failed", "RuntimeError: boom", 3)
    assert store.load_history(a.run_id).arrays["loss"].tolist() == expected_column("loss", 3)


def test_a_live_run_beats_its_heartbeat_without_epochs(store_url):
    """A paused run writes no epochs but stays "running": staleness is of its last write, so servers
    sharing a store never mark each other's live runs as interrupted."""
    with open_store(store_url, stale_after=0.4) as store:
        trainer, recorder = StandInTrainer(), RunRecorder(store, interval=0.05)
        recorder.on_train_begin(trainer)
        trainer.emit(recorder)
        time.sleep(1.2)  # three stale_after periods without an epoch
        assert store.get_run(recorder.run_id).status == "running"
        recorder.close(Status.STOPPED)
        assert store.get_run(recorder.run_id).status == "stopped"


def _writer(url: str, run_id: str, epochs: int, seed: int, end: str, *go: Path, hold: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    if hold is not None:
        env["STORE_WRITER_HOLD"] = str(hold)
    cmd = [sys.executable, str(HERE / "store_writer.py"), url, run_id, str(epochs), str(seed), end, *map(str, go)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_run_killed_mid_way_reads_as_interrupted(store_url):
    open_store(store_url).close()
    out, err = _writer(store_url, "killed000001", 5, 0, "crash").communicate(timeout=60)
    assert out.strip() == "ok", err
    with open_store(store_url) as store:  # the default staleness: a run that just wrote is live
        assert store.get_run("killed000001").status == "running"
    with open_store(store_url, stale_after=0.5) as store:
        deadline = time.monotonic() + 10
        while (run := store.get_run("killed000001")).status == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        history = store.load_history(run.id)
    assert run.status == "interrupted" and run.interrupted and run.epochs == 5 and "after epoch 5" in run.message
    assert history.arrays["loss"].tolist() == expected_column("loss", 5)  # everything up to the crash


def test_four_concurrent_writers_lose_nothing(store_url, tmp_path):
    open_store(store_url).close()
    epochs, go, hold = 200, tmp_path / "go", tmp_path / "hold"
    writers = [_writer(store_url, f"writer{i:06d}", epochs, i, "close", go, hold=hold) for i in range(4)]
    for w in writers:  # all four have imported everything: start them together
        assert w.stdout.readline().strip() == "ready", w.stderr.read()
    go.touch()
    with open_store(store_url) as store:  # no run ends before all four have begun: they overlap on a loaded machine too
        deadline = time.monotonic() + 60
        while len(store.list_runs()) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
    hold.touch()
    results = [w.communicate(timeout=120) for w in writers]
    assert [out.strip() for out, _ in results] == ["ok"] * 4, [err for _, err in results]
    with open_store(store_url) as store:
        runs = {r.id: r for r in store.list_runs()}
        assert sorted(runs) == [f"writer{i:06d}" for i in range(4)]
        assert max(r.created for r in runs.values()) < min(r.finished for r in runs.values())  # they overlapped
        for i in range(4):
            run, history = runs[f"writer{i:06d}"], store.load_history(f"writer{i:06d}")
            assert (run.status, run.epochs, run.session) == ("finished", epochs, f"writer-{i}")
            for key in ("epoch", "loss", "val_loss", "lr"):
                np.testing.assert_array_equal(history.arrays[key], expected_column(key, epochs, i), err_msg=key)


def test_a_failed_write_is_retried_and_training_goes_on(store_url, monkeypatch):
    with open_store(store_url) as store:
        real, calls = store.record_epochs, []

        def flaky(*args, **kwargs):
            calls.append(args[1][:])
            if len(calls) == 2:
                raise StoreUnavailable("(test)", "the server went away")
            return real(*args, **kwargs)

        monkeypatch.setattr(store, "record_epochs", flaky)
        trainer, recorder = StandInTrainer(), RunRecorder(store, interval=0.05)
        recorder.on_train_begin(trainer)
        for _ in range(12):
            trainer.emit(recorder)
            time.sleep(0.02)
        recorder.close(Status.STOPPED)
        assert recorder.error is None and len(calls) >= 3
        assert store.load_history(recorder.run_id).arrays["loss"].tolist() == expected_column("loss", 12)


def test_a_recorder_pickles_its_settings_for_the_training_process(store_url):
    with open_store(store_url) as store:
        recorder = RunRecorder(store, run_id="abc", label="x", session="s", source="sweep", study="st", interval=1.5)
        copy = pickle.loads(pickle.dumps(recorder))
    assert copy.store == store_url and (copy.run_id, copy.label, copy.session, copy.source, copy.study, copy.interval) == \
           ("abc", "x", "s", "sweep", "st", 1.5)  # fmt: skip


def test_weights_fall_back_to_torch_save_and_load_weights_only(monkeypatch):
    from playground.store import weights as w

    state = {"0.weight": torch.randn(3, 2), "1.num_batches_tracked": torch.tensor(4)}
    monkeypatch.setattr(w, "_has_safetensors", lambda: False)
    fmt, data = w.dump(state)
    assert fmt == "torch" and all(torch.equal(w.load(fmt, data)[k], v) for k, v in state.items())
    with pytest.raises(ValueError, match=r"weights format == 'pickle', must be one of \('safetensors', 'torch'\)"):
        w.load("pickle", data)


def test_a_store_that_stays_down_ends_the_writer_with_the_error(store_url, monkeypatch):
    with open_store(store_url) as store:
        trainer, recorder = StandInTrainer(), RunRecorder(store, interval=0.05)
        recorder.on_train_begin(trainer)
        trainer.emit(recorder)
        time.sleep(0.2)  # the begin row and the first epoch are in

        def down(*args, **kwargs):
            raise StoreUnavailable("(test)", "the server went away")

        monkeypatch.setattr(store, "record_epochs", down)
        trainer.emit(recorder)
        t0 = time.monotonic()
        recorder.close(Status.STOPPED)  # waits for the writer's last tries, then returns: training never hangs on it
        assert not recorder.alive and time.monotonic() - t0 < 2 and "the server went away" in str(recorder.error)
        run = store.get_run(recorder.run_id)
    assert run.status == "running" and run.epochs == 1  # never ended: it will read as interrupted

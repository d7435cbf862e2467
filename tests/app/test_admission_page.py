"""The Playground page when the server's training slots are taken: a Start says "Queued" with its place in
line, then starts by itself when a slot frees (AppTest, thread runner; the gate's rules: tests/unit/test_admission.py)."""
import pytest
from apptest_helpers import Blocker, app, progress, rerun_until

from playground.ui import workers


@pytest.fixture(autouse=True)
def thread_runner(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNNER", "thread")
    monkeypatch.setenv("PLAYGROUND_MAX_TRAINING", "1")


def test_a_start_beyond_the_slots_is_queued_then_starts_by_itself():
    at = app(n_samples="50", epochs="100000", seed="0")
    gate, blocker = workers.admission(), Blocker()
    assert gate.slots == 1 and gate.request(blocker)
    at.button(key="start").click().run()
    assert "Queued, next in line" in progress(at), progress(at)
    assert any("data your run will train on" in c.value for c in at.caption)  # the preview, meanwhile
    assert at.button(key="stop").disabled is False  # a queued Start can be withdrawn
    gate.release(blocker)  # the other run ended
    rerun_until(at, lambda at: "Running" in progress(at) and "epoch 0 " not in progress(at), "the queued run to start")
    assert gate.training == 1 and gate.waiting == 0  # the queued run holds the slot now
    at.button(key="stop").click().run()
    rerun_until(at, lambda at: "Stopped" in progress(at), "the stop")

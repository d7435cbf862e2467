"""Both runners implement TrainingRunner with the same signatures, and their snapshots pickle whole."""
import inspect
import pickle

import numpy as np
import pytest

from playground.admitted_runner import AdmittedRunner
from playground.jobs import JobState, JobStatus
from playground.metrics import Metrics
from playground.process_runner import ProcessRunner
from playground.runner import Runner
from playground.runner_protocol import TrainingRunner
from playground.snapshot import BoundaryGrid, PlanePoints, Snapshot, Validation
from playground.status import Status

MEMBERS = [name for name in vars(TrainingRunner) if not name.startswith("_")]


def test_the_protocol_names_the_whole_page_side_api():
    assert set(MEMBERS) == {"snapshot", "heartbeat", "start", "pause", "resume", "step", "set_lr", "submit", "stop",
                            "reset", "close", "alive"}  # fmt: skip


@pytest.mark.parametrize("cls", [Runner, ProcessRunner, AdmittedRunner])
@pytest.mark.parametrize("name", MEMBERS)
def test_runner_signatures_match_the_protocol(cls, name):
    expected, actual = getattr(TrainingRunner, name), getattr(cls, name)
    if isinstance(expected, property):
        assert isinstance(actual, property), f"{cls.__name__}.{name} must be a property"
        return
    want, got = inspect.signature(expected), inspect.signature(actual)
    assert list(got.parameters) == list(want.parameters), f"{cls.__name__}.{name}{got} != {want}"
    for param in want.parameters.values():
        assert got.parameters[param.name].default == param.default, f"{cls.__name__}.{name}: default of {param.name}"


@pytest.mark.parametrize("cls", [Runner, ProcessRunner])
def test_runners_are_training_runners(cls):
    runner = cls()
    try:
        assert isinstance(runner, TrainingRunner)
        assert runner.snapshot().status is Status.IDLE and not runner.alive
    finally:
        runner.close()


def test_a_full_snapshot_pickles_and_keeps_its_types():
    """The child process sends snapshots over a pipe: every part must survive pickling, enums as members."""
    points = PlanePoints((np.zeros((2, 2), np.float32), np.array([0, 1])), (np.ones((1, 2), np.float32), np.array([1])))
    snap = Snapshot(
        status=Status.PAUSED, val=Validation(np.eye(2, dtype=np.int64), np.ones(2), 1.0),
        boundary=BoundaryGrid(np.arange(3.0), np.arange(3.0), np.full((3, 3, 2), 0.5, np.float32), points),
        test=Metrics(0.1, 1.0, 1.0, np.ones(2), np.eye(2, dtype=np.int64)),
        jobs={"lr": JobState(JobStatus.DONE, 1.0, result=[1, 2])}, n_params=5,
    )  # fmt: skip
    back = pickle.loads(pickle.dumps(snap))
    assert back.status is Status.PAUSED and back.active and back.has_model
    assert back.jobs["lr"].status is JobStatus.DONE and back.jobs["lr"].result == [1, 2]
    np.testing.assert_array_equal(back.boundary.points.train[1], [0, 1])
    assert back.test.accuracy == 1.0 and back.val.balanced_accuracy == 1.0


def test_status_groups():
    assert {s for s in Status if s.active} == {Status.STARTING, Status.RUNNING, Status.PAUSED}
    assert {s for s in Status if s.has_model} == {Status.FINISHED, Status.EARLY_STOPPED, Status.STOPPED, Status.STALLED}
    assert not any(s.active and s.ended for s in Status) and f"{Status.PAUSED}" == "paused"

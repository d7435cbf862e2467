"""WorkerProcess: calls run in one spawned child, errors come back as exceptions, and nothing outlives close()."""
import operator
import os
import pickle
import threading
import time

import pytest

import worker_tasks
from playground.worker import RemoteTraceback, WorkerClosed, WorkerCrashed, WorkerProcess, WorkerTimeout


@pytest.fixture
def worker():
    w = WorkerProcess(name="playground-test-worker")
    yield w
    w.close()


def test_calls_run_in_one_child_process_that_start_spawns_at_once(worker):
    worker.start()
    child = worker.pid
    assert child is not None and child != os.getpid()
    assert worker.call(os.getpid) == child
    assert worker.call(operator.add, 2, 3) == 5
    assert worker.call(os.getpid) == child  # the same child serves every call


def test_initializer_runs_in_the_child_before_the_first_call():
    w = WorkerProcess(initializer=worker_tasks.mark_initialized)
    try:
        assert w.call(worker_tasks.initialized) == "yes"
        assert "WORKER_INITIALIZED" not in os.environ
    finally:
        w.close()


def test_an_initializer_named_module_function_is_imported_in_the_child_only():
    w = WorkerProcess(initializer="worker_tasks:mark_initialized")
    try:
        assert w.call(worker_tasks.initialized) == "yes"
    finally:
        w.close()


def test_an_exception_comes_back_with_the_childs_traceback_and_the_child_survives(worker):
    child = worker.call(os.getpid)
    with pytest.raises(ZeroDivisionError) as err:
        worker.call(operator.truediv, 1, 0)
    assert isinstance(err.value.__cause__, RemoteTraceback)
    assert "ZeroDivisionError" in str(err.value.__cause__)
    with pytest.raises(ValueError, match="invalid literal"):
        worker.call(int, "x")
    assert worker.call(os.getpid) == child


def test_what_does_not_pickle_becomes_an_error_that_names_it(worker):
    child = worker.call(os.getpid)
    with pytest.raises(RuntimeError, match="NeedsTwoArgs: 1 and 2"):
        worker.call(worker_tasks.raise_unpicklable)
    with pytest.raises(TypeError, match="unpicklable_result does not pickle"):
        worker.call(worker_tasks.unpicklable_result)
    with pytest.raises((pickle.PicklingError, AttributeError)):
        worker.call(lambda: 1)  # refused before anything is sent
    assert worker.call(os.getpid) == child


def test_a_crash_raises_worker_crashed_with_the_exit_code_and_the_next_call_respawns(worker):
    child = worker.call(os.getpid)
    with pytest.raises(WorkerCrashed, match="exit code 3"):
        worker.call(os._exit, 3)
    assert worker.pid is None
    assert worker.call(os.getpid) not in (None, child)


def test_a_call_past_the_timeout_kills_the_child(worker):
    worker.call(os.getpid)  # warm: the timeout is for the call itself
    worker.timeout = 0.5
    t0 = time.monotonic()
    with pytest.raises(WorkerTimeout, match="pid_after took longer than 0.5 s"):
        worker.call(worker_tasks.pid_after, 30)
    assert time.monotonic() - t0 < 10
    assert worker.pid is None
    worker.timeout = 60
    assert worker.call(worker_tasks.pid_after, 0) == worker.pid


def test_threads_take_turns_and_each_gets_its_own_answer(worker):
    results = {}

    def ask(i):
        results[i] = worker.call(operator.mul, i, i)

    threads = [threading.Thread(target=ask, args=(i,), name=f"playground-test-{i}") for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == {i: i * i for i in range(8)}


def test_close_ends_the_child_stops_a_call_in_progress_and_refuses_later_calls():
    w = WorkerProcess()
    child = w.call(os.getpid)
    errors = []

    def slow_call():
        try:
            w.call(worker_tasks.pid_after, 30)
        except Exception as err:  # noqa: BLE001 - the test inspects it
            errors.append(err)

    caller = threading.Thread(target=slow_call, name="playground-test-caller")
    caller.start()
    time.sleep(0.5)
    w.close()
    caller.join(10)
    assert not caller.is_alive() and isinstance(errors[0], WorkerClosed)
    with pytest.raises(WorkerClosed):
        w.call(os.getpid)
    assert w.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)

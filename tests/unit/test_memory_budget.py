"""A training process's memory budget: a run past it fails in its own session with a clear message, the
process lives on and trains the next run, and another session's run is untouched."""
import pytest

from playground import memory_budget
from playground.config import LayerSpec, RunConfig
from playground.datasets import prepare
from playground.process_runner import ProcessRunner
from playground.status import Status
from polling import wait_for

SPAWN_TIMEOUT = 90  # s: the child imports torch; slow on a loaded 2-core machine
# Inside RunConfig's limits (54,000 training rows x 900 units = MAX_ACTIVATIONS' 48.6M), but at full batch
# its activations and their gradients take ~0.4 GB more than a warm training process's ~0.36 GB.
BIG = RunConfig(n_samples=30_000, classes=3, layers=(LayerSpec(900, "relu"),), batch_size=0, epochs=3)
SMALL = RunConfig(n_samples=50, epochs=3)
BUDGET_MB = 450


def test_explain_names_the_budget_for_a_failed_allocation_only():
    err = RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: "
                       "you tried to allocate 194400000 bytes")  # fmt: skip
    assert "out of memory" in memory_budget.explain(err, mb=450) and "(450 MB)" in memory_budget.explain(err, mb=450)
    assert "other sessions are not affected" in memory_budget.explain(MemoryError())
    assert memory_budget.explain(ValueError("shapes do not match")) is None


def test_the_budget_comes_from_the_env(monkeypatch):
    monkeypatch.delenv(memory_budget.RUN_MEMORY_ENV, raising=False)
    assert memory_budget.budget_mb() == memory_budget.DEFAULT_MB
    monkeypatch.setenv(memory_budget.RUN_MEMORY_ENV, "0")
    assert memory_budget.budget_mb() is None
    monkeypatch.setenv(memory_budget.RUN_MEMORY_ENV, "lots")
    with pytest.raises(ValueError, match="PLAYGROUND_RUN_MEMORY_MB == 'lots', must be a whole number of MB"):
        memory_budget.budget_mb()


def test_a_run_past_the_budget_fails_in_its_own_process_and_the_next_run_trains():
    capped, other = ProcessRunner(memory_mb=BUDGET_MB), ProcessRunner()
    try:
        other.start(RunConfig(n_samples=50, epochs=100_000), prepare(SMALL))
        capped.start(BIG, prepare(BIG))
        snap = wait_for(lambda: (s := capped.snapshot()).status.ended and s, SPAWN_TIMEOUT, "the big run to end")
        assert snap.status is Status.FAILED and snap.message.startswith("out of memory:"), snap.message
        assert capped.child_alive  # the process survived its run's failed allocation
        wait_for(lambda: other.snapshot().epoch > 0, SPAWN_TIMEOUT, "the other session's run")  # it trains on
        assert other.snapshot().status is Status.RUNNING
        capped.start(SMALL, prepare(SMALL))
        wait_for(lambda: capped.snapshot().status is Status.FINISHED, SPAWN_TIMEOUT, "the next, small run")
    finally:
        capped.close()
        other.close()

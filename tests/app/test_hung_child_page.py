"""The Playground page while its training process hangs (SIGSTOP): it stays live, says so, and Stop ends it."""
import multiprocessing
import os
import signal

from apptest_helpers import app, progress, rerun_until

from playground.ui import workers

HUNG_TIMEOUT = 60  # s; the page says "not responding" after 5 s of silence


def trainer_pids() -> set[int]:
    """Training processes that are not waiting in the spare pool: the one running this session's run."""
    spares = set(workers.spare_pool().pids)
    return {p.pid for p in multiprocessing.active_children() if p.name == "playground-trainer-process"} - spares


def says_not_responding(at) -> bool:
    return any("not responding" in c.value for c in at.caption)


def test_a_hung_training_process_is_named_and_stop_ends_it():
    at = app(n_samples="50", epochs="100000", seed="0")
    at.button(key="start").click().run()
    rerun_until(at, lambda at: "Running" in progress(at) and "epoch 0 " not in progress(at), "the first epoch", 120)
    (pid,) = trainer_pids()
    os.kill(pid, signal.SIGSTOP)
    try:
        rerun_until(at, says_not_responding, "the page to say the process is not responding", HUNG_TIMEOUT)
        assert not at.button(key="stop").disabled and not at.button(key="reset").disabled
        at.button(key="stop").click().run()
        assert "Stopped" in progress(at) and not says_not_responding(at)
        assert any("not responding" in i.value for i in at.info)  # the stop's reason
        assert pid not in trainer_pids()
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass

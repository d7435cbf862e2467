"""A session's first Start trains in the server's warm spare process, not in a newly spawned one (AppTest)."""
import multiprocessing
import time

from apptest_helpers import app, progress, rerun_until

from playground.ui import workers

SPARE_TIMEOUT = 90  # s; the spare imports torch and rehearses a run, slow on a loaded 2-core machine


def test_the_first_start_takes_the_spare_and_a_new_one_warms_up():
    at = app(n_samples="50", epochs="100000", seed="0")  # the app's warm-up, after the page, fills the pool
    pool = workers.spare_pool()
    deadline = time.monotonic() + SPARE_TIMEOUT
    while not pool.settled():  # full, and its spare has said "ready"
        assert time.monotonic() < deadline, "the spare never said ready"
        time.sleep(0.05)
    spare = pool.pids[0]
    at.button(key="start").click().run()
    rerun_until(at, lambda at: "Running" in progress(at) and "epoch 0 " not in progress(at), "the first epoch")
    while not (pool.pids and spare not in pool.pids):  # the replacement starts once the first points are drawn
        assert time.monotonic() < deadline + SPARE_TIMEOUT, "no replacement spare"
        time.sleep(0.05)
    replacement = pool.pids
    # The training processes: the spare, now training this session's run, and its replacement.
    # A run in a process of its own would be a third.
    trainers = {p.pid for p in multiprocessing.active_children() if p.name == "playground-trainer-process"}
    assert trainers == {spare, *replacement}, trainers
    at.button(key="stop").click().run()

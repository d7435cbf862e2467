"""cold_start.first_run: until a name's first run has finished, its runs go one at a time; then side by side."""
import threading

import pytest

from playground.ui import cold_start


def test_first_runs_wait_for_each_other_until_one_finishes():
    name = "test-page-a"
    inside, release, order = threading.Event(), threading.Event(), []

    def first():
        with cold_start.first_run(name):
            order.append("first in")
            inside.set()
            release.wait(10)
            order.append("first out")

    def second():
        with cold_start.first_run(name):
            order.append("second in")

    a = threading.Thread(target=first)
    a.start()
    assert inside.wait(10)
    b = threading.Thread(target=second)
    b.start()
    b.join(0.2)  # bounded: the second is still waiting at the lock
    assert b.is_alive() and order == ["first in"]
    release.set()
    a.join(10), b.join(10)
    assert order == ["first in", "first out", "second in"]
    assert cold_start.is_warm(name)


def test_once_warm_runs_do_not_take_the_lock():
    name = "test-page-b"
    with cold_start.first_run(name):
        pass
    held = threading.Event()

    def warm_entry():
        with cold_start.first_run(name):
            held.set()

    with cold_start.first_run("test-page-cold"):  # this thread now holds the process-wide lock
        t = threading.Thread(target=warm_entry)
        t.start()
        t.join(10)
        assert held.is_set()  # the warm name went straight in while the lock was held


def test_a_run_that_stops_early_leaves_the_name_cold_and_the_lock_free():
    name = "test-page-c"
    with pytest.raises(RuntimeError):
        with cold_start.first_run(name):
            raise RuntimeError("st.rerun() or an error in the page")
    assert not cold_start.is_warm(name)
    with cold_start.first_run(name):  # not deadlocked: the lock was released
        pass
    assert cold_start.is_warm(name)


def test_a_name_held_around_another_first_run_is_warm_only_once_both_have_finished():
    # app.py holds "app" around its page's first run, in the same thread: the lock is reentrant
    with cold_start.first_run("test-app"):
        with cold_start.first_run("test-page-d"):
            assert not cold_start.is_warm("test-app")
        assert cold_start.is_warm("test-page-d") and not cold_start.is_warm("test-app")
    assert cold_start.is_warm("test-app")

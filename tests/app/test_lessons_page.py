"""The Lessons page (AppTest): every lesson's card, a focused lesson from the URL, a small lesson run live in its
own process to its overlay and measured sentence, the claim behind Reveal, and an unknown lesson's warning."""
import multiprocessing
import time

import pytest

from playground.lessons import LESSONS
from playground.store import open_store
from playground.ui import workers
from tests.app.apptest_helpers import Blocker, app, chart, rerun_until

PAGE = "pages/lessons.py"
SPARE_TIMEOUT = 90  # s; the spare imports torch and rehearses a run, slow on a loaded 2-core machine
SMALL = "linear_vs_hidden"  # the fastest lesson: two spiral runs of ~0.1 s each (the process start dominates)


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("PLAYGROUND_DB", url)
    return url


def cards(at) -> list[str]:
    prefix = "lesson_card_"
    return [k.removeprefix(prefix) for k in _keys(at) if k.startswith(prefix)]


def _keys(at) -> list[str]:
    found = []

    def walk(node):
        key = getattr(node, "key", None) or ""
        if isinstance(key, str) and key:
            found.append(key)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def test_the_page_shows_every_lesson_in_teaching_order():
    at = app(PAGE)
    assert cards(at) == list(LESSONS)
    assert len(cards(at)) >= 17  # the seventeen, then those added since (issue 13: regression, freezing)
    for lesson_id in LESSONS:
        assert at.button(key=f"lesson_run_{lesson_id}")
    assert not at.warning


def test_a_lesson_link_opens_that_lesson_first():
    at = app(PAGE, lesson="overfitting")
    assert cards(at)[0] == "overfitting" and sorted(cards(at)) == sorted(LESSONS)
    assert not at.warning


def test_an_unknown_lesson_is_named_with_the_valid_ones():
    at = app(PAGE, lesson="nope")
    [warning] = at.warning
    assert "'nope'" in warning.value and "overfitting" in warning.value and "xor" in warning.value
    assert cards(at) == list(LESSONS)


def test_running_a_small_lesson_shows_the_overlay_the_sentence_and_on_reveal_the_claim(store):
    at = app(PAGE)
    at.button(key=f"lesson_run_{SMALL}").click().run()
    assert not at.exception, at.exception
    assert at.query_params["lesson"] == [SMALL] or at.query_params["lesson"] == SMALL
    sentence = rerun_until(at, lambda at: next((m.value for m in at.markdown if "**Measured:**" in m.value), None),
                           "the measured sentence", timeout=90)
    assert "no hidden layer:" in sentence and "one ReLU layer of 100:" in sentence
    names = [t["name"] for t in chart(at, f"lesson_loss_{SMALL}")["data"] if t.get("showlegend", True)]
    assert names == ["no hidden layer", "one ReLU layer of 100"]
    assert chart(at, f"lesson_watch_{SMALL}_0") and chart(at, f"lesson_watch_{SMALL}_1")  # the two boundaries
    lesson = LESSONS[SMALL]
    assert not any(lesson.claim in s.value for s in at.success)  # hidden until revealed
    at.button(key=f"lesson_reveal_{SMALL}").click().run()
    assert any(lesson.claim in s.value for s in at.success)
    runs = open_store(store).list_runs()
    assert sorted((r.label, r.source, r.status) for r in runs) == [
        ("no hidden layer", "lesson", "finished"), ("one ReLU layer of 100", "lesson", "finished")]


def lesson_processes() -> list:
    return [p for p in multiprocessing.active_children() if p.name == "playground-lessons"]


def test_another_run_ends_the_running_lesson_and_takes_the_focus():
    at = app(PAGE)
    at.button(key="lesson_run_xor").click().run()
    first = lesson_processes()
    assert len(first) == 1
    at.button(key=f"lesson_run_{SMALL}").click().run()
    assert not at.exception, at.exception
    assert not first[0].is_alive()  # the xor lesson's process was ended, not left to finish
    assert len(lesson_processes()) == 1
    assert cards(at)[0] == SMALL


def test_the_next_lesson_runs_in_the_finished_ones_process():
    at = app(PAGE)
    at.button(key=f"lesson_run_{SMALL}").click().run()
    rerun_until(at, lambda at: any("**Measured:**" in m.value for m in at.markdown), "the first lesson", timeout=90)
    [process] = lesson_processes()
    at.button(key="lesson_run_zero_init").click().run()
    sentence = rerun_until(at, lambda at: next((m.value for m in at.markdown if "**Measured:**" in m.value), None),
                           "the second lesson", timeout=60)
    assert "all-zero init:" in sentence
    assert lesson_processes() == [process]  # no second process: its imports were paid once


def test_a_first_lesson_runs_in_the_servers_warm_spare_process():
    at = app(PAGE)  # the app's warm-up fills the spare pool after the page
    pool = workers.spare_pool()
    deadline = time.monotonic() + SPARE_TIMEOUT
    while not pool.settled():  # full, and its spare has said "ready": torch imported, a run rehearsed
        assert time.monotonic() < deadline, "the spare never said ready"
        time.sleep(0.05)
    spare = pool.pids[0]
    at.button(key=f"lesson_run_{SMALL}").click().run()
    assert [p.pid for p in lesson_processes()] == [spare]  # no new process importing torch for ~5-10 s
    rerun_until(at, lambda at: any("**Measured:**" in m.value for m in at.markdown), "the lesson", timeout=90)


def test_a_lesson_waits_for_a_place_to_train_like_any_run(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MAX_TRAINING", "1")
    at = app(PAGE)
    gate, blocker = workers.admission(), Blocker()
    assert gate.request(blocker)
    at.button(key=f"lesson_run_{SMALL}").click().run()
    rerun_until(at, lambda at: any("Queued, next in line" in t for t in progress_texts(at)), "the queued lesson")
    assert not lesson_processes()  # nothing trains (nor holds a process) while it waits
    gate.release(blocker)
    rerun_until(at, lambda at: any("**Measured:**" in m.value for m in at.markdown), "the lesson", timeout=90)
    assert gate.waiting == 0


def progress_texts(at) -> list[str]:
    return [p.proto.text for p in at.get("progress")]

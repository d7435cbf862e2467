"""A reload keeps the run: parking a released session's runner under its browser's key."""
import os

from playground.snapshot import Snapshot
from playground.status import Status
from playground.ui.park import RunnerPark, browser_key
from polling import wait_for


def masked_cookie(token: bytes, mask: bytes) -> str:
    """Streamlit's XSRF cookie format: "2|mask|token XOR mask|timestamp" (hex)."""
    masked = bytes(t ^ mask[i % len(mask)] for i, t in enumerate(token))
    return f"2|{mask.hex()}|{masked.hex()}|1795900583"


class FakeRunner:
    def __init__(self, status: Status = Status.RUNNING) -> None:
        self.status, self.closed = status, False

    def snapshot(self) -> Snapshot:
        return Snapshot(status=self.status)

    def close(self, timeout: float = 10.0) -> None:
        self.closed = True


def test_the_browser_key_survives_remasking_and_differs_between_browsers():
    token = os.urandom(16)
    one = browser_key({"_streamlit_xsrf": masked_cookie(token, os.urandom(4))})
    two = browser_key({"_streamlit_xsrf": masked_cookie(token, os.urandom(4))})
    other = browser_key({"_streamlit_xsrf": masked_cookie(os.urandom(16), os.urandom(4))})
    assert one == two and one != other
    assert browser_key({}) is None and browser_key({"_streamlit_xsrf": "garbage"}) is None


def test_a_released_run_is_adopted_by_the_same_browser_only():
    park, runner = RunnerPark(grace=60), FakeRunner()
    park.register(runner, "browser-a")
    park.release(runner)
    assert not runner.closed
    assert park.take("browser-b") is None
    assert park.take("browser-a") is runner and not runner.closed
    assert park.take("browser-a") is None  # adopted once
    park.close_all()


def test_an_unclaimed_run_is_closed_after_the_grace_period():
    park, runner = RunnerPark(grace=0.05), FakeRunner()
    park.register(runner, "browser-a")
    park.release(runner)
    wait_for(lambda: runner.closed, what="the parked runner to close")
    assert park.take("browser-a") is None


def test_idle_or_anonymous_runners_close_at_once():
    park, idle, anonymous = RunnerPark(grace=60), FakeRunner(Status.IDLE), FakeRunner()
    park.register(idle, "browser-a")
    park.register(anonymous, None)
    park.release(idle)
    park.release(anonymous)
    assert idle.closed and anonymous.closed


def test_a_second_release_from_one_browser_keeps_the_newer_run():
    park, old, new = RunnerPark(grace=60), FakeRunner(), FakeRunner()
    for runner in (old, new):
        park.register(runner, "browser-a")
        park.release(runner)
    assert old.closed and park.take("browser-a") is new
    park.close_all()

"""What the page AppTests share: load app.py with a query string, read the progress line and charts,
and rerun at the fragment timer's pace (AppTest never fires ``run_every`` by itself)."""
import json
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from playground.ui.rehearsal import PREFIX as REHEARSAL

APP = str(Path(__file__).resolve().parents[2] / "app.py")  # AppTest resolves relative paths from this file


def app(page: str | None = None, **query: str) -> AppTest:
    """A fresh session opening the default page (or ``page``, e.g. "pages/compare.py") with ``?<query>``."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    if page is not None:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def progress(at: AppTest) -> str:
    bars = at.get("progress")
    return bars[0].proto.text if bars else ""


def rerun_until(at: AppTest, done, what: str, timeout: float = 60.0):
    """Rerun the script like the browser's fragment timer would (AppTest never fires run_every by itself)
    until ``done(at)`` returns something truthy (returned), or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := done(at)):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; progress: {progress(at)!r}")
        time.sleep(0.1)  # the pace of the page's timer: the run goes on in the background meanwhile
        at.run()
        assert not at.exception, at.exception
    return value


def page_charts(at: AppTest) -> list:
    """The page's plotly charts, without the hidden ones: app.py's plotly.js preload (playground/ui/charts.py)
    and the first live frame's rehearsal (playground/ui/rehearsal.py)."""
    return [c for c in at.get("plotly_chart")
            if not c.proto.id.endswith("plotly_preload_chart") and f"-{REHEARSAL}" not in c.proto.id]


def chart(at: AppTest, key: str) -> dict:
    found = [c for c in page_charts(at) if c.proto.id.endswith(key)]
    assert len(found) == 1, [c.proto.id for c in page_charts(at)]
    return json.loads(found[0].proto.spec)


class Blocker:
    """An admission ticket standing for another session's run: it holds the server's place to train until
    ``gate.release(blocker)`` (playground/admission.py)."""

    def granted(self) -> None:
        pass

    def still_training(self) -> bool:
        return True

    def tick(self, now: float) -> None:
        pass

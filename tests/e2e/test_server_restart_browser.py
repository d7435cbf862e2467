"""The server dies while a tab trains: its training processes go with it (they exit when their pipe breaks), and
after a restart on the same port the tab reconnects to an idle page with its setup from the URL."""
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import _free_port, _healthy as healthy
from snapshot import OUTPUT, wait_for_app

pytestmark = pytest.mark.e2e

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGRESS = "[data-testid='stProgress']"
START = ".st-key-start button:not([disabled])"
TIMEOUT = 120  # s: a loaded 2-core machine


def launch(port: int, log_name: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address",
           "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]  # fmt: skip
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with open(OUTPUT / log_name, "w") as log:
        return subprocess.Popen(cmd, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)


def poll(condition, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def descendants(pid: int) -> set[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = {int(c) for c in f.read().split()}
    except FileNotFoundError:
        return set()
    return children.union(*(descendants(c) for c in children)) if children else children


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\tZ" not in next(line for line in f if line.startswith("State:"))
    except (FileNotFoundError, StopIteration):
        return False


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.kill()
    server.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_server_leaves_no_training_process_and_the_tab_reconnects_idle_with_its_setup(browser):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = launch(port, f"streamlit-restart-{port}.log")
    restarted = None
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        poll(lambda: healthy(base), "the server")
        page = context.new_page()
        page.goto(f"{base}/?n_samples=200&epochs=100000&lr=0.05")
        wait_for_app(page)
        page.locator(START).click()
        page.locator(".st-key-loss_chart .js-plotly-plot").first.wait_for(timeout=TIMEOUT * 1000)
        children = poll(lambda: descendants(server.pid), "the server's processes")  # trainer, spare, worker
        os.kill(server.pid, signal.SIGKILL)  # a crash: nothing is closed in an orderly way
        server.wait()
        poll(lambda: not [pid for pid in children if running(pid)], "every training process to exit")

        restarted = launch(port, f"streamlit-restart-{port}-2.log")
        poll(lambda: healthy(base), "the restarted server")
        # the tab reconnects by itself: a fresh session, idle, its setup read from the URL it kept
        page.locator(START).wait_for(timeout=TIMEOUT * 1000)
        wait_for_app(page)
        assert page.locator(PROGRESS).count() == 0  # idle: no run to show, nothing "Running"
        assert "lr=0.05" in page.url and "epochs=100000" in page.url
        assert float(page.locator(".st-key-lr [aria-valuetext]").first.get_attribute("aria-valuetext")) == 0.05
    finally:
        context.close()
        stop(server)
        if restarted is not None:
            stop(restarted)

"""Browser-test fixtures: one ``streamlit run app.py`` server per test module, Playwright on Debian chromium.

Fixtures (mark the tests with ``pytest.mark.e2e``):

    app_server  (module)   base URL, e.g. "http://127.0.0.1:41234", of a fresh server on a free port
    cold_app_server (module) the same, with no page opened yet
    browser     (module)   Playwright Chromium launched from /usr/bin/chromium (never `playwright install`)
    page        (function) a new page with a fixed VIEWPORT, closed after the test
    app_page    (function) open(path) -> page: goes to <base>/<path> and waits until the app is idle

    def test_something(app_page):
        page = app_page("race")
        page.get_by_role("button", name="...").click()
        ...

Helpers (wait_for_app, freeze, assert_snapshot) are in snapshot.py next to this file.
If /usr/bin/chromium or the playwright package is missing the tests are skipped, except when the
environment variable CI is "true": there they fail, so CI never passes by skipping.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from snapshot import OUTPUT, freeze, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")  # Debian's chromium; override for other hosts
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--force-color-profile=srgb", "--font-render-hinting=none", "--hide-scrollbars",
]
VIEWPORT = {"width": 1400, "height": 1800}  # tall: Streamlit scrolls an inner container, full_page can't
SERVER_START_TIMEOUT = 60  # seconds until /_stcore/health answers "ok"


def _unavailable(reason: str) -> None:
    """Skip locally; fail on CI (CI=true), where a skipped browser suite would hide a broken setup."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"e2e tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} not found (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def app_server(browser):
    """Start streamlit on a free port, wait for health, warm it up, yield the base URL, stop it."""
    yield from _serve(browser, warm=True)


@pytest.fixture(scope="module")
def cold_app_server(browser):
    """Like app_server, but no page has been opened yet when the test gets the URL."""
    yield from _serve(browser, warm=False)


def _serve(browser, warm: bool):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log_path = OUTPUT / f"streamlit-{port}.log"
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    with open(log_path, "w") as log:
        server = subprocess.Popen(cmd, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(base):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy at {base}:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        if warm:  # the first page load pays the server's imports; keep that out of the tests' timeouts
            first = browser.new_page()
            first.goto(base + "/")
            wait_for_app(first)
            first.close()
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, color_scheme="light",
                                  reduced_motion="reduce", locale="en-US", timezone_id="UTC")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def app_page(app_server, page):
    """open("race") -> the page at <base>/race, loaded, idle, with CSS motion frozen."""

    def open_path(path: str = ""):
        page.goto(f"{app_server}/{path.lstrip('/')}")
        wait_for_app(page)
        freeze(page)
        return page

    return open_path

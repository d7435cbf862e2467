"""How long a student waits: server start to first page, and Start to the first loss point.

    python benchmarks/bench_startup.py [--repeats 5] [--settle 20]

Each repetition starts a fresh ``streamlit run app.py`` and drives it with headless Chromium
(Debian's /usr/bin/chromium, as the e2e tests):

- server start -> first page: from launching the server process to the Playground page showing
  its Start button and the data preview (the browser asks for the page as soon as
  ``/_stcore/health`` answers);
- first Start, cold server: Start clicked in that first session; until the loss chart (the first
  epoch's point) is drawn;
- a later Start: the same session, after Stop and Reset;
- first Start, warm server: once the server's processes have gone quiet (their CPU time grew by
  less than 0.05 s in a second: every warm-up is done; at least ``--settle`` s after the first
  page), a new browser context (a new session, another browser key, so nothing is adopted) opens
  the page and clicks Start.

Each Start is clicked once the page has settled (its script finished, the browser idle once, at most
2 s later), as a student clicks a page that is drawn. A MutationObserver records whether Streamlit's
auto-discovered pages sidebar (``stSidebarNav``) ever appeared in the first session. Prints the samples
and a markdown table of medians.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from app_server import launch_app, stop_app, wait_healthy
from proc_tree import wait_quiet

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
QUERY = "?epochs=100000"  # the default spiral, a run that outlasts the measurement
START = ".st-key-start button:not([disabled])"
FIRST_PAGE = [START, ".st-key-preview .js-plotly-plot"]  # something useful: the controls and the data
FIRST_POINT = ".st-key-loss_chart .js-plotly-plot"
SETTLED = "[data-testid='stApp'][data-test-script-state='notRunning']"
TIMEOUT = 180_000  # ms; a loaded machine can be very slow
# Set before any page script runs: remember if Streamlit's pages/ sidebar (links named after the
# files: app, compare, landscape, ...) was ever in the DOM; app.py's own navigation is a top bar.
WATCH_SIDEBAR = """
window.__sidebarFlashed = false;
new MutationObserver(() => {
  if (document.querySelector("[data-testid='stSidebarNav']")) window.__sidebarFlashed = true;
}).observe(document, {childList: true, subtree: true});
"""
# The page's own clock: from the Start click to the first frame painted after the loss chart got its
# first trace. Playwright's polling runs in the same busy renderer and saw it 0.1-1 s later.
WATCH_START = """
window.__start = {};
document.addEventListener("click", e => {
  if (e.target.closest(".st-key-start")) window.__start = {click: performance.now()};
}, true);
new MutationObserver(() => {
  const t = window.__start;
  if (t.click && !t.chart && document.querySelector(".st-key-loss_chart .js-plotly-plot .scatterlayer .trace")) {
    t.chart = performance.now();
    requestAnimationFrame(() => setTimeout(() => { t.painted = performance.now(); }, 0));
  }
}).observe(document, {childList: true, subtree: true});
"""
# The page's own clock for the first page: the wall time (ms since the epoch) of the first frame painted
# once the enabled Start button and the preview's plot are both in the DOM.
WATCH_FIRST_PAGE = """
window.__firstPage = null;
const firstPage = new MutationObserver(() => {
  if (document.querySelector(%r) && document.querySelector(%r)) {
    firstPage.disconnect();
    requestAnimationFrame(() => setTimeout(() => { window.__firstPage = performance.timeOrigin + performance.now(); }, 0));
  }
});
firstPage.observe(document, {childList: true, subtree: true, attributes: true});
""" % tuple(FIRST_PAGE)


def open_page(browser, base: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(WATCH_SIDEBAR)
    context.add_init_script(WATCH_START)
    context.add_init_script(WATCH_FIRST_PAGE)
    page = context.new_page()
    page.goto(f"{base}/{QUERY}")
    for selector in FIRST_PAGE:
        page.locator(selector).wait_for(timeout=TIMEOUT)
    return page


def wait_settled(page) -> None:
    """Until the page's script has finished and the browser's main thread has been idle once (at most
    2 s): a student clicks a page that is drawn, not the first button that appears."""
    page.locator(SETTLED).wait_for(timeout=TIMEOUT)
    page.evaluate("() => new Promise(done => requestIdleCallback(done, {timeout: 2000}))")


def time_start(page) -> tuple[float, float]:
    """Seconds from the Start click to the first loss point drawn: as Playwright saw it, and painted (the page's clock)."""
    wait_settled(page)
    t0 = time.monotonic()
    page.locator(START).click()
    page.locator(FIRST_POINT).first.wait_for(timeout=TIMEOUT)  # Streamlit may briefly hold a stale copy too
    seen = time.monotonic() - t0
    page.wait_for_function("window.__start.painted", timeout=TIMEOUT)
    painted = page.evaluate("window.__start.painted - window.__start.click") / 1000
    return seen, painted


def stop_and_reset(page) -> None:
    page.locator(".st-key-stop button:not([disabled])").click()
    page.locator(".st-key-reset button:not([disabled])").click()
    page.wait_for_function(f"() => !document.querySelector({FIRST_POINT!r})", timeout=TIMEOUT)  # every copy gone
    page.locator(START).wait_for(timeout=TIMEOUT)


def one_server(browser, settle: float) -> dict[str, float]:
    t0, wall0 = time.monotonic(), time.time()
    server, base = launch_app()
    try:
        wait_healthy(base, timeout=120)
        page = open_page(browser, base)
        out = {"first_page": time.monotonic() - t0}
        page.wait_for_function("window.__firstPage", timeout=TIMEOUT)
        out["first_page_painted"] = page.evaluate("window.__firstPage") / 1000 - wall0
        out["cold_start"], out["cold_painted"] = time_start(page)
        out["sidebar"] = float(page.evaluate("window.__sidebarFlashed"))
        stop_and_reset(page)
        out["later_start"], out["later_painted"] = time_start(page)
        page.locator(".st-key-stop button:not([disabled])").click()
        page.context.close()  # the session ends: its runner is closed
        time.sleep(max(0.0, settle - (time.monotonic() - t0 - out["first_page"])))
        wait_quiet(server.pid)
        page = open_page(browser, base)
        out["warm_start"], out["warm_painted"] = time_start(page)
        page.locator(".st-key-stop button:not([disabled])").click()
        page.context.close()
        return out
    finally:
        stop_app(server)


ROWS = [
    ("server start -> first page (settings, data preview)", "first_page"),
    ("  the same, painted (the page's clock)", "first_page_painted"),
    ("first Start -> first loss point, cold server (right after the first page)", "cold_start"),
    ("  the same, painted (the page's clock)", "cold_painted"),
    ("first Start -> first loss point, warm server (a new session)", "warm_start"),
    ("  the same, painted (the page's clock)", "warm_painted"),
    ("a later Start -> first loss point (same session, after Stop and Reset)", "later_start"),
    ("  the same, painted (the page's clock)", "later_painted"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--settle", type=float, default=10.0, help="at least this many s after the first page "
                    "before the warm session (and until the server is quiet)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    samples: list[dict[str, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for i in range(args.repeats):
            samples.append(one_server(browser, args.settle))
            print(f"  {i + 1}: " + "  ".join(f"{k} {v:.2f}" for k, v in samples[-1].items()), file=sys.stderr)
        browser.close()
    flashed = sum(s["sidebar"] for s in samples)
    print(f"\n{args.repeats} server starts, load average {os.getloadavg()[0]:.1f}; "
          f"auto-discovered sidebar seen in {flashed:.0f} of {args.repeats} first sessions\n")  # fmt: skip
    print("| measure | median s | min s | max s |")
    print("|---|---:|---:|---:|")
    for label, key in ROWS:
        values = [s[key] for s in samples]
        print(f"| {label} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")


if __name__ == "__main__":
    main()

"""How long the race page takes to redraw after a slider change, on a warm server, in a real browser.

    python benchmarks/bench_race_redraw.py [--changes 10] [--root PATH] [--steps-right 1]

Starts ``streamlit run app.py`` (from ``--root``, default this checkout) on a free port, opens the
Optimizer race page in headless Chromium (Debian's /usr/bin/chromium, as the e2e tests), then
presses ArrowRight on the "Steps" slider ``--changes`` times. Every press is a new race (10 more
steps: a cache miss), so each redraw runs the race, the surface grids, builds the figures and
draws them. A redraw's time runs from the key press to the end of the script run it caused
(``data-test-script-state`` back to ``notRunning``) plus two animation frames (the charts painted);
the script run alone is the time between the two state changes. Prints medians and the spread,
and the load average (the machine is shared: compare runs taken side by side).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from app_server import start_app

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"

# Counts finished script runs and stamps each end (performance.now()); installed once per page.
WATCH = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    window.__runs = 0; window.__ended = 0; window.__started = 0;
    new MutationObserver(() => {
        const state = app.getAttribute("data-test-script-state");
        if (state === "running") window.__started = performance.now();
        if (state === "notRunning") {
            window.__runs += 1; window.__stopped = performance.now();
            requestAnimationFrame(() => requestAnimationFrame(() => { window.__ended = performance.now(); }));
        }
    }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


def redraw_times(page, changes: int) -> list[float]:
    """Seconds from each ArrowRight on the Steps slider to the end of its script run, painted."""
    page.evaluate(WATCH)
    thumb = page.locator(".st-key-race_steps input[type='range']")
    times, runs_s = [], []
    for _ in range(changes):
        runs = page.evaluate("window.__runs")
        thumb.focus()
        pressed = page.evaluate("performance.now()")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"window.__runs > {runs} && window.__ended > {pressed}", timeout=60_000)
        started, stopped, ended = page.evaluate("[window.__started, window.__stopped, window.__ended]")
        times.append((ended - pressed) / 1000)
        runs_s.append((stopped - started) / 1000)
        page.wait_for_timeout(300)  # let the browser settle before the next change
    return times, runs_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--changes", type=int, default=10)
    ap.add_argument("--root", type=Path, default=ROOT, help="the app checkout to serve (compare two trees)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    server, base = start_app(args.root)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(f"{base}/race")
            page.wait_for_selector(READY, timeout=120_000)
            page.locator(".st-key-race_chart_contour").wait_for(timeout=120_000)
            page.wait_for_timeout(3000)  # warm: the first race has run, any worker has started
            times, runs_s = redraw_times(page, args.changes)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print("redraw", " ".join(f"{t:.3f}" for t in times), file=sys.stderr)
    print("of which the script run", " ".join(f"{t:.3f}" for t in runs_s), file=sys.stderr)
    print(f"{args.root}: race redraw after a Steps change, {len(times)} changes: median {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}), of which the script run {statistics.median(runs_s):.3f} s "
          f"(load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()

"""A class on one server: K sessions (browsers, or websocket clients) press Start on the default spiral at the same moment.

    python benchmarks/bench_sessions.py [--sessions 1,5,10,20] [--window 10] [--scenario both] [--client browser]

Each K gets a fresh ``streamlit run app.py`` (warm: measured once its warm-ups have gone quiet) and
K sessions that all click Start together. ``--client`` picks what the sessions are:

- **browser** (the default): K headless Chromium contexts (separate cookies: separate sessions and browser
  keys), driven through Playwright's async API. On the server's own cores, K renderers also take CPU.
- **ws**: K ``StreamlitClient``s (st_client.py) in this process: Streamlit's own websocket protocol, as the
  frontend speaks it (XSRF cookie, reruns with widget states, the message cache, the live view's
  ``run_every`` timers), with nothing rendered. "First point" is then the loss chart's arrival, not its paint.

Two scenarios:

- **class** (the server's defaults: ``PLAYGROUND_MAX_TRAINING`` from the cores, so later Starts
  queue): the default 200-epoch run. Per session: Start -> first loss point, Start -> "Finished",
  whether it was ever shown "Queued", and sessions that failed (no first point or no finish
  within the timeout).
- **open** (``PLAYGROUND_MAX_TRAINING=K``: everyone trains at once, the fair-share question): a run
  that outlasts the measurement. After every session has its first point, a ``--window`` s wait,
  then each page's samples/s from its progress bar, Pause clicked in every session together and
  the time until each page shows "Paused", and the server's memory (its process tree's RSS, peak
  of samples taken through the window). Each page's epoch count is read every second of the window:
  the longest time one stood still is the "longest redraw gap" (with many pages the redraw budget,
  playground/refresh_budget.py, spaces redraws up to 8 s apart). A session whose epoch count did not
  move during the whole window counts as stalled; a window under ~2 x 8 s can count a page between two
  budgeted redraws as stalled.

Prints the samples and markdown tables (median and p95 over sessions), and the client's CPU time (this
process and its children but the server, e.g. Chromium) per measurement.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from app_server import ROOT, launch_app, stop_app, wait_healthy
from playwright.async_api import async_playwright
from proc_tree import cpu_seconds, rss_mb, wait_quiet
from st_client import StreamlitClient

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--disable-background-networking",
        "--disable-renderer-backgrounding", "--disable-background-timer-throttling"]  # fmt: skip
START = ".st-key-start button:not([disabled])"
PAUSE = ".st-key-pause button:not([disabled])"
FIRST_POINT = ".st-key-loss_chart .js-plotly-plot"
PROGRESS = "[data-testid='stProgress']"
ARGS_ROOT = [ROOT]  # the checkout whose app.py is served (--root)
TIMEOUT = 300_000  # ms: twenty sessions on two cores are slow
SPEED = re.compile(r"epoch (\d+) / \d+ · [\d.]+ s · ([\d,]+) samples/s")
CLIENTS = {"browser": "headless Chromium contexts driven by Playwright",
           "ws": "Streamlit's websocket protocol without rendering (benchmarks/st_client.py)"}  # fmt: skip


def progress_has(text: str) -> str:
    return f"() => (document.querySelector(\"{PROGRESS}\") || {{}}).innerText?.includes({text!r})"


async def open_session(browser, base: str, query: str):
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    await page.goto(f"{base}/{query}")
    await page.locator(START).wait_for(timeout=TIMEOUT)
    return page


async def progress(page) -> str:
    try:
        return await page.locator(PROGRESS).first.inner_text(timeout=5_000)
    except Exception:  # noqa: BLE001 - no bar (yet): nothing to read
        return ""


async def watch_queue(page, seen: dict) -> None:
    """Note whether the page ever said "Queued" (polled until cancelled)."""
    while True:
        if "Queued" in await progress(page):
            seen["queued"] = True
            return
        await asyncio.sleep(0.2)


async def class_session(page, t0: float) -> dict:
    out, seen = {}, {"queued": False}
    watcher = asyncio.create_task(watch_queue(page, seen))
    await page.locator(START).click()
    try:
        await page.locator(FIRST_POINT).first.wait_for(timeout=TIMEOUT)
        out["first_point"] = time.monotonic() - t0
        await page.wait_for_function(progress_has("Finished"), timeout=TIMEOUT)
        out["finished"] = time.monotonic() - t0
    except Exception as err:  # noqa: BLE001 - counted as failed
        out["error"] = type(err).__name__
    watcher.cancel()
    out["queued"] = seen["queued"]
    return out


async def open_session_run(page, t0: float) -> dict:
    await page.locator(START).click()
    try:
        await page.locator(FIRST_POINT).first.wait_for(timeout=TIMEOUT)
        return {"first_point": time.monotonic() - t0}
    except Exception as err:  # noqa: BLE001
        return {"error": type(err).__name__}


def speed(text: str) -> tuple[int, float] | None:
    m = SPEED.search(text)
    return (int(m.group(1)), float(m.group(2).replace(",", ""))) if m else None


async def pause_latency(page) -> float | None:
    t0 = time.monotonic()
    try:
        await page.locator(PAUSE).click(timeout=TIMEOUT)
        await page.wait_for_function(progress_has("Paused"), timeout=TIMEOUT)
    except Exception:  # noqa: BLE001
        return None
    return time.monotonic() - t0


def start_server(**env: str) -> tuple[subprocess.Popen, str]:
    server, base = launch_app(ARGS_ROOT[0], **env)
    wait_healthy(base, timeout=120)
    return server, base


class Browser:
    """The sessions as Playwright pages (the functions above), one browser context each."""

    def __init__(self, browser) -> None:
        self.browser = browser

    async def open(self, base: str, query: str):
        return await open_session(self.browser, base, query)

    async def close(self, page) -> None:
        await page.context.close()

    class_session = staticmethod(class_session)
    open_session_run = staticmethod(open_session_run)
    progress = staticmethod(progress)
    pause_latency = staticmethod(pause_latency)


class Ws:
    """The sessions as StreamlitClients: the same steps, waiting on the messages instead of the DOM."""

    timeout = TIMEOUT / 1000

    async def open(self, base: str, query: str) -> StreamlitClient:
        client = StreamlitClient(base, query)
        await client.connect()
        try:
            await client.wait_for(lambda: enabled(client, "start"), self.timeout)
        except TimeoutError as err:
            raise TimeoutError(f"no enabled Start in {self.timeout:.0f} s; the page's exceptions: {client.exceptions}") from err
        return client

    async def close(self, client: StreamlitClient) -> None:
        await client.close()

    async def class_session(self, client: StreamlitClient, t0: float) -> dict:
        out, seen = {}, {"queued": False}
        watcher = asyncio.create_task(self.watch(client, "Queued", seen))
        try:
            await client.click("start", self.timeout)
            await client.wait_for(lambda: client.has_key("loss_chart"), self.timeout)
            out["first_point"] = time.monotonic() - t0
            await client.wait_for(lambda: "Finished" in client.progress_text, self.timeout)
            out["finished"] = time.monotonic() - t0
        except (TimeoutError, ConnectionError) as err:  # counted as failed
            out["error"] = type(err).__name__
        watcher.cancel()
        out["queued"] = seen["queued"]
        return out

    async def watch(self, client: StreamlitClient, text: str, seen: dict) -> None:
        """Note whether the progress bar ever said ``text`` (every message is seen: no polling gaps)."""
        try:
            await client.wait_for(lambda: text in client.progress_text, self.timeout)
            seen[text.lower()] = True
        except (TimeoutError, ConnectionError):
            pass

    async def open_session_run(self, client: StreamlitClient, t0: float) -> dict:
        try:
            await client.click("start", self.timeout)
            await client.wait_for(lambda: client.has_key("loss_chart"), self.timeout)
            return {"first_point": time.monotonic() - t0}
        except (TimeoutError, ConnectionError) as err:
            return {"error": type(err).__name__}

    async def progress(self, client: StreamlitClient) -> str:
        return client.progress_text

    async def pause_latency(self, client: StreamlitClient) -> float | None:
        t0 = time.monotonic()
        try:
            await client.click("pause", self.timeout)
            await client.wait_for(lambda: "Paused" in client.progress_text, self.timeout)
        except (TimeoutError, ConnectionError):
            return None
        return time.monotonic() - t0


def enabled(client: StreamlitClient, key: str) -> bool:
    node = client.by_key(key)
    return node is not None and node.kind == "button" and not node.proto.disabled


def client_cpu(server: subprocess.Popen) -> float:
    """CPU seconds of this process and its children (Chromium, for the browser client), the server's tree left out."""
    return cpu_seconds(os.getpid()) - cpu_seconds(server.pid)


def ws_totals(sessions: list) -> dict:
    """What the ws sessions exchanged (a check that the live view's timers ran), summed over sessions."""
    if not sessions or not isinstance(sessions[0], StreamlitClient):
        return {}
    stats = [s.stats for s in sessions]
    return {"ws_messages": sum(s["messages"] for s in stats), "ws_mb": round(sum(s["bytes"] for s in stats) / 1e6, 1),
            "ws_auto_reruns": sum(s["auto_reruns"] for s in stats)}  # fmt: skip


async def run_class(client, k: int) -> dict:
    server, base = start_server()
    try:
        wait_quiet(server.pid)
        cpu0 = client_cpu(server)
        pages = await asyncio.gather(*(client.open(base, "") for _ in range(k)))
        t0 = time.monotonic()
        results = await asyncio.gather(*(client.class_session(p, t0) for p in pages))
        peak = rss_mb(server.pid)
        cpu = client_cpu(server) - cpu0
        totals = ws_totals(pages)
        for p in pages:
            await client.close(p)
        return {"k": k, "sessions": results, "rss_mb": peak, "client_cpu_s": round(cpu, 1), **totals}
    finally:
        stop_app(server, timeout=15)


async def run_open(client, k: int, window: float) -> dict:
    server, base = start_server(PLAYGROUND_MAX_TRAINING=str(k))
    try:
        wait_quiet(server.pid)
        cpu0 = client_cpu(server)
        pages = await asyncio.gather(*(client.open(base, "?epochs=100000") for _ in range(k)))
        t0 = time.monotonic()
        results = await asyncio.gather(*(client.open_session_run(p, t0) for p in pages))
        before = [speed(await client.progress(p)) for p in pages]
        shown = [(b[0] if b else -1, time.monotonic()) for b in before]  # per page: (epoch shown, since when)
        gaps = [0.0] * k  # per page: the longest time its epoch count stood still in the window
        peak, end = 0.0, time.monotonic() + window
        while time.monotonic() < end:
            peak = max(peak, rss_mb(server.pid))
            await asyncio.sleep(1.0)
            for i, p in enumerate(pages):
                now, epoch = time.monotonic(), (speed(await client.progress(p)) or (-1,))[0]
                if epoch != shown[i][0]:
                    shown[i] = (epoch, now)
                gaps[i] = max(gaps[i], now - shown[i][1])
        after = [speed(await client.progress(p)) for p in pages]
        pauses = await asyncio.gather(*(client.pause_latency(p) for p in pages))
        for r, b, a, pause, gap in zip(results, before, after, pauses, gaps):
            r["samples_per_s"] = a[1] if a else None
            r["longest_gap"] = round(gap, 1)
            r["stalled"] = not (a and b and a[0] > b[0])
            r["pause"] = pause
        cpu = client_cpu(server) - cpu0
        totals = ws_totals(pages)
        for p in pages:
            await client.close(p)
        return {"k": k, "sessions": results, "rss_mb": peak, "client_cpu_s": round(cpu, 1), **totals}
    finally:
        stop_app(server, timeout=15)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


def fmt(values: list[float], unit: str = "s") -> str:
    if not values:
        return "–"
    return f"{statistics.median(values):.1f} / {pct(values, 0.95):.1f} {unit}"


def class_row(r: dict) -> str:
    s = r["sessions"]
    failed = sum("error" in x for x in s)
    first = [x["first_point"] for x in s if "first_point" in x]
    done = [x["finished"] for x in s if "finished" in x]
    queued = sum(x["queued"] for x in s)
    return f"| {r['k']} | {fmt(first)} | {fmt(done)} | {queued} | {failed} | {r['rss_mb']:,.0f} MB |"


def open_row(r: dict) -> str:
    s = r["sessions"]
    failed = sum("error" in x for x in s)
    stalled = sum(x.get("stalled", False) for x in s if "error" not in x)
    first = [x["first_point"] for x in s if "first_point" in x]
    sps = [x["samples_per_s"] for x in s if x.get("samples_per_s")]
    pauses = [x["pause"] for x in s if x.get("pause") is not None]
    med = statistics.median(sps) if sps else float("nan")
    low = min(sps) / med if sps else float("nan")
    gap = max((x["longest_gap"] for x in s if "longest_gap" in x), default=float("nan"))
    return (f"| {r['k']} | {fmt(first)} | {med:,.0f} | {min(sps or [0]):,.0f} ({low:.2f} of median) | "
            f"{gap:.0f} s | {fmt(pauses)} | {failed + stalled} | {r['rss_mb']:,.0f} MB |")  # fmt: skip


async def run_all(client, args) -> tuple[list[dict], list[dict]]:
    class_results, open_results = [], []
    for k in (int(k) for k in args.sessions.split(",")):
        if args.scenario in ("class", "both"):
            r = await run_class(client, k)
            print("class", r, flush=True)
            class_results.append(r)
        if args.scenario in ("open", "both"):
            r = await run_open(client, k, args.window)
            print("open", r, flush=True)
            open_results.append(r)
    return class_results, open_results


async def main_async(args) -> None:
    if args.client == "ws":
        class_results, open_results = await run_all(Ws(), args)
    else:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            class_results, open_results = await run_all(Browser(browser), args)
            await browser.close()
    cores = os.cpu_count()
    print(f"\nClient: {args.client}, {CLIENTS[args.client]}")
    if class_results:
        print(f"\nClass: the defaults ({cores} cores), everyone presses Start on the default 200-epoch spiral "
              f"(median / p95 over sessions)\n")  # fmt: skip
        print("| sessions | Start -> first point | Start -> finished | shown 'Queued' | failed | server memory |")
        print("|---|---|---|---|---|---|")
        for r in class_results:
            print(class_row(r))
    if open_results:
        print(f"\nOpen: PLAYGROUND_MAX_TRAINING = sessions, everyone trains at once ({args.window:.0f} s window)\n")
        print("| sessions | Start -> first point | samples/s, median session | slowest session | longest redraw gap | "
              "Pause -> shown | failed or stalled | server memory (peak) |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|")
        for r in open_results:
            print(open_row(r))
    cpu = [f"{name} {r['k']}: {r['client_cpu_s']:.1f} s" for name, rs in (("class", class_results), ("open", open_results))
           for r in rs]  # fmt: skip
    print(f"\nClient CPU (this process and its children but the server) per measurement: {', '.join(cpu)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", default="1,5,10,20", help="comma-separated K values")
    ap.add_argument("--window", type=float, default=10.0, help="seconds of training measured in the open scenario")
    ap.add_argument("--scenario", choices=("class", "open", "both"), default="both")
    ap.add_argument("--root", default=str(ROOT), help="the checkout to serve (default: this one)")
    ap.add_argument("--client", choices=tuple(CLIENTS), default="browser", help="what the sessions are (see above)")
    args = ap.parse_args()
    ARGS_ROOT[0] = Path(args.root)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())

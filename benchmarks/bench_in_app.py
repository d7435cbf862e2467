"""Training throughput inside the running app, with a browser watching, vs the standalone trainer.

    python benchmarks/bench_in_app.py [--runs 3] [--epochs 300] [--query "dataset=spiral"] [--backends process,thread]

For each runner backend (``PLAYGROUND_RUNNER``) it starts ``streamlit run app.py`` on a free port,
opens the Playground page in headless Chromium (Debian's /usr/bin/chromium, as the e2e tests),
clicks Start, waits for "Finished" while the live charts redraw every half second, and reads the
samples/s from the progress line. The references, each run right after each app run in a fresh
process with one torch thread (as the app trains): the same config trained by the standalone
``Trainer`` with its observers, and by the plain PyTorch loop of bench_trainer.py. Prints a
markdown table of medians.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from app_server import start_app

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PLAYGROUND_DATA_DIR", str(ROOT.parent / "shared" / "data"))
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
PROGRESS = "[data-testid='stProgress']"

STANDALONE = """
import json, sys, torch
from playground.config import from_query
from playground.datasets import prepare
from playground.trainer import Trainer
from playground.callbacks import standard_callbacks
from playground.diagnostics import diagnostic_callbacks
cfg = from_query(json.loads(sys.argv[1]))[0]
splits = prepare(cfg)
class One:
    def on_train_begin(self, t): torch.set_num_threads(1)
    def on_epoch_end(self, t, logs): pass
    def on_train_end(self, t, logs): pass
t = Trainer(cfg, splits, [*standard_callbacks(cfg), *diagnostic_callbacks(cfg), One()])
t.fit()
print(t.epoch * len(splits.y_train) / t.train_seconds)
"""

PLAIN = """
import json, sys, torch
sys.path.insert(0, "benchmarks")
from bench_trainer import plain_loop
from playground.config import from_query
from playground.datasets import prepare
cfg = from_query(json.loads(sys.argv[1]))[0]
splits = prepare(cfg)
torch.set_num_threads(1)
plain_loop(cfg, splits, 1)  # warm-up
clock = plain_loop(cfg, splits, cfg.epochs)
print(cfg.epochs * len(splits.y_train) / clock.wall)
"""


def in_app(browser, base: str, query: str) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(f"{base}/?{query}")
    page.locator(".st-key-start button").wait_for(timeout=120_000)
    page.wait_for_timeout(5000)  # the session's runner (and its child process) is ready
    page.locator(".st-key-start button").click()
    page.get_by_text(re.compile(r"Finished|Early stopped|Diverged")).first.wait_for(timeout=600_000)
    text = page.locator(PROGRESS).inner_text()
    page.close()
    match = re.search(r"([\d,]+) samples/s", text)
    if not match:
        raise RuntimeError(f"no samples/s in {text!r}")
    return float(match.group(1).replace(",", ""))


def measure(script: str, query: str) -> float:
    """samples/s printed by ``script`` (STANDALONE or PLAIN) for the config in ``query``, in a fresh process."""
    params = dict(kv.split("=", 1) for kv in query.split("&") if kv)
    out = subprocess.run([sys.executable, "-c", script, json.dumps(params)], cwd=ROOT, capture_output=True,
                         text=True, check=True)  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--query", default="", help="extra URL query, e.g. 'dataset=mnist&layers=512:relu'")
    ap.add_argument("--backends", default="process,thread")
    args = ap.parse_args()
    query = "&".join(q for q in (f"epochs={args.epochs}", args.query) if q)
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for backend in args.backends.split(","):
            server, base = start_app(PLAYGROUND_RUNNER=backend)
            try:
                app, ref, plain = [], [], []
                for _ in range(args.runs):
                    app.append(in_app(browser, base, query))
                    ref.append(measure(STANDALONE, query))
                    plain.append(measure(PLAIN, query))
                    print(f"  {backend}: app {app[-1]:,.0f}  standalone trainer {ref[-1]:,.0f}  plain loop "
                          f"{plain[-1]:,.0f} samples/s", file=sys.stderr)  # fmt: skip
            finally:
                server.terminate()
                server.wait(10)
            med = statistics.median
            rows.append((backend, med(app), med(ref), med(plain), med(a / r for a, r in zip(app, ref)),
                         med(a / p for a, p in zip(app, plain))))  # fmt: skip
        browser.close()
    print(f"\n`{query}`, {args.runs} runs, load average {os.getloadavg()[0]:.1f}\n")
    print("| runner | in-app samples/s (browser watching) | standalone trainer | plain loop | in-app / trainer |"
          " in-app / plain loop |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    for backend, app, ref, plain, vs_ref, vs_plain in rows:
        print(f"| {backend} | {app:,.0f} | {ref:,.0f} | {plain:,.0f} | {vs_ref:.2f}x | **{vs_plain:.2f}x** |")


if __name__ == "__main__":
    main()

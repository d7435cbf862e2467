"""A session's first two runs, over Streamlit's websocket protocol (benchmarks/st_client.py), no browser.

The first run draws two things nobody sees: the plotly.js preload (playground/ui/charts.py) and the
rehearsal of a live run's first frame (playground/ui/rehearsal.py). The second run (in class: the
first Start) drops both, and must keep every other element at the place the first run gave it: the
browser keys the page's elements by place (delta path), and one place shifted remounts the whole
page (measured: the first Start's charts ~0.3 s later).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_server import start_app, stop_app
from st_client import StreamlitClient, user_key

from playground.ui.rehearsal import KEY as REHEARSAL, PREFIX

pytestmark = pytest.mark.e2e
TIMEOUT = 60  # seconds for any one step on a loaded 2-core machine
PRELOAD = "plotly_preload_chart"


def places(client: StreamlitClient) -> dict[str, tuple[int, ...]]:
    """User key -> delta path, for every keyed element and container on the page."""
    return {key: path for path, node in client.nodes.items() if (key := user_key(node.id))}


async def settled_run(client: StreamlitClient, runs_before: int) -> None:
    await client.wait_for(lambda: client.runs_finished > runs_before and not client.running
                          and client.has_key("preview"), TIMEOUT)  # fmt: skip


async def first_two_runs(base: str) -> tuple[dict, dict]:
    client = StreamlitClient(base, "epochs=100000")
    await client.connect()
    try:
        await settled_run(client, 0)
        first = places(client)
        runs = client.runs_finished
        await client.rerun()  # what any click sends (the widget states as they are)
        await settled_run(client, runs)
        return first, places(client)
    finally:
        await client.close()


def test_the_second_run_drops_the_hidden_first_run_charts_and_keeps_every_other_place():
    server, base = start_app(ROOT)
    try:
        first, second = asyncio.run(first_two_runs(base))
    finally:
        stop_app(server, timeout=15)
    hidden = {PRELOAD, REHEARSAL, *(key for key in first if key.startswith(PREFIX))}
    assert {PRELOAD, REHEARSAL, PREFIX + "boundary_chart", PREFIX + "loss_chart"} <= set(first), sorted(first)
    assert not hidden & set(second), sorted(second)
    kept = set(first) - hidden
    assert {"run_panel", "start", "preview"} <= kept
    moved = {key: (first[key], second.get(key)) for key in kept if second.get(key) != first[key]}
    assert not moved, moved

"""A class opens a fresh server at once: ten tabs (Streamlit's websocket protocol, benchmarks/st_client.py) connect
together, and every one gets the whole Playground page with no exception.

Before playground/ui/cold_start.py, 2 of 4 fresh servers showed one or two of the ten tabs
``AttributeError: partially initialized module 'numpy' has no attribute 'ndarray'``: ten script threads
imported the page's libraries at once, in different orders. Two fresh servers here.
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_server import start_app, stop_app  # noqa: E402
from st_client import StreamlitClient  # noqa: E402

pytestmark = pytest.mark.e2e
TABS = 10
TIMEOUT = 120  # s for all ten first pages on a loaded 2-core machine


async def open_tab(base: str) -> list[str]:
    client = StreamlitClient(base, "epochs=100000")
    await client.connect()
    try:
        done = lambda: (client.has_key("start") and client.runs_finished >= 1 and not client.running)  # noqa: E731
        await client.wait_for(lambda: done() or bool(client.exceptions), TIMEOUT)
        return client.exceptions
    finally:
        await client.close()


async def open_class(base: str) -> list[list[str]]:
    return await asyncio.gather(*(open_tab(base) for _ in range(TABS)))


@pytest.mark.parametrize("server_start", [1, 2])
def test_ten_tabs_on_a_fresh_server_all_get_the_page(server_start):
    server, base = start_app(ROOT)
    try:
        shown = asyncio.run(open_class(base))
    finally:
        stop_app(server)
    assert shown == [[]] * TABS, [e for e in shown if e]

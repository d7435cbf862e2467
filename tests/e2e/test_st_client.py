"""benchmarks/st_client.py against ``streamlit run app.py``: no browser, Streamlit's websocket protocol.

One session opens the Playground with ?epochs=100000, clicks Start, sees the loss chart and the epoch count
move (only the live view's run_every reruns, which the client sends itself, redraw it), clicks Pause and
sees "Paused", then Stop.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_server import start_app, stop_app
from st_client import StreamlitClient, user_key

pytestmark = pytest.mark.e2e
TIMEOUT = 60  # seconds for any one step: a loaded 2-core machine starts torch slowly
EPOCH = re.compile(r"epoch (\d+) /")


def epoch(client: StreamlitClient) -> int:
    m = EPOCH.search(client.progress_text)
    return int(m.group(1)) if m else -1


async def session(base: str) -> None:
    client = StreamlitClient(base, "epochs=100000")
    await client.connect()
    try:
        await client.click("start", TIMEOUT)
        await client.wait_for(lambda: client.has_key("loss_chart") and epoch(client) >= 1, TIMEOUT)
        first = epoch(client)
        await client.wait_for(lambda: epoch(client) > first, TIMEOUT)  # a fragment rerun redrew the bar
        assert client.stats["auto_reruns"] >= 1
        assert client.progress_text.startswith("Running")
        await client.click("pause", TIMEOUT)
        await client.wait_for(lambda: "Paused" in client.progress_text, TIMEOUT)
        await client.click("stop", TIMEOUT)
        await client.wait_for(lambda: "Stopped" in client.progress_text, TIMEOUT)
        assert client.error is None
    finally:
        await client.close()


def test_a_session_starts_trains_pauses_and_stops():
    server, base = start_app(ROOT)
    try:
        asyncio.run(session(base))
    finally:
        stop_app(server, timeout=15)


def test_user_key_from_element_id():
    assert user_key("$$ID-60191aa6bcd1129c88522c8adbebd25a-start") == "start"
    assert user_key("$$ID-60191aa6bcd1129c88522c8adbebd25a-loss-chart") == "loss-chart"
    assert user_key("$$ID-60191aa6bcd1129c88522c8adbebd25a-None") is None
    assert user_key("") is None

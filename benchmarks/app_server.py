"""Start ``streamlit run app.py`` on a free loopback port for the browser benchmarks; wait until healthy."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = str(ROOT.parent / "shared" / "data")  # the UCI CSVs beside the clone, as the tests use them


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_app(root: Path = ROOT, **env: str) -> tuple[subprocess.Popen, str]:
    """(server process, base URL) of ``streamlit run app.py`` just launched, not yet answering.
    ``env`` adds variables (e.g. PLAYGROUND_RUNNER="thread")."""
    port = free_port()
    environ = {"PLAYGROUND_DATA_DIR": os.environ.get("PLAYGROUND_DATA_DIR", DATA_DIR), **os.environ, **env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=root, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(base: str, timeout: float = 60) -> None:
    """Poll /_stcore/health until the server says "ok"; RuntimeError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("streamlit did not start")


def start_app(root: Path = ROOT, **env: str) -> tuple[subprocess.Popen, str]:
    """(server process, base URL) of a server that answers; ``env`` adds variables."""
    proc, base = launch_app(root, **env)
    try:
        wait_healthy(base)
    except RuntimeError:
        proc.kill()
        raise
    return proc, base


def stop_app(server: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate the server (its training processes go with it), killing it if it takes longer than ``timeout``."""
    server.terminate()
    try:
        server.wait(timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()

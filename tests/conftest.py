"""Shared fixtures: every test starts and ends with empty Streamlit caches, no stray threads and no child processes."""
import atexit
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PLAYGROUND_DATA_DIR", str(ROOT.parent / "shared" / "data"))
# CI sets it relative (../shared/data); absolute, it holds for subprocesses started in other folders too
os.environ["PLAYGROUND_DATA_DIR"] = str((ROOT / os.environ["PLAYGROUND_DATA_DIR"]).resolve())
os.chdir(ROOT)  # AppTest paths and relative data dirs are resolved from the repo root
# Runs recorded by tests (the CLI, the app) go to a throwaway run store, never ~/.local/share/playground
os.environ.pop("PLAYGROUND_DB", None)
os.environ["PLAYGROUND_HOME"] = tempfile.mkdtemp(prefix="playground-home-")
atexit.register(shutil.rmtree, os.environ["PLAYGROUND_HOME"], True)

# Threads this project starts carry these name prefixes.
OUR_THREADS = ("playground-",)


def _ours() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(OUR_THREADS) and t.is_alive()]


@pytest.fixture(autouse=True)
def no_leaked_threads():
    """Clear session caches (fires on_release, which stops runners) and require our threads and processes to end."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()
    deadline = time.monotonic() + 10
    while (_ours() or multiprocessing.active_children()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _ours(), f"threads outlived the test: {[t.name for t in _ours()]}"
    assert not multiprocessing.active_children(), f"processes outlived the test: {multiprocessing.active_children()}"

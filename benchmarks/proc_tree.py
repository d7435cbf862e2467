"""A process and its descendants, read from /proc (Linux): their CPU time and their resident memory."""
from __future__ import annotations

import os
import sys
import time


def tree(pid: int) -> list[int]:
    """``pid`` and every descendant still alive."""
    found = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return found
    for child in children:
        found += tree(child)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and all its descendants."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB (shared pages counted once per process)."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            pass
    return total / 1024


def wait_quiet(pid: int, timeout: float = 120.0) -> None:
    """Until the server's process tree used less than 0.05 s of CPU in one second (warm-ups done)."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu_seconds(pid)
        if now - before < 0.05:
            return
        before = now
    print("  the server never went quiet", file=sys.stderr)

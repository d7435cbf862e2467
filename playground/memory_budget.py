"""A training process's memory budget: a run that needs more stops with a clear message in its own session.

    apply(2048)          # in the training process: its data segment may not grow past 2048 MB
    explain(err)         # the page's message for an allocation that failed at the budget, else None

Enforced by the kernel with RLIMIT_DATA (the process's private writable memory: the heap, torch's
tensors, thread stacks), not by a watcher that polls and may look too late: an allocation past the
budget fails at once, torch raises, the run ends FAILED with the message below, and the process
itself, with every other session's, goes on. A warm training process holds ~360 MB of data (torch,
the engine); the default budget leaves a run ~1.7 GB, above what a run inside RunConfig's limits
needs on the 5k MNIST (measured peaks: 0.44-1.07 GB at the MAX_ACTIVATIONS cap) and below what the
largest network on the full MNIST at full batch asks for (2.0 GB RSS measured).
"""
from __future__ import annotations

import os

RUN_MEMORY_ENV = "PLAYGROUND_RUN_MEMORY_MB"
DEFAULT_MB = 2048
ALLOCATION_FAILED = ("can't allocate memory", "not enough memory", "cannot allocate memory", "out of memory",
                     "can't start new thread")  # torch's CPU allocator, the OS, a thread's stack  # fmt: skip


def budget_mb() -> int | None:
    """The budget from ``PLAYGROUND_RUN_MEMORY_MB`` (0: none), else DEFAULT_MB."""
    value = os.environ.get(RUN_MEMORY_ENV)
    if value is None:
        return DEFAULT_MB
    if not value.strip().isdigit():
        raise ValueError(f"{RUN_MEMORY_ENV} == {value!r}, must be a whole number of MB (0: no budget)")
    return int(value) or None


def apply(mb: int | None) -> bool:
    """Cap this process's data segment at ``mb`` MB (never below what it already holds); False if not possible."""
    if not mb:
        return False
    try:
        import resource
    except ImportError:  # not on this OS: the budget is not enforced
        return False
    limit = max(mb * 2**20, _data_bytes() + 64 * 2**20)
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (ValueError, OSError):
        return False
    return True


def explain(err: BaseException, mb: int | None = None) -> str | None:
    """The message for a run that hit the budget (a failed allocation), or None for any other error."""
    text = str(err).lower()
    if not isinstance(err, MemoryError) and not any(s in text for s in ALLOCATION_FAILED):
        return None
    mb = mb or current_limit_mb()
    limit = f" ({mb:,} MB)" if mb else ""
    return (f"out of memory: this run needs more memory than a training process may use on this server{limit}. "
            f"Use a smaller batch size, fewer or narrower layers, or fewer rows; other sessions are not affected.")


def current_limit_mb() -> int | None:
    try:
        import resource
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_DATA)
    return None if soft == resource.RLIM_INFINITY else soft // 2**20


def _data_bytes() -> int:
    """This process's data segment now (VmData), 0 when /proc can't say."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmData:")) * 1024
    except (OSError, StopIteration, ValueError):
        return 0

"""Module-level functions for tests/unit/test_worker.py to run in a WorkerProcess (they must pickle by reference)."""
import os
import time


class NeedsTwoArgs(Exception):
    """An exception that does not survive pickling: unpickling calls __init__ with one argument."""

    def __init__(self, a, b):
        super().__init__(f"{a} and {b}")


def raise_unpicklable():
    raise NeedsTwoArgs(1, 2)


def unpicklable_result():
    return lambda: None


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def mark_initialized() -> None:
    os.environ["WORKER_INITIALIZED"] = "yes"


def initialized() -> str | None:
    return os.environ.get("WORKER_INITIALIZED")

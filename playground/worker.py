"""WorkerProcess: run pure functions in one spawned process, one call at a time.

For torch work a page needs that is not a session's training (that has its own process,
playground/process_runner.py): the optimizer race and its surface grids. The server's script
threads must not run torch (a torch thread pool beside the server's reruns competes for the
interpreter lock and the two cores, see playground/runner.py), and a process per session would
cost each session ~300 MB and a 2-3 s start. One long-lived worker serves every session in turn:
a race takes 0.05-1 s, so 30 sessions queue for seconds at worst, and identical configs are
answered from the page's cache without a call. While a script thread waits for its answer it
holds no interpreter lock, so the server's other sessions keep their reruns going; a race in the
script thread, even with one torch thread, would hold it through its Python loop (up to ~1 s).
Why not ``concurrent.futures.ProcessPoolExecutor``: it cannot stop a call that hangs, and one dead
worker breaks the pool for good; here a timeout kills the child and any failure respawns it.

Shape::

    script threads --call(fn, *args)--> [lock: one call at a time] --Pipe--> child: _serve() loop
                   <-- (True, result, None) | (False, exception, traceback text) <-------'

``fn``, its arguments and its result cross the pipe, so they must pickle: module-level functions,
plain data, numpy arrays. An exception ``fn`` raises is re-raised in the caller with the child's
traceback chained as its cause. A child that dies during a call raises WorkerCrashed; one that
runs past ``timeout`` is killed and raises WorkerTimeout. Either way the next call spawns a fresh
child, so one bad call never breaks the server.

Lifetime: ``start()`` (or the first call) spawns the child, and it lives until ``close()``. It
also exits when its pipe breaks (the server died), and as a daemon with the server's normal exit.
"""
from __future__ import annotations

import importlib
import multiprocessing
import pickle
import threading
import traceback
from multiprocessing.reduction import ForkingPickler
from typing import Any, Callable

DEFAULT_TIMEOUT = 60.0  # s a call may take once its turn has come (a cold child imports torch first)


class WorkerCrashed(RuntimeError):
    """The worker process ended during a call (killed, out of memory, a segfault, os._exit)."""


class WorkerTimeout(TimeoutError):
    """A call ran past the timeout; the worker process was killed."""


class WorkerClosed(RuntimeError):
    """A call after ``close()``: a closed worker never spawns again (nothing may outlive its owner)."""


class RemoteTraceback(Exception):
    """The child's formatted traceback, chained as the cause of the exception re-raised from it."""


class WorkerProcess:
    """One spawned child that runs ``call(fn, *args)`` for any thread of this process, in turn."""

    def __init__(self, name: str = "playground-worker", initializer: Callable[[], None] | str | None = None,
                 timeout: float = DEFAULT_TIMEOUT):  # fmt: skip
        self.name = name  # the child's process name
        # Runs once in every new child (imports, warm-up): a callable that pickles, or "module:function",
        # imported in the child only (the server need not load torch to start a worker that uses it).
        self.initializer = initializer
        self.timeout = timeout
        self._lock = threading.Lock()  # one call at a time; guards _proc and _conn
        self._proc = self._conn = None
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The child's process id while it lives."""
        proc = self._proc
        try:
            return proc.pid if proc is not None and proc.is_alive() else None
        except ValueError:  # released by another thread meanwhile
            return None

    def start(self) -> None:
        """Spawn the child now, so it warms up while the caller goes on; nothing if it runs."""
        with self._lock:
            self._ensure()

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` evaluated in the child; its exceptions are raised here."""
        with self._lock:
            self._ensure()
            ok, value, remote = self._exchange(fn, args)
        if ok:
            return value
        raise value from RemoteTraceback(remote)

    def _exchange(self, fn: Callable, args: tuple) -> tuple:
        """Send one call and wait for its reply; on any failure the child is stopped (the pipe is out of step)."""
        payload = ForkingPickler.dumps((fn, args))  # what Connection.send does; a pickling error leaves the child alone
        try:
            self._conn.send_bytes(payload)
            if self._conn.poll(self.timeout):
                return self._conn.recv()
        except (EOFError, OSError) as err:  # EOF / broken pipe: the child is gone
            code = self._stop()
            if self._closed:
                raise WorkerClosed(f"{self.name} was closed during the call") from err
            raise WorkerCrashed(f"the worker process stopped unexpectedly (exit code {code})") from err
        except BaseException:
            self._stop()
            raise
        self._stop()  # still busy: kill it, or its late reply would answer the next call
        raise WorkerTimeout(f"{getattr(fn, '__name__', fn)} took longer than {self.timeout:g} s")

    def close(self) -> None:
        """Stop the child (a call in progress ends with WorkerClosed) and refuse later calls."""
        self._closed = True
        proc = self._proc
        try:
            if proc is not None:
                proc.terminate()  # wakes a caller waiting on the pipe: it reads EOF
        except ValueError:  # that caller has just released it
            pass
        with self._lock:
            self._stop()

    def _ensure(self) -> None:
        """A live child, spawned if there is none (or the last one died while idle)."""
        if self._closed:
            raise WorkerClosed(f"{self.name} is closed")
        if self._proc is not None and self._proc.is_alive():
            return
        self._stop()
        ctx = multiprocessing.get_context("spawn")  # never fork a multi-threaded server (nor its OpenMP pool)
        self._conn, child_end = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child_end, self.initializer), name=self.name, daemon=True)
        self._proc.start()
        child_end.close()  # the child's end lives in the child only: EOF reaches us when it exits

    def _stop(self) -> int | None:
        """End and release the child, if any; its exit code. The child holds no state worth a grace period."""
        if self._proc is None:
            return None
        proc, self._proc = self._proc, None
        self._conn.close()
        proc.terminate()
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join()
        code = proc.exitcode
        proc.close()
        return code


# ---------------------------------------------------------------- the child


def _serve(conn, initializer: Callable[[], None] | str | None) -> None:
    """Child main loop: answer calls until the parent closes the pipe."""
    if isinstance(initializer, str):
        module, _, function = initializer.partition(":")
        initializer = getattr(importlib.import_module(module), function)
    if initializer is not None:
        initializer()
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return  # the parent closed the pipe or died
        _reply(conn, fn, args)


def _reply(conn, fn: Callable, args: tuple) -> None:
    """Send (True, result, None), or (False, exception, traceback) if fn raised or its result does not pickle."""
    try:
        result = fn(*args)
    except Exception as err:
        conn.send((False, _portable(err), traceback.format_exc()))
        return
    try:
        conn.send((True, result, None))  # pickles first: a failure sends nothing
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        conn.send((False, TypeError(f"the result of {getattr(fn, '__name__', fn)} does not pickle: {err}"),
                   traceback.format_exc()))  # fmt: skip


def _portable(err: Exception) -> Exception:
    """``err`` if it survives a pickle round trip (custom __init__ signatures may not), else a RuntimeError naming it."""
    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:
        return RuntimeError(f"{type(err).__name__}: {err}")

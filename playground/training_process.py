"""The training process's side: what runs in the child a ProcessRunner (or the spare pool) spawns.

    child = spawn_child()        # (process, connection): it warms up, says "ready", waits for its settings
                                 # (or for ("lessons",): then it serves a session's lessons, lesson_process.py)

``_serve`` is the child's main loop: it takes the settings (heartbeat timeout, publish interval,
torch threads, memory budget) from the first message, then executes the ProcessRunner's calls on an ordinary
Runner and streams its snapshots back; a thread of its own sends a pulse every ``PULSE_EVERY`` s
so the parent can tell a hung process from a busy one. See playground/process_runner.py.
"""
from __future__ import annotations

import functools
import multiprocessing as mp
import tempfile
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from playground import memory_budget
from playground.spares import Child
from playground.status import Status

if TYPE_CHECKING:  # the child imports the engine (torch) in _serve: the server spawns children without it
    from playground.runner import Runner

SEND_INTERVAL = 0.25  # s between snapshot sends (each pickles ~0.2 MB); the page polls every 0.5 s
POLL = 0.05  # s the child waits for a call before it checks the snapshot again
FIRST_POINT_WAIT = 0.5  # s a start's reply may wait for the run's first epoch (a warm child's takes ~0.1 s)
PULSE_EVERY = 0.5  # s between the child's "still here" messages, sent by a thread of its own


def spawn_child() -> Child:
    """Start a training process (it warms up, says "ready", then waits for its settings); also the spares' factory."""
    ctx = mp.get_context("spawn")  # never fork a multi-threaded server (nor its OpenMP pool)
    conn, child_end = ctx.Pipe()
    # daemon: a dying server takes it along
    proc = ctx.Process(target=_serve, args=(child_end,), name="playground-trainer-process", daemon=True)
    proc.start()
    child_end.close()  # the child's end lives in the child only: EOF reaches us when it exits
    return proc, conn


def _serve(conn) -> None:
    """The child's main loop: warm up, take the settings, execute calls on a Runner, stream its snapshots.

    Ends on close or EOF (a spare whose pool closed, or a server that went away)."""
    from playground.runner import Runner

    _warm_up()
    try:
        conn.send(("ready",))
        first = conn.recv()  # ("setup", ...) from a ProcessRunner, or ("lessons",) from a LessonWorker
    except (EOFError, OSError):
        return
    if first[0] == "lessons":
        from playground.lesson_process import serve_lessons

        serve_lessons(conn)
        return
    _, heartbeat_timeout, publish_every, threads, memory_mb = first
    if threads:
        import torch

        torch.set_num_threads(threads)
    runner = Runner(heartbeat_timeout=heartbeat_timeout, publish_every=publish_every, threads=threads)
    lock, quiet = threading.Lock(), threading.Event()  # the pulse thread sends too; quiet: stop pulsing

    def send(msg: tuple) -> None:
        with lock:
            conn.send(msg)

    threading.Thread(target=_pulse, args=(send, quiet), name="playground-pulse", daemon=True).start()
    memory_budget.apply(memory_mb)  # from here a run past the budget fails in its own session (memory_budget.py)
    sent, last_send = -1, 0.0
    try:
        while True:
            if conn.poll(POLL):
                msg = conn.recv()
                if msg[0] == "beat":
                    runner.heartbeat()
                    continue
                _, call_id, name, args, kwargs = msg
                result, error = _execute(runner, name, args, kwargs)
                snap = runner.snapshot()
                send(("reply", call_id, result, error, snap))
                sent = snap.version
                if name == "close":
                    return
            snap = runner.snapshot()
            now = time.monotonic()
            if snap.version != sent and (now - last_send >= SEND_INTERVAL or not snap.active):
                send(("snapshot", snap))
                sent, last_send = snap.version, now
    except (EOFError, OSError):  # the server went away: nobody will read or stop us
        pass
    finally:
        quiet.set()
        runner.close()


def _pulse(send: Callable[[tuple], None], quiet: threading.Event) -> None:
    """Say "still here" every PULSE_EVERY s, even while the main loop waits on a long call (a stop mid-epoch)."""
    while not quiet.wait(PULSE_EVERY):
        try:
            send(("pulse",))
        except (OSError, ValueError):  # the pipe is gone: the process is ending
            return


def _warm_up() -> None:
    """Pay a first run's one-time costs before the first Start, so a spare's first point comes as fast as a later run's.

    Importing torch and the engine is most of it; then torch._dynamo's import (the first optimizer,
    ~0.8 s) and the first call of each kernel and code path a run takes (~0.3 s): a two-epoch
    rehearsal on 30 made-up points, through a Runner as the real run goes. It is recorded, as the
    app's runs are, into a throwaway SQLite file: a run's recorder unpickles from playground.store
    (SQLAlchemy's import, ~0.3 s) and first opens a store while the first epoch trains (~0.2 s of
    the interpreter's time). One torch thread; the settings that follow set the real count."""
    import numpy as np
    import torch

    from playground.config import RunConfig
    from playground.datasets import Dataset, Splits
    from playground.runner import Runner
    from playground.store import recording

    torch.set_num_threads(1)
    X = np.random.default_rng(0).standard_normal((30, 2)).astype(np.float32)  # (30, 2)
    y = np.arange(30) % 3
    data = Dataset("spiral", X, y, ["x1", "x2"], ["0", "1", "2"], "2d")
    splits = Splits(X[:18], y[:18], X[18:24], y[18:24], X[24:], y[24:], data)
    runner = Runner(publish_every=0.0)
    with tempfile.TemporaryDirectory(prefix="playground-warm-up-") as tmp:
        record = functools.partial(recording, store=f"sqlite:///{tmp}/rehearsal.db")
        runner.start(RunConfig(epochs=2, seed=0), splits, extra_callbacks=record)
        deadline = time.monotonic() + 30
        while runner.snapshot().active and time.monotonic() < deadline:
            time.sleep(0.01)
        runner.close()  # the run's end is written (its recorder's thread has ended) before the file goes


def _execute(runner: Runner, name: str, args: tuple, kwargs: dict) -> tuple[Any, Exception | None]:
    try:
        attr = getattr(runner, name)
        result = attr(*args, **kwargs) if callable(attr) else attr
    except Exception as err:  # raised again in the caller's thread
        return None, err
    if name == "start":
        _first_point(runner)
    return result, None


def _first_point(runner: Runner, timeout: float = FIRST_POINT_WAIT) -> None:
    """Hold a start's reply until the run's first epoch is in the snapshot (or ``timeout``).

    The page reruns right after a Start click: with the first point in the reply's snapshot it
    draws the charts at once, instead of "starting" now, and the point half a second later in a
    fragment poll that then reruns the whole page for the new status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snap = runner.snapshot()
        if len(snap.history.get("epoch", ())) or snap.status not in (Status.STARTING, Status.RUNNING):
            return
        time.sleep(0.005)

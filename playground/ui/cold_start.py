"""A fresh server runs each page's first run one session at a time; after that, sessions run side by side.

    with cold_start.first_run("app"):             # app.py: its imports and setup, then
        ...
        with cold_start.first_run(navigation.title):  # the page st.navigation picked
            navigation.run()

Streamlit runs every session's script in a thread of its own. When a class opens a fresh server at once,
ten threads import numpy, pandas, scikit-learn and plotly in different orders; CPython breaks the
resulting cross-thread import cycle by handing one thread a half-initialised module, and that tab shows
``AttributeError: partially initialized module 'numpy' has no attribute 'ndarray'`` (seen in 2 of 4
fresh servers with ten tabs). Until one run of a name has finished, its runs hold one process-wide
lock, so the imports happen in one thread, in one order; a run that stops early (a rerun, an error)
leaves the name cold. The waiting sessions lose nothing: their imports would take the same interpreter.

"app" holds the lock around its page's first run (the lock is reentrant), so it is warm only once a whole
first run has finished: until then a session's app.py (which builds a plotly figure) cannot run beside a
page's first imports. Plotly looks for pandas without importing it (``sys.modules``), and found it half
imported by the page's thread: ``partially initialized module 'pandas' has no attribute 'Series'``
(twice in about a dozen fresh servers with ten tabs, in loaded test runs, while "app" was warm after its
own part).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.RLock()  # reentrant: app.py takes it again for its page's first run
_finished: set[str] = set()  # names with a run that reached its end


@contextmanager
def first_run(name: str) -> Iterator[None]:
    if name in _finished:
        yield
        return
    with _lock:
        yield
        _finished.add(name)


def is_warm(name: str) -> bool:
    return name in _finished

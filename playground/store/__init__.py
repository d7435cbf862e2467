"""The run store: every run of the app and the CLI, kept in one database (issue 10 §1).

    from playground.store import RunRecorder, StoreUnavailable, open_store

    store = open_store()            # PLAYGROUND_DB, else $PLAYGROUND_HOME/runs.db; StoreUnavailable if it can't
    trainer = Trainer(cfg, splits, [*standard_callbacks(cfg), RunRecorder(store, run_id=...)])
    store.list_runs(session=...)    # [RunRecord], newest first

One idea per module: location (which database), engine (connecting, schema version), schema
(tables), records (typed results), store (RunStore reads and writes), weights (state_dict <->
bytes), recorder (the Trainer callback), errors (StoreUnavailable). No module here imports torch
at import time.
"""
from __future__ import annotations

import importlib

# name -> the module that defines it. Looked up on first use (PEP 562), so ``from playground.store import
# Location, StoreUnavailable`` does not import SQLAlchemy (~0.4 s): the page's first draw does not wait for it.
_WHERE = {
    "StoreUnavailable": "errors", "Location": "location", "INTERRUPTED": "records", "RunHistory": "records",
    "RunRecord": "records", "RunResult": "records", "Scores": "records", "RunRecorder": "recorder",
    "close_recorders": "recorder", "default_label": "recorder", "recording": "recorder", "SCHEMA_VERSION": "schema",
    "STALE_AFTER": "store", "RunStore": "store", "open_store": "store",
}  # fmt: skip
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value

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
from playground.store.errors import StoreUnavailable
from playground.store.location import Location
from playground.store.records import INTERRUPTED, RunHistory, RunRecord, RunResult, Scores
from playground.store.recorder import RunRecorder, close_recorders, default_label, recording
from playground.store.schema import SCHEMA_VERSION
from playground.store.store import STALE_AFTER, RunStore, open_store

__all__ = [
    "INTERRUPTED", "Location", "RunHistory", "RunRecord", "RunRecorder", "RunResult", "RunStore", "SCHEMA_VERSION",
    "STALE_AFTER", "Scores", "StoreUnavailable", "close_recorders", "default_label", "open_store", "recording",
]  # fmt: skip

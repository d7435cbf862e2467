"""The run store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

    playground_schema    one row: ("runs", SCHEMA_VERSION); a store of another version is refused
    playground_runs      one row per run: identity, status, config query, final metrics (NULL until known)
    playground_history   the per-epoch History columns (HISTORY_KEYS), one row per write of a live run:
                         a block of epochs as float64 bytes (NaN kept), so a write costs one row
                         however many epochs it carries (a full-batch spiral trains ~1,400 a second)
    playground_weights   one row per run that ended with usable weights: the state_dict as bytes

Names carry a ``playground_`` prefix so the tables can sit beside others in a shared database
(Optuna's study tables, for sweeps). Times are UNIX seconds (floats): portable, exact, and compared
in Python, so no dialect's date arithmetic is needed. Ids are the runner's 12-hex-char run ids.
"""
from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text

SCHEMA_VERSION = 1  # bump on any change below; a store with another version is refused, never altered
COMPONENT = "runs"

# the per-epoch scalars, as playground.callbacks.SCALAR_KEYS (a test keeps them equal; no torch import here)
HISTORY_KEYS = (
    "epoch", "loss", "accuracy", "val_loss", "val_accuracy", "val_balanced_accuracy", "lr", "seconds",
    "samples_per_second", "mae", "val_mae", "val_r2", "val_baseline_mae",  # regression (issue 13); older blocks: NaN
)  # fmt: skip
SPLITS = ("train", "val", "test")
SCORES = ("loss", "accuracy", "balanced_accuracy")  # final scores kept per split

metadata = MetaData()

schema = Table(
    "playground_schema", metadata,
    Column("component", String(32), primary_key=True),
    Column("version", Integer, nullable=False),
)  # fmt: skip

runs = Table(
    "playground_runs", metadata,
    Column("id", String(32), primary_key=True),
    Column("label", String(200), nullable=False),
    Column("status", String(20), nullable=False),  # a Status value; "interrupted" is computed on read
    Column("message", Text, nullable=False, default=""),  # the trainer's: why it stopped
    Column("query", Text, nullable=False),  # urlencode(to_query(cfg)): the config as its URL query
    Column("session", String(64)),  # the browser session it came from (None: CLI)
    Column("source", String(16), nullable=False),  # "app", "cli", "sweep"
    Column("study", String(200)),  # the sweep it belongs to (None: a single run)
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),  # last write: a live run's heartbeat
    Column("finished", Float),
    Column("epochs", Integer, nullable=False, default=0),  # epochs run so far
    *(Column(f"{split}_{score}", Float) for split in SPLITS for score in SCORES),
    Column("confusion", Text),  # JSON (C, C) test counts, row = true class
    Column("class_names", Text),  # JSON list of C names
    Column("seconds", Float),  # inside training epochs only
    Column("samples_per_second", Float),
    Index("ix_playground_runs_session", "session"),
    Index("ix_playground_runs_study", "study"),
    Index("ix_playground_runs_created", "created"),
)  # fmt: skip

history = Table(
    "playground_history", metadata,
    Column("run_id", String(32), ForeignKey("playground_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("first_epoch", Integer, primary_key=True, autoincrement=False),
    Column("last_epoch", Integer, nullable=False),
    Column("fields", Text, nullable=False),  # "epoch,loss,...": the block's columns, HISTORY_KEYS when written
    Column("data", LargeBinary, nullable=False),  # (epochs, keys) little-endian float64, C order
)  # fmt: skip

weights = Table(
    "playground_weights", metadata,
    Column("run_id", String(32), ForeignKey("playground_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("format", String(16), nullable=False),  # "safetensors" or "torch" (see weights.py)
    Column("data", LargeBinary, nullable=False),
)  # fmt: skip

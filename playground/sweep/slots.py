"""Trial slots: how workers on any number of machines together run exactly a study's N trials.

Optuna's MaxTrialsCallback checks the count after a trial ends and before the next ``ask()``; two
workers ending at once both see N-1 and make N+1 trials. Here a worker first claims a slot: a row
(study, slot) with a primary key, so of two workers inserting the same slot one fails and tries
the next. Slots 0..N-1 are handed out once each, by the database, whatever the backend, and a
worker that finds none free is done.

The table sits beside the run store's and Optuna's (``playground_`` prefix) and is created when
the first study is; it holds no state beyond the claims.
"""
from __future__ import annotations

import os
import socket
import time

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

metadata = MetaData()
slots = Table(
    "playground_sweep_slots", metadata,
    Column("study", String(200), primary_key=True),
    Column("slot", Integer, primary_key=True, autoincrement=False),
    Column("worker", String(120), nullable=False),  # host:pid, for a person reading the table
    Column("claimed", Float, nullable=False),  # UNIX seconds
)  # fmt: skip


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def ensure_table(engine: Engine) -> None:
    """Create the slots table if missing (two creators at once: the loser finds it made)."""
    try:
        metadata.create_all(engine, checkfirst=True)
    except (OperationalError, ProgrammingError, IntegrityError) as err:
        if "already exists" not in str(err) and not isinstance(err, IntegrityError):
            raise


def claim(engine: Engine, study: str, total: int) -> int | None:
    """The lowest free slot of ``study`` in [0, total), now this worker's; None when all are taken."""
    while True:
        with engine.connect() as conn:
            taken = set(conn.scalars(select(slots.c.slot).where(slots.c.study == study)))
        free = [s for s in range(total) if s not in taken]
        if not free:
            return None
        try:
            with engine.begin() as conn:
                conn.execute(insert(slots).values(study=study, slot=free[0], worker=worker_name(), claimed=time.time()))
            return free[0]
        except IntegrityError:  # another worker took it between our read and our insert: read again
            continue


def claimed(engine: Engine, study: str) -> int:
    with engine.connect() as conn:
        return len(conn.scalars(select(slots.c.slot).where(slots.c.study == study)).all())

"""Opening a store's database: the engine, its connection settings, and the schema version check.

Connection settings are the only per-backend code (``_SETUP``): SQLite gets WAL (readers never
block the writer) and a busy timeout, so several sessions and CLI processes can write one file;
a server gets a connect timeout, so an unreachable host fails in seconds, not minutes. All SQL
goes through SQLAlchemy Core and is the same everywhere.

Nothing is ever repaired or recreated: a file that is not a SQLite database, or a store of
another schema version, is refused with StoreUnavailable and left as it was.
"""
from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, insert, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from playground.store import schema as s
from playground.store.errors import URL_HINT, StoreUnavailable, redact, translate
from playground.store.location import Location

BUSY_TIMEOUT = 30.0  # seconds a SQLite writer waits for another process's write to end
CONNECT_TIMEOUT = 5  # seconds to reach a database server
CREATE_TRIES = 5  # two processes creating a fresh store at once: the loser re-reads the winner's


def connect(location: Location) -> Engine:
    """An engine on ``location`` whose schema is this version's (created if the database has none).

    Raises StoreUnavailable for a bad URL, a missing driver, an unreachable server, a read-only or
    corrupted file, or another schema version.
    """
    where = f"{redact(location.url)} ({location.origin})"
    try:
        url = make_url(location.url)
    except ArgumentError:
        raise StoreUnavailable(where, "it is not a database URL", URL_HINT) from None
    is_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    engine = None
    try:
        engine = _SETUP.get(url.get_backend_name(), _plain)(url)
        version = _ensure_schema(engine)
        _probe_write(engine)
    except (SQLAlchemyError, OSError, ImportError) as err:
        if engine is not None:
            engine.dispose()
        raise translate(where, err, is_sqlite_file=is_file) from err
    if version != s.SCHEMA_VERSION:
        engine.dispose()
        raise StoreUnavailable(where, f"its schema version is {version}, and this playground reads version "
                               f"{s.SCHEMA_VERSION}", "The store was left unchanged; use a playground of its "
                               "version, or point PLAYGROUND_DB (or PLAYGROUND_HOME) at another store.")  # fmt: skip
    return engine


# ---------------------------------------------------------------- per-backend connection settings


def _sqlite(url: URL) -> Engine:
    if url.database not in (None, "", ":memory:") and not url.query.get("uri"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)  # PermissionError -> StoreUnavailable
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    cursor.execute("PRAGMA journal_mode = WAL")  # fails on a corrupted file, before anything is written
    cursor.execute("PRAGMA synchronous = NORMAL")  # WAL's safe setting: a crash of the app loses nothing committed
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _postgresql(url: URL) -> Engine:
    if url.drivername == "postgresql":  # plain postgresql:// means psycopg 2 to SQLAlchemy; we ship psycopg 3
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT})


def _plain(url: URL) -> Engine:
    return create_engine(url, pool_pre_ping=True)


_SETUP = {"sqlite": _sqlite, "postgresql": _postgresql}


# ---------------------------------------------------------------- schema


def _ensure_schema(engine: Engine) -> int:
    """The store's schema version; a database without our tables gets them (this version)."""
    for attempt in range(CREATE_TRIES):
        try:
            with engine.begin() as conn:
                version = _stored_version(conn)
                if version is None:
                    s.metadata.create_all(conn)
                    conn.execute(insert(s.schema).values(component=s.COMPONENT, version=s.SCHEMA_VERSION))
                    version = s.SCHEMA_VERSION
            return version
        except SQLAlchemyError as err:
            if attempt == CREATE_TRIES - 1 or not _lost_creation_race(err):
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _stored_version(conn) -> int | None:
    if not inspect(conn).has_table(s.schema.name):
        return None
    row = conn.execute(select(s.schema.c.version).where(s.schema.c.component == s.COMPONENT)).first()
    return None if row is None else int(row.version)


def _lost_creation_race(err: SQLAlchemyError) -> bool:
    """Another process created the tables (or the version row) between our check and our create."""
    return isinstance(err, IntegrityError) or "already exists" in str(getattr(err, "orig", err))


def _probe_write(engine: Engine) -> None:
    """Fail now, not at the first run, on a read-only file or server: an UPDATE that matches no row
    still asks for write access (SQLite's write lock, PostgreSQL's read-only check)."""
    with engine.begin() as conn:
        conn.execute(update(s.schema).where(s.schema.c.component == "").values(version=0))

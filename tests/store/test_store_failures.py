"""Every way a store can be unusable is one StoreUnavailable with a plain message; nothing is overwritten."""
from __future__ import annotations

import socket

import pytest
from sqlalchemy import create_engine, text

from playground.store import Location, StoreUnavailable, open_store

SAVING_OFF = "Runs are not being saved: the run store "


def refused(url: str) -> str:
    with pytest.raises(StoreUnavailable) as info:
        open_store(url)
    message = str(info.value)
    assert message.startswith(SAVING_OFF), message
    return message


def test_a_bad_url_an_unknown_kind_and_a_missing_driver():
    assert "nonsense (given) cannot be used: it is not a database URL. Use e.g. sqlite:" in refused("nonsense")
    assert "SQLAlchemy knows no database kind by that name" in refused("foo://host/db")
    assert "No module named 'MySQLdb'. Install the database driver" in refused("mysql://host/db")


def test_an_unreachable_server_names_it_and_hides_the_password():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    message = refused(f"postgresql://ana:s3cret@127.0.0.1:{port}/runs")
    assert f"postgresql://ana:***@127.0.0.1:{port}/runs (given) cannot be used: connection failed" in message
    assert "s3cret" not in message and "Check that the database server is running" in message


def test_a_corrupted_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "runs.db"
    garbage = bytes(range(256)) * 32  # 8 KB that is not a SQLite header
    path.write_bytes(garbage)
    mtime = path.stat().st_mtime_ns
    message = refused(f"sqlite:///{path}")
    assert "cannot be used: file is not a database. The file was left untouched; move it away" in message
    assert path.read_bytes() == garbage and path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.db"]  # no -wal / -shm beside it


def test_a_read_only_store_is_refused_at_open(tmp_path):
    open_store(f"sqlite:///{tmp_path / 'runs.db'}").close()
    message = refused(f"sqlite:///file:{tmp_path / 'runs.db'}?mode=ro&uri=true")
    assert "attempt to write a readonly database. Set PLAYGROUND_HOME to a writable folder" in message


def test_a_home_that_cannot_hold_the_file(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.delenv("PLAYGROUND_DB", raising=False)
    monkeypatch.setenv("PLAYGROUND_HOME", str(tmp_path / "a-file" / "playground"))
    with pytest.raises(StoreUnavailable, match=r"\(the default under PLAYGROUND_HOME\) cannot be used: .*Not a directory"):
        open_store()


def test_where_the_store_is(monkeypatch, tmp_path):
    assert Location.from_env({"PLAYGROUND_DB": " postgresql://h/db ", "PLAYGROUND_HOME": "/x"}) == \
           Location("postgresql://h/db", "from PLAYGROUND_DB")  # fmt: skip
    assert Location.from_env({"PLAYGROUND_HOME": str(tmp_path)}).url == f"sqlite:///{tmp_path}/runs.db"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Location.from_env({}).url == f"sqlite:///{tmp_path}/.local/share/playground/runs.db"


def test_a_server_gone_after_open_is_a_store_error_too(postgres_url, postgres):
    store = open_store(postgres_url)
    admin = create_engine(f"{postgres}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {postgres_url.rsplit('/', 1)[1]} WITH (FORCE)"))
    admin.dispose()
    with pytest.raises(StoreUnavailable, match=r"^Runs are not being saved: .* cannot be used: .*does not exist"):
        store.list_runs()
    store.close()

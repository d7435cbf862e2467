"""Run-store fixtures: the same tests on SQLite and on a throwaway PostgreSQL server.

    store_url   (function, parametrized "sqlite" / "postgresql")  a fresh, empty store's URL
    postgres    (session)  the base URL of a PostgreSQL server started for this test run

The server: Debian's ``postgresql`` binaries (``initdb``, ``pg_ctl``, found on PATH or under
/usr/lib/postgresql/*/bin), a cluster in a temporary folder (trust auth, fsync off), listening on
127.0.0.1 at a free port, started as the ``postgres`` user when the tests run as root (PostgreSQL
refuses root), stopped and deleted at the end. Each test gets a database of its own on it.
Without the binaries the PostgreSQL half is skipped, except under CI=true, where it fails
(as the browser tests do): CI never passes by skipping.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

START_TIMEOUT = 60  # seconds for pg_ctl to see the server accept connections
USER = "playground"  # the cluster's superuser (trust auth on 127.0.0.1 only)


def _unavailable(reason: str) -> None:
    """Skip locally; fail on CI (CI=true), where a skipped PostgreSQL half would hide a broken setup."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL store tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    """PostgreSQL will not run as root: run it as the ``postgres`` user Debian's package creates."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@pytest.fixture(scope="session")
def postgres():
    bindir = _bindir()
    if bindir is None:
        _unavailable("PostgreSQL is not installed (apt-get install -y postgresql)")
    root = Path(tempfile.mkdtemp(prefix="playground-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run the server as")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, port = root / "data", _free_port()
    options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
               "-c synchronous_commit=off -c max_connections=50")  # fmt: skip
    run = lambda *cmd: subprocess.run(_as_server_user(list(cmd)), capture_output=True, text=True, timeout=START_TIMEOUT)  # noqa: E731
    done = run(str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"initdb failed: {done.stderr}", pytrace=False)
    done = run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options, "-w",
               "-t", str(START_TIMEOUT), "start")  # fmt: skip
    if done.returncode != 0:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"pg_ctl start failed: {done.stderr}\n{log}", pytrace=False)
    try:
        yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres):
    """A fresh database on the session's server, dropped after the test."""
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{postgres}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield f"{postgres}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh store's URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    return request.getfixturevalue("postgres_url")

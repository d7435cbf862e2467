"""Where the run store lives: ``PLAYGROUND_DB`` (any SQLAlchemy URL), else a SQLite file under
``PLAYGROUND_HOME`` (default ``~/.local/share/playground``).

    PLAYGROUND_DB=postgresql+psycopg://class@db.example/playground   several servers, one store
    PLAYGROUND_HOME=/srv/playground                                   -> sqlite:////srv/playground/runs.db
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

DB_VAR = "PLAYGROUND_DB"
HOME_VAR = "PLAYGROUND_HOME"
DEFAULT_HOME = Path("~/.local/share/playground")
FILENAME = "runs.db"


@dataclass(frozen=True)
class Location:
    """A store URL and where it came from, for messages ("from PLAYGROUND_DB", "the default ...")."""

    url: str
    origin: str  # e.g. "from PLAYGROUND_DB"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Location":
        env = os.environ if env is None else env
        if env.get(DB_VAR, "").strip():
            return cls(env[DB_VAR].strip(), f"from {DB_VAR}")
        home = Path(env.get(HOME_VAR, "").strip() or DEFAULT_HOME).expanduser()
        origin = f"the default under {HOME_VAR}" if env.get(HOME_VAR, "").strip() else f"the default; set {HOME_VAR} or {DB_VAR} to move it"
        return cls(sqlite_url(home / FILENAME), origin)


def sqlite_url(path: str | os.PathLike) -> str:
    """``sqlite:////abs/path/runs.db`` for a file path (made absolute, so the URL means one file)."""
    return f"sqlite:///{Path(path).expanduser().absolute()}"

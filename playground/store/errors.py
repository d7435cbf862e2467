"""StoreUnavailable: the one error a run store raises, whatever went wrong underneath.

A bad URL, a missing driver, an unreachable server, a read-only disk, a corrupted SQLite file or
a schema from another version all end up here, with a message a student can act on:

    Runs are not being saved: the run store sqlite:////home/ana/.local/share/playground/runs.db
    (the default under PLAYGROUND_HOME) cannot be used: file is not a database. The file was
    left untouched; move it away to start a new store, or set PLAYGROUND_DB.

The app keeps training without a store and shows this once; ``python -m playground runs`` prints
it and exits with code 2.
"""
from __future__ import annotations

import re

SAVING_OFF = "Runs are not being saved"
# driver messages that mean "this file is not (or no longer) a SQLite database"
URL_HINT = "Use e.g. sqlite:////path/runs.db or postgresql://user@host/dbname in PLAYGROUND_DB."
_CORRUPT = ("file is not a database", "database disk image is malformed", "file is encrypted")


class StoreUnavailable(RuntimeError):
    """The run store cannot be opened, read or written. ``str(err)`` is the whole plain message."""

    def __init__(self, where: str, reason: str, hint: str = "") -> None:
        self.where, self.reason, self.hint = where, reason, hint
        super().__init__(f"{SAVING_OFF}: the run store {where} cannot be used: {reason}." + (f" {hint}" if hint else ""))


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***`` (also for text that does not parse as a URL)."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def first_line(err: BaseException) -> str:
    """The driver's own words, without SQLAlchemy's "(Background on this error ...)" and SQL echo."""
    cause = getattr(err, "orig", None) or err
    text = str(cause).strip() or type(cause).__name__
    return text.splitlines()[0].rstrip(".")


def translate(where: str, err: BaseException, is_sqlite_file: bool = False) -> StoreUnavailable:
    """A StoreUnavailable naming the store ``where`` (already redacted), the cause and what to do about it."""
    reason = first_line(err)
    if type(err).__name__ == "NoSuchModuleError":  # sqlalchemy.exc: the URL names no known dialect
        return StoreUnavailable(where, f"SQLAlchemy knows no database kind by that name ({reason})", URL_HINT)
    if is_sqlite_file and any(marker in reason.lower() for marker in _CORRUPT):
        hint = ("The file was left untouched; move it away to start a new store, "
                "or set PLAYGROUND_DB to another database URL.")  # fmt: skip
    elif "readonly" in reason.lower().replace("-", "") or isinstance(err, OSError):
        hint = "Set PLAYGROUND_HOME to a writable folder, or PLAYGROUND_DB to another database URL."
    elif isinstance(err, ModuleNotFoundError):
        hint = "Install the database driver (see requirements.txt), or unset PLAYGROUND_DB to use SQLite."
    elif is_sqlite_file:
        hint = "Set PLAYGROUND_HOME to another folder, or PLAYGROUND_DB to another database URL."
    else:
        hint = "Check that the database server is running and reachable, and PLAYGROUND_DB (unset it to use SQLite)."
    return StoreUnavailable(where, reason, hint)

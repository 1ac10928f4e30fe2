"""Backup and restore of the SQLite database; PostgreSQL is backed up with its own tools.

A backup is SQLite's online backup API copying the live database in one step: in WAL mode
that step reads one consistent snapshot (every transaction committed before it began) while
the app goes on writing. The copy is written beside the target, checked and renamed into
place, so a backup file is either complete or absent.

A restore replaces the database, so nothing may have it open. Every process that builds the
app (gunicorn workers, mail senders, `regio` commands) holds a shared lock on
`<database>.in-use` for as long as it lives; the kernel drops it when the process ends, so
there is no stale PID file to clear. A restore needs that lock exclusively.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import weakref
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import URL, make_url

from config import PROJECT_ROOT
from regio.errors import DomainError

try:
    import fcntl
except ImportError:  # not on Windows: restore cannot tell whether Regio runs
    fcntl = None

IN_USE_KEY = "regio.in_use_fd"


class BackupError(DomainError):
    pass


@dataclass
class Copy:
    """What a backup or restore copied."""

    path: Path
    revision: str
    registrations: int
    size: int


def sqlite_file(url: str | URL) -> str | None:
    """The database file of a SQLite URL, else None (PostgreSQL, in memory)."""
    url = make_url(url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return None if url.database.startswith("file:") else url.database


def code_revisions() -> set[str]:
    """The schema revision(s) this version of Regio migrates to."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_heads())


# --- the in-use lock --------------------------------------------------------------------------


def _lock_path(database: str) -> str:
    return f"{database}.in-use"


def hold_in_use_lock(app: Flask) -> None:
    """Mark the app's SQLite database as in use for as long as the app lives."""
    database = sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if database is None or fcntl is None:
        return
    fd = os.open(_lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)  # waits while a restore runs
    app.extensions[IN_USE_KEY] = fd
    weakref.finalize(app, os.close, fd)


@contextmanager
def sole_use(app: Flask):
    """The database to ourselves (this process's shared lock made exclusive), or in_use."""
    fd = app.extensions.get(IN_USE_KEY)
    if fd is None:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BackupError("in_use") from None
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_SH)


# --- backup and restore -----------------------------------------------------------------------


def _describe(connection: sqlite3.Connection, path: Path) -> Copy:
    if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        raise BackupError("damaged", path=str(path))
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        registrations = connection.execute("SELECT COUNT(*) FROM registrations").fetchone()[0]
    except sqlite3.DatabaseError:
        raise BackupError("not_regio", path=str(path)) from None
    if revision is None:
        raise BackupError("not_regio", path=str(path))
    return Copy(path, revision[0], registrations, path.stat().st_size)


def _refuse_same_file(database: str, other: Path) -> None:
    live = Path(database).resolve()
    if other.resolve() in {live, live.with_name(f"{live.name}-wal"),
                           live.with_name(f"{live.name}-shm")}:
        raise BackupError("same_file", path=str(other))


def backup(database: str, target: Path) -> Copy:
    """Copy the live database to `target` (replacing it), readable by its owner only."""
    _refuse_same_file(database, target)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (closing(sqlite3.connect(database, timeout=30)) as source,
              closing(sqlite3.connect(partial)) as copy):
            os.chmod(partial, 0o600)  # it holds personal data
            source.backup(copy)  # all pages in one step: one snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            made = _describe(copy, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    made.path = target
    return made


def check_backup(path: Path) -> Copy:
    """What the backup at `path` holds; refuses what this version of Regio cannot restore."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            found = _describe(connection, path)
    except sqlite3.DatabaseError:
        raise BackupError("not_sqlite", path=str(path)) from None
    expected = code_revisions()
    if found.revision not in expected:
        raise BackupError("revision_differs", path=str(path), found=found.revision,
                          expected=", ".join(sorted(expected)))
    return found


def restore(checked: Copy, database: str) -> None:
    """Replace `database` with a backup `check_backup` passed (the caller holds `sole_use`)."""
    _refuse_same_file(database, checked.path)
    with (closing(sqlite3.connect(f"file:{checked.path}?mode=ro", uri=True)) as source,
          closing(sqlite3.connect(database, timeout=30)) as live):
        source.backup(live)


def has_data(database: str) -> bool:
    if not Path(database).exists():
        return False
    with closing(sqlite3.connect(database, timeout=30)) as connection:
        return connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] > 0


# --- PostgreSQL -------------------------------------------------------------------------------


def libpq_url(url: str | URL) -> str:
    """The database URL as pg_dump takes it: no driver, no password (PGPASSWORD or .pgpass)."""
    url = make_url(url)
    return URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query).render_as_string()


def pg_dump_command(url: str | URL, target: Path) -> str:
    return shlex.join(["pg_dump", "--format=custom", f"--file={target}",
                       f"--dbname={libpq_url(url)}"])


def pg_restore_command(url: str | URL, source: Path) -> str:
    return shlex.join(["pg_restore", "--clean", "--if-exists", "--no-owner",
                       "--single-transaction", f"--dbname={libpq_url(url)}", str(source)])

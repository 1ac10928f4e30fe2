"""The declarative base, the UTC timestamp type and the transaction helpers."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import closing
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

try:
    import fcntl
except ImportError:  # not on Windows: writers then wait in SQLite's busy handler
    fcntl = None

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# How long a visitor is asked to wait (Retry-After) while the database cannot be reached.
RETRY_AFTER_SECONDS = 120


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is expected")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def configure_sqlite(engine: Engine) -> None:
    """Give SQLite real transactions: WAL, a busy timeout, and BEGIN IMMEDIATE on request.

    pysqlite's own transaction handling issues BEGIN late and never IMMEDIATE, so it is switched
    off and SQLAlchemy's `begin` event emits the statement itself (the documented recipe). BEGIN
    and COMMIT go straight to the driver: through SQLAlchemy each costs 30 µs more, and for a
    writer both fall inside the write lock.
    """
    gate = WriterGate.for_engine(engine)
    checkpointer = Checkpointer.for_engine(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        if checkpointer is not None:
            cursor.execute(f"PRAGMA wal_autocheckpoint={Checkpointer.LOG_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "")
        if mode == "IMMEDIATE" and gate is not None:
            gate.enter(connection)
        connection.connection.driver_connection.execute(f"BEGIN {mode}".strip())

    if gate is not None:

        @event.listens_for(engine, "commit")
        def _on_commit(connection):
            gate.leave(connection, "COMMIT")
            checkpointer.after_commit()

        @event.listens_for(engine, "rollback")
        def _on_rollback(connection):
            gate.leave(connection, "ROLLBACK")


def _database_file(engine: Engine) -> str | None:
    """The path of a SQLite database that lives in a file of its own, else None."""
    database = engine.url.database
    if fcntl is None or database in (None, "", ":memory:") or database.startswith("file:"):
        return None
    return database


class Checkpointer:
    """Copies SQLite's write-ahead log into the database beside the writers, not inside one.

    SQLite copies the log in the commit that takes it past 1,000 pages, while that writer still
    holds the write lock: 5–9 ms here, one booking in sixty, and every booking queued behind it
    waits as long. Here a commit starts a passive checkpoint (it takes no lock a writer waits
    for) in a thread of its own, at most every CHECKPOINT_INTERVAL seconds per process. Such a
    checkpoint cannot finish while writers keep adding to the log, and only a finished one lets
    the log start over, so SQLite's own checkpoint still runs, at LOG_PAGES; by then it finds
    little left to copy.
    """

    CHECKPOINT_INTERVAL = 0.25
    LOG_PAGES = 10_000  # 40 MB of log at SQLite's page size

    def __init__(self, path: str) -> None:
        self.path = path
        self._running = threading.Lock()
        self._last = 0.0

    @classmethod
    def for_engine(cls, engine: Engine) -> Checkpointer | None:
        path = _database_file(engine)
        return cls(path) if path is not None else None

    def after_commit(self) -> None:
        now = time.monotonic()
        if now - self._last < self.CHECKPOINT_INTERVAL or not self._running.acquire(False):
            return
        self._last = now
        try:
            threading.Thread(target=self._checkpoint, name="regio-checkpoint", daemon=True).start()
        except RuntimeError:  # no new threads (interpreter shutting down): SQLite's own will do
            self._running.release()

    def _checkpoint(self) -> None:
        try:
            with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as conn:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass  # busy or gone: a later commit starts the next one
        finally:
            self._running.release()


class WriterGate:
    """Hands SQLite's single write lock from one writer to the next without polling.

    Waiting for SQLite's lock means its busy handler, which sleeps up to 100 ms between tries;
    with a few dozen writers the lock sits idle most of the time. Writers first queue on an
    flock of `<database>.writers` (the kernel wakes the next one the moment it is released,
    across threads and gunicorn workers alike), so at most one of them waits inside SQLite.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def for_engine(cls, engine: Engine) -> WriterGate | None:
        path = _database_file(engine)
        return cls(f"{path}.writers") if path is not None else None

    def enter(self, connection) -> None:
        info = connection.info
        if "gate_fd" not in info:
            info["gate_fd"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(info["gate_fd"], fcntl.LOCK_EX)
        info["gate_held"] = True

    def leave(self, connection, statement: str) -> None:
        info = connection.info
        if not info.pop("gate_held", False):
            return
        try:
            # End the transaction before opening the gate, so the next writer finds the lock
            # free; pysqlite's own commit()/rollback() afterwards has nothing left to do.
            connection.connection.driver_connection.execute(statement)
        finally:
            fcntl.flock(info["gate_fd"], fcntl.LOCK_UN)


def _wrote(session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.info.get("flushed"))


@event.listens_for(Session, "after_flush")
def _mark_flushed(session, _ctx):
    session.info["flushed"] = True


@event.listens_for(Session, "after_transaction_end")
def _clear_flushed(session, transaction):
    if transaction.parent is None:
        session.info.pop("flushed", None)


def begin_write() -> None:
    """Start this request's transaction as a writer.

    On SQLite a transaction that has read first cannot safely become a writer later (another
    writer may have committed since its snapshot), so a writing request starts with BEGIN
    IMMEDIATE, which waits for the single write lock. PostgreSQL needs nothing here; services
    lock the rows they check.
    """
    session = db.session()
    if not is_sqlite():
        return
    connection = session.connection() if session.in_transaction() else None
    if connection is not None and connection.get_execution_options().get("sqlite_begin"):
        return
    if session.in_transaction():
        if _wrote(session):
            # A transaction that has written holds SQLite's write lock already.
            session.flush()
            return
        session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def lock_row(model, row_id):
    """Load one row locked for the rest of the transaction (FOR UPDATE; SQLite: the write lock)."""
    begin_write()
    if is_sqlite():
        # The whole database is ours until commit and every object in the session was loaded
        # or expired inside this transaction, so the identity map is already current.
        return db.session.get(model, row_id)
    stmt = (select(model).where(model.id == row_id).with_for_update()
            .execution_options(populate_existing=True))
    return db.session.execute(stmt).scalar_one_or_none()

"""SQLite's write-ahead log is copied into the database beside the writers, not inside one."""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest
from sqlalchemy import text

from regio.db import Checkpointer, begin_write, db
from regio.meetings.models import Meeting

ROW_BYTES = 100_000
ROWS = 20  # 2 MB: 500 pages, below SQLite's own checkpoint at 1,000 pages


@pytest.fixture
def backend():
    return "sqlite"


def _wait_for_checkpoints() -> None:
    for thread in threading.enumerate():
        if thread.name == "regio-checkpoint":
            thread.join(timeout=10)


def test_sqlite_checkpoints_inside_a_commit_only_at_the_log_limit(app):
    limit = db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar()
    assert limit == Checkpointer.LOG_PAGES > 1_000


def _write(rows: int, size: int) -> None:
    for n in range(rows):
        begin_write()
        db.session.add(Meeting(slug=f"m{n}", title="Bijeenkomst", date=date(2027, 1, 1),
                               venue="Zaal", city="Zwolle", description="x" * size))
        db.session.commit()


def test_commits_have_the_log_copied_into_the_database(app, monkeypatch):
    monkeypatch.setattr(Checkpointer, "CHECKPOINT_INTERVAL", 0.0)
    path = db.engine.url.database
    _wait_for_checkpoints()
    before = os.path.getsize(path)
    _write(ROWS, ROW_BYTES)  # far below LOG_PAGES: only the Checkpointer copies anything
    # A commit starts a checkpoint when none is running; one more after they have finished
    # covers every earlier commit.
    _wait_for_checkpoints()
    begin_write()
    db.session.commit()
    _wait_for_checkpoints()
    assert os.path.getsize(path) - before > ROWS * ROW_BYTES


@pytest.fixture
def small_log(monkeypatch):
    monkeypatch.setattr(Checkpointer, "LOG_PAGES", 100)
    monkeypatch.setattr(Checkpointer, "CHECKPOINT_INTERVAL", 0.0)


def test_the_log_starts_over_while_writers_keep_writing(small_log, app):
    # Checkpoints beside the writers never finish while they write; without SQLite's own
    # checkpoint at the limit the log would hold all 1.6 MB written here.
    _write(40, 40_000)
    _wait_for_checkpoints()
    assert os.path.getsize(db.engine.url.database + "-wal") < 1_000_000

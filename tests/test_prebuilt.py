"""Prebuilt statements write and read what `Connection.execute` would, on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, exc, insert, select, text, update

from regio.db import begin_write, db
from regio.mail.models import OutboxMessage
from regio.meetings.models import Meeting
from regio.prebuilt import Prebuilt

WHEN = datetime(2027, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


def _meeting(slug: str = "zwolle") -> Meeting:
    meeting = Meeting(slug=slug, title="Bijeenkomst", date=date(2027, 3, 10), venue="Zaal",
                      city="Zwolle")
    db.session.add(meeting)
    db.session.commit()
    return meeting


def _outbox_values(key: str, meeting_id: int | None = None) -> dict:
    return {"idempotency_key": key, "kind": "confirm_email", "recipient": "a@school.nl",
            "payload": {"token": "abc", "meeting_id": meeting_id, "naam": "Zoë"},
            "message_id": f"<{key}@regio.test>", "created_at": WHEN,
            "next_attempt_at": WHEN}


def test_insert_converts_values_and_fills_scalar_defaults(app):
    statement = Prebuilt(insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id))
    begin_write()
    rows = statement.execute(db.session.connection(), _outbox_values("k1"))
    db.session.commit()

    message = db.session.get(OutboxMessage, rows[0][0])
    assert message.payload == {"token": "abc", "meeting_id": None, "naam": "Zoë"}
    assert message.created_at == WHEN  # stored as UTC and read back aware, to the microsecond
    assert message.state == "queued"  # the column's scalar default, which the values left out


def test_update_returns_converted_columns_in_the_same_transaction(app):
    meeting = _meeting()
    table = Meeting.__table__
    statement = Prebuilt(
        update(table).where(table.c.id == meeting.id).values(taken=table.c.taken + 1)
        .returning(table.c.date, table.c.taken, table.c.is_open))
    begin_write()
    rows = statement.execute(db.session.connection(), {"updated_at": WHEN})
    assert rows == [(date(2027, 3, 10), 1, True)]
    db.session.rollback()  # it ran inside the session's transaction: nothing is kept
    assert db.session.execute(select(table.c.taken)).scalar_one() == 0


def test_a_callable_default_left_out_is_refused(app):
    meeting = _meeting()
    table = Meeting.__table__
    statement = Prebuilt(update(table).where(table.c.id == meeting.id).values(taken=5))
    begin_write()
    with pytest.raises(ValueError, match="updated_at"):
        statement.execute(db.session.connection(), {})


def test_driver_errors_come_out_as_sqlalchemy_errors(app):
    statement = Prebuilt(insert(OutboxMessage.__table__))
    begin_write()
    statement.execute(db.session.connection(), _outbox_values("same"))
    with pytest.raises(exc.IntegrityError):
        statement.execute(db.session.connection(), _outbox_values("same"))
    db.session.rollback()


def test_each_set_of_value_names_gets_its_own_statement(app):
    statement = Prebuilt(insert(OutboxMessage.__table__))
    begin_write()
    connection = db.session.connection()
    statement.execute(connection, _outbox_values("short"))
    statement.execute(connection, {**_outbox_values("long"), "attempts": 3})
    db.session.commit()
    attempts = dict(db.session.execute(
        select(OutboxMessage.idempotency_key, OutboxMessage.attempts)).all())
    assert attempts == {"short": 0, "long": 3}


def test_a_lost_connection_is_dropped_so_the_rollback_works(app, backend):
    if backend != "postgresql":
        pytest.skip("a server connection to lose")
    statement = Prebuilt(insert(OutboxMessage.__table__))
    begin_write()
    connection = db.session.connection()
    backend_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    other = create_engine(db.engine.url)
    with other.connect() as killer:
        killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})
    other.dispose()
    with pytest.raises(exc.OperationalError) as raised:
        statement.execute(connection, _outbox_values("lost"))
    assert raised.value.connection_invalidated
    db.session.rollback()  # raised OperationalError too while the dead connection was kept
    begin_write()
    statement.execute(db.session.connection(), _outbox_values("after"))
    db.session.commit()
    assert db.session.execute(select(OutboxMessage.idempotency_key)).scalars().all() == ["after"]

"""The statements a new booking runs while it holds the meeting lock, each built once.

Every other booking for the meeting waits while these run, so they skip what costs more than
the SQL itself: the ORM's unit of work and building a statement per call. They are executed
on the session's connection (the same transaction) with a dict of values.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from regio.mail.models import OutboxMessage
from regio.meetings.models import Meeting
from regio.registrations.models import PersonalLink, Registration

_meetings = Meeting.__table__
_registrations = Registration.__table__

# What decides whether a booking may take a place (Meeting.status) and what its invite says.
BOOKING_COLUMNS = ("date", "capacity", "taken", "is_open", "is_cancelled", "sequence")

# PostgreSQL: FOR UPDATE; SQLite renders none, the transaction holds the write lock already.
LOCK_MEETING = (select(*(_meetings.c[name] for name in BOOKING_COLUMNS))
                .where(_meetings.c.id == bindparam("meeting_id")).with_for_update())

ADD_TAKEN = (update(_meetings).where(_meetings.c.id == bindparam("meeting_id"))
             .values(taken=_meetings.c.taken + bindparam("delta")))

ACTIVE_REGISTRATION = select(_registrations.c.id).where(
    _registrations.c.meeting_id == bindparam("meeting_id"),
    _registrations.c.active_email == bindparam("email"))

INSERT_REGISTRATION = insert(_registrations).returning(_registrations.c.id)
INSERT_LINK = insert(PersonalLink.__table__)
INSERT_OUTBOX = insert(OutboxMessage.__table__)

"""The statements a new booking runs while it holds the meeting lock, each built once.

Every other booking for the meeting waits while these run, so they skip what costs more than
the SQL itself: the ORM's unit of work, building a statement per call and, for the four of the
common booking, SQLAlchemy's execution (`regio.prebuilt`). They run on the session's
connection (the same transaction) with a dict of values.

The common booking is four statements and the commit: TAKE_PLACE (which locks the meeting
row and takes a place in one go), INSERT_REGISTRATION, INSERT_LINK and the outbox's INSERT.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, or_, update
from sqlalchemy.dialects import postgresql, sqlite

from regio.meetings.models import Meeting
from regio.prebuilt import Prebuilt
from regio.registrations.models import PersonalLink, Registration

_meetings = Meeting.__table__
_registrations = Registration.__table__

# What decides whether a booking may take a place (Meeting.status) and what its invite says.
BOOKING_COLUMNS = ("date", "capacity", "taken", "is_open", "is_cancelled", "sequence")
_booking_columns = [_meetings.c[name] for name in BOOKING_COLUMNS]

# One place more when the meeting is open, not past and not full (Meeting.status is "open"),
# returning the booking columns; no row otherwise, and then nothing changed. The UPDATE locks
# the row as FOR UPDATE would. Values: meeting_id, today, updated_at.
TAKE_PLACE = Prebuilt(
    update(_meetings)
    .where(_meetings.c.id == bindparam("meeting_id"),
           _meetings.c.is_open.is_(True), _meetings.c.is_cancelled.is_(False),
           _meetings.c.date >= bindparam("today"),
           or_(_meetings.c.capacity.is_(None), _meetings.c.taken < _meetings.c.capacity))
    .values(taken=_meetings.c.taken + 1)
    .returning(*_booking_columns),
    returning=_booking_columns,
)

ADD_TAKEN = (update(_meetings).where(_meetings.c.id == bindparam("meeting_id"))
             .values(taken=_meetings.c.taken + bindparam("delta")))

# The new registration's id, or no row when the address holds an active registration for the
# meeting already: the unique (meeting_id, active_email) is the duplicate check.
INSERT_REGISTRATION = {
    dialect.dialect.name: Prebuilt(
        dialect.insert(_registrations)
        .on_conflict_do_nothing(index_elements=["meeting_id", "active_email"])
        .returning(_registrations.c.id),
        returning=[_registrations.c.id])
    for dialect in (postgresql, sqlite)
}
INSERT_LINK = Prebuilt(insert(PersonalLink.__table__))

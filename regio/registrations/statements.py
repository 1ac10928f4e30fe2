"""The statements a new booking runs while it holds the meeting lock, each built once.

Every other booking for the meeting waits while these run, so they skip what costs more than
the SQL itself: the ORM's unit of work, building a statement per call and, for the four of the
common booking, SQLAlchemy's execution (`regio.prebuilt`). They run on the session's
connection (the same transaction) with a dict of values.

The common booking is four statements and the commit: TAKE_PLACE (which locks the meeting
row and takes a place in one go), INSERT_REGISTRATION, INSERT_LINK and the outbox's INSERT. On
PostgreSQL the four are one statement (`book_at_once`).
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import JSON, String, bindparam, cast, func, insert, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from regio.db import UTCDateTime
from regio.mail.models import OutboxMessage
from regio.meetings.models import Meeting
from regio.prebuilt import Prebuilt
from regio.registrations.models import PersonalLink, Registration

_meetings = Meeting.__table__
_registrations = Registration.__table__
_links = PersonalLink.__table__
_outbox = OutboxMessage.__table__

# What decides whether a booking may take a place (Meeting.status) and what its invite says.
BOOKING_COLUMNS = ("date", "capacity", "taken", "is_open", "is_cancelled", "sequence")
_booking_columns = [_meetings.c[name] for name in BOOKING_COLUMNS]

# One place more when the meeting is open, not past, inside its registration window and not
# full (Meeting.status is "open"), returning the booking columns; no row otherwise, and then
# nothing changed. The UPDATE locks the row as FOR UPDATE would. Values: meeting_id, today, now.
_now = bindparam("now", type_=UTCDateTime)
_take_place = (
    update(_meetings)
    .where(_meetings.c.id == bindparam("meeting_id"),
           _meetings.c.is_open.is_(True), _meetings.c.is_cancelled.is_(False),
           _meetings.c.date >= bindparam("today"),
           or_(_meetings.c.registration_opens_at.is_(None),
               _meetings.c.registration_opens_at <= _now),
           or_(_meetings.c.registration_closes_at.is_(None),
               _meetings.c.registration_closes_at > _now),
           or_(_meetings.c.capacity.is_(None), _meetings.c.taken < _meetings.c.capacity))
    .values(taken=_meetings.c.taken + 1, updated_at=_now)
    .returning(*_booking_columns)
)
TAKE_PLACE = Prebuilt(_take_place)

ADD_TAKEN = (update(_meetings).where(_meetings.c.id == bindparam("meeting_id"))
             .values(taken=_meetings.c.taken + bindparam("delta")))

# The new registration's id, or no row when the address holds an active registration for the
# meeting already: the unique (meeting_id, active_email) is the duplicate check.
INSERT_REGISTRATION = {
    dialect.dialect.name: Prebuilt(
        dialect.insert(_registrations)
        .on_conflict_do_nothing(index_elements=["meeting_id", "active_email"])
        .returning(_registrations.c.id))
    for dialect in (postgresql, sqlite)
}
INSERT_LINK = Prebuilt(insert(_links))


# The outbox columns `book_at_once` computes (or leaves empty) instead of binding.
COMPUTED_MAIL_COLUMNS = ("idempotency_key", "registration_id", "campaign_id", "payload")


@lru_cache(maxsize=16)
def book_at_once(registration_columns: tuple[str, ...], mail_columns: tuple[str, ...],
                 mails: int) -> Prebuilt:
    """PostgreSQL: TAKE_PLACE, the registration, its links and its mails as one statement.

    On PostgreSQL the meeting row stays locked from TAKE_PLACE to the commit, and every
    statement in between is a round trip to the server that the next booking waits for; here
    the booking is one (data-modifying CTEs, which SQLite lacks). It returns one row, the new
    registration's id (NULL when the address is registered already: the place was taken and
    must be given back) and the booking columns, or no row when TAKE_PLACE found no room, and
    then nothing changed. Values: those of TAKE_PLACE; `reg_<column>` for the registration;
    `link0_token_hash` for its one personal link; per mail n: `mail<n>_key` (the idempotency
    key up to the registration id, which follows it), `mail<n>_payload` (without `sequence`,
    which is the meeting's) and `mail<n>_<column>` for the other `mail_columns`. Columns left
    out get the database's defaults (SQLAlchemy does not run Python-side defaults inside a CTE).
    """
    place = _take_place.cte("place")
    registration = (
        postgresql.insert(_registrations)
        .from_select(registration_columns, select(*(
            bindparam(f"reg_{name}", type_=_registrations.c[name].type)
            for name in registration_columns)).select_from(place), include_defaults=False)
        .on_conflict_do_nothing(index_elements=["meeting_id", "active_email"])
        .returning(_registrations.c.id)
        .cte("registration")
    )
    link = insert(_links).from_select(
        ["registration_id", "token_hash", "created_at"],
        select(registration.c.id, bindparam("link0_token_hash", type_=String),
               bindparam("now", type_=UTCDateTime)), include_defaults=False)
    writes = [link.cte("link0")]
    for n in range(mails):
        payload = cast(
            bindparam(f"mail{n}_payload", type_=postgresql.JSONB)
            .op("||", return_type=postgresql.JSONB)(
                func.jsonb_build_object("sequence", place.c.sequence)),
            JSON)
        mail = insert(_outbox).from_select(
            ["registration_id", "idempotency_key", "payload", *mail_columns],
            select(registration.c.id,
                   bindparam(f"mail{n}_key", type_=String) + cast(registration.c.id, String),
                   payload,
                   *(bindparam(f"mail{n}_{name}", type_=_outbox.c[name].type)
                     for name in mail_columns))
            .select_from(registration.join(place, true())), include_defaults=False)
        writes.append(mail.cte(f"mail{n}"))
    statement = (select(registration.c.id, *(place.c[name] for name in BOOKING_COLUMNS))
                 .select_from(place.outerjoin(registration, true()))
                 .add_cte(*writes))
    return Prebuilt(statement)

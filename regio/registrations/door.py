"""At the door: the list door staff search, check-in and its undo, and walk-ins.

Like the booking service, every function runs in the caller's transaction and flushes; every
change is in the audit log with the registration's id (its history shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from regio import audit
from regio.db import db, lock_row
from regio.errors import BookingError
from regio.meetings.models import Meeting
from regio.registrations.models import Registration, Status
from regio.registrations.search import by_name, keys_for, matches

# The booking service's own checks, shared so a walk-in follows the same rules.
from regio.registrations.services import (
    Applicant,
    _check_applicant,
    _new_uid,
    _take_place,
    find_active,
    normalise_email,
)
from regio.registrations.tickets import issue_ticket


def door_list(meeting: Meeting, query: str, *, limit: int) -> list[Registration]:
    """Confirmed people of the meeting, in phone-book order; those matching `query` only.

    At most `limit` + 1 rows, so the caller can tell there are more.
    """
    stmt = select(Registration).where(Registration.meeting_id == meeting.id,
                                      Registration.status == Status.CONFIRMED)
    if query:
        stmt = stmt.where(matches(query))
    order = by_name(db.session.get_bind().dialect.name)
    return list(db.session.execute(stmt.order_by(*order).limit(limit + 1)).scalars())


@dataclass(frozen=True)
class DoorCount:
    present: int
    expected: int


def door_count(meeting_id: int) -> DoorCount:
    """How many of the confirmed people are checked in."""
    expected, present = db.session.execute(
        select(func.count(), func.count(Registration.checked_in_at))
        .where(Registration.meeting_id == meeting_id, Registration.status == Status.CONFIRMED)
    ).one()
    return DoorCount(present=present, expected=expected)


def check_in(registration: Registration, *, now: datetime, actor: str,
             meeting_id: int | None = None) -> bool:
    """Mark present. True when this call checked them in, False when they already were.

    `meeting_id` is the meeting the door is for: a ticket for another meeting is refused with
    "other_meeting" (the door staff may then check in without it, on purpose).
    """
    if registration.status != Status.CONFIRMED:
        raise BookingError("not_confirmed", status=registration.status)
    if meeting_id is not None and registration.meeting_id != meeting_id:
        raise BookingError("other_meeting")
    return _switch(registration, checked_in=True, now=now, actor=actor)


def undo_check_in(registration: Registration, *, now: datetime, actor: str) -> bool:
    """Take back a check-in made by mistake. True when there was one to take back."""
    return _switch(registration, checked_in=False, now=now, actor=actor)


def _switch(registration: Registration, *, checked_in: bool, now: datetime, actor: str) -> bool:
    """Check in or out in one conditional UPDATE, so two phones tapping at once record it
    once; True (and an audit line) only for the one that changed it."""
    was = Registration.checked_in_at.is_(None) if checked_in else \
        Registration.checked_in_at.is_not(None)
    result = db.session.execute(
        update(Registration).where(Registration.id == registration.id, was)
        .values(checked_in_at=now if checked_in else None,
                checked_in_by=actor if checked_in else None)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(registration)
    if result.rowcount == 1 and checked_in:
        audit.record(actor, "registration.check_in", registration.meeting.slug, now=now,
                     registration=registration.id)
    elif result.rowcount == 1:
        audit.record(actor, "registration.check_in_undo", registration.meeting.slug, now=now,
                     registration=registration.id)
    return result.rowcount == 1


def register_walk_in(meeting: Meeting, applicant: Applicant, *, now: datetime,
                     actor: str) -> Registration:
    """Someone at the door: confirmed and checked in, no mail.

    The e-mail address is optional; without one the person never gets mail, and their data
    is erased with the meeting's other registrations (`regio purge`).
    """
    _check_applicant(applicant)
    meeting = lock_row(Meeting, meeting.id)
    if meeting.is_cancelled:
        raise BookingError("meeting_cancelled")
    email = normalise_email(applicant.email) if applicant.email else None
    if email and find_active(meeting.id, email) is not None:
        raise BookingError("already_registered", field="email")
    if not _take_place(meeting):
        raise BookingError("meeting_full")
    name, organisation = applicant.name.strip(), applicant.organisation or None
    registration = Registration(
        meeting=meeting, uid=_new_uid(), name=name, email=email, active_email=email,
        role=applicant.role, organisation=organisation, needs=applicant.needs or None,
        source=applicant.source or "balie", status=Status.CONFIRMED, is_walk_in=True,
        created_at=now, confirmed_at=now, email_verified_at=now if email else None,
        checked_in_at=now, checked_in_by=actor, locale=applicant.locale,
        **keys_for(name, email, organisation))
    issue_ticket(registration)
    db.session.add(registration)
    db.session.flush()
    audit.record(actor, "registration.walk_in", meeting.slug, now=now,
                 registration=registration.id)
    return registration

"""Read-only questions about registrations: waiting-list positions and counts."""

from __future__ import annotations

from sqlalchemy import func, select

from regio.db import db
from regio.meetings.models import Meeting
from regio.registrations.models import Registration, Status


def waiting_position(registration: Registration) -> int | None:
    if registration.status != Status.WAITING:
        return None
    ahead = db.session.execute(
        select(func.count()).where(
            Registration.meeting_id == registration.meeting_id,
            Registration.status == Status.WAITING,
            (Registration.waiting_since < registration.waiting_since)
            | ((Registration.waiting_since == registration.waiting_since)
               & (Registration.id < registration.id)),
        )
    ).scalar_one()
    return ahead + 1


def counts_by(meeting: Meeting, column) -> dict[str | None, int]:
    """Active registrations of a meeting grouped by `column` (role, source, status …)."""
    rows = db.session.execute(
        select(column, func.count()).where(Registration.meeting_id == meeting.id,
                                           Registration.status.in_(Status.ACTIVE))
        .group_by(column)
    ).all()
    return {key: count for key, count in rows}


def source_counts(meeting: Meeting) -> dict[str | None, int]:
    """Registrations per `bron` (where people came from: poster, brief, dia …)."""
    return counts_by(meeting, Registration.source)


def personal_invite_method(registration: Registration) -> str | None:
    """What the personal calendar download is now: "REQUEST" while the place stands, "CANCEL"
    once a place that had an invite is gone (the registration or the meeting cancelled), else
    None (nothing was ever in a calendar)."""
    meeting_cancelled = registration.meeting.is_cancelled
    if registration.status == Status.CONFIRMED and not meeting_cancelled:
        return "REQUEST"
    had_invite = registration.confirmed_at is not None
    if had_invite and (meeting_cancelled or registration.status == Status.CANCELLED):
        return "CANCEL"
    return None

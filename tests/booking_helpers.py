"""Small helpers for tests that book places through the services."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from regio.db import db
from regio.mail.models import OutboxMessage
from regio.meetings.models import Meeting
from regio.registrations.models import Registration
from regio.registrations.services import Applicant, confirm_address, find_by_token, register


def applicant(n: int | str = 1, role: str = "po", **extra) -> Applicant:
    fields = {"name": f"Deelnemer {n}", "email": f"deelnemer{n}@school.test", "role": role}
    return Applicant(**(fields | extra))


def book(meeting: Meeting, n: int | str = 1, *, now: datetime | None = None, role: str = "po",
         confirm: bool = False, **extra) -> tuple[Registration, str]:
    """Register (and optionally confirm) one applicant; returns (registration, token)."""
    now = now or datetime.now(UTC)
    outcome = register(meeting.id, applicant(n, role, **extra), now=now)
    db.session.commit()
    if confirm:
        link, _registration = find_by_token(outcome.token)
        confirm_address(link, now=now)
        db.session.commit()
    return outcome.registration, outcome.token


def set_capacity(meeting: Meeting, capacity: int | None) -> Meeting:
    meeting = db.session.get(Meeting, meeting.id)
    meeting.capacity = capacity
    db.session.commit()
    return meeting


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def mails(kind: str | None = None, registration: Registration | None = None) -> list:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    if registration is not None:
        stmt = stmt.where(OutboxMessage.registration_id == registration.id)
    return list(db.session.execute(stmt).scalars())

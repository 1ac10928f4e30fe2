"""The list of people per workshop, as rows for the attendance-list builders."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select

from regio.db import db
from regio.programme.models import ChoiceStatus, ProgrammeItem, WorkshopChoice
from regio.registrations.models import STATUS_WORDS, Registration, Status


def workshop_rows(workshop: ProgrammeItem, *, timezone: str,
                  waiting: bool = True) -> Iterator[tuple[str, ...]]:
    """The attendance list's columns (DESIGN §3) for everyone in the workshop: first those
    with a place, by name, then (unless `waiting` is False) its waiting list in order;
    `status` is `wachtlijst` for a place on the workshop's waiting list."""
    tz = ZoneInfo(timezone)
    stmt = (select(Registration.name, Registration.email, Registration.role,
                   Registration.organisation, Registration.status, Registration.source,
                   Registration.created_at, Registration.checked_in_at, WorkshopChoice.status)
            .join(WorkshopChoice, WorkshopChoice.registration_id == Registration.id)
            .where(WorkshopChoice.workshop_id == workshop.id,
                   WorkshopChoice.status.in_(
                       ChoiceStatus.ALL if waiting else (ChoiceStatus.CHOSEN,)))
            .order_by(WorkshopChoice.status, WorkshopChoice.waiting_since, Registration.name,
                      Registration.id)
            .execution_options(yield_per=500))
    for (name, email, role, organisation, status, source, created, checked_in,
         choice) in db.session.execute(stmt):
        word = STATUS_WORDS[Status.WAITING if choice == ChoiceStatus.WAITING else status]
        yield (name or "", email or "", role, organisation or "", word, source or "",
               _stamp(created, tz), _stamp(checked_in, tz))


def _stamp(value, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

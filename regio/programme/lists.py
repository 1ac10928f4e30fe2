"""The list of people per workshop, as rows for the attendance-list builders (regio.exports)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from regio.db import db
from regio.exports import ExportRow
from regio.programme.models import ChoiceStatus, ProgrammeItem, WorkshopChoice
from regio.registrations.models import Registration, Status


def workshop_rows(workshop: ProgrammeItem, *, waiting: bool = True) -> Iterator[ExportRow]:
    """Everyone in the workshop: first those with a place, by name, then (unless `waiting` is
    False) its waiting list in order; their status is `waiting` for a place on the workshop's
    waiting list."""
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
        yield ExportRow(name or "", email or "", role, organisation or "",
                        Status.WAITING if choice == ChoiceStatus.WAITING else status,
                        source or "", created, checked_in)

"""The lists of people per workshop and per room, as rows for the attendance-list builders
(regio.exports)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select

from regio.db import db
from regio.exports import ExportRow
from regio.programme.models import ChoiceStatus, ProgrammeItem, WorkshopChoice
from regio.programme.seats import programme_of
from regio.registrations.models import Registration, Status
from regio.registrations.search import by_name

_COLUMNS = (Registration.name, Registration.email, Registration.role, Registration.organisation,
            Registration.status, Registration.source, Registration.created_at,
            Registration.checked_in_at)


def workshop_rows(workshop: ProgrammeItem, *, waiting: bool = True) -> Iterator[ExportRow]:
    """Everyone in the workshop: first those with a place, by name as a phone book files it
    (as on the meeting's presentielijst), then (unless `waiting` is False) its waiting list in
    order; their status is `waiting` for a place on the workshop's waiting list."""
    stmt = (select(*_COLUMNS, WorkshopChoice.status)
            .join(WorkshopChoice, WorkshopChoice.registration_id == Registration.id)
            .where(WorkshopChoice.workshop_id == workshop.id,
                   WorkshopChoice.status.in_(
                       ChoiceStatus.ALL if waiting else (ChoiceStatus.CHOSEN,)))
            .order_by(WorkshopChoice.status, WorkshopChoice.waiting_since,
                      *by_name(db.session.get_bind().dialect.name))
            .execution_options(yield_per=500))
    for (name, email, role, organisation, status, source, created, checked_in,
         choice) in db.session.execute(stmt):
        yield ExportRow(name or "", email or "", role, organisation or "",
                        Status.WAITING if choice == ChoiceStatus.WAITING else status,
                        source or "", created, checked_in)


@dataclass
class RoomList:
    """One room's workshops in the order of the day, each with who has a place in it."""

    room: str | None  # None: workshops without a room yet
    workshops: list[tuple[ProgrammeItem, list[ExportRow]]] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(len(rows) for _workshop, rows in self.workshops)


def room_key(room: str | None) -> tuple:
    """'Zaal 2' before 'Zaal 10'; workshops without a room last."""
    if room is None:
        return (1, ())
    parts = re.split(r"(\d+)", room.casefold())
    # isdecimal, not isdigit: '²' is a digit to Python but not a number to int().
    return (0, tuple((0, int(part), "") if part.isdecimal() else (1, 0, part)
                     for part in parts if part))


def room_lists(meeting_id: int) -> list[RoomList]:
    """Per room, its workshops and the people with a place in each, by name as a phone book
    files it ("Jan de Vries" under V, as on the meeting's presentielijst): the sign-in sheets
    at the rooms' doors. People waiting for a place are not on them."""
    workshops = [item for item in programme_of(meeting_id) if item.round is not None]
    people: dict[int, list[ExportRow]] = {item.id: [] for item in workshops}
    stmt = (select(WorkshopChoice.workshop_id, *_COLUMNS)
            .join(WorkshopChoice, WorkshopChoice.registration_id == Registration.id)
            .where(WorkshopChoice.workshop_id.in_(list(people)),
                   WorkshopChoice.status == ChoiceStatus.CHOSEN)
            .order_by(*by_name(db.session.get_bind().dialect.name)))
    for workshop_id, name, email, role, organisation, status, source, created, checked_in \
            in db.session.execute(stmt):
        people[workshop_id].append(ExportRow(name or "", email or "", role, organisation or "",
                                             status, source or "", created, checked_in))
    rooms: dict[str | None, RoomList] = {}
    for item in workshops:  # in the order of the day
        rooms.setdefault(item.room, RoomList(item.room)).workshops.append((item, people[item.id]))
    return [rooms[room] for room in sorted(rooms, key=room_key)]

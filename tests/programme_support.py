"""Helpers for tests of the programme: a day with a plenary opening and workshop rounds."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select

from regio.db import db
from regio.programme.booking import register_with_programme
from regio.programme.models import ProgrammeItem, WorkshopChoice
from regio.programme.services import ItemFields, add_item
from tests.booking_helpers import applicant


def add(meeting, title: str, start: str, end: str, **fields) -> ProgrammeItem:
    item = add_item(meeting, ItemFields(title=title, start_time=time.fromisoformat(start),
                                        end_time=time.fromisoformat(end), **fields),
                    actor="test", now=datetime.now(UTC))
    db.session.commit()
    return item


def day(meeting, *, capacity: int | None = 2) -> dict[str, ProgrammeItem]:
    """Opening, round 1 (two for everyone, one for parents and pupils only), round 2."""
    return {
        "opening": add(meeting, "Opening", "13:00", "13:30", room="Grote zaal"),
        "po": add(meeting, "Het OPP in het po", "13:45", "14:30", round=1, capacity=capacity,
                  room="Zaal 1"),
        "vo": add(meeting, "Het OPP in het vo", "13:45", "14:30", round=1, capacity=capacity,
                  room="Zaal 2"),
        "ouders": add(meeting, "Wat mogen ouders verwachten", "13:45", "14:30", round=1,
                      capacity=capacity, roles=("ouder", "leerling"), room="Zaal 3"),
        "hoorrecht": add(meeting, "Hoorrecht", "14:45", "15:30", round=2, room="Zaal 1"),
    }


def sign_up(meeting, n, picks: dict[int, ProgrammeItem], *, role: str = "po",
            now: datetime | None = None):
    outcome = register_with_programme(
        meeting.id, applicant(n, role), {number: w.id for number, w in picks.items()},
        now=now or datetime.now(UTC))
    db.session.commit()
    return outcome.registration


def choices(registration) -> dict[int, tuple[str, str]]:
    """round → (workshop title, status)."""
    db.session.expire_all()
    rows = db.session.execute(
        select(WorkshopChoice).where(WorkshopChoice.registration_id == registration.id)
    ).scalars()
    return {row.round: (row.workshop.title, row.status) for row in rows}


def taken(item: ProgrammeItem) -> int:
    db.session.expire_all()
    return db.session.get(ProgrammeItem, item.id).taken


CJK = "王小明"
LONG = ("Anna-Maria Josephina Wilhelmina van der Heijden-Schoonhoven tot "
        "Oud-Beijerland en Zuid-Beijerland")


def person(meeting, n: int, name: str, role: str, picks: dict[int, ProgrammeItem]):
    """Sign up someone with a name of their own."""
    outcome = register_with_programme(
        meeting.id, applicant(n, role, name=name), {r: w.id for r, w in picks.items()},
        now=datetime.now(UTC))
    db.session.commit()
    return outcome.registration


def crowd(meeting, *, now: datetime) -> dict[str, ProgrammeItem]:
    """`day` with capacity 2 a workshop in round 1, and six people: the first confirmed and
    checked in, the last waiting for a place in the po workshop (po and vo are full)."""
    from regio.registrations.door import check_in

    items = day(meeting)
    first = person(meeting, 1, CJK, "po", {1: items["po"], 2: items["hoorrecht"]})
    person(meeting, 2, "Zoë Ångström", "vo", {1: items["po"], 2: items["hoorrecht"]})
    person(meeting, 3, "bram de Wit", "ouder", {1: items["ouders"], 2: items["hoorrecht"]})
    person(meeting, 4, LONG, "vo", {1: items["vo"], 2: items["hoorrecht"]})
    person(meeting, 5, "Cor Smit", "vo", {1: items["vo"], 2: items["hoorrecht"]})
    person(meeting, 6, "Dirk Dekker", "vo", {1: items["po"], 2: items["hoorrecht"]})
    first.status = "confirmed"
    db.session.commit()
    check_in(first, now=now, actor="test")
    db.session.commit()
    return items

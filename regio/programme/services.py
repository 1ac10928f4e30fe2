"""Adding, changing and removing programme items; a changed workshop mails those in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from regio import audit
from regio.db import db, lock_row
from regio.errors import MeetingError, MeetingErrors
from regio.meetings.models import Meeting
from regio.meetings.services import MAX_CAPACITY
from regio.programme import seats
from regio.programme.models import ChoiceStatus, ProgrammeItem, ProgrammeRound, WorkshopChoice
from regio.registrations.models import ROLES, Registration, Status
from regio.registrations.services import announce_update

TEXT_LIMITS = {"title": 200, "room": 200, "speaker": 200, "description": 1000}
MAX_ROUND = 9
# A change of these sends an updated invite to everyone with a place in the workshop.
INVITE_FIELDS = ("start_time", "end_time", "room")


@dataclass
class ItemFields:
    """What an organiser fills in for one item; `round` None makes it plenary."""

    title: str
    start_time: time
    end_time: time
    round: int | None = None
    capacity: int | None = None
    roles: tuple[str, ...] = ()
    room: str | None = None
    speaker: str | None = None
    description: str | None = None

    def values(self) -> dict:
        return {
            "title": self.title.strip(), "start_time": self.start_time,
            "end_time": self.end_time, "round": self.round,
            "capacity": self.capacity if self.round is not None else None,
            "roles": ",".join(r for r in ROLES if r in self.roles)
            if self.round is not None and self.roles else None,
            "room": (self.room or "").strip() or None,
            "speaker": (self.speaker or "").strip() or None,
            "description": (self.description or "").strip() or None,
        }


def parse_roles(text: str | None) -> tuple[str, ...]:
    """'po, vo' → ('po', 'vo'); an unknown role is a MeetingError('bad_roles')."""
    roles = tuple(part.strip().lower() for part in (text or "").split(",") if part.strip())
    if any(role not in ROLES for role in roles):
        raise MeetingError("bad_roles", field="roles")
    return roles


def item_errors(fields: ItemFields, *, taken: int = 0) -> list[MeetingError]:
    """Everything wrong with an item, at most one error per field (a time left None could
    not be read: nothing is measured against it)."""
    errors: list[MeetingError] = []
    for name, limit in TEXT_LIMITS.items():
        text = getattr(fields, name)
        if text is None:
            continue
        if any(ord(char) < 32 and char not in "\n\r\t" for char in text):
            errors.append(MeetingError("bad_text", field=name))
        elif len(text) > limit:
            errors.append(MeetingError("too_long", field=name, limit=limit))
    if not fields.title.strip() and not any(e.field == "title" for e in errors):
        errors.append(MeetingError("required", field="title"))
    if fields.start_time is not None and fields.end_time is not None \
            and fields.end_time <= fields.start_time:
        errors.append(MeetingError("end_before_start", field="end_time"))
    if fields.round is not None and not 1 <= fields.round <= MAX_ROUND:
        errors.append(MeetingError("bad_round", field="round", high=MAX_ROUND))
    if fields.capacity is not None:
        if not 0 <= fields.capacity <= MAX_CAPACITY:
            errors.append(MeetingError("bad_capacity", field="capacity"))
        elif fields.capacity < taken:
            errors.append(MeetingError("capacity_below_taken", field="capacity", taken=taken))
    if any(role not in ROLES for role in fields.roles):
        errors.append(MeetingError("bad_roles", field="roles"))
    return errors


def _validate(fields: ItemFields, *, taken: int = 0) -> None:
    errors = item_errors(fields, taken=taken)
    if errors:
        raise MeetingErrors(errors)


def add_item(meeting: Meeting, fields: ItemFields, *, actor: str,
             now: datetime) -> ProgrammeItem:
    meeting = lock_row(Meeting, meeting.id)
    _validate(fields)
    item = ProgrammeItem(meeting_id=meeting.id, created_at=now, updated_at=now,
                         **fields.values())
    db.session.add(item)
    meeting.updated_at = now
    db.session.flush()
    audit.record(actor, "programme.add", meeting.slug, now=now, item=item.id)
    return item


def change_item(item: ProgrammeItem, fields: ItemFields, *, actor: str,
                now: datetime) -> int:
    """Change an item; returns how many updated invites were queued."""
    meeting = lock_row(Meeting, item.meeting_id)
    item = lock_row(ProgrammeItem, item.id)
    db.session.refresh(item)
    if (item.round is None) != (fields.round is None) and _has_choices(item):
        raise MeetingError("workshop_has_choices", field="round")
    _validate(fields, taken=item.taken)
    values = fields.values()
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    if not changed:
        return 0
    for name in changed:
        setattr(item, name, values[name])
    item.updated_at = meeting.updated_at = now
    db.session.flush()
    invites = 0
    if item.round is not None and any(name in INVITE_FIELDS for name in changed):
        for registration in _chosen_by(item):
            if registration.status == Status.CONFIRMED:
                announce_update(registration, now=now)
                invites += 1
    if "capacity" in changed:
        seats.promote(item, now=now)
    audit.record(actor, "programme.change", meeting.slug, now=now, item=item.id,
                 changed=changed, invites=invites)
    return invites


def remove_item(item: ProgrammeItem, *, actor: str, now: datetime) -> None:
    """Remove an item; a workshop that people chose stays (change it instead)."""
    meeting = lock_row(Meeting, item.meeting_id)
    if _has_choices(item):
        raise MeetingError("workshop_has_choices")
    db.session.delete(item)
    meeting.updated_at = now
    audit.record(actor, "programme.remove", meeting.slug, now=now, item=item.id)
    db.session.flush()


def set_opening(meeting: Meeting, number: int, opens_at: datetime | None, *, tz: ZoneInfo,
                actor: str, now: datetime) -> bool:
    """People can choose in round `number` from `opens_at` on (None: from now on); False
    when that was so already. The round must have workshops, and open by the meeting's day
    (on the wall clock of `tz`)."""
    meeting = lock_row(Meeting, meeting.id)
    if not 1 <= number <= MAX_ROUND:
        raise MeetingError("bad_round", field="round", high=MAX_ROUND)
    if number not in seats.rounds_of(seats.programme_of(meeting.id)):
        raise MeetingError("round_unknown", field="round", round=number)
    if opens_at is not None and opens_at.astimezone(tz).date() > meeting.date:
        raise MeetingError("opens_after_meeting", field="opens")
    row = db.session.execute(
        select(ProgrammeRound).where(ProgrammeRound.meeting_id == meeting.id,
                                     ProgrammeRound.number == number)
    ).scalar_one_or_none()
    if (row.opens_at if row else None) == opens_at:
        return False
    if row is None:
        row = ProgrammeRound(meeting_id=meeting.id, number=number)
        db.session.add(row)
    row.opens_at = opens_at
    meeting.updated_at = now  # the kept pages (and their round openings) follow this row
    db.session.flush()
    if opens_at is None:
        audit.record(actor, "programme.round_open", meeting.slug, now=now, round=number)
    else:
        audit.record(actor, "programme.round_opens", meeting.slug, now=now, round=number,
                     opens=opens_at.isoformat())
    return True


def _has_choices(item: ProgrammeItem) -> bool:
    return db.session.execute(
        select(WorkshopChoice.id).where(WorkshopChoice.workshop_id == item.id).limit(1)
    ).first() is not None


def _chosen_by(item: ProgrammeItem) -> list[Registration]:
    return list(db.session.execute(
        select(Registration).join(WorkshopChoice)
        .where(WorkshopChoice.workshop_id == item.id,
               WorkshopChoice.status == ChoiceStatus.CHOSEN)
        .order_by(Registration.id)
    ).scalars())


@dataclass
class WorkshopCounts:
    workshop: ProgrammeItem
    registered: int
    waiting: int
    present: int


def workshop_counts(meeting: Meeting) -> list[WorkshopCounts]:
    """Per workshop: people with a place, on its waiting list, and checked in."""
    rows = db.session.execute(
        select(WorkshopChoice.workshop_id, WorkshopChoice.status,
               func.count(), func.count(Registration.checked_in_at))
        .join(Registration).join(ProgrammeItem)
        .where(ProgrammeItem.meeting_id == meeting.id)
        .group_by(WorkshopChoice.workshop_id, WorkshopChoice.status)
    ).all()
    counts: dict[int, dict] = {}
    for workshop_id, status, number, present in rows:
        entry = counts.setdefault(workshop_id, {"chosen": 0, "waiting": 0, "present": 0})
        entry[status] = number
        if status == ChoiceStatus.CHOSEN:
            entry["present"] = present
    return [WorkshopCounts(item, **_named(counts.get(item.id)))
            for item in seats.programme_of(meeting.id) if item.round is not None]


def _named(entry: dict | None) -> dict:
    entry = entry or {"chosen": 0, "waiting": 0, "present": 0}
    return {"registered": entry["chosen"], "waiting": entry["waiting"],
            "present": entry["present"]}

"""Adding, copying, archiving and deleting meetings: the back office and `regio meeting add`
call the same functions with the same text input."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from regio import audit
from regio.db import db
from regio.errors import MeetingError
from regio.i18n import clock, meeting_tz
from regio.mail.models import ReminderCampaign
from regio.meetings import events
from regio.meetings.models import Meeting
from regio.meetings.services import (
    MAX_CAPACITY,
    MAX_YEARS_AHEAD,
    TEXT_LIMITS,
    date_problem,
    one_kind_of_line_break,
    parse_clock,
    parse_moment,
    text_error,
    window_errors,
)
from regio.programme.models import ProgrammeItem, ProgrammeRound
from regio.registrations.models import Registration

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 64
# Words the back office's own paths use after /bijeenkomsten/.
RESERVED_SLUGS = frozenset({"nieuw"})
REQUIRED = ("title", "date", "venue", "city")


@dataclass
class MeetingInput:
    """A new meeting as typed: every value is text, as a form or the command line gives it."""

    slug: str = ""
    title: str = ""
    date: str = ""
    start: str = ""
    end: str = ""
    venue: str = ""
    address: str = ""
    city: str = ""
    capacity: str = ""
    description: str = ""
    # Local date and time, "YYYY-MM-DD HH:MM" (or with a T); empty: no limit.
    registration_opens: str = ""
    registration_closes: str = ""


WINDOW_FIELDS = ("registration_opens", "registration_closes")


class InvalidMeeting(Exception):
    """Everything wrong with a MeetingInput at once: one MeetingError per field."""

    def __init__(self, errors: list[MeetingError]) -> None:
        super().__init__(", ".join(error.code for error in errors))
        self.errors = errors


def slugify(text: str) -> str:
    """'Den Bosch (’s-Hertogenbosch)' → 'den-bosch-s-hertogenbosch'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")


def _slug_taken(slug: str) -> bool:
    return db.session.execute(select(Meeting.id).where(Meeting.slug == slug)).first() is not None


def suggest_slug(city: str) -> str:
    """The city as a slug; '-2', '-3' … added when a meeting has it already."""
    base = slugify(city) or "bijeenkomst"
    if base in RESERVED_SLUGS:
        base = f"{base}-1"
    candidate, number = base, 1
    while _slug_taken(candidate):
        number += 1
        candidate = f"{base[:SLUG_MAX - 1 - len(str(number))]}-{number}"
    return candidate


def copy_of(meeting: Meeting) -> MeetingInput:
    """A new meeting that starts from `meeting`: everything but the date, the slug and the
    registration window (it belongs to the date). The slug is left empty, so it is made from
    the city as saved: a copy for another city must not keep the first city's web address."""
    return MeetingInput(
        title=meeting.title, start=clock(meeting.start_time), end=clock(meeting.end_time),
        venue=meeting.venue, address=meeting.address or "", city=meeting.city,
        capacity="" if meeting.capacity is None else str(meeting.capacity),
        description=meeting.description or "")


def _text_errors(given: MeetingInput) -> list[MeetingError]:
    errors = [error for error in (text_error(name, getattr(given, name))
                                  for name in TEXT_LIMITS) if error is not None]
    for name in REQUIRED:
        if not getattr(given, name) and not any(e.field == name for e in errors):
            errors.append(MeetingError("required", field=name))
    return errors


def _slug_error(slug: str) -> MeetingError | None:
    if len(slug) > SLUG_MAX or not SLUG_RE.match(slug):
        return MeetingError("bad_slug", field="slug", limit=SLUG_MAX)
    if slug in RESERVED_SLUGS:
        return MeetingError("slug_reserved", field="slug")
    if _slug_taken(slug):
        return MeetingError("slug_taken", field="slug")
    return None


def _parsed(given: MeetingInput, today: date, tz: ZoneInfo,
            errors: list[MeetingError]) -> dict:
    """The typed values; each problem is added to `errors` under its field."""
    values: dict = {}
    if given.date:
        try:
            values["date"] = date.fromisoformat(given.date)
        except ValueError:
            errors.append(MeetingError("bad_date", field="date"))
        else:
            if values["date"] < today:
                errors.append(MeetingError("date_in_past", field="date"))
            elif date_problem(values["date"], today):
                errors.append(MeetingError("date_too_far", field="date",
                                           years=MAX_YEARS_AHEAD))
    for name in ("start", "end"):
        try:
            values[name] = parse_clock(getattr(given, name), name) if getattr(given, name) \
                else None
        except MeetingError as error:
            errors.append(error)
    start, end = values.get("start"), values.get("end")
    if end is not None and start is None and "start" not in {e.field for e in errors}:
        errors.append(MeetingError("end_without_start", field="end"))
    elif start is not None and end is not None and end <= start:
        errors.append(MeetingError("end_before_start", field="end"))
    capacity = given.capacity
    if capacity and not (capacity.isascii() and capacity.isdigit()
                         and int(capacity) <= MAX_CAPACITY):
        errors.append(MeetingError("bad_capacity", field="capacity"))
    else:
        values["capacity"] = int(capacity) if capacity else None
    for name in WINDOW_FIELDS:
        try:
            values[name] = parse_moment(getattr(given, name), name, tz) \
                if getattr(given, name) else None
        except MeetingError as error:
            errors.append(error)
    wrong = {error.field for error in errors}
    if values.get("date") is not None and not wrong & {"date", "start"}:
        # A moment that could not be read is left out; the other one is still checked.
        errors.extend(window_errors(values.get("registration_opens"),
                                    values.get("registration_closes"), day=values["date"],
                                    start=values["start"], tz=tz, fields=WINDOW_FIELDS))
    return values


def add_meeting(given: MeetingInput, *, actor: str, today: date, now: datetime,
                tz: ZoneInfo | None = None) -> Meeting:
    """Check every field, then add the meeting (open for registration, within its window if
    it has one). Times are local to `tz` (default: the meetings' time zone). Raises
    InvalidMeeting."""
    given = MeetingInput(**{f.name: (getattr(given, f.name) or "").strip()
                            for f in fields(MeetingInput)})
    errors = _text_errors(given)
    values = _parsed(given, today, tz or meeting_tz(), errors)
    slug = given.slug.lower() or (suggest_slug(given.city) if given.city else "")
    slug_error = _slug_error(slug) if slug else None
    if slug_error is not None:
        errors.append(slug_error)
    if errors:
        raise InvalidMeeting(errors)
    meeting = Meeting(
        slug=slug, title=given.title, date=values["date"], start_time=values["start"],
        end_time=values["end"], venue=given.venue, city=given.city,
        address=given.address or None,
        description=one_kind_of_line_break(given.description) or None,
        capacity=values["capacity"], registration_opens_at=values["registration_opens"],
        registration_closes_at=values["registration_closes"], created_at=now, updated_at=now)
    db.session.add(meeting)
    db.session.flush()
    audit.record(actor, events.ADDED, slug, now=now)
    return meeting


def can_archive(meeting: Meeting, today: date) -> bool:
    """A meeting that has been, or that was cancelled. One still to come would go on taking
    registrations through its link and QR codes, out of the home page and the dashboard."""
    return meeting.is_cancelled or meeting.is_past(today)


def set_archived(meeting: Meeting, archived: bool, *, actor: str, now: datetime,
                 today: date) -> None:
    """Archive (hidden from the home page and the dashboard; lists and exports stay) or bring
    it back. Raises MeetingError('archive_upcoming') for a meeting still to come."""
    if meeting.is_archived == archived:
        return
    if archived and not can_archive(meeting, today):
        raise MeetingError("archive_upcoming")
    meeting.is_archived = archived
    audit.record(actor, events.ARCHIVED if archived else events.RESTORED,
                 meeting.slug, now=now)
    db.session.flush()


def ever_registered(meeting: Meeting) -> bool:
    return db.session.execute(
        select(Registration.id).where(Registration.meeting_id == meeting.id).limit(1)
    ).first() is not None


def delete_meeting(meeting: Meeting, *, actor: str, now: datetime) -> None:
    """Delete a meeting nobody ever registered for (a typing error, a plan dropped)."""
    if ever_registered(meeting):
        raise MeetingError("has_registrations")
    db.session.execute(delete(ReminderCampaign).where(ReminderCampaign.meeting_id == meeting.id))
    # Nobody registered, so nobody chose a workshop: the programme goes with the meeting.
    db.session.execute(delete(ProgrammeRound).where(ProgrammeRound.meeting_id == meeting.id))
    db.session.execute(delete(ProgrammeItem).where(ProgrammeItem.meeting_id == meeting.id))
    audit.record(actor, events.DELETED, meeting.slug, now=now)
    db.session.delete(meeting)
    db.session.flush()

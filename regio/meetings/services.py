"""Listing and changing meetings. A change of time or place queues updated invites."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from regio import audit
from regio.db import db, lock_row
from regio.errors import MeetingError, MeetingErrors
from regio.i18n import meeting_tz
from regio.mail.outbox import Kind
from regio.meetings.models import Meeting
from regio.registrations.models import Registration, Status
from regio.registrations.services import invite_sequence, notify, promote_waiting

UNSET = object()
MAX_CAPACITY = 100_000
# A meeting further ahead is a typo (2205 for 2025); it also keeps the date plus the retention
# period, which pages and mails print, within the calendar (9999-12-31 + 90 days is no date).
MAX_YEARS_AHEAD = 10


def date_problem(day: date, today: date) -> str | None:
    """'date_too_far' for a meeting date more than MAX_YEARS_AHEAD years after `today`."""
    return "date_too_far" if day.year > today.year + MAX_YEARS_AHEAD else None
_CLOCK_RE = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_clock(text: str, field_name: str) -> time:
    """'9:30' or '09.30' → time; anything else is a MeetingError('bad_time')."""
    match = _CLOCK_RE.match((text or "").strip())
    if not match:
        raise MeetingError("bad_time", field=field_name)
    hours, minutes = int(match[1]), int(match[2])
    if hours > 23 or minutes > 59:
        raise MeetingError("bad_time", field=field_name)
    return time(hours, minutes)


# A moment as typed: '2025-03-03 09:00', or '2025-03-03T09:00' as HTML datetime-local posts it
# (seconds, if a browser adds them, are dropped).
_MOMENT_RE = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{1,2})[:.]([0-9]{2})(?::[0-5][0-9])?$")


EARLIEST_YEAR = 2000  # a moment before it is a typo ('0025' for '2025'), not a plan


def parse_moment(text: str, field_name: str, tz: ZoneInfo) -> datetime:
    """A local date and time in `tz` → the moment in UTC; else a MeetingError: 'bad_moment'
    (not written as jjjj-mm-dd uu:mm), 'no_such_date' (30 February) or what `local_moment`
    refuses."""
    match = _MOMENT_RE.match((text or "").strip())
    if not match or int(match[2]) > 23 or int(match[3]) > 59:
        raise MeetingError("bad_moment", field=field_name)
    try:
        day = date.fromisoformat(match[1])
    except ValueError:
        raise MeetingError("no_such_date", field=field_name) from None
    return local_moment(day, time(int(match[2]), int(match[3])), tz, date_field=field_name)


def local_moment(day: date, clock: time, tz: ZoneInfo, *, date_field: str,
                 time_field: str | None = None) -> datetime:
    """`day` at `clock` on the wall clock of `tz`, in UTC. Refused: a year before
    EARLIEST_YEAR ('moment_out_of_range'), and a time the clocks skip in the night summer
    time begins ('moment_skipped': 02:30 on the last Sunday of March does not exist, and
    Python would silently read it as 03:30)."""
    local = datetime.combine(day, clock, tzinfo=tz)
    try:
        if day.year < EARLIEST_YEAR:
            raise OverflowError(day.year)
        moment = local.astimezone(UTC)
    except OverflowError:  # out of range in UTC, too (9999-12-31 west of Greenwich)
        raise MeetingError("moment_out_of_range", field=date_field,
                           year=EARLIEST_YEAR) from None
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise MeetingError("moment_skipped", field=time_field or date_field)
    return moment


def window_errors(opens: datetime | None, closes: datetime | None, *, day: date,
                  start: time | None, tz: ZoneInfo,
                  fields: tuple[str, str]) -> list[MeetingError]:
    """What is wrong with a registration window for a meeting on `day` starting at `start`.

    Registration opens before the meeting begins and closes by then at the latest (without a
    start time: by the end of its day), and it closes after it opens. `fields` names the
    opens and the closes field, for the errors.
    """
    opens_field, closes_field = fields
    begins = datetime.combine(day, start if start is not None else time.max, tzinfo=tz)
    errors = []
    if opens is not None and opens >= begins:
        errors.append(MeetingError("opens_after_start", field=opens_field))
    if closes is not None and closes > begins:
        errors.append(MeetingError("closes_after_start", field=closes_field))
    elif opens is not None and closes is not None and closes <= opens:
        errors.append(MeetingError("closes_before_opens", field=closes_field))
    return errors


def one_kind_of_line_break(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; the description keeps plain LF, so the
    same text sent again is no change."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def list_meetings() -> list[Meeting]:
    return list(db.session.execute(select(Meeting).order_by(Meeting.date, Meeting.id)).scalars())


def public_meetings() -> list[Meeting]:
    """The meetings the public pages show: every one that is not archived, by date."""
    return list(db.session.execute(
        select(Meeting).where(Meeting.is_archived.is_(False))
        .order_by(Meeting.date, Meeting.id)).scalars())


def get_meeting(slug: str) -> Meeting | None:
    return db.session.execute(select(Meeting).where(Meeting.slug == slug)).scalar_one_or_none()


@dataclass
class MeetingChanges:
    """What to change; fields left UNSET stay as they are, None clears an optional field."""

    title: object = UNSET
    description: object = UNSET
    date: object = UNSET
    start_time: object = UNSET
    end_time: object = UNSET
    venue: object = UNSET
    address: object = UNSET
    city: object = UNSET
    capacity: object = UNSET
    is_open: object = UNSET
    registration_opens_at: object = UNSET  # an aware datetime, or None: no limit
    registration_closes_at: object = UNSET
    cancel: bool = False

    NAMES = ("title", "description", "date", "start_time", "end_time", "venue", "address",
             "city", "capacity", "is_open", "registration_opens_at", "registration_closes_at")

    def given(self) -> dict:
        """The fields to change, with their values as the meeting will hold them."""
        values = {n: getattr(self, n) for n in self.NAMES if getattr(self, n) is not UNSET}
        if isinstance(values.get("description"), str):
            values["description"] = one_kind_of_line_break(values["description"])
        return values


@dataclass
class UpdateResult:
    changed: list[str] = field(default_factory=list)
    invites_queued: int = 0
    cancellations_queued: int = 0
    promoted: int = 0


# What a calendar item shows (SUMMARY, DTSTART/DTEND, LOCATION): a change raises the meeting's
# SEQUENCE and mails every confirmed attendee an updated invite. The description is only on
# the meeting's page, and the registration window matters only to those not yet registered.
INVITE_FIELDS = ("title", "date", "start_time", "end_time", "venue", "address", "city")
TEXT_LIMITS = {"title": 200, "venue": 200, "address": 300, "city": 100, "description": 5000}
REQUIRED_TEXT = ("title", "venue", "city")
WINDOW_FIELDS = ("registration_opens_at", "registration_closes_at")


def text_error(name: str, text: object) -> MeetingError | None:
    """What is wrong with the text typed for field `name` (one of TEXT_LIMITS), or None:
    control characters (line breaks only in the description), too long, or empty when the
    field is required."""
    allowed = "\r\n\t" if name == "description" else ""
    if not isinstance(text, str) or any(
            (ord(c) < 32 and c not in allowed) or ord(c) == 127 for c in text):
        return MeetingError("bad_text", field=name)
    if len(text) > TEXT_LIMITS[name]:
        return MeetingError("too_long", field=name, limit=TEXT_LIMITS[name])
    if name in REQUIRED_TEXT and not text.strip():
        return MeetingError("required", field=name)
    return None


def change_errors(meeting: Meeting, values: dict, today: date) -> list[MeetingError]:
    """Everything wrong with `values` (MeetingChanges.given()) for `meeting`, at most one error
    per field, so a form can say it all at once."""
    errors: list[MeetingError] = []

    def add(error: MeetingError) -> None:
        if not any(known.field == error.field for known in errors):
            errors.append(error)

    for name in TEXT_LIMITS:
        if name in values and values[name] is not None:
            error = text_error(name, values[name])
            if error is not None:
                add(error)
    for name in REQUIRED_TEXT:
        if name in values and values[name] is None:
            add(MeetingError("required", field=name))
    date_ok = "date" not in values or isinstance(values["date"], date)
    if not date_ok:
        add(MeetingError("bad_date", field="date"))
    if date_ok and "date" in values and date_problem(values["date"], today):
        add(MeetingError("date_too_far", field="date", years=MAX_YEARS_AHEAD))
    start = values.get("start_time", meeting.start_time)
    end = values.get("end_time", meeting.end_time)
    if end is not None and start is None:
        add(MeetingError("end_without_start", field="end_time"))
    elif start is not None and end is not None and end <= start:
        add(MeetingError("end_before_start", field="end_time"))
    window_ok = date_ok  # the window is measured against the day and its start
    for name in WINDOW_FIELDS:
        moment = values.get(name)
        if moment is not None and not (isinstance(moment, datetime) and moment.tzinfo):
            add(MeetingError("bad_moment", field=name))
            window_ok = False
    if window_ok and any(name in values for name in ("date", "start_time", *WINDOW_FIELDS)):
        for error in window_errors(
                values.get("registration_opens_at", meeting.registration_opens_at),
                values.get("registration_closes_at", meeting.registration_closes_at),
                day=values.get("date", meeting.date), start=start, tz=meeting_tz(),
                fields=WINDOW_FIELDS):
            add(error)
    if "capacity" in values and values["capacity"] is not None:
        capacity = values["capacity"]
        if not isinstance(capacity, int) or capacity < 0 or capacity > MAX_CAPACITY:
            add(MeetingError("bad_capacity", field="capacity"))
        elif capacity < meeting.taken:
            add(MeetingError("capacity_below_taken", field="capacity", taken=meeting.taken))
    return errors


def _validate(meeting: Meeting, values: dict, today: date) -> None:
    errors = change_errors(meeting, values, today)
    if errors:
        raise MeetingErrors(errors)


def confirmed_count(meeting: Meeting) -> int:
    return db.session.execute(
        select(func.count()).where(Registration.meeting_id == meeting.id,
                                   Registration.status == Status.CONFIRMED)
    ).scalar_one()


def people_to_mail(meeting: Meeting, changes: MeetingChanges) -> int:
    """How many people a change would mail (for the organiser's confirmation page)."""
    values = changes.given()
    if changes.cancel:
        return db.session.execute(
            select(func.count()).where(Registration.meeting_id == meeting.id,
                                       Registration.status.in_(Status.ACTIVE))
        ).scalar_one()
    if any(name in values and values[name] != getattr(meeting, name) for name in INVITE_FIELDS):
        return confirmed_count(meeting)
    return 0


def update_meeting(meeting: Meeting, changes: MeetingChanges, *, actor: str,
                   now: datetime) -> UpdateResult:
    """Apply `changes` under the meeting's lock; queue the mails they cause."""
    meeting = lock_row(Meeting, meeting.id)
    values = changes.given()
    if meeting.is_cancelled and (values or changes.cancel):
        raise MeetingError("meeting_cancelled")
    _validate(meeting, values, now.astimezone(meeting_tz()).date())
    result = UpdateResult()
    for name, value in values.items():
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            result.changed.append(name)
    if changes.cancel:
        result.changed.append("cancelled")
        result.cancellations_queued = _cancel(meeting, now=now)
    elif any(name in result.changed for name in INVITE_FIELDS):
        meeting.sequence += 1
        result.invites_queued = _queue_updates(meeting, now=now)
    if "capacity" in result.changed or ("is_open" in result.changed and meeting.is_open):
        result.promoted = len(promote_waiting(meeting, now=now))
    if result.changed:
        audit.record(actor, "meeting.update", meeting.slug, now=now,
                     changed=result.changed, invites=result.invites_queued,
                     cancellations=result.cancellations_queued)
    db.session.flush()
    return result


def _active_registrations(meeting: Meeting, statuses) -> list[Registration]:
    return list(db.session.execute(
        select(Registration).where(Registration.meeting_id == meeting.id,
                                   Registration.status.in_(statuses))
        .order_by(Registration.id)
    ).scalars())


def _queue_updates(meeting: Meeting, *, now: datetime) -> int:
    count = 0
    for registration in _active_registrations(meeting, (Status.CONFIRMED,)):
        sequence = invite_sequence(registration)
        queued = notify(Kind.UPDATED, registration, key=f"updated:{registration.id}:{sequence}",
                        now=now)
        count += queued is not None
    return count


def _cancel(meeting: Meeting, *, now: datetime) -> int:
    meeting.is_cancelled = True
    meeting.is_open = False
    meeting.sequence += 1
    count = 0
    for registration in _active_registrations(meeting, Status.ACTIVE):
        queued = notify(Kind.MEETING_CANCELLED, registration,
                        key=f"meeting_cancelled:{registration.id}", now=now, with_link=False,
                        with_invite=registration.status == Status.CONFIRMED)
        count += queued is not None
    return count

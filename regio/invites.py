"""iCalendar (RFC 5545/5546) for meetings and registrations: plain data in, bytes out.

Times are written in UTC (`…Z`) without TZID or VTIMEZONE: Outlook shifts a TZID whose
VTIMEZONE it cannot read. A meeting without a start time is an all-day item (DATE values).
No VALARM anywhere: calendars ignore alarms in invites; reminders are mails of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vDatetime, vInt, vText

PRODID = "-//Landelijk OPP Project//Regio//NL"
REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"
FILENAME = "uitnodiging.ics"  # the name of the personal invite, attached or downloaded


@dataclass(frozen=True)
class EventFacts:
    """What a calendar item says about a meeting, independent of who receives it."""

    summary: str
    day: date
    start: time | None
    end: time | None
    venue: str
    address: str | None
    city: str
    url: str
    timezone: str = "Europe/Amsterdam"
    is_cancelled: bool = False

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.venue, self.address, self.city) if part)


@dataclass(frozen=True)
class Party:
    """The organizer or the attendee: an address and a display name."""

    email: str
    name: str | None = None


def facts_for(meeting, *, base_url: str, timezone: str) -> EventFacts:
    """EventFacts from a Meeting (only its attributes are read)."""
    return EventFacts(
        summary=meeting.title, day=meeting.date, start=meeting.start_time, end=meeting.end_time,
        venue=meeting.venue, address=meeting.address, city=meeting.city,
        url=f"{base_url.rstrip('/')}/bijeenkomsten/{meeting.slug}", timezone=timezone,
        is_cancelled=meeting.is_cancelled,
    )


def meeting_uid(meeting_id: int, base_url: str) -> str:
    """The stable UID of a meeting's public item (feeds and the meeting's .ics)."""
    return f"bijeenkomst-{meeting_id}@{urlsplit(base_url).hostname or 'localhost'}"


def _utc(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def _add_times(event: Event, facts: EventFacts) -> None:
    if facts.start is None:
        event.add("dtstart", facts.day)
        event.add("dtend", facts.day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        return
    tz = ZoneInfo(facts.timezone)
    start = _utc(facts.day, facts.start, tz)
    end = _utc(facts.day, facts.end, tz) if facts.end is not None else start + timedelta(hours=1)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("transp", "OPAQUE")


def _address(party: Party) -> vCalAddress:
    address = vCalAddress(f"mailto:{party.email}")
    if party.name:
        # Quotes and control characters in CN break some clients (RFC 6868 is not universal).
        address.params["CN"] = "".join(c for c in party.name if c != '"' and c >= " ")
    return address


def _meeting_properties(event: Event, facts: EventFacts) -> Event:
    event.add("summary", facts.summary)
    event.add("location", facts.location)
    event.add("url", facts.url)
    _add_times(event, facts)
    return event


def _calendar(method: str, events: list[Event], name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    return calendar


def _inner(component) -> bytes:
    """A component's serialised properties without its BEGIN/END lines."""
    lines = component.to_ical().split(b"\r\n")
    return b"\r\n".join(lines[1:-2]) + b"\r\n"


@lru_cache(maxsize=256)
def _shared(method: str, facts: EventFacts, organizer: Party) -> tuple[bytes, bytes]:
    """(calendar head, the event's meeting lines): the same for every attendee of a send.

    Serialising with icalendar costs more than anything else in a mail; a batch of invites
    for one meeting serialises these lines once and only the attendee's own lines each time.
    """
    event = _meeting_properties(Event(), facts)
    event.add("organizer", _address(organizer))
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    return _inner(_calendar(method, [])), _inner(event)


def _fold(line: bytes) -> bytes:
    """RFC 5545 §3.1: lines of at most 75 octets, never splitting a UTF-8 character."""
    parts, limit = [], 75
    while len(line) > limit:
        cut = limit
        while line[cut] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            cut -= 1
        parts.append(line[:cut])
        line, limit = line[cut:], 74  # a continuation line starts with a space
    parts.append(line)
    return b"\r\n ".join(parts) + b"\r\n"


def _line(name: str, value, params=None) -> bytes:
    head = name.encode("ascii")
    if params:
        head += b";" + params.to_ical(sorted=True)
    return _fold(head + b":" + value.to_ical())


def _personal(method: str, facts: EventFacts, *, uid: str, sequence: int, attendee: Party,
              organizer: Party, now: datetime, description: str | None) -> bytes:
    head, meeting_lines = _shared(method, facts, organizer)
    guest = _address(attendee)
    guest.params["ROLE"] = "REQ-PARTICIPANT"
    guest.params["PARTSTAT"] = "ACCEPTED"  # they registered themselves
    guest.params["CUTYPE"] = "INDIVIDUAL"
    guest.params["RSVP"] = "FALSE"
    # The attendee's own lines, from icalendar's value types (escaping) with our folding:
    # icalendar's folder walks each line character by character.
    own = (_line("UID", vText(uid)) + _line("SEQUENCE", vInt(sequence))
           + _line("DTSTAMP", vDatetime(now.astimezone(UTC)))
           + _line("ATTENDEE", guest, guest.params)
           + (_line("DESCRIPTION", vText(description)) if description else b""))
    return (b"BEGIN:VCALENDAR\r\n" + head + b"BEGIN:VEVENT\r\n" + own + meeting_lines
            + b"END:VEVENT\r\nEND:VCALENDAR\r\n")


def request_invite(facts: EventFacts, *, uid: str, sequence: int, attendee: Party,
                   organizer: Party, now: datetime, description: str | None = None) -> bytes:
    """METHOD:REQUEST for one attendee: a new item, or an update when SEQUENCE is higher."""
    return _personal(REQUEST, facts, uid=uid, sequence=sequence, attendee=attendee,
                     organizer=organizer, now=now, description=description)


def cancel_invite(facts: EventFacts, *, uid: str, sequence: int, attendee: Party,
                  organizer: Party, now: datetime, description: str | None = None) -> bytes:
    """METHOD:CANCEL for the item with `uid`: STATUS:CANCELLED, SEQUENCE above the last one."""
    return _personal(CANCEL, facts, uid=uid, sequence=sequence, attendee=attendee,
                     organizer=organizer, now=now, description=description)


def publish_calendar(items: list[tuple[EventFacts, str, int]], *, organizer: Party,
                     now: datetime, name: str | None = None) -> bytes:
    """METHOD:PUBLISH of (facts, uid, sequence) items: no attendee data, for feeds."""
    events = []
    for facts, uid, sequence in items:
        event = Event()
        event.add("uid", uid)
        event.add("sequence", sequence)
        event.add("dtstamp", now.astimezone(UTC))
        _meeting_properties(event, facts)
        event.add("description", facts.url)
        event.add("organizer", _address(organizer))
        event.add("status", "CANCELLED" if facts.is_cancelled else "CONFIRMED")
        events.append(event)
    return _calendar(PUBLISH, events, name=name).to_ical()

"""Calendar invites (RFC 5545/5546) and the calendar downloads."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from regio import invites
from regio.db import db
from regio.meetings.services import MeetingChanges, update_meeting
from regio.registrations import services
from tests.test_mail_flow import applicant, confirmed_registration

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
ORGANIZER = invites.Party("opp-project@regio.test", "Landelijk OPP Project")
ATTENDEE = invites.Party("anna@school.test", "Anna de Vries")
FACTS = invites.EventFacts(
    summary="Regiobijeenkomst Landelijk OPP Project – Zwolle", day=date(2024, 4, 10),
    start=time(13, 0), end=time(16, 30), venue="De Nieuwe Buitensociëteit",
    address="Stationsweg 1", city="Zwolle", url="http://regio.test/bijeenkomsten/zwolle",
)
REQUIRED = {  # RFC 5546 §3.2.2 (REQUEST) and §3.2.5 (CANCEL): properties that must be there
    "REQUEST": ("ATTENDEE", "DTSTAMP", "DTSTART", "ORGANIZER", "SEQUENCE", "SUMMARY", "UID"),
    "CANCEL": ("ATTENDEE", "DTSTAMP", "ORGANIZER", "SEQUENCE", "UID", "STATUS"),
}


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def normalised(data: bytes) -> str:
    return re.sub(r"DTSTAMP:\d{8}T\d{6}Z", "DTSTAMP:<now>", data.decode("utf-8"))


def request(**changes) -> bytes:
    facts = invites.EventFacts(**{**FACTS.__dict__, **changes})
    return invites.request_invite(facts, uid="reg-1@regio.test", sequence=2, attendee=ATTENDEE,
                                  organizer=ORGANIZER, now=NOW,
                                  description="http://regio.test/aanmelding/TOKEN")


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_invite_satisfies_rfc_5546(method):
    build = invites.request_invite if method == "REQUEST" else invites.cancel_invite
    data = build(FACTS, uid="reg-1@regio.test", sequence=3, attendee=ATTENDEE,
                 organizer=ORGANIZER, now=NOW)
    calendar, event = parse(data)
    assert str(calendar["METHOD"]) == method and str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    for name in REQUIRED[method]:
        assert name in event, name
    attendees = event.get("ATTENDEE")
    assert not isinstance(attendees, list)  # exactly one
    assert str(attendees) == "mailto:anna@school.test"
    assert attendees.params["RSVP"] == "FALSE" and attendees.params["CN"] == "Anna de Vries"
    assert str(event["ORGANIZER"]) == "mailto:opp-project@regio.test"
    assert event.decoded("DTSTAMP") == NOW
    assert str(event["STATUS"]) == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
    assert b"VALARM" not in data and b"TZID" not in data and b"VTIMEZONE" not in data
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_times_are_utc_from_local_time_across_daylight_saving():
    _calendar, summer = parse(request())  # 10 April: CEST, UTC+2
    assert summer.decoded("DTSTART") == datetime(2024, 4, 10, 11, 0, tzinfo=UTC)
    assert summer.decoded("DTEND") == datetime(2024, 4, 10, 14, 30, tzinfo=UTC)
    assert b"DTSTART:20240410T110000Z" in request()
    _calendar, winter = parse(request(day=date(2024, 1, 10)))  # CET, UTC+1
    assert winter.decoded("DTSTART") == datetime(2024, 1, 10, 12, 0, tzinfo=UTC)


def test_meeting_without_times_is_an_all_day_item():
    data = request(start=None, end=None)
    _calendar, event = parse(data)
    assert event.decoded("DTSTART") == date(2024, 4, 10)
    assert event.decoded("DTEND") == date(2024, 4, 11)
    assert b"DTSTART;VALUE=DATE:20240410" in data


def test_location_joins_venue_address_and_city():
    _calendar, event = parse(request())
    assert str(event["LOCATION"]) == "De Nieuwe Buitensociëteit, Stationsweg 1, Zwolle"
    _calendar, event = parse(request(address=None))
    assert str(event["LOCATION"]) == "De Nieuwe Buitensociëteit, Zwolle"


def test_awkward_names_stay_one_parameter():
    attendee = invites.Party("x@school.test", 'Jan "JJ" de Vries; Zoon, & Co')
    data = invites.request_invite(FACTS, uid="u@regio.test", sequence=0, attendee=attendee,
                                  organizer=ORGANIZER, now=NOW)
    _calendar, event = parse(data)
    assert event["ATTENDEE"].params["CN"] == "Jan JJ de Vries; Zoon, & Co"


@pytest.mark.parametrize("name, build", [("request", invites.request_invite),
                                         ("cancel", invites.cancel_invite)])
def test_golden_invite(name, build):
    """Any change to the invite format shows up here as a diff (set REGIO_GOLDEN=write)."""
    data = build(FACTS, uid="reg-1@regio.test", sequence=4, attendee=ATTENDEE,
                 organizer=ORGANIZER, now=datetime.now(UTC),
                 description="http://regio.test/aanmelding/TOKEN")
    path = GOLDEN / f"invite_{name}.ics"
    if os.environ.get("REGIO_GOLDEN") == "write":
        path.write_bytes(normalised(data).encode("utf-8"))
    assert normalised(data) == path.read_bytes().decode("utf-8")


def test_publish_feed_has_no_attendees_and_stable_uids():
    items = [(FACTS, "bijeenkomst-1@regio.test", 0),
             (invites.EventFacts(**{**FACTS.__dict__, "is_cancelled": True}),
              "bijeenkomst-2@regio.test", 1)]
    data = invites.publish_calendar(items, organizer=ORGANIZER, now=NOW)
    calendar = Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["bijeenkomst-1@regio.test",
                                               "bijeenkomst-2@regio.test"]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CANCELLED"]
    assert b"ATTENDEE" not in data


# --- the downloads ------------------------------------------------------------------------------


def test_meeting_ics_route_is_not_the_meeting_page(client, meetings):
    response = client.get("/bijeenkomsten/zwolle.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar, event = parse(response.data)
    assert str(calendar["METHOD"]) == "PUBLISH" and "ATTENDEE" not in event
    assert str(event["UID"]) == f"bijeenkomst-{meetings['zwolle'].id}@regio.test"
    assert client.get("/bijeenkomsten/nergens.ics").status_code == 404
    page = client.get("/bijeenkomsten/zwolle")
    assert page.status_code == 200 and b"/bijeenkomsten/zwolle.ics" in page.data


def test_agenda_feed_lists_every_meeting_with_stable_uids(client, meetings, now):
    first = Calendar.from_ical(client.get("/agenda.ics").data)
    update_meeting(meetings["zwolle"], MeetingChanges(start_time=time(10, 0)), actor="test",
                   now=now)
    db.session.commit()
    second = Calendar.from_ical(client.get("/agenda.ics").data)
    uids = [str(e["UID"]) for e in first.walk("VEVENT")]
    assert len(uids) == 4 and uids == [str(e["UID"]) for e in second.walk("VEVENT")]
    sequences = [int(e["SEQUENCE"]) for e in second.walk("VEVENT")]
    assert sorted(sequences) == [0, 0, 0, 1]


def test_personal_invite_download(client, meetings, now):
    registration = confirmed_registration(meetings["zwolle"], "dl@school.test", now=now)
    token = services.add_personal_link(registration, now=now)
    db.session.commit()
    response = client.get(f"/aanmelding/{token}/uitnodiging.ics")
    assert response.status_code == 200
    assert 'filename="uitnodiging.ics"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    calendar, event = parse(response.data)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == registration.uid
    assert int(event["SEQUENCE"]) == services.invite_sequence(registration)
    assert str(event["ATTENDEE"]) == "mailto:dl@school.test"


def test_personal_invite_refuses_unknown_unconfirmed_and_erased(client, meetings, now):
    assert client.get("/aanmelding/not-a-token/uitnodiging.ics").status_code == 404
    assert client.get(f"/aanmelding/{'A' * 32}/uitnodiging.ics").status_code == 404
    held = services.register(meetings["zwolle"].id, applicant("held@school.test"), now=now)
    db.session.commit()
    assert client.get(f"/aanmelding/{held.token}/uitnodiging.ics").status_code == 404
    registration = confirmed_registration(meetings["zwolle"], "gone@school.test", now=now)
    token = services.add_personal_link(registration, now=now)
    services.erase(registration, now=now + timedelta(minutes=1))
    db.session.commit()
    assert client.get(f"/aanmelding/{token}/uitnodiging.ics").status_code == 410


def test_personal_invite_partial_links_only_when_confirmed(app, meetings, now):
    from flask import render_template

    from regio.registrations.queries import personal_invite_method

    registration = confirmed_registration(meetings["zwolle"], "p@school.test", now=now)
    held = services.register(meetings["zwolle"].id, applicant("h@school.test"), now=now)

    def partial(registration) -> str:
        return render_template("public/_personal_invite.html", token="T" * 32,
                               invite_method=personal_invite_method(registration))

    with app.test_request_context():
        html = partial(registration)
        assert f"/aanmelding/{'T' * 32}/uitnodiging.ics" in html and "Zet in mijn agenda" in html
        assert "uitnodiging.ics" not in partial(held.registration)
        services.cancel(registration, now=now)
        html = partial(registration)
        assert "Zet in mijn agenda" not in html and "Haal de afspraak uit mijn agenda" in html

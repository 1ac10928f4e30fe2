"""One registration's calendar item over its whole life, read by two real parsers
(icalendar and vobject): invite → update → meeting cancelled → personal download.
SEQUENCE and DTSTAMP never go back, and the last word is CANCEL."""

from __future__ import annotations

from datetime import time

import vobject
from icalendar import Calendar

from regio.db import db, utc_now
from regio.meetings.services import MeetingChanges, update_meeting
from regio.registrations import services
from tests.test_mail_flow import applicant, send_all


def read_icalendar(data: bytes) -> tuple[str, str, int, object]:
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return (str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]),
            event.decoded("DTSTAMP"))


def read_vobject(data: bytes) -> tuple[str, str, int, object]:
    calendar = vobject.readOne(data.decode("utf-8"))
    event = calendar.vevent
    return (calendar.method.value, event.uid.value, int(event.sequence.value),
            event.dtstamp.value)


def attached_ics(message) -> bytes:
    [attachment] = [part for part in message.walk() if part.get_filename()]
    return attachment.get_payload(decode=True)


def inline_ics(message) -> bytes:
    [inline] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    return inline.get_payload(decode=True)


def confirmed(meeting, email):
    outcome = services.register(meeting.id, applicant(email), now=utc_now())
    link, _registration = services.find_by_token(outcome.token)
    services.confirm_address(link, now=utc_now())
    db.session.commit()
    return outcome.registration, outcome.token


def test_the_whole_life_of_one_item_in_two_parsers(client, meetings, smtp_server):
    zwolle = meetings["zwolle"]
    registration, token = confirmed(zwolle, "life@school.test")
    items: list[bytes] = []  # what the attendee's calendar receives, in order
    send_all(smtp_server, now=utc_now())  # the invite

    update_meeting(zwolle, MeetingChanges(start_time=time(13, 0), end_time=time(16, 0)),
                   actor="test", now=utc_now())
    db.session.commit()
    send_all(smtp_server, now=utc_now())  # the update
    items += [attached_ics(m) for m in smtp_server.handler.to("life@school.test")
              if m.get_content_type() == "multipart/mixed"]
    items.append(client.get(f"/aanmelding/{token}/uitnodiging.ics").data)  # imported by hand

    # An update and then the cancellation, both before the sender runs: only the CANCEL goes.
    update_meeting(zwolle, MeetingChanges(start_time=time(14, 0)), actor="test", now=utc_now())
    update_meeting(zwolle, MeetingChanges(cancel=True), actor="test", now=utc_now())
    db.session.commit()
    before = len(smtp_server.handler.to("life@school.test"))
    send_all(smtp_server, now=utc_now())
    [last_mail] = smtp_server.handler.to("life@school.test")[before:]
    assert "Gaat niet door" in last_mail["Subject"]
    items.append(attached_ics(last_mail))

    download = client.get(f"/aanmelding/{token}/uitnodiging.ics")
    assert download.status_code == 200
    assert download.headers["Content-Type"].endswith("method=CANCEL")
    items.append(download.data)

    for read in (read_icalendar, read_vobject):
        seen = [read(data) for data in items]
        methods = [method for method, *_ in seen]
        assert methods == ["REQUEST", "REQUEST", "REQUEST", "CANCEL", "CANCEL"], read
        assert {uid for _m, uid, *_ in seen} == {registration.uid}
        sequences = [sequence for _m, _u, sequence, _s in seen]
        stamps = [stamp for *_, stamp in seen]
        assert sequences == sorted(sequences) and sequences[0] < sequences[1] < sequences[3]
        assert stamps == sorted(stamps), read
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "gaat niet door" in page and "Zet in mijn agenda" not in page
    assert "Haal de afspraak uit mijn agenda" in page


def test_inline_calendar_part_is_the_attachment_byte_for_byte(meetings, smtp_server):
    confirmed(meetings["zwolle"], "bytes@school.test")
    send_all(smtp_server, now=utc_now())
    [mail] = [m for m in smtp_server.handler.to("bytes@school.test")
              if m.get_content_type() == "multipart/mixed"]
    inline, attached = inline_ics(mail), attached_ics(mail)
    assert inline == attached and attached.endswith(b"END:VCALENDAR\r\n")


def test_an_update_superseded_by_a_cancellation_of_the_place_is_dropped(meetings, smtp_server):
    zwolle = meetings["zwolle"]
    registration, _token = confirmed(zwolle, "drop@school.test")
    send_all(smtp_server, now=utc_now())
    update_meeting(zwolle, MeetingChanges(start_time=time(9, 0)), actor="test", now=utc_now())
    services.cancel(registration, now=utc_now())
    db.session.commit()
    send_all(smtp_server, now=utc_now())
    subjects = [str(m["Subject"]).split(":")[0]
                for m in smtp_server.handler.to("drop@school.test")]
    assert subjects == ["Bevestig uw aanmelding", "Aanmelding bevestigd", "Afgemeld"]


def test_a_request_sent_late_carries_the_sequence_of_today(meetings, smtp_server):
    """The confirmation queued before an update goes out after it: same facts, same SEQUENCE
    as the update, never a lower one that would read as an older version."""
    zwolle = meetings["zwolle"]
    confirmed(zwolle, "late@school.test")
    update_meeting(zwolle, MeetingChanges(start_time=time(9, 0)), actor="test", now=utc_now())
    db.session.commit()
    send_all(smtp_server, now=utc_now())
    sequences = [read_icalendar(attached_ics(m))[2]
                 for m in smtp_server.handler.to("late@school.test")
                 if m.get_content_type() == "multipart/mixed"]
    assert len(sequences) == 2 and sequences[0] == sequences[1]

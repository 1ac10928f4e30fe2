"""Every mail kind through the real sender to a real SMTP server, and the double opt-in."""

from __future__ import annotations

import re
from datetime import time, timedelta

from icalendar import Calendar
from sqlalchemy import select

from regio.db import db
from regio.mail.models import OutboxMessage, OutboxState
from regio.mail.sender import send_batch
from regio.mail.transport import open_transport
from regio.meetings.services import MeetingChanges, update_meeting
from regio.registrations import services
from regio.registrations.models import Status
from tests.conftest import BASE_URL

LINK_RE = re.compile(re.escape(BASE_URL) + r"/aanmelding/([A-Za-z0-9_-]+)")


# --- helpers shared by the mail tests ------------------------------------------------------


def applicant(email: str, **fields) -> services.Applicant:
    fields.setdefault("name", "Anna de Vries")
    fields.setdefault("role", "po")
    return services.Applicant(email=email, **fields)


def send_all(smtp_server, *, now) -> int:
    """Drain everything due at `now` through the sender to `smtp_server`; the sent count."""
    transport = open_transport(smtp_server.url, timeout=5)
    sent = 0
    try:
        while True:
            report = send_batch(now=now, transport=transport)
            sent += report.sent
            if report.claimed == 0:
                return sent
    finally:
        transport.close()


def body_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def link_in(message) -> str:
    match = LINK_RE.search(body_text(message))
    assert match, "no personal link in the mail"
    return match[1]


def calendar_of(message) -> tuple[str, Calendar, Calendar]:
    """(method in the part header, the inline calendar, the attached file)."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in alternative.get_payload()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    inline = alternative.get_payload()[2]
    assert inline.get_content_charset() == "utf-8"
    assert attachment.get_filename() == "uitnodiging.ics"
    assert attachment.get_content_disposition() == "attachment"
    inline_cal = Calendar.from_ical(inline.get_content())
    file_cal = Calendar.from_ical(attachment.get_payload(decode=True))
    return inline.get_param("method"), inline_cal, file_cal


def the_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def confirmed_registration(meeting, email, *, now, smtp_server=None, **fields):
    """Register and open the mailed link (through the SMTP server when one is given)."""
    outcome = services.register(meeting.id, applicant(email, **fields), now=now)
    db.session.commit()
    token = outcome.token
    if smtp_server is not None:
        send_all(smtp_server, now=now)
        token = link_in(smtp_server.handler.to(email)[-1])
    link, _registration = services.find_by_token(token)
    registration = services.confirm_address(link, now=now)
    db.session.commit()
    return registration


# --- the tests ------------------------------------------------------------------------------


def test_double_opt_in_by_mail_end_to_end(app, meetings, smtp_server, now):
    meeting = meetings["zwolle"]
    outcome = services.register(meeting.id, applicant("anna@school.test"), now=now)
    db.session.commit()
    assert send_all(smtp_server, now=now) == 1

    (first,) = smtp_server.handler.to("anna@school.test")
    assert first["To"] == "Anna de Vries <anna@school.test>"
    assert "Bevestig uw aanmelding" in first["Subject"]
    assert first.get_content_type() == "multipart/alternative"
    assert "text/calendar" not in {p.get_content_type() for p in first.walk()}
    token = link_in(first)

    link, registration = services.find_by_token(token)
    assert registration.id == outcome.registration.id
    services.confirm_address(link, now=now)
    db.session.commit()
    assert registration.status == Status.CONFIRMED
    assert send_all(smtp_server, now=now) == 1

    second = smtp_server.handler.to("anna@school.test")[-1]
    assert "Aanmelding bevestigd" in second["Subject"]
    method, inline, attached = calendar_of(second)
    assert method == "REQUEST" == str(inline["METHOD"]) == str(attached["METHOD"])
    event = the_event(inline)
    assert str(event["UID"]) == registration.uid
    assert f"{BASE_URL}/aanmelding/" in body_text(second)
    assert meeting.venue in body_text(second) and "tijd volgt" in body_text(second)
    # The stored payload no longer holds the personal link once sent.
    rows = db.session.execute(select(OutboxMessage)).scalars().all()
    assert all(row.state == OutboxState.SENT and "token" not in row.payload for row in rows)


def test_sequence_rises_confirm_then_time_change_then_cancel(app, meetings, smtp_server, now):
    meeting = meetings["oostzaan"]
    registration = confirmed_registration(meeting, "bo@school.test", now=now)
    send_all(smtp_server, now=now)
    update_meeting(meeting, MeetingChanges(start_time=time(13, 0), end_time=time(16, 30)),
                   actor="test", now=now)
    db.session.commit()
    send_all(smtp_server, now=now)
    services.cancel(registration, now=now)
    db.session.commit()
    send_all(smtp_server, now=now)

    mails = smtp_server.handler.to("bo@school.test")
    invites = [m for m in mails if m.get_content_type() == "multipart/mixed"]
    assert len(invites) == 3  # confirmed, updated, cancelled
    sequences, methods = [], []
    for mail in invites:
        method, inline, attached = calendar_of(mail)
        assert inline.to_ical() == attached.to_ical()
        event = the_event(inline)
        assert str(event["UID"]) == registration.uid
        sequences.append(int(event["SEQUENCE"]))
        methods.append(method)
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    assert sequences == sorted(set(sequences)), sequences
    updated = the_event(calendar_of(invites[1])[1])
    assert updated.decoded("DTSTART").utcoffset() == timedelta(0)
    assert "13:00–16:30" in body_text(invites[1])


def kinds_sent(smtp_server, address: str) -> list[tuple[str, str | None, bool]]:
    """(subject, invite method or None, carries a personal link) per mail to `address`."""
    result = []
    for mail in smtp_server.handler.to(address):
        assert mail["To"].addresses[0].addr_spec == address
        assert len(mail.get_all("To")) == 1 and mail["Cc"] is None and mail["Bcc"] is None
        assert mail["Message-ID"] and mail["Date"]
        method = calendar_of(mail)[0] if mail.get_content_type() == "multipart/mixed" else None
        html = mail.get_body(("html",)).get_content()
        text = body_text(mail)
        has_link = LINK_RE.search(text) is not None
        assert has_link == (LINK_RE.search(html) is not None)
        assert mail.get_content_type() in ("multipart/mixed", "multipart/alternative")
        result.append((str(mail["Subject"]), method, has_link))
    return result


def test_every_mail_kind_arrives_with_its_parts(app, meetings, smtp_server, now):
    from regio.mail.campaigns import send_campaign

    zwolle, rotterdam = meetings["zwolle"], meetings["den-bosch"]
    update_meeting(zwolle, MeetingChanges(capacity=2), actor="test", now=now)
    db.session.commit()
    ann = confirmed_registration(zwolle, "ann@school.test", now=now, smtp_server=smtp_server)
    services.register(zwolle.id, applicant("ann@school.test"), now=now)  # again: link again
    held = services.register(zwolle.id, applicant("held@school.test"), now=now).registration
    services.register(zwolle.id, applicant("wait@school.test", role="ouder"), now=now)
    services.register(zwolle.id, applicant("pupil@school.test", role="leerling", is_under_16=True,
                                        has_guardian_consent=True,
                                        guardian_email="parent@home.test"), now=now)
    db.session.commit()
    send_all(smtp_server, now=now)
    # The hold runs out: "expired" for held@, and the first waiting person moves up.
    later = now + timedelta(hours=49)
    services.release_expired(services.lock_row(type(zwolle), zwolle.id), now=later)
    db.session.commit()
    update_meeting(zwolle, MeetingChanges(start_time=time(9, 30)), actor="test", now=later)
    send_campaign(zwolle, key="week-voor", role=None, actor="test", now=later, dry_run=False)
    db.session.commit()
    send_all(smtp_server, now=later)
    bo = confirmed_registration(rotterdam, "bo@school.test", now=later)
    cy = confirmed_registration(rotterdam, "cy@school.test", now=later)
    services.move(bo, zwolle, now=later)
    services.cancel(cy, now=later)
    db.session.commit()
    update_meeting(zwolle, MeetingChanges(cancel=True), actor="test", now=later)
    db.session.commit()
    send_all(smtp_server, now=later)
    services.erase(ann, now=later)
    db.session.commit()
    send_all(smtp_server, now=later)
    assert held.status == Status.EXPIRED

    def subjects(address):
        return [(s.split(":")[0], m, link) for s, m, link in kinds_sent(smtp_server, address)]

    assert subjects("ann@school.test") == [
        ("Bevestig uw aanmelding", None, True),
        ("Aanmelding bevestigd", "REQUEST", True),
        ("Uw persoonlijke link", None, True),
        ("Gewijzigd", "REQUEST", True),
        ("Herinnering", "REQUEST", True),
        ("Gaat niet door", "CANCEL", False),
        ("Uw gegevens zijn verwijderd", "CANCEL", False),
    ]
    assert subjects("held@school.test") == [
        ("Bevestig uw aanmelding", None, True),
        ("Uw plaats is vrijgegeven", None, False),
    ]
    assert subjects("wait@school.test") == [
        ("U staat op de wachtlijst", None, True),
        ("Er is een plaats voor u", None, True),  # address not confirmed yet: no invite
        ("Gaat niet door", None, False),
    ]
    # The guardian's own mail: no personal link to the pupil's page (their own link instead).
    assert subjects("parent@home.test") == [("Uw toestemming gevraagd", None, False)]
    assert subjects("bo@school.test")[-3:] == [
        ("Overgestapt", "CANCEL", False),
        ("U staat op de wachtlijst", None, True),  # zwolle is full
        ("Gaat niet door", None, False),
    ]
    assert subjects("cy@school.test")[-1] == ("Afgemeld", "CANCEL", False)
    waiting_mail = smtp_server.handler.to("wait@school.test")[0]
    assert "wachtlijst: 1" in body_text(waiting_mail)
    pupil_mail = smtp_server.handler.to("parent@home.test")[0]
    assert "Beste ouder of voogd" in body_text(pupil_mail)


def test_erased_registration_gets_only_its_cancellation(app, meetings, smtp_server, now):
    registration = confirmed_registration(meetings["zwolle"], "cas@school.test", now=now)
    services.resend_link(registration, now=now)
    services.erase(registration, now=now)
    db.session.commit()
    send_all(smtp_server, now=now)
    (mail,) = smtp_server.handler.to("cas@school.test")
    assert calendar_of(mail)[0] == "CANCEL"
    assert "verwijderd" in mail["Subject"]
    assert "Beste deelnemer" in body_text(mail)


def test_mail_language_follows_the_registration(app, meetings, smtp_server, now):
    services.register(meetings["zwolle"].id, applicant("en@school.test", locale="en"), now=now)
    db.session.commit()
    send_all(smtp_server, now=now)
    (mail,) = smtp_server.handler.to("en@school.test")
    assert mail["Content-Language"] == "en"
    assert meetings["zwolle"].date.strftime("%B") in body_text(mail)  # English month name


def test_building_mail_leaves_the_web_pages_language_alone(app, client, meetings, now):
    from regio.mail.messages import build_message

    gettext = app.jinja_env.globals["gettext"]
    services.register(meetings["zwolle"].id, applicant("lang@school.test", locale="en"), now=now)
    db.session.commit()
    (row,) = db.session.execute(select(OutboxMessage)).scalars()
    mail = build_message(row, now=now)
    assert "Zwolle" in mail["Subject"] and mail["Content-Language"] == "en"
    assert app.jinja_env.globals["gettext"] is gettext
    page = client.get("/")
    assert page.status_code == 200 and b'lang="nl"' in page.data

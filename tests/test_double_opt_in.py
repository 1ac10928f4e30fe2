"""The whole double opt-in as an attendee lives it: form → mail → link → invite, over SMTP."""

from __future__ import annotations

import re

from icalendar import Calendar
from sqlalchemy import select

from regio.db import db
from regio.registrations.models import Registration, Status
from tests.conftest import BASE_URL, csrf_token

LINK_RE = re.compile(re.escape(BASE_URL) + r"/aanmelding/([A-Za-z0-9_-]+)")


def _send(runner) -> None:
    result = runner.invoke(args=["mail", "send", "--once"])
    assert result.exit_code == 0, result.output


def _calendar_parts(message) -> list:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def test_register_confirm_by_mail_and_receive_the_invite(app, client, runner, meetings,
                                                         smtp_server):
    app.config["MAIL_URL"] = smtp_server.url
    url = "/bijeenkomsten/zwolle?bron=brief"
    response = client.post("/bijeenkomsten/zwolle", data={
        "csrf_token": csrf_token(client, url), "name": "Fatima El Amrani",
        "email": "fatima@ouders.nl", "role": "ouder", "consent": "y", "bron": "brief"})
    assert response.status_code == 303
    _send(runner)

    [confirm] = smtp_server.handler.messages
    assert confirm["To"].addresses[0].addr_spec == "fatima@ouders.nl"
    assert _calendar_parts(confirm) == []  # no invite before the address is confirmed
    body = confirm.get_body(preferencelist=("plain",)).get_content()
    token = LINK_RE.search(body)[1]

    page = client.get(f"/aanmelding/{token}")
    assert "Bevestig mijn aanmelding" in page.get_data(as_text=True)
    page = client.post(f"/aanmelding/{token}", follow_redirects=True,
                       data={"csrf_token": csrf_token(client, f"/aanmelding/{token}")})
    assert "Uw plaats is bevestigd" in page.get_data(as_text=True)
    _send(runner)

    invite = smtp_server.handler.messages[-1]
    assert invite["To"].addresses[0].addr_spec == "fatima@ouders.nl"
    [inline] = _calendar_parts(invite)
    assert inline.get_param("method") == "REQUEST"
    [attached] = [part for part in invite.walk() if part.get_filename()]
    assert attached.get_filename().endswith(".ics")
    calendar = Calendar.from_ical(attached.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    registration = db.session.execute(select(Registration)).scalar_one()
    assert registration.status == Status.CONFIRMED and registration.source == "brief"
    assert str(event["UID"]) == registration.uid
    assert str(event["ATTENDEE"]).lower() == "mailto:fatima@ouders.nl"
    assert LINK_RE.search(invite.get_body(preferencelist=("plain",)).get_content())


def test_registering_again_mails_the_link_again_not_a_second_place(app, client, runner,
                                                                   meetings, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url
    for _ in range(2):
        client.post("/bijeenkomsten/zwolle", data={
            "csrf_token": csrf_token(client, "/bijeenkomsten/zwolle"), "name": "Jan",
            "email": "jan@school.nl", "role": "vo", "consent": "y"})
    _send(runner)
    first, second = smtp_server.handler.messages
    first_link = LINK_RE.search(first.get_body(preferencelist=("plain",)).get_content())[1]
    second_link = LINK_RE.search(second.get_body(preferencelist=("plain",)).get_content())[1]
    assert first_link != second_link
    assert client.get(f"/aanmelding/{first_link}").status_code == 200
    assert client.get(f"/aanmelding/{second_link}").status_code == 200

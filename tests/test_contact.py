"""REGIO_CONTACT_EMAIL (and REGIO_CONTACT_PHONE): where people write with questions."""

from __future__ import annotations

import pytest

from config import is_no_reply
from regio.db import utc_now
from tests.booking_helpers import book
from tests.test_mail_flow import body_text, send_all

CONTACT = {"REGIO_CONTACT_EMAIL": "vragen@opp-project.example.nl",
           "REGIO_CONTACT_PHONE": "070 123 45 67"}
LINE = "Vragen? Mail naar vragen@opp-project.example.nl of bel 070 123 45 67."


@pytest.mark.parametrize("app_settings", [CONTACT])
def test_every_mail_and_page_names_the_contact(client, meetings, smtp_server, app_settings):
    _registration, token = book(meetings["zwolle"], 1, confirm=True)
    send_all(smtp_server, now=utc_now())
    assert len(smtp_server.handler.messages) == 2
    for mail in smtp_server.handler.messages:
        assert LINE in body_text(mail)
        assert LINE in mail.get_body(("html",)).get_content()
    for url, status in ((f"/aanmelding/{token}", 200), ("/privacy", 200),
                        ("/bijeenkomsten/nergens", 404)):
        response = client.get(url)
        assert response.status_code == status
        assert LINE in response.get_data(as_text=True), url


@pytest.mark.parametrize("app_settings", [{"REGIO_ORGANIZER_EMAIL": "noreply@regio.test"}])
def test_a_no_reply_address_is_never_offered(client, meetings, smtp_server, app_settings):
    book(meetings["zwolle"], 1)
    send_all(smtp_server, now=utc_now())
    [mail] = smtp_server.handler.messages
    assert "noreply" not in body_text(mail) and "Vragen?" not in body_text(mail)
    assert "Vragen?" not in client.get("/privacy").get_data(as_text=True)


@pytest.mark.parametrize("address, no_reply", [
    ("noreply@localhost", True), ("no-reply@ocw.nl", True), ("donotreply@ocw.nl", True),
    ("do-not-reply@ocw.nl", True), ("vragen@localhost", True), ("", True),
    ("vragen@ocw.nl", False), ("norbert@ocw.nl", False)])
def test_no_reply_addresses_are_recognised(address, no_reply):
    assert is_no_reply(address) is no_reply

"""An attendee corrects their own name, organisation and wishes from the personal page."""

from __future__ import annotations

from sqlalchemy import select

from regio.audit import AuditEvent
from regio.db import db, utc_now
from regio.mail.outbox import Kind
from tests.booking_helpers import book, mails, reload
from tests.conftest import csrf_token
from tests.test_mail_flow import body_text, calendar_of, send_all, the_event


def change(client, token, **fields):
    url = f"/aanmelding/{token}/gegevens"
    data = {"name": "Deelnemer 1", "organisation": "", "needs": "", **fields}
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def test_a_name_change_sends_the_updated_invite_and_writes_an_audit_line(
        client, meetings, smtp_server):
    registration, token = book(meetings["zwolle"], 1, confirm=True)
    send_all(smtp_server, now=utc_now())
    page = client.get(f"/aanmelding/{token}/gegevens").get_data(as_text=True)
    assert 'value="Deelnemer 1"' in page
    response = change(client, token, name="Deelnemer Een-Twee", organisation="OBS De Wilg")
    assert response.status_code == 303
    registration = reload(registration)
    assert (registration.name, registration.organisation) == ("Deelnemer Een-Twee",
                                                              "OBS De Wilg")
    [queued] = mails(Kind.DETAILS_CHANGED)
    send_all(smtp_server, now=utc_now())
    mail = smtp_server.handler.to(registration.email)[-1]
    assert "Gegevens aangepast" in mail["Subject"] and "Deelnemer Een-Twee" in body_text(mail)
    method, inline, _attached = calendar_of(mail)
    event = the_event(inline)
    assert method == "REQUEST" and event["ATTENDEE"].params["CN"] == "Deelnemer Een-Twee"
    assert int(event["SEQUENCE"]) == queued.payload["sequence"] == 1
    [line] = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "registration.details_change")).scalars()
    assert line.details == {"registration": registration.id, "fields": ["name", "organisation"]}
    assert "Een-Twee" not in str(line.details)  # the fields, not what they hold


def test_other_changes_send_no_invite(client, meetings):
    registration, token = book(meetings["zwolle"], 1, confirm=True)
    assert change(client, token, needs="rolstoel").status_code == 303
    assert reload(registration).needs == "rolstoel"
    assert mails(Kind.DETAILS_CHANGED) == []
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "Uw gegevens zijn aangepast." in page and "rolstoel" in page


def test_an_unconfirmed_registration_may_correct_its_name_without_mail(client, meetings):
    registration, token = book(meetings["zwolle"], 1)
    assert change(client, token, name="Deelnemer Eén").status_code == 303
    assert reload(registration).name == "Deelnemer Eén"
    assert mails(Kind.DETAILS_CHANGED) == []


def test_an_empty_name_is_refused_beside_the_field(client, meetings):
    registration, token = book(meetings["zwolle"], 1, confirm=True)
    response = change(client, token, name="  ")
    assert response.status_code == 422
    assert "Vul uw naam in." in response.get_data(as_text=True)
    assert reload(registration).name == "Deelnemer 1"


def test_a_cancelled_registration_has_nothing_to_change(client, meetings):
    _registration, token = book(meetings["zwolle"], 1, confirm=True)
    url = f"/aanmelding/{token}/afmelden"
    client.post(url, data={"csrf_token": csrf_token(client, url)})
    response = client.get(f"/aanmelding/{token}/gegevens")
    assert response.status_code == 303

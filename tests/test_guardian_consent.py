"""A pupil under 16 and their guardian, each with their own mail, link and button."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from regio.audit import AuditEvent
from regio.db import db, lock_row, utc_now
from regio.mail.outbox import Kind
from regio.meetings.models import Meeting
from regio.registrations.models import GuardianDecision, Registration, Status
from regio.registrations.retention import purge
from regio.registrations.services import release_expired
from tests.booking_helpers import book, mails, reload, set_capacity
from tests.conftest import BASE_URL, csrf_token
from tests.test_mail_flow import body_text, calendar_of, send_all

PUPIL, GUARDIAN = "sam@leerling.test", "ouder.jansen@thuis.test"


def register_pupil(meeting, *, now):
    registration, token = book(meeting, "sam", role="leerling", name="Sam Jansen",
                               email=PUPIL, is_under_16=True, has_guardian_consent=True,
                               guardian_email=GUARDIAN, now=now)
    [notice] = mails(Kind.GUARDIAN_NOTICE)
    return registration, token, notice.payload["token"]


def press(client, url: str, **data):
    """Press a button on the page at `url`, as a browser does (its form's token included)."""
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def pupil_confirms(client, token):
    assert press(client, f"/aanmelding/{token}").status_code == 303


def guardian_says(client, guardian_token, besluit: str):
    assert press(client, f"/toestemming/{guardian_token}", besluit=besluit).status_code == 303


def fresh(registration) -> Registration:
    return reload(registration)


def test_pupil_confirms_first_then_the_guardian_says_yes(client, meetings, now):
    registration, token, guardian_token = register_pupil(meetings["zwolle"], now=now)
    pupil_confirms(client, token)
    assert fresh(registration).status == Status.HELD  # the guardian's yes is still awaited
    assert mails(Kind.CONFIRMED) == []
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "We wachten nog op toestemming van uw ouder of voogd" in page
    assert "Uw e-mailadres is bevestigd" in page

    page = client.get(f"/toestemming/{guardian_token}").get_data(as_text=True)
    assert "Sam Jansen" in page and "Ik geef toestemming" in page
    assert "Ik geef geen toestemming" in page and "Wat bewaren we" in page
    guardian_says(client, guardian_token, "ja")
    registration = fresh(registration)
    assert registration.status == Status.CONFIRMED and registration.has_guardian_consent
    assert registration.guardian_decision == GuardianDecision.GIVEN
    assert registration.guardian_decided_at is not None
    [confirmed] = mails(Kind.CONFIRMED)
    assert confirmed.recipient == PUPIL
    [event] = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "registration.guardian_decision")).scalars()
    assert event.details == {"registration": registration.id, "decision": "given"}
    assert event.actor == "guardian" and GUARDIAN not in str(event.details)


def test_guardian_says_yes_first_then_the_pupil_confirms(client, meetings, now):
    registration, token, guardian_token = register_pupil(meetings["zwolle"], now=now)
    guardian_says(client, guardian_token, "ja")
    assert fresh(registration).status == Status.HELD  # the pupil has not confirmed yet
    assert mails(Kind.CONFIRMED) == []
    page = client.get(f"/toestemming/{guardian_token}").get_data(as_text=True)
    assert "U heeft toestemming gegeven" in page and "moet de aanmelding nog zelf" in page
    pupil_confirms(client, token)
    assert fresh(registration).status == Status.CONFIRMED
    assert len(mails(Kind.CONFIRMED)) == 1


def test_guardian_refuses_the_place_is_freed_and_the_pupil_is_told_kindly(
        client, meetings, now, smtp_server):
    meeting = set_capacity(meetings["zwolle"], 1)
    registration, token, guardian_token = register_pupil(meeting, now=now)
    waiting, _waiting_token = book(meeting, 2, now=now, confirm=True)
    assert fresh(waiting).status == Status.WAITING
    pupil_confirms(client, token)
    form_token = csrf_token(client, f"/toestemming/{guardian_token}")
    guardian_says(client, guardian_token, "nee")
    registration = fresh(registration)
    assert registration.status == Status.CANCELLED
    assert registration.guardian_decision == GuardianDecision.REFUSED
    again = client.post(f"/toestemming/{guardian_token}", follow_redirects=True,
                        data={"csrf_token": form_token, "besluit": "nee"})  # a second tap
    assert "Uw besluit is niet meer nodig" in again.get_data(as_text=True)
    assert fresh(waiting).status == Status.CONFIRMED  # the freed place moved on
    assert reload(meeting).taken == 1
    send_all(smtp_server, now=utc_now())
    told = smtp_server.handler.to(PUPIL)[-1]
    assert "Geen toestemming" in told["Subject"]
    assert "Dat is niet erg" in body_text(told)
    assert told.get_content_type() == "multipart/alternative"  # nothing was in a calendar
    page = client.get(f"/toestemming/{guardian_token}").get_data(as_text=True)
    assert "U heeft geen toestemming gegeven" in page and 'value="ja"' not in page
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "U bent afgemeld" in page and "geen toestemming gegeven" in page


def test_guardian_withdraws_after_confirmation_through_the_same_link(
        client, meetings, now, smtp_server):
    registration, token, guardian_token = register_pupil(meetings["zwolle"], now=now)
    pupil_confirms(client, token)
    guardian_says(client, guardian_token, "ja")
    assert fresh(registration).status == Status.CONFIRMED
    page = client.get(f"/toestemming/{guardian_token}").get_data(as_text=True)
    assert "Ik trek mijn toestemming in" in page
    guardian_says(client, guardian_token, "nee")
    registration = fresh(registration)
    assert registration.status == Status.CANCELLED and not registration.has_guardian_consent
    assert registration.guardian_decision == GuardianDecision.WITHDRAWN
    assert reload(meetings["zwolle"]).taken == 0
    send_all(smtp_server, now=utc_now())
    told = smtp_server.handler.to(PUPIL)[-1]
    assert "Geen toestemming" in told["Subject"]
    assert calendar_of(told)[0] == "CANCEL"  # the invite leaves the pupil's calendar
    decisions = db.session.execute(select(AuditEvent.details).where(
        AuditEvent.action == "registration.guardian_decision")).scalars().all()
    assert [d["decision"] for d in decisions] == ["given", "withdrawn"]


def test_a_hold_waiting_for_the_guardian_expires_like_any_other(client, meetings, now):
    registration, token, guardian_token = register_pupil(meetings["zwolle"], now=now)
    pupil_confirms(client, token)
    form_token = csrf_token(client, f"/toestemming/{guardian_token}")  # the page left open
    release_expired(lock_row(Meeting, meetings["zwolle"].id), now=now + timedelta(hours=49))
    db.session.commit()
    assert fresh(registration).status == Status.EXPIRED
    assert reload(meetings["zwolle"]).taken == 0
    page = client.get(f"/toestemming/{guardian_token}").get_data(as_text=True)
    assert "niet meer actief" in page and 'value="ja"' not in page
    response = client.post(f"/toestemming/{guardian_token}", follow_redirects=True,
                           data={"csrf_token": form_token, "besluit": "ja"})
    assert "niet meer actief" in response.get_data(as_text=True)
    registration = fresh(registration)
    assert registration.status == Status.EXPIRED and registration.guardian_decision is None
    assert mails(Kind.CONFIRMED) == []


def test_the_pupil_gets_no_invite_before_both_and_the_guardian_only_their_own_page(
        client, meetings, now, smtp_server):
    _registration, token, guardian_token = register_pupil(meetings["zwolle"], now=now)
    guardian_says(client, guardian_token, "ja")
    send_all(smtp_server, now=utc_now())
    assert all(m.get_content_type() == "multipart/alternative"
               for m in smtp_server.handler.to(PUPIL))
    [guardian_mail] = smtp_server.handler.to(GUARDIAN)
    text, html = body_text(guardian_mail), guardian_mail.get_body(("html",)).get_content()
    assert "/aanmelding/" not in text + html  # never the pupil's personal link
    assert f"{BASE_URL}/toestemming/{guardian_token}" in text
    assert "Beste ouder of voogd" in text and "Sam Jansen heeft zich aangemeld" in text
    assert "Ik geef toestemming" in html and "Ik geef geen toestemming" in html
    assert "wissen alles op" in text  # what is kept, and until when
    # The guardian's token opens no personal page, and the guardian's page links to none.
    assert client.get(f"/aanmelding/{guardian_token}").status_code == 404
    page = client.get(f"/toestemming/{guardian_token}").get_data(as_text=True)
    assert not re.search(r'href="[^"]*/aanmelding/', page)

    pupil_confirms(client, token)
    send_all(smtp_server, now=utc_now())
    assert calendar_of(smtp_server.handler.to(PUPIL)[-1])[0] == "REQUEST"


def test_a_pupil_on_the_waiting_list_and_the_guardian_are_told_what_waiting_means(
        meetings, now):
    from regio.mail.messages import build_message

    zwolle = set_capacity(meetings["zwolle"], 1)
    book(zwolle, "eerste", now=now)
    registration, _token, _guardian_token = register_pupil(zwolle, now=now)
    assert fresh(registration).status == Status.WAITING
    [waiting] = mails(Kind.WAITING)
    text = body_text(build_message(waiting, now=now)).replace("\r\n", "\n")
    assert "U staat op de wachtlijst." in text
    assert "direct van u.\n\nUw ouder of voogd krijgt een eigen e-mail en moet ook " \
           "toestemming geven." in text
    [notice] = mails(Kind.GUARDIAN_NOTICE)
    text = body_text(build_message(notice, now=now)).replace("\r\n", "\n")
    assert "ja heeft gezegd.\n\nWat we bewaren" in text
    assert "de leerling staat op de wachtlijst" in text
    assert "vervalt die na" not in text  # nothing is held yet, so nothing lapses


def test_consent_is_shown_to_organisers_and_erased_at_retention(organiser, app, now):
    meeting = db.session.execute(select(Meeting).where(Meeting.slug == "zwolle")).scalar_one()
    registration, _token, guardian_token = register_pupil(meeting, now=now)
    client = app.test_client()
    guardian_says(client, guardian_token, "ja")
    page = organiser.get(f"/beheer/aanmeldingen/{registration.id}").get_data(as_text=True)
    assert re.search(r"gegeven op .+ door ouder\.jansen@thuis\.test", page)

    meeting = reload(meeting)
    meeting.date = now.date() - timedelta(days=200)
    db.session.commit()
    purge(now=now, retention_days=90)
    db.session.commit()
    registration = fresh(registration)
    assert registration.status == Status.ERASED
    assert (registration.guardian_email, registration.guardian_token_hash,
            registration.guardian_decision, registration.guardian_decided_at) == (None,) * 4
    assert client.get(f"/toestemming/{guardian_token}").status_code == 404


@pytest.mark.parametrize("besluit", ["", "misschien"])
def test_a_decision_must_be_one_of_the_two_buttons(client, meetings, now, besluit):
    registration, _token, guardian_token = register_pupil(meetings["zwolle"], now=now)
    url = f"/toestemming/{guardian_token}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "besluit": besluit})
    assert response.status_code == 400
    assert fresh(registration).guardian_decision is None

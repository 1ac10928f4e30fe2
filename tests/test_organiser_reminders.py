"""Reminder campaigns through /beheer: preview, count, send, history, retry."""

from __future__ import annotations

import pytest

from regio.audit import AuditEvent
from regio.db import db
from regio.mail.models import OutboxMessage, OutboxState, ReminderCampaign
from tests.conftest import csrf_token
from tests.organiser_support import add_registration, fresh

PAGE = "/beheer/bijeenkomsten/zwolle/herinneringen"


@pytest.fixture
def attendees(meetings):
    zwolle = meetings["zwolle"]
    people = [add_registration(zwolle, "Anna de Vries", "anna@school.nl", role="po"),
              add_registration(zwolle, "Bram Jansen", "bram@school.nl", role="vo"),
              add_registration(zwolle, "Cor Smit", "cor@ouders.nl", role="ouder")]
    add_registration(zwolle, "Nog Onbevestigd", "held@school.nl", confirmed=False)
    return people


def reminders() -> list[OutboxMessage]:
    fresh()
    return list(db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.kind == "reminder")
        .order_by(OutboxMessage.id)).scalars())


def post(client, url, **data):
    return client.post(url, data=data | {"csrf_token": csrf_token(client, PAGE)})


def test_preview_shows_the_count_and_the_mail_and_sends_nothing(organiser, attendees):
    response = post(organiser, PAGE + "/voorbeeld", role="", key="week-voor")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Deze herinnering gaat naar 3 mensen" in page
    assert "Herinnering: regiobijeenkomst Zwolle" in page
    assert "Anna de Vries" in page  # the first recipient's own mail
    assert "/aanmelding/voorbeeld" in page
    assert reminders() == []
    assert db.session.execute(db.select(ReminderCampaign)).first() is None


def test_preview_for_one_role(organiser, attendees):
    page = post(organiser, PAGE + "/voorbeeld", role="ouder", key="").get_data(as_text=True)
    assert "Deze herinnering gaat naar 1 mens." in page and "Cor Smit" in page


def test_send_queues_one_reminder_per_confirmed_attendee_once(organiser, attendees):
    response = post(organiser, PAGE, role="", key="week-voor")
    assert response.status_code == 302
    assert sorted(m.recipient for m in reminders()) == sorted(p.email for p in attendees)
    post(organiser, PAGE, role="", key="week-voor")
    assert len(reminders()) == 3
    history = organiser.get(PAGE).get_data(as_text=True)
    assert "week-voor" in history and 'data-label="In de wachtrij">3</td>' in history
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "reminders.send")).scalars().all()


def test_failed_mail_is_listed_with_its_error_and_can_be_retried(organiser, attendees):
    post(organiser, PAGE, role="", key="week-voor")
    failed = reminders()[0]
    failed.state = OutboxState.FAILED
    failed.last_error = "550 5.1.1 <anna@school.nl>: mailbox unknown"
    db.session.commit()
    page = organiser.get(PAGE).get_data(as_text=True)
    assert "550 5.1.1 &lt;anna@school.nl&gt;: mailbox unknown" in page
    assert 'data-label="Mislukt">1</td>' in page  # failed count in the history
    response = post(organiser, f"{PAGE}/mail/{failed.id}/opnieuw")
    assert response.status_code == 302
    fresh()
    assert db.session.get(OutboxMessage, failed.id).state == OutboxState.QUEUED
    again = post(organiser, f"{PAGE}/mail/{failed.id}/opnieuw")  # no longer failed
    assert again.status_code == 302
    other = post(organiser, "/beheer/bijeenkomsten/rotterdam/herinneringen/mail/"
                 f"{failed.id}/opnieuw")
    assert other.status_code == 302  # another meeting's page cannot retry it


@pytest.mark.parametrize("key", ["met spatie", "ü-teken", "x" * 65])
def test_bad_campaign_key_gets_a_message_beside_the_field(organiser, attendees, key):
    response = post(organiser, PAGE + "/voorbeeld", role="", key=key)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="key-error"' in page
    assert reminders() == []


def test_cancelled_meeting_gets_no_reminders(organiser, attendees):
    url = "/beheer/bijeenkomsten/zwolle/annuleren"
    organiser.post(url, data={"csrf_token": csrf_token(organiser, url)})
    page = post(organiser, PAGE, role="", key="").get_data(as_text=True)
    assert "Deze bijeenkomst is geannuleerd." in page
    assert reminders() == []


def test_written_subject_and_message_are_previewed_as_sent_and_kept(organiser, attendees, now):
    from html import unescape

    from regio.mail.messages import build_message

    text = "Beste deelnemer,\n\nNeem uw laptop mee: we werken met het OPP van een leerling."
    page = unescape(post(organiser, PAGE + "/voorbeeld", role="", key="laptop",
                         subject="Neem uw laptop mee", message=text).get_data(as_text=True))
    assert "Neem uw laptop mee</dd>" in page and text in page
    assert db.session.execute(db.select(ReminderCampaign)).first() is None  # only a preview
    post(organiser, PAGE, role="", key="laptop", subject="Neem uw laptop mee", message=text)
    fresh()
    campaign = db.session.execute(db.select(ReminderCampaign)).scalar_one()
    assert (campaign.subject, campaign.message) == ("Neem uw laptop mee", text)
    sent = build_message(reminders()[0], now=now)
    assert sent["Subject"] == "Neem uw laptop mee"
    assert text in sent.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = sent.get_body(preferencelist=("html",)).get_content()
    assert "<p>Beste deelnemer,</p>" in html and "<p>Neem uw laptop mee: we werken" in html
    history = organiser.get(PAGE).get_data(as_text=True)
    assert "Neem uw laptop mee" in history


def test_a_message_with_control_characters_is_refused_beside_the_field(organiser, attendees):
    page = post(organiser, PAGE + "/voorbeeld", role="", key="x",
                message="Hallo\x07daar").get_data(as_text=True)
    assert 'id="message-error"' in page and reminders() == []

"""Passwords: the rules, "Wachtwoord vergeten?" (one answer for every address, a single-use
link valid one hour, rate limited) and the invitation link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from regio.accounts.links import send_link, set_password_by_link
from regio.accounts.models import AccountToken, TokenPurpose
from regio.accounts.passwords import check_new_password
from regio.db import db
from regio.errors import AccountError
from regio.extensions import limiter
from regio.mail.models import OutboxMessage
from tests.account_support import mailed_link, post_form
from tests.conftest import PASSWORD
from tests.organiser_support import LOGIN, login, new_client

FORGOT = "/beheer/wachtwoord-vergeten"
RESET = "/beheer/wachtwoord-herstellen/"
NEW_PASSWORD = "fietsen langs de dijk in april"


@pytest.mark.parametrize("password,code", [
    ("elf tekens!", "password_too_short"),
    ("x" * 201, "password_too_long"),
    ("1qaz2wsx3edc", "password_common"),  # on the list of common passwords
    ("QWERTYUIOP123", "password_common"),  # the list is checked without case
    ("abababababababab", "password_common"),  # long, but only two characters
    ("planner@ocw-regio.nl", "password_common"),  # the address itself
    ("Wachtwoord2024!", "password_common"),  # a word of the service with padding
    ("dragon12345678", "password_common"),  # a common password with padding
])
def test_password_rules_refuse_with_a_code(app, password, code):
    with pytest.raises(AccountError) as refused:
        check_new_password(password, email="planner@ocw-regio.nl")
    assert refused.value.code == code and refused.value.field == "password"


@pytest.mark.parametrize("password", ["twaalf tekens", "Zonder cijfers of tekens", "ééééé-ààà-üüü"])
def test_any_long_uncommon_password_is_fine_without_composition_rules(app, password):
    check_new_password(password, email="planner@ocw-regio.nl")


def outbox_count() -> int:
    db.session.rollback()
    return len(db.session.execute(select(OutboxMessage.id)).all())


def test_forgot_password_answers_the_same_for_every_address(app, make_organiser):
    make_organiser("organiser", email="planner@ocw-regio.nl")
    disabled = make_organiser("organiser", email="weg@ocw-regio.nl")
    disabled.is_enabled = False
    db.session.commit()
    client = new_client(app)
    pages = {email: post_form(client, FORGOT, email=email).get_data(as_text=True)
             for email in ("planner@ocw-regio.nl", "niemand@ocw-regio.nl", "weg@ocw-regio.nl",
                           "geen adres")}
    assert len(set(pages.values())) == 1
    assert "Kijk in uw e-mail" in pages["niemand@ocw-regio.nl"]
    assert outbox_count() == 1  # only the live account gets a mail


def test_reset_link_works_once_and_ends_old_sessions(app, make_organiser, smtp_server):
    account = make_organiser("organiser", email="planner@ocw-regio.nl")
    old_session = new_client(app)
    login(old_session, account)
    post_form(new_client(app), FORGOT, email="Planner@OCW-regio.nl ")
    link = mailed_link(smtp_server, "planner@ocw-regio.nl", RESET)
    client = new_client(app)
    assert "planner@ocw-regio.nl" in client.get(link).get_data(as_text=True)
    weak = post_form(client, link, password="wachtwoord12")
    assert "te makkelijk te raden" in weak.get_data(as_text=True)
    done = post_form(client, link, password=NEW_PASSWORD)
    assert done.status_code == 302 and done.location.endswith(LOGIN)
    assert client.get(link).status_code == 410
    assert old_session.get("/beheer/").status_code == 302
    assert login(new_client(app), account, PASSWORD).status_code == 200  # old one refused
    assert login(new_client(app), account, NEW_PASSWORD).status_code == 302
    stored = db.session.execute(select(AccountToken.token_hash)).scalars().all()
    assert link.rsplit("/", 1)[1] not in stored  # only the hash is kept


def test_reset_link_expires_after_an_hour(app, make_organiser, smtp_server):
    make_organiser("organiser", email="planner@ocw-regio.nl")
    post_form(new_client(app), FORGOT, email="planner@ocw-regio.nl")
    link = mailed_link(smtp_server, "planner@ocw-regio.nl", RESET)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=59)):
        assert new_client(app).get(link).status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=61)):
        assert new_client(app).get(link).status_code == 410


def test_a_new_link_retires_the_earlier_one(app, make_organiser):
    account = make_organiser("organiser", email="planner@ocw-regio.nl")
    now = datetime.now(UTC)
    send_link(account, TokenPurpose.RESET, now=now)
    first = db.session.execute(select(OutboxMessage.payload)).scalars().one()["token"]
    send_link(account, TokenPurpose.RESET, now=now)
    with pytest.raises(AccountError) as refused:
        set_password_by_link(first, TokenPurpose.RESET, NEW_PASSWORD, now=now)
    assert refused.value.code == "link_invalid"


def test_an_invitation_link_is_no_reset_link(app, make_organiser):
    account = make_organiser("organiser", email="planner@ocw-regio.nl")
    now = datetime.now(UTC)
    send_link(account, TokenPurpose.INVITE, now=now)
    token = db.session.execute(select(OutboxMessage.payload)).scalars().one()["token"]
    db.session.commit()
    assert new_client(app).get(RESET + token).status_code == 410
    assert new_client(app).get("/beheer/uitnodiging/" + token).status_code == 200


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True,
                                           "REGIO_LIMIT_RESET_EMAIL": "2 per hour",
                                           "REGIO_LIMIT_RESET_IP": "4 per hour"}])
def test_reset_requests_are_rate_limited(app, make_organiser, app_settings):
    limiter.reset()
    make_organiser("organiser", email="planner@ocw-regio.nl")
    client = new_client(app)
    answers = [post_form(client, FORGOT, email="planner@ocw-regio.nl") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert outbox_count() == 2  # past the limit per address: the same page, no mail
    assert post_form(client, FORGOT, email="ander@ocw-regio.nl").status_code == 429
    limiter.reset()

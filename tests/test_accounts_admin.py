"""The accounts page (admins): invite, role, switch off and on, resend the invitation; the
last admin stays; and the rule that admins and organisers use two-factor login."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from regio.accounts import services
from regio.accounts.models import Organiser
from regio.db import db
from regio.errors import AccountError
from regio.extensions import limiter
from regio.mail.models import OutboxMessage
from tests.account_support import SECRET_RE, code_now, password_step, post_form
from tests.conftest import PASSWORD
from tests.organiser_support import fresh, logged_in, login, new_client

ACCOUNTS = "/beheer/accounts"


def account(email: str) -> Organiser:
    fresh()
    return services.find_account(email)


def test_accounts_page_lists_who_can_do_what(app, make_organiser, meetings):
    make_organiser("checkin", email="deur@ocw-regio.nl")
    admin = logged_in(app, make_organiser, "admin")
    post_form(admin, ACCOUNTS, email="nieuw@ocw-regio.nl", role="organiser")
    page = admin.get(ACCOUNTS).get_data(as_text=True)
    for text in ("deur@ocw-regio.nl", "nieuw@ocw-regio.nl", "Laatst ingelogd", "Twee stappen",
                 "uitgenodigd", "nooit", "Uitnodiging opnieuw sturen"):
        assert text in page, text


@pytest.mark.parametrize("email,message", [
    ("", "Dit veld is verplicht."),
    ("geen adres", "Vul een geldig e-mailadres in"),
    ("deur@ocw-regio.nl", "Er is al een account met dit e-mailadres."),
])
def test_invitation_errors_are_shown_beside_the_field(app, make_organiser, meetings, email,
                                                      message):
    make_organiser("checkin", email="deur@ocw-regio.nl")
    admin = logged_in(app, make_organiser, "admin")
    response = post_form(admin, ACCOUNTS, email=email, role="checkin")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error"' in html and message in html


def test_resending_an_invitation_mails_a_new_link_and_retires_the_old(app, make_organiser):
    now = datetime.now(UTC)
    invited = services.invite_account("nieuw@ocw-regio.nl", "checkin", actor="test", now=now)
    services.resend_invitation(invited, actor="test", now=now)
    db.session.commit()
    payloads = db.session.execute(select(OutboxMessage.payload)).scalars().all()
    assert len(payloads) == 2
    assert new_client(app).get(f"/beheer/uitnodiging/{payloads[0]['token']}").status_code == 410
    assert new_client(app).get(f"/beheer/uitnodiging/{payloads[1]['token']}").status_code == 200
    with pytest.raises(AccountError) as refused:
        services.resend_invitation(make_organiser("checkin"), actor="test", now=now)
    assert refused.value.code == "already_has_password"


def test_the_last_active_admin_can_be_neither_deactivated_nor_demoted(app, make_organiser):
    now = datetime.now(UTC)
    only = make_organiser("admin", email="enige@ocw-regio.nl")
    for change in (lambda: services.deactivate(only, actor="test", now=now),
                   lambda: services.change_role(only, "organiser", actor="test", now=now)):
        with pytest.raises(AccountError) as refused:
            change()
        assert refused.value.code == "last_admin"
    second = make_organiser("admin", email="tweede@ocw-regio.nl")
    services.change_role(only, "organiser", actor="test", now=now)
    with pytest.raises(AccountError):
        services.deactivate(second, actor="test", now=now)


def test_admin_cannot_switch_themself_off_as_last_admin_through_the_page(app, make_organiser,
                                                                          meetings):
    admin_client = new_client(app)
    admin = make_organiser("admin", email="enige@ocw-regio.nl")
    login(admin_client, admin)
    response = post_form(admin_client, f"{ACCOUNTS}/{admin.id}/uitzetten", ACCOUNTS)
    assert urlsplit(response.location).path == ACCOUNTS
    page = admin_client.get(ACCOUNTS).get_data(as_text=True)
    assert "Dit is de laatste beheerder" in page
    assert account("enige@ocw-regio.nl").is_enabled


def test_role_change_takes_effect_on_the_next_request(app, make_organiser, meetings):
    planner = make_organiser("organiser", email="planner@ocw-regio.nl")
    admin = logged_in(app, make_organiser, "admin")
    client = new_client(app)
    login(client, planner)
    assert client.get("/beheer/bijeenkomsten/zwolle").status_code == 200
    post_form(admin, f"{ACCOUNTS}/{planner.id}/rol", ACCOUNTS, role="checkin")
    assert account("planner@ocw-regio.nl").role == "checkin"
    assert client.get("/beheer/bijeenkomsten/zwolle").status_code == 403
    post_form(admin, f"{ACCOUNTS}/{planner.id}/uitzetten", ACCOUNTS)
    post_form(admin, f"{ACCOUNTS}/{planner.id}/aanzetten", ACCOUNTS)
    assert login(new_client(app), planner).status_code == 302


# --- REGIO_REQUIRE_2FA --------------------------------------------------------------------


@pytest.mark.parametrize("app_settings", [{"REGIO_REQUIRE_2FA": True}])
def test_required_second_factor_comes_before_anything_else(app, make_organiser, meetings,
                                                           app_settings):
    planner = make_organiser("organiser", email="planner@ocw-regio.nl")
    client = new_client(app)
    login(client, planner)
    for page in ("/beheer/", "/beheer/bijeenkomsten/zwolle", "/beheer/incheck"):
        assert urlsplit(client.get(page).location).path == "/beheer/tweestaps", page
    secret = SECRET_RE.search(client.get("/beheer/tweestaps").get_data(as_text=True))[1]
    post_form(client, "/beheer/tweestaps", code=code_now(secret))
    assert client.get("/beheer/bijeenkomsten/zwolle").status_code == 200

    fresh()
    door = new_client(app)
    login(door, make_organiser("checkin", email="deur@ocw-regio.nl"))
    assert door.get("/beheer/incheck").status_code == 200  # door accounts may go without


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True,
                                           "REGIO_LIMIT_CODE_ACCOUNT": "3 per minute"}])
def test_wrong_codes_are_limited_per_account(app, make_organiser, meetings, app_settings):
    limiter.reset()
    planner = make_organiser("organiser", email="planner@ocw-regio.nl")
    client = new_client(app)
    login(client, planner)
    secret = SECRET_RE.search(client.get("/beheer/tweestaps").get_data(as_text=True))[1]
    post_form(client, "/beheer/tweestaps", code=code_now(secret))
    client.post("/beheer/uitloggen", data={"csrf_token": csrf(client)})
    attacker = new_client(app)
    password_step(attacker, planner.email, PASSWORD)
    answers = [post_form(attacker, "/beheer/inloggen/code", code="123456").status_code
               for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    blocked = post_form(attacker, "/beheer/inloggen/code", code=code_now(secret, 1))
    assert blocked.status_code == 429  # even the right code waits
    limiter.reset()


def csrf(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/beheer/mijn-account")


def test_two_factor_is_required_in_production_unless_turned_off():
    from config import load_config

    production = {"SECRET_KEY": "x" * 32}
    assert load_config("production", production)["REGIO_REQUIRE_2FA"] is True
    off = load_config("production", {**production, "REGIO_REQUIRE_2FA": "0"})
    assert off["REGIO_REQUIRE_2FA"] is False
    assert load_config("development", {"REGIO_REQUIRE_2FA": "1"})["REGIO_REQUIRE_2FA"] is True
    assert load_config("testing", {})["REGIO_REQUIRE_2FA"] is False
    hours = load_config("testing", {"REGIO_SESSION_MAX_HOURS": "4"})
    assert hours["PERMANENT_SESSION_LIFETIME"] == 4 * 3600

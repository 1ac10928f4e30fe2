"""Back-office sessions end: logout (a copied cookie no longer opens anything), a new
password, and the idle and absolute limits."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine

from tests.account_support import logout, post_form
from tests.conftest import PASSWORD
from tests.organiser_support import LOGIN, login, new_client

NEW_PASSWORD = "een heel ander lang wachtwoord"


@pytest.fixture
def admin(make_organiser, meetings):
    return make_organiser("admin", email="beheer@ocw-regio.nl")


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def sent_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == LOGIN


def beheer_pages(app) -> list[str]:
    """Every /beheer page without parameters that a logged-in admin opens."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/beheer") and not rule.arguments
                  and "GET" in rule.methods and rule.endpoint not in (
                      "organiser.login", "organiser.login_code",
                      "organiser.forgot_password"))


def test_a_cookie_copied_before_logout_opens_no_page_afterwards(app, admin):
    client = new_client(app)
    login(client, admin)
    pages = beheer_pages(app)
    assert "/beheer/logboek" in pages and "/beheer/accounts" in pages
    assert all(client.get(page).status_code == 200 for page in pages)
    copied = session_cookie(client)
    logout(client)

    thief = new_client(app)
    thief.set_cookie("session", copied)
    for page in pages:
        assert sent_to_login(thief.get(page)), page


def test_logout_ends_the_sessions_in_other_browsers_too(app, admin):
    laptop, phone = new_client(app), new_client(app)
    login(laptop, admin)
    login(phone, admin)
    logout(laptop)
    assert sent_to_login(phone.get("/beheer/"))


def test_idle_session_ends_after_thirty_minutes(app, admin):
    client = new_client(app)
    with time_machine.travel("2026-03-01 09:00Z", tick=False) as clock:
        login(client, admin)
        for _ in range(4):  # active every 29 minutes: still in
            clock.shift(timedelta(minutes=29))
            assert client.get("/beheer/").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert sent_to_login(client.get("/beheer/"))


def test_session_ends_twelve_hours_after_login_however_active(app, admin):
    client = new_client(app)
    with time_machine.travel("2026-03-01 08:00Z", tick=False) as clock:
        login(client, admin)
        for _ in range(11 * 3):
            clock.shift(timedelta(minutes=20))
            assert client.get("/beheer/").status_code == 200
        clock.shift(timedelta(minutes=61))
        assert sent_to_login(client.get("/beheer/"))


@pytest.mark.parametrize("app_settings", [{"REGIO_SESSION_IDLE_MINUTES": 5}])
def test_idle_limit_is_configurable(app, admin, app_settings):
    client = new_client(app)
    with time_machine.travel("2026-03-01 09:00Z", tick=False) as clock:
        login(client, admin)
        clock.shift(timedelta(minutes=6))
        assert sent_to_login(client.get("/beheer/"))


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, admin):
    here, elsewhere = new_client(app), new_client(app)
    login(here, admin)
    login(elsewhere, admin)
    wrong = post_form(here, "/beheer/mijn-account", current="niet mijn wachtwoord",
                      password=NEW_PASSWORD)
    assert "Dit is niet uw huidige wachtwoord" in wrong.get_data(as_text=True)
    weak = post_form(here, "/beheer/mijn-account", current=PASSWORD, password="aaaaaaaaaaaaaa")
    assert "te makkelijk te raden" in weak.get_data(as_text=True)
    changed = post_form(here, "/beheer/mijn-account", current=PASSWORD, password=NEW_PASSWORD)
    assert changed.status_code == 302
    assert here.get("/beheer/").status_code == 200
    assert sent_to_login(elsewhere.get("/beheer/"))
    assert login(new_client(app), admin, NEW_PASSWORD).status_code == 302

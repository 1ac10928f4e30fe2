"""Logging in and out of /beheer."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from regio.audit import AuditEvent
from regio.db import db
from tests.conftest import PASSWORD, csrf_token
from tests.organiser_support import LOGIN, fresh, login, new_client

WRONG = "Het e-mailadres of het wachtwoord klopt niet."


@pytest.fixture
def account(make_organiser):
    return make_organiser("organiser", email="planner@ocw-regio.nl")


def actions() -> list[str]:
    fresh()
    return [e.action for e in db.session.execute(
        db.select(AuditEvent).order_by(AuditEvent.id)).scalars()]


def test_login_page_has_labelled_fields(app):
    page = new_client(app).get(LOGIN).get_data(as_text=True)
    assert 'for="email"' in page and 'name="email"' in page
    assert 'for="password"' in page and 'type="password"' in page
    assert 'name="csrf_token"' in page


def test_login_goes_to_the_dashboard_and_records_it(app, account):
    client = new_client(app)
    response = login(client, account)
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/beheer/"
    assert client.get("/beheer/").status_code == 200
    fresh()
    assert db.session.get(type(account), account.id).last_login_at is not None
    assert actions()[-1] == "login"


def test_session_cookie_expires(app, account):
    client = new_client(app)
    response = login(client, account)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Expires=" in cookie


@pytest.mark.parametrize("email,password", [
    ("planner@ocw-regio.nl", "wrong password here"),
    ("nobody@ocw-regio.nl", PASSWORD),
])
def test_wrong_password_and_unknown_address_get_the_same_answer(app, account, email, password):
    client = new_client(app)
    token = csrf_token(client, LOGIN)
    response = client.post(LOGIN, data={"email": email, "password": password,
                                        "csrf_token": token})
    assert response.status_code == 200
    assert WRONG in response.get_data(as_text=True)
    assert client.get("/beheer/").status_code == 302
    assert actions()[-1] == "login.failed"


@pytest.mark.parametrize("target,expected", [
    ("/beheer/logboek", "/beheer/logboek"),
    ("//evil.example/beheer", "/beheer/"),
    ("https://evil.example/beheer", "/beheer/"),
    ("/elders", "/beheer/"),
    ("/beheer\\@evil.example", "/beheer/"),
])
def test_login_redirects_only_to_local_beheer_paths(app, account, target, expected):
    client = new_client(app)
    token = csrf_token(client, LOGIN)
    response = client.post(LOGIN, query_string={"next": target},
                           data={"email": account.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.netloc in ("", "localhost") and location.path == expected


def test_anonymous_visit_is_sent_to_login_with_next(app):
    response = new_client(app).get("/beheer/logboek")
    assert response.status_code == 302
    assert urlsplit(response.location).path == LOGIN
    assert "next=" in response.location


def test_logout_ends_the_session(app, account):
    client = new_client(app)
    login(client, account)
    token = csrf_token(client, "/beheer/")
    response = client.post("/beheer/uitloggen", data={"csrf_token": token})
    assert urlsplit(response.location).path == LOGIN
    assert client.get("/beheer/").status_code == 302


def test_new_session_version_logs_out_every_session(app, account):
    client = new_client(app)
    login(client, account)
    fresh()
    db.session.get(type(account), account.id).session_version += 1
    db.session.commit()
    assert client.get("/beheer/").status_code == 302


def test_door_staff_land_on_the_check_in_page(app, make_organiser, meetings):
    client = new_client(app)
    login(client, make_organiser("checkin", email="deur@ocw-regio.nl"))
    response = client.get("/beheer/")
    assert urlsplit(response.location).path == "/beheer/incheck"
    assert "Zwolle" in client.get("/beheer/incheck").get_data(as_text=True)

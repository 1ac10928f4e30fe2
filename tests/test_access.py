"""Every /beheer route needs a login and the right role: the whole URL map, every role."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from regio.accounts.models import RIGHTS
from regio.accounts.services import save_account
from regio.db import db
from regio.mail.models import OutboxMessage, OutboxState, ReminderCampaign
from regio.mail.outbox import Kind, enqueue
from regio.registrations.tickets import ticket_token
from tests.conftest import PASSWORD, csrf_token
from tests.organiser_support import add_registration, fresh, logged_in, login, new_client
from tests.programme_support import add as add_programme_item

# Before a login: the login itself, its second step, and the password links sent by mail.
OPEN_ROUTES = {"organiser.login", "organiser.logout", "organiser.login_code",
               "organiser.forgot_password", "organiser.reset_password",
               "organiser.accept_invitation"}
ROLES = ("admin", "organiser", "checkin")


@pytest.fixture
def url_values(app, meetings):
    """Real objects for every URL parameter, so each request reaches the access check."""
    registration = add_registration(meetings["zwolle"], "Bram Jansen")
    campaign = ReminderCampaign(meeting_id=meetings["zwolle"].id, key="test", created_by="cli")
    db.session.add(campaign)
    db.session.flush()
    message = enqueue(Kind.REMINDER, key="reminder:test", recipient=registration.email,
                      registration=registration, campaign=campaign, now=datetime.now(UTC))
    message.state = OutboxState.FAILED
    other, _created = save_account("collega@ocw-regio.nl", PASSWORD, "organiser",
                                   now=datetime.now(UTC))
    db.session.commit()
    workshop = add_programme_item(meetings["zwolle"], "Workshop", "13:45", "14:30", round=1)
    return {"slug": "zwolle", "registration_id": registration.id,
            "ticket_token": ticket_token(registration), "message_id": message.id,
            "account_id": other.id, "item_id": workshop.id, "fmt": "csv",
            "number": workshop.round}


def beheer_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/beheer") or rule.endpoint in OPEN_ROUTES:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def build(rule, values) -> str:
    missing = rule.arguments - values.keys()
    assert not missing, f"no test value for {missing} in {rule.rule}"
    return rule.build({name: values[name] for name in rule.arguments})[1]


def request(client, method, url, token):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


def test_every_beheer_view_names_its_right(app):
    for rule, _method in beheer_routes(app):
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "required_right", None) in ("checkin", "manage", "admin"), rule


def test_no_beheer_route_answers_anonymously(app, url_values):
    client = new_client(app)
    token = csrf_token(client, "/beheer/inloggen")
    checked = 0
    for rule, method in beheer_routes(app):
        url = build(rule, url_values)
        response = request(client, method, url, token)
        assert response.status_code in (302, 401, 403, 404, 405), (method, url)
        if response.status_code == 302:
            assert urlsplit(response.location).path == "/beheer/inloggen", (method, url)
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("role", ROLES)
def test_each_route_refuses_a_too_weak_role(app, make_organiser, url_values, role):
    client = logged_in(app, make_organiser, role)
    token = csrf_token(client, "/beheer/incheck")
    refused = 0
    for rule, method in beheer_routes(app):
        right = app.view_functions[rule.endpoint].required_right
        if right in RIGHTS[role]:
            continue
        url = build(rule, url_values)
        response = request(client, method, url, token)
        if response.status_code == 302:  # door staff opening the dashboard
            assert urlsplit(response.location).path == "/beheer/incheck", (role, method, url)
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)
        refused += 1
    assert refused >= {"admin": 0, "organiser": 1, "checkin": 15}[role]


@pytest.mark.parametrize("role", ROLES)
def test_each_page_opens_for_a_role_with_the_right(app, make_organiser, url_values, role):
    """The same URLs answer 200 to a strong enough role: the filled-in objects are real."""
    client = logged_in(app, make_organiser, role)
    opened = 0
    for rule, method in beheer_routes(app):
        right = app.view_functions[rule.endpoint].required_right
        if method != "GET" or right not in RIGHTS[role]:
            continue
        url = build(rule, url_values)
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        opened += 1
    assert opened >= {"admin": 15, "organiser": 14, "checkin": 3}[role]


def test_a_disabled_account_loses_its_session(app, make_organiser, url_values):
    account = make_organiser("admin", email="weg@ocw-regio.nl")
    client = new_client(app)
    assert login(client, account).status_code == 302
    assert client.get("/beheer/bijeenkomsten/zwolle").status_code == 200
    fresh()
    account.is_enabled = False
    db.session.commit()
    response = client.get("/beheer/bijeenkomsten/zwolle")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/beheer/inloggen"


def test_open_routes_answer_anonymously_without_error(app, url_values):
    client = new_client(app)
    assert client.get("/beheer/inloggen").status_code == 200
    assert client.get("/beheer/wachtwoord-vergeten").status_code == 200
    # The second step without a password first goes back to the first.
    response = client.get("/beheer/inloggen/code")
    assert urlsplit(response.location).path == "/beheer/inloggen"
    for url in ("/beheer/wachtwoord-herstellen/" + "x" * 32, "/beheer/uitnodiging/" + "x" * 32,
                "/beheer/uitnodiging/kort"):
        assert client.get(url).status_code == 410, url


def test_outbox_fixture_row_is_real(url_values):
    assert db.session.get(OutboxMessage, url_values["message_id"]).state == OutboxState.FAILED

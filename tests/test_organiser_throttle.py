"""Login rate limits: per address, and failures per account."""

from __future__ import annotations

import pytest

from regio.extensions import limiter
from tests.conftest import PASSWORD, csrf_token
from tests.organiser_support import LOGIN, new_client

THROTTLED = "te vaak"


@pytest.fixture
def app_settings():
    return {"RATELIMIT_ENABLED": True, "REGIO_LIMIT_LOGIN_IP": "6 per minute",
            "REGIO_LIMIT_LOGIN_ACCOUNT": "2 per minute"}


@pytest.fixture(autouse=True)
def clean_limits(app):
    limiter.reset()
    yield
    limiter.reset()


def attempt(client, email, password="not the password", ip="192.0.2.1"):
    token = csrf_token(client, LOGIN)
    return client.post(LOGIN, data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def test_failures_per_account_are_limited_even_with_the_right_password(app, make_organiser):
    account = make_organiser("organiser", email="planner@ocw-regio.nl")
    other = make_organiser("organiser", email="collega@ocw-regio.nl")
    client = new_client(app)
    assert attempt(client, account.email).status_code == 200
    assert attempt(client, account.email).status_code == 200
    blocked = attempt(client, "  Planner@OCW-regio.nl ", PASSWORD, ip="198.51.100.7")
    assert blocked.status_code == 429
    assert THROTTLED in blocked.get_data(as_text=True)
    assert 'name="email"' in blocked.get_data(as_text=True)  # the form page, not an error page
    assert attempt(new_client(app), other.email, PASSWORD).status_code == 302


def test_successful_logins_do_not_count_as_failures(app, make_organiser):
    account = make_organiser("organiser", email="planner@ocw-regio.nl")
    for _ in range(4):
        assert attempt(new_client(app), account.email, PASSWORD).status_code == 302


def test_attempts_per_address_are_limited(app):
    client = new_client(app)
    for number in range(6):
        assert attempt(client, f"iemand{number}@ocw-regio.nl").status_code == 200
    blocked = attempt(client, "nog-iemand@ocw-regio.nl")
    assert blocked.status_code == 429
    assert THROTTLED in blocked.get_data(as_text=True)
    assert attempt(client, "nog-iemand@ocw-regio.nl", ip="203.0.113.9").status_code == 200


def test_unknown_addresses_are_throttled_like_known_ones(app):
    client = new_client(app)
    for _ in range(2):
        assert attempt(client, "onbekend@ocw-regio.nl").status_code == 200
    assert attempt(client, "onbekend@ocw-regio.nl").status_code == 429

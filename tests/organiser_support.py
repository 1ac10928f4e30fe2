"""Helpers for the back-office tests: logging in and making registrations through services."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask.testing import FlaskClient
from werkzeug.serving import make_server

from regio.db import db
from regio.registrations.services import Applicant, confirm, register
from tests.conftest import PASSWORD, csrf_token, free_port

LOGIN = "/beheer/inloggen"


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a server does.

    The `app` fixture keeps one app context open for the whole test; requests would share it
    and with it `g`, where Flask-Login keeps the user and Flask-WTF the CSRF token, so one
    client's login would leak into the next client's request.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # streamed bodies are read inside the context
        with self.application.app_context():
            return super().open(*args, **kwargs)


def new_client(app) -> IsolatedClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)


def fresh():
    """End the test's own transaction so it sees what the requests committed."""
    db.session.rollback()


def login(client, account, password: str = PASSWORD):
    token = csrf_token(client, LOGIN)
    return client.post(LOGIN, data={"email": account.email, "password": password,
                                    "csrf_token": token})


def logged_in(app, make_organiser, role: str):
    """A fresh test client logged in as a new account with `role`."""
    client = new_client(app)
    account = make_organiser(role, email=f"{role}-{id(client)}@ocw-regio.nl")
    response = login(client, account)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def token_of(client, url: str) -> str:
    return csrf_token(client, url)


def add_registration(meeting, name: str = "Anna de Vries", email: str | None = None,
                     role: str = "po", *, confirmed: bool = True, organisation=None,
                     source=None):
    now = datetime.now(UTC)
    email = email or f"{abs(hash(name)) % 10**8}-{name.split()[0].lower()}@school.test"
    outcome = register(meeting.id, Applicant(name=name, email=email, role=role,
                                          organisation=organisation, source=source), now=now)
    if confirmed:
        confirm(outcome.registration, now=now)
    db.session.commit()
    return outcome.registration


@contextmanager
def live_server(app) -> Iterator[str]:
    """The app on a real threaded HTTP server on a free loopback port; yields its base URL."""
    port = free_port()
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)

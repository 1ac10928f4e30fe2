"""Fixtures: a fresh app and database per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, text

from regio import create_app
from regio.db import db

POSTGRES_URL = os.environ.get("REGIO_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
BASE_URL = "http://regio.test"
pytest_plugins = ["tests.browser"]  # live_server, browser and page for the browser tests


def _postgres_url() -> str:
    url = POSTGRES_URL
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'regio.sqlite3'}"
    return _postgres_url()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(database_url: str, tmp_path, **overrides):
    settings = {
        "REGIO_CONFIG": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_URL": f"file://{tmp_path / 'outbox'}",
        "REGIO_BASE_URL": BASE_URL,
        "MAIL_FROM": "Regio <noreply@regio.test>",
        "REGIO_ORGANIZER_EMAIL": "opp-project@regio.test",
    }
    settings.update(overrides)
    return create_app(settings)


@pytest.fixture
def app_settings() -> dict:
    """Override in a test module to change settings for every test there."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_settings):
    if database_url.startswith("postgresql"):
        _reset_postgres(database_url)
    app = make_app(database_url, tmp_path, **app_settings)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def meetings(app):
    """The four meetings, moved ahead so they are open for registration."""
    from regio.meetings.seed import seed_meetings

    added = seed_meetings(demo=True, today=date.today())
    db.session.commit()
    return {m.slug: m for m in added}


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on `url`, as a browser would get it."""
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match[1]


# --- a real SMTP server (aiosmtpd) ----------------------------------------------------------


class RecordingHandler:
    """Keeps every accepted message; `replies` (codes like "451 try later") answer DATA first."""

    def __init__(self) -> None:
        self.messages: list = []  # email.message.EmailMessage, in arrival order
        self.envelopes: list = []
        self.replies: list[str] = []
        self.refused: set[str] = set()  # recipients answered "550" at RCPT TO

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return f"550 5.1.1 <{address}>: mailbox unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.replies:
            reply = self.replies.pop(0)
            if not reply.startswith("250"):
                return reply
        from email import message_from_bytes, policy

        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m, e in zip(self.messages, self.envelopes, strict=True)
                if address in e.rcpt_tos]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """An aiosmtpd server on a free loopback port: `.handler.messages`, `.url` for MAIL_URL."""
    from aiosmtpd.controller import Controller

    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    controller.url = f"smtp://127.0.0.1:{port}"
    try:
        yield controller
    finally:
        controller.stop()


# --- organisers ------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_organiser(app):
    """Create an organiser account: `make_organiser("checkin")` → the Organiser."""
    from regio.accounts.services import save_account

    def make(role: str = "organiser", email: str | None = None):
        # email-validator refuses the reserved .test domain, so accounts use example.org.
        address = email or f"{role}@ocw.example.org"
        account, _created = save_account(address, PASSWORD, role, now=datetime.now(UTC))
        db.session.commit()
        return account

    return make


@pytest.fixture
def organiser(app, make_organiser, meetings):
    """A test client logged in as an organiser, with the four meetings seeded."""
    from tests.organiser_support import logged_in

    return logged_in(app, make_organiser, "organiser")

"""Helpers for the account tests: mailed links, codes shown on pages, logging in in two steps."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp

from tests.conftest import BASE_URL, csrf_token
from tests.organiser_support import LOGIN, fresh
from tests.test_mail_flow import body_text, send_all

SECRET_RE = re.compile(r'<p class="secret"><code>([A-Z2-7 ]+)</code></p>')
RECOVERY_RE = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def mailed_link(smtp_server, address: str, path: str) -> str:
    """Send what is queued, and return the path (with token) of the newest mail to `address`."""
    fresh()
    send_all(smtp_server, now=datetime.now(UTC) + timedelta(seconds=1))
    messages = smtp_server.handler.to(address)
    assert messages, f"no mail to {address}"
    match = re.search(re.escape(BASE_URL) + re.escape(path) + r"[A-Za-z0-9_-]+",
                      body_text(messages[-1]))
    assert match, "no link in the mail"
    return match[0].removeprefix(BASE_URL)


def post_form(client, url: str, page: str | None = None, **data):
    """POST `data` with the CSRF token of the form on `page` (default: `url` itself)."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page or url)})


def password_step(client, email: str, password: str):
    return post_form(client, LOGIN, email=email, password=password)


def code_now(secret: str, ahead: int = 0) -> str:
    """The app's code `ahead` time steps from now (a step already used is refused); the
    secret as the page shows it, in groups of four, as people type it into their app."""
    return pyotp.TOTP(secret.replace(" ", "")).at(time.time() + 30 * ahead)


def logout(client):
    token = csrf_token(client, "/beheer/mijn-account")
    return client.post("/beheer/uitloggen", data={"csrf_token": token})

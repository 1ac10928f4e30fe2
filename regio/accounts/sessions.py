"""When a back-office session ends.

Every session carries the account's session version (in the Flask-Login id): logging out,
a new password, deactivation and a second-factor reset raise it, which ends the account's
sessions in every browser at once, however old the cookie. On top of that a session ends
after `idle` without a request and `absolute` after the login.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import timedelta

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
# The cookie is rewritten at most once a minute just to move "last seen".
TOUCH_EVERY = 60


def start(session: MutableMapping, *, now: float) -> None:
    session[LOGIN_AT] = int(now)
    session[SEEN_AT] = int(now)


def is_current(session: MutableMapping, *, now: float, idle: timedelta,
               absolute: timedelta) -> bool:
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return False
    return now - seen_at <= idle.total_seconds() and now - login_at <= absolute.total_seconds()


def touch(session: MutableMapping, *, now: float) -> None:
    if now - session.get(SEEN_AT, 0) >= TOUCH_EVERY:
        session[SEEN_AT] = int(now)


def end_everywhere(account) -> None:
    """End every session of `account`: the version in their cookies no longer matches."""
    account.session_version += 1

"""The landing pages rendered once per meeting, language and day, and kept until they change.

Every QR code and mailing sends people to a meeting's page, and most of them to the home page
first. What those pages show depends only on the meetings' rows, the language, the date and
which workshop rounds are open yet and where the moment falls in each meeting's registration
window, so each is rendered by Jinja once for such a key and kept (a small LRU per process).
The key holds every column of the rows shown, so any change (a place taken, a time set, a
round's opening moved) makes a new key on every app server at once: nothing needs to be told
to forget anything. What changes with the clock rather than a row is worked out for each
request and is in the key too: the window's phase (before, open, after) and the rounds still
closed, so a page changes at the minute registration or a round opens, not at midnight.

What differs per visitor is never kept: the page is rendered with markers where the CSRF
token (bound to the visitor's session) and the `bron` tag go, and each request fills them in.
A page with flashed messages is rendered in full.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime

from flask import current_app, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from regio.i18n import local_today
from regio.meetings.models import Meeting

CSRF_MARK = "\x00csrf\x00"
BRON_MARK = "\x00bron\x00"
_COLUMNS = tuple(column.key for column in Meeting.__table__.columns)


class PageCache:
    """Rendered pages by key, the `size` most recently used."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._pages: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, render: Callable[[], str]) -> str:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                return page
        page = render()  # outside the lock: two threads may render the same page once each
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return page


def _cache() -> PageCache:
    return current_app.extensions.setdefault("regio.pages", PageCache())


def state_of(meetings: Sequence[Meeting], now: datetime) -> tuple:
    """Everything of the meetings' rows a page can show, and their window's phase at `now`."""
    return tuple((*(getattr(meeting, name) for name in _COLUMNS), meeting.window_phase(now))
                 for meeting in meetings)


def can_keep() -> bool:
    """False when this request's page holds something of its own (flashed messages)."""
    return "_flashes" not in session


def cached(name: str, meetings: Sequence[Meeting], render: Callable[[], str], *,
           now: datetime, phase: tuple = ()) -> str:
    """The page `name` for these meetings in the visitor's language at `now`, the moment
    `render` shows them at. `phase` is what else the page shows that changes with the clock
    rather than a row, such as the workshop rounds not open yet
    (regio.programme.opening.closed_phase)."""
    key = (name, str(get_locale()), local_today(now), state_of(meetings, now), phase)
    return _cache().get(key, render)


def personal(page: str, *, bron: str | None = None) -> str:
    """The kept page with this visitor's CSRF token (and `bron`) filled in."""
    if CSRF_MARK in page:
        page = page.replace(CSRF_MARK, str(escape(generate_csrf())))
    return page.replace(BRON_MARK, str(escape(bron or "")))

"""Loading what a /beheer URL names, or a 404."""

from __future__ import annotations

from flask import abort

from regio.db import db
from regio.meetings.models import Meeting
from regio.meetings.services import get_meeting
from regio.registrations.models import Registration

MAX_ID = 2**31 - 1


def load_meeting(slug: str) -> Meeting:
    meeting = get_meeting(slug) if len(slug) <= 64 else None
    if meeting is None:
        abort(404)
    return meeting


def load_registration(registration_id: int) -> Registration:
    if not 0 < registration_id <= MAX_ID:
        abort(404)
    return db.get_or_404(Registration, registration_id)


def clean_query(text: str | None, limit: int = 100) -> str:
    """A search term without control characters, at most `limit` characters."""
    return "".join(c for c in (text or "") if ord(c) >= 32 and ord(c) != 127).strip()[:limit]


def page_number(text: str | None) -> int:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 6 else 1

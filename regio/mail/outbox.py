"""Enqueueing mail: one outbox row per cause, in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from regio.db import db
from regio.mail.models import OutboxMessage, OutboxState


class Kind:
    """What a message is; the sender picks its template and invite method by it."""

    CONFIRM_EMAIL = "confirm_email"  # double opt-in: open the link to confirm
    LINK_AGAIN = "link_again"  # already registered: here is your link again
    CONFIRMED = "confirmed"  # place confirmed + invite (REQUEST)
    WAITING = "waiting"  # on the waiting list, with position
    PROMOTED = "promoted"  # off the waiting list + invite (REQUEST)
    UPDATED = "updated"  # time or place changed + invite (REQUEST, higher SEQUENCE)
    CANCELLED = "cancelled"  # the attendee cancelled (CANCEL)
    MEETING_CANCELLED = "meeting_cancelled"  # the organisers cancelled the meeting (CANCEL)
    MOVED = "moved"  # switched meeting: CANCEL of the old item; the new one gets CONFIRMED etc.
    ERASED = "erased"  # the attendee erased their data (CANCEL)
    EXPIRED = "expired"  # the hold ran out before the address was confirmed
    REMINDER = "reminder"  # reminder + current invite (REQUEST)
    GUARDIAN_NOTICE = "guardian_notice"  # a pupil under 16 registered: notice to the guardian

    ALL = (CONFIRM_EMAIL, LINK_AGAIN, CONFIRMED, WAITING, PROMOTED, UPDATED, CANCELLED,
           MEETING_CANCELLED, MOVED, ERASED, EXPIRED, REMINDER, GUARDIAN_NOTICE)


def make_message_id(base_url: str) -> str:
    domain = urlsplit(base_url).hostname or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue(kind: str, *, key: str, recipient: str, now: datetime, registration=None,
            campaign=None, payload: dict | None = None) -> OutboxMessage | None:
    """Queue one mail. Returns None when a mail for the same `key` exists already."""
    if kind not in Kind.ALL:
        raise ValueError(f"unknown mail kind {kind!r}")
    exists = db.session.execute(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)
    ).first()
    if exists:
        return None
    message = OutboxMessage(
        idempotency_key=key,
        kind=kind,
        recipient=recipient,
        registration_id=registration.id if registration is not None else None,
        campaign_id=campaign.id if campaign is not None else None,
        payload=payload or {},
        message_id=make_message_id(current_app.config["REGIO_BASE_URL"]),
        state=OutboxState.QUEUED,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)
    db.session.flush()
    return message


def withdraw_queued(registration_id: int) -> int:
    """Cancel every not-yet-sent mail of a registration; returns how many."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.registration_id == registration_id,
               OutboxMessage.state == OutboxState.QUEUED)
        .values(state=OutboxState.CANCELLED, payload={})
    )
    return result.rowcount or 0

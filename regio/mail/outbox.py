"""Enqueueing mail: one outbox row per cause, in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import bindparam, insert, select, update

from regio.db import begin_write, db, is_sqlite
from regio.mail.models import OutboxMessage, OutboxState
from regio.prebuilt import Prebuilt


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
    # A pupil under 16 registered: the guardian's own mail asking for consent, with the
    # guardian's own link (`/toestemming/<token>`).
    GUARDIAN_NOTICE = "guardian_notice"
    GUARDIAN_REFUSED = "guardian_refused"  # the guardian said no: the pupil's place is given up
    DETAILS_CHANGED = "details_changed"  # the attendee changed their name: invite (REQUEST)
    ACCOUNT_INVITE = "account_invite"  # a new back-office account: set your password
    PASSWORD_RESET = "password_reset"  # "Wachtwoord vergeten?": choose a new password

    TO_GUARDIAN = (GUARDIAN_NOTICE,)  # sent to the guardian's address, not the registrant's
    ACCOUNT = (ACCOUNT_INVITE, PASSWORD_RESET)  # about an account, not a registration
    ALL = (CONFIRM_EMAIL, LINK_AGAIN, CONFIRMED, WAITING, PROMOTED, UPDATED, CANCELLED,
           MEETING_CANCELLED, MOVED, ERASED, EXPIRED, REMINDER, GUARDIAN_NOTICE,
           GUARDIAN_REFUSED, DETAILS_CHANGED, *ACCOUNT)


def make_message_id(base_url: str) -> str:
    domain = urlsplit(base_url).hostname or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue(kind: str, *, key: str, recipient: str, now: datetime, registration=None,
            campaign=None, payload: dict | None = None) -> OutboxMessage | None:
    """Queue one mail. Returns None when a mail for the same `key` exists already."""
    exists = db.session.execute(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)
    ).first()
    if exists:
        return None
    message = OutboxMessage(**message_row(
        kind, key=key, recipient=recipient, now=now, payload=payload,
        registration_id=registration.id if registration is not None else None,
        campaign_id=campaign.id if campaign is not None else None))
    db.session.add(message)
    db.session.flush()
    return message


_INSERT = Prebuilt(insert(OutboxMessage.__table__))  # it runs inside the booking's lock


def enqueue_new(kind: str, *, key: str, recipient: str, now: datetime, registration_id: int,
                payload: dict) -> None:
    """Queue a mail for a registration made in this transaction: one INSERT, no look-up."""
    _INSERT.execute(db.session.connection(), message_row(
        kind, key=key, recipient=recipient, now=now, payload=payload,
        registration_id=registration_id, campaign_id=None))


def message_row(kind: str, *, key: str, recipient: str, now: datetime, payload: dict | None,
                registration_id: int | None, campaign_id: int | None) -> dict:
    """The values of a new outbox row, as `enqueue` and the booking statements insert it."""
    if kind not in Kind.ALL:
        raise ValueError(f"unknown mail kind {kind!r}")
    return {
        "idempotency_key": key, "kind": kind, "recipient": recipient,
        "registration_id": registration_id, "campaign_id": campaign_id,
        "payload": payload or {},
        "message_id": make_message_id(current_app.config["REGIO_BASE_URL"]),
        "state": OutboxState.QUEUED, "created_at": now, "next_attempt_at": now,
    }


def withdraw_queued(registration_id: int) -> int:
    """Cancel every not-yet-sent mail of a registration; returns how many."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.registration_id == registration_id,
               OutboxMessage.state == OutboxState.QUEUED)
        .values(state=OutboxState.CANCELLED, payload={})
    )
    return result.rowcount or 0


# --- claiming and marking (used by the sender) --------------------------------------------

MAX_ATTEMPTS = 16
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 30 s, 1 min, 2 min … at most an hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def requeue_stale(*, now: datetime, stale_after: timedelta) -> int:
    """Put back rows left in `sending` by a sender that died (the rare at-least-once case)."""
    begin_write()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.SENDING,
               OutboxMessage.claimed_at < now - stale_after)
        .values(state=OutboxState.QUEUED, claimed_at=None)
    )
    return result.rowcount or 0


def claim_batch(*, now: datetime, limit: int) -> list[OutboxMessage]:
    """Mark up to `limit` due rows `sending` for this sender; the caller commits at once.

    Rows locked by another sender are skipped (PostgreSQL SKIP LOCKED); on SQLite the
    transaction holds the single write lock (`begin_write`), so claims never overlap.
    """
    begin_write()
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.QUEUED,
                   OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id).limit(limit))
    if not is_sqlite():
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list(db.session.execute(stmt).scalars())
    for row in rows:
        row.state = OutboxState.SENDING
        row.claimed_at = now
    db.session.flush()
    return rows


def _set(message_id: int, connection=None, **values) -> None:
    """Change one row: in the session's transaction, or committed at once on `connection`.

    The sender passes its own connection: a commit per message through the session would
    expire every object the session holds, each time.
    """
    statement = _update_statement(tuple(sorted(values)))
    values["row_id"] = message_id
    if connection is None:
        begin_write()
        db.session.execute(statement, values)
        return
    with connection.begin():  # BEGIN IMMEDIATE on SQLite (see `mark_connection`)
        connection.execute(statement, values)


@lru_cache(maxsize=16)
def _update_statement(columns: tuple[str, ...]):
    """UPDATE … WHERE id = :row_id, built once per set of columns (it runs per message)."""
    table = OutboxMessage.__table__
    return (table.update().where(table.c.id == bindparam("row_id"))
            .values({name: bindparam(name) for name in columns}))


def mark_connection():
    """A connection for marking rows, each change its own (writing) transaction."""
    return db.engine.connect().execution_options(sqlite_begin="IMMEDIATE")


def mark_sent(message_id: int, payload: dict, *, now: datetime, connection=None) -> None:
    """Sent: the personal link's token is dropped from the stored payload."""
    kept = {key: value for key, value in payload.items() if key != "token"}
    _set(message_id, connection, state=OutboxState.SENT, sent_at=now, payload=kept,
         last_error=None)


def mark_retry(message_id: int, attempts: int, error: str, *, now: datetime,
               connection=None) -> str:
    """Back to the queue with backoff; failed for good after MAX_ATTEMPTS. Returns the state."""
    attempts += 1
    state = OutboxState.QUEUED if attempts < MAX_ATTEMPTS else OutboxState.FAILED
    _set(message_id, connection, state=state, attempts=attempts, last_error=error[:2000],
         next_attempt_at=now + backoff(attempts), claimed_at=None)
    return state


def mark_failed(message_id: int, attempts: int, error: str, *, connection=None) -> None:
    _set(message_id, connection, state=OutboxState.FAILED, attempts=attempts + 1,
         last_error=error[:2000], claimed_at=None)


def release(message_id: int, *, connection=None) -> None:
    """Back to the queue untouched: claimed, but never tried."""
    _set(message_id, connection, state=OutboxState.QUEUED, claimed_at=None)


def mark_dropped(message_id: int, reason: str, *, connection=None) -> None:
    """Nothing to send any more (e.g. the registration was erased): kept as `cancelled`."""
    _set(message_id, connection, state=OutboxState.CANCELLED, payload={}, last_error=reason,
         claimed_at=None)

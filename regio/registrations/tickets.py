"""Ticket tokens: what the ticket QR encodes for check-in at the door.

A ticket token is an HMAC of the registration's UID under SECRET_KEY, so the personal page can
show the QR again at any time without storing the token itself; only its SHA-256 is stored
(`Registration.ticket_hash`) and looked up at the door. Clearing the hash revokes the ticket;
a new UID (switching meeting) gives a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app
from sqlalchemy import select

from regio.db import db
from regio.registrations.models import Registration, Status
from regio.registrations.tokens import hash_token, looks_like_token


def ticket_token(registration: Registration) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"ticket:{registration.uid}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def issue_ticket(registration: Registration) -> str:
    token = ticket_token(registration)
    registration.ticket_hash = hash_token(token)
    return token


def valid_ticket(registration: Registration) -> str | None:
    """The ticket token of a confirmed registration, or None when it has no valid ticket."""
    if registration.status != Status.CONFIRMED or registration.ticket_hash is None:
        return None
    token = ticket_token(registration)
    return token if hash_token(token) == registration.ticket_hash else None


def find_by_ticket(token: str) -> Registration | None:
    if not looks_like_token(token):
        return None
    return db.session.execute(
        select(Registration).where(Registration.ticket_hash == hash_token(token))
    ).scalar_one_or_none()

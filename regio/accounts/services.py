"""Creating and changing organisers' accounts."""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from regio import audit
from regio.accounts.models import ACCOUNT_ROLES, Organiser
from regio.db import db

MIN_PASSWORD_LENGTH = 12


class AccountError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def find_account(email: str) -> Organiser | None:
    return db.session.execute(
        select(Organiser).where(Organiser.email == email.strip().lower())
    ).scalar_one_or_none()


def save_account(email: str, password: str, role: str, *, now: datetime,
                 actor: str = "cli") -> tuple[Organiser, bool]:
    """Add an account, or give an existing one this password and role."""
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError("bad_email", f"not a valid e-mail address: {error}") from error
    if role not in ACCOUNT_ROLES:
        raise AccountError("bad_role", f"role must be one of {', '.join(ACCOUNT_ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("short_password",
                           f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    account = find_account(email)
    created = account is None
    if created:
        account = Organiser(email=email, role=role, created_at=now)
        db.session.add(account)
    else:
        account.role = role
        account.session_version += 1  # a new password logs out old sessions
    account.set_password(password)
    audit.record(actor, "account.add" if created else "account.update", email, now=now, role=role)
    db.session.flush()
    return account, created

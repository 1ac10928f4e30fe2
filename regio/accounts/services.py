"""Creating and changing organisers' accounts. Every change is in the audit log."""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from regio import audit
from regio.accounts import events
from regio.accounts.links import send_link
from regio.accounts.models import ACCOUNT_ROLES, Organiser, TokenPurpose
from regio.accounts.passwords import check_new_password, password_matches
from regio.accounts.sessions import end_everywhere
from regio.db import db
from regio.errors import AccountError


def find_account(email: str) -> Organiser | None:
    return db.session.execute(
        select(Organiser).where(Organiser.email == email.strip().lower())
    ).scalar_one_or_none()


def list_accounts() -> list[Organiser]:
    return list(db.session.execute(
        select(Organiser).order_by(Organiser.is_enabled.desc(), Organiser.email)).scalars())


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError("bad_email", field="email") from error


def _check_role(role: str) -> None:
    if role not in ACCOUNT_ROLES:
        raise AccountError("bad_account_role", field="role")


def save_account(email: str, password: str, role: str, *, now: datetime,
                 actor: str = "cli") -> tuple[Organiser, bool]:
    """Add an account, or give an existing one this password and role (the CLI)."""
    email = normalise_email(email)
    _check_role(role)
    check_new_password(password, email=email)
    account = find_account(email)
    created = account is None
    if created:
        account = Organiser(email=email, role=role, created_at=now)
        db.session.add(account)
    else:
        account.role = role
        end_everywhere(account)  # a new password logs out old sessions
    account.set_password(password)
    audit.record(actor, events.ADDED if created else events.UPDATED, email, now=now, role=role)
    db.session.flush()
    return account, created


def invite_account(email: str, role: str, *, actor: str, now: datetime) -> Organiser:
    """A new account without a password; its owner chooses one through the mailed link."""
    email = normalise_email(email)
    _check_role(role)
    if find_account(email) is not None:
        raise AccountError("account_exists", field="email")
    account = Organiser(email=email, role=role, password_hash="", created_at=now)
    db.session.add(account)
    db.session.flush()
    send_link(account, TokenPurpose.INVITE, now=now)
    audit.record(actor, events.INVITED, email, now=now, role=role)
    return account


def resend_invitation(account: Organiser, *, actor: str, now: datetime) -> None:
    if account.has_password:
        raise AccountError("already_has_password")
    if not account.is_enabled:
        raise AccountError("account_disabled")
    send_link(account, TokenPurpose.INVITE, now=now)
    audit.record(actor, events.INVITE_RESENT, account.email, now=now)


def _keep_an_admin(account: Organiser) -> None:
    """Refuse to take away the last enabled admin (the admins are locked while counting)."""
    if account.role != "admin" or not account.is_enabled:
        return
    admins = db.session.execute(
        select(Organiser.id).where(Organiser.role == "admin", Organiser.is_enabled.is_(True))
        .with_for_update()).all()
    if len(admins) <= 1:
        raise AccountError("last_admin")


def change_role(account: Organiser, role: str, *, actor: str, now: datetime) -> None:
    _check_role(role)
    if role == account.role:
        return
    if role != "admin":
        _keep_an_admin(account)
    account.role = role
    audit.record(actor, events.ROLE_CHANGED, account.email, now=now, role=role)
    db.session.flush()


def deactivate(account: Organiser, *, actor: str, now: datetime) -> None:
    """Switch the account off; its sessions end at once."""
    if not account.is_enabled:
        return
    _keep_an_admin(account)
    account.is_enabled = False
    end_everywhere(account)
    audit.record(actor, events.DEACTIVATED, account.email, now=now)
    db.session.flush()


def reactivate(account: Organiser, *, actor: str, now: datetime) -> None:
    if account.is_enabled:
        return
    account.is_enabled = True
    audit.record(actor, events.REACTIVATED, account.email, now=now)
    db.session.flush()


def change_password(account: Organiser, current: str, new: str, *, now: datetime) -> None:
    """The owner changes their password; every session of the account ends."""
    if not password_matches(account, current):
        raise AccountError("wrong_password", field="current")
    check_new_password(new, email=account.email)
    account.set_password(new)
    end_everywhere(account)
    audit.record(account.email, events.PASSWORD_CHANGED, account.email, now=now)
    db.session.flush()


def request_reset(email: str, *, now: datetime) -> None:
    """Mail a reset link when an enabled account has this address; otherwise do nothing.

    The caller answers the same in both cases, so nobody learns which addresses have an account.
    """
    try:
        account = find_account(normalise_email(email))
    except AccountError:
        return
    if account is None or not account.is_enabled:
        return
    send_link(account, TokenPurpose.RESET, now=now)
    audit.record(account.email, events.RESET_REQUESTED, account.email, now=now)

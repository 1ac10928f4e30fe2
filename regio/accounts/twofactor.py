"""Two-factor login: a TOTP authenticator app (RFC 6238) and ten single-use recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, select

from regio import audit
from regio.accounts import events
from regio.accounts.models import Organiser, RecoveryCode
from regio.accounts.sessions import end_everywhere
from regio.db import db
from regio.errors import AccountError

ISSUER = "Regio"
STEP = 30  # seconds per code
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def _digits(code: str) -> str:
    return "".join(c for c in code if not c.isspace())


def _recovery_hash(code: str) -> str:
    plain = "".join(c for c in code.lower() if c.isalnum())
    return hashlib.sha256(plain.encode()).hexdigest()


def begin_enrolment(account: Organiser) -> str:
    """A fresh secret for an account without a confirmed factor (it counts once confirmed)."""
    if account.has_second_factor:
        raise AccountError("second_factor_exists")
    account.totp_secret = pyotp.random_base32()
    db.session.flush()
    return account.totp_secret


def provisioning_uri(account: Organiser) -> str:
    """What the enrolment QR code holds: an otpauth:// link authenticator apps read."""
    return pyotp.TOTP(account.totp_secret).provisioning_uri(name=account.email,
                                                            issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step (one before, now, one after: clocks drift) whose code this is."""
    code = _digits(code)
    # ASCII only: '¹²³⁴⁵⁶' passes isdigit(), and compare_digest refuses non-ASCII text.
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * STEP), code) and (after is None or step > after):
            return step
    return None


def confirm_enrolment(account: Organiser, code: str, *, now: datetime) -> list[str]:
    """Turn the factor on with a first code; returns the recovery codes, shown only once."""
    if account.totp_secret is None or account.has_second_factor:
        raise AccountError("no_enrolment")
    step = _matching_step(account.totp_secret, code, now, None)
    if step is None:
        raise AccountError("bad_code", field="code")
    account.totp_confirmed_at = now
    account.totp_last_step = step
    codes = _new_recovery_codes(account)
    audit.record(account.email, events.SECOND_FACTOR_ON, account.email, now=now)
    db.session.flush()
    return codes


def _new_recovery_codes(account: Organiser) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.organiser_id == account.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        plain = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{plain[:5]}-{plain[5:]}")
        db.session.add(RecoveryCode(organiser_id=account.id, code_hash=_recovery_hash(plain)))
    return codes


def check_second_factor(account: Organiser, code: str, *, now: datetime) -> str | None:
    """'app' or 'recovery' when `code` is good (a recovery code is used up), else None."""
    if not account.has_second_factor:
        return None
    step = _matching_step(account.totp_secret, code, now, account.totp_last_step)
    if step is not None:
        account.totp_last_step = step
        return "app"
    recovery = db.session.execute(
        select(RecoveryCode).where(RecoveryCode.organiser_id == account.id,
                                   RecoveryCode.code_hash == _recovery_hash(code),
                                   RecoveryCode.used_at.is_(None))
    ).scalar_one_or_none()
    if recovery is None:
        return None
    recovery.used_at = now
    audit.record(account.email, events.RECOVERY_CODE_USED, account.email, now=now)
    return "recovery"


def recovery_codes_left(account: Organiser) -> int:
    return len(db.session.execute(
        select(RecoveryCode.id).where(RecoveryCode.organiser_id == account.id,
                                      RecoveryCode.used_at.is_(None))).all())


def reset_second_factor(account: Organiser, *, actor: str, now: datetime) -> None:
    """An admin turns someone's factor off; they enrol again at their next login."""
    account.totp_secret = None
    account.totp_confirmed_at = None
    account.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.organiser_id == account.id))
    end_everywhere(account)
    audit.record(actor, events.SECOND_FACTOR_RESET, account.email, now=now)
    db.session.flush()

"""Single-use links by mail: an invitation (72 hours) or a password reset (1 hour).

Only the token's SHA-256 is stored; the mail's outbox row holds the token until it is sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from regio import audit
from regio.accounts import events
from regio.accounts.models import AccountToken, Organiser, TokenPurpose
from regio.accounts.passwords import check_new_password
from regio.accounts.sessions import end_everywhere
from regio.db import db
from regio.errors import AccountError
from regio.mail.outbox import Kind, enqueue
from regio.registrations.tokens import hash_token, looks_like_token, new_token

VALID_FOR = {
    TokenPurpose.INVITE: timedelta(hours=72),
    TokenPurpose.RESET: timedelta(hours=1),
}
MAIL_KIND = {TokenPurpose.INVITE: Kind.ACCOUNT_INVITE, TokenPurpose.RESET: Kind.PASSWORD_RESET}


def send_link(account: Organiser, purpose: str, *, now: datetime) -> None:
    """Queue a mail with a fresh link; earlier unused links of this purpose stop working."""
    _retire(account, purpose, now=now)
    plain = new_token()
    token = AccountToken(organiser_id=account.id, purpose=purpose, token_hash=hash_token(plain),
                         created_at=now, expires_at=now + VALID_FOR[purpose])
    db.session.add(token)
    db.session.flush()
    enqueue(MAIL_KIND[purpose], key=f"{purpose}:{token.id}", recipient=account.email, now=now,
            payload={"token": plain, "hours": int(VALID_FOR[purpose].total_seconds() // 3600)})


def _retire(account: Organiser, purpose: str, *, now: datetime) -> None:
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.organiser_id == account.id, AccountToken.purpose == purpose,
               AccountToken.used_at.is_(None))
        .values(used_at=now))


def find_link(plain: str, purpose: str, *, now: datetime) -> AccountToken | None:
    """The unused, unexpired link of an enabled account, else None."""
    if not looks_like_token(plain):
        return None
    token = db.session.execute(
        select(AccountToken).where(AccountToken.token_hash == hash_token(plain),
                                   AccountToken.purpose == purpose)
    ).scalar_one_or_none()
    if token is None or token.used_at is not None or token.expires_at <= now:
        return None
    account = db.session.get(Organiser, token.organiser_id)
    return token if account is not None and account.is_enabled else None


def account_of(token: AccountToken) -> Organiser:
    return db.session.get(Organiser, token.organiser_id)


def set_password_by_link(plain: str, purpose: str, password: str, *,
                         now: datetime) -> Organiser:
    """Use the link once: the password is set and every open session of the account ends."""
    token = find_link(plain, purpose, now=now)
    if token is None:
        raise AccountError("link_invalid")
    account = account_of(token)
    check_new_password(password, email=account.email)
    account.set_password(password)
    token.used_at = now
    end_everywhere(account)
    audit.record(account.email, events.PASSWORD_SET, account.email, now=now, purpose=purpose)
    db.session.flush()
    return account

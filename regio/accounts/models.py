"""The Organiser account (Flask-Login user), its one-time links and recovery codes."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from regio.db import UTCDateTime, db, utc_now

ACCOUNT_ROLES = ("admin", "organiser", "checkin")

# What each role may do; a route names the right it needs.
RIGHTS = {
    "admin": {"checkin", "manage", "admin"},
    "organiser": {"checkin", "manage"},
    "checkin": {"checkin"},
}

# Roles that must use two-factor login when REGIO_REQUIRE_2FA is on (door accounts may).
SECOND_FACTOR_ROLES = ("admin", "organiser")


class Organiser(UserMixin, db.Model):
    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Empty until an invited person sets a password: no password matches it.
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    is_enabled: Mapped[bool] = mapped_column(default=True, server_default="1")
    # Changing it logs out every session of this account (Flask-Login's alternative id).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The TOTP secret (base32). It counts only once confirmed by a code (totp_confirmed_at).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time step of the last code accepted: the same code cannot be used twice.
    totp_last_step: Mapped[int | None]

    def __repr__(self) -> str:
        return f"<Organiser {self.email} {self.role}>"

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return self.has_password and check_password_hash(self.password_hash, password)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    def needs_second_factor(self, required: bool) -> bool:
        """True when the account must enrol before it may do anything else."""
        return required and self.role in SECOND_FACTOR_ROLES and not self.has_second_factor

    def can(self, right: str) -> bool:
        return self.is_enabled and right in RIGHTS.get(self.role, set())

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.is_enabled


class TokenPurpose:
    INVITE = "invite"  # set a first password; valid 72 hours
    RESET = "reset"  # choose a new password; valid 1 hour


class AccountToken(db.Model):
    """A single-use link sent by mail; only its hash is kept."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organisers.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(db.Model):
    """One of the ten single-use codes that stand in for the authenticator app; kept hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organisers.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

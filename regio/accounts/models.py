"""The Organiser account (Flask-Login user)."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
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


class Organiser(UserMixin, db.Model):
    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    is_enabled: Mapped[bool] = mapped_column(default=True, server_default="1")
    # Changing it logs out every session of this account (Flask-Login's alternative id).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Organiser {self.email} {self.role}>"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def can(self, right: str) -> bool:
        return self.is_enabled and right in RIGHTS.get(self.role, set())

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.is_enabled

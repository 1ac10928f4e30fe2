"""The audit log: who did what to which meeting or registration, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from regio.db import UTCDateTime, db, utc_now


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    actor: Mapped[str] = mapped_column(String(254))  # organiser e-mail, "cli" or "system"
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} by {self.actor}>"


def record(actor: str, action: str, subject: str | None = None, *, now: datetime | None = None,
           **details) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(actor=actor, action=action, subject=subject, details=details,
                       at=now or utc_now())
    db.session.add(event)
    return event

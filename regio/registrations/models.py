"""Registration and its personal links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from regio.db import UTCDateTime, db, utc_now
from regio.meetings.models import Meeting

ROLES = ("po", "vo", "go", "ouder", "leerling")


class Status:
    HELD = "held"  # submitted, e-mail not yet confirmed; counts against capacity
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # hold not confirmed in time
    ERASED = "erased"

    ACTIVE = (HELD, CONFIRMED, WAITING)
    TAKES_PLACE = (HELD, CONFIRMED)
    ALL = (HELD, CONFIRMED, WAITING, CANCELLED, EXPIRED, ERASED)


class GuardianDecision:
    GIVEN = "given"
    REFUSED = "refused"  # no, before the place was confirmed
    WITHDRAWN = "withdrawn"  # no, after an earlier yes


# The Dutch status words of exports and organiser pages (DESIGN §3).
STATUS_WORDS = {
    Status.HELD: "onbevestigd",
    Status.CONFIRMED: "bevestigd",
    Status.WAITING: "wachtlijst",
    Status.CANCELLED: "afgemeld",
    Status.EXPIRED: "verlopen",
    Status.ERASED: "verwijderd",
}


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        # One active registration per address per meeting: `active_email` holds the address
        # while the registration is held, confirmed or waiting, and NULL otherwise.
        UniqueConstraint("meeting_id", "active_email"),
        # Serves the per-meeting status counts and, through its third column, the check for
        # expired holds that every booking makes: a range seek, however many holds there are.
        Index("ix_registrations_meeting_status_expiry", "meeting_id", "status",
              "hold_expires_at"),
        Index("ix_registrations_email", "email"),
        Index("ix_registrations_meeting_sort", "meeting_id", "sort_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=Status.HELD)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    active_email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    organisation: Mapped[str | None] = mapped_column(String(200))
    needs: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(32))
    is_under_16: Mapped[bool] = mapped_column(default=False, server_default="0")
    # For a pupil under 16: the guardian's own decision, given through the guardian's own link
    # (`/toestemming/<token>`, only its hash stored). `has_guardian_consent` is true while the
    # guardian's yes stands; `guardian_decision` and `guardian_decided_at` record the last
    # decision (GuardianDecision), given by `guardian_email`. All erased with the registration.
    has_guardian_consent: Mapped[bool] = mapped_column(default=False, server_default="0")
    guardian_email: Mapped[str | None] = mapped_column(String(254))
    guardian_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    guardian_decision: Mapped[str | None] = mapped_column(String(16))
    guardian_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_walk_in: Mapped[bool] = mapped_column(default=False, server_default="0")
    locale: Mapped[str] = mapped_column(String(8), default="nl", server_default="nl")
    # Raised on every change that is sent as an invite (SEQUENCE = this + meeting.sequence).
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by: Mapped[str | None] = mapped_column(String(254))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Derived from name, e-mail and organisation (regio.registrations.search keeps them).
    search_key: Mapped[str | None] = mapped_column(String(700))
    sort_key: Mapped[str | None] = mapped_column(String(200))

    meeting: Mapped[Meeting] = relationship(lazy="joined", innerjoin=True)
    links: Mapped[list[PersonalLink]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status} meeting={self.meeting_id}>"

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def is_active(self) -> bool:
        return self.status in Status.ACTIVE

    @property
    def awaits_guardian(self) -> bool:
        """A pupil under 16 whose guardian has not (or no longer) said yes."""
        return self.is_under_16 and self.guardian_email is not None \
            and not self.has_guardian_consent

    @property
    def may_be_confirmed(self) -> bool:
        """Both acts are done: the address confirmed and, for a young pupil, the guardian's yes."""
        return self.email_verified_at is not None and not self.awaits_guardian


class PersonalLink(db.Model):
    """One personal link (`/aanmelding/<token>`); only the token's hash is stored."""

    __tablename__ = "personal_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    first_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship(back_populates="links")

"""The Meeting model."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from regio.db import UTCDateTime, db, utc_now


class MeetingStatus:
    OPEN = "open"
    FULL = "vol"  # registrations go to the waiting list
    NOT_YET_OPEN = "nog_niet_open"  # the registration window has not begun
    CLOSED = "gesloten"  # closed by an organiser, or the registration window has ended
    PAST = "geweest"
    CANCELLED = "geannuleerd"


class WindowPhase:
    """Where a moment falls in a meeting's registration window."""

    BEFORE = "before"
    OPEN = "open"
    AFTER = "after"


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("taken >= 0", name="taken_not_negative"),
        # The last line of defence against overbooking: the database refuses it.
        CheckConstraint("capacity IS NULL OR taken <= capacity", name="taken_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[date]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    venue: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None]
    # Places held or confirmed; changed only by the booking service inside its meeting lock,
    # so the capacity check costs the same at 0 and at 20,000 registrations.
    taken: Mapped[int] = mapped_column(default=0, server_default="0")
    is_open: Mapped[bool] = mapped_column(default=True, server_default="1")
    is_cancelled: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Hidden from the home page; the back office keeps its lists and exports.
    is_archived: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Registration window: before `registration_opens_at` the page says from when people can
    # sign up, after `registration_closes_at` that sign-up has ended. NULL: no limit.
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised on every change of date, time or place; registrations add it to their own SEQUENCE.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    def __repr__(self) -> str:
        return f"<Meeting {self.slug} {self.date}>"

    @property
    def has_times(self) -> bool:
        return self.start_time is not None

    def starts_at(self, tz: ZoneInfo) -> datetime | None:
        if self.start_time is None:
            return None
        return datetime.combine(self.date, self.start_time, tzinfo=tz)

    def ends_at(self, tz: ZoneInfo) -> datetime | None:
        if self.start_time is None:
            return None
        end = self.end_time or self.start_time
        return datetime.combine(self.date, end, tzinfo=tz)

    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.taken, 0)

    def is_past(self, today: date) -> bool:
        return self.date < today

    def window_phase(self, now: datetime) -> str:
        """Before, inside or after the registration window at `now` (an aware datetime)."""
        if self.registration_opens_at is not None and now < self.registration_opens_at:
            return WindowPhase.BEFORE
        if self.registration_closes_at is not None and now >= self.registration_closes_at:
            return WindowPhase.AFTER
        return WindowPhase.OPEN

    def status(self, today: date, now: datetime) -> str:
        """The meeting's status on `today` (the local date) at `now` (the same moment)."""
        if self.is_cancelled:
            return MeetingStatus.CANCELLED
        if self.is_past(today):
            return MeetingStatus.PAST
        if not self.is_open:
            return MeetingStatus.CLOSED
        phase = self.window_phase(now)
        if phase == WindowPhase.BEFORE:
            return MeetingStatus.NOT_YET_OPEN
        if phase == WindowPhase.AFTER:
            return MeetingStatus.CLOSED
        if self.capacity is not None and self.taken >= self.capacity:
            return MeetingStatus.FULL
        return MeetingStatus.OPEN

    def accepts_registrations(self, today: date, now: datetime) -> bool:
        return self.status(today, now) in (MeetingStatus.OPEN, MeetingStatus.FULL)

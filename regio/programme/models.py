"""Programme items (plenary or a workshop in a round) and a registration's workshop choices."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from regio.db import UTCDateTime, db, utc_now


class ProgrammeItem(db.Model):
    """One part of the day. With a `round` it is a workshop: one of that round's parallel
    choices, with its own room, optional capacity and optional target roles."""

    __tablename__ = "programme_items"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("taken >= 0", name="taken_not_negative"),
        # As for meetings: the database itself refuses an overbooked workshop.
        CheckConstraint("capacity IS NULL OR taken <= capacity", name="taken_within_capacity"),
        CheckConstraint("round IS NULL OR round >= 1", name="round_positive"),
        Index("ix_programme_items_meeting_start", "meeting_id", "start_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    round: Mapped[int | None]
    start_time: Mapped[time]
    end_time: Mapped[time]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    room: Mapped[str | None] = mapped_column(String(200))
    speaker: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None]
    # Comma-separated roles the workshop is open to; NULL: everyone.
    roles: Mapped[str | None] = mapped_column(String(64))
    # Workshop places held or confirmed; changed only under the meeting's lock.
    taken: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    def __repr__(self) -> str:
        return f"<ProgrammeItem {self.id} round={self.round} {self.title!r}>"

    @property
    def is_workshop(self) -> bool:
        return self.round is not None

    @property
    def role_list(self) -> tuple[str, ...]:
        return tuple(self.roles.split(",")) if self.roles else ()

    def is_open_to(self, role: str | None) -> bool:
        return not self.roles or role in self.role_list

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.taken >= self.capacity

    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)


class ProgrammeRound(db.Model):
    """Settings of one round of a meeting's workshops. A round without a row here is open
    for choices; with `opens_at` in the future its workshops are shown but cannot be chosen
    yet."""

    __tablename__ = "programme_rounds"
    __table_args__ = (
        UniqueConstraint("meeting_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    number: Mapped[int]
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ProgrammeRound meeting={self.meeting_id} {self.number} opens={self.opens_at}>"

    def is_open(self, now: datetime) -> bool:
        return self.opens_at is None or self.opens_at <= now


class ChoiceStatus:
    CHOSEN = "chosen"  # holds a workshop place
    WAITING = "waiting"  # on the workshop's waiting list

    ALL = (CHOSEN, WAITING)


class WorkshopChoice(db.Model):
    """A registration's workshop in one round: a place or a place on its waiting list.

    Only active registrations have choices: cancelling, expiring, erasing or moving a
    registration deletes its choices and gives their places to the workshops' waiting lists.
    """

    __tablename__ = "workshop_choices"
    __table_args__ = (
        UniqueConstraint("registration_id", "round"),
        Index("ix_workshop_choices_workshop_status", "workshop_id", "status", "waiting_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"))
    workshop_id: Mapped[int] = mapped_column(ForeignKey("programme_items.id"))
    round: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    workshop: Mapped[ProgrammeItem] = relationship(lazy="joined", innerjoin=True)

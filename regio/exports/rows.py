"""The rows of the lists, read from the database in chunks; the builders turn them into bytes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select

from regio.db import db
from regio.errors import DomainError
from regio.registrations.models import ROLES, STATUS_WORDS, Registration, Status
from regio.registrations.search import by_name, matches

CHUNK_ROWS = 500
QUERY_LIMIT = 100
_WORD_TO_STATUS = {word: status for status, word in STATUS_WORDS.items()}


class ExportRow(NamedTuple):
    """One person on a list: codes and UTC timestamps; each builder writes them its way."""

    name: str
    email: str
    role: str
    organisation: str
    status: str
    source: str
    created_at: datetime | None
    checked_in_at: datetime | None


class WishRow(NamedTuple):
    name: str
    role: str
    needs: str


@dataclass(frozen=True)
class Filters:
    role: str | None = None
    status: str | None = None  # a Status value, not the Dutch word
    query: str | None = None  # the list's search (`?q=`): name, address or organisation

    @classmethod
    def parse(cls, role: str | None, status: str | None, query: str | None = None) -> Filters:
        """Check `?rol=`, `?status=` (Dutch status words) and `?q=`; empty means no filter."""
        if role and role not in ROLES:
            raise DomainError("bad_role", field="rol")
        if status and status not in _WORD_TO_STATUS:
            raise DomainError("bad_status", field="status")
        query = "".join(c for c in (query or "") if c.isprintable()).strip()[:QUERY_LIMIT]
        return cls(role=role or None, status=_WORD_TO_STATUS[status] if status else None,
                   query=query or None)


_COLUMNS = (Registration.name, Registration.email, Registration.role, Registration.organisation,
            Registration.status, Registration.source, Registration.created_at,
            Registration.checked_in_at)

# The lists show one status after another, each in the order people registered: every part is
# then read straight from the (meeting_id, status) index, so the database sorts nothing (SQLite
# would otherwise sort the whole list in this process). Erased rows hold no data: only on request.
LIST_ORDER = (Status.CONFIRMED, Status.HELD, Status.WAITING, Status.CANCELLED, Status.EXPIRED)


def _statuses(fmt: str, filters: Filters) -> tuple[str, ...]:
    if filters.status:
        return (filters.status,)
    return (Status.CONFIRMED,) if fmt == "pdf" else LIST_ORDER  # the PDF is a sign-in sheet


def _where(meeting_id: int, filters: Filters, statuses: tuple[str, ...]) -> list:
    clauses = [Registration.meeting_id == meeting_id,
               Registration.status == statuses[0] if len(statuses) == 1
               else Registration.status.in_(statuses)]
    if filters.role:
        clauses.append(Registration.role == filters.role)
    if filters.query:
        clauses.append(matches(filters.query))
    return clauses


def count_rows(meeting_id: int, fmt: str, filters: Filters) -> int:
    if fmt == "wishes":
        return db.session.execute(select(func.count()).select_from(Registration)
                                  .where(*_wish_where(meeting_id))).scalar_one()
    where = _where(meeting_id, filters, _statuses(fmt, filters))
    return db.session.execute(select(func.count()).select_from(Registration).where(*where)
                              ).scalar_one()


def _queries(meeting_id: int, fmt: str, filters: Filters):
    columns = select(*_COLUMNS).execution_options(yield_per=CHUNK_ROWS)
    if fmt == "pdf":  # by name, as people look themselves up on the sheet
        where = _where(meeting_id, filters, _statuses(fmt, filters))
        yield columns.where(*where).order_by(*by_name(db.session.get_bind().dialect.name))
        return
    for status in _statuses(fmt, filters):
        yield columns.where(*_where(meeting_id, filters, (status,))).order_by(Registration.id)


def export_rows(meeting_id: int, fmt: str, filters: Filters) -> Iterator[ExportRow]:
    """The rows, fetched in chunks of CHUNK_ROWS (never the whole list)."""
    for stmt in _queries(meeting_id, fmt, filters):
        for name, email, role, organisation, status, source, created, checked_in in (
                db.session.execute(stmt)):
            yield ExportRow(name or "", email or "", role, organisation or "", status,
                            source or "", created, checked_in)


def _wish_where(meeting_id: int) -> tuple:
    return (Registration.meeting_id == meeting_id, Registration.status == Status.CONFIRMED,
            Registration.needs.is_not(None), Registration.needs != "")


def wish_rows(meeting_id: int) -> Iterator[WishRow]:
    """Confirmed attendees with an access or diet wish, by name: the venue's list."""
    stmt = (select(Registration.name, Registration.role, Registration.needs)
            .where(*_wish_where(meeting_id))
            .order_by(*by_name(db.session.get_bind().dialect.name))
            .execution_options(yield_per=CHUNK_ROWS))
    for name, role, needs in db.session.execute(stmt):
        yield WishRow(name or "", role, needs or "")

"""Figures for organisers and the ministry: counts only, never personal data."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from regio.db import db
from regio.exports import neutralise  # a source tag comes from a URL
from regio.meetings.models import Meeting
from regio.programme.models import ChoiceStatus, ProgrammeItem, WorkshopChoice
from regio.registrations.models import ROLES, Registration, Status


@dataclass
class MeetingFigures:
    held: int = 0
    confirmed: int = 0
    waiting: int = 0
    cancelled: int = 0
    checked_in: int = 0

    @property
    def registered(self) -> int:
        """Everyone still registered: confirmed, held while the address is not confirmed, or
        waiting for a place. The tables per role and per source count the same people."""
        return self.held + self.confirmed + self.waiting


def meeting_figures(meeting: Meeting) -> MeetingFigures:
    rows = db.session.execute(
        select(Registration.status, func.count(),
               func.count(Registration.checked_in_at))
        .where(Registration.meeting_id == meeting.id).group_by(Registration.status)
    ).all()
    figures = MeetingFigures()
    for status, count, checked_in in rows:
        if status in (Status.HELD, Status.CONFIRMED, Status.WAITING, Status.CANCELLED):
            setattr(figures, status, count)
        if status == Status.CONFIRMED:
            figures.checked_in = checked_in
    return figures


def registrations_per_day(meeting: Meeting, tz: ZoneInfo) -> list[tuple[date, int]]:
    """New registrations per local calendar day, from the first to the last day with any."""
    stamps = db.session.execute(
        select(Registration.created_at).where(Registration.meeting_id == meeting.id)
    ).scalars()
    per_day = Counter(stamp.astimezone(tz).date() for stamp in stamps)
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    return [(day, per_day.get(day, 0)) for day in days]


@dataclass
class ReportRow:
    meeting: Meeting
    role: str
    source: str
    confirmed: int
    held: int  # a place held, e-mail address not yet confirmed
    waiting: int
    present: int


@dataclass
class ReportTotals:
    confirmed: int = 0
    held: int = 0
    waiting: int = 0
    present: int = 0


def _count(status: str):
    return func.sum(case((Registration.status == status, 1), else_=0))


def ministry_report() -> list[ReportRow]:
    """Meeting × role × source: confirmed, unconfirmed, waiting, and people who came."""
    source = func.coalesce(Registration.source, "")
    rows = db.session.execute(
        select(Registration.meeting_id, Registration.role, source, _count(Status.CONFIRMED),
               _count(Status.HELD), _count(Status.WAITING), func.count(Registration.checked_in_at))
        .group_by(Registration.meeting_id, Registration.role, source)
    ).all()
    meetings = {m.id: m for m in db.session.execute(select(Meeting)).scalars()}
    report = [ReportRow(meetings[meeting_id], role, src, *(int(n or 0) for n in counts))
              for meeting_id, role, src, *counts in rows]
    order = {role: index for index, role in enumerate(ROLES)}  # po, vo, go, ouder, leerling
    report.sort(key=lambda r: (r.meeting.date, r.meeting.id, order.get(r.role, 99), r.role,
                               r.source))
    return report


def report_totals(rows: list[ReportRow]) -> ReportTotals:
    totals = ReportTotals()
    for row in rows:
        totals.confirmed += row.confirmed
        totals.held += row.held
        totals.waiting += row.waiting
        totals.present += row.present
    return totals


REPORT_HEADER = ("bijeenkomst", "datum", "plaats", "rol", "bron", "bevestigd", "onbevestigd",
                 "wachtlijst", "aanwezig")


def _excel_csv(header: tuple[str, ...], lines: Iterable[tuple]) -> Iterator[str]:
    """CSV for Dutch Excel, a line at a time: UTF-8 with BOM, `;` between fields."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    for line in lines:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(line)
        yield buffer.getvalue()


def report_csv(rows: list[ReportRow]) -> Iterator[str]:
    """The report as CSV for Dutch Excel."""
    return _excel_csv(REPORT_HEADER, (
        (row.meeting.slug, row.meeting.date.isoformat(), row.meeting.city, row.role,
         neutralise(row.source), row.confirmed, row.held, row.waiting, row.present)
        for row in rows))


@dataclass
class WorkshopReportRow:
    meeting: Meeting
    workshop: ProgrammeItem
    role: str
    placed: int  # has a place in the workshop
    waiting: int  # on the workshop's waiting list
    present: int  # has a place and was checked in at the meeting


def _choices(status: str):
    return func.sum(case((WorkshopChoice.status == status, 1), else_=0))


def workshop_report() -> list[WorkshopReportRow]:
    """Meeting × workshop × role: places, waiting lists and people who came, in the order of
    each meeting's day; a role nobody of chose a workshop in is left out."""
    present = func.sum(case(((WorkshopChoice.status == ChoiceStatus.CHOSEN)
                             & Registration.checked_in_at.is_not(None), 1), else_=0))
    rows = db.session.execute(
        select(WorkshopChoice.workshop_id, Registration.role, _choices(ChoiceStatus.CHOSEN),
               _choices(ChoiceStatus.WAITING), present)
        .join(Registration, Registration.id == WorkshopChoice.registration_id)
        .group_by(WorkshopChoice.workshop_id, Registration.role)
    ).all()
    workshops = {item.id: item for item in db.session.execute(
        select(ProgrammeItem).where(ProgrammeItem.round.is_not(None))).scalars()}
    meetings = {m.id: m for m in db.session.execute(select(Meeting)).scalars()}
    report = [WorkshopReportRow(meetings[workshops[workshop_id].meeting_id],
                                workshops[workshop_id], role, *(int(n or 0) for n in counts))
              for workshop_id, role, *counts in rows]
    order = {role: index for index, role in enumerate(ROLES)}
    report.sort(key=lambda r: (r.meeting.date, r.meeting.id, r.workshop.round,
                               r.workshop.start_time, r.workshop.id, order.get(r.role, 99)))
    return report


WORKSHOP_REPORT_HEADER = ("bijeenkomst", "datum", "plaats", "ronde", "tijd", "workshop", "zaal",
                          "rol", "geplaatst", "wachtlijst", "aanwezig")


def workshop_report_csv(rows: list[WorkshopReportRow]) -> Iterator[str]:
    """The workshop report as CSV for Dutch Excel, as `report_csv`."""
    return _excel_csv(WORKSHOP_REPORT_HEADER, (
        (row.meeting.slug, row.meeting.date.isoformat(), row.meeting.city, row.workshop.round,
         f"{row.workshop.start_time:%H:%M}-{row.workshop.end_time:%H:%M}",
         neutralise(row.workshop.title), neutralise(row.workshop.room or ""), row.role,
         row.placed, row.waiting, row.present)
        for row in rows))

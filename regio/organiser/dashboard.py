"""The dashboard: how registration goes per meeting, and the ministry's aggregate report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import Response, render_template, stream_with_context
from flask_babel import format_date
from flask_babel import gettext as _

from regio import reports
from regio.db import utc_now
from regio.i18n import local_today, meeting_tz
from regio.meetings.models import Meeting
from regio.meetings.services import list_meetings
from regio.organiser import bp
from regio.organiser.access import require
from regio.organiser.charts import bar_chart, capacity_bar
from regio.programme.opening import not_open
from regio.programme.services import WorkshopCounts, workshop_counts
from regio.registrations.models import ROLES, Registration
from regio.registrations.queries import counts_by, source_counts


@dataclass
class WorkshopFill:
    counts: WorkshopCounts
    bar_svg: str


@dataclass
class RoundFill:
    """A workshop round on the dashboard: how full each of its workshops is."""

    number: int
    workshops: list[WorkshopFill]
    opens_at: datetime | None  # not open for choices until then


@dataclass
class MeetingPanel:
    meeting: Meeting
    figures: reports.MeetingFigures
    roles: list[tuple[str, int]]
    sources: list[tuple[str, int]]
    per_day: list
    capacity_svg: str
    per_day_svg: str
    rounds: list[RoundFill] = field(default_factory=list)


def _fill_text(counts: WorkshopCounts) -> str:
    workshop = counts.workshop
    if workshop.capacity is None:
        return _("%(title)s: %(taken)s geplaatst, geen maximum", title=workshop.title,
                 taken=counts.registered)
    return _("%(title)s: %(taken)s van %(capacity)s plaatsen bezet", title=workshop.title,
             taken=counts.registered, capacity=workshop.capacity)


def _rounds(meeting: Meeting, now: datetime) -> list[RoundFill]:
    """Per round, per workshop: places taken, its capacity and its waiting list."""
    by_round: dict[int, list[WorkshopFill]] = {}
    for counts in workshop_counts(meeting):
        by_round.setdefault(counts.workshop.round, []).append(WorkshopFill(
            counts, capacity_bar(counts.registered, counts.workshop.capacity,
                                 _fill_text(counts))))
    closed = not_open(meeting.id, by_round, now)
    return [RoundFill(number, by_round[number], closed.get(number))
            for number in sorted(by_round)]


def _panel(meeting: Meeting, now: datetime) -> MeetingPanel:
    figures = reports.meeting_figures(meeting)
    by_role = counts_by(meeting, Registration.role)
    sources = sorted(((s or "", n) for s, n in source_counts(meeting).items()),
                     key=lambda item: -item[1])
    per_day = reports.registrations_per_day(meeting, meeting_tz())
    capacity_text = (_("%(taken)s van %(capacity)s plaatsen bezet",
                       taken=meeting.taken, capacity=meeting.capacity)
                     if meeting.capacity is not None else _("geen maximum aantal plaatsen"))
    return MeetingPanel(
        meeting=meeting, figures=figures,
        roles=[(role, by_role.get(role, 0)) for role in ROLES],
        sources=sources, per_day=per_day,
        capacity_svg=capacity_bar(meeting.taken, meeting.capacity, capacity_text),
        per_day_svg=bar_chart([(format_date(day, "d MMM"), n) for day, n in per_day],
                              _("Aanmeldingen per dag, %(city)s", city=meeting.city)),
        rounds=_rounds(meeting, now),
    )


@bp.get("/")
@require("manage", otherwise="organiser.checkin_start")
def dashboard():
    meetings = list_meetings()
    now = utc_now()
    panels = [_panel(meeting, now) for meeting in meetings if not meeting.is_archived]
    return render_template("organiser/dashboard.html", panels=panels, today=local_today(now),
                           now=now,
                           archived=[meeting for meeting in meetings if meeting.is_archived])


@bp.get("/rapportage")
@require("manage")
def report():
    rows = reports.ministry_report()
    return render_template("organiser/report.html", rows=rows,
                           totals=reports.report_totals(rows),
                           workshop_rows=reports.workshop_report())


@bp.get("/rapportage.csv")
@require("manage")
def report_csv():
    rows = reports.ministry_report()
    return Response(
        stream_with_context(reports.report_csv(rows)), mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="regio-rapportage.csv"'})


@bp.get("/rapportage/workshops.csv")
@require("manage")
def report_workshops_csv():
    rows = reports.workshop_report()
    return Response(
        stream_with_context(reports.workshop_report_csv(rows)), mimetype="text/csv",
        headers={"Content-Disposition":
                 'attachment; filename="regio-rapportage-workshops.csv"'})

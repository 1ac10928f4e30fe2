"""The dashboard: how registration goes per meeting, and the ministry's aggregate report."""

from __future__ import annotations

from dataclasses import dataclass

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
from regio.registrations.models import ROLES, Registration
from regio.registrations.queries import counts_by, source_counts


@dataclass
class MeetingPanel:
    meeting: Meeting
    figures: reports.MeetingFigures
    roles: list[tuple[str, int]]
    sources: list[tuple[str, int]]
    per_day: list
    capacity_svg: str
    per_day_svg: str


def _panel(meeting: Meeting) -> MeetingPanel:
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
    )


@bp.get("/")
@require("manage", otherwise="organiser.checkin_start")
def dashboard():
    meetings = list_meetings()
    panels = [_panel(meeting) for meeting in meetings if not meeting.is_archived]
    now = utc_now()
    return render_template("organiser/dashboard.html", panels=panels, today=local_today(now),
                           now=now,
                           archived=[meeting for meeting in meetings if meeting.is_archived])


@bp.get("/rapportage")
@require("manage")
def report():
    rows = reports.ministry_report()
    return render_template("organiser/report.html", rows=rows,
                           totals=reports.report_totals(rows))


@bp.get("/rapportage.csv")
@require("manage")
def report_csv():
    rows = reports.ministry_report()
    return Response(
        stream_with_context(reports.report_csv(rows)), mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="regio-rapportage.csv"'})

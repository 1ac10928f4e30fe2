"""Back office: the lists of a meeting's workshops, one workshop at a time (CSV, Excel, PDF)
and the sign-in sheets per room (PDF)."""

from __future__ import annotations

from flask import Response, abort, stream_with_context
from flask_babel import gettext as _
from flask_babel import ngettext

from regio import audit
from regio.db import db, utc_now
from regio.exports import (
    SheetHeader,
    list_columns,
    pdf_columns,
    render_csv,
    render_pdf,
    render_xlsx,
    sheet_header,
)
from regio.exports.signin import Group, Section, render_sections
from regio.exports.tables import SheetText
from regio.i18n import long_date, meeting_title, meeting_tz, time_range
from regio.meetings.creation import slugify
from regio.organiser import bp
from regio.organiser.access import actor, require
from regio.organiser.loading import load_meeting
from regio.programme.lists import RoomList, room_lists, workshop_rows
from regio.programme.models import ProgrammeItem

MIMETYPES = {"csv": "text/csv",  # Flask adds "; charset=utf-8" to a text type
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "pdf": "application/pdf"}


def _workshop(meeting, item_id: int) -> ProgrammeItem:
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or item.meeting_id != meeting.id or item.round is None:
        abort(404)
    return item


def _sheet_header(meeting, item: ProgrammeItem) -> SheetHeader:
    """The presentielijst's texts for one workshop: its title, time and room."""
    header = sheet_header(meeting, rows=item.taken, now=utc_now())  # the count with a place
    where = ", ".join(part for part in (item.room, meeting.venue) if part)
    return SheetHeader(
        heading=_("Presentielijst: %(title)s", title=item.title),
        facts=f"{long_date(meeting.date)}, {time_range(item.start_time, item.end_time)} · "
              f"{where}",
        page_label=header.page_label, footer=header.footer)


@bp.get("/bijeenkomsten/<slug>/programma/<int:item_id>/deelnemers.<fmt>")
@require("manage")
def workshop_list(slug: str, item_id: int, fmt: str):
    meeting = load_meeting(slug)
    item = _workshop(meeting, item_id)
    if fmt not in MIMETYPES:
        abort(404)
    audit.record(actor(), "export.workshop", meeting.slug, now=utc_now(), item=item.id,
                 format=fmt)
    db.session.commit()  # the audit record is kept before the first byte leaves
    tz = meeting_tz()
    rows = workshop_rows(item, waiting=fmt != "pdf")  # the sheet at the door: who has a place
    header = _sheet_header(meeting, item)
    if fmt == "pdf":
        body = iter([render_pdf(rows, texts=header, columns=pdf_columns(tz, ()))])
    elif fmt == "csv":
        body = render_csv(rows, tz=tz)
    else:
        body = render_xlsx(rows, columns=list(list_columns().values()), tz=tz, text=SheetText(
            title=item.title, heading=header.heading, footer=header.footer))
    response = Response(stream_with_context(body), mimetype=MIMETYPES[fmt])
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"{workshop_file_name(meeting, item)}.{fmt}")
    return response


def workshop_file_name(meeting, item: ProgrammeItem) -> str:
    """'workshop-utrecht-2027-02-16-ronde-1-het-opp-in-de-praktijk': six downloads of one day
    stay apart in a Downloads folder, each saying which workshop it is."""
    title = slugify(item.title)
    if len(title) > 40:  # cut after a whole word
        title = title[:41].rsplit("-", 1)[0]
    title = title or str(item.id)
    return f"workshop-{meeting.slug}-{meeting.date}-ronde-{item.round}-{title}"


def _room_section(meeting, room: RoomList, now) -> Section:
    """One room's pages: its name on top, then each of its workshops with its people."""
    header = sheet_header(meeting, rows=room.people, now=now)
    where = ", ".join(part for part in (meeting.venue, meeting.city) if part)
    groups = [Group(
        heading=f"{time_range(item.start_time, item.end_time)} · "
                + _("Ronde %(round)s: %(title)s", round=item.round, title=item.title)
                + " · " + ngettext("%(num)s persoon", "%(num)s personen", len(rows)),
        rows=rows, empty=_("Nog niemand heeft een plaats in deze workshop."))
        for item, rows in room.workshops]
    return Section(
        texts=SheetHeader(
            heading=_("Presentielijst %(room)s", room=room.room or _("(nog geen zaal)")),
            facts=f"{meeting_title(meeting)} · {long_date(meeting.date)} · {where}",
            page_label=header.page_label, footer=header.footer),
        groups=groups)


@bp.get("/bijeenkomsten/<slug>/programma/zalen.pdf")
@require("manage")
def room_lists_pdf(slug: str):
    """The sign-in sheets per room: a page (or more) per room, its workshops in the order of
    the day, in each who has a place, by name."""
    meeting = load_meeting(slug)
    rooms = room_lists(meeting.id)
    if not rooms:
        abort(404)
    now = utc_now()
    audit.record(actor(), "export.rooms", meeting.slug, now=now, format="pdf",
                 rows=sum(room.people for room in rooms))
    db.session.commit()  # the audit record is kept before the first byte leaves
    tz = meeting_tz()
    body = render_sections([_room_section(meeting, room, now) for room in rooms],
                           columns=pdf_columns(tz, ()))
    response = Response(body, mimetype=MIMETYPES["pdf"])
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"presentielijst-zalen-{meeting.slug}-{meeting.date}.pdf")
    return response

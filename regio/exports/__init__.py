"""Attendance lists as CSV, XLSX and PDF, and the wishes list: from filters to bytes.

`rows` reads the database in chunks; `tables` (CSV, XLSX) and `signin` (the PDF presentielijst)
are pure builders, rows in and bytes out, so the same code writes a file for `regio export` and
streams a web response. Every export is in the audit log before its first byte leaves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _

from regio import audit
from regio.errors import DomainError
from regio.exports.rows import CHUNK_ROWS, ExportRow, Filters, count_rows, export_rows, wish_rows
from regio.exports.signin import SheetHeader, render_pdf
from regio.exports.tables import (
    HEADERS,
    Column,
    SheetText,
    neutralise,
    render_csv,
    render_xlsx,
)
from regio.i18n import long_date, meeting_title, time_range
from regio.labels import ROLE_LABELS, STATUS_LABELS, in_words, role_label, status_label
from regio.meetings.models import Meeting

__all__ = [
    "CHUNK_ROWS",
    "HEADERS",
    "ExportRow",
    "Filters",
    "SheetHeader",
    "file_name",
    "neutralise",
    "render_csv",
    "render_pdf",
    "render_xlsx",
    "start_export",
    "write_export",
]

FORMATS = ("csv", "xlsx", "pdf")
WISHES_FORMATS = ("xlsx", "pdf")
SEPARATORS = {"semicolon": ";", "comma": ","}
# Columns the presentielijst can add on request (`?kolommen=e-mail,status`), by contract name.
PDF_EXTRA = ("e-mail", "status", "bron", "aangemeld_op", "ingecheckt_op")


def separator(name: str | None) -> str:
    if not name:
        return SEPARATORS["semicolon"]
    if name not in SEPARATORS:
        raise DomainError("bad_separator", field="sep")
    return SEPARATORS[name]


def _local(tz: ZoneInfo):
    return lambda value: format_datetime(value.astimezone(tz), "d-M-y HH:mm") if value else ""


def list_columns() -> dict[str, Column]:
    """Every column of the attendance list for people, by its contract name, in order."""
    return {
        "naam": Column("name", _("Naam"), 30),
        "e-mail": Column("email", _("E-mailadres"), 32),
        "rol": Column("role", _("Rol"), 22, in_words(ROLE_LABELS)),
        "organisatie": Column("organisation", _("Organisatie"), 34),
        "status": Column("status", _("Status"), 13, in_words(STATUS_LABELS)),
        "bron": Column("source", _("Bron"), 12),
        "aangemeld_op": Column("created_at", _("Aangemeld op"), 17),
        "ingecheckt_op": Column("checked_in_at", _("Ingecheckt op"), 17),
    }


def pdf_columns(tz: ZoneInfo, extra: tuple[str, ...]) -> list[Column]:
    """Naam, organisatie, rol and handtekening, with the extra columns asked for."""
    every, local = list_columns(), _local(tz)
    columns = [Column("name", every["naam"].header, 30),
               Column("organisation", every["organisatie"].header, 30),
               Column("role", every["rol"].header, 16, every["rol"].show)]
    for name in PDF_EXTRA:
        if name in extra:
            column = every[name]
            dated = name.endswith("_op")
            columns.append(Column(column.field, column.header, 14 if dated else 20,
                                  local if dated else column.show))
    return [*columns, Column(None, _("Handtekening"), 30)]


def wish_columns() -> list[Column]:
    return [Column("name", _("Naam"), 32), Column("role", _("Rol"), 22, in_words(ROLE_LABELS)),
            Column("needs", _("Wens (toegankelijkheid, dieet)"), 70)]


def parse_extra(text: str | None) -> tuple[str, ...]:
    names = tuple(name.strip() for name in (text or "").split(",") if name.strip())
    if any(name not in PDF_EXTRA for name in names):
        raise DomainError("bad_columns", field="kolommen")
    return names


def _place(meeting: Meeting) -> str:
    parts = [meeting.venue, meeting.address]
    if not meeting.address or meeting.city.casefold() not in meeting.address.casefold():
        parts.append(meeting.city)
    return ", ".join(part for part in parts if part)


def filter_words(filters: Filters) -> str:
    """The filters in words, for a list's title: "alleen rol: ouder; zoekterm: jan"."""
    parts = []
    if filters.role:
        parts.append(_("rol: %(role)s", role=role_label(filters.role)))
    if filters.status:
        parts.append(_("status: %(status)s", status=status_label(filters.status)))
    if filters.query:
        parts.append(_("zoekterm: %(q)s", q=filters.query))
    return _("alleen %(filters)s", filters="; ".join(parts)) if parts else ""


def sheet_header(meeting: Meeting, filters: Filters | None = None, *, rows: int = 0,
                 now: datetime | None = None, heading: str | None = None) -> SheetHeader:
    tz = ZoneInfo(current_app.config["REGIO_TIMEZONE"])
    title = heading or _("Presentielijst: %(title)s", title=meeting_title(meeting))
    words = filter_words(filters) if filters else ""
    printed = format_datetime(now.astimezone(tz), "d MMMM y HH:mm") if now else ""
    return SheetHeader(
        heading=f"{title} ({words})" if words else title,
        facts=f"{long_date(meeting.date)}, {time_range(meeting.start_time, meeting.end_time)}"
              f" · {_place(meeting)}",
        page_label=_("pagina %(page)s van %(total)s", page="{page}", total="{nb}"),
        footer=_("%(rows)s personen · afgedrukt op %(when)s", rows=rows, when=printed),
    )


@dataclass
class Export:
    """An export whose filters were checked and that is in the audit log; `chunks()` makes it."""

    meeting_id: int
    fmt: str
    filters: Filters
    rows: int  # counted when the export started, as the audit log says
    sep: str
    title: str  # the spreadsheet's tab
    texts: SheetHeader
    tz: ZoneInfo
    extra: tuple[str, ...] = ()
    wishes: bool = False

    def chunks(self) -> Iterator[bytes]:
        if self.wishes:
            rows, columns = wish_rows(self.meeting_id), wish_columns()
        else:
            rows = export_rows(self.meeting_id, self.fmt, self.filters)
            columns = None
        if self.fmt == "csv":
            return render_csv(rows, tz=self.tz, sep=self.sep)
        if self.fmt == "xlsx":
            return render_xlsx(rows, columns=columns or list(list_columns().values()),
                               tz=self.tz, text=SheetText(title=self.title,
                                                          heading=self.texts.heading,
                                                          footer=self.texts.footer))
        columns = columns or pdf_columns(self.tz, self.extra)
        return iter([render_pdf(rows, texts=self.texts, columns=columns)])


def start_export(meeting: Meeting, fmt: str, *, role: str | None = None,
                 status: str | None = None, query: str | None = None, sep: str | None = None,
                 columns: str | None = None, wishes: bool = False, actor: str,
                 now: datetime) -> Export:
    """Check the filters, count the rows and record who exports what (the caller commits).

    The web commits this record before the first byte leaves, so no list goes out unlogged.
    """
    if fmt not in (WISHES_FORMATS if wishes else FORMATS):
        raise DomainError("bad_format", field="format")
    filters = Filters() if wishes else Filters.parse(role, status, query)
    chosen_sep, extra = separator(sep), parse_extra(columns)
    rows = count_rows(meeting.id, "wishes" if wishes else fmt, filters)
    details = {"format": "wishes", "file": fmt} if wishes else {"format": fmt}
    if filters.query:
        details["q"] = filters.query
    audit.record(actor, "export", meeting.slug, now=now, rows=rows, role=role or None,
                 status=status or None, **details)
    if wishes:
        heading = _("Wensen voor de locatie: %(title)s", title=meeting_title(meeting))
    elif fmt != "pdf":
        heading = _("Deelnemerslijst: %(title)s", title=meeting_title(meeting))
    else:
        heading = None
    return Export(meeting_id=meeting.id, fmt=fmt, filters=filters, rows=rows, sep=chosen_sep,
                  title=meeting.slug,
                  texts=sheet_header(meeting, filters, rows=rows, now=now, heading=heading),
                  tz=ZoneInfo(current_app.config["REGIO_TIMEZONE"]), extra=extra,
                  wishes=wishes)


def write_export(meeting: Meeting, fmt: str, handle: BinaryIO, *, role: str | None = None,
                 status: str | None = None, actor: str = "cli", now: datetime) -> int:
    """Write the attendance list to a binary file; returns the number of rows."""
    export = start_export(meeting, fmt, role=role, status=status, actor=actor, now=now)
    for chunk in export.chunks():
        handle.write(chunk)
    return export.rows


def file_name(meeting: Meeting, fmt: str, *, role: str | None = None,
              status: str | None = None, wishes: bool = False) -> str:
    """E.g. presentielijst-zwolle-2026-12-23.pdf, deelnemers-zwolle-2026-12-23-po.csv."""
    stem = "wensen" if wishes else "presentielijst" if fmt == "pdf" else "deelnemers"
    parts = (stem, meeting.slug, meeting.date.isoformat(), role, status)
    return "-".join(part for part in parts if part) + f".{fmt}"

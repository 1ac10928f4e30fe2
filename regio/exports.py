"""Attendance lists as CSV, XLSX and PDF: rows stream from the database, bytes come out.

Each renderer takes an iterator of rows (tuples of text, in `HEADERS` order) and yields bytes,
so the same code writes a file for `regio export` and streams a web response.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryFile
from typing import BinaryIO
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from regio import audit
from regio.db import db
from regio.errors import DomainError
from regio.i18n import long_date, meeting_title, time_range
from regio.meetings.models import Meeting
from regio.registrations.models import ROLES, STATUS_WORDS, Registration, Status

HEADERS = ("naam", "e-mail", "rol", "organisatie", "status", "bron", "aangemeld_op",
           "ingecheckt_op")
FORMATS = ("csv", "xlsx", "pdf")
SEPARATORS = {"semicolon": ";", "comma": ","}
CHUNK_ROWS = 500
# A cell starting with one of these is read as a formula by spreadsheets (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

_WORD_TO_STATUS = {word: status for status, word in STATUS_WORDS.items()}


def neutralise(value: str) -> str:
    """Make a text cell harmless in a spreadsheet: a formula-looking value gets a leading '."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class Filters:
    role: str | None = None
    status: str | None = None  # a Status value, not the Dutch word

    @classmethod
    def parse(cls, role: str | None, status: str | None) -> Filters:
        """Check `?rol=` and `?status=` (Dutch status words); empty means no filter."""
        if role and role not in ROLES:
            raise DomainError("bad_role", field="rol")
        if status and status not in _WORD_TO_STATUS:
            raise DomainError("bad_status", field="status")
        return cls(role=role or None, status=_WORD_TO_STATUS[status] if status else None)


def separator(name: str | None) -> str:
    if not name:
        return SEPARATORS["semicolon"]
    if name not in SEPARATORS:
        raise DomainError("bad_separator", field="sep")
    return SEPARATORS[name]


# --- rows from the database -----------------------------------------------------------------

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
    return clauses


def count_rows(meeting_id: int, fmt: str, filters: Filters) -> int:
    where = _where(meeting_id, filters, _statuses(fmt, filters))
    return db.session.execute(select(func.count()).select_from(Registration).where(*where)
                              ).scalar_one()


def _stamp(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def _queries(meeting_id: int, fmt: str, filters: Filters):
    columns = select(*_COLUMNS).execution_options(yield_per=CHUNK_ROWS)
    if fmt == "pdf":  # by name, as people look themselves up on the sheet
        where = _where(meeting_id, filters, _statuses(fmt, filters))
        yield columns.where(*where).order_by(func.lower(Registration.name), Registration.id)
        return
    for status in _statuses(fmt, filters):
        yield columns.where(*_where(meeting_id, filters, (status,))).order_by(Registration.id)


def export_rows(meeting_id: int, fmt: str, filters: Filters) -> Iterator[tuple[str, ...]]:
    """The rows in `HEADERS` order, fetched in chunks of CHUNK_ROWS (never the whole list)."""
    tz = ZoneInfo(current_app.config["REGIO_TIMEZONE"])
    for stmt in _queries(meeting_id, fmt, filters):
        for name, email, role, organisation, status, source, created, checked_in in (
                db.session.execute(stmt)):
            yield (name or "", email or "", role, organisation or "", STATUS_WORDS[status],
                   source or "", _stamp(created, tz), _stamp(checked_in, tz))


# --- CSV ------------------------------------------------------------------------------------


def render_csv(rows: Iterable[tuple[str, ...]], *, sep: str = ";") -> Iterator[bytes]:
    """UTF-8 with BOM (Excel then reads it as UTF-8), one chunk per CHUNK_ROWS rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for number, row in enumerate(rows, 1):
        writer.writerow([neutralise(cell) for cell in row])
        if number % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# --- XLSX -----------------------------------------------------------------------------------

XLSX_WIDTHS = (30, 34, 8, 30, 13, 12, 17, 17)


def render_xlsx(rows: Iterable[tuple[str, ...]], *, title: str) -> Iterator[bytes]:
    """openpyxl write-only (rows go to a temporary file as they come), then the file in chunks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(XLSX_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        # Neutralised text never starts with "=", so openpyxl stores it as a string, not a
        # formula; characters XML cannot hold would make openpyxl raise, so they are dropped.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", neutralise(cell)) or None for cell in row])
    with TemporaryFile() as spool:  # on disk: a spool in memory would grow with the list
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(64 * 1024):
            yield chunk


# --- PDF ------------------------------------------------------------------------------------

# Landscape A4 leaves 277 mm between the margins; the signature column gets what is left.
PDF_WIDTHS = (42, 46, 12, 36, 19, 14, 26, 26, 56)
PDF_ROW_HEIGHT = 8
PDF_FONT_SIZE = 7.5
# Letters and signs that Unicode does not decompose into a Latin-1 base letter.
_PLAIN = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "Ł": "L",
          "ł": "l", "Đ": "D", "đ": "d", "Œ": "OE", "œ": "oe", "ı": "i", "€": "EUR"}


def _without_controls(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)


def latin1(text: str) -> str:
    """For the core font: keep Latin-1, strip accents from the rest, '?' for what remains."""
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or _PLAIN.get(char, "?"))
    return "".join(out)


@dataclass
class SheetHeader:
    """The texts around the table, made in the reader's language before fpdf2 runs."""

    heading: str
    facts: str
    page_label: str  # with {page} and fpdf2's page-count alias {nb}


def sheet_header(meeting: Meeting) -> SheetHeader:
    place = ", ".join(part for part in (meeting.venue, meeting.address, meeting.city) if part)
    when = time_range(meeting.start_time, meeting.end_time)
    return SheetHeader(
        heading=_("Presentielijst: %(title)s", title=meeting_title(meeting)),
        facts=f"{long_date(meeting.date)}, {when} · {place}",
        page_label=_("pagina %(page)s van %(total)s", page="{page}", total="{nb}"),
    )


def _sheet_class():
    from fpdf import FPDF

    class SignInSheet(FPDF):
        def __init__(self, texts: SheetHeader, font_dir: Path):
            super().__init__(orientation="landscape", format="A4", unit="mm")
            self.texts = texts
            self.char_widths: dict[str, float] = {}
            self.set_margins(10, 10, 10)
            self.set_auto_page_break(auto=True, margin=14)
            regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
            if regular.exists() and bold.exists():
                self.add_font("DejaVu", "", str(regular))
                self.add_font("DejaVu", "B", str(bold))
                self.face, self.clean, self.ellipsis = "DejaVu", str, "…"
            else:
                self.face, self.clean, self.ellipsis = "Helvetica", latin1, "..."

        def header(self):
            self.set_font(self.face, "B", 13)
            self.cell(0, 7, self.clean(self.texts.heading), new_x="LMARGIN", new_y="NEXT")
            self.set_font(self.face, "", 9)
            self.cell(0, 5, self.clean(self.texts.facts), new_x="LMARGIN", new_y="NEXT")
            self.ln(2)
            self.set_font(self.face, "B", PDF_FONT_SIZE)
            for text, width in zip((*HEADERS, "handtekening"), PDF_WIDTHS, strict=True):
                self.cell(width, 6, text, border=1)
            self.ln()
            self.set_font(self.face, "", PDF_FONT_SIZE)

        def footer(self):
            self.set_y(-10)
            self.set_font(self.face, "", 8)
            label = self.texts.page_label.replace("{page}", str(self.page_no()))
            self.cell(0, 5, self.clean(label), align="C")

        def width_of(self, text: str) -> float:
            # Summed per-character widths: fpdf2's get_string_width is too slow per cell
            # (no kerning is applied by text(), so the sum is exact).
            widths = self.char_widths
            total = 0.0
            for char in text:
                if char not in widths:
                    widths[char] = self.get_string_width(char)
                total += widths[char]
            return total

        def fit(self, text: str, width: float) -> str:
            """The text, cut short with an ellipsis when it does not fit the column."""
            room = width - 2 * self.c_margin
            text = self.clean(_without_controls(text))
            if self.width_of(text) <= room:
                return text
            room -= self.width_of(self.ellipsis)
            used = 0.0
            for end, char in enumerate(text):
                used += self.char_widths[char]
                if used > room:
                    return text[:end] + self.ellipsis
            return text

        def row(self, cells: tuple[str, ...]) -> None:
            """One bordered table row; text() and rect() instead of cell(), which is ten times
            slower and made the 20,000-row sheet take minutes."""
            if self.will_page_break(PDF_ROW_HEIGHT):
                self.add_page()
            x, y = self.l_margin, self.get_y()
            baseline = y + PDF_ROW_HEIGHT / 2 + 0.3 * self.font_size
            for text, width in zip(cells, PDF_WIDTHS, strict=True):
                self.rect(x, y, width, PDF_ROW_HEIGHT)
                if text:
                    self.text(x + self.c_margin, baseline, self.fit(text, width))
                x += width
            self.set_y(y + PDF_ROW_HEIGHT)

    return SignInSheet


def render_pdf(rows: Iterable[tuple[str, ...]], *, texts: SheetHeader,
               font_dir: Path = FONT_DIR) -> Iterator[bytes]:
    """A printable presentielijst; fpdf2 builds the document in memory, so it comes at the end."""
    pdf = _sheet_class()(texts, font_dir)
    pdf.add_page()
    for row in rows:
        pdf.row((*row, ""))
    yield bytes(pdf.output())


# --- one export, from filters to bytes and the audit log ------------------------------------


@dataclass
class Export:
    """An export whose filters were checked and that is in the audit log; `chunks()` makes it."""

    meeting_id: int
    fmt: str
    filters: Filters
    rows: int  # counted when the export started, as the audit log says
    sep: str
    title: str
    texts: SheetHeader | None

    def chunks(self) -> Iterator[bytes]:
        rows = export_rows(self.meeting_id, self.fmt, self.filters)
        if self.fmt == "csv":
            return render_csv(rows, sep=self.sep)
        if self.fmt == "xlsx":
            return render_xlsx(rows, title=self.title)
        return render_pdf(rows, texts=self.texts)


def start_export(meeting: Meeting, fmt: str, *, role: str | None = None,
                 status: str | None = None, sep: str | None = None, actor: str,
                 now: datetime) -> Export:
    """Check the filters, count the rows and record who exports what (the caller commits).

    The web commits this record before the first byte leaves, so no list goes out unlogged.
    """
    if fmt not in FORMATS:
        raise DomainError("bad_format", field="format")
    filters = Filters.parse(role, status)
    chosen_sep = separator(sep)
    rows = count_rows(meeting.id, fmt, filters)
    audit.record(actor, "export", meeting.slug, now=now, format=fmt, rows=rows,
                 role=role or None, status=status or None)
    return Export(meeting_id=meeting.id, fmt=fmt, filters=filters, rows=rows, sep=chosen_sep,
                  title=meeting.slug, texts=sheet_header(meeting) if fmt == "pdf" else None)


def write_export(meeting: Meeting, fmt: str, handle: BinaryIO, *, role: str | None = None,
                 status: str | None = None, actor: str = "cli", now: datetime) -> int:
    """Write the attendance list to a binary file; returns the number of rows."""
    export = start_export(meeting, fmt, role=role, status=status, actor=actor, now=now)
    for chunk in export.chunks():
        handle.write(chunk)
    return export.rows


def file_name(meeting: Meeting, fmt: str, *, role: str | None = None,
              status: str | None = None) -> str:
    """E.g. presentielijst-zwolle-2026-12-23.pdf, deelnemers-zwolle-2026-12-23-po.csv."""
    stem = "presentielijst" if fmt == "pdf" else "deelnemers"
    parts = (stem, meeting.slug, meeting.date.isoformat(), role, status)
    return "-".join(part for part in parts if part) + f".{fmt}"

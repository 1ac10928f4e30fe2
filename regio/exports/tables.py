"""CSV and XLSX: pure builders, rows in, bytes out, streaming.

The CSV is for machines and keeps the contract's headers and codes (DESIGN §3), with text that
could start a formula neutralised. The XLSX is for people: written-out headers, typed cells
(dates are dates in the meetings' time zone), and a sheet that prints.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from tempfile import TemporaryFile
from zoneinfo import ZoneInfo

from regio.exports.rows import CHUNK_ROWS, ExportRow
from regio.registrations.models import STATUS_WORDS

HEADERS = ("naam", "e-mail", "rol", "organisatie", "status", "bron", "aangemeld_op",
           "ingecheckt_op")
# A cell starting with one of these is read as a formula by spreadsheets (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Make a text cell harmless in a spreadsheet: a formula-looking value gets a leading '."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _stamp(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_cells(row: ExportRow, tz: ZoneInfo) -> list[str]:
    return [neutralise(row.name), neutralise(row.email), row.role, neutralise(row.organisation),
            STATUS_WORDS[row.status], neutralise(row.source), _stamp(row.created_at, tz),
            _stamp(row.checked_in_at, tz)]


def render_csv(rows: Iterable[ExportRow], *, tz: ZoneInfo, sep: str = ";") -> Iterator[bytes]:
    """UTF-8 with BOM (Excel then reads it as UTF-8), one chunk per CHUNK_ROWS rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for number, row in enumerate(rows, 1):
        writer.writerow(csv_cells(row, tz))
        if number % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Column:
    """One column of a list for people: the row's field, its header, its width (characters in
    a spreadsheet, a share of the page in a PDF), and how to show a value (a code written out).
    """

    field: str | None  # None: an empty column (the signature)
    header: str
    width: float
    show: Callable[[object], object] = lambda value: value


@dataclass(frozen=True)
class SheetText:
    """What a sheet says besides its rows, made in the reader's language before writing."""

    title: str  # the sheet's tab (at most 31 characters are kept)
    heading: str  # printed at the top of every page
    footer: str  # printed at the bottom of every page, e.g. the date of printing


DATE_FORMAT = "dd-mm-yyyy hh:mm"
# What XML cannot hold, as openpyxl's ILLEGAL_CHARACTERS_RE (openpyxl is imported late).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _value(value, tz: ZoneInfo):
    if isinstance(value, datetime):
        # Excel has no time zones: the local time of the meeting, as people read it.
        return value.astimezone(tz).replace(tzinfo=None)
    if isinstance(value, str):
        # An XLSX text cell is never a formula, so nothing is added; characters XML cannot
        # hold would make openpyxl raise, so they are dropped.
        return _ILLEGAL.sub("", value) or None
    return value


def render_xlsx(rows: Iterable[tuple], *, columns: Sequence[Column], text: SheetText,
                tz: ZoneInfo) -> Iterator[bytes]:
    """openpyxl write-only (rows go to a temporary file as they come), then the file in chunks.

    Typed cells, a frozen bold header with an autofilter, and a print setup: landscape, one
    page wide, the header row on every page.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(text.title))
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    sheet.oddHeader.center.text = _header_text(text.heading)
    sheet.oddFooter.left.text = _header_text(text.footer)
    sheet.oddFooter.right.text = "&P / &N"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    dated = WriteOnlyCell(sheet, value=datetime(2000, 1, 1))
    dated.number_format = DATE_FORMAT
    count = 0
    for row in rows:
        cells = []
        for column in columns:
            value = _value(column.show(getattr(row, column.field)), tz)
            if isinstance(value, datetime):
                value = WriteOnlyCell(sheet, value=value)
                value._style = dated._style  # one style for every date: set once, not per cell
            elif isinstance(value, str) and value.startswith("="):
                value = WriteOnlyCell(sheet, value=value)
                value.data_type = "s"  # text as text: openpyxl would write a formula
            cells.append(value)  # plain values need no cell object: a third of the time
        sheet.append(cells)
        count += 1
    sheet.auto_filter = AutoFilter(ref=f"A1:{get_column_letter(len(columns))}{count + 1}")
    with TemporaryFile() as spool:  # on disk: a spool in memory would grow with the list
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(64 * 1024):
            yield chunk


def _sheet_title(title: str) -> str:
    """Excel's rules for a tab: at most 31 characters, none of []:*?/\\, and no apostrophe
    at either end; cut after a word, the tab does not end in a space."""
    name = "".join(c for c in title if c not in "[]:*?/\\")[:31]
    return name.strip().strip("'").strip() or "lijst"


def _header_text(text: str) -> str:
    return text.replace("&", "&&")[:250]  # "&" starts a code in Excel's header language

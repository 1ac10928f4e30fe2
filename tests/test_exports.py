"""Attendance exports: each format read back with its own reader, filters, access, audit, CLI."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import insert, select

from regio.accounts import sessions
from regio.audit import AuditEvent
from regio.db import db
from regio.exports import (
    CHUNK_ROWS,
    HEADERS,
    ExportRow,
    Filters,
    SheetHeader,
    neutralise,
    render_csv,
    render_pdf,
    write_export,
)
from regio.exports.tables import Column
from regio.i18n import long_date
from regio.registrations.models import Registration, Status
from regio.registrations.search import keys_for
from regio.registrations.services import Applicant, confirm_address, find_by_token, register

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TRICKY = ['=HYPERLINK("http://x")', "@SUM(1)", "+31 6 12345678", "-1", "\tTabbed"]
SIGNED_UP = datetime(2026, 4, 10, 10, 0, tzinfo=UTC)  # 12:00 in Amsterdam (summer time)
# email-validator refuses the special-use .test domain for accounts.
ORGANISER_EMAIL = "organiser@example.org"


def add_registrations(meeting, people):
    """Insert registrations in bulk; each person is a dict of Registration fields."""
    rows = []
    for number, person in enumerate(people):
        row = {"meeting_id": meeting.id, "uid": f"{meeting.slug}-{number}@regio.test",
               "status": Status.CONFIRMED, "role": "po", "created_at": SIGNED_UP}
        row.update(person)
        if "name" in row and "email" not in row:
            row["email"] = f"person{number}@school.test"
        # A bulk INSERT skips the ORM's events, so the derived keys are given here.
        row.update(keys_for(row.get("name"), row.get("email"), row.get("organisation")))
        rows.append(row)
    db.session.execute(insert(Registration), rows)
    db.session.commit()


def login(client, account):
    with client.session_transaction() as session:
        session["_user_id"] = account.get_id()
        session["_fresh"] = True
        sessions.start(session, now=time.time())  # a session without its login time is over


def read_csv(data: bytes, sep: str = ";") -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=sep))


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def export_bytes(meeting, fmt, **filters) -> tuple[int, bytes]:
    handle = io.BytesIO()
    rows = write_export(meeting, fmt, handle, now=datetime.now(UTC), **filters)
    return rows, handle.getvalue()


@pytest.fixture
def zwolle(meetings):
    return meetings["zwolle"]


@pytest.fixture
def organiser_client(client, make_organiser):
    login(client, make_organiser("organiser", ORGANISER_EMAIL))
    return client


@pytest.mark.parametrize("value", [*TRICKY, "\rCarriage", "=1+1"])
def test_formula_looking_text_gets_a_leading_quote(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Jan de Vries", "", "'quoted", "Zoë (30)", "a=b"])
def test_plain_text_is_left_alone(value):
    assert neutralise(value) == value


def test_csv_reads_back_with_headers_and_neutralised_cells(zwolle):
    add_registrations(zwolle, [{"name": name, "organisation": name, "source": "poster",
                                "checked_in_at": SIGNED_UP} for name in TRICKY])
    rows, data = export_bytes(zwolle, "csv")
    table = read_csv(data)
    assert rows == len(TRICKY)
    assert table[0] == list(HEADERS)
    assert [row[0] for row in table[1:]] == ["'" + name for name in TRICKY]
    assert [row[3] for row in table[1:]] == ["'" + name for name in TRICKY]
    first = dict(zip(HEADERS, table[1], strict=True))
    assert first["rol"] == "po"
    assert first["status"] == "bevestigd"
    assert first["bron"] == "poster"
    assert first["aangemeld_op"] == "2026-04-10 12:00"
    assert first["ingecheckt_op"] == "2026-04-10 12:00"


def test_registration_through_the_services_shows_up_with_its_status(zwolle, now):
    confirmed = register(zwolle.id, Applicant(name="Anna Smit", email="anna@school.test",
                                           role="vo", organisation="Het Lyceum"), now=now)
    link, _registration = find_by_token(confirmed.token)
    confirm_address(link, now=now)
    register(zwolle.id, Applicant(name="Bram Bos", email="bram@school.test", role="ouder"), now=now)
    db.session.commit()
    table = read_csv(export_bytes(zwolle, "csv")[1])
    found = {row[0]: row for row in table[1:]}
    assert found["Anna Smit"][1:5] == ["anna@school.test", "vo", "Het Lyceum", "bevestigd"]
    assert found["Bram Bos"][4] == "onbevestigd"


def test_csv_streams_in_chunks(zwolle):
    rows = [ExportRow("Jan", "jan@x.test", "po", "", "confirmed", "", None, None)] * (
        2 * CHUNK_ROWS + 1)
    chunks = list(render_csv(iter(rows), tz=AMSTERDAM))
    assert len(chunks) == 3
    assert len(read_csv(b"".join(chunks))) == 2 * CHUNK_ROWS + 2


XLSX_HEADERS = ["Naam", "E-mailadres", "Rol", "Organisatie", "Status", "Bron", "Aangemeld op",
                "Ingecheckt op"]


def test_xlsx_text_is_exact_text_never_a_formula(zwolle):
    add_registrations(zwolle, [{"name": name, "organisation": name} for name in TRICKY]
                      + [{"name": "Control\x01char", "organisation": None}])
    rows, data = export_bytes(zwolle, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    table = list(sheet.iter_rows())
    assert rows == len(TRICKY) + 1
    assert [cell.value for cell in table[0]] == XLSX_HEADERS
    assert table[0][0].font.b
    assert sheet.column_dimensions["A"].width >= 20
    for row, name in zip(table[1:], TRICKY, strict=False):
        for cell in (row[0], row[3]):
            assert cell.value == name  # no added quote: an XLSX text cell is never a formula
            assert cell.data_type == "s"
    assert table[-1][0].value == "Controlchar"


def test_xlsx_has_typed_dates_and_prints_on_one_page_wide(zwolle):
    add_registrations(zwolle, [{"name": "Anna", "role": "ouder", "checked_in_at": SIGNED_UP}])
    sheet = load_workbook(io.BytesIO(export_bytes(zwolle, "xlsx")[1])).active
    anna = [cell for cell in next(sheet.iter_rows(min_row=2))]
    assert anna[2].value == "ouder" and anna[4].value == "bevestigd"
    assert anna[6].value == datetime(2026, 4, 10, 12, 0)  # Amsterdam time, a real date
    assert anna[6].is_date and anna[7].value == datetime(2026, 4, 10, 12, 0)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_pdf_lists_confirmed_attendees_sorted_by_name(zwolle):
    add_registrations(zwolle, [
        {"name": "cees Claassen", "organisation": "Basisschool De Linde", "role": "po"},
        {"name": "Anna Aalders", "organisation": "=HYPERLINK(\"http://x\")", "role": "vo"},
        {"name": "Bram Bakker", "role": "ouder"},
        {"name": "Wim Wachter", "status": Status.WAITING},
        {"name": "Ada Afgemeld", "status": Status.CANCELLED},
    ])
    rows, data = export_bytes(zwolle, "pdf")
    (text,) = pdf_pages(data)
    assert rows == 3
    assert zwolle.title in text
    assert long_date(zwolle.date) in text
    assert zwolle.venue in text
    assert "Naam Organisatie Rol Handtekening" in text
    assert "person0@school.test" not in text  # the address only on request
    assert text.index("Anna Aalders") < text.index("Bram Bakker") < text.index("cees Claassen")
    assert '=HYPERLINK("http://x")' in text
    assert "Wim Wachter" not in text
    assert "Ada Afgemeld" not in text
    assert "pagina 1 van 1" in text


def test_pdf_repeats_the_table_header_and_numbers_every_page(zwolle):
    add_registrations(zwolle, [{"name": f"Deelnemer {n:03d}"} for n in range(60)])
    pages = pdf_pages(export_bytes(zwolle, "pdf")[1])
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        assert "Handtekening" in text
        assert zwolle.title in text
        assert f"pagina {number} van {len(pages)}" in text
    assert "Deelnemer 000" in pages[0]
    assert "Deelnemer 059" in pages[-1]


def test_pdf_falls_back_to_the_core_font_without_any_unicode_font(tmp_path):
    texts = SheetHeader(heading="Presentielijst: Łódź", facts="maandag 1 juni 2026, 13:00–16:00",
                        page_label="pagina {page} van {nb}")
    row = ExportRow("Zoë Łukasiewicz", "zoe@x.test", "po", "Škola", "confirmed", "", None, None)
    columns = [Column("name", "Naam", 30), Column("organisation", "Organisatie", 30)]
    data = render_pdf(iter([row]), texts=texts, columns=columns, font_root=tmp_path)
    text = pdf_pages(data)[0]
    assert "Zoë Lukasiewicz" in text
    assert "Skola" in text
    assert "13:00-16:00" in text
    assert "pagina 1 van 1" in text


def test_default_export_leaves_out_erased_rows(zwolle):
    add_registrations(zwolle, [{"name": "Anna"}, {"status": Status.ERASED, "role": "go"}])
    assert [row[0] for row in read_csv(export_bytes(zwolle, "csv")[1])[1:]] == ["Anna"]
    table = read_csv(export_bytes(zwolle, "csv", status="verwijderd")[1])
    assert [row[2:5] for row in table[1:]] == [["go", "", "verwijderd"]]


def test_unknown_filters_are_domain_errors():
    with pytest.raises(Exception) as role_error:
        Filters.parse("docent", None)
    assert role_error.value.code == "bad_role"
    with pytest.raises(Exception) as status_error:
        Filters.parse(None, "confirmed")
    assert status_error.value.code == "bad_status"
    assert Filters.parse("po", "wachtlijst") == Filters(role="po", status=Status.WAITING)


# --- the web routes ---------------------------------------------------------------------------

URL = "/beheer/bijeenkomsten/zwolle/deelnemers.{fmt}"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, zwolle, fmt):
    response = client.get(URL.format(fmt=fmt))
    assert response.status_code == 302
    assert "/beheer/inloggen" in response.headers["Location"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_door_staff_may_not_export(client, zwolle, make_organiser, fmt):
    login(client, make_organiser("checkin", "door@example.org"))
    assert client.get(URL.format(fmt=fmt)).status_code == 403


@pytest.mark.parametrize(("fmt", "mimetype", "name"), [
    ("csv", "text/csv", "deelnemers-zwolle-{date}.csv"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "deelnemers-zwolle-{date}.xlsx"),
    ("pdf", "application/pdf", "presentielijst-zwolle-{date}.pdf"),
])
def test_organiser_downloads_each_format(organiser_client, zwolle, fmt, mimetype, name):
    add_registrations(zwolle, [{"name": "Anna"}])
    response = organiser_client.get(URL.format(fmt=fmt))
    assert response.status_code == 200
    assert response.mimetype == mimetype
    expected = name.format(date=zwolle.date.isoformat())
    assert response.headers["Content-Disposition"] == f"attachment; filename={expected}"
    assert response.headers["Cache-Control"] == "no-store"
    assert len(response.get_data()) > 100


def test_csv_response_is_streamed(organiser_client, zwolle):
    response = organiser_client.get(URL.format(fmt="csv"))
    assert response.is_streamed
    assert read_csv(response.get_data())[0] == list(HEADERS)


def test_comma_separator_on_request(organiser_client, zwolle):
    add_registrations(zwolle, [{"name": "Vries, Jan de"}])
    table = read_csv(organiser_client.get(URL.format(fmt="csv") + "?sep=comma").get_data(),
                     sep=",")
    assert table[0] == list(HEADERS)
    assert table[1][0] == "Vries, Jan de"


def test_role_and_status_filters(organiser_client, zwolle):
    add_registrations(zwolle, [
        {"name": "Po Bevestigd", "role": "po"},
        {"name": "Vo Bevestigd", "role": "vo"},
        {"name": "Po Wachtend", "role": "po", "status": Status.WAITING},
    ])

    def names(query):
        data = organiser_client.get(URL.format(fmt="csv") + query).get_data()
        return sorted(row[0] for row in read_csv(data)[1:])

    assert names("") == ["Po Bevestigd", "Po Wachtend", "Vo Bevestigd"]
    assert names("?rol=po") == ["Po Bevestigd", "Po Wachtend"]
    assert names("?status=wachtlijst") == ["Po Wachtend"]
    assert names("?rol=po&status=bevestigd") == ["Po Bevestigd"]
    sheet = load_workbook(io.BytesIO(organiser_client.get(
        URL.format(fmt="xlsx") + "?rol=vo").get_data())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Vo Bevestigd"]
    (text,) = pdf_pages(organiser_client.get(URL.format(fmt="pdf") + "?rol=po").get_data())
    assert "Po Bevestigd" in text
    assert "Po Wachtend" not in text
    assert "Vo Bevestigd" not in text


@pytest.mark.parametrize(("fmt", "query", "words"), [
    ("csv", "?rol=docent", "Onbekende rol"),
    ("xlsx", "?status=confirmed", "Onbekende status"),
    ("pdf", "?status=geweest", "Onbekende status"),
    ("csv", "?sep=tab", "scheidingsteken"),
])
def test_unknown_filters_answer_400_in_dutch(organiser_client, zwolle, fmt, query, words):
    response = organiser_client.get(URL.format(fmt=fmt) + query)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).first() \
        is None


def test_unknown_meeting_is_404(organiser_client, meetings):
    assert organiser_client.get("/beheer/bijeenkomsten/atlantis/deelnemers.csv").status_code == 404


def test_every_web_export_is_in_the_audit_log(organiser_client, zwolle):
    add_registrations(zwolle, [{"name": f"P{n}", "role": "po"} for n in range(4)]
                      + [{"name": "V", "role": "vo"}])
    organiser_client.get(URL.format(fmt="xlsx") + "?rol=po&status=bevestigd").get_data()
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")
                               ).scalar_one()
    assert event.actor == ORGANISER_EMAIL
    assert event.subject == "zwolle"
    assert event.details == {"format": "xlsx", "rows": 4, "role": "po", "status": "bevestigd"}


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_cli_export_writes_the_file_and_the_audit_log(runner, zwolle, tmp_path, fmt):
    add_registrations(zwolle, [{"name": "Anna"}, {"name": "Bram"}])
    target = tmp_path / f"lijst.{fmt}"
    result = runner.invoke(args=["export", "zwolle", "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"wrote 2 rows to {target}" in result.output
    data = target.read_bytes()
    if fmt == "csv":
        assert [row[0] for row in read_csv(data)[1:]] == ["Anna", "Bram"]
    elif fmt == "xlsx":
        assert load_workbook(io.BytesIO(data)).active.max_row == 3
    else:
        assert "Bram" in pdf_pages(data)[0]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")
                               ).scalar_one()
    assert (event.actor, event.subject, event.details["rows"]) == ("cli", "zwolle", 2)


def test_cli_export_refuses_an_unknown_status(runner, zwolle, tmp_path):
    result = runner.invoke(args=["export", "zwolle", "--format", "csv", "-o",
                                 str(tmp_path / "x.csv"), "--status", "gone"])
    assert result.exit_code != 0
    assert "bad_status --status" in result.output


def test_lists_show_confirmed_first_then_each_status_in_registration_order(zwolle):
    add_registrations(zwolle, [
        {"name": "Wachtend 1", "status": Status.WAITING},
        {"name": "Bevestigd 1"},
        {"name": "Onbevestigd 1", "status": Status.HELD},
        {"name": "Afgemeld 1", "status": Status.CANCELLED},
        {"name": "Bevestigd 2"},
    ])
    table = read_csv(export_bytes(zwolle, "csv")[1])
    assert [row[0] for row in table[1:]] == ["Bevestigd 1", "Bevestigd 2", "Onbevestigd 1",
                                            "Wachtend 1", "Afgemeld 1"]

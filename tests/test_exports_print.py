"""Lists as people use them: a presentielijst in every script, spreadsheets that print, the
list's search and filters followed, the wishes list for the venue."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from regio.audit import AuditEvent
from regio.db import db
from regio.exports import ExportRow, SheetHeader, render_pdf
from regio.exports.signin import FONT_ROOT, MISSING, find_fonts
from regio.exports.tables import Column
from tests.test_exports import URL, add_registrations, login

NAMES = {
    "latin": "Zoë Ångström-Ødegård",
    "turkish": "Ünal Çelik Ağaoğlu",
    "polish": "Łukasz Wiśniewski",
    "cyrillic": "Алексей Смирнов",
    "greek": "Γιώργος Παπαδόπουλος",
    "arabic": "محمد العلي",
    "hebrew": "דוד כהן",
    "chinese": "王小明",
    "japanese": "山田太郎",
    "vietnamese": "Nguyễn Thị Minh Khai",
}
LONG_ORGANISATION = ("Samenwerkingsverband Passend Onderwijs Voortgezet Onderwijs "
                     "Regio Zwolle en Omstreken, afdeling Ondersteuning en Advies (SWV VO)")[:120]
needs_noto = pytest.mark.skipif(find_fonts(FONT_ROOT).fallbacks == (),
                                reason="Debian's Noto fonts are not installed")
COLUMNS = [Column("name", "Naam", 30), Column("organisation", "Organisatie", 30),
           Column("role", "Rol", 16), Column(None, "Handtekening", 30)]
TEXTS = SheetHeader(heading="Presentielijst: Zwolle", facts="woensdag 10 april 2024",
                    page_label="pagina {page} van {nb}", footer="10 personen")


def sheet(names, organisation: str = "") -> bytes:
    rows = [ExportRow(name, "", "po", organisation, "confirmed", "", None, None)
            for name in names]
    return render_pdf(iter(rows), texts=TEXTS, columns=COLUMNS)


def plain(text: str) -> str:
    """Extracted text without spaces, Arabic presentation forms read as letters (NFKC), and
    without the NULs pypdf puts before glyphs from a collection font (poppler shows none)."""
    return "".join(unicodedata.normalize("NFKC", text.replace("\x00", "")).split())


@needs_noto
def test_every_script_is_in_the_pdf_as_text():
    text = plain(PdfReader(io.BytesIO(sheet(NAMES.values()))).pages[0].extract_text())
    missing = []
    for script, name in NAMES.items():
        words = name.split()
        if script in ("arabic", "hebrew"):  # drawn right to left: each word is there
            found = all(plain(word) in text or plain(word)[::-1] in text for word in words)
        else:
            found = plain(name) in text
        if not found:
            missing.append(script)
    assert missing == []
    assert MISSING not in text


@needs_noto
def test_a_character_no_font_has_is_marked_visibly():
    text = PdfReader(io.BytesIO(sheet(["Anna \U000e0041\U0010fffd Smit"]))).pages[0].extract_text()
    assert MISSING in text and "Anna" in text


@needs_noto
def test_long_values_wrap_instead_of_being_cut():
    long_name = "Maria Magdalena Johanna Wilhelmina van Oldenbarnevelt-Scheepmaker tot Zuylen"
    text = PdfReader(io.BytesIO(sheet([long_name], LONG_ORGANISATION))).pages[0].extract_text()
    assert "…" not in text and "..." not in text
    assert plain(long_name) in plain(text)
    assert plain(LONG_ORGANISATION) in plain(text)


@needs_noto
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_no_name_cell_is_blank_on_the_rendered_page(tmp_path):
    from PIL import Image

    (tmp_path / "sheet.pdf").write_bytes(sheet(NAMES.values()))
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", "-f", "1", "-l", "1",
                    str(tmp_path / "sheet.pdf"), str(tmp_path / "page")], check=True)
    (image_path,) = tmp_path.glob("page*.png")
    image = Image.open(image_path).convert("L")
    mm = 100 / 25.4
    # The name column runs from the left margin to 30/106 of the 277 mm between margins; each
    # row is at least 9 mm high, below the heading, facts and the table's header row.
    left, right = int(10 * mm) + 3, int((10 + 277 * 30 / 106) * mm) - 3
    top = _first_row_top(image, left)
    for number in range(len(NAMES)):
        box = (left, int(top + number * 9 * mm) + 3, right, int(top + (number + 1) * 9 * mm) - 3)
        dark = sum(image.crop(box).histogram()[:128])
        assert dark > 20, f"row {number + 1} ({list(NAMES)[number]}) is blank"


def _first_row_top(image, left: int) -> float:
    """The y of the line under the table's header row: the second long horizontal line."""
    lines, width = [], image.width
    for y in range(image.height // 2):
        row = [image.getpixel((x, y)) for x in range(left, width - left, 4)]
        long_line = sum(value < 128 for value in row) > 0.9 * len(row)
        if long_line and (not lines or y - lines[-1] > 2):
            lines.append(y)
    return lines[1]


# --- through the web ---------------------------------------------------------------------


@pytest.fixture
def zwolle(meetings):
    return meetings["zwolle"]


@pytest.fixture
def organiser_client(client, make_organiser):
    login(client, make_organiser("organiser", "organiser@example.org"))
    return client


def test_the_pdf_says_its_filter_count_and_print_date(organiser_client, zwolle):
    add_registrations(zwolle, [{"name": "Olga Ouder", "role": "ouder"},
                               {"name": "Piet Po", "role": "po"}])
    data = organiser_client.get(URL.format(fmt="pdf") + "?rol=ouder").get_data()
    (text,) = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    assert "(alleen rol: ouder)" in text
    assert "1 personen · afgedrukt op" in text and str(datetime.now(UTC).year) in text
    assert "Olga Ouder" in text and "Piet Po" not in text
    assert "Naam Organisatie Rol Handtekening" in text


def test_the_pdf_adds_columns_on_request(organiser_client, zwolle):
    add_registrations(zwolle, [{"name": "Anna", "email": "anna@school.test"}])
    data = organiser_client.get(URL.format(fmt="pdf") + "?kolommen=e-mail,status").get_data()
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "E-mailadres" in text and "anna@school.test" in text and "bevestigd" in text
    refused = organiser_client.get(URL.format(fmt="pdf") + "?kolommen=geboortedatum")
    assert refused.status_code == 400 and "Onbekende kolom" in refused.get_data(as_text=True)


def test_exports_follow_the_lists_search(organiser_client, zwolle):
    add_registrations(zwolle, [{"name": "Ünal Çelik"}, {"name": "Anna Smit"}])
    csv_text = organiser_client.get(URL.format(fmt="csv") + "?q=unal").get_data(as_text=True)
    assert "Ünal Çelik" in csv_text and "Anna Smit" not in csv_text
    book = load_workbook(io.BytesIO(organiser_client.get(
        URL.format(fmt="xlsx") + "?q=SMIT").get_data()))
    assert [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)] == ["Anna Smit"]
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert event.details["q"] == "SMIT"


def test_the_meeting_page_links_exports_with_its_filters(organiser_client, zwolle):
    page = organiser_client.get("/beheer/bijeenkomsten/zwolle?q=anna&rol=po").get_data(
        as_text=True)
    assert "deelnemers.csv?q=anna&amp;rol=po" in page
    assert "deelnemers.pdf?q=anna&amp;rol=po" in page


def test_csv_has_one_charset(organiser_client, zwolle):
    response = organiser_client.get(URL.format(fmt="csv"))
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_wishes_list_has_confirmed_attendees_with_a_wish_only(organiser_client, zwolle):
    from regio.registrations.models import Status

    add_registrations(zwolle, [
        {"name": "Rolstoel Rianne", "role": "ouder", "needs": "rolstoel, lift nodig"},
        {"name": "Zonder Wens", "needs": None},
        {"name": "Leeg Veld", "needs": ""},
        {"name": "Wachtende Wim", "needs": "glutenvrij", "status": Status.WAITING},
        {"name": "Vega Vera", "role": "vo", "needs": "=vegetarisch"},
    ])
    response = organiser_client.get("/beheer/bijeenkomsten/zwolle/wensen.xlsx")
    assert response.status_code == 200
    assert "wensen-zwolle-" in response.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(
        values_only=True))
    assert rows == [("Naam", "Rol", "Wens (toegankelijkheid, dieet)"),
                    ("Rolstoel Rianne", "ouder", "rolstoel, lift nodig"),
                    ("Vega Vera", "voortgezet onderwijs", "=vegetarisch")]
    pdf = organiser_client.get("/beheer/bijeenkomsten/zwolle/wensen.pdf").get_data()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Wensen voor de locatie" in text and "rolstoel, lift nodig" in text
    assert "Wachtende Wim" not in text
    formats = [e.details for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "export")).scalars()]
    assert formats == [{"format": "wishes", "file": "xlsx", "rows": 2, "role": None,
                        "status": None},
                       {"format": "wishes", "file": "pdf", "rows": 2, "role": None,
                        "status": None}]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_every_column_on_the_first_page(organiser_client, zwolle, tmp_path):
    add_registrations(zwolle, [{"name": f"Deelnemer {n}", "organisation": LONG_ORGANISATION,
                                "source": "poster", "checked_in_at": datetime.now(UTC)}
                               for n in range(40)])
    (tmp_path / "lijst.xlsx").write_bytes(organiser_client.get(URL.format(fmt="xlsx")).get_data())
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "lijst.xlsx")],
                   check=True, capture_output=True, timeout=180)
    first = PdfReader(str(tmp_path / "lijst.pdf")).pages[0].extract_text()
    for header in ("Naam", "E-mailadres", "Rol", "Organisatie", "Status", "Bron", "Aangemeld op",
                   "Ingecheckt op"):
        assert header in first


def test_the_place_names_the_city_once(app, zwolle):
    from regio.exports import sheet_header

    zwolle.address = "Stationsweg 12, 8011 CZ Zwolle"
    assert sheet_header(zwolle).facts.endswith("De Nieuwe Buitensociëteit, Stationsweg 12, "
                                               "8011 CZ Zwolle")
    zwolle.address = "Stationsweg 12"
    assert sheet_header(zwolle).facts.endswith("Stationsweg 12, Zwolle")

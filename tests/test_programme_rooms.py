"""The sign-in sheets per room: a page per room, its workshops, who has a place, by name,
in any script."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from regio.audit import AuditEvent
from regio.db import db
from regio.exports import ExportRow, SheetHeader
from regio.exports.signin import Group, Section, render_sections
from regio.exports.tables import Column
from regio.programme.lists import room_key, room_lists
from tests.organiser_support import fresh
from tests.programme_support import CJK, LONG, add, crowd
from tests.test_exports_print import needs_noto, plain


@pytest.fixture
def programme(meetings, now):
    return crowd(meetings["zwolle"], now=now)


# --- the sign-in sheets per room --------------------------------------------------------------


def test_rooms_come_in_natural_order_with_the_roomless_last():
    rooms = ["Zaal 10", None, "Aula", "zaal 2", "Zaal 1"]
    assert sorted(rooms, key=room_key) == ["Aula", "Zaal 1", "zaal 2", "Zaal 10", None]
    odd = ["Zaal 1²", "²", "Zaal ٣", "Zaal 2"]  # a superscript is no number; Arabic digits are
    assert sorted(odd, key=room_key) == ["Zaal 1²", "Zaal 2", "Zaal ٣", "²"]


def test_room_lists_group_workshops_by_room_with_people_by_name(programme, meetings):
    rooms = room_lists(meetings["zwolle"].id)
    assert [r.room for r in rooms] == ["Zaal 1", "Zaal 2", "Zaal 3"]
    zaal_1 = rooms[0]
    assert [item.title for item, _rows in zaal_1.workshops] == ["Het OPP in het po",
                                                                 "Hoorrecht"]
    po_people = [row.name for row in zaal_1.workshops[0][1]]
    assert po_people == ["Zoë Ångström", CJK]  # Dirk waits: not on the sheet
    # As a phone book files them, as on the meeting's own presentielijst: Ångström, Dekker,
    # (van der) Heijden, Smit, (de) Wit.
    assert [row.name for row in zaal_1.workshops[1][1]] == [
        "Zoë Ångström", "Dirk Dekker", LONG, "Cor Smit", "bram de Wit", CJK]
    assert zaal_1.people == 8


def pages_of(pdf: bytes) -> list[str]:
    return [plain(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


@needs_noto
def test_the_room_pdf_has_a_page_per_room_with_every_name(organiser, programme, meetings):
    response = organiser.get("/beheer/bijeenkomsten/zwolle/programma/zalen.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "presentielijst-zalen-zwolle-" in response.headers["Content-Disposition"]
    pages = pages_of(response.data)
    # Zaal 1 holds a workshop in each round: each session has a sheet of its own, so people
    # at the door of round 2 do not sign under round 1.
    assert len(pages) == 4
    heads = [plain(f"Presentielijst Zaal {n}") for n in (1, 1, 2, 3)]
    for number, text in enumerate(pages):
        assert heads[number] in text
        assert all(head not in text for head in heads if head != heads[number])
    round_1, round_2 = pages[0], pages[1]
    for words in ("13:45–14:30·Ronde1:HetOPPinhetpo·2personen", plain(CJK),
                  plain("Zoë Ångström"), "Handtekening"):
        assert words in round_1, words
    assert plain(LONG) in round_2
    assert "Ronde2" not in round_1
    assert "14:45–15:30·Ronde2:Hoorrecht·6personen" in round_2 and "Ronde1" not in round_2
    # By name within a workshop: in round 1 Zoë before 王小明.
    assert round_1.index(plain("Zoë Ångström")) < round_1.index(plain(CJK))
    assert "DirkDekker" not in round_1  # waiting for round 1: not there
    assert plain("Wat mogen ouders verwachten") in pages[3] and "bramdeWit" in pages[3]
    fresh()
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "export.rooms")).scalar_one()
    assert event.details["rows"] == 11


def test_a_programme_without_workshops_has_no_room_pdf(organiser, meetings):
    add(meetings["zwolle"], "Opening", "13:00", "13:30", room="Grote zaal")
    assert organiser.get(
        "/beheer/bijeenkomsten/zwolle/programma/zalen.pdf").status_code == 404
    page = organiser.get("/beheer/bijeenkomsten/zwolle/programma").get_data(as_text=True)
    assert "zalen.pdf" not in page


def test_the_programme_page_links_the_room_pdf(organiser, programme):
    page = organiser.get("/beheer/bijeenkomsten/zwolle/programma").get_data(as_text=True)
    assert 'href="/beheer/bijeenkomsten/zwolle/programma/zalen.pdf"' in page


COLUMNS = [Column("name", "Naam", 30), Column(None, "Handtekening", 30)]


def section(room: str, groups) -> Section:
    return Section(SheetHeader(heading=f"Presentielijst {room}", facts="Zwolle",
                               page_label="pagina {page} van {nb}", footer=f"{room} voet"),
                   groups)


def rows(*names):
    return [ExportRow(name, "", "po", "", "confirmed", "", None, None) for name in names]


@needs_noto
def test_a_long_group_goes_on_with_its_heading_and_each_room_has_its_footer():
    many = rows(*(f"Persoon {n:03}" for n in range(40)))
    pdf = render_sections([
        section("Zaal A", [Group("Ronde 1: Lang", many), Group("Ronde 2: Leeg", [], "niemand")]),
        section("Zaal B", [Group("Ronde 1: Kort", rows(CJK))])], columns=COLUMNS)
    pages = pages_of(pdf)
    a_pages = [p for p in pages if "PresentielijstZaalA" in p]
    assert len(a_pages) >= 3 and "PresentielijstZaalB" in pages[-1]
    assert all("Ronde1:Lang" in p for p in a_pages[:-1])  # the heading goes on with it
    assert "Ronde2:Leeg" in a_pages[-1] and "niemand" in a_pages[-1]
    assert all("ZaalAvoet" in p for p in a_pages) and "ZaalBvoet" in pages[-1]
    assert f"pagina{len(pages)}van{len(pages)}" in pages[-1]
    assert plain(CJK) in pages[-1]
    assert sum(p.count("Persoon") for p in a_pages) == 40
    assert all(p.count("Handtekening") == 1 for p in a_pages[:-1])


@needs_noto
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_the_chinese_name_is_drawn_on_the_rendered_page(tmp_path):
    from PIL import Image

    pdf = render_sections([section("Zaal 1", [Group("Ronde 1: Kort", rows(CJK))])],
                          columns=COLUMNS)
    (tmp_path / "zaal.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", str(tmp_path / "zaal.pdf"),
                    str(tmp_path / "page")], check=True)
    (image_path,) = tmp_path.glob("page*.png")
    image = Image.open(image_path).convert("L")
    mm = 100 / 25.4
    # The name cell of the only row: the left half of the table, under the group's heading
    # and the column headers, about 35 to 45 mm from the top.
    box = (int(12 * mm), int(33 * mm), int(140 * mm), int(50 * mm))
    assert sum(image.crop(box).histogram()[:128]) > 40

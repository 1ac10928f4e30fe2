"""The dashboard's figures and charts, and the ministry's aggregate report."""

from __future__ import annotations

import csv
import io
import re

import pytest

from regio.db import db
from regio.registrations.door import check_in
from regio.registrations.services import cancel
from tests.organiser_support import add_registration, fresh


@pytest.fixture
def crowd(meetings, now):
    zwolle = meetings["zwolle"]
    fresh()
    zwolle.capacity = 10
    db.session.commit()
    came = add_registration(zwolle, "Anna de Vries", "anna@school.nl", role="po",
                            source="poster")
    add_registration(zwolle, "Bram Jansen", "bram@school.nl", role="vo", source="poster")
    add_registration(zwolle, "Cor Smit", "cor@ouders.nl", role="ouder", source="brief",
                     confirmed=False)
    gone = add_registration(zwolle, "Dirk Dekker", "dirk@school.nl", role="go")
    cancel(gone, now=now)
    check_in(came, now=now, actor="deur@ocw-regio.nl")
    db.session.commit()
    return zwolle


def figure(page: str, label: str, city_block: str) -> int:
    match = re.search(rf"<dt>{label}</dt><dd>(\d+)</dd>", city_block)
    assert match, label
    return int(match[1])


def test_dashboard_shows_figures_per_meeting(organiser, crowd):
    page = organiser.get("/beheer/").get_data(as_text=True)
    block = page[page.index(">Zwolle</a>"):page.index(">Den Bosch</a>")] if ">Den Bosch</a>" in \
        page else page[page.index(">Zwolle</a>"):]
    assert figure(page, "Aangemeld", block) == 3
    assert figure(page, "Bevestigd", block) == 2
    assert figure(page, "Onbevestigd", block) == 1
    assert figure(page, "Afgemeld", block) == 1
    assert figure(page, "Ingecheckt", block) == 1
    assert "3 van 10 plaatsen bezet" in block
    assert 'class="capacity-fill" x="0" y="0" width="30"' in block
    assert "<td>poster</td><td class=\"num\">2</td>" in block


def test_registered_figure_adds_up_with_the_waiting_list_and_the_tables(organiser, meetings):
    zwolle = meetings["zwolle"]
    fresh()
    zwolle.capacity = 2
    db.session.commit()
    add_registration(zwolle, "Anna de Vries", "anna@school.nl", role="po", source="poster")
    add_registration(zwolle, "Bram Jansen", "bram@school.nl", role="vo", confirmed=False)
    add_registration(zwolle, "Cor Smit", "cor@ouders.nl", role="ouder", source="brief")
    page = organiser.get("/beheer/").get_data(as_text=True)
    block = page[page.index(">Zwolle</a>"):page.index(">Den Bosch</a>")]
    registered = figure(page, "Aangemeld", block)
    assert registered == 3
    assert registered == sum(figure(page, label, block)
                             for label in ("Bevestigd", "Onbevestigd", "Wachtlijst"))
    per_role = block[block.index("Per rol"):block.index("Per bron")]
    assert sum(int(n) for n in re.findall(r'<td class="num">(\d+)</td>', per_role)) == 3
    assert "2 van 2 plaatsen bezet" in block


def test_charts_are_svg_with_a_text_alternative_and_no_style_attributes(organiser, crowd):
    page = organiser.get("/beheer/").get_data(as_text=True)
    assert '<svg class="chart" role="img" aria-label="Aanmeldingen per dag' in page
    assert "Aanmeldingen per dag als tabel" in page
    assert " style=" not in page and "<script" not in page


def test_report_has_counts_only(organiser, crowd):
    page = organiser.get("/beheer/rapportage").get_data(as_text=True)
    assert "Anna" not in page and "anna@school.nl" not in page
    totals = page[page.index('class="totals"'):]
    assert [int(n) for n in re.findall(r'class="num"[^>]*>(\d+)<', totals)] == [2, 1, 0, 1]
    response = organiser.get("/beheer/rapportage.csv")
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["bijeenkomst", "datum", "plaats", "rol", "bron", "bevestigd",
                       "onbevestigd", "wachtlijst", "aanwezig"]
    zwolle = {(r[3], r[4]): tuple(map(int, r[5:])) for r in rows[1:] if r[0] == "zwolle"}
    assert zwolle == {("po", "poster"): (1, 0, 0, 1), ("vo", "poster"): (1, 0, 0, 0),
                      ("ouder", "brief"): (0, 1, 0, 0), ("go", ""): (0, 0, 0, 0)}
    assert b"anna" not in body.lower() and b"@" not in body


def test_report_lists_the_roles_in_the_order_of_the_form(organiser, crowd):
    rows = list(csv.reader(io.StringIO(organiser.get("/beheer/rapportage.csv").get_data(
        as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert [r[3] for r in rows[1:] if r[0] == "zwolle"] == ["po", "vo", "go", "ouder"]
    page = organiser.get("/beheer/rapportage").get_data(as_text=True)
    shown = page[page.index("<tbody>"):page.index('class="totals"')]
    assert shown.index("primair onderwijs") < shown.index("voortgezet onderwijs") \
        < shown.index("gespecialiseerd onderwijs") < shown.index("ouder")


def test_formula_looking_source_is_neutralised_in_the_report(organiser, meetings):
    add_registration(meetings["zwolle"], "Eva", "eva@school.nl", source="=cmd")
    body = organiser.get("/beheer/rapportage.csv").get_data().decode("utf-8-sig")
    assert ";'=cmd;" in body

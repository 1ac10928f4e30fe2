"""The programme in figures: how full each workshop is on the dashboard, and the ministry's
counts per workshop and role."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from regio.db import db
from regio.programme.services import set_opening
from tests.programme_support import CJK, add, crowd, person


@pytest.fixture
def programme(meetings, now):
    return crowd(meetings["zwolle"], now=now)


# --- the dashboard ----------------------------------------------------------------------------


def zwolle_panel(page: str) -> str:
    start = page.index(">Zwolle</a>")
    end = page.find('<section class="panel"', start)
    return page[start:end if end > 0 else None]


def test_the_dashboard_shows_each_workshops_fill_per_round(organiser, programme, meetings):
    set_opening(meetings["zwolle"], 2, datetime.now(UTC) + timedelta(days=2),
                tz=ZoneInfo("Europe/Amsterdam"), actor="test", now=datetime.now(UTC))
    db.session.commit()
    panel = zwolle_panel(organiser.get("/beheer/").get_data(as_text=True))
    assert "Ronde 1, 13:45–14:30" in panel and "Ronde 2, 14:45–15:30" in panel
    lines = {title: re.sub(r"\s+", " ", line) for title, line in re.findall(
        r'<span class="fill-title">([^<]+?)(?: <span.*?)?</span>(.*?)</li>', panel, re.S)}
    assert "2 van 2 plaatsen bezet · <strong>1 op de wachtlijst</strong>" in lines[
        "Het OPP in het po"]
    assert "2 van 2 plaatsen bezet · geen wachtlijst" in lines["Het OPP in het vo"]
    assert "1 van 2 plaatsen bezet · geen wachtlijst" in lines["Wat mogen ouders verwachten"]
    assert "6 geplaatst · geen wachtlijst" in lines["Hoorrecht"]  # no limit: no bar
    assert 'aria-label="Het OPP in het po: 2 van 2 plaatsen bezet"' in panel
    assert 'class="capacity capacity-full"' in lines["Het OPP in het po"]
    assert 'width="50"' in lines["Wat mogen ouders verwachten"]
    assert "<svg" not in lines["Hoorrecht"]
    assert "kiezen vanaf" in panel.split("Ronde 2,")[1].split("</h4>")[0]


def test_a_meeting_without_programme_has_no_workshop_part(organiser, meetings):
    page = organiser.get("/beheer/").get_data(as_text=True)
    assert "workshop-fill" not in page


# --- the ministry's report --------------------------------------------------------------------


def test_the_report_counts_per_workshop_and_role_in_every_format(organiser, programme):
    page = organiser.get("/beheer/rapportage").get_data(as_text=True)
    part = page[page.index('id="workshops-title"'):]
    assert CJK not in page and "Dirk" not in page
    table = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
             for row in re.findall(r"<tr>(.*?)</tr>", part, re.S)]
    assert ["Ronde 1: Het OPP in het po", "voortgezet onderwijs", "1", "1", "0"] in [
        cells[1:] for cells in table]

    response = organiser.get("/beheer/rapportage/workshops.csv")
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode()) and "王".encode() not in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["bijeenkomst", "datum", "plaats", "ronde", "tijd", "workshop", "zaal",
                       "rol", "geplaatst", "wachtlijst", "aanwezig"]
    figures = {(r[5], r[7]): tuple(map(int, r[8:])) for r in rows[1:] if r[0] == "zwolle"}
    assert figures == {
        ("Het OPP in het po", "po"): (1, 0, 1),
        ("Het OPP in het po", "vo"): (1, 1, 0),
        ("Het OPP in het vo", "vo"): (2, 0, 0),
        ("Wat mogen ouders verwachten", "ouder"): (1, 0, 0),
        ("Hoorrecht", "po"): (1, 0, 1),
        ("Hoorrecht", "vo"): (4, 0, 0),
        ("Hoorrecht", "ouder"): (1, 0, 0),
    }
    first = rows[1]
    assert first[3:7] == ["1", "13:45-14:30", "Het OPP in het po", "Zaal 1"]
    assert [r[5] for r in rows[1:]].index("Hoorrecht") > 3  # in the order of the day


def test_a_formula_looking_workshop_title_is_neutralised(organiser, meetings):
    zwolle = meetings["zwolle"]
    workshop = add(zwolle, "=HYPERLINK(1)", "13:45", "14:30", round=1, room="+Zaal")
    person(zwolle, 1, "Eva", "po", {1: workshop})
    body = organiser.get("/beheer/rapportage/workshops.csv").get_data().decode("utf-8-sig")
    assert ";'=HYPERLINK(1);'+Zaal;" in body

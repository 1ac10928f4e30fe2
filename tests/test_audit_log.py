"""The audit log for admins: sentences, filters by meeting, kind, person and date; pages."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regio import audit
from regio.db import db
from regio.registrations.door import check_in
from regio.web import CONTROL_CHARACTERS
from tests.organiser_support import add_registration, fresh, logged_in

LOG = "/beheer/logboek"


@pytest.fixture
def admin(app, make_organiser, meetings):
    return logged_in(app, make_organiser, "admin")


@pytest.fixture
def events(admin, meetings, now):
    fresh()
    zwolle, rotterdam = meetings["zwolle"], meetings["rotterdam"]
    anna = add_registration(zwolle, "Ünal de Vries", "unal@school.nl")
    bram = add_registration(rotterdam, "Bram Jansen", "bram@school.nl")
    check_in(anna, now=now, actor="deur@ocw.nl")
    check_in(bram, now=now - timedelta(days=3), actor="deur@ocw.nl")
    audit.record("ann@ocw.nl", "export", "rotterdam", now=now, format="pdf", rows=1)
    db.session.commit()


def lines(client, **query) -> list[str]:
    page = client.get(LOG, query_string=query).get_data(as_text=True)
    return [line.split("</span>", 1)[1].strip() for line in
            page.split('<ul class="log-lines">')[1].split("</ul>")[0].split("<li>")[1:]
            if "</span>" in line]


def test_filters_by_meeting_kind_person_and_date(admin, events, now):
    everything = lines(admin)
    assert "Ünal de Vries ingecheckt in Zwolle door deur@ocw.nl</li>" in everything
    assert lines(admin, bijeenkomst="rotterdam", soort="aanmeldingen") == [
        "Bram Jansen ingecheckt in Rotterdam door deur@ocw.nl</li>"]
    assert lines(admin, persoon="UNAL") == [
        "Ünal de Vries ingecheckt in Zwolle door deur@ocw.nl</li>"]
    day = (now - timedelta(days=3)).astimezone(ZoneInfo("Europe/Amsterdam")).date().isoformat()
    assert [line.split(" ", 2)[:2] for line in lines(admin, datum=day)] == [["Bram", "Jansen"]]
    exports = lines(admin, soort="exports")
    assert len(exports) == 1 and exports[0].startswith("presentielijst (PDF) van Rotterdam")
    assert lines(admin, soort="onzin", datum="gisteren") == everything  # ignored, no error


def test_the_log_is_paged_and_pages_keep_the_filter(admin, meetings, now):
    fresh()
    for number in range(55):
        audit.record("ann@ocw.nl", "export", "zwolle", now=now - timedelta(minutes=number),
                     format="csv", rows=number)
    db.session.commit()
    first = admin.get(LOG, query_string={"soort": "exports"}).get_data(as_text=True)
    assert first.count("deelnemerslijst (CSV) van Zwolle") == 50
    assert "pagina=2&amp;soort=exports" in first or "soort=exports&amp;pagina=2" in first
    second = admin.get(LOG, query_string={"soort": "exports", "pagina": 2}).get_data(
        as_text=True)
    assert second.count("deelnemerslijst (CSV) van Zwolle") == 5


ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=80)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=st.fixed_dictionaries({
    "bijeenkomst": st.one_of(ANY_TEXT, st.just("zwolle")),
    "soort": st.one_of(ANY_TEXT, st.sampled_from(["aanmeldingen", "exports"])),
    "persoon": ANY_TEXT, "datum": st.one_of(ANY_TEXT, st.dates().map(str)),
    "pagina": st.one_of(ANY_TEXT, st.integers(-3, 10**9).map(str)),
}))
def test_any_filter_gets_a_page_never_an_error(admin, query):
    # A control character in any query string is refused before the view (regio/web.py).
    expected = 400 if any(CONTROL_CHARACTERS.search(v) for v in query.values()) else 200
    assert admin.get(LOG, query_string=query).status_code == expected


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(q=ANY_TEXT, columns=st.one_of(ANY_TEXT, st.just("e-mail,status")))
def test_any_search_or_column_list_on_an_export_is_200_or_a_dutch_400(admin, q, columns):
    response = admin.get("/beheer/bijeenkomsten/zwolle/deelnemers.pdf",
                         query_string={"q": q, "kolommen": columns})
    assert response.status_code in (200, 400)
    if response.status_code == 400 and not CONTROL_CHARACTERS.search(q + columns):
        assert "Onbekende kolom" in response.get_data(as_text=True)

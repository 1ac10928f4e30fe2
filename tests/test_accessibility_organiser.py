"""axe-core (WCAG 2.1 A and AA) finds nothing on the organiser's pages, on a phone."""

from __future__ import annotations

import pytest

from regio.db import db
from regio.registrations.door import check_in
from tests.browser import needs_chromium
from tests.organiser_support import add_registration
from tests.test_accessibility import axe_violations, readable
from tests.test_organiser_browser import log_in

pytestmark = [pytest.mark.browser, needs_chromium]

PAGES = ["/beheer/", "/beheer/bijeenkomsten/zwolle", "/beheer/bijeenkomsten/zwolle?q=celik",
         "/beheer/aanmeldingen/{id}", "/beheer/rapportage", "/beheer/logboek",
         "/beheer/bijeenkomsten/zwolle/herinneringen", "/beheer/bijeenkomsten/zwolle/incheck"]


@pytest.fixture
def crowd(meetings, now, make_organiser):
    people = [add_registration(meetings["zwolle"], name, f"p{n}@school.nl", role=role,
                               organisation="Samenwerkingsverband Passend Onderwijs Zwolle")
              for n, (name, role) in enumerate([("Ünal Çelik", "po"), ("王小明", "ouder"),
                                                ("محمد العلي", "leerling")])]
    check_in(people[0], now=now, actor="deur@ocw-regio.nl")
    db.session.commit()
    make_organiser("admin", email="beheer@ocw-regio.nl")
    return people


@pytest.mark.parametrize("path", PAGES)
def test_organiser_page_has_no_wcag_violations(path, live_server, crowd, page):
    log_in(page, live_server, "beheer@ocw-regio.nl")
    page.goto(live_server + path.format(id=crowd[0].id))
    if "incheck" in path:
        page.click("summary")  # the walk-in form, open
    violations = axe_violations(page)
    assert violations == [], readable(violations)

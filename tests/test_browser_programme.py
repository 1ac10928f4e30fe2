"""Choosing workshops on a phone, with and without JavaScript: the list follows the role, a
full workshop says "vol", and the personal page switches; axe finds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from regio.db import db
from regio.mail.outbox import Kind
from regio.registrations.models import Registration
from tests.booking_helpers import mails
from tests.browser import fits_sideways, needs_chromium, open_page
from tests.programme_support import choices, day, sign_up
from tests.test_accessibility import axe_violations, readable
from tests.test_browser_public import newest_token

pytestmark = [pytest.mark.browser, needs_chromium]

ADDRESS = "ouder.jansen@voorbeeld.nl"


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def phone(browser, request):
    page = open_page(browser, javascript=request.param)
    try:
        yield page
    finally:
        page.context.close()


def visible_workshops(page) -> list[str]:
    return [text.split("\n")[0].strip() for text in
            page.locator("fieldset#ronde_1 .workshop:visible label").all_inner_texts()]


def test_the_list_follows_the_role_and_a_parent_chooses_a_workshop(live_server, meetings,
                                                                     phone):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    sign_up(zwolle, 1, {1: items["vo"], 2: items["hoorrecht"]})  # fills "vo"
    phone.goto(f"{live_server}/bijeenkomsten/zwolle")
    assert phone.locator("#programma").is_visible()
    phone.click("text=Ik werk in het primair onderwijs (po)")
    assert visible_workshops(phone) == ["Het OPP in het po", "Het OPP in het vo"]
    assert phone.locator(f"#ronde_1-{items['vo'].id}").is_disabled()
    assert "vol" in phone.locator(f"label[for=ronde_1-{items['vo'].id}]").inner_text()
    phone.click("text=Ik ben ouder of vertegenwoordiger van ouders")
    assert "Wat mogen ouders verwachten" in visible_workshops(phone)
    phone.click(f"label[for=ronde_1-{items['ouders'].id}]")
    phone.click(f"label[for=ronde_2-{items['hoorrecht'].id}]")
    phone.fill("#name", "Ria Jansen")
    phone.fill("#email", ADDRESS)
    phone.click("label[for=consent]")
    assert fits_sideways(phone)
    phone.click("form button[type=submit]")
    assert "bevestig-je-e-mail" in phone.url
    assert phone.problems == []

    token = newest_token(ADDRESS)
    phone.goto(f"{live_server}/aanmelding/{token}")
    assert "Uw programma" in phone.content()
    phone.click(f"label[for=wissel-1-{items['po'].id}]")
    phone.click("text=Wissel van workshop")
    assert "Uw workshop is gewijzigd." in phone.content()
    db.session.rollback()
    person = db.session.execute(
        select(Registration).where(Registration.email == ADDRESS)).scalar_one()
    assert choices(person)[1] == ("Het OPP in het po", "chosen")
    assert phone.problems == []


def test_forgetting_a_round_shows_the_message_beside_it(live_server, meetings, phone):
    day(meetings["zwolle"])
    phone.goto(f"{live_server}/bijeenkomsten/zwolle")
    phone.fill("#name", "Ria Jansen")
    phone.fill("#email", ADDRESS)
    phone.click("text=Ik werk in het primair onderwijs (po)")
    phone.click("label[for=consent]")
    phone.click("form button[type=submit]")
    assert phone.locator("#ronde_1-error").inner_text().endswith("Kies een workshop voor ronde 1.")
    assert phone.locator("#error-summary a[href='#ronde_1']").count() == 1


def test_the_programme_pages_have_no_wcag_violations(live_server, meetings, page):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    person = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    token = mails(Kind.CONFIRM_EMAIL, person)[0].payload["token"]
    for path in ("/bijeenkomsten/zwolle", f"/aanmelding/{token}",
                 "/bijeenkomsten/zwolle/poster"):
        page.goto(f"{live_server}{path}")
        assert not (violations := axe_violations(page)), f"{path}\n{readable(violations)}"
        assert fits_sideways(page), path
    page.goto(f"{live_server}/bijeenkomsten/zwolle")
    page.click("form button[type=submit]")  # nothing filled in: every message, rounds too
    assert page.locator("#ronde_1-error").count() == 1
    assert not (violations := axe_violations(page)), readable(violations)

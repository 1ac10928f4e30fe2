"""The back office in Chromium on a 360 px wide phone: no sideways scrolling, no CSP errors."""

from __future__ import annotations

import pytest

from regio.registrations.tickets import ticket_token
from tests.browser import needs_chromium, open_page
from tests.conftest import PASSWORD
from tests.organiser_support import add_registration

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def server(live_server, meetings):
    return live_server


@pytest.fixture
def phone(browser):
    page = open_page(browser, width=360, height=740)
    try:
        yield page
    finally:
        page.context.close()


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/beheer/inloggen")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Inloggen')")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_door_check_in_on_a_phone(server, phone, make_organiser, meetings):
    person = add_registration(meetings["zwolle"], "Anna de Vries-van den Berg-Oosterhuis",
                              "anna@school.nl", organisation="Samenwerkingsverband Zwolle")
    log_in(phone, server, make_organiser("checkin", email="deur@ocw-regio.nl").email)
    phone.goto(f"{server}/beheer/bijeenkomsten/zwolle/incheck")
    assert fits(phone)
    phone.goto(f"{server}/beheer/incheck/{ticket_token(person)}")
    assert fits(phone)
    phone.click("button.door-button")
    assert phone.locator(".door-ok").inner_text() == "Ingecheckt"
    phone.reload()
    assert "Al ingecheckt om" in phone.locator(".door-again").inner_text()
    assert phone.problems == []


def test_organiser_pages_fit_a_phone(server, phone, make_organiser, meetings):
    for n in range(3):
        add_registration(meetings["zwolle"], f"Deelnemer {n}", f"d{n}@school.nl",
                         organisation="Openbare basisschool De Regenboog")
    log_in(phone, server, make_organiser("admin", email="beheer@ocw-regio.nl").email)
    for path in ("/beheer/", "/beheer/bijeenkomsten/zwolle", "/beheer/rapportage",
                 "/beheer/logboek", "/beheer/bijeenkomsten/zwolle/herinneringen"):
        phone.goto(server + path)
        assert fits(phone), path
    assert phone.problems == []


def test_focus_is_visible(server, phone, make_organiser):
    phone.goto(server + "/beheer/inloggen")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")
    outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"

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


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/beheer/inloggen")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Inloggen')")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_door_check_in_on_a_phone(server, small_phone, make_organiser, meetings):
    person = add_registration(meetings["zwolle"], "Anna de Vries-van den Berg-Oosterhuis",
                              "anna@school.nl", organisation="Samenwerkingsverband Zwolle")
    log_in(small_phone, server, make_organiser("checkin", email="deur@ocw-regio.nl").email)
    small_phone.goto(f"{server}/beheer/bijeenkomsten/zwolle/incheck")
    assert fits(small_phone)
    small_phone.goto(f"{server}/beheer/incheck/{ticket_token(person)}")
    assert fits(small_phone)
    small_phone.click("button.door-button")
    assert small_phone.locator(".door-ok").inner_text() == "Ingecheckt"
    small_phone.reload()
    assert "Al ingecheckt om" in small_phone.locator(".door-again").inner_text()
    assert small_phone.problems == []


def test_organiser_pages_fit_a_phone(server, small_phone, make_organiser, meetings):
    for n in range(3):
        add_registration(meetings["zwolle"], f"Deelnemer {n}", f"d{n}@school.nl",
                         organisation="Openbare basisschool De Regenboog")
    log_in(small_phone, server, make_organiser("admin", email="beheer@ocw-regio.nl").email)
    for path in ("/beheer/", "/beheer/bijeenkomsten/zwolle", "/beheer/rapportage",
                 "/beheer/logboek", "/beheer/bijeenkomsten/zwolle/herinneringen"):
        small_phone.goto(server + path)
        assert fits(small_phone), path
    assert small_phone.problems == []


def test_the_attendee_list_fits_a_desktop_and_keeps_room_for_names(server, browser,
                                                                   make_organiser, meetings):
    for n, (name, organisation) in enumerate((
            ("Jonkheer Reinier Willem Frederik Hendrik Theodoor van Aerssen Beijeren",
             "Ouderraad Montessorischool Utrecht-Oost"),
            ("Anna de Vries", "Samenwerkingsverband Passend Onderwijs Voortgezet Onderwijs "
                              "Utrecht en Omstreken, afdeling Ondersteuning"),
            ("李华", None))):
        add_registration(meetings["zwolle"], name, f"deelnemer{n:04d}@school{n}.example.nl",
                         organisation=organisation)
    desktop = open_page(browser, width=1280, height=900)
    try:
        log_in(desktop, server, make_organiser("admin", email="beheer@ocw-regio.nl").email)
        desktop.goto(server + "/beheer/bijeenkomsten/zwolle")
        scroll, width, name_width = desktop.evaluate("""() => {
            const box = document.querySelector('.table-scroll');
            const name = document.querySelector('table.attendees tbody td');
            return [box.scrollWidth, box.clientWidth, name.getBoundingClientRect().width]; }""")
        assert scroll <= width  # no sideways scrolling inside the list
        assert name_width >= 160  # a name is a few words a line, not one
        assert "deelnemer0000<wbr>@school0.example.nl" in desktop.content()
        assert desktop.problems == []
    finally:
        desktop.context.close()


def test_focus_is_visible(server, small_phone, make_organiser):
    small_phone.goto(server + "/beheer/inloggen")
    small_phone.keyboard.press("Tab")
    small_phone.keyboard.press("Tab")
    outline = small_phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"

"""On a 390 × 844 phone in Chromium: the confirmation page, the guardian's page and the
ticket page (for anyone, and for door staff), each clean by axe (WCAG 2.1 A and AA)."""

from __future__ import annotations

import pytest

from regio.db import db
from regio.mail.outbox import Kind
from regio.registrations.models import Status
from regio.registrations.tickets import valid_ticket
from tests.booking_helpers import book, mails, reload
from tests.browser import fits_sideways, needs_chromium, open_page
from tests.conftest import PASSWORD
from tests.test_accessibility import axe_violations, readable

pytestmark = [pytest.mark.browser, needs_chromium]


def clean(page, *, javascript: bool = True) -> None:
    """Nothing sideways, no problems, and axe finds nothing (axe needs scripts to run)."""
    assert page.problems == [], page.problems
    if javascript:
        assert fits_sideways(page), page.url
        violations = axe_violations(page)
        assert not violations, readable(violations)


def young_pupil(meetings):
    registration, token = book(meetings["zwolle"], "sam", role="leerling", name="Sam Jansen",
                               email="sam@leerling.test", is_under_16=True,
                               has_guardian_consent=True, guardian_email="ouder@thuis.test")
    [notice] = mails(Kind.GUARDIAN_NOTICE)
    return registration, token, notice.payload["token"]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_confirmation_page_on_a_phone(live_server, meetings, browser, javascript):
    registration, token = book(meetings["zwolle"], 1)
    page = open_page(browser, javascript=javascript)
    page.goto(f"{live_server}/aanmelding/{token}")
    button = page.get_by_role("button", name="Bevestig mijn aanmelding")
    assert button.is_visible() and button.bounding_box()["y"] < 844  # on the first screen
    assert "Deelnemer 1" in page.locator(".confirm-box").inner_text()
    clean(page, javascript=javascript)
    assert reload(registration).status == Status.HELD  # opening it changed nothing
    button.click()
    assert "Uw plaats is bevestigd" in page.locator(".status-box").inner_text()
    assert page.get_by_role("button", name="Bevestig mijn aanmelding").count() == 0
    clean(page, javascript=javascript)
    db.session.rollback()
    assert reload(registration).status == Status.CONFIRMED
    page.context.close()


def test_guardian_page_on_a_phone(live_server, meetings, page):
    registration, token, guardian_token = young_pupil(meetings)
    page.goto(f"{live_server}/aanmelding/{token}")
    page.get_by_role("button", name="Bevestig mijn aanmelding").click()
    assert "We wachten nog op toestemming" in page.locator(".status-box").inner_text()
    clean(page)

    page.goto(f"{live_server}/toestemming/{guardian_token}?besluit=ja")
    assert page.locator("h1").inner_text() == "Toestemming voor Sam Jansen"
    assert page.locator("a[href*='/aanmelding/']").count() == 0
    clean(page)
    page.get_by_role("button", name="Ik geef toestemming", exact=True).click()
    assert "Uw toestemming is vastgelegd" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Ik trek mijn toestemming in").is_visible()
    clean(page)
    db.session.rollback()
    assert reload(registration).status == Status.CONFIRMED


def test_ticket_page_for_anyone_on_a_phone(live_server, meetings, page):
    registration, _token = book(meetings["zwolle"], 1, name="Fatima El Amrani", confirm=True)
    page.goto(f"{live_server}/t/{valid_ticket(registration)}")
    heading = page.locator("h1").inner_text()
    assert heading.startswith("Dit is uw toegangsbewijs voor")
    assert "Op naam van Fatima" in page.locator("main").inner_text()
    clean(page)


def test_ticket_page_takes_door_staff_to_the_check_in(live_server, meetings, page,
                                                      make_organiser):
    registration, _token = book(meetings["zwolle"], 1, name="Fatima El Amrani", confirm=True)
    ticket = valid_ticket(registration)
    account = make_organiser("checkin")
    page.goto(f"{live_server}/beheer/inloggen")
    page.fill("#email", account.email)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.goto(f"{live_server}/t/{ticket}")  # the phone's own camera opens the QR's address
    assert page.url == f"{live_server}/beheer/incheck/{ticket}"
    assert "Fatima El Amrani" in page.locator("main").inner_text()
    clean(page)


def test_meetings_are_on_the_first_phone_screen(live_server, meetings, page):
    page.goto(live_server + "/")
    first = page.locator(".meeting-card").first.bounding_box()
    assert first["y"] < 500, first  # the first meeting starts in the upper part of the screen
    assert page.locator(".meeting-card .button").first.bounding_box()["y"] < 844


def test_poster_short_link_never_breaks_inside_a_word(live_server, meetings, page):
    page.goto(live_server + "/bijeenkomsten/zwolle/poster")
    # Each piece between the slashes is drawn on one line.
    lines_per_piece = page.evaluate("""() => {
        const url = document.querySelector('.poster-url');
        const pieces = [];
        for (const node of url.childNodes) {
            if (node.nodeType !== Node.TEXT_NODE) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            pieces.push(new Set([...range.getClientRects()].map(r => Math.round(r.top))).size);
        }
        return pieces;
    }""")
    assert lines_per_piece and all(count == 1 for count in lines_per_piece), lines_per_piece
    assert fits_sideways(page)

"""axe-core (WCAG 2.1 A and AA rules) finds nothing on any public page, in Chromium on a phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from regio.db import db, lock_row
from regio.meetings.models import Meeting
from regio.registrations.services import cancel, release_expired
from tests.booking_helpers import book, set_capacity
from tests.browser import needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=WCAG_21_AA).response["violations"]


def readable(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def personal(meetings, status: str) -> str:
    """The personal page of a registration in `status`, set up through the services."""
    now = datetime.now(UTC)
    meeting = meetings["zwolle"]
    if status == "confirmed":
        return f"/aanmelding/{book(meeting, 1, confirm=True)[1]}"
    if status == "waiting":
        meeting = set_capacity(meeting, 1)
        book(meeting, 1, confirm=True)
        return f"/aanmelding/{book(meeting, 2)[1]}"
    registration, token = book(meeting, 1, confirm=status == "cancelled")
    if status == "cancelled":
        cancel(registration, now=now)
    else:  # expired: the hold ran out before the link was opened
        release_expired(lock_row(Meeting, meeting.id), now=now + timedelta(days=3))
    db.session.commit()
    return f"/aanmelding/{token}"


def _confirmed_then(meetings, action: str) -> str:
    return personal(meetings, "confirmed") + action


PAGES = {
    "start": lambda m: "/",
    "meeting-oostzaan": lambda m: "/bijeenkomsten/oostzaan",
    "meeting-zwolle-from-a-letter": lambda m: "/bijeenkomsten/zwolle?bron=brief",
    "meeting-den-bosch": lambda m: "/bijeenkomsten/den-bosch",
    "meeting-rotterdam": lambda m: "/bijeenkomsten/rotterdam",
    "meeting-full": lambda m: (book(set_capacity(m["zwolle"], 1), 1),
                               "/bijeenkomsten/zwolle")[1],
    "check-email": lambda m: "/bijeenkomsten/zwolle/bevestig-je-e-mail",
    "personal-confirmed": lambda m: personal(m, "confirmed"),
    "personal-waiting": lambda m: personal(m, "waiting"),
    "personal-cancelled": lambda m: personal(m, "cancelled"),
    "personal-expired": lambda m: personal(m, "expired"),
    "cancel": lambda m: _confirmed_then(m, "/afmelden"),
    "move": lambda m: _confirmed_then(m, "/wisselen"),
    "erase": lambda m: _confirmed_then(m, "/wissen"),
    "privacy": lambda m: "/privacy",
    "accessibility-statement": lambda m: "/toegankelijkheid",
    "not-found": lambda m: "/bijeenkomsten/bestaat-niet",
    "english-start": lambda m: "/?lang=en",
    "poster": lambda m: "/bijeenkomsten/zwolle/poster",
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_violations(name, live_server, meetings, page):
    page.goto(live_server + PAGES[name](meetings))
    violations = axe_violations(page)
    assert not violations, readable(violations)


def test_form_with_errors_has_no_wcag_violations(live_server, meetings, page):
    page.goto(live_server + "/bijeenkomsten/zwolle")
    page.click("form button[type=submit]")
    page.wait_for_selector("#error-summary")
    violations = axe_violations(page)
    assert not violations, readable(violations)


def test_move_form_with_errors_has_no_wcag_violations(live_server, meetings, page):
    page.goto(live_server + personal(meetings, "confirmed") + "/wisselen")
    page.click("form button[type=submit]")
    page.wait_for_selector("#error-summary")
    violations = axe_violations(page)
    assert not violations, readable(violations)


def test_erased_page_and_dead_link_have_no_wcag_violations(live_server, meetings, page):
    url = live_server + personal(meetings, "confirmed")
    page.goto(url + "/wissen")
    page.click("form button[type=submit]")
    page.wait_for_selector("text=Uw gegevens zijn gewist")
    assert not (violations := axe_violations(page)), readable(violations)
    assert page.goto(url).status == 410
    assert not (violations := axe_violations(page)), readable(violations)

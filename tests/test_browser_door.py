"""The door on a 390 × 844 phone: a compact list, walk-ins without an address, a live count."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from regio.db import db
from regio.registrations.models import Registration
from tests.browser import fits_sideways, needs_chromium, open_page
from tests.organiser_support import add_registration, new_client
from tests.test_organiser_browser import log_in

pytestmark = [pytest.mark.browser, needs_chromium]

PEOPLE = ["Jan de Vries", "Anna van den Berg-Oosterhuis", "Ünal Çelik", "Łukasz Wiśniewski",
          "王小明", "محمد العلي", "Lieke 't Hart", "Kees Aalbers", "Zoë Visser", "Sanne de Jong",
          "Fatima El Amrani", "Pieter Jansen"]
ORGANISATION = "Samenwerkingsverband Passend Onderwijs Voortgezet Onderwijs Regio Zwolle"


@pytest.fixture
def door_url(live_server, meetings, make_organiser):
    for number, name in enumerate(PEOPLE):
        add_registration(meetings["zwolle"], name, f"p{number}@school.nl",
                         role=("po", "vo", "ouder")[number % 3], organisation=ORGANISATION)
    make_organiser("checkin", email="deur@ocw-regio.nl")
    return f"{live_server}/beheer/bijeenkomsten/zwolle/incheck"


def test_at_least_eight_people_on_the_first_screen(live_server, door_url, page):
    log_in(page, live_server, "deur@ocw-regio.nl")
    page.goto(door_url)
    page.locator(".door-list li").first.locator("button").click()  # one checked in
    rows = page.locator(".door-list li")
    visible = sum(1 for box in (rows.nth(n).bounding_box() for n in range(rows.count()))
                  if box["y"] + box["height"] <= 844)
    assert visible >= 8
    for n in range(rows.count()):
        assert rows.nth(n).locator("button").bounding_box()["height"] >= 24  # a tap target
    assert fits_sideways(page)
    assert page.problems == []


def test_door_account_adds_a_walk_in_without_an_address(live_server, door_url, page):
    log_in(page, live_server, "deur@ocw-regio.nl")
    page.goto(door_url)
    page.click("summary:has-text('Iemand aanmelden')")
    page.fill("#name", "Mehmet Öztürk")
    page.select_option("#role", "ouder")
    page.click("button:has-text('Aanmelden en inchecken')")
    assert "Mehmet Öztürk is aangemeld en ingecheckt." in page.locator(".notice").inner_text()
    page.fill("#q", "ozturk")
    page.click("button:has-text('Zoeken')")
    assert page.locator(".door-list li").count() == 1
    assert "Er om" in page.locator(".door-list li").inner_text()
    db.session.rollback()
    added = db.session.execute(db.select(Registration).where(
        Registration.name == "Mehmet Öztürk")).scalar_one()
    assert added.email is None and added.is_walk_in
    assert page.problems == []


def test_the_count_follows_another_phone_by_itself(app, live_server, door_url, browser):
    first = open_page(browser)
    try:
        log_in(first, live_server, "deur@ocw-regio.nl")
        first.goto(door_url)
        count = first.locator(".door-count-text")
        assert count.inner_text() == "0 van de 12 verwachte deelnemers zijn er."
        other = new_client(app)  # a second phone at the same door
        log_in_client(other)
        person = db.session.execute(db.select(Registration).where(
            Registration.name == "Ünal Çelik")).scalar_one()
        from tests.conftest import csrf_token

        token = csrf_token(other, "/beheer/bijeenkomsten/zwolle/incheck")
        other.post(f"/beheer/bijeenkomsten/zwolle/incheck/{person.id}",
                   data={"csrf_token": token})
        expect(count).to_have_text("1 van de 12 verwachte deelnemers zijn er.", timeout=15000)
        assert first.problems == []
    finally:
        first.context.close()


def log_in_client(client) -> None:
    from tests.organiser_support import login

    class Account:
        email = "deur@ocw-regio.nl"

    login(client, Account)


def test_the_list_follows_the_search_while_typing(live_server, door_url, page):
    log_in(page, live_server, "deur@ocw-regio.nl")
    page.goto(door_url)
    page.locator("#q").press_sequentially("ünal", delay=50)  # no button pressed
    expect(page.locator(".door-list li")).to_have_count(1, timeout=10000)
    assert "Ünal Çelik" in page.locator(".door-list").inner_text()
    page.locator(".door-list button").click()  # the fresh row's form works
    assert "Ünal Çelik is ingecheckt." in page.locator(".notice").inner_text()
    assert page.problems == []

"""The new back-office pages in Chromium on a 360 px phone: they fit, break no CSP rule and
axe-core finds no WCAG 2.1 AA problem."""

from __future__ import annotations

import pytest

from tests.browser import needs_chromium, open_page
from tests.test_accessibility import axe_violations, readable
from tests.test_organiser_browser import fits, log_in

pytestmark = [pytest.mark.browser, needs_chromium]

PAGES = ("/beheer/accounts", "/beheer/mijn-account", "/beheer/tweestaps",
         "/beheer/bijeenkomsten/nieuw", "/beheer/bijeenkomsten/nieuw?van=zwolle",
         "/beheer/bijeenkomsten/zwolle/verwijderen", "/beheer/accounts?lang=en")


@pytest.fixture
def phone(browser):
    page = open_page(browser, width=360, height=740)
    try:
        yield page
    finally:
        page.context.close()


def test_account_and_meeting_pages_fit_a_phone_and_pass_axe(live_server, meetings, phone,
                                                           make_organiser):
    make_organiser("checkin", email="deur-met-een-heel-lang-adres@ocw-regio.nl")
    log_in(phone, live_server, make_organiser("admin", email="beheer@ocw-regio.nl").email)
    for path in PAGES:
        phone.goto(live_server + path)
        assert fits(phone), path
        assert not (violations := axe_violations(phone)), f"{path}\n{readable(violations)}"
    phone.goto(live_server + "/beheer/bijeenkomsten/nieuw")
    phone.click("form[method=post][action$='/nieuw'] button[type=submit]")
    phone.wait_for_selector("#error-summary")
    assert not (violations := axe_violations(phone)), readable(violations)
    assert phone.problems == []


def test_password_pages_pass_axe_before_login(live_server, phone):
    for path in ("/beheer/inloggen", "/beheer/wachtwoord-vergeten",
                 "/beheer/uitnodiging/" + "x" * 32):
        phone.goto(live_server + path)
        assert fits(phone), path
        assert not (violations := axe_violations(phone)), f"{path}\n{readable(violations)}"
    assert phone.problems == []

"""The new back-office pages in Chromium on a 360 px phone: they fit, break no CSP rule and
axe-core finds no WCAG 2.1 AA problem."""

from __future__ import annotations

import pytest

from tests.browser import needs_chromium
from tests.test_accessibility import axe_violations, readable
from tests.test_organiser_browser import fits, log_in

pytestmark = [pytest.mark.browser, needs_chromium]

PAGES = ("/beheer/accounts", "/beheer/mijn-account", "/beheer/tweestaps",
         "/beheer/bijeenkomsten/nieuw", "/beheer/bijeenkomsten/nieuw?van=zwolle",
         "/beheer/bijeenkomsten/zwolle/verwijderen", "/beheer/accounts?lang=en")


def test_account_and_meeting_pages_fit_a_phone_and_pass_axe(live_server, meetings, small_phone,
                                                           make_organiser):
    make_organiser("checkin", email="deur-met-een-heel-lang-adres@ocw-regio.nl")
    log_in(small_phone, live_server, make_organiser("admin", email="beheer@ocw-regio.nl").email)
    for path in PAGES:
        small_phone.goto(live_server + path)
        assert fits(small_phone), path
        assert not (violations := axe_violations(small_phone)), f"{path}\n{readable(violations)}"
    small_phone.goto(live_server + "/beheer/bijeenkomsten/nieuw")
    small_phone.click("form[method=post][action$='/nieuw'] button[type=submit]")
    small_phone.wait_for_selector("#error-summary")
    assert not (violations := axe_violations(small_phone)), readable(violations)
    assert small_phone.problems == []


def test_password_pages_pass_axe_before_login(live_server, small_phone):
    for path in ("/beheer/inloggen", "/beheer/wachtwoord-vergeten",
                 "/beheer/uitnodiging/" + "x" * 32):
        small_phone.goto(live_server + path)
        assert fits(small_phone), path
        assert not (violations := axe_violations(small_phone)), f"{path}\n{readable(violations)}"
    assert small_phone.problems == []

"""What a parent sees on a phone, in Chromium: sign up from a letter, confirm, cancel; errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from regio.db import db
from regio.mail.models import OutboxMessage
from tests.booking_helpers import book
from tests.browser import fits_sideways, needs_chromium, open_page

pytestmark = [pytest.mark.browser, needs_chromium]

PARENT = "ouder.de.vries@voorbeeld.nl"


@pytest.fixture
def no_script(browser):
    """A 390 px phone with JavaScript turned off."""
    phone = open_page(browser, javascript=False)
    try:
        yield phone
    finally:
        phone.context.close()


def focused_id(page) -> str:
    """The id of the focused element, once the browser has run autofocus (after the load)."""
    page.wait_for_load_state()
    for _ in range(20):
        if focused := page.evaluate("document.activeElement.id"):
            return focused
        page.wait_for_timeout(100)
    return ""


def newest_token(address: str) -> str:
    """The personal link in the newest mail to `address`, as the parent finds it in the inbox."""
    db.session.rollback()  # see what the server committed
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == address)
                              .order_by(OutboxMessage.id.desc()).limit(1)).scalar_one()
    db.session.rollback()
    return mail.payload["token"]


def test_parent_signs_up_from_the_letter_confirms_and_cancels_without_javascript(
        live_server, meetings, no_script):
    page = no_script
    page.goto(f"{live_server}/r/zwolle/brief")
    assert page.url == f"{live_server}/bijeenkomsten/zwolle?bron=brief"
    assert page.locator("input[name=bron]").input_value() == "brief"

    page.click("label[for=name]")
    page.keyboard.type("Ria de Vries")
    page.keyboard.press("Tab")
    page.keyboard.type(PARENT)
    page.click("text=Ik ben ouder of vertegenwoordiger van ouders")
    page.click("label[for=consent]")
    page.click("form button[type=submit]")

    assert page.url == f"{live_server}/bijeenkomsten/zwolle/bevestig-je-e-mail"
    assert page.locator("h1").inner_text() == "Kijk in uw e-mail"

    page.goto(f"{live_server}/aanmelding/{newest_token(PARENT)}")
    assert "Uw plaats wordt vastgehouden" in page.locator(".status-box").inner_text()
    page.click("text=Bevestig mijn aanmelding")
    assert "Uw plaats is bevestigd" in page.locator(".status-box").inner_text()
    page.click("text=Afmelden")
    assert page.locator("h1").inner_text() == "Afmelden voor Zwolle?"
    page.click("text=Ja, meld mij af")
    assert "U bent afgemeld" in page.locator(".status-box").inner_text()
    assert page.problems == []


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_empty_form_shows_a_focused_error_summary_that_links_to_the_fields(
        live_server, meetings, browser, javascript):
    page = open_page(browser, javascript=javascript)
    page.goto(f"{live_server}/bijeenkomsten/zwolle")
    page.click("form button[type=submit]")

    assert focused_id(page) == "error-summary"
    top = page.locator("#error-summary").bounding_box()["y"]
    assert top < page.locator("form").bounding_box()["y"]  # above the form, not below it

    targets = page.locator("#error-summary a").evaluate_all("as => as.map(a => a.hash)")
    assert targets == ["#name", "#email", "#role", "#consent"]
    for target in targets:
        page.click(f"#error-summary a[href='{target}']")
        assert page.evaluate("location.hash") == target
        assert page.evaluate("document.activeElement.id") == target[1:]
        assert page.locator(target).is_visible()

    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() == 8  # name, e-mail, five roles, consent
    for n in range(invalid.count()):
        field = invalid.nth(n)
        described = field.get_attribute("aria-describedby") or ""
        errors = [page.locator(f"#{ref}") for ref in described.split()]
        assert any(e.get_attribute("class") == "error" and e.inner_text() for e in errors), \
            field.get_attribute("id")
    assert page.problems == []
    page.context.close()


@pytest.mark.parametrize("width", [320, 390])
def test_no_page_scrolls_sideways_on_a_phone(live_server, meetings, browser, width):
    _registration, token = book(
        meetings["zwolle"], confirm=True, name="Anna-Maria van den Berg-Oosterhuis",
        email="anna-maria.vandenberg-oosterhuis@samenwerkingsverband-zwolle.nl",
        organisation="Samenwerkingsverband Passend Onderwijs Zwolle en omstreken")
    page = open_page(browser, width=width)
    for path in ("/", "/bijeenkomsten/zwolle", "/bijeenkomsten/zwolle/bevestig-je-e-mail",
                 f"/aanmelding/{token}", "/privacy", "/toegankelijkheid"):
        page.goto(live_server + path)
        assert fits_sideways(page), f"{path} scrolls sideways at {width} px"
    page.goto(live_server + "/bijeenkomsten/zwolle")
    page.click("form button[type=submit]")
    assert fits_sideways(page), f"the form with errors scrolls sideways at {width} px"
    assert page.problems == []
    page.context.close()


def test_skip_link_comes_first_and_moves_focus_to_the_content(live_server, meetings, page):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"


def test_focus_is_visible_on_links_inputs_and_buttons(live_server, meetings, page):
    page.goto(live_server + "/bijeenkomsten/zwolle")
    seen = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        tag, name, style, width = page.evaluate("""() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return [e.tagName, e.id || e.textContent.trim(), s.outlineStyle, s.outlineWidth]; }""")
        assert style != "none" and width != "0px", f"no visible focus on {tag} {name}"
        seen.add(tag)
        if tag == "BUTTON":
            break
    assert {"A", "INPUT", "TEXTAREA", "BUTTON"} <= seen


def test_english_sets_the_page_language(live_server, meetings, page):
    page.goto(live_server + "/?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    page.goto(live_server + "/bijeenkomsten/zwolle?lang=nl")
    assert page.get_attribute("html", "lang") == "nl"


def test_pupil_box_appears_only_for_pupils_without_javascript(live_server, meetings, no_script):
    page = no_script
    page.goto(f"{live_server}/bijeenkomsten/zwolle")
    assert page.locator(".young-pupil").is_hidden()  # a parent never sees it
    page.click("text=Ik ben leerling of vertegenwoordiger van leerlingen")
    assert page.locator("label[for=under_16]").is_visible()
    assert page.locator("#guardian_email").is_hidden()
    page.click("label[for=under_16]")
    assert page.locator("#guardian_email").is_visible()
    assert page.locator("label[for=guardian_consent]").is_visible()


def test_tap_targets_are_at_least_44_px_high(live_server, meetings, page):
    page.goto(f"{live_server}/bijeenkomsten/zwolle")
    targets = ("form label[for^=role-], label[for=consent], form input[type=text], "
               "form input[type=email], form button, .breadcrumb a, .calendar-link a, "
               ".lang a, .site-footer a")
    heights = page.locator(targets).evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => [e.outerHTML.slice(0, 60), "
        "e.getBoundingClientRect().height])")
    assert len(heights) >= 12
    assert [h for h in heights if h[1] < 44] == []

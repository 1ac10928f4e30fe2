"""Shared set-up of the browser tests: the app on a live server, Debian's Chromium, phone pages.

tests/conftest.py registers this module as a plugin, so its fixtures are there in every test
module; mark a browser module with `pytestmark = [pytest.mark.browser, needs_chromium]`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.organiser_support import live_server as serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs {CHROMIUM}")


@pytest.fixture
def live_server(app, backend):
    """The test's app on a threaded server on 127.0.0.1 and a free port; yields the base URL."""
    if backend != "sqlite":
        pytest.skip("what the browser shows does not depend on the database")
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; each test gets its own context (cookies, settings)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser, *, javascript: bool = True, width: int = PHONE["width"],
              height: int = PHONE["height"]):
    """A page in a fresh context that records what went wrong in `page.problems`.

    Problems are console errors (CSP violations among them), uncaught script errors and
    sub-resources (style sheets, images) answered with an error status. The document's own
    status is left to the test: an error page or a form with errors is not a problem.
    """
    context = browser.new_context(java_script_enabled=javascript,
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: message.type == "error"
            and "Failed to load resource" not in message.text
            and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("response", lambda response: response.status >= 400
            and response.request.resource_type != "document"
            and not response.url.endswith("/favicon.ico")
            and page.problems.append(f"{response.status} {response.url}"))
    return page


@pytest.fixture
def small_phone(browser):
    """A 360 × 740 page (the smallest phone screen in common use), in a fresh context."""
    page = open_page(browser, width=360, height=740)
    try:
        yield page
    finally:
        page.context.close()


@pytest.fixture
def page(browser):
    """A 390 × 844 phone page with JavaScript on, in a fresh context."""
    phone = open_page(browser)
    try:
        yield phone
    finally:
        phone.context.close()


def fits_sideways(page) -> bool:
    """Nothing scrolls sideways: the page is no wider than the window."""
    return page.evaluate(
        "document.scrollingElement.scrollWidth <= window.innerWidth")

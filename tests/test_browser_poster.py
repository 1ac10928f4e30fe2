"""What a person sees when printing the poster, in Chromium: A4, one page, a large QR code."""

from __future__ import annotations

import io
from pathlib import Path

import PIL.Image
import pypdf
import pytest
import zxingcpp

from tests.browser import needs_chromium
from tests.conftest import BASE_URL

SCREENSHOT = Path("/tmp/poster.png")
PX_PER_CM = 96 / 2.54
# The printable area of A4 with the 12 mm @page margins of static/poster.css, in CSS px.
A4_CONTENT = {"width": round((210 - 24) / 10 * PX_PER_CM),
              "height": round((297 - 24) / 10 * PX_PER_CM)}

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def server(live_server, meetings):
    return live_server


def decode_screenshot(png: bytes) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))]


def test_printed_poster_fits_one_a4_page_with_a_large_qr(server, browser):
    page = browser.new_page(viewport=A4_CONTENT)
    page.emulate_media(media="print")
    page.goto(f"{server}/bijeenkomsten/zwolle/poster")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    qr = page.locator("img.poster-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    width_cm = qr.evaluate("img => img.getBoundingClientRect().width") / PX_PER_CM
    assert width_cm >= 8, f"QR code is {width_cm:.1f} cm wide on paper"
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".site-footer").is_hidden()
    assert page.locator(".poster-tools").is_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= A4_CONTENT["height"], f"poster is {height} px high, A4 holds fewer"
    overflowing = page.evaluate("document.documentElement.scrollWidth")
    assert overflowing <= A4_CONTENT["width"]

    assert decode_screenshot(SCREENSHOT.read_bytes()) == [f"{BASE_URL}/r/zwolle/poster"]

    printed = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(printed.pages) == 1
    box = printed.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "regio.test/r/zwolle" in printed.pages[0].extract_text()


def test_svg_qr_rasterised_by_the_browser_decodes(server, browser):
    page = browser.new_page(viewport={"width": 400, "height": 400})
    for query, expected in (("", "/r/rotterdam"), ("?bron=dia&ec=Q", "/r/rotterdam/dia")):
        page.goto(f"{server}/bijeenkomsten/rotterdam/qr.svg{query}")
        page.set_viewport_size({"width": 400, "height": 400})
        shot = page.screenshot()
        assert decode_screenshot(shot) == [BASE_URL + expected]


def test_poster_on_a_phone_screen_keeps_the_qr_inside_the_screen(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{server}/bijeenkomsten/zwolle/poster")
    width = page.locator("img.poster-qr").evaluate("img => img.getBoundingClientRect().width")
    assert 200 <= width <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

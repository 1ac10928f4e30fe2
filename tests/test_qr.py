"""Short sign-up links, QR images of them, ticket images and where registrations came from."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import PIL.Image
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regio import qr
from regio.db import db
from regio.registrations.models import Status
from regio.registrations.queries import source_counts
from regio.registrations.services import (
    Applicant,
    cancel,
    confirm_address,
    erase,
    find_by_token,
    register,
)
from regio.registrations.tickets import find_by_ticket, valid_ticket
from regio.web import CONTROL_CHARACTERS
from tests.conftest import BASE_URL

SVG_NS = "{http://www.w3.org/2000/svg}"
BRON = re.compile(r"[A-Za-z0-9-]{1,32}")
fixture_settings = settings(max_examples=60, deadline=None,
                            suppress_health_check=[HealthCheck.function_scoped_fixture])


def decode(png: bytes) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))


def decoded_text(png: bytes) -> str:
    found = decode(png)
    assert len(found) == 1, "expected exactly one QR code"
    return found[0].text


# --- the pure renderer -----------------------------------------------------------------------


@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
def test_png_decodes_to_the_exact_data_at_every_level(ec):
    url = "https://regio.example.nl/r/den-bosch/nieuwsbrief-2"
    found = decode(qr.render(url, "png", ec))
    assert [(b.text, b.ec_level) for b in found] == [(url, ec)]


def test_png_has_a_four_module_quiet_zone():
    url = "https://regio.example.nl/r/zwolle"
    image = PIL.Image.open(io.BytesIO(qr.render(url, "png"))).convert("L")
    box = image.width // qr.modules(url)
    assert image.width == qr.modules(url) * box
    quiet = image.crop((0, 0, image.width, 4 * box))
    assert quiet.getextrema() == (255, 255)
    assert image.getpixel((4 * box, 4 * box)) == 0  # the finder pattern starts right after it


def test_png_size_is_the_width_in_whole_modules_at_most():
    url = "https://regio.example.nl/r/zwolle"
    for size in (qr.MIN_SIZE, 300, 1000, qr.MAX_SIZE):
        width = PIL.Image.open(io.BytesIO(qr.render(url, "png", size=size))).width
        assert size - qr.modules(url) < width <= size
        assert width % qr.modules(url) == 0


def test_svg_is_one_path_that_scales():
    root = ET.fromstring(qr.render("https://regio.example.nl/r/zwolle", "svg", size=500))
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("width") == root.get("height") == "500"
    assert root.get("viewBox").startswith("0 0 ")
    assert len(root.findall(f"{SVG_NS}path")) == 1


def test_render_refuses_what_the_views_must_catch_first():
    for kwargs in ({"kind": "gif"}, {"ec": "X"}, {"size": 10}, {"size": 100_000}):
        with pytest.raises(ValueError):
            qr.render("x", **kwargs)


# --- short links -----------------------------------------------------------------------------


def test_short_link_redirects_to_the_meeting(client, meetings):
    response = client.get("/r/zwolle")
    assert response.status_code == 302
    assert response.headers["Location"] == "/bijeenkomsten/zwolle"


def test_short_link_with_bron_redirects_with_the_tag(client, meetings):
    response = client.get("/r/den-bosch/Poster-2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/bijeenkomsten/den-bosch?bron=Poster-2"


@pytest.mark.parametrize("path", ["/r/Zwolle", "/r/ZWOLLE/", "/r/zwolle/"])
def test_a_short_link_typed_from_paper_forgives_capitals_and_a_closing_slash(client, meetings,
                                                                            path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/bijeenkomsten/zwolle"


@pytest.mark.parametrize("path", ["/r/nergens", "/r/nergens/poster", "/r/zwolle/" + "a" * 33,
                                  "/r/zwolle/poster_1", "/r/zwolle/%C3%A9", "/r/zwolle/a%20b"])
def test_bad_short_links_are_not_found(client, meetings, path):
    assert client.get(path).status_code == 404


@fixture_settings
@given(bron=st.text(max_size=40))
def test_any_bron_in_a_short_link_redirects_or_is_not_found(client, meetings, bron):
    response = client.get(f"/r/zwolle/{quote(bron, safe='')}")
    if BRON.fullmatch(bron) or not bron:  # no tag: "/r/zwolle/" is the meeting's own link
        assert response.status_code == 302
    elif "/" in bron:  # %2F arrives as "/": an empty path segment is merged by a redirect first
        assert response.status_code in (308, 404)
    else:
        assert response.status_code == 404


# --- QR images of the short link -------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ("", "/r/zwolle"),
    ("?bron=poster", "/r/zwolle/poster"),
    ("?ec=Q", "/r/zwolle"),
    ("?bron=dia-3&ec=Q&size=500", "/r/zwolle/dia-3"),
])
def test_qr_png_encodes_the_absolute_short_link(client, meetings, query, expected):
    response = client.get(f"/bijeenkomsten/zwolle/qr.png{query}")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    [barcode] = decode(response.data)
    assert barcode.text == BASE_URL + expected
    assert barcode.ec_level == ("Q" if "ec=Q" in query else "M")


def test_qr_svg_is_valid_xml(client, meetings):
    response = client.get("/bijeenkomsten/zwolle/qr.svg?bron=brief")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert len(root.findall(f"{SVG_NS}path")) == 1


def test_qr_ignores_a_forged_host_header(client, meetings):
    for path in ("/bijeenkomsten/zwolle/qr.png?bron=x", "/bijeenkomsten/zwolle/qr.svg?bron=x"):
        response = client.get(path, headers={"Host": "evil.example",
                                             "X-Forwarded-Host": "evil.example"})
        assert b"evil" not in response.data
    png = client.get("/bijeenkomsten/zwolle/qr.png?bron=x", headers={"Host": "evil.example"})
    assert decoded_text(png.data) == f"{BASE_URL}/r/zwolle/x"


def test_qr_is_cacheable_and_answers_304_to_its_etag(app, client, meetings):
    first = client.get("/bijeenkomsten/zwolle/qr.svg")
    etag = first.headers["ETag"]
    assert not etag.startswith("W/")
    assert first.headers["Cache-Control"] in ("public, max-age=86400", "max-age=86400, public")

    again = client.get("/bijeenkomsten/zwolle/qr.svg", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag

    others = {client.get(path).headers["ETag"] for path in (
        "/bijeenkomsten/zwolle/qr.png", "/bijeenkomsten/zwolle/qr.svg?bron=poster",
        "/bijeenkomsten/zwolle/qr.svg?ec=Q", "/bijeenkomsten/rotterdam/qr.svg")}
    assert etag not in others and len(others) == 4

    app.config["REGIO_BASE_URL"] = "https://regio.example.nl"
    moved = client.get("/bijeenkomsten/zwolle/qr.svg", headers={"If-None-Match": etag})
    assert moved.status_code == 200
    assert moved.headers["ETag"] != etag


def test_qr_is_rendered_once_per_variant(client, meetings):
    qr.cached_render.cache_clear()
    for _ in range(5):
        client.get("/bijeenkomsten/zwolle/qr.png?bron=poster")
    info = qr.cached_render.cache_info()
    assert (info.misses, info.hits) == (1, 4)


def test_qr_of_an_unknown_meeting_is_not_found(client, meetings):
    assert client.get("/bijeenkomsten/nergens/qr.svg").status_code == 404


@pytest.mark.parametrize("query", ["size=0", "size=63", "size=2049", "size=abc", "size=",
                                   "size=-5", "size=1e3", "size=%C2%B2", "ec=X", "ec="])
def test_bad_size_or_level_is_a_short_dutch_400(client, meetings, query):
    response = client.get(f"/bijeenkomsten/zwolle/qr.png?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith("Kies ")


@fixture_settings
@given(bron=st.text(max_size=40), size=st.one_of(st.none(), st.text(max_size=8),
                                                 st.integers(-10, 5000).map(str)))
def test_any_bron_or_size_is_answered_without_a_server_error(client, meetings, bron, size):
    params = {"bron": bron} if size is None else {"bron": bron, "size": size}
    response = client.get("/bijeenkomsten/rotterdam/qr.png", query_string=params)
    if CONTROL_CHARACTERS.search(bron + (size or "")):
        assert response.status_code == 400  # refused before any view (regio/web.py)
    elif not BRON.fullmatch(bron):
        assert response.status_code == 404
    elif size is not None and not (size.isascii() and size.isdigit()
                                   and qr.MIN_SIZE <= int(size) <= qr.MAX_SIZE):
        assert response.status_code == 400
    else:
        assert response.status_code == 200


# --- ticket images ---------------------------------------------------------------------------


def make_registration(meeting, now, email="ada@school.example", source=None, confirmed=True):
    outcome = register(meeting.id, Applicant(name="Ada de Vries", email=email, role="po",
                                          source=source), now=now)
    if confirmed:
        link, _ = find_by_token(outcome.token)
        confirm_address(link, now=now)
    db.session.commit()
    return outcome.registration, outcome.token


def test_ticket_png_encodes_the_public_ticket_page(client, meetings, now):
    registration, token = make_registration(meetings["zwolle"], now)
    ticket = valid_ticket(registration)
    assert ticket
    response = client.get(f"/aanmelding/{token}/ticket.png", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert decoded_text(response.data) == f"{BASE_URL}/t/{ticket}"
    assert find_by_ticket(ticket).id == registration.id

    svg = client.get(f"/aanmelding/{token}/ticket.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    ET.fromstring(svg.data)


def test_cancelled_registration_has_no_ticket_that_checks_in(client, meetings, now):
    registration, token = make_registration(meetings["zwolle"], now)
    old_ticket = valid_ticket(registration)
    cancel(registration, now=now)
    db.session.commit()

    for kind in ("png", "svg"):
        assert client.get(f"/aanmelding/{token}/ticket.{kind}").status_code == 404
    found = find_by_ticket(old_ticket)
    assert found is None or found.status != Status.CONFIRMED


def test_unconfirmed_registration_has_no_ticket_image(client, meetings, now):
    _, token = make_registration(meetings["rotterdam"], now, confirmed=False)
    assert client.get(f"/aanmelding/{token}/ticket.png").status_code == 404


def test_erased_registration_ticket_is_gone(client, meetings, now):
    registration, token = make_registration(meetings["oostzaan"], now)
    erase(registration, now=now)
    db.session.commit()
    assert client.get(f"/aanmelding/{token}/ticket.svg").status_code == 410


@pytest.mark.parametrize("token", ["nonsense", "A" * 32, "../../etc", "x" * 200])
def test_unknown_or_tampered_ticket_token_is_not_found(client, meetings, token):
    assert client.get(f"/aanmelding/{token}/ticket.png").status_code == 404


def test_ticket_size_is_checked_too(client, meetings, now):
    _, token = make_registration(meetings["zwolle"], now)
    assert client.get(f"/aanmelding/{token}/ticket.png?size=9999").status_code == 400
    assert client.get(f"/aanmelding/{token}/ticket.png?size=300").status_code == 200


# --- where registrations came from -----------------------------------------------------------


def test_registrations_are_counted_per_bron(meetings, now):
    zwolle = meetings["zwolle"]
    for number, source in enumerate(["poster", "poster", "brief", None, "dia"]):
        make_registration(zwolle, now, email=f"p{number}@school.example", source=source,
                          confirmed=number % 2 == 0)
    make_registration(meetings["rotterdam"], now, email="other@school.example", source="poster")
    assert source_counts(zwolle) == {"poster": 2, "brief": 1, None: 1, "dia": 1}


def test_a_meeting_added_after_a_miss_gets_its_qr_at_once(client, meetings):
    from regio.meetings.models import Meeting

    assert client.get("/bijeenkomsten/utrecht/qr.svg").status_code == 404
    zwolle = meetings["zwolle"]
    db.session.add(Meeting(slug="utrecht", title="Regiobijeenkomst – Utrecht", date=zwolle.date,
                           venue="Jaarbeurs", city="Utrecht"))
    db.session.commit()
    assert client.get("/bijeenkomsten/utrecht/qr.svg").status_code == 200

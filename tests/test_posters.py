"""The printable A4 poster of a meeting: the HTML page and the PDF."""

from __future__ import annotations

import io
from datetime import time

import pypdf
import pytest
import zxingcpp
from flask import render_template

from regio import posters, qr
from regio.db import db
from regio.i18n import long_date
from regio.public.links import poster_for
from regio.registrations.tickets import valid_ticket
from tests.conftest import BASE_URL
from tests.test_qr import make_registration

HOST = BASE_URL.removeprefix("http://")


def pdf_of(client, path: str) -> pypdf.PdfReader:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.data))


def test_poster_page_shows_the_meeting_and_the_short_link(client, meetings):
    zwolle = meetings["zwolle"]
    page = client.get("/bijeenkomsten/zwolle/poster").get_data(as_text=True)
    for text in (zwolle.title, long_date(zwolle.date), "tijd volgt", "De Nieuwe Buitensociëteit",
                 "Zwolle", "adres volgt", f"{HOST}/r/zwolle", "po, vo en go", "Ouders",
                 "Leerlingen"):
        assert text in page
    assert 'src="/bijeenkomsten/zwolle/qr.svg?bron=poster"' in page
    assert "poster.css" in page


def test_poster_shows_time_and_address_once_set(client, meetings):
    zwolle = meetings["zwolle"]
    zwolle.start_time, zwolle.end_time = time(13, 30), time(16, 0)
    zwolle.address = "Stationsweg 7, Zwolle"
    db.session.commit()
    page = client.get("/bijeenkomsten/zwolle/poster").get_data(as_text=True)
    assert "13:30–16:00" in page and "Stationsweg 7, Zwolle" in page
    assert "tijd volgt" not in page and "adres volgt" not in page


def test_poster_bron_passes_through_to_the_qr(client, meetings):
    page = client.get("/bijeenkomsten/rotterdam/poster?bron=lerarenkamer").get_data(as_text=True)
    assert "qr.svg?bron=lerarenkamer" in page
    assert "poster.pdf?bron=lerarenkamer" in page


@pytest.mark.parametrize("path", ["/bijeenkomsten/nergens/poster",
                                  "/bijeenkomsten/zwolle/poster?bron=a+b",
                                  "/bijeenkomsten/nergens/poster.pdf",
                                  "/bijeenkomsten/zwolle/poster.pdf?bron=%3Cx%3E"])
def test_poster_of_unknown_meeting_or_bad_bron_is_not_found(client, meetings, path):
    assert client.get(path).status_code == 404


def test_poster_pdf_is_one_a4_page_with_city_and_short_url(client, meetings):
    reader = pdf_of(client, "/bijeenkomsten/zwolle/poster.pdf")
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = page.extract_text()
    for expected in ("Zwolle", f"{HOST}/r/zwolle", "Buitensociëteit", "–", "tijd volgt"):
        assert expected in text


def test_poster_pdf_qr_decodes_to_the_poster_link(client, meetings):
    page = pdf_of(client, "/bijeenkomsten/den-bosch/poster.pdf?bron=brief").pages[0]
    [image] = page.images
    [barcode] = zxingcpp.read_barcodes(image.image)
    assert barcode.text == f"{BASE_URL}/r/den-bosch/brief"


def test_poster_pdf_without_the_unicode_font_falls_back_to_plain_letters(app, meetings, tmp_path):
    with app.test_request_context():
        poster = poster_for(meetings["zwolle"], "poster")
    body = posters.render_pdf(poster, qr.render("http://x/r/zwolle", "png"), font_dir=tmp_path)
    text = " ".join(pypdf.PdfReader(io.BytesIO(body)).pages[0].extract_text().split())
    assert "Buitensociëteit" in text  # ë is in Latin-1
    assert "Regiobijeenkomst Landelijk OPP Project - Zwolle" in text  # the dash made plain
    assert "–" not in text


def test_latin1_keeps_what_it_can_and_transliterates_the_rest():
    assert posters.latin1("Buitensociëteit – “OPP” … Łódź") == 'Buitensociëteit - "OPP" ... ?ódz'


def test_ticket_partial_shows_the_ticket_only_when_there_is_one(app, meetings, now):
    registration, token = make_registration(meetings["zwolle"], now)
    with app.test_request_context():
        shown = render_template("public/_ticket.html", registration=registration, token=token,
                                ticket=valid_ticket(registration))
        hidden = render_template("public/_ticket.html", registration=registration, token=token,
                                 ticket=None)
    assert f'src="/aanmelding/{token}/ticket.svg"' in shown
    assert 'alt="Uw toegangsbewijs (QR-code)"' in shown
    assert "ingang" in shown
    assert hidden.strip() == ""


def test_poster_pdf_follows_a_change_of_the_meeting(client, meetings):
    path = "/bijeenkomsten/zwolle/poster.pdf"
    assert "tijd volgt" in pdf_of(client, path).pages[0].extract_text()
    meetings["zwolle"].start_time = time(9, 30)
    db.session.commit()
    text = pdf_of(client, path).pages[0].extract_text()
    assert "vanaf 09:30" in text and "tijd volgt" not in text

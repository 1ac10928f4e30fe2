"""What the ticket QR opens: a page for the holder, the check-in for logged-in door staff."""

from __future__ import annotations

import pytest

from regio.db import db, utc_now
from regio.registrations.services import cancel
from regio.registrations.tickets import valid_ticket
from tests.booking_helpers import book
from tests.organiser_support import logged_in, new_client


@pytest.fixture
def holder(meetings):
    registration, _token = book(meetings["zwolle"], 1, name="Fatima El Amrani", confirm=True)
    return registration


def test_anyone_sees_whose_ticket_it_is_with_the_first_name_only(app, holder):
    ticket = valid_ticket(holder)
    response = new_client(app).get(f"/t/{ticket}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Dit is uw toegangsbewijs voor de Regiobijeenkomst Landelijk OPP Project – Zwolle" \
        in page
    assert "Op naam van Fatima" in page and "El Amrani" not in page
    assert holder.email not in page
    assert "De Nieuwe Buitensociëteit" in page and str(holder.meeting.date.year) in page
    assert f'href="/beheer/incheck/{ticket}"' in page  # the small link for staff


@pytest.mark.parametrize("role", ["checkin", "organiser", "admin"])
def test_logged_in_door_staff_go_straight_to_the_check_in(app, make_organiser, holder, role):
    ticket = valid_ticket(holder)
    staff = logged_in(app, make_organiser, role)
    response = staff.get(f"/t/{ticket}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/beheer/incheck/{ticket}"
    check_in = staff.get(response.headers["Location"])
    assert check_in.status_code == 200 and "Fatima El Amrani" in check_in.get_data(as_text=True)


def test_the_check_in_stays_behind_login_and_old_ticket_urls_keep_working(
        app, make_organiser, holder):
    ticket = valid_ticket(holder)
    anonymous = new_client(app).get(f"/beheer/incheck/{ticket}")
    assert anonymous.status_code == 302 and "/beheer/inloggen" in anonymous.headers["Location"]
    door = logged_in(app, make_organiser, "checkin")
    assert door.get(f"/beheer/incheck/{ticket}").status_code == 200


def test_an_unknown_or_revoked_ticket_is_a_404(app, holder):
    ticket = valid_ticket(holder)
    client = new_client(app)
    assert client.get("/t/not-a-ticket").status_code == 404
    assert client.get(f"/t/{'A' * 32}").status_code == 404
    cancel(holder, now=utc_now())
    db.session.commit()
    assert client.get(f"/t/{ticket}").status_code == 404


def test_the_ticket_page_shows_the_qr_again(app, holder):
    ticket = valid_ticket(holder)
    client = new_client(app)
    page = client.get(f"/t/{ticket}").get_data(as_text=True)
    assert f'src="/t/{ticket}/qr.svg"' in page
    image = client.get(f"/t/{ticket}/qr.svg")
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    assert image.headers["Cache-Control"] == "no-store"
    assert client.get(f"/t/{'A' * 32}/qr.svg").status_code == 404

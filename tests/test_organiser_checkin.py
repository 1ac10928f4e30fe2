"""Door check-in: by ticket QR and by name; idempotent under double taps and two scanners."""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

import pytest

from regio.db import db
from regio.registrations.models import Registration
from regio.registrations.services import cancel
from regio.registrations.tickets import ticket_token
from tests.conftest import CSRF_RE, PASSWORD, csrf_token
from tests.organiser_support import add_registration, fresh, live_server, logged_in

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def door(app, make_organiser, meetings):
    return logged_in(app, make_organiser, "checkin")


@pytest.fixture
def anna(meetings):
    return add_registration(meetings["zwolle"], "Anna de Vries", "anna@school.nl", role="vo",
                            organisation="Het Lyceum")


def ticket_url(registration) -> str:
    return f"/beheer/incheck/{ticket_token(registration)}"


def tap(client, url):
    return client.post(url, data={"csrf_token": csrf_token(client, url)})


def local_clock(registration) -> str:
    fresh()
    stamp = db.session.get(Registration, registration.id).checked_in_at
    return stamp.astimezone(AMSTERDAM).strftime("%H:%M")


def test_ticket_page_shows_who_it_is_and_one_button(door, anna):
    page = door.get(ticket_url(anna)).get_data(as_text=True)
    assert "Anna de Vries" in page and "vo" in page and "Zwolle" in page
    assert page.count('type="submit"') == 2  # Inchecken, and Uitloggen in the menu
    assert ">Inchecken</button>" in page


def test_check_in_then_a_repeat_says_when(door, anna):
    first = tap(door, ticket_url(anna))
    assert first.status_code == 200 and "door-ok" in first.get_data(as_text=True)
    second = tap(door, ticket_url(anna))
    text = second.get_data(as_text=True)
    assert second.status_code == 200
    assert f"Al ingecheckt om {local_clock(anna)}" in text
    assert f"Al ingecheckt om {local_clock(anna)}" in door.get(ticket_url(anna)).get_data(
        as_text=True)


@pytest.mark.parametrize("token", ["x", "A" * 32, "geen-ticket!", "%00" * 5, "é" * 40])
def test_unknown_or_tampered_ticket_is_a_clear_404(door, anna, token):
    response = door.get("/beheer/incheck/" + token)
    assert response.status_code == 404
    # A NUL never reaches the view (regio/routing.py): the site's own 404 page answers.
    clear = "Pagina niet gevonden" if "%00" in token else "niet geldig"
    assert clear in response.get_data(as_text=True)


def test_ticket_of_a_cancelled_registration_is_not_valid(door, anna, now):
    url = ticket_url(anna)
    cancel(anna, now=now)
    db.session.commit()
    token = csrf_token(door, "/beheer/incheck")
    for response in (door.get(url), door.post(url, data={"csrf_token": token})):
        assert response.status_code == 404
        assert "niet geldig" in response.get_data(as_text=True)


def test_ticket_for_another_meeting_than_chosen_is_flagged(door, anna):
    door.get("/beheer/bijeenkomsten/den-bosch/incheck")
    page = door.get(ticket_url(anna)).get_data(as_text=True)
    assert "Let op" in page and "Zwolle" in page
    door.get("/beheer/bijeenkomsten/zwolle/incheck")
    assert "Let op" not in door.get(ticket_url(anna)).get_data(as_text=True)


def test_search_by_name_and_one_tap_check_in_with_live_count(door, anna, meetings):
    add_registration(meetings["zwolle"], "Bram Jansen", "bram@school.nl")
    add_registration(meetings["zwolle"], "Nog Onbevestigd", "held@school.nl", confirmed=False)
    url = "/beheer/bijeenkomsten/zwolle/incheck"
    page = door.get(url).get_data(as_text=True)
    assert "0 van de 2 verwachte" in page
    page = door.get(url, query_string={"q": "anna"}).get_data(as_text=True)
    assert "Anna de Vries" in page and "Bram" not in page and "Onbevestigd" not in page
    action = f"{url}/{anna.id}"
    response = door.post(action, data={"csrf_token": csrf_token(door, url), "q": "anna"})
    assert response.status_code == 302 and "q=anna" in response.location
    page = door.get(url).get_data(as_text=True)
    assert "1 van de 2 verwachte" in page
    again = door.post(action, data={"csrf_token": csrf_token(door, url)}, follow_redirects=True)
    assert "was al ingecheckt om" in again.get_data(as_text=True)
    wrong = door.post(f"/beheer/bijeenkomsten/rotterdam/incheck/{anna.id}",
                      data={"csrf_token": csrf_token(door, url)})
    assert wrong.status_code == 404


# --- two staff, one ticket, at the same moment, against a real server ------------------------


class Browser:
    """A phone with its own cookies, talking HTTP to the server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=60) as response:
            return response.status, response.read().decode()

    def login(self, email: str) -> None:
        token = CSRF_RE.search(self.get("/beheer/inloggen"))[1]
        self.post("/beheer/inloggen", {"email": email, "password": PASSWORD,
                                       "csrf_token": token})

    def form_token(self, path: str) -> str:
        return CSRF_RE.search(self.get(path))[1]


@pytest.fixture
def server(app):
    with live_server(app) as base:
        yield base


def test_two_staff_scanning_the_same_ticket_check_in_once(app, server, make_organiser,
                                                          meetings):
    people = [add_registration(meetings["zwolle"], f"Gast {n}", f"gast{n}@school.nl")
              for n in range(5)]
    accounts = [make_organiser("checkin", email=f"deur{n}@ocw-regio.nl") for n in (1, 2)]
    phones = [Browser(server) for _ in accounts]
    for phone, account in zip(phones, accounts, strict=True):
        phone.login(account.email)
    for person in people:
        url = ticket_url(person)
        tokens = [phone.form_token(url) for phone in phones]
        start = threading.Barrier(len(phones))
        answers = [None] * len(phones)

        def scan(index: int, url=url, tokens=tokens, start=start, answers=answers) -> None:
            start.wait()
            answers[index] = phones[index].post(url, {"csrf_token": tokens[index]})

        threads = [threading.Thread(target=scan, args=(i,)) for i in range(len(phones))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert [status for status, _ in answers] == [200, 200]
        pages = [page for _, page in answers]
        assert sum("door-ok" in page for page in pages) == 1, person.name
        assert sum("Al ingecheckt om" in page for page in pages) == 1, person.name
    fresh()
    assert all(db.session.get(Registration, p.id).checked_in_at for p in people)

"""The landing pages are rendered once per meeting state, language and day: never with one
visitor's token in another's page, and never a change behind."""

from __future__ import annotations

from datetime import time

from regio.db import db
from regio.meetings.services import MeetingChanges, update_meeting
from tests.conftest import CSRF_RE, csrf_token
from tests.organiser_support import new_client


def token_in(response) -> str:
    return CSRF_RE.search(response.get_data(as_text=True))[1]


def test_each_visitor_gets_their_own_token_and_it_works(app, meetings):
    first, second = new_client(app), new_client(app)  # each request its own context
    page_one = first.get("/bijeenkomsten/zwolle")
    page_two = second.get("/bijeenkomsten/zwolle")
    one, two = token_in(page_one), token_in(page_two)
    assert one != two
    assert one not in page_two.get_data(as_text=True)
    assert "\x00" not in page_two.get_data(as_text=True)
    response = second.post("/bijeenkomsten/zwolle", data={
        "csrf_token": two, "name": "Sam de Wit", "email": "sam@school.nl", "role": "vo",
        "consent": "y"})
    assert response.status_code == 303


def test_the_bron_tag_is_the_visitors_own(client, meetings):
    poster = client.get("/bijeenkomsten/zwolle?bron=poster").get_data(as_text=True)
    letter = client.get("/bijeenkomsten/zwolle?bron=brief").get_data(as_text=True)
    assert 'name="bron" type="hidden" value="poster"' in poster
    assert 'name="bron" type="hidden" value="brief"' in letter
    hostile = client.get('/bijeenkomsten/zwolle?bron="><script>').get_data(as_text=True)
    assert 'name="bron" type="hidden" value=""' in hostile


def test_a_change_shows_at_once_on_the_meeting_and_home_page(app, client, meetings, now):
    assert "tijd volgt" in client.get("/bijeenkomsten/zwolle").get_data(as_text=True)
    client.get("/")
    update_meeting(meetings["zwolle"], MeetingChanges(start_time=time(13, 0),
                                                      end_time=time(16, 30), capacity=1),
                   now=now, actor="test")
    db.session.commit()
    page = client.get("/bijeenkomsten/zwolle").get_data(as_text=True)
    assert "13:00" in page and "tijd volgt" not in page
    assert "13:00" in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/bijeenkomsten/zwolle")
    client.post("/bijeenkomsten/zwolle", data={
        "csrf_token": token, "name": "Sam de Wit", "email": "sam@school.nl", "role": "vo",
        "consent": "y"})
    assert "wachtlijst" in client.get("/bijeenkomsten/zwolle").get_data(as_text=True)


def test_languages_are_kept_apart(app, meetings):
    client = new_client(app)
    assert "Aanmelden" in client.get("/bijeenkomsten/zwolle").get_data(as_text=True)
    english = client.get("/bijeenkomsten/zwolle?lang=en").get_data(as_text=True)
    assert "Register" in english and "Aanmelden</h2>" not in english
    assert 'lang="en"' in client.get("/").get_data(as_text=True)  # the cookie now says en

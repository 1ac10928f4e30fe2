"""A meeting's registration window: before it the page says from when, after it that
registration has ended; the booking refuses both, the kept pages change at the minute, and
an organiser can still add someone at the door."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from babel.dates import format_date

from regio.db import db
from regio.errors import BookingError
from regio.meetings.models import Meeting, MeetingStatus, WindowPhase
from regio.registrations.models import Registration, Status
from regio.registrations.services import move, register
from tests.booking_helpers import book, reload, set_capacity
from tests.conftest import csrf_token
from tests.organiser_support import fresh, new_client
from tests.test_mail_flow import applicant
from tests.test_registration_views import registrations, valid

TZ = ZoneInfo("Europe/Amsterdam")
URL = "/bijeenkomsten/zwolle"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def set_window(meeting: Meeting, *, opens: datetime | None = None,
               closes: datetime | None = None) -> Meeting:
    fresh()  # a write after a read needs a transaction of its own on SQLite
    meeting = db.session.get(Meeting, meeting.id)
    meeting.registration_opens_at, meeting.registration_closes_at = opens, closes
    db.session.commit()
    return meeting


def opening_day(meeting: Meeting) -> date:
    """Ten days before the meeting: after today, since the fixture's meetings are 14 ahead."""
    return meeting.date - timedelta(days=10)


def long_moment(moment: datetime, locale: str = "nl") -> str:
    local_moment = moment.astimezone(TZ)
    word = {"nl": "om", "en": "at"}[locale]
    return f"{format_date(local_moment.date(), 'EEEE d MMMM y', locale=locale)} {word} " \
           f"{local_moment:%H:%M}"


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the model and the booking service -------------------------------------------------------


def test_status_follows_the_window_to_the_minute(meetings, now):
    zwolle = set_window(meetings["zwolle"], opens=now + timedelta(minutes=5),
                        closes=now + timedelta(hours=2))
    today = now.astimezone(TZ).date()
    assert zwolle.window_phase(now) == WindowPhase.BEFORE
    assert zwolle.status(today, now) == MeetingStatus.NOT_YET_OPEN
    assert not zwolle.accepts_registrations(today, now)
    at_opening = now + timedelta(minutes=5)
    assert zwolle.status(today, at_opening) == MeetingStatus.OPEN
    at_closing = now + timedelta(hours=2)
    assert zwolle.status(today, at_closing - timedelta(seconds=1)) == MeetingStatus.OPEN
    assert zwolle.status(today, at_closing) == MeetingStatus.CLOSED
    zwolle.is_open = False  # closed by hand wins over the window
    assert zwolle.status(today, now) == MeetingStatus.CLOSED
    db.session.rollback()


def test_a_full_meeting_not_yet_open_says_not_yet_open(meetings, now):
    zwolle = set_capacity(meetings["zwolle"], 0)
    zwolle = set_window(zwolle, opens=now + timedelta(days=1))
    assert zwolle.status(now.astimezone(TZ).date(), now) == MeetingStatus.NOT_YET_OPEN


def test_booking_before_the_window_is_refused_and_at_the_minute_it_is_taken(meetings, now):
    opens = now + timedelta(minutes=1)
    zwolle = set_window(meetings["zwolle"], opens=opens)
    with pytest.raises(BookingError) as refused:
        register(zwolle.id, applicant("early@school.nl"), now=opens - timedelta(seconds=1))
    assert refused.value.code == "registration_not_open"
    db.session.rollback()
    outcome = register(zwolle.id, applicant("on-time@school.nl"), now=opens)
    db.session.commit()
    assert outcome.created and reload(zwolle).taken == 1


def test_booking_after_the_window_is_refused_even_for_the_waiting_list(meetings, now):
    closes = now + timedelta(minutes=1)
    zwolle = set_window(set_capacity(meetings["zwolle"], 1), closes=closes)
    book(zwolle, 1, now=now)
    waiting = register(zwolle.id, applicant("waiting@school.nl"), now=now)
    db.session.commit()
    assert not waiting.placed
    with pytest.raises(BookingError) as refused:
        register(zwolle.id, applicant("late@school.nl"), now=closes)
    assert refused.value.code == "meeting_closed"
    db.session.rollback()
    assert reload(zwolle).taken == 1


def test_moving_to_a_meeting_not_yet_open_is_refused(meetings, now):
    set_window(meetings["rotterdam"], opens=now + timedelta(days=1))
    outcome = register(meetings["zwolle"].id, applicant("anna@school.nl"), now=now)
    db.session.commit()
    with pytest.raises(BookingError) as refused:
        move(outcome.registration, db.session.get(Meeting, meetings["rotterdam"].id), now=now)
    assert refused.value.code == "registration_not_open"
    db.session.rollback()


# --- the public pages ------------------------------------------------------------------------


def test_before_the_window_the_page_says_from_when_and_a_post_is_refused(client, meetings):
    zwolle = meetings["zwolle"]
    opens = local(opening_day(zwolle), 9)
    set_window(zwolle, opens=opens)
    page = text(client.get(URL))
    assert f"Aanmelden kan vanaf {long_moment(opens)}." in page
    assert "nog niet open" in page and 'name="email"' not in page
    home = text(client.get("/"))
    assert f"Aanmelden kan vanaf {long_moment(opens)}." in home
    token = csrf_token(client, "/bijeenkomsten/rotterdam")  # the token is the session's
    response = client.post(URL, data={"csrf_token": token, **valid()})
    assert response.status_code == 409
    assert "Aanmelden voor deze bijeenkomst kan nog niet." in text(response)
    assert registrations() == []


def test_after_the_window_the_page_says_registration_has_ended(client, meetings, now):
    closes = now - timedelta(hours=1)
    set_window(meetings["zwolle"], closes=closes)
    page = text(client.get(URL))
    assert f"Aanmelden kon tot {long_moment(closes)}. Aanmelden is nu gesloten." in page
    assert 'name="email"' not in page
    token = csrf_token(client, "/bijeenkomsten/rotterdam")
    response = client.post(URL, data={"csrf_token": token, **valid()})
    assert response.status_code == 409
    assert "gesloten" in text(response) and registrations() == []


def test_an_open_window_shows_until_when(client, meetings, now):
    closes = local(meetings["zwolle"].date - timedelta(days=1), 17)
    set_window(meetings["zwolle"], opens=now - timedelta(days=1), closes=closes)
    page = text(client.get(URL))
    assert f"Aanmelden kan tot {long_moment(closes)}." in page and 'name="email"' in page


def test_the_window_in_english(client, meetings):
    zwolle = meetings["zwolle"]
    opens = local(opening_day(zwolle), 9, 30)
    set_window(zwolle, opens=opens)
    page = text(client.get(URL + "?lang=en"))
    assert f"You can register from {long_moment(opens, 'en')}." in page
    assert "not open yet" in page
    set_window(zwolle, closes=datetime.now(TZ) - timedelta(minutes=1))
    page = text(client.get(URL + "?lang=en"))
    assert "Registration is now closed." in page


def kept_keys(app, name: str) -> list[tuple]:
    return [key for key in app.extensions["regio.pages"]._pages if key[0] == name]


def test_the_kept_pages_flip_at_the_minute_registration_opens_and_closes(app, meetings):
    zwolle = meetings["zwolle"]
    opens = local(opening_day(zwolle), 9)
    closes = local(opening_day(zwolle), 17, 30)
    set_window(zwolle, opens=opens, closes=closes)
    client = new_client(app)
    with time_machine.travel(opens - timedelta(seconds=30), tick=False):
        assert 'name="email"' not in text(client.get(URL))
        assert 'name="email"' not in text(client.get(URL))  # the kept page, still before
        assert "nog niet open" in text(client.get("/"))
    with time_machine.travel(opens, tick=False):
        assert 'name="email"' in text(client.get(URL))
        home = text(client.get("/"))
        assert "nog niet open" not in home and "Aanmelden kan tot" in home
    with time_machine.travel(closes - timedelta(seconds=1), tick=False):
        assert 'name="email"' in text(client.get(URL))
    with time_machine.travel(closes, tick=False):
        page = text(client.get(URL))
        assert 'name="email"' not in page and "Aanmelden is nu gesloten" in page
    # One local day, three kept pages: the phase is in the key, not only the date.
    keys = kept_keys(app, "meeting")
    assert len(keys) == 3 and len({key[2] for key in keys}) == 1


def test_a_posted_registration_at_the_minute_of_opening_is_taken(app, meetings):
    zwolle = meetings["zwolle"]
    opens = local(opening_day(zwolle), 9)
    set_window(zwolle, opens=opens)
    client = new_client(app)
    with time_machine.travel(opens, tick=False):
        token = csrf_token(client, URL)
        response = client.post(URL, data={"csrf_token": token, **valid()})
    assert response.status_code == 303
    fresh()
    assert [r.status for r in registrations()] == [Status.HELD]


def test_the_personal_page_offers_no_move_to_a_meeting_not_yet_open(client, meetings, now):
    set_window(meetings["rotterdam"], opens=now + timedelta(days=1))
    outcome = register(meetings["zwolle"].id, applicant("anna@school.nl"), now=now)
    db.session.commit()
    page = text(client.get(f"/aanmelding/{outcome.token}/wisselen"))
    assert 'value="den-bosch"' in page and 'value="rotterdam"' not in page


# --- the back office -------------------------------------------------------------------------


def test_a_walk_in_is_added_at_the_door_outside_the_window(organiser, meetings, now):
    set_window(meetings["zwolle"], opens=now + timedelta(days=1))
    page = "/beheer/bijeenkomsten/zwolle"
    response = organiser.post(page + "/aan-de-deur", data={
        "name": "Bram Jansen", "email": "", "role": "ouder",
        "csrf_token": csrf_token(organiser, page)})
    assert response.status_code == 302
    fresh()
    walk_in = db.session.execute(db.select(Registration)).scalar_one()
    assert walk_in.is_walk_in and walk_in.status == Status.CONFIRMED
    set_window(meetings["zwolle"], closes=now - timedelta(minutes=1))
    response = organiser.post(page + "/aan-de-deur", data={
        "name": "Sanne de Boer", "email": "", "role": "po",
        "csrf_token": csrf_token(organiser, page)})
    assert response.status_code == 302
    fresh()
    assert len(registrations()) == 2


def test_the_back_office_shows_the_status_and_the_window(organiser, meetings):
    zwolle = meetings["zwolle"]
    opens, closes = local(opening_day(zwolle), 9), local(opening_day(zwolle), 17)
    set_window(zwolle, opens=opens, closes=closes)
    page = text(organiser.get("/beheer/bijeenkomsten/zwolle"))
    assert "nog niet open" in page
    assert f"Aanmelden kan van {long_moment(opens)} tot {long_moment(closes)}." in page
    assert "nog niet open" in text(organiser.get("/beheer/"))

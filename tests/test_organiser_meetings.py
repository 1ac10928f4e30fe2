"""Changing and cancelling a meeting through /beheer."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regio.db import db
from regio.mail.models import OutboxMessage
from regio.meetings.models import Meeting
from regio.registrations.services import cancel
from tests.conftest import csrf_token
from tests.organiser_support import add_registration, fresh

PAGE = "/beheer/bijeenkomsten/zwolle"
SETTINGS = PAGE + "/instellingen"


@pytest.fixture
def attendees(meetings, now):
    zwolle = meetings["zwolle"]
    confirmed = [add_registration(zwolle, f"Deelnemer {n}", f"d{n}@school.nl") for n in range(3)]
    held = add_registration(zwolle, "Nog Onbevestigd", "held@school.nl", confirmed=False)
    gone = add_registration(zwolle, "Al Afgemeld", "gone@school.nl")
    cancel(gone, now=now)
    db.session.commit()
    return {"confirmed": confirmed, "held": held, "cancelled": gone}


def form_values(**changes) -> dict:
    values = {"date": "", "start_time": "", "end_time": "", "venue": "De Nieuwe Buitensociëteit",
              "address": "", "capacity": "", "is_open": "y"}
    values.update(changes)
    return values


def current(client) -> dict:
    fresh()
    meeting = db.session.execute(db.select(Meeting).where(Meeting.slug == "zwolle")).scalar_one()
    return form_values(date=meeting.date.isoformat())


def post_settings(client, **changes):
    data = current(client) | changes
    data["csrf_token"] = csrf_token(client, PAGE)
    return client.post(SETTINGS, data=data)


def outbox(kind: str) -> list[OutboxMessage]:
    fresh()
    return list(db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.kind == kind)).scalars())


def zwolle() -> Meeting:
    fresh()
    return db.session.execute(db.select(Meeting).where(Meeting.slug == "zwolle")).scalar_one()


def test_meeting_page_shows_settings_and_attendees(organiser, attendees):
    page = organiser.get(PAGE).get_data(as_text=True)
    assert "Deelnemer 0" in page and "Nog Onbevestigd" in page
    assert 'name="start_time"' in page and 'name="capacity"' in page


def test_time_change_asks_first_then_queues_updates_for_exactly_the_confirmed(
        organiser, attendees):
    response = post_settings(organiser, start_time="13:00", end_time="16:30")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 mensen krijgen een bijgewerkte uitnodiging" in page
    assert zwolle().start_time is None and outbox("updated") == []

    data = current(organiser) | {"start_time": "13:00", "end_time": "16:30", "confirmed": "1",
                                 "csrf_token": csrf_token(organiser, PAGE)}
    response = organiser.post(SETTINGS, data=data)
    assert response.status_code == 302
    assert zwolle().start_time.strftime("%H:%M") == "13:00"
    recipients = sorted(m.recipient for m in outbox("updated"))
    assert recipients == sorted(r.email for r in attendees["confirmed"])


def test_capacity_change_needs_no_confirmation(organiser, attendees):
    response = post_settings(organiser, capacity="120")
    assert response.status_code == 302
    assert zwolle().capacity == 120
    assert outbox("updated") == []


def test_empty_capacity_means_unlimited(organiser, attendees):
    post_settings(organiser, capacity="50")
    post_settings(organiser, capacity="")
    assert zwolle().capacity is None


def test_closing_registration(organiser, attendees):
    post_settings(organiser, is_open="n")
    assert zwolle().is_open is False


@pytest.mark.parametrize("field,value,message", [
    ("capacity", "veel", "Vul een aantal plaatsen in"),
    ("capacity", "2", "Kies minstens dat aantal"),
    ("start_time", "25:00", "Vul een tijd in als uu:mm"),
    ("end_time", "09:00", "De eindtijd moet na de begintijd liggen"),
    ("date", "4 april", "Vul een geldige datum in"),
    ("venue", "", "Dit veld is verplicht"),
])
def test_bad_value_gets_a_message_beside_the_field(organiser, attendees, field, value, message):
    changes = {field: value}
    if field == "end_time":
        changes["start_time"] = "10:00"
    response = post_settings(organiser, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page and message in page
    assert f'aria-describedby="{field}-error"' in page or f'{field}-error"' in page
    assert 'class="error-summary"' in page
    assert zwolle().start_time is None and zwolle().capacity is None


def errors_shown(page: str) -> dict[str, str]:
    return {field: " ".join(text.split()) for field, text in re.findall(
        r'<p class="error" id="(\w+)-error">.*?</span>(.*?)</p>', page, re.S)}


@pytest.mark.parametrize("changes,expected", [
    # Two values that cannot be read and one rule broken: all three at once.
    ({"capacity": "veel", "start_time": "25:00", "registration_opens_at": "morgen"},
     {"capacity", "start_time", "registration_opens_at"}),
    # Rules only: the window closes after the start, and fewer places than are taken.
    ({"start_time": "10:00", "end_time": "09:00", "capacity": "2",
      "registration_closes_at": "2099-01-01 10:00"},
     {"end_time", "capacity", "registration_closes_at"}),
    # A date that cannot be read: the window waits for it, the capacity does not.
    ({"date": "4 april", "capacity": "2", "registration_closes_at": "2099-01-01 10:00"},
     {"date", "capacity"}),
])
def test_every_mistake_in_the_settings_is_shown_at_once(organiser, attendees, changes,
                                                       expected):
    page = post_settings(organiser, **changes).get_data(as_text=True)
    shown = errors_shown(page)
    assert set(shown) == expected, shown
    start = page.index('class="error-summary"')
    summary = page[start:page.index("</ul>", start)]
    assert all(f'href="#{field}"' in summary for field in expected)
    assert zwolle().capacity is None  # nothing saved


def test_cancel_asks_first_and_mails_everyone_active(organiser, attendees):
    url = PAGE + "/annuleren"
    page = organiser.get(url).get_data(as_text=True)
    assert "4 mensen krijgen bericht dat de bijeenkomst niet doorgaat" in page
    response = organiser.post(url, data={"csrf_token": csrf_token(organiser, url)})
    assert response.status_code == 302
    assert zwolle().is_cancelled
    expected = [r.email for r in attendees["confirmed"]] + [attendees["held"].email]
    assert sorted(m.recipient for m in outbox("meeting_cancelled")) == sorted(expected)
    again = organiser.post(url, data={"csrf_token": csrf_token(organiser, url)})
    assert again.status_code == 302  # a message, not an error


text = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({
    "date": st.one_of(text, st.dates().map(str)),
    "start_time": st.one_of(text, st.sampled_from(["", "9:30", "13.00", "23:59"])),
    "end_time": st.one_of(text, st.sampled_from(["", "17:00", "00:00"])),
    "venue": text, "address": st.one_of(text, st.text(max_size=400)),
    "capacity": st.one_of(text, st.integers(-5, 10**7).map(str)),
    "is_open": st.sampled_from(["y", "n", "", "x"]),
    "confirmed": st.sampled_from(["", "1", "yes", "terug"]),
    "title": text, "city": text, "description": st.one_of(text, st.text(max_size=6000)),
    "registration_opens_at": st.one_of(text, st.datetimes().map(
        lambda moment: moment.strftime("%Y-%m-%dT%H:%M"))),
    "registration_closes_at": st.one_of(text, st.sampled_from(
        ["", "0001-01-01 00:30", "9999-12-31 23:59", "2024-02-30 10:00"])),
}))
def test_settings_form_never_answers_5xx(organiser, attendees, values):
    values = dict(values, csrf_token=csrf_token(organiser, PAGE))
    response = organiser.post(SETTINGS, data=values)
    assert response.status_code < 500, values


def test_change_confirmation_shows_old_and_new_and_back_keeps_the_input(organiser, attendees):
    page = post_settings(organiser, start_time="13:00", end_time="16:30",
                         venue="Theater De Spiegel").get_data(as_text=True)
    rows = re.findall(r"<tr><td>([^<]+)</td><td data-label=\"Was\">([^<]+)</td>"
                      r"<td data-label=\"Wordt\"><strong>([^<]+)</strong>", page)
    assert rows == [("begintijd", "tijd volgt", "13:00"), ("eindtijd", "tijd volgt", "16:30"),
                    ("locatie", "De Nieuwe Buitensociëteit", "Theater De Spiegel")]
    data = current(organiser) | {"start_time": "13:00", "end_time": "16:30",
                                 "venue": "Theater De Spiegel", "confirmed": "terug",
                                 "csrf_token": csrf_token(organiser, PAGE)}
    back = organiser.post(SETTINGS, data=data).get_data(as_text=True)
    assert 'value="Theater De Spiegel"' in back and 'value="13:00"' in back
    assert zwolle().venue == "De Nieuwe Buitensociëteit" and outbox("updated") == []

"""A workshop round announced before choosing opens: the page says from when, the form asks
nothing for it, and from that minute people choose it on their personal page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import select

from regio import labels
from regio.audit import AuditEvent
from regio.db import db
from regio.errors import BookingError, MeetingError
from regio.mail.outbox import Kind
from regio.meetings.services import parse_moment
from regio.programme import seats
from regio.programme.models import ProgrammeRound
from regio.programme.opening import not_open
from regio.programme.services import set_opening
from regio.programme.words import day_lines
from regio.registrations.models import Registration
from tests.booking_helpers import mails
from tests.conftest import csrf_token
from tests.organiser_support import fresh, new_client
from tests.programme_support import choices, day, sign_up, taken

URL = "/bijeenkomsten/zwolle"
TZ = ZoneInfo("Europe/Amsterdam")


def opening_in(meeting, days: int = 3) -> datetime:
    """10:00 local, `days` from today (before the meeting, which is two weeks ahead)."""
    local = datetime.now(TZ).replace(hour=10, minute=0, second=0, microsecond=0)
    moment = (local + timedelta(days=days)).astimezone(UTC)
    assert moment.astimezone(TZ).date() <= meeting.date
    return moment


def close_round(meeting, number: int, opens_at: datetime, *, now: datetime | None = None):
    set_opening(meeting, number, opens_at, tz=TZ, actor="test", now=now or datetime.now(UTC))
    db.session.commit()


def moment_words(opens_at: datetime) -> str:
    """How the pages write the moment: 'maandag 2 maart 2026 om 10:00'."""
    from regio.i18n import long_moment

    return long_moment(opens_at)


def register(client, **fields):
    data = {"csrf_token": csrf_token(client, URL), "name": "Anna de Vries",
            "email": "anna@school.nl", "role": "po", "consent": "y", **fields}
    return client.post(URL, data=data)


def programme_part(page: str) -> str:
    return page.split('id="programma"')[1].split("</section>")[0]


# --- the setting ------------------------------------------------------------------------------


def test_an_opening_is_kept_audited_and_cleared(meetings):
    zwolle = meetings["zwolle"]
    day(zwolle)
    opens_at = opening_in(zwolle)
    now = datetime.now(UTC)
    assert set_opening(zwolle, 2, opens_at, tz=TZ, actor="ann@ocw.nl", now=now)
    assert not set_opening(zwolle, 2, opens_at, tz=TZ, actor="ann@ocw.nl", now=now)
    db.session.commit()
    assert not_open(zwolle.id, [1, 2], now) == {2: opens_at}
    assert not_open(zwolle.id, [1, 2], opens_at) == {}  # open at the minute itself
    assert set_opening(zwolle, 2, None, tz=TZ, actor="cli", now=now + timedelta(seconds=1))
    db.session.commit()
    assert not_open(zwolle.id, [2], now) == {}
    row = db.session.execute(select(ProgrammeRound)).scalar_one()
    assert (row.number, row.opens_at) == (2, None)
    events = db.session.execute(select(AuditEvent).where(
        AuditEvent.action.like("programme.round%")).order_by(AuditEvent.id)).scalars().all()
    assert [e.action for e in events] == ["programme.round_opens", "programme.round_open"]
    with force_locale("nl"):
        sentence = labels.audit_sentence(events[0], people={}, cities={"zwolle": "Zwolle"})
    local = opens_at.astimezone(TZ)
    assert sentence.startswith("Programma van Zwolle: kiezen in ronde 2 kan vanaf ")
    assert f"{local:%H:%M}" in sentence and sentence.endswith("ingesteld door ann@ocw.nl")


@pytest.mark.parametrize(("number", "late", "code"), [
    (0, False, "bad_round"), (3, False, "round_unknown"), (2, True, "opens_after_meeting")])
def test_a_bad_opening_is_refused_with_a_code(meetings, number, late, code):
    zwolle = meetings["zwolle"]
    day(zwolle)
    opens_at = datetime.combine(zwolle.date + timedelta(days=1), datetime.min.time(),
                                tzinfo=TZ) if late else opening_in(zwolle)
    with pytest.raises(MeetingError) as refused:
        set_opening(zwolle, number, opens_at, tz=TZ, actor="test", now=datetime.now(UTC))
    assert refused.value.code == code


@pytest.mark.parametrize("text", ["", "2026-03-01", "morgen 10:00", "2026-03-01 25:00",
                                  "2026-03-01 10:60", "99999-01-01 10:00",
                                  "2026-03-01 09:00:99"])
def test_a_moment_must_be_a_date_and_a_time(text):
    with pytest.raises(MeetingError) as refused:
        parse_moment(text, "opens", TZ)
    assert refused.value.code == "bad_moment"


@pytest.mark.parametrize(("text", "code"), [
    ("2026-02-30 10:00", "no_such_date"), ("2026-13-01 10:00", "no_such_date"),
    ("0000-01-01 10:00", "no_such_date"),
    ("0001-01-01 00:00", "moment_out_of_range"),  # before year 1 in UTC
    ("0001-01-01 01:00", "moment_out_of_range"), ("0025-12-10 09:00", "moment_out_of_range"),
    ("2027-03-28 02:30", "moment_skipped"), ("2027-03-28 02:00", "moment_skipped"),
])
def test_a_moment_that_is_written_right_but_does_not_exist_says_why(text, code):
    with pytest.raises(MeetingError) as refused:
        parse_moment(text, "opens", TZ)
    assert (refused.value.code, refused.value.field) == (code, "opens")


def test_the_hours_around_the_clock_changes_are_read_as_they_exist():
    assert parse_moment("2027-03-28 01:59", "opens", TZ) == datetime(2027, 3, 28, 0, 59,
                                                                     tzinfo=UTC)
    assert parse_moment("2027-03-28 03:00", "opens", TZ) == datetime(2027, 3, 28, 1, 0,
                                                                     tzinfo=UTC)
    # 02:30 on the last Sunday of October happens twice: the first one, still summer time
    assert parse_moment("2026-10-25 02:30", "opens", TZ) == datetime(2026, 10, 25, 0, 30,
                                                                     tzinfo=UTC)
    assert parse_moment("9999-12-31 23:59", "opens", TZ).year == 9999


def test_a_moment_is_read_on_the_dutch_wall_clock():
    assert parse_moment("2026-07-01 10:00", "opens", TZ) == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert parse_moment("2026-01-05 09.30", "opens", TZ) == datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


# --- the public page and the form -------------------------------------------------------------


def test_a_round_not_open_shows_its_workshops_with_from_when(app, client, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    opens_at = opening_in(zwolle)
    close_round(zwolle, 2, opens_at)
    page = client.get(URL).get_data(as_text=True)
    words = f"Kiezen kan vanaf {moment_words(opens_at)}"
    shown = programme_part(page)
    assert "Hoorrecht" in shown and words in shown
    assert shown.count("Kiezen kan vanaf") == 1  # only beside round 2's one workshop
    assert 'name="ronde_1"' in page and 'name="ronde_2"' not in page
    assert f'value="{items["hoorrecht"].id}"' not in page
    assert 'id="ronde_2-later"' in page and "op uw persoonlijke pagina" in page
    english = new_client(app).get(URL + "?lang=en").get_data(as_text=True)
    assert "Kiezen kan" not in english
    assert f"You can choose from {opens_at.astimezone(TZ):%A} " in english


def test_registering_asks_nothing_for_that_round_and_ignores_a_forged_pick(client, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    close_round(zwolle, 2, opening_in(zwolle))
    answer = register(client, ronde_1=str(items["po"].id), ronde_2=str(items["hoorrecht"].id))
    assert answer.status_code == 303
    person = db.session.execute(select(Registration)).scalar_one()
    assert choices(person) == {1: ("Het OPP in het po", "chosen")}
    assert taken(items["hoorrecht"]) == 0
    # The service leaves it out too, when it reads the programme itself.
    other = sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]})
    assert choices(other) == {1: ("Het OPP in het vo", "chosen")}


def test_the_open_round_still_needs_its_choice(client, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    close_round(zwolle, 2, opening_in(zwolle))
    answer = register(client, ronde_2=str(items["hoorrecht"].id))
    assert answer.status_code == 422
    assert "Kies een workshop voor ronde 1" in answer.get_data(as_text=True)


def test_the_kept_page_flips_at_the_opening_minute(app, meetings):
    zwolle = meetings["zwolle"]
    day(zwolle)
    opens_at = opening_in(zwolle)
    close_round(zwolle, 2, opens_at)
    client = new_client(app)
    with time_machine.travel(opens_at - timedelta(minutes=1), tick=False):
        before = client.get(URL).get_data(as_text=True)
        assert 'name="ronde_2"' not in before
        assert 'name="ronde_2"' not in client.get(URL).get_data(as_text=True)  # kept page
    with time_machine.travel(opens_at, tick=False):
        page = client.get(URL).get_data(as_text=True)
        assert 'name="ronde_2"' in page and "Kiezen kan vanaf" not in page
        assert 'id="ronde_2-later"' not in page


def test_the_poster_says_from_when_until_the_round_opens(client, meetings):
    zwolle = meetings["zwolle"]
    day(zwolle)
    opens_at = opening_in(zwolle)
    close_round(zwolle, 2, opens_at)
    line = f"Ronde 2: kiezen kan vanaf {moment_words(opens_at)}"
    assert line in client.get(URL + "/poster").get_data(as_text=True)
    pdf = client.get(URL + "/poster.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with time_machine.travel(opens_at + timedelta(minutes=1), tick=False):
        assert "kiezen kan vanaf" not in client.get(URL + "/poster").get_data(as_text=True)


# --- choosing later, on the personal page -----------------------------------------------------


def _personal_token(person) -> str:
    return mails(Kind.CONFIRM_EMAIL, person)[0].payload["token"]


def test_after_opening_the_person_chooses_on_their_personal_page(app, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    opens_at = opening_in(zwolle)
    close_round(zwolle, 2, opens_at)
    person = sign_up(zwolle, 1, {1: items["po"]})
    token = _personal_token(person)
    client = new_client(app)
    personal = f"/aanmelding/{token}"

    def choose():
        return client.post(f"{personal}/workshop", data={
            "csrf_token": csrf_token(client, personal), "ronde": "2",
            "workshop": str(items["hoorrecht"].id)}, follow_redirects=True)

    page = client.get(personal).get_data(as_text=True)
    assert f"Kiezen kan vanaf {moment_words(opens_at)}" in page
    assert 'id="wissel-2-' not in page
    refused = choose().get_data(as_text=True)
    assert "In deze ronde kunt u nog niet kiezen." in refused
    fresh()
    assert 2 not in choices(person)
    with time_machine.travel(opens_at + timedelta(minutes=1)):
        page = client.get(personal).get_data(as_text=True)
        assert "Kies een workshop voor ronde 2" in page
        assert f'id="wissel-2-{items["hoorrecht"].id}"' in page
        assert "U heeft een workshop gekozen." in choose().get_data(as_text=True)
    fresh()
    assert choices(person)[2] == ("Hoorrecht", "chosen")
    assert taken(items["hoorrecht"]) == 1


def test_the_switch_service_refuses_a_round_not_open(meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    person = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    close_round(zwolle, 1, opening_in(zwolle))
    with pytest.raises(BookingError) as refused:
        seats.switch(person, 1, items["vo"].id, now=datetime.now(UTC))
    assert refused.value.code == "round_not_open"
    db.session.rollback()
    assert choices(person)[1] == ("Het OPP in het po", "chosen")  # kept, not lost


def test_the_mail_says_from_when_the_person_can_choose(app, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    opens_at = opening_in(zwolle)
    close_round(zwolle, 2, opens_at)
    person = sign_up(zwolle, 1, {1: items["po"]})
    with force_locale("nl"):
        lines = day_lines(person, now=datetime.now(UTC))
        later = day_lines(person, now=opens_at)
    assert f"Ronde 2: kiezen kan vanaf {moment_words(opens_at)}" in lines
    assert "Ronde 2: nog geen workshop gekozen" in later


# --- the command and the back office ----------------------------------------------------------


def test_the_round_command_sets_and_clears_the_opening(runner, meetings):
    zwolle = meetings["zwolle"]
    day(zwolle)
    local = opening_in(zwolle).astimezone(TZ)
    typed = f"{local:%Y-%m-%d %H:%M}"
    result = runner.invoke(args=["programme", "round", "zwolle", "2", "--opens", typed])
    assert result.exit_code == 0, result.output
    assert f"round 2: choosing opens {typed}" in result.output
    listed = runner.invoke(args=["programme", "list", "zwolle"])
    assert f"round 2: choosing opens {typed}" in listed.output
    fresh()
    assert not_open(zwolle.id, [2], datetime.now(UTC)) == {2: local.astimezone(UTC)}
    result = runner.invoke(args=["programme", "round", "zwolle", "2", "--open-now"])
    assert result.exit_code == 0 and "round 2: open for choices" in result.output
    bad = runner.invoke(args=["programme", "round", "zwolle", "2", "--opens", "morgen"])
    assert bad.exit_code != 0 and "bad_moment" in bad.output
    unknown = runner.invoke(args=["programme", "round", "zwolle", "5", "--opens", typed])
    assert unknown.exit_code != 0 and "round_unknown" in unknown.output
    fresh()
    assert [e.actor for e in db.session.execute(select(AuditEvent).where(
        AuditEvent.action.like("programme.round%"))).scalars()] == ["cli", "cli"]


PAGE = "/beheer/bijeenkomsten/zwolle/programma"


def test_an_organiser_sets_and_opens_a_round_on_the_programme_page(organiser, meetings):
    zwolle = meetings["zwolle"]
    day(zwolle)
    local = opening_in(zwolle).astimezone(TZ)
    answer = organiser.post(f"{PAGE}/ronde/2", data={
        "csrf_token": csrf_token(organiser, PAGE), "opens_on": local.date().isoformat(),
        "opens_time": f"{local:%H:%M}"})
    assert answer.status_code == 302 and answer.location.endswith("#ronde-2")
    page = organiser.get(PAGE).get_data(as_text=True)
    ronde_2 = page.split('id="ronde-2"')[1]
    assert "nog niet open" in ronde_2 and moment_words(local) in ronde_2
    assert f'value="{local.date().isoformat()}"' in ronde_2 and "Nu openen" in ronde_2
    assert "Kiezen kan nu." in page.split('id="ronde-1"')[1].split('id="ronde-2"')[0]
    fresh()
    assert not_open(zwolle.id, [2], datetime.now(UTC)) == {2: local.astimezone(UTC)}
    answer = organiser.post(f"{PAGE}/ronde/2", data={
        "csrf_token": csrf_token(organiser, PAGE), "opens_on": "", "opens_time": "",
        "nu_openen": "1"})
    assert answer.status_code == 302
    fresh()
    assert not_open(zwolle.id, [2], datetime.now(UTC)) == {}
    assert "Ronde 2: kiezen kan nu." in organiser.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"opens_on": "morgen", "opens_time": "10:00"}, "ronde-2-opens_on", "geldige datum"),
    ({"opens_on": "2030-01-01", "opens_time": "25:00"}, "ronde-2-opens_time", "uu:mm"),
    ({"opens_on": "2099-01-01", "opens_time": "10:00"}, "ronde-2-opens_on", "dag van de"),
    ({"opens_on": "0001-01-01", "opens_time": "00:00"}, "ronde-2-opens_on", "jaar vanaf 2000"),
    ({"opens_on": "2027-03-28", "opens_time": "02:30"}, "ronde-2-opens_time",
     "klok een uur vooruit"),
])
def test_a_bad_moment_gets_a_message_beside_its_field(organiser, meetings, fields, field,
                                                      words):
    day(meetings["zwolle"])
    answer = organiser.post(f"{PAGE}/ronde/2", data={
        "csrf_token": csrf_token(organiser, PAGE), **fields})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">.*?</span>(.*?)</p>', page, re.S)
    assert error and words in error[1]
    assert f'value="{fields["opens_on"]}"' in page  # the input is kept
    fresh()
    assert db.session.execute(select(ProgrammeRound)).first() is None


def test_a_meeting_nobody_registered_for_is_deleted_with_its_programme(meetings):
    from regio.meetings.creation import delete_meeting
    from regio.programme.models import ProgrammeItem

    rotterdam = meetings["rotterdam"]
    day(rotterdam)
    close_round(rotterdam, 2, opening_in(rotterdam))
    delete_meeting(rotterdam, actor="test", now=datetime.now(UTC))
    db.session.commit()
    assert db.session.execute(select(ProgrammeItem)).first() is None
    assert db.session.execute(select(ProgrammeRound)).first() is None

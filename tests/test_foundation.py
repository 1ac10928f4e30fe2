"""The app factory, configuration, seed data, meeting updates and public pages."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from config import ConfigError, load_config
from regio import create_app
from regio.db import db
from regio.errors import MeetingError
from regio.meetings.models import Meeting
from regio.meetings.seed import ROUND_2024, demo_shift, seed_meetings
from regio.meetings.services import MeetingChanges, parse_clock, update_meeting
from tests.conftest import make_app


@pytest.mark.parametrize("name", ["development", "testing"])
def test_factory_builds_each_config(name, tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, REGIO_CONFIG=name)
    assert app.config["REGIO_CONFIG"] == name
    assert app.config["SECRET_KEY"]


def test_production_refuses_to_start_without_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config("production", environ={})


def test_production_starts_with_secret_key(tmp_path):
    env = {"SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"}
    settings = load_config("production", environ=env)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REGIO_HSTS"] is True


def test_production_app_serves_plain_http_for_tests(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "y" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    monkeypatch.setenv("REGIO_ALLOW_SQLITE", "1")
    app = create_app("production")
    with app.app_context():
        db.create_all()
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response.headers


def test_environment_overrides_class_defaults():
    env = {"REGIO_BASE_URL": "https://regio.example", "RATELIMIT_ENABLED": "false",
           "REGIO_CONFIRM_WITHIN_HOURS": "12", "DATABASE_URL": "postgresql://u@h/db"}
    settings = load_config("development", environ=env)
    assert settings["REGIO_BASE_URL"] == "https://regio.example"
    assert settings["RATELIMIT_ENABLED"] is False
    assert settings["REGIO_CONFIRM_WITHIN_HOURS"] == 12
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_unknown_config_name_is_refused():
    with pytest.raises(ConfigError, match="REGIO_CONFIG"):
        load_config("staging", environ={})


def test_seed_twice_gives_four_meetings(app):
    seed_meetings(demo=False, today=date(2026, 1, 1))
    db.session.commit()
    seed_meetings(demo=False, today=date(2026, 1, 1))
    db.session.commit()
    assert len(db.session.execute(select(Meeting)).scalars().all()) == 4


def test_seed_keeps_the_announced_facts(app):
    seed_meetings(demo=False, today=date(2026, 1, 1))
    db.session.commit()
    found = {m.slug: m for m in db.session.execute(select(Meeting)).scalars()}
    assert {slug: m.date for slug, m in found.items()} == {
        "oostzaan": date(2024, 4, 4), "zwolle": date(2024, 4, 10),
        "den-bosch": date(2024, 4, 18), "rotterdam": date(2024, 4, 22),
    }
    assert found["oostzaan"].venue == "Van der Valk Oostzaan Amsterdam"
    assert found["zwolle"].venue == "De Nieuwe Buitensociëteit"
    assert found["den-bosch"].venue == "Golden Tulip Hotel Central"
    assert found["rotterdam"].venue == "Lommerijk"
    assert [found[s].city for s in ("oostzaan", "zwolle", "den-bosch", "rotterdam")] == [
        "Oostzaan", "Zwolle", "Den Bosch", "Rotterdam"]
    for meeting in found.values():  # nothing was announced about these: nothing invented
        assert meeting.start_time is None and meeting.address is None
        assert meeting.capacity is None


@pytest.mark.parametrize("today", [date(2024, 3, 1), date(2026, 12, 1), date(2031, 2, 28)])
def test_demo_seed_keeps_weekdays_and_lands_two_weeks_ahead(app, today):
    added = seed_meetings(demo=True, today=today)
    originals = {slug: day for slug, day, _venue, _city in ROUND_2024}
    for meeting in added:
        assert meeting.date.weekday() == originals[meeting.slug].weekday()
        assert meeting.date >= originals[meeting.slug]
    first = min(m.date for m in added)
    assert (first - today).days >= 14
    shifted = first != ROUND_2024[0][1]
    assert not shifted or (first - today).days < 21  # the smallest whole-week shift


def test_demo_shift_is_zero_when_far_enough_ahead():
    assert demo_shift(date(2030, 1, 31), date(2030, 1, 1)).days == 0


def test_demo_seed_command_uses_the_pinned_clock(runner, app):
    import time_machine

    with time_machine.travel("2026-12-01 10:00 +0000", tick=False):
        result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    first = db.session.execute(select(Meeting).order_by(Meeting.date)).scalars().first()
    assert first.date == date(2026, 12, 17)  # a Thursday, like 4 April 2024


@pytest.mark.parametrize("text,expected", [("13:30", time(13, 30)), ("9.05", time(9, 5))])
def test_parse_clock_accepts_common_forms(text, expected):
    assert parse_clock(text, "start_time") == expected


@pytest.mark.parametrize("text", ["25:00", "12:60", "noon", "", "1330", "-1:00"])
def test_parse_clock_refuses_bad_times(text):
    with pytest.raises(MeetingError) as info:
        parse_clock(text, "start_time")
    assert info.value.code == "bad_time"


def _zwolle(meetings) -> Meeting:
    return db.session.get(Meeting, meetings["zwolle"].id)


@pytest.mark.parametrize("changes,code", [
    (MeetingChanges(start_time=time(14, 0), end_time=time(13, 0)), "end_before_start"),
    (MeetingChanges(end_time=time(13, 0)), "end_without_start"),
    (MeetingChanges(capacity=-1), "bad_capacity"),
    (MeetingChanges(venue="x" * 201), "too_long"),
    (MeetingChanges(venue="a\x00b"), "bad_text"),
])
def test_meeting_update_refuses_bad_values_and_changes_nothing(meetings, now, changes, code):
    meeting = _zwolle(meetings)
    with pytest.raises(MeetingError) as info:
        update_meeting(meeting, changes, actor="test", now=now)
    assert info.value.code == code
    db.session.rollback()
    meeting = _zwolle(meetings)
    assert meeting.start_time is None and meeting.capacity is None
    assert meeting.venue == "De Nieuwe Buitensociëteit"


def test_meeting_update_sets_times_and_raises_sequence(meetings, now):
    meeting = _zwolle(meetings)
    result = update_meeting(meeting, MeetingChanges(start_time=time(13, 0), end_time=time(16, 0),
                                                    capacity=80), actor="test", now=now)
    db.session.commit()
    meeting = _zwolle(meetings)
    assert (meeting.start_time, meeting.end_time, meeting.capacity) == (
        time(13, 0), time(16, 0), 80)
    assert meeting.sequence == 1
    assert set(result.changed) == {"start_time", "end_time", "capacity"}


@pytest.mark.parametrize("args,message", [
    (["--start", "25:00"], "bad_time"),
    (["--start", "14:00", "--end", "13:00"], "end_before_start"),
    (["--capacity", "-5"], "bad_capacity"),
])
def test_meeting_update_command_reports_bad_values(runner, meetings, args, message):
    result = runner.invoke(args=["meeting", "update", "zwolle", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert _zwolle(meetings).start_time is None


def test_meeting_update_command_reports_every_bad_value(runner, meetings):
    result = runner.invoke(args=["meeting", "update", "zwolle", "--start", "14:00", "--end",
                                 "13:00", "--closes", "2099-01-01 10:00"])
    assert result.exit_code != 0
    assert "end_before_start --end" in result.output
    assert "closes_after_start --closes" in result.output


def test_meeting_update_command_for_unknown_slug(runner, meetings):
    result = runner.invoke(args=["meeting", "update", "utrecht", "--capacity", "5"])
    assert result.exit_code != 0
    assert "utrecht" in result.output


def test_meeting_update_command_changes_a_meeting(runner, meetings):
    result = runner.invoke(args=["meeting", "update", "zwolle", "--start", "13:00",
                                 "--end", "16:30", "--capacity", "120", "--venue", "Nieuw"])
    assert result.exit_code == 0, result.output
    meeting = _zwolle(meetings)
    assert meeting.capacity == 120 and meeting.venue == "Nieuw"


PUBLIC_PAGES = ["/", "/bijeenkomsten/oostzaan", "/bijeenkomsten/zwolle",
                "/bijeenkomsten/den-bosch", "/bijeenkomsten/rotterdam", "/privacy",
                "/toegankelijkheid", "/healthz"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_answers(client, meetings, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_index_lists_meetings_in_dutch(client, meetings):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in page
    for city in ("Oostzaan", "Zwolle", "Den Bosch", "Rotterdam"):
        assert city in page
    assert "tijd volgt" in page and "adres volgt" in page
    assert "donderdag" in page  # dates written out in Dutch


def test_index_shows_english_on_request(client, meetings):
    response = client.get("/?lang=en")
    assert '<html lang="en">' in response.get_data(as_text=True)


def test_past_meetings_show_as_past(client, app):
    seed_meetings(demo=False, today=date(2026, 1, 1))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert page.count("geweest") >= 4


@pytest.mark.parametrize("path", ["/bijeenkomsten/utrecht", "/bijeenkomsten/" + "x" * 300,
                                  "/niet-bestaand"])
def test_unknown_pages_get_a_dutch_404(client, meetings, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_healthz_is_ok_when_the_database_answers(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_gone(tmp_path):
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    app = make_app("postgresql+psycopg://regio@127.0.0.1:1/regio?connect_timeout=2", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"

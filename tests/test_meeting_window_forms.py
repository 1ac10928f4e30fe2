"""The registration window, title, description and city in the back office's forms and the
`regio meeting` commands: typed in local time, checked with a message beside each field,
audited; a new title is an updated invite, a new description is not."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from regio.audit import AuditEvent
from regio.db import db
from regio.mail.messages import build_message
from regio.mail.models import OutboxMessage
from regio.meetings.models import Meeting
from regio.meetings.services import get_meeting
from tests.account_support import post_form
from tests.organiser_support import add_registration, fresh, logged_in
from tests.test_meeting_new import NEW, SOON, add, add_meeting_cli

TZ = ZoneInfo("Europe/Amsterdam")
PAGE = "/beheer/bijeenkomsten/zwolle"
SETTINGS = PAGE + "/instellingen"
MEETING_DAY = date.fromisoformat(SOON)
OPENS_DAY = (MEETING_DAY - timedelta(days=20)).isoformat()
CLOSES_DAY = (MEETING_DAY - timedelta(days=1)).isoformat()


def utc(day: str, clock: str) -> datetime:
    local = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=TZ)
    return local.astimezone(UTC)


def error_of(html: str, field: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field}-error">.*?</span>(.*?)</p>', html, re.S)
    return match[1].strip() if match else None


# --- a new meeting ---------------------------------------------------------------------------


def test_a_new_meeting_takes_its_window_in_local_time_with_either_separator(app, organiser):
    response = add(organiser, registration_opens=f"{OPENS_DAY}T09:00",
                   registration_closes=f"{CLOSES_DAY} 17:30")
    assert response.status_code == 302
    fresh()
    utrecht = get_meeting("utrecht")
    assert utrecht.registration_opens_at == utc(OPENS_DAY, "09:00")
    assert utrecht.registration_closes_at == utc(CLOSES_DAY, "17:30")
    page = organiser.get("/beheer/bijeenkomsten/utrecht").get_data(as_text=True)
    assert "Aanmelden kan van " in page and " om 17:30." in page


def test_the_new_meeting_form_has_the_window_fields(organiser):
    page = organiser.get(NEW).get_data(as_text=True)
    for name in ("registration_opens", "registration_closes"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*type="datetime-local"', page) or \
            re.search(rf'<input[^>]*type="datetime-local"[^>]*name="{name}"', page), name
    assert "Aanmelden kan vanaf" in page and "Leeg: aanmelden kan meteen." in page


@pytest.mark.parametrize("changes,field,message", [
    ({"registration_opens": "morgen"}, "registration_opens",
     "Vul een datum en tijd in als jjjj-mm-dd uu:mm"),
    ({"registration_closes": f"{CLOSES_DAY} 25:00"}, "registration_closes",
     "Vul een datum en tijd in als jjjj-mm-dd uu:mm"),
    ({"registration_opens": "2025-02-30 09:00"}, "registration_opens",
     "Deze datum bestaat niet."),
    ({"registration_opens": "2027-03-28 02:30"}, "registration_opens",
     "Dit tijdstip bestaat niet"),
    ({"registration_opens": f"{CLOSES_DAY} 12:00", "registration_closes": f"{CLOSES_DAY} 11:00"},
     "registration_closes", "Het einde van het aanmelden moet na het begin liggen."),
    ({"registration_closes": f"{SOON} 13:31"}, "registration_closes",
     "Aanmelden moet stoppen voordat de bijeenkomst begint."),
    ({"registration_opens": f"{SOON} 14:00"}, "registration_opens",
     "Aanmelden moet kunnen voordat de bijeenkomst begint."),
])
def test_each_bad_window_gets_a_dutch_message_beside_its_field(app, organiser, changes, field,
                                                              message):
    response = add(organiser, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in (error_of(html, field) or ""), html
    assert f'aria-describedby="{field}-hint {field}-error"' in html
    assert f'href="#{field}"' in html  # the summary at the top links to it
    assert 'value="Stadsplateau 1"' in html  # the input is kept


def test_registration_may_close_at_the_start_or_on_the_day_of_a_meeting_without_times(
        app, organiser):
    assert add(organiser, registration_closes=f"{SOON} 13:30").status_code == 302
    response = add(organiser, start="", end="", registration_closes=f"{SOON} 23:59")
    assert response.status_code == 302
    fresh()
    assert get_meeting("utrecht-2").registration_closes_at == utc(SOON, "23:59")


def test_copying_a_meeting_leaves_its_window_out(app, organiser, meetings):
    fresh()
    zwolle = db.session.get(Meeting, meetings["zwolle"].id)
    zwolle.registration_opens_at = datetime.now(UTC)
    db.session.commit()
    page = organiser.get(NEW, query_string={"van": "zwolle"}).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="registration_opens"[^>]*value=""', page)


def test_cli_adds_a_meeting_with_its_window(app, meetings):
    result = add_meeting_cli(app, "utrecht", "--start", "13:30", "--opens", f"{OPENS_DAY} 9:00",
                             "--closes", f"{CLOSES_DAY}T17:00")
    assert result.exit_code == 0, result.output
    assert f"registration opens {OPENS_DAY} 09:00" in result.output
    fresh()
    assert get_meeting("utrecht").registration_closes_at == utc(CLOSES_DAY, "17:00")


@pytest.mark.parametrize(("typed", "words"), [
    ("2026-02-30T10:00", "Deze datum bestaat niet"),
    ("0001-01-01T00:00", "Kies een jaar vanaf 2000"),
    ("0026-12-10T09:00", "Kies een jaar vanaf 2000"),
    ("2027-03-28T02:30", "klok een uur vooruit"),
])
def test_a_moment_that_does_not_exist_is_refused_beside_its_field(organiser, meetings, typed,
                                                                   words):
    for field in ("registration_opens_at", "registration_closes_at"):
        response = post_settings(organiser, **{field: typed})
        html = response.get_data(as_text=True)
        assert words in (error_of(html, field) or ""), (field, typed)
        assert f'value="{typed}"' in html  # the input is kept
        fresh()
        zwolle = get_meeting("zwolle")
        assert (zwolle.registration_opens_at, zwolle.registration_closes_at) == (None, None)


def test_a_date_years_ahead_is_refused_in_the_settings_and_the_cli(app, organiser, meetings):
    """A meeting moved to 9999-12-31 made its public page a 500 (its erase date is no date)."""
    response = post_settings(organiser, date="9999-12-31")
    html = response.get_data(as_text=True)
    assert "Kies een datum in de komende 10 jaar." in (error_of(html, "date") or "")
    result = app.test_cli_runner().invoke(args=["meeting", "update", "zwolle", "--date",
                                                "2205-04-10"])
    assert result.exit_code != 0 and "date_too_far --date" in result.output, result.output
    fresh()
    assert get_meeting("zwolle").date == meetings["zwolle"].date
    assert app.test_client().get("/bijeenkomsten/zwolle").status_code == 200


def test_cli_says_why_a_moment_does_not_exist(app, meetings):
    runner = app.test_cli_runner()
    for typed, code in (("2026-02-30 10:00", "no_such_date"),
                        ("0001-01-01 00:00", "moment_out_of_range"),
                        ("2027-03-28 02:30", "moment_skipped")):
        result = runner.invoke(args=["meeting", "update", "zwolle", "--opens", typed])
        assert result.exit_code != 0 and f"{code} --opens" in result.output, result.output
    fresh()
    assert get_meeting("zwolle").registration_opens_at is None


def test_cli_names_the_option_of_each_bad_window(app, meetings):
    result = add_meeting_cli(app, "utrecht", "--opens", "volgende week", "--closes",
                             f"{SOON} 10:00", "--start", "09:00")
    assert result.exit_code != 0
    assert "bad_moment --opens" in result.output
    assert "closes_after_start --closes" in result.output
    fresh()
    assert get_meeting("utrecht") is None


# --- the settings of a meeting ---------------------------------------------------------------


def settings_values(meeting: Meeting, **changes) -> dict:
    """What the settings form posts when nothing is changed, with `changes`."""
    values = {"title": meeting.title, "description": meeting.description or "",
              "date": meeting.date.isoformat(), "start_time": "", "end_time": "",
              "venue": meeting.venue, "address": "", "city": meeting.city, "capacity": "",
              "registration_opens_at": "", "registration_closes_at": "", "is_open": "y"}
    return values | changes


def post_settings(client, **changes):
    fresh()
    zwolle = get_meeting("zwolle")
    return post_form(client, SETTINGS, PAGE, **settings_values(zwolle, **changes))


def audit_lines(app, make_organiser) -> str:
    admin = logged_in(app, make_organiser, "admin")
    return admin.get("/beheer/logboek").get_data(as_text=True)


def outbox(kind: str) -> list[OutboxMessage]:
    fresh()
    return list(db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.kind == kind)).scalars())


def test_settings_form_shows_title_city_description_and_window(organiser, meetings):
    fresh()
    zwolle = db.session.get(Meeting, meetings["zwolle"].id)
    zwolle.registration_opens_at = utc(OPENS_DAY, "09:00")
    db.session.commit()
    page = organiser.get(PAGE).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="title"[^>]*value="Regiobijeenkomst Landelijk OPP', page)
    assert 'name="city"' in page and '<textarea' in page and 'name="description"' in page
    assert f'value="{OPENS_DAY}T09:00"' in page
    assert re.search(r'<input[^>]*name="registration_closes_at"[^>]*value=""', page)


def test_the_window_changes_without_mail_and_is_audited(app, organiser, meetings,
                                                        make_organiser):
    add_registration(meetings["zwolle"], "Anna de Vries", "anna@school.nl")
    opens, closes = (str(meetings["zwolle"].date - timedelta(days=n)) for n in (10, 1))
    response = post_settings(organiser, registration_opens_at=f"{opens}T09:00",
                             registration_closes_at=f"{closes} 17:00")
    assert response.status_code == 302
    fresh()
    zwolle = get_meeting("zwolle")
    assert zwolle.registration_opens_at == utc(opens, "09:00")
    assert zwolle.registration_closes_at == utc(closes, "17:00")
    assert outbox("updated") == [] and zwolle.sequence == 0
    flashed = organiser.get(PAGE).get_data(as_text=True)
    assert "De bijeenkomst is bijgewerkt: aanmelden vanaf, aanmelden tot." in flashed
    assert ("gewijzigd (aanmelden vanaf, aanmelden tot) door organiser-"
            in audit_lines(app, make_organiser))
    post_settings(organiser)  # both fields empty again: no limit
    fresh()
    zwolle = get_meeting("zwolle")
    assert (zwolle.registration_opens_at, zwolle.registration_closes_at) == (None, None)


def test_a_window_that_ends_after_the_meeting_starts_is_refused_beside_its_field(
        organiser, meetings):
    day = meetings["zwolle"].date.isoformat()
    response = post_settings(organiser, start_time="13:00", end_time="16:00",
                             registration_closes_at=f"{day}T13:30")
    html = response.get_data(as_text=True)
    assert "Aanmelden moet stoppen voordat de bijeenkomst begint." in (
        error_of(html, "registration_closes_at") or "")
    assert 'class="error-summary"' in html
    response = post_settings(organiser, registration_opens_at="3 maart 9 uur")
    assert "Vul een datum en tijd in" in (
        error_of(response.get_data(as_text=True), "registration_opens_at") or "")
    fresh()
    assert get_meeting("zwolle").start_time is None


def test_moving_the_meeting_before_the_end_of_its_window_is_refused(organiser, meetings):
    day = meetings["zwolle"].date
    response = post_settings(organiser, registration_closes_at=f"{day - timedelta(days=1)} 12:00")
    assert response.status_code == 302
    response = post_settings(organiser, date=(day - timedelta(days=2)).isoformat(),
                             registration_closes_at=f"{day - timedelta(days=1)} 12:00")
    assert "Aanmelden moet stoppen voordat de bijeenkomst begint." in (
        error_of(response.get_data(as_text=True), "registration_closes_at") or "")


def test_a_new_title_asks_first_then_sends_updated_invites_with_it(app, organiser, meetings):
    anna = add_registration(meetings["zwolle"], "Anna de Vries", "anna@school.nl")
    page = post_settings(organiser, title="OPP in de praktijk – Zwolle").get_data(as_text=True)
    assert "1 mens krijgt een bijgewerkte uitnodiging" in page
    rows = re.findall(r"<tr><td>([^<]+)</td><td data-label=\"Was\">([^<]+)</td>"
                      r"<td data-label=\"Wordt\"><strong>([^<]+)</strong>", page)
    assert rows == [("titel", "Regiobijeenkomst Landelijk OPP Project – Zwolle",
                     "OPP in de praktijk – Zwolle")]
    assert 'name="registration_opens_at" value=""' in page  # the form posts it all again
    response = post_settings(organiser, title="OPP in de praktijk – Zwolle", confirmed="1")
    assert response.status_code == 302
    fresh()
    assert get_meeting("zwolle").sequence == 1
    [updated] = outbox("updated")
    assert updated.recipient == anna.email
    message = build_message(updated, now=datetime.now(UTC))
    [invite] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(invite.get_content()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "OPP in de praktijk – Zwolle" and int(event["SEQUENCE"]) >= 1
    public = organiser.get("/bijeenkomsten/zwolle").get_data(as_text=True)
    assert "<h1>OPP in de praktijk – Zwolle</h1>" in public


def test_a_new_description_mails_nobody_and_shows_on_the_page(app, organiser, meetings,
                                                              make_organiser):
    add_registration(meetings["zwolle"], "Anna de Vries", "anna@school.nl")
    response = post_settings(organiser, description="Met lunch.\r\nNeem uw OPP mee.")
    assert response.status_code == 302
    fresh()
    assert get_meeting("zwolle").description == "Met lunch.\nNeem uw OPP mee."
    post_settings(organiser, description="Met lunch.\r\nNeem uw OPP mee.", capacity="90")
    fresh()  # the same text as a browser sends it again: no change to the description
    changed = [event.details["changed"] for event in db.session.execute(db.select(
        AuditEvent).where(AuditEvent.action == "meeting.update")).scalars()]
    assert changed == [["description"], ["capacity"]]
    assert outbox("updated") == [] and get_meeting("zwolle").sequence == 0
    assert "Neem uw OPP mee." in organiser.get("/bijeenkomsten/zwolle").get_data(as_text=True)
    assert "gewijzigd (beschrijving) door organiser-" in audit_lines(app, make_organiser)
    post_settings(organiser, description="")
    fresh()
    assert get_meeting("zwolle").description is None


def test_a_new_city_is_an_updated_invite_too(organiser, meetings):
    add_registration(meetings["zwolle"], "Anna de Vries", "anna@school.nl")
    response = post_settings(organiser, city="Kampen", confirmed="1")
    assert response.status_code == 302
    fresh()
    assert get_meeting("zwolle").city == "Kampen" and len(outbox("updated")) == 1


@pytest.mark.parametrize("field,value,message", [
    ("title", "", "Dit veld is verplicht."),
    ("city", "   ", "Dit veld is verplicht."),
    ("title", "x" * 201, "Gebruik hoogstens 200 tekens."),
    ("description", "x" * 5001, "Gebruik hoogstens 5000 tekens."),
    ("description", "Met\x07bel", "Gebruik alleen gewone tekens."),
])
def test_bad_texts_get_a_message_beside_their_field(organiser, meetings, field, value,
                                                   message):
    html = post_settings(organiser, **{field: value}).get_data(as_text=True)
    assert message in (error_of(html, field) or ""), html
    fresh()
    assert get_meeting("zwolle").title.startswith("Regiobijeenkomst")


def test_a_post_without_the_new_fields_leaves_them_alone(organiser, meetings):
    fresh()
    zwolle = db.session.get(Meeting, meetings["zwolle"].id)
    zwolle.description = "Met lunch."
    zwolle.registration_opens_at = utc(OPENS_DAY, "09:00")
    db.session.commit()
    fresh()
    values = settings_values(get_meeting("zwolle"), capacity="80")
    for name in ("title", "description", "city", "registration_opens_at",
                 "registration_closes_at"):
        del values[name]
    response = post_form(organiser, SETTINGS, PAGE, **values)
    assert response.status_code == 302
    fresh()
    zwolle = get_meeting("zwolle")
    assert (zwolle.capacity, zwolle.description) == (80, "Met lunch.")
    assert zwolle.registration_opens_at == utc(OPENS_DAY, "09:00")
    assert zwolle.title.startswith("Regiobijeenkomst")


def test_cli_update_changes_title_and_window(app, runner, meetings):
    opens = str(meetings["zwolle"].date - timedelta(days=10))
    result = runner.invoke(args=["meeting", "update", "zwolle", "--title", "OPP-dag Zwolle",
                                 "--opens", f"{opens} 09:00", "--description", "Met lunch."])
    assert result.exit_code == 0, result.output
    assert "changed title, description, registration_opens_at" in result.output
    fresh()
    zwolle = get_meeting("zwolle")
    assert zwolle.registration_opens_at == utc(opens, "09:00") and zwolle.sequence == 1
    result = runner.invoke(args=["meeting", "update", "zwolle", "--opens", ""])
    assert result.exit_code == 0 and "changed registration_opens_at" in result.output
    day = zwolle.date.isoformat()
    result = runner.invoke(args=["meeting", "update", "zwolle", "--start", "10:00",
                                 "--closes", f"{day} 11:00"])
    assert result.exit_code != 0 and "closes_after_start --closes" in result.output
    fresh()
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "meeting.update")).scalars().all()

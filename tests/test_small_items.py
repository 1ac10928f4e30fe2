"""The small things a first visit trips over: favicon, tidy mail, the calendar link's place,
the demo seed's waiting list, the poster's short link."""

from __future__ import annotations

from datetime import date

from regio.db import db, utc_now
from regio.meetings.seed import seed_meetings
from regio.meetings.services import MeetingChanges, update_meeting
from regio.registrations import services
from tests.test_mail_flow import send_all
from tests.test_mail_scanner import every_mail_kind


def test_there_is_a_favicon(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    icon.close()
    page = client.get("/privacy").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200
    svg.close()


def test_every_text_mail_is_tidy(meetings, smtp_server):
    now = utc_now()
    every_mail_kind(meetings, now)
    send_all(smtp_server, now=utc_now())
    zwolle = meetings["zwolle"]
    ann = services.find_active(zwolle.id, "ann@school.test")
    services.cancel(ann, now=now)
    update_meeting(zwolle, MeetingChanges(cancel=True), actor="test", now=now)
    db.session.commit()
    send_all(smtp_server, now=utc_now())
    assert len(smtp_server.handler.messages) >= 10
    for mail in smtp_server.handler.messages:
        text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert "\n\n\n" not in text, mail["Subject"]
        assert not text.startswith("\n") and not text.endswith("\n\n")
        assert all(line == line.rstrip() for line in text.splitlines()), mail["Subject"]
        assert "\n\nRegiobijeenkomst Landelijk OPP Project – Zwolle\nDatum:" in text
        assert "\n\nMet vriendelijke groet," in text


def test_the_calendar_link_comes_after_the_form_and_says_it_is_not_registering(client, meetings):
    page = client.get("/bijeenkomsten/zwolle").get_data(as_text=True)
    form_end = page.index("</form>")
    link = page.index("/bijeenkomsten/zwolle.ics")
    assert link > form_end
    assert "u bent dan nog niet aangemeld" in page


def test_demo_seed_gives_one_meeting_a_small_capacity_and_the_plain_seed_none(app):
    demo = seed_meetings(demo=True, today=date(2026, 12, 1))
    assert {m.slug: m.capacity for m in demo} == {
        "oostzaan": None, "zwolle": None, "den-bosch": 3, "rotterdam": None}


def test_the_poster_short_link_breaks_only_after_a_slash(client, meetings):
    page = client.get("/bijeenkomsten/zwolle/poster").get_data(as_text=True)
    assert '<p class="poster-url">regio.test/<wbr>r/<wbr>zwolle</p>' in page

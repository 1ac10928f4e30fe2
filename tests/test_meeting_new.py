"""New meetings through the back office and `regio meeting add`: one service, every field
checked; a new meeting shows up on the public pages at once; copy, archive and delete."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from regio.db import db
from regio.errors import BookingError
from regio.meetings.creation import slugify
from regio.meetings.services import get_meeting
from regio.registrations.services import register
from tests.account_support import post_form
from tests.conftest import BASE_URL
from tests.organiser_support import add_registration, fresh, logged_in, new_client
from tests.test_mail_flow import applicant
from tests.test_qr import decoded_text

NEW = "/beheer/bijeenkomsten/nieuw"
SOON = (date.today() + timedelta(days=40)).isoformat()


def fields(**changes) -> dict:
    values = {"title": "Training voor scholen – Utrecht", "date": SOON, "start": "13:30",
              "end": "16:00", "venue": "Stadskantoor", "address": "Stadsplateau 1",
              "city": "Utrecht", "capacity": "80", "description": "Voor teams.\nMet lunch.",
              "slug": ""}
    return {**values, **changes}


def add(client, **changes):
    return post_form(client, NEW, **fields(**changes))


def test_a_new_meeting_is_on_the_public_pages_at_once(app, organiser):
    client = new_client(app)
    response = add(organiser)
    assert urlsplit(response.location).path == "/beheer/bijeenkomsten/utrecht"
    assert "Utrecht" in client.get("/").get_data(as_text=True)
    page = client.get("/bijeenkomsten/utrecht")
    assert page.status_code == 200 and "Stadskantoor" in page.get_data(as_text=True)
    assert "Stadskantoor" in client.get("/agenda.ics").get_data(as_text=True)
    qr_png = client.get("/bijeenkomsten/utrecht/qr.png").data
    assert decoded_text(qr_png) == f"{BASE_URL}/r/utrecht"
    assert client.get("/r/utrecht").location.endswith("/bijeenkomsten/utrecht")
    poster = client.get("/bijeenkomsten/utrecht/poster").get_data(as_text=True)
    assert "Training voor scholen – Utrecht" in poster  # its own title, not the round's
    assert "Met lunch." in page.get_data(as_text=True)  # the description
    fresh()
    meeting = get_meeting("utrecht")
    assert (meeting.capacity, meeting.start_time.hour, meeting.is_open) == (80, 13, True)


def test_slug_comes_from_the_city_and_stays_unique(app, organiser):
    add(organiser, city="Zwolle")  # the seeded meeting has "zwolle"
    add(organiser, city="Zwolle")
    fresh()
    assert get_meeting("zwolle-2") is not None and get_meeting("zwolle-3") is not None
    assert slugify("Den Bosch (’s-Hertogenbosch)") == "den-bosch-s-hertogenbosch"
    assert slugify("Île-de-Ré  ") == "ile-de-re"


@pytest.mark.parametrize("changes,field,message", [
    ({"slug": "Zwolle 2025!"}, "slug", "Gebruik alleen kleine letters, cijfers en streepjes"),
    ({"slug": "zwolle"}, "slug", "Een andere bijeenkomst heeft dit webadres al"),
    ({"slug": "nieuw"}, "slug", "Dit woord kan niet als webadres"),
    ({"slug": "a" * 65}, "slug", "Gebruik alleen kleine letters"),
    ({"date": "10-04-2025"}, "date", "Vul een geldige datum in."),
    ({"date": "2020-01-01"}, "date", "Kies een datum vanaf vandaag."),
    ({"date": "9999-12-31"}, "date", "Kies een datum in de komende 10 jaar."),  # was a 500 page
    ({"start": "25:00"}, "start", "Vul een tijd in als uu:mm"),
    ({"end": "12:00"}, "end", "De eindtijd moet na de begintijd liggen."),
    ({"start": "", "end": "12:00"}, "end", "Vul eerst een begintijd in."),
    ({"capacity": "-5"}, "capacity", "Vul een aantal plaatsen in van 0 tot 100.000."),
    ({"capacity": "veel"}, "capacity", "Vul een aantal plaatsen in"),
    ({"venue": "x" * 201}, "venue", "Gebruik hoogstens 200 tekens."),
    ({"city": "Ut\x00recht"}, "city", "Gebruik alleen gewone letters, cijfers en leestekens."),
    ({"title": ""}, "title", "Dit veld is verplicht."),
])
def test_each_bad_value_gets_a_dutch_message_beside_its_field(app, organiser, changes, field,
                                                              message):
    response = add(organiser, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert 'value="Stadsplateau 1"' in html  # the input is kept


def test_all_missing_fields_are_named_at_once(app, organiser):
    html = add(organiser, title="", date="", venue="", city="").get_data(as_text=True)
    for field in ("title", "date", "venue", "city"):
        assert f'id="{field}-error"' in html, field


def test_copy_from_another_meeting_fills_all_but_date_and_slug(app, organiser, meetings):
    page = organiser.get(NEW, query_string={"van": "zwolle"}).get_data(as_text=True)
    assert 'value="De Nieuwe Buitensociëteit"' in page
    assert re.search(r'<input[^>]*name="date"[^>]*value=""', page)
    assert re.search(r'<input[^>]*name="slug"[^>]*value=""', page)
    assert 'selected>Zwolle' in page


def test_a_copy_for_another_city_gets_a_web_address_from_that_city(app, organiser, meetings):
    page = organiser.get(NEW, query_string={"van": "zwolle"}).get_data(as_text=True)
    copied = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page))
    copied.pop("csrf_token")
    response = post_form(organiser, NEW, **{**copied, "date": SOON, "city": "Kampen"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/beheer/bijeenkomsten/kampen")
    fresh()
    assert get_meeting("kampen").venue == "De Nieuwe Buitensociëteit"
    assert get_meeting("zwolle-2") is None


def test_archived_meeting_leaves_the_home_page_but_keeps_its_lists(app, organiser, meetings):
    client = new_client(app)
    add_registration(meetings["zwolle"], "Bram Jansen")
    fresh()
    meetings["zwolle"].date = date.today() - timedelta(days=1)  # it has been
    db.session.commit()
    post_form(organiser, "/beheer/bijeenkomsten/zwolle/archiveren", "/beheer/bijeenkomsten/zwolle")
    home = client.get("/").get_data(as_text=True)
    assert "/bijeenkomsten/zwolle" not in home and "/bijeenkomsten/rotterdam" in home
    assert "Bram Jansen" in organiser.get("/beheer/bijeenkomsten/zwolle").get_data(as_text=True)
    assert "Bram Jansen" in organiser.get(
        "/beheer/bijeenkomsten/zwolle/deelnemers.csv").get_data(as_text=True)
    assert "Archief" in organiser.get("/beheer/").get_data(as_text=True)
    post_form(organiser, "/beheer/bijeenkomsten/zwolle/terughalen", "/beheer/bijeenkomsten/zwolle")
    assert "/bijeenkomsten/zwolle" in client.get("/").get_data(as_text=True)


def test_a_meeting_still_to_come_is_cancelled_not_archived(app, organiser, meetings):
    client = new_client(app)
    add_registration(meetings["zwolle"], "Bram Jansen")
    page = organiser.get("/beheer/bijeenkomsten/zwolle").get_data(as_text=True)
    assert "/bijeenkomsten/zwolle/archiveren" not in page
    assert "Na de bijeenkomst kunt u hem hier archiveren" in page
    refused = post_form(organiser, "/beheer/bijeenkomsten/zwolle/archiveren",
                        "/beheer/bijeenkomsten/zwolle")
    assert urlsplit(refused.location).path == "/beheer/bijeenkomsten/zwolle"
    shown = organiser.get("/beheer/bijeenkomsten/zwolle").get_data(as_text=True)
    assert "Een bijeenkomst die nog moet komen, kunt u niet archiveren" in shown
    fresh()
    assert get_meeting("zwolle").is_archived is False
    assert "/bijeenkomsten/zwolle" in client.get("/").get_data(as_text=True)
    delete_page = organiser.get("/beheer/bijeenkomsten/zwolle/verwijderen").get_data(
        as_text=True)
    assert "Gaat hij niet door? Annuleer hem dan" in delete_page
    assert "U kunt hem archiveren" not in delete_page
    # Once cancelled (everyone has been told), it may go to the archive.
    post_form(organiser, "/beheer/bijeenkomsten/zwolle/annuleren")
    post_form(organiser, "/beheer/bijeenkomsten/zwolle/archiveren", "/beheer/bijeenkomsten/zwolle")
    fresh()
    assert get_meeting("zwolle").is_archived is True


def test_only_a_meeting_nobody_registered_for_can_be_deleted(app, organiser, meetings,
                                                             make_organiser):
    client = new_client(app)
    add_registration(meetings["zwolle"], "Bram Jansen")
    refused = post_form(organiser, "/beheer/bijeenkomsten/zwolle/verwijderen")
    assert urlsplit(refused.location).path == "/beheer/bijeenkomsten/zwolle"
    assert client.get("/bijeenkomsten/zwolle").status_code == 200
    deleted = post_form(organiser, "/beheer/bijeenkomsten/rotterdam/verwijderen")
    assert urlsplit(deleted.location).path == "/beheer/"
    assert client.get("/bijeenkomsten/rotterdam").status_code == 404
    fresh()
    admin = logged_in(app, make_organiser, "admin")
    log = admin.get("/beheer/logboek").get_data(as_text=True)
    assert "heeft de bijeenkomst rotterdam verwijderd" in log


def test_a_booking_for_a_meeting_deleted_meanwhile_is_refused_not_a_500(app, organiser,
                                                                        meetings):
    meeting_id = meetings["rotterdam"].id
    post_form(organiser, "/beheer/bijeenkomsten/rotterdam/verwijderen")
    fresh()
    with pytest.raises(BookingError) as refused:
        register(meeting_id, applicant("anna@school.example.org"), now=datetime.now(UTC))
    assert refused.value.code == "meeting_gone"
    db.session.rollback()


def test_home_page_groups_upcoming_and_past_beyond_four(app, meetings):
    client = new_client(app)
    assert "Komende bijeenkomsten" not in client.get("/").get_data(as_text=True)
    meetings["zwolle"].date = date.today() - timedelta(days=3)
    db.session.commit()
    add_meeting_cli(app, "utrecht")
    html = client.get("/").get_data(as_text=True)
    upcoming, past = html.index("Komende bijeenkomsten"), html.index("al geweest")
    assert upcoming < html.index("/bijeenkomsten/utrecht") < past < html.index(
        "/bijeenkomsten/zwolle")


def add_meeting_cli(app, slug: str, *extra: str):
    return app.test_cli_runner().invoke(args=[
        "meeting", "add", slug, "--title", "Training", "--date", SOON, "--venue", "Stadskantoor",
        "--city", "Utrecht", *extra])


def test_cli_adds_a_meeting_through_the_same_checks(app, meetings):
    client = new_client(app)
    result = add_meeting_cli(app, "utrecht", "--start", "9:30", "--end", "12:00",
                             "--capacity", "40", "--address", "Stadsplateau 1")
    assert result.exit_code == 0, result.output
    assert "added utrecht" in result.output
    assert client.get("/bijeenkomsten/utrecht").status_code == 200
    fresh()
    assert get_meeting("utrecht").capacity == 40
    again = add_meeting_cli(app, "utrecht", "--capacity", "veel")
    assert again.exit_code != 0
    assert "slug_taken --slug" in again.output and "bad_capacity --capacity" in again.output

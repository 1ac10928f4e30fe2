"""The attendee list, one registration's page, and what organisers do with it."""

from __future__ import annotations

import pytest

from regio.audit import AuditEvent
from regio.db import db
from regio.mail.models import OutboxMessage
from regio.registrations.models import Registration, Status
from tests.conftest import csrf_token
from tests.organiser_support import add_registration, fresh

PAGE = "/beheer/bijeenkomsten/zwolle"
TRICKY = ['<script>alert(1)</script>', '=HYPERLINK("x")', "@SUM(1)", "+31 6 12345678"]


def reload(registration) -> Registration:
    fresh()
    return db.session.get(Registration, registration.id)


def mails(kind: str) -> list[OutboxMessage]:
    fresh()
    return list(db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.kind == kind)).scalars())


def test_search_by_name_email_and_organisation(organiser, meetings):
    zwolle = meetings["zwolle"]
    add_registration(zwolle, "Fatima El Amrani", "fatima@school.nl", organisation="OBS De Wilg")
    add_registration(zwolle, "Kees Bakker", "kees@ouders.nl", role="ouder")
    for query, expected, absent in [("fatima", "Fatima", "Kees"), ("ouders.nl", "Kees", "Fatima"),
                                    ("wilg", "Fatima", "Kees"), ("100%_", None, "Fatima")]:
        page = organiser.get(PAGE, query_string={"q": query}).get_data(as_text=True)
        if expected:
            assert expected in page, query
        assert absent not in page, query


def test_filter_by_role_and_status(organiser, meetings):
    zwolle = meetings["zwolle"]
    add_registration(zwolle, "Kees Bakker", "kees@ouders.nl", role="ouder")
    add_registration(zwolle, "Sanne Visser", "sanne@school.nl", role="vo", confirmed=False)
    page = organiser.get(PAGE, query_string={"rol": "ouder"}).get_data(as_text=True)
    assert "Kees" in page and "Sanne" not in page
    page = organiser.get(PAGE, query_string={"status": "onbevestigd"}).get_data(as_text=True)
    assert "Sanne" in page and "Kees" not in page
    page = organiser.get(PAGE, query_string={"status": "nonsense", "rol": "x"})
    assert page.status_code == 200 and "Kees" in page.get_data(as_text=True)


def test_list_is_paginated_by_fifty(organiser, meetings):
    for n in range(55):
        add_registration(meetings["zwolle"], f"Persoon {n:02d}", f"p{n}@school.nl",
                         confirmed=False)
    first = organiser.get(PAGE).get_data(as_text=True)
    assert "55 aanmeldingen gevonden" in first
    assert first.count('href="/beheer/aanmeldingen/') == 50
    second = organiser.get(PAGE, query_string={"pagina": "2"}).get_data(as_text=True)
    assert second.count('href="/beheer/aanmeldingen/') == 5
    assert organiser.get(PAGE, query_string={"pagina": "999999999999"}).status_code < 500


def test_detail_shows_the_registration(organiser, meetings):
    person = add_registration(meetings["zwolle"], "Anna de Vries", "anna@school.nl",
                              organisation="SWV Zwolle", source="poster")
    page = organiser.get(f"/beheer/aanmeldingen/{person.id}").get_data(as_text=True)
    for text in ("Anna de Vries", "anna@school.nl", "SWV Zwolle", "poster", "bevestigd",
                 "geldig ticket"):
        assert text in page
    assert organiser.get("/beheer/aanmeldingen/999999").status_code == 404
    assert organiser.get("/beheer/aanmeldingen/99999999999999").status_code == 404


def test_cancel_through_the_page(organiser, meetings):
    person = add_registration(meetings["zwolle"], "Anna de Vries", "anna@school.nl")
    url = f"/beheer/aanmeldingen/{person.id}/afmelden"
    assert "afmelden?" in organiser.get(url).get_data(as_text=True)
    response = organiser.post(url, data={"csrf_token": csrf_token(organiser, url)})
    assert response.status_code == 302
    assert reload(person).status == Status.CANCELLED
    assert [m.recipient for m in mails("cancelled")] == ["anna@school.nl"]
    events = db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "registration.cancel")).scalars().all()
    assert events and events[0].actor.startswith("organiser-")
    page = organiser.get(f"/beheer/aanmeldingen/{person.id}").get_data(as_text=True)
    assert "Anna de Vries afgemeld voor Zwolle door organiser-" in page  # the history
    assert "registration.cancel" not in page


def test_move_through_the_page(organiser, meetings):
    person = add_registration(meetings["zwolle"], "Anna de Vries", "anna@school.nl")
    url = f"/beheer/aanmeldingen/{person.id}"
    page = organiser.get(url).get_data(as_text=True)
    choice = page[page.index('id="target"'):]
    choice = choice[:choice.index("</select>")]
    assert 'value="">Kies een bijeenkomst' in choice and "selected" not in choice
    asked = organiser.post(url + "/verplaatsen", data={
        "target": "den-bosch", "csrf_token": csrf_token(organiser, url)})
    assert asked.status_code == 200 and "Anna de Vries verplaatsen?" in asked.get_data(
        as_text=True)
    assert reload(person).meeting.slug == "zwolle" and mails("moved") == []
    nothing = organiser.post(url + "/verplaatsen", data={
        "target": "", "csrf_token": csrf_token(organiser, url)})
    assert nothing.status_code == 302 and reload(person).meeting.slug == "zwolle"
    response = organiser.post(url + "/verplaatsen", data={
        "target": "den-bosch", "confirmed": "1", "csrf_token": csrf_token(organiser, url)})
    assert response.status_code == 302
    assert reload(person).meeting.slug == "den-bosch"
    assert [m.recipient for m in mails("moved")] == ["anna@school.nl"]
    bad = organiser.post(url + "/verplaatsen", data={"target": "nergens",
                                                     "csrf_token": csrf_token(organiser, url)})
    assert bad.status_code == 302 and reload(person).meeting.slug == "den-bosch"


def test_resend_link_through_the_page(organiser, meetings):
    person = add_registration(meetings["zwolle"], "Anna de Vries", "anna@school.nl")
    url = f"/beheer/aanmeldingen/{person.id}"
    response = organiser.post(url + "/link-opnieuw", data={"csrf_token": csrf_token(organiser,
                                                                                    url)})
    assert response.status_code == 302
    assert [m.recipient for m in mails("link_again")] == ["anna@school.nl"]


def test_check_in_from_the_detail_page(organiser, meetings):
    person = add_registration(meetings["zwolle"], "Anna de Vries", "anna@school.nl")
    url = f"/beheer/aanmeldingen/{person.id}"
    organiser.post(url + "/inchecken", data={"csrf_token": csrf_token(organiser, url)})
    assert reload(person).checked_in_at is not None


def test_walk_in_is_confirmed_and_checked_in_without_opt_in_mail(organiser, meetings):
    response = organiser.post(PAGE + "/aan-de-deur", data={
        "name": "Joris Mulder", "email": "joris@school.nl", "role": "go",
        "organisation": "", "csrf_token": csrf_token(organiser, PAGE)})
    assert response.status_code == 302
    fresh()
    person = db.session.execute(db.select(Registration).where(
        Registration.email == "joris@school.nl")).scalar_one()
    assert person.status == Status.CONFIRMED and person.checked_in_at is not None
    assert person.is_walk_in
    assert mails("confirm_email") == []


def test_walk_in_errors_show_beside_the_field(organiser, meetings):
    add_registration(meetings["zwolle"], "Joris Mulder", "joris@school.nl")
    for data, field in [({"name": "", "email": "x@school.nl"}, "name"),
                        ({"name": "Iemand", "email": "geen-adres"}, "email"),
                        ({"name": "Joris", "email": "joris@school.nl"}, "email"),
                        ({"name": "Nul\x00teken", "email": "n@school.nl"}, "name")]:
        data = data | {"role": "po", "csrf_token": csrf_token(organiser, PAGE)}
        response = organiser.post(PAGE + "/aan-de-deur", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, data
        assert f'id="{field}-error"' in page, data


@pytest.mark.parametrize("name", TRICKY)
def test_names_that_look_like_code_are_shown_as_text(organiser, meetings, name):
    person = add_registration(meetings["zwolle"], name, "tricky@school.nl", organisation=name)
    for url in (PAGE, f"/beheer/aanmeldingen/{person.id}",
                "/beheer/bijeenkomsten/zwolle/incheck"):
        page = organiser.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        escaped = (name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   .replace('"', "&#34;"))
        assert escaped in page, url

"""At the door: search that ignores case and accents, phone-book order, walk-ins without an
address, check-in and undo in the audit log, a ticket for another meeting."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from regio.audit import AuditEvent
from regio.db import db
from regio.errors import BookingError
from regio.labels import audit_sentence
from regio.mail.models import OutboxMessage
from regio.meetings.services import MeetingChanges, update_meeting
from regio.organiser.audit_log import describe
from regio.registrations.door import (
    check_in,
    door_count,
    door_list,
    register_walk_in,
    undo_check_in,
)
from regio.registrations.models import Registration
from regio.registrations.search import fold, sort_key
from regio.registrations.services import Applicant
from tests.conftest import csrf_token
from tests.organiser_support import add_registration, fresh, logged_in


def reloaded(person) -> Registration:
    fresh()
    return db.session.get(Registration, person.id)


ACCENTED = {
    "Ünal Yılmaz": ("ünal", "ÜNAL", "unal", "Ünal", "yilmaz", "YILMAZ"),
    "Ayşe Çelik": ("çelik", "ÇELIK", "celik", "Çelik", "ayse", "AYŞE"),
    "Łukasz Wiśniewski": ("łukasz", "ŁUKASZ", "lukasz", "Łukasz", "wisniewski", "WIŚNIEWSKI"),
    "Anders Ångström": ("ångström", "ÅNGSTRÖM", "angstrom", "Ångström"),
    "Zoë Émile": ("émile", "ÉMILE", "emile", "zoe", "ZOË"),
    "Søren Bjørnsen": ("søren", "SØREN", "soren", "bjørnsen", "BJØRNSEN"),
}


@pytest.fixture
def zwolle(meetings):
    return meetings["zwolle"]


def test_fold_removes_case_and_accents_letter_by_letter():
    assert fold("Ünal ÇELİK Łukasz Ångström Søren Straße") == \
        "unal celik lukasz angstrom soren strasse"


@pytest.mark.parametrize("name", sorted(ACCENTED))
def test_every_case_and_accent_form_finds_the_person(zwolle, name):
    add_registration(zwolle, name, f"{fold(name).split()[0]}@school.nl")
    add_registration(zwolle, "Bram Jansen", "bram@school.nl")
    for query in ACCENTED[name]:
        found = [r.name for r in door_list(zwolle, query, limit=50)]
        assert found == [name], query


def test_search_finds_by_organisation_and_address_too(zwolle):
    add_registration(zwolle, "Fatima El Amrani", "fatima@school.nl",
                     organisation="Basisschool Éénhoorn")
    assert [r.name for r in door_list(zwolle, "eenhoorn", limit=5)] == ["Fatima El Amrani"]
    assert [r.name for r in door_list(zwolle, "fatima@", limit=5)] == ["Fatima El Amrani"]
    assert door_list(zwolle, "%", limit=5) == []  # LIKE's wildcards are plain characters


DUTCH_ORDER = [
    "Kees Aalbers",
    "Jan van den Berg",
    "Piet Berg",
    "Anna de Boer",
    "Ayşe Çelik",
    "Mark van Dam",
    "Fatima El Amrani",
    "Lieke 't Hart",
    "Tom de Jong",
    "Łukasz Nowak",
    "Sanne Ooms",
    "Zoë Visser",
    "Jan de Vries",
    "Anna Zwart",
]


def test_names_are_in_phone_book_order(zwolle):
    for number, name in enumerate(reversed(DUTCH_ORDER)):
        add_registration(zwolle, name, f"p{number}@school.nl")
    assert [r.name for r in door_list(zwolle, "", limit=50)] == DUTCH_ORDER


def test_sort_key_files_names_under_the_surname():
    assert sort_key("Jan van der Berg") == "berg jan van der"
    assert sort_key("Vries, Jan de") == "vries jan de"
    assert sort_key("李华") == "李华"
    assert sort_key("  ") is None


def test_keys_follow_a_changed_name_and_go_with_erasure(zwolle, now):
    from regio.registrations.services import erase

    person = add_registration(zwolle, "Anna de Vries", "anna@school.nl")
    person.name = "Ünal Öztürk"
    db.session.commit()
    assert [r.id for r in door_list(zwolle, "ozturk", limit=5)] == [person.id]
    erase(person, now=now)
    db.session.commit()
    assert reloaded(person).search_key is None


def test_walk_in_without_address_gets_no_mail_and_is_counted(zwolle, now):
    added = register_walk_in(zwolle, Applicant(name="Mehmet Öz", email="", role="ouder"),
                             now=now, actor="deur@ocw.example.org")
    db.session.commit()
    assert added.email is None and added.checked_in_at is not None
    update_meeting(zwolle, MeetingChanges(start_time=time(13, 0)),
                   actor="ann@ocw.nl", now=now)
    db.session.commit()
    assert db.session.execute(select(OutboxMessage).where(
        OutboxMessage.registration_id == added.id)).first() is None
    assert door_count(zwolle.id).present == 1
    second = register_walk_in(zwolle, Applicant(name="Mehmet Öz", email="", role="ouder"),
                              now=now, actor="deur@ocw.example.org")
    assert second.id != added.id  # two people without an address are two people


def test_walk_in_without_address_is_erased_with_the_meeting(zwolle, now):
    from regio.registrations.retention import purge

    added = register_walk_in(zwolle, Applicant(name="Mehmet Öz", email="", role="ouder",
                                               needs="rolstoel"),
                             now=now, actor="deur@ocw.example.org")
    db.session.commit()
    days = (zwolle.date - now.date()).days
    report = purge(now=now + timedelta(days=days + 91), retention_days=90)
    db.session.commit()
    gone = reloaded(added)
    assert report.erased == 1 and gone.status == "erased"
    assert (gone.name, gone.needs, gone.search_key, gone.sort_key) == (None, None, None, None)


def test_check_in_and_undo_are_in_the_audit_log_as_sentences(zwolle, now):
    person = add_registration(zwolle, "Anna de Vries", "anna@school.nl")
    assert check_in(person, now=now, actor="deur@ocw.nl") is True
    assert check_in(person, now=now, actor="deur@ocw.nl") is False  # once in the log
    assert undo_check_in(person, now=now, actor="deur@ocw.nl") is True
    assert undo_check_in(person, now=now, actor="deur@ocw.nl") is False
    db.session.commit()
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert [e.action for e in events] == ["registration.check_in",
                                          "registration.check_in_undo"]
    lines = [line.sentence for line in describe(events)]
    assert lines == ["Anna de Vries ingecheckt in Zwolle door deur@ocw.nl",
                     "Inchecken van Anna de Vries in Zwolle ongedaan gemaakt door deur@ocw.nl"]


def test_move_reads_as_a_sentence(zwolle, meetings, now):
    from regio.registrations.services import move

    person = add_registration(zwolle, "Jan de Vries", "jan@school.nl")
    move(person, meetings["rotterdam"], now=now, actor="ann@ocw.nl")
    db.session.commit()
    event = db.session.execute(select(AuditEvent)).scalar_one()
    sentence = audit_sentence(event, people={person.id: "Jan de Vries"},
                              cities={"zwolle": "Zwolle", "rotterdam": "Rotterdam"})
    assert sentence == "Jan de Vries verplaatst van Zwolle naar Rotterdam door ann@ocw.nl"


def test_ticket_for_another_meeting_is_refused_unless_on_purpose(zwolle, meetings, now):
    person = add_registration(zwolle, "Anna de Vries", "anna@school.nl")
    with pytest.raises(BookingError) as refused:
        check_in(person, now=now, actor="deur@ocw.nl", meeting_id=meetings["rotterdam"].id)
    assert refused.value.code == "other_meeting"
    assert check_in(person, now=now, actor="deur@ocw.nl") is True


# --- through the web, as a door account --------------------------------------------------


@pytest.fixture
def door(app, make_organiser, meetings):
    return logged_in(app, make_organiser, "checkin")


def test_door_account_registers_a_walk_in_without_address(door, zwolle):
    url = "/beheer/bijeenkomsten/zwolle/incheck"
    response = door.post(f"{url}/nieuw", data={
        "csrf_token": csrf_token(door, url), "name": "Wang Xiaoming 王小明", "role": "ouder",
        "email": "", "organisation": ""})
    assert response.status_code == 302
    page = door.get(url, query_string={"q": "王小明"}).get_data(as_text=True)
    assert "Wang Xiaoming 王小明" in page and "Er om" in page
    # The message is below the navigation, where the eye is, and read out by screen readers.
    notice = '<div class="notice notice-success" role="status">Wang Xiaoming 王小明 is aangemeld'
    assert page.index('class="beheer-nav"') < page.index(notice) < page.index("<h1>")


def test_walk_in_with_a_bad_address_says_so_beside_the_field(door, zwolle):
    url = "/beheer/bijeenkomsten/zwolle/incheck"
    response = door.post(f"{url}/nieuw", data={
        "csrf_token": csrf_token(door, url), "name": "Mehmet", "role": "ouder",
        "email": "geen-adres"})
    assert response.status_code == 400
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_ticket_for_another_meeting_has_no_one_tap_button(door, zwolle):
    person = add_registration(zwolle, "Anna de Vries", "anna@school.nl")
    from regio.registrations.tickets import ticket_token

    url = f"/beheer/incheck/{ticket_token(person)}"
    door.get("/beheer/bijeenkomsten/rotterdam/incheck")
    page = door.get(url).get_data(as_text=True)
    assert "door-button" not in page and "Toch inchecken voor Zwolle" in page
    token = csrf_token(door, url)
    refused = door.post(url, data={"csrf_token": token}).get_data(as_text=True)
    assert "andere bijeenkomst" in refused and reloaded(person).checked_in_at is None
    done = door.post(url, data={"csrf_token": token, "toch": "1"}).get_data(as_text=True)
    assert "door-ok" in done


def test_live_count_answers_json(door, zwolle):
    add_registration(zwolle, "Anna de Vries", "anna@school.nl")
    data = door.get("/beheer/bijeenkomsten/zwolle/incheck/stand.json").get_json()
    assert data["present"] == 0 and data["expected"] == 1
    assert data["text"] == "0 van de 1 verwachte deelnemers zijn er."


def test_a_walk_in_without_address_has_no_link_to_resend(zwolle, now):
    from regio.registrations.services import resend_link

    added = register_walk_in(zwolle, Applicant(name="Mehmet Öz", email="", role="ouder"),
                             now=now, actor="deur@ocw.example.org")
    with pytest.raises(BookingError) as refused:
        resend_link(added, now=now)
    assert refused.value.code == "no_email"

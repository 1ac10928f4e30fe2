"""The programme in /beheer: add, change (mailing those in the workshop), remove, lists."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from regio.audit import AuditEvent
from regio.db import db
from regio.mail.outbox import Kind
from regio.programme.models import ProgrammeItem
from regio.registrations.door import check_in
from regio.registrations.services import confirm_address, find_by_token
from regio.registrations.tickets import ticket_token
from tests.booking_helpers import mails
from tests.conftest import csrf_token
from tests.organiser_support import add_registration, fresh, logged_in
from tests.programme_support import add, choices, day, person, sign_up

PAGE = "/beheer/bijeenkomsten/zwolle/programma"


def post(client, url: str = PAGE, **fields):
    data = {"csrf_token": csrf_token(client, PAGE), "title": "Workshop", "start": "13:45",
            "end": "14:30", **fields}
    return client.post(url, data=data)


def test_an_organiser_adds_a_workshop_and_the_meeting_page_links_to_it(organiser):
    assert "Programma en workshops" in organiser.get(
        "/beheer/bijeenkomsten/zwolle").get_data(as_text=True)
    answer = post(organiser, title="Hoorrecht", round="1", capacity="30",
                  roles=["ouder", "leerling"], room="Zaal 3")
    assert answer.status_code == 302
    fresh()
    item = db.session.execute(select(ProgrammeItem)).scalar_one()
    assert (item.round, item.capacity, item.roles, item.room) == (1, 30, "ouder,leerling",
                                                                  "Zaal 3")
    page = organiser.get(PAGE).get_data(as_text=True)
    assert "Hoorrecht" in page and "voor ouders en leerlingen" in page


def test_bad_input_gets_a_message_beside_the_field(organiser):
    cases = [({"start": "25:00"}, "start", "uu:mm"), ({"end": "13:00"}, "end", "na de begintijd"),
             ({"round": "x"}, "round", "ronde"), ({"capacity": "-3"}, "capacity", "plaatsen"),
             ({"title": ""}, "title", "verplicht"), ({"roles": ["rector"]}, "roles", "groepen")]
    for fields, field, words in cases:
        answer = post(organiser, **fields)
        assert answer.status_code == 422, fields
        page = answer.get_data(as_text=True)
        assert f'id="{field}-error"' in page, fields
        assert words in page.split(f'id="{field}-error"')[1].split("</p>")[0], fields
    fresh()
    assert db.session.execute(select(ProgrammeItem)).first() is None


def test_every_mistake_in_an_item_is_shown_at_once(organiser):
    answer = post(organiser, title="", start="14:00", end="13:00", round="12", capacity="-3",
                  roles=["rector"])
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for field in ("title", "end", "round", "capacity", "roles"):
        assert f'id="{field}-error"' in page, field
    start = page.index('class="error-summary"')
    assert page[start:page.index("</ul>", start)].count("<li>") == 5
    # A start time that cannot be read leaves the end alone, but not the rest.
    page = post(organiser, start="vroeg", end="13:00", round="12").get_data(as_text=True)
    assert 'id="start-error"' in page and 'id="round-error"' in page
    assert 'id="end-error"' not in page


def test_changing_the_room_mails_those_in_the_workshop(organiser, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    outcome_person = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    token = mails(Kind.CONFIRM_EMAIL, outcome_person)[0].payload["token"]
    link, _registration = find_by_token(token)
    confirm_address(link, now=outcome_person.created_at)
    db.session.commit()
    other = sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]})
    url = f"{PAGE}/{items['po'].id}"
    answer = post(organiser, url, title=items["po"].title, round="1", capacity="2",
                  room="Zaal 12")
    assert answer.status_code == 302
    fresh()
    assert len(mails(Kind.UPDATED, outcome_person)) == 1
    assert mails(Kind.UPDATED, other) == []


def test_a_chosen_workshop_cannot_be_removed_an_empty_one_can(organiser, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    ids = {name: items[name].id for name in ("po", "vo")}
    for name, left in (("po", True), ("vo", False)):
        organiser.post(f"{PAGE}/{ids[name]}/verwijderen",
                       data={"csrf_token": csrf_token(organiser, PAGE)})
        fresh()
        assert (db.session.get(ProgrammeItem, ids[name]) is not None) == left


def test_lists_per_workshop_read_back_with_counts(organiser, meetings, now):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    first = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]})
    sign_up(zwolle, 3, {1: items["po"], 2: items["hoorrecht"]})  # waits for po
    first.status = "confirmed"
    db.session.commit()
    check_in(first, now=now, actor="test")
    db.session.commit()
    assert choices(first)[1][1] == "chosen"
    listed = organiser.get(f"{PAGE}/{items['po'].id}/deelnemers.csv")
    rows = list(csv.reader(io.StringIO(listed.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][:5] == ["naam", "e-mail", "rol", "organisatie", "status"]
    assert [(r[0], r[4]) for r in rows[1:]] == [("Deelnemer 1", "bevestigd"),
                                                ("Deelnemer 3", "wachtlijst")]
    assert rows[1][7]  # checked in
    book = load_workbook(io.BytesIO(organiser.get(
        f"{PAGE}/{items['po'].id}/deelnemers.xlsx").data))
    sheet_rows = list(book.active.iter_rows(values_only=True))
    assert [row[0] for row in sheet_rows[1:]] == ["Deelnemer 1", "Deelnemer 3"]
    sheet = organiser.get(f"{PAGE}/{items['po'].id}/deelnemers.pdf")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")
    page = organiser.get(PAGE).get_data(as_text=True)
    assert "<td>1 / 1</td><td>1</td><td>1</td>" in page  # placed, waiting, present
    fresh()
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "export.workshop")).scalars().all()
    assert organiser.get(f"{PAGE}/{items['opening'].id}/deelnemers.csv").status_code == 404


def test_a_workshop_list_files_people_as_the_presentielijst_does(organiser, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=4)
    for n, name in enumerate(("Jan de Vries", "Anna Bakker", "Piet van Aalst", "Ruud Zwart"),
                             start=1):
        person(zwolle, n, name, "po", {1: items["po"], 2: items["hoorrecht"]})
    listed = organiser.get(f"{PAGE}/{items['po'].id}/deelnemers.csv")
    rows = list(csv.reader(io.StringIO(listed.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    # By surname, without the tussenvoegsels: Aalst, Bakker, Vries, Zwart.
    assert [r[0] for r in rows[1:]] == ["Piet van Aalst", "Anna Bakker", "Jan de Vries",
                                        "Ruud Zwart"]


def test_workshop_downloads_say_which_workshop_they_are(organiser, meetings):
    zwolle = meetings["zwolle"]
    item = add(zwolle, "Het OPP in de praktijk van het po: wat werkt?", "10:30", "11:45",
               round=1, capacity=60)
    day_ = zwolle.date.isoformat()
    csv_answer = organiser.get(f"{PAGE}/{item.id}/deelnemers.csv")
    assert csv_answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_answer.headers["Content-Disposition"] == (  # cut after a word, at most 40
        f"attachment; filename=workshop-zwolle-{day_}-ronde-1-"
        "het-opp-in-de-praktijk-van-het-po-wat.csv")
    book = load_workbook(io.BytesIO(organiser.get(f"{PAGE}/{item.id}/deelnemers.xlsx").data))
    assert book.active.title == "Het OPP in de praktijk van het"  # 31 characters, cut


def test_the_item_form_says_what_empty_means_in_hints_not_in_labels(organiser):
    page = organiser.get(PAGE).get_data(as_text=True)
    assert '<label for="round">Ronde <span class="optional">(niet verplicht)</span>' in page
    assert '<label for="capacity">Aantal plaatsen <span class="optional">' in page
    assert "Leeg: een onderdeel voor iedereen, zoals de opening." in page
    assert "Niets aangevinkt: voor iedereen." in page
    assert "(leeg:" not in page and ") <span class=\"optional\">" not in page


def test_the_door_sees_which_workshop_the_ticket_holder_chose(app, make_organiser, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    person = sign_up(zwolle, 1, {1: items["vo"], 2: items["hoorrecht"]})
    token = mails(Kind.CONFIRM_EMAIL, person)[0].payload["token"]
    link, _registration = find_by_token(token)
    confirm_address(link, now=person.created_at)
    db.session.commit()
    door = logged_in(app, make_organiser, "checkin")
    page = door.get(f"/beheer/incheck/{ticket_token(person)}").get_data(as_text=True)
    assert "Ronde 1: <strong>Het OPP in het vo</strong>, Zaal 2" in page
    assert "Ronde 2: <strong>Hoorrecht</strong>, Zaal 1" in page


def test_the_registration_page_shows_the_workshops_and_waiting_lists(organiser, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]})
    waiting = sign_up(zwolle, 3, {1: items["po"], 2: items["hoorrecht"]})
    page = organiser.get(f"/beheer/aanmeldingen/{waiting.id}").get_data(as_text=True)
    assert "<dt>Workshops</dt>" in page
    assert "Ronde 1: <strong>Het OPP in het po</strong>, Zaal 1 (wachtlijst)" in page
    assert "Ronde 2: <strong>Hoorrecht</strong>, Zaal 1</li>" in page
    plain = add_registration(meetings["rotterdam"], "Zonder Programma")
    assert "<dt>Workshops</dt>" not in organiser.get(
        f"/beheer/aanmeldingen/{plain.id}").get_data(as_text=True)

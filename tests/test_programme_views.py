"""The programme as a visitor meets it: the form's rounds, forged picks, the kept page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import time_machine
from sqlalchemy import select

from regio.db import db
from regio.meetings.models import Meeting
from regio.programme.models import ProgrammeItem
from regio.programme.services import ItemFields, change_item
from regio.registrations.models import Registration
from regio.registrations.services import add_personal_link
from tests.conftest import csrf_token
from tests.programme_support import choices, day, sign_up, taken

URL = "/bijeenkomsten/zwolle"


def post(client, **fields):
    data = {"csrf_token": csrf_token(client, URL), "name": "Anna de Vries",
            "email": "anna@school.nl", "role": "po", "consent": "y", **fields}
    return client.post(URL, data=data)


def error_beside(page: str, field: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field}-error">.*?</span>(.*?)</p>', page, re.S)
    return match[1].strip() if match else None


def test_the_form_has_a_radio_group_per_round_with_the_workshop_ids(client, meetings):
    items = day(meetings["zwolle"])
    page = client.get(URL).get_data(as_text=True)
    for name in ("po", "vo", "ouders"):
        assert f'name="ronde_1" id="ronde_1-{items[name].id}" value="{items[name].id}"' in page
    assert f'name="ronde_2" id="ronde_2-{items["hoorrecht"].id}"' in page
    assert 'class="radio workshop for-some for-ouder for-leerling"' in page
    assert "voor ouders en leerlingen" in page
    assert "Grote zaal" in page and "Programma" in page


def test_a_meeting_without_programme_shows_no_rounds(client, meetings):
    page = client.get(URL).get_data(as_text=True)
    assert "ronde_" not in page and "programme.js" not in page


def test_a_sign_up_with_a_workshop_per_round_is_stored(client, meetings):
    items = day(meetings["zwolle"])
    answer = post(client, ronde_1=str(items["vo"].id), ronde_2=str(items["hoorrecht"].id))
    assert answer.status_code == 303
    person = db.session.execute(select(Registration)).scalar_one()
    assert choices(person) == {1: ("Het OPP in het vo", "chosen"), 2: ("Hoorrecht", "chosen")}


def test_forged_and_missing_picks_get_a_dutch_message_beside_the_field(client, meetings):
    items = day(meetings["zwolle"])
    cases = {
        str(items["ouders"].id): "niet voor uw groep",  # a po forging the parents' workshop
        str(items["hoorrecht"].id): "een van de workshops van deze ronde",  # another round
        "99999": "een van de workshops van deze ronde",
        "1; DROP TABLE": "een van de workshops van deze ronde",
        "¹": "een van de workshops van deze ronde",  # isdigit() says yes, int() says no
        "-1": "een van de workshops van deze ronde",
        "99999999999999999999": "een van de workshops van deze ronde",
        "": "Kies een workshop voor ronde 1",
    }
    for value, words in cases.items():
        answer = post(client, ronde_1=value, ronde_2=str(items["hoorrecht"].id))
        assert answer.status_code == 422, value
        assert words in error_beside(answer.get_data(as_text=True), "ronde_1"), value
    assert db.session.execute(select(Registration)).first() is None


def test_a_workshop_of_another_meeting_is_refused(client, meetings):
    day(meetings["zwolle"])
    other = day(meetings["rotterdam"])
    answer = post(client, ronde_1=str(other["po"].id), ronde_2=str(other["hoorrecht"].id))
    assert answer.status_code == 422
    assert "een van de workshops" in error_beside(answer.get_data(as_text=True), "ronde_1")


def test_a_full_workshop_shows_vol_at_once_and_cannot_be_picked(client, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    before = client.get(URL).get_data(as_text=True)  # kept by the page cache
    assert "vol" not in re.sub(r"<script.*?</script>", "", before.split('id="programma"')[1]
                               .split("</section>")[0])
    sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    page = client.get(URL).get_data(as_text=True)
    assert f'value="{items["po"].id}" disabled' in page
    assert 'class="badge badge-vol">vol<' in page
    answer = post(client, ronde_1=str(items["po"].id), ronde_2=str(items["hoorrecht"].id))
    assert answer.status_code == 422
    assert "vol" in error_beside(answer.get_data(as_text=True), "ronde_1")


def test_a_programme_change_shows_at_once(client, meetings, now):
    items = day(meetings["zwolle"])
    assert "Zaal 1" in client.get(URL).get_data(as_text=True)
    po = items["po"]
    change_item(po, ItemFields(title="Nieuw: het OPP in het po", start_time=po.start_time,
                               end_time=po.end_time, round=1, capacity=2, room="Zaal 7"),
                actor="test", now=now)
    db.session.commit()
    page = client.get(URL).get_data(as_text=True)
    assert "Nieuw: het OPP in het po" in page and "Zaal 7" in page


def test_the_personal_page_shows_the_day_and_switches(client, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    answer = post(client, ronde_1=str(items["po"].id), ronde_2=str(items["hoorrecht"].id))
    assert answer.status_code == 303
    token = _token_from_outbox()
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "Uw programma" in page and "Het OPP in het po" in page
    assert f'value="{items["ouders"].id}"' not in page  # not for a po
    switch = client.post(f"/aanmelding/{token}/workshop", data={
        "csrf_token": csrf_token(client, f"/aanmelding/{token}"), "ronde": "1",
        "workshop": str(items["vo"].id)})
    assert switch.status_code == 303
    person = db.session.execute(select(Registration)).scalar_one()
    assert choices(person)[1] == ("Het OPP in het vo", "chosen")
    assert (taken(items["po"]), taken(items["vo"])) == (0, 1)
    forged = client.post(f"/aanmelding/{token}/workshop", data={
        "csrf_token": csrf_token(client, f"/aanmelding/{token}"), "ronde": "1",
        "workshop": str(items["ouders"].id)}, follow_redirects=True)
    assert "niet voor uw groep" in forged.get_data(as_text=True)
    assert db.session.get(ProgrammeItem, items["ouders"].id).taken == 0
    for ronde, workshop in (("¹", str(items["po"].id)), ("1", "²"), ("-1", "1"), ("1", "")):
        odd = client.post(f"/aanmelding/{token}/workshop", data={
            "csrf_token": csrf_token(client, f"/aanmelding/{token}"), "ronde": ronde,
            "workshop": workshop})
        assert odd.status_code == 303, (ronde, workshop)
    assert choices(person)[1] == ("Het OPP in het vo", "chosen")


def test_the_personal_page_offers_only_workshops_the_switch_accepts(client, meetings, now):
    """A parent whose round has a parents' workshop with room is not offered another
    workshop's waiting list: the switch would refuse it ("vol, kies een andere")."""
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    parent = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]}, role="ouder")
    sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]}, role="vo")  # vo is full now
    token = add_personal_link(parent, now=now)
    db.session.commit()
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert f'name="workshop" id="wissel-1-{items["ouders"].id}"' in page
    assert f'id="wissel-1-{items["vo"].id}"' not in page
    assert "vol: u komt op de wachtlijst" not in page


def test_switching_to_a_waiting_list_says_the_place_held_is_given_up(client, meetings, now):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    holder = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]}, role="vo")
    waiter = sign_up(zwolle, 3, {1: items["vo"], 2: items["hoorrecht"]})  # waits for vo
    pages = {}
    for who in (holder, waiter):
        token = add_personal_link(who, now=now)
        db.session.commit()
        pages[who.id] = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "vol: u komt op de wachtlijst, en uw plaats in deze ronde vervalt" in pages[holder.id]
    assert "vol: u komt op de wachtlijst<" in pages[waiter.id]  # nothing to give up
    assert "uw plaats in deze ronde vervalt" not in pages[waiter.id]


def test_no_workshop_switch_once_the_meeting_was_held_or_cancelled(client, meetings, now):
    """The workshop lists of a meeting that took place are a record: the personal page no
    longer offers a switch, and a forged one is refused with a message."""
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    person = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    token = add_personal_link(person, now=now)
    db.session.commit()
    personal = f"/aanmelding/{token}"

    def switch():
        return client.post(f"{personal}/workshop", data={
            "csrf_token": csrf_token(client, personal), "ronde": "1",
            "workshop": str(items["vo"].id)}, follow_redirects=True)

    after = datetime.combine(zwolle.date + timedelta(days=1), time(12), tzinfo=UTC)
    with time_machine.travel(after, tick=False):
        assert 'name="workshop"' not in client.get(personal).get_data(as_text=True)
        assert "Deze bijeenkomst is al geweest." in switch().get_data(as_text=True)
    assert choices(person)[1] == ("Het OPP in het po", "chosen")
    zwolle = db.session.get(Meeting, zwolle.id)
    zwolle.is_cancelled = True
    db.session.commit()
    assert 'name="workshop"' not in client.get(personal).get_data(as_text=True)
    assert "Deze bijeenkomst is geannuleerd." in switch().get_data(as_text=True)
    assert choices(person)[1] == ("Het OPP in het po", "chosen")
    assert (taken(items["po"]), taken(items["vo"])) == (1, 0)


def test_a_cancelled_person_sees_no_programme_to_choose_from(client, meetings, now):
    from regio.registrations.services import cancel

    zwolle = meetings["zwolle"]
    items = day(zwolle)
    person = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    token = add_personal_link(person, now=now)
    cancel(person, now=now)
    db.session.commit()
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "U bent afgemeld." in page
    assert "Uw programma" not in page and "nog geen workshop gekozen" not in page


def _token_from_outbox() -> str:
    from regio.mail.models import OutboxMessage

    row = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().first()
    return row.payload["token"]


def test_the_poster_shows_the_programme_with_vol(client, meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    page = client.get("/bijeenkomsten/zwolle/poster").get_data(as_text=True)
    assert "Ronde 1: Het OPP in het po, Zaal 1 – vol" in page
    assert "Opening, Grote zaal" in page
    pdf = client.get("/bijeenkomsten/zwolle/poster.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

"""Workshop rounds: choosing at sign-up, full workshops, switching, places handed on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from regio.db import db
from regio.errors import BookingError, MeetingError
from regio.mail.outbox import Kind
from regio.meetings.models import Meeting
from regio.programme import seats
from regio.programme.booking import register_with_programme
from regio.programme.models import ProgrammeItem, WorkshopChoice
from regio.programme.services import ItemFields, change_item, remove_item
from regio.registrations.models import Status
from regio.registrations.services import (
    cancel,
    confirm_address,
    erase,
    find_by_token,
    move,
    release_all_expired,
)
from tests.booking_helpers import applicant, book, mails, reload, set_capacity
from tests.programme_support import add, choices, day, sign_up, taken


def test_a_sign_up_takes_one_place_per_round(meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    person = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    assert choices(person) == {1: ("Het OPP in het po", "chosen"),
                               2: ("Hoorrecht", "chosen")}
    assert taken(items["po"]) == 1 and taken(items["hoorrecht"]) == 1


def test_a_meeting_without_programme_books_as_before(meetings):
    person, _token = book(meetings["zwolle"], 1)
    assert person.status == Status.HELD
    assert db.session.execute(select(WorkshopChoice)).first() is None


def test_a_po_cannot_pick_a_workshop_for_parents(meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    with pytest.raises(BookingError) as refused:
        sign_up(zwolle, 1, {1: items["ouders"], 2: items["hoorrecht"]}, role="po")
    assert (refused.value.code, refused.value.field) == ("workshop_other_role", "ronde_1")
    db.session.rollback()
    parent = sign_up(zwolle, 2, {1: items["ouders"], 2: items["hoorrecht"]}, role="ouder")
    assert choices(parent)[1] == ("Wat mogen ouders verwachten", "chosen")


@pytest.mark.parametrize("picks", [{2: "hoorrecht"}, {1: "hoorrecht", 2: "hoorrecht"}])
def test_every_round_needs_a_workshop_of_that_round(meetings, picks):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    with pytest.raises(BookingError) as refused:
        sign_up(zwolle, 1, {n: items[name] for n, name in picks.items()})
    assert refused.value.code in ("workshop_required", "workshop_unknown")
    assert refused.value.field == "ronde_1"


def test_a_full_workshop_is_refused_while_another_has_room(meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    with pytest.raises(BookingError) as refused:
        sign_up(zwolle, 2, {1: items["po"], 2: items["hoorrecht"]})
    assert refused.value.code == "workshop_full"
    db.session.rollback()
    assert db.session.execute(select(WorkshopChoice)).scalars().all()[0].round in (1, 2)
    assert reload(meetings["zwolle"]).taken == 1  # the refused sign-up took nothing


def test_when_every_workshop_for_the_role_is_full_the_person_waits_for_theirs(meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]})
    # Parents' workshop has room, but it is not for a po: both of theirs are full.
    third = sign_up(zwolle, 3, {1: items["vo"], 2: items["hoorrecht"]})
    assert third.status == Status.HELD  # keeps the meeting place
    assert choices(third)[1] == ("Het OPP in het vo", "waiting")
    assert taken(items["vo"]) == 1


def test_cancelling_frees_the_workshop_place_for_its_waiting_list(meetings):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    first = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]})
    waiting = sign_up(zwolle, 3, {1: items["po"], 2: items["hoorrecht"]})
    cancel(reload(first), now=_now())
    db.session.commit()
    assert choices(first) == {}
    assert choices(waiting)[1] == ("Het OPP in het po", "chosen")
    assert taken(items["po"]) == 1


def test_erasing_and_expiring_free_workshop_places_too(meetings, now):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    erased = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    expiring = sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]})
    erase(reload(erased), now=now)
    db.session.commit()
    assert taken(items["po"]) == 0 and choices(erased) == {}
    release_all_expired(now=now + timedelta(days=3))
    db.session.commit()
    assert reload(expiring).status == Status.EXPIRED
    assert taken(items["vo"]) == 0 and taken(items["hoorrecht"]) == 0


def test_someone_on_the_meeting_waiting_list_waits_for_the_workshop_too(meetings, now):
    zwolle = set_capacity(meetings["zwolle"], 1)
    items = day(zwolle)
    first = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    second = sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]})
    assert second.status == Status.WAITING
    assert choices(second) == {1: ("Het OPP in het vo", "waiting"), 2: ("Hoorrecht", "waiting")}
    assert taken(items["vo"]) == 0
    cancel(reload(first), now=now)
    db.session.commit()
    assert reload(second).status == Status.HELD
    assert choices(second) == {1: ("Het OPP in het vo", "chosen"), 2: ("Hoorrecht", "chosen")}


def test_switching_frees_the_old_place_and_promotes_its_waiting_list(meetings, now):
    zwolle = meetings["zwolle"]
    items = day(zwolle, capacity=1)
    switcher = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]}, role="leerling")
    sign_up(zwolle, 2, {1: items["vo"], 2: items["hoorrecht"]}, role="ouder")
    waiting = sign_up(zwolle, 3, {1: items["po"], 2: items["hoorrecht"]}, role="po")
    assert choices(waiting)[1] == ("Het OPP in het po", "waiting")
    with pytest.raises(BookingError) as refused:
        seats.switch(reload(waiting), 1, items["ouders"].id, now=now)
    assert refused.value.code == "workshop_other_role"
    db.session.rollback()
    assert seats.switch(reload(switcher), 1, items["ouders"].id, now=now)
    db.session.commit()
    assert choices(switcher)[1] == ("Wat mogen ouders verwachten", "chosen")
    assert choices(waiting)[1] == ("Het OPP in het po", "chosen")
    assert (taken(items["po"]), taken(items["ouders"])) == (1, 1)
    assert not seats.switch(reload(switcher), 1, items["ouders"].id, now=now)


def test_a_programme_change_mails_exactly_those_in_the_workshop(meetings, now):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    in_po, _ = book_confirmed(zwolle, 1, items["po"], items)
    in_vo, _ = book_confirmed(zwolle, 2, items["vo"], items)
    held = sign_up(zwolle, 3, {1: items["po"], 2: items["hoorrecht"]})  # not confirmed
    before = {r.id: len(mails(Kind.UPDATED, r)) for r in (in_po, in_vo, held)}
    po = items["po"]
    invites = change_item(po, ItemFields(title=po.title, start_time=po.start_time,
                                         end_time=po.end_time, round=1, capacity=2,
                                         room="Zaal 9"), actor="test", now=now)
    db.session.commit()
    assert invites == 1
    after = {r.id: len(mails(Kind.UPDATED, r)) for r in (in_po, in_vo, held)}
    assert after == {in_po.id: before[in_po.id] + 1, in_vo.id: before[in_vo.id],
                     held.id: before[held.id]}
    updated = mails(Kind.UPDATED, in_po)[-1]
    assert updated.payload["sequence"] > 0


def test_a_workshop_people_chose_cannot_be_removed_but_an_empty_one_can(meetings, now):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    with pytest.raises(MeetingError) as refused:
        remove_item(items["po"], actor="test", now=now)
    assert refused.value.code == "workshop_has_choices"
    db.session.rollback()
    remove_item(db.session.get(ProgrammeItem, items["vo"].id), actor="test", now=now)
    db.session.commit()
    assert db.session.get(ProgrammeItem, items["vo"].id) is None


def test_capacity_cannot_go_below_the_places_taken(meetings, now):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    sign_up(zwolle, 2, {1: items["po"], 2: items["hoorrecht"]})
    po = items["po"]
    with pytest.raises(MeetingError) as refused:
        change_item(po, ItemFields(title=po.title, start_time=po.start_time,
                                   end_time=po.end_time, round=1, capacity=1),
                    actor="test", now=now)
    assert refused.value.code == "capacity_below_taken"


def test_moving_to_another_meeting_drops_the_choices(meetings, now):
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    person = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    move(reload(person), meetings["rotterdam"], now=now)
    db.session.commit()
    assert choices(person) == {}
    assert taken(items["po"]) == 0


def test_bad_items_are_refused_with_a_code(meetings, now):
    zwolle = meetings["zwolle"]
    with pytest.raises(MeetingError) as refused:
        add(zwolle, "Later", "15:00", "14:00")
    assert refused.value.code == "end_before_start"
    db.session.rollback()
    with pytest.raises(MeetingError) as refused:
        add(zwolle, "Ronde", "13:00", "14:00", round=0)
    assert refused.value.code == "bad_round"
    db.session.rollback()
    assert db.session.get(Meeting, zwolle.id).taken == 0


def book_confirmed(meeting, n, workshop, items):
    outcome = register_with_programme(meeting.id, applicant(n), {
        workshop.round: workshop.id, 2: items["hoorrecht"].id}, now=_now())
    db.session.commit()
    link, _registration = find_by_token(outcome.token)
    confirm_address(link, now=_now())
    db.session.commit()
    return outcome.registration, outcome.token


def _now():
    return datetime.now(UTC)


def test_purge_erases_the_choices_with_the_registrations(meetings, now):
    from regio.registrations.retention import purge

    zwolle = meetings["zwolle"]
    items = day(zwolle)
    person = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    after = now + timedelta(days=(zwolle.date - now.date()).days + 91)
    report = purge(now=after, retention_days=90)
    db.session.commit()
    assert report.erased == 1
    assert choices(person) == {}


def test_the_invite_and_the_mail_carry_the_personal_programme(meetings, now):
    from regio.mail.messages import build_message

    zwolle = meetings["zwolle"]
    items = day(zwolle)
    person, _token = book_confirmed(zwolle, 1, items["vo"], items)
    message = build_message(mails(Kind.CONFIRMED, person)[-1], now=now)
    text = message.get_body(("plain",)).get_content()
    assert "Uw programma" in text
    assert "Ronde 1: Het OPP in het vo, Zaal 2" in text and "Opening, Grote zaal" in text
    assert "Het OPP in het po" not in text  # only the person's own workshop
    calendar = next(part for part in message.walk()
                    if part.get_content_type() == "text/calendar").get_content()
    unfolded = calendar.replace("\r\n ", "")
    assert "Ronde 1: Het OPP in het vo\\, Zaal 2" in unfolded
    html = message.get_body(("html",)).get_content()
    assert "Ronde 1: Het OPP in het vo, Zaal 2<br>" in html or "Zaal 2</p>" in html


def test_a_switch_mails_that_the_persons_own_programme_changed(meetings, now):
    """Not "something changed about the meeting": the person wonders what, and the meeting
    itself is as it was."""
    from regio.mail.messages import build_message
    from regio.meetings.services import MeetingChanges, update_meeting

    zwolle = meetings["zwolle"]
    items = day(zwolle)
    person, _token = book_confirmed(zwolle, 1, items["vo"], items)
    assert seats.switch(reload(person), 1, items["po"].id, now=now)
    db.session.commit()
    message = build_message(mails(Kind.UPDATED, person)[-1], now=now)
    text = message.get_body(("plain",)).get_content()
    assert message["Subject"].startswith("Uw programma is gewijzigd: regiobijeenkomst Zwolle")
    assert "Uw programma voor de regiobijeenkomst in Zwolle is gewijzigd." in text
    assert "uw nieuwe programma.\n\nDe afspraak" in text.replace("\r\n", "\n")
    assert "Er is iets veranderd" not in text and "Ronde 1: Het OPP in het po" in text
    update_meeting(db.session.get(Meeting, zwolle.id), MeetingChanges(address="Stationsweg 1"),
                   actor="test", now=now)
    db.session.commit()
    message = build_message(mails(Kind.UPDATED, person)[-1], now=now)
    assert message["Subject"].startswith("Gewijzigd: regiobijeenkomst Zwolle")
    assert "Er is iets veranderd aan de regiobijeenkomst in Zwolle." in \
        message.get_body(("plain",)).get_content()


def test_the_downloaded_invite_carries_the_programme_as_the_mailed_one(client, meetings, now):
    """Same UID: importing the download replaces the calendar item, workshops and all."""
    zwolle = meetings["zwolle"]
    items = day(zwolle)
    person, token = book_confirmed(zwolle, 1, items["vo"], items)
    download = client.get(f"/aanmelding/{token}/uitnodiging.ics").get_data(as_text=True)
    unfolded = download.replace("\r\n ", "")
    assert "METHOD:REQUEST" in unfolded
    assert "Ronde 1: Het OPP in het vo\\, Zaal 2" in unfolded
    cancel(reload(person), now=now)
    db.session.commit()
    download = client.get(f"/aanmelding/{token}/uitnodiging.ics").get_data(as_text=True)
    assert "METHOD:CANCEL" in download and "Ronde" not in download.replace("\r\n ", "")


def test_mails_that_end_the_place_carry_no_programme(meetings, now):
    from regio.mail.messages import build_message

    zwolle, rotterdam = meetings["zwolle"], meetings["rotterdam"]
    items = day(zwolle)
    day(rotterdam)
    leaving, _token = book_confirmed(zwolle, 1, items["vo"], items)
    moving, _token = book_confirmed(zwolle, 2, items["po"], items)
    cancel(reload(leaving), now=now)
    move(reload(moving), rotterdam, now=now)
    db.session.commit()
    for kind, person in ((Kind.CANCELLED, leaving), (Kind.MOVED, moving)):
        message = build_message(mails(kind, person)[-1], now=now)
        text = message.get_body(("plain",)).get_content()
        calendar = next(part for part in message.walk()
                        if part.get_content_type() == "text/calendar").get_content()
        assert "Uw programma" not in text and "Ronde" not in text, kind
        assert "Ronde" not in calendar.replace("\r\n ", ""), kind


def test_after_moving_the_person_chooses_again_on_the_new_programme(meetings, now):
    zwolle, rotterdam = meetings["zwolle"], meetings["rotterdam"]
    items = day(zwolle)
    there = day(rotterdam)
    person = sign_up(zwolle, 1, {1: items["po"], 2: items["hoorrecht"]})
    move(reload(person), rotterdam, now=now)
    db.session.commit()
    assert seats.switch(reload(person), 1, there["vo"].id, now=now)
    db.session.commit()
    assert choices(person) == {1: ("Het OPP in het vo", "chosen")}
    assert taken(there["vo"]) == 1


def test_the_programme_command_adds_and_lists(runner, meetings):
    added = runner.invoke(args=["programme", "add", "zwolle", "--title", "Hoorrecht",
                                "--start", "13:45", "--end", "14:30", "--round", "1",
                                "--capacity", "30", "--roles", "ouder,leerling",
                                "--room", "Zaal 3"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(args=["programme", "list", "zwolle"])
    assert "13:45-14:30  round 1  Hoorrecht  room Zaal 3  0/30 taken  for ouder,leerling" \
        in listed.output
    refused = runner.invoke(args=["programme", "add", "zwolle", "--title", "X", "--start",
                                  "14:00", "--end", "13:00", "--roles", "rector"])
    assert refused.exit_code != 0 and "bad_roles --roles" in refused.output
    assert "no programme yet" in runner.invoke(args=["programme", "list", "oostzaan"]).output

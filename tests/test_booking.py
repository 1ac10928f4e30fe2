"""The booking service: holds, confirmation, waiting list, expiry, cancel, move, erase."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from regio.db import db
from regio.errors import BookingError, MeetingError
from regio.mail.outbox import Kind
from regio.meetings.models import Meeting
from regio.meetings.services import MeetingChanges, update_meeting
from regio.registrations import services
from regio.registrations.consent import find_by_guardian_token
from regio.registrations.door import check_in, register_walk_in
from regio.registrations.models import ROLES, Registration, Status
from regio.registrations.queries import waiting_position
from regio.registrations.services import (
    TRANSITIONS,
    cancel,
    erase,
    find_by_token,
    move,
    register,
    release_all_expired,
)
from tests.booking_helpers import applicant, book, mails, reload, set_capacity


@pytest.mark.parametrize("role", ROLES)
def test_each_role_registers_and_holds_a_place(meetings, now, role):
    registration, token = book(meetings["zwolle"], role=role, now=now)
    assert registration.status == Status.HELD
    assert registration.role == role
    assert registration.hold_expires_at == now + timedelta(hours=48)
    assert reload(meetings["zwolle"]).taken == 1
    [mail] = mails(Kind.CONFIRM_EMAIL)
    assert mail.recipient == "deelnemer1@school.test"
    assert mail.payload["token"] == token


def test_same_address_twice_gives_one_registration_and_mails_the_link_again(meetings, now):
    first = register(meetings["zwolle"].id, applicant(1), now=now)
    db.session.commit()
    again = register(meetings["zwolle"].id, applicant(1, email="DEELNEMER1@School.test "), now=now)
    db.session.commit()
    assert again.created is False and again.registration.id == first.registration.id
    assert db.session.execute(select(func.count(Registration.id))).scalar_one() == 1
    assert reload(meetings["zwolle"]).taken == 1
    [resent] = mails(Kind.LINK_AGAIN)
    assert resent.payload["token"] != first.token
    # both links work
    assert find_by_token(first.token)[1].id == find_by_token(resent.payload["token"])[1].id


def test_same_address_on_a_full_meeting_keeps_its_place_in_line(meetings, now):
    meeting = set_capacity(meetings["zwolle"], 1)
    book(meeting, 1, now=now)
    waiting, _token = book(meeting, 2, now=now)
    again = register(meeting.id, applicant(2), now=now)
    db.session.commit()
    assert again.created is False and again.registration_id == waiting.id
    assert reload(waiting).status == Status.WAITING
    assert reload(meeting).taken == 1
    assert db.session.execute(select(func.count(Registration.id))).scalar_one() == 2


def test_a_meeting_the_session_holds_sees_the_place_taken(meetings, now):
    meeting = db.session.get(Meeting, meetings["zwolle"].id)
    assert meeting.taken == 0
    register(meeting.id, applicant(1), now=now)
    # Still in the booking's transaction: later checks in it (lock_row on SQLite trusts the
    # objects the session holds) must see the counter the booking raised.
    assert meeting.taken == 1
    db.session.commit()


def test_opening_the_link_confirms_and_queues_the_invite(meetings, now):
    registration, _token = book(meetings["zwolle"], now=now, confirm=True)
    registration = reload(registration)
    assert registration.status == Status.CONFIRMED
    assert registration.confirmed_at is not None and registration.ticket_hash
    [invite] = mails(Kind.CONFIRMED)
    assert invite.payload["uid"] == registration.uid


def test_full_meeting_puts_applicant_on_waiting_list_with_position(meetings, now):
    meeting = set_capacity(meetings["zwolle"], 2)
    for n in range(1, 6):
        book(meeting, n, now=now + timedelta(seconds=n))
    rows = db.session.execute(select(Registration).order_by(Registration.id)).scalars().all()
    assert [r.status for r in rows] == [Status.HELD] * 2 + [Status.WAITING] * 3
    assert [waiting_position(r) for r in rows[2:]] == [1, 2, 3]
    assert reload(meeting).taken == 2
    assert len(mails(Kind.WAITING)) == 3


def test_cancel_promotes_the_first_waiting_person(meetings, now):
    meeting = set_capacity(meetings["zwolle"], 1)
    first, _ = book(meeting, 1, now=now, confirm=True)
    second, _ = book(meeting, 2, now=now + timedelta(seconds=1))
    third, _ = book(meeting, 3, now=now + timedelta(seconds=2))
    cancel(reload(first), now=now)
    db.session.commit()
    assert reload(first).status == Status.CANCELLED
    assert reload(second).status == Status.HELD  # address not confirmed yet: a new hold
    assert reload(third).status == Status.WAITING
    assert waiting_position(reload(third)) == 1
    assert reload(meeting).taken == 1
    [promoted] = mails(Kind.PROMOTED)
    assert promoted.registration_id == second.id and promoted.payload["needs_confirm"] is True
    [cancelled] = mails(Kind.CANCELLED)
    assert cancelled.payload["with_invite"] is True


def test_a_waiting_person_who_confirmed_the_address_is_promoted_straight_to_confirmed(
        meetings, now):
    meeting = set_capacity(meetings["zwolle"], 1)
    first, _ = book(meeting, 1, now=now, confirm=True)
    second, _ = book(meeting, 2, now=now, confirm=True)  # opening the link proves the address
    assert reload(second).status == Status.WAITING
    cancel(reload(first), now=now)
    db.session.commit()
    second = reload(second)
    assert second.status == Status.CONFIRMED and second.ticket_hash
    [promoted] = mails(Kind.PROMOTED)
    assert promoted.payload["needs_confirm"] is False


def test_unconfirmed_hold_expires_and_the_waiting_list_moves_up(meetings, now):
    meeting = set_capacity(meetings["zwolle"], 1)
    held, _ = book(meeting, 1, now=now)
    waiting, _ = book(meeting, 2, now=now, confirm=True)
    assert release_all_expired(now=now + timedelta(hours=47)) == 0
    assert release_all_expired(now=now + timedelta(hours=48, seconds=1)) == 1
    db.session.commit()
    assert reload(held).status == Status.EXPIRED
    assert reload(held).active_email is None
    assert reload(waiting).status == Status.CONFIRMED
    assert reload(meeting).taken == 1
    assert len(mails(Kind.EXPIRED)) == 1


def test_expired_holds_are_released_lazily_on_the_next_booking(meetings, now):
    meeting = set_capacity(meetings["zwolle"], 1)
    held, _ = book(meeting, 1, now=now)
    later, _ = book(meeting, 2, now=now + timedelta(hours=49))
    assert reload(held).status == Status.EXPIRED
    assert reload(later).status == Status.HELD


def test_an_expired_address_can_register_again(meetings, now):
    meeting = meetings["zwolle"]
    book(meeting, 1, now=now)
    release_all_expired(now=now + timedelta(hours=49))
    db.session.commit()
    again = register(meeting.id, applicant(1), now=now + timedelta(hours=50))
    assert again.created is True


def test_raising_capacity_promotes_as_many_as_fit(meetings, now):
    meeting = set_capacity(meetings["zwolle"], 1)
    for n in range(1, 6):
        book(meeting, n, now=now + timedelta(seconds=n), confirm=True)
    result = update_meeting(reload(meeting), MeetingChanges(capacity=3), actor="t", now=now)
    db.session.commit()
    assert result.promoted == 2
    statuses = db.session.execute(
        select(Registration.status).order_by(Registration.id)).scalars().all()
    assert statuses == [Status.CONFIRMED] * 3 + [Status.WAITING] * 2
    assert reload(meeting).taken == 3


def test_removing_the_capacity_promotes_everyone(meetings, now):
    meeting = set_capacity(meetings["zwolle"], 1)
    for n in range(1, 4):
        book(meeting, n, now=now)
    update_meeting(reload(meeting), MeetingChanges(capacity=None), actor="t", now=now)
    db.session.commit()
    assert reload(meeting).taken == 3


def test_capacity_cannot_drop_below_the_places_taken(meetings, now):
    meeting = set_capacity(meetings["zwolle"], 5)
    for n in range(1, 4):
        book(meeting, n, now=now, confirm=True)
    with pytest.raises(MeetingError) as info:
        update_meeting(reload(meeting), MeetingChanges(capacity=2), actor="t", now=now)
    assert info.value.code == "capacity_below_taken"
    assert info.value.params == {"taken": 3}


@pytest.mark.parametrize("change,code", [
    ({"is_open": False}, "meeting_closed"),
    ({"is_cancelled": True}, "meeting_cancelled"),
    ({"date": "past"}, "meeting_past"),
])
def test_closed_cancelled_or_past_meetings_refuse_registrations(meetings, now, change, code):
    meeting = db.session.get(Meeting, meetings["zwolle"].id)
    for name, value in change.items():
        setattr(meeting, name, (now - timedelta(days=2)).date() if value == "past" else value)
    db.session.commit()
    with pytest.raises(BookingError) as info:
        register(meeting.id, applicant(1), now=now)
    assert info.value.code == code


def test_pupil_under_16_needs_guardian_consent_and_notifies_the_guardian(meetings, now):
    with pytest.raises(BookingError) as info:
        register(meetings["zwolle"].id, applicant(1, "leerling", is_under_16=True), now=now)
    assert info.value.code == "guardian_consent_required"
    db.session.rollback()
    book(meetings["zwolle"], 2, role="leerling", is_under_16=True, has_guardian_consent=True,
         guardian_email="Ouder@Thuis.test", now=now)
    [notice] = mails(Kind.GUARDIAN_NOTICE)
    assert notice.recipient == "ouder@thuis.test"
    assert notice.payload["token"]


def test_a_booking_writes_the_registration_its_links_and_its_mails_in_full(meetings, now):
    meeting = db.session.get(Meeting, meetings["zwolle"].id)
    meeting.sequence = 3  # the invite's SEQUENCE after three changes to the meeting
    db.session.commit()
    registration, token = book(meeting, 1, role="leerling", is_under_16=True,
                               has_guardian_consent=True, guardian_email="ouder@thuis.test",
                               source="poster", now=now)
    assert (registration.status, registration.source, registration.is_walk_in) == (
        Status.HELD, "poster", False)
    assert registration.created_at == registration.updated_at == now
    for kind, key, recipient in ((Kind.CONFIRM_EMAIL, "confirm_email", "deelnemer1@school.test"),
                                 (Kind.GUARDIAN_NOTICE, "guardian", "ouder@thuis.test")):
        [mail] = mails(kind)
        assert mail.idempotency_key == f"{key}:{registration.id}"
        assert (mail.recipient, mail.registration_id, mail.attempts) == (
            recipient, registration.id, 0)
        assert mail.payload.keys() == {"token", "uid", "sequence", "meeting_id"}
        assert (mail.payload["uid"], mail.payload["sequence"], mail.payload["meeting_id"]) == (
            registration.uid, 3, meeting.id)
    link, found = find_by_token(mails(Kind.CONFIRM_EMAIL)[0].payload["token"])
    assert found.id == registration.id and link.created_at == now
    assert mails(Kind.CONFIRM_EMAIL)[0].payload["token"] == token
    # The guardian's token is the guardian's own: not a personal link to the pupil's page.
    guardian_token = mails(Kind.GUARDIAN_NOTICE)[0].payload["token"]
    assert find_by_token(guardian_token) == (None, None)
    assert find_by_guardian_token(guardian_token).id == registration.id
    assert len(reload(registration).links) == 1
    assert reload(meeting).updated_at == now


def test_move_frees_the_old_place_and_takes_a_new_one(meetings, now):
    zwolle = set_capacity(meetings["zwolle"], 1)
    rotterdam = set_capacity(meetings["rotterdam"], 1)
    mover, token = book(zwolle, 1, now=now, confirm=True)
    waiting, _ = book(zwolle, 2, now=now, confirm=True)
    old_uid = reload(mover).uid
    move(reload(mover), reload(rotterdam), now=now)
    db.session.commit()
    mover = reload(mover)
    assert mover.meeting_id == rotterdam.id and mover.status == Status.CONFIRMED
    assert mover.uid != old_uid
    assert reload(waiting).status == Status.CONFIRMED
    assert (reload(zwolle).taken, reload(rotterdam).taken) == (1, 1)
    [moved] = mails(Kind.MOVED)
    assert moved.payload["uid"] == old_uid and moved.payload["meeting_id"] == zwolle.id
    assert find_by_token(token)[1].id == mover.id  # the personal link still works


def test_move_to_a_full_meeting_goes_on_its_waiting_list(meetings, now):
    rotterdam = set_capacity(meetings["rotterdam"], 1)
    book(rotterdam, 9, now=now)
    mover, _ = book(meetings["zwolle"], 1, now=now, confirm=True)
    move(reload(mover), reload(rotterdam), now=now)
    db.session.commit()
    assert reload(mover).status == Status.WAITING
    assert reload(meetings["zwolle"]).taken == 0


def test_move_to_a_meeting_already_booked_by_the_same_address_is_refused(meetings, now):
    book(meetings["rotterdam"], 1, now=now)
    mover, _ = book(meetings["zwolle"], 1, now=now)
    with pytest.raises(BookingError) as info:
        move(reload(mover), reload(meetings["rotterdam"]), now=now)
    assert info.value.code == "already_registered_there"


def test_erase_removes_personal_data_and_sends_a_cancellation(meetings, now):
    meeting = set_capacity(meetings["zwolle"], 1)
    registration, token = book(meeting, 1, now=now, confirm=True, needs="rolstoel",
                               organisation="De School")
    waiting, _ = book(meeting, 2, now=now)
    erase(reload(registration), now=now)
    db.session.commit()
    erased = reload(registration)
    assert erased.status == Status.ERASED
    assert (erased.name, erased.email, erased.organisation, erased.needs) == (None,) * 4
    assert erased.role == "po" and erased.meeting_id == meeting.id  # anonymous count stays
    assert find_by_token(token)[1].status == Status.ERASED
    assert reload(waiting).status == Status.HELD
    [cancellation] = mails(Kind.ERASED)
    assert cancellation.recipient == "deelnemer1@school.test"
    assert cancellation.payload["with_invite"] is True


def test_erase_withdraws_mail_not_yet_sent(meetings, now):
    registration, _ = book(meetings["zwolle"], 1, now=now)
    erase(reload(registration), now=now)
    db.session.commit()
    [confirm_mail] = mails(Kind.CONFIRM_EMAIL)
    assert confirm_mail.state == "cancelled" and confirm_mail.payload == {}
    assert mails(Kind.ERASED) == []  # no invite was ever sent, so nothing to cancel


def test_walk_in_is_confirmed_and_checked_in_without_mail(meetings, now):
    registration = register_walk_in(meetings["zwolle"], applicant(7), now=now, actor="balie")
    db.session.commit()
    assert registration.status == Status.CONFIRMED and registration.checked_in_at == now
    assert mails() == []


def test_check_in_is_idempotent(meetings, now):
    registration, _ = book(meetings["zwolle"], 1, now=now, confirm=True)
    assert check_in(reload(registration), now=now, actor="deur") is True
    assert check_in(reload(registration), now=now + timedelta(minutes=5), actor="deur") is False
    assert reload(registration).checked_in_at == now


def test_check_in_refuses_an_unconfirmed_registration(meetings, now):
    registration, _ = book(meetings["zwolle"], 1, now=now)
    with pytest.raises(BookingError) as info:
        check_in(reload(registration), now=now, actor="deur")
    assert info.value.code == "not_confirmed"


@pytest.mark.parametrize("old", Status.ALL)
@pytest.mark.parametrize("new", Status.ALL)
def test_every_status_transition_is_allowed_or_refused_as_the_table_says(old, new):
    registration = Registration(status=old, email="x@y.test")
    if new in TRANSITIONS[old]:
        services._transition(registration, new)
        assert registration.status == new
        assert registration.active_email == ("x@y.test" if new in Status.ACTIVE else None)
    else:
        with pytest.raises(BookingError) as info:
            services._transition(registration, new)
        assert info.value.code == "bad_transition"
        assert registration.status == old


def test_cancelling_twice_is_refused(meetings, now):
    registration, _ = book(meetings["zwolle"], 1, now=now)
    cancel(reload(registration), now=now)
    db.session.commit()
    with pytest.raises(BookingError):
        cancel(reload(registration), now=now)


def test_meeting_cancellation_mails_every_active_registration(meetings, now):
    meeting = set_capacity(meetings["zwolle"], 1)
    confirmed, _ = book(meeting, 1, now=now, confirm=True)
    waiting, _ = book(meeting, 2, now=now)
    update_meeting(reload(meeting), MeetingChanges(cancel=True), actor="t", now=now)
    db.session.commit()
    by_registration = {m.registration_id: m for m in mails(Kind.MEETING_CANCELLED)}
    assert by_registration[confirmed.id].payload["with_invite"] is True
    assert by_registration[waiting.id].payload["with_invite"] is False
    assert reload(meeting).status(now.date(), now) == "geannuleerd"


def test_time_change_queues_updated_invites_for_confirmed_attendees_only(meetings, now):
    from datetime import time

    meeting = meetings["zwolle"]
    confirmed, _ = book(meeting, 1, now=now, confirm=True)
    book(meeting, 2, now=now)  # held, not confirmed: no invite yet
    update_meeting(reload(meeting), MeetingChanges(start_time=time(13, 0)), actor="t", now=now)
    db.session.commit()
    [updated] = mails(Kind.UPDATED)
    assert updated.registration_id == confirmed.id
    first_invite = mails(Kind.CONFIRMED)[0]
    assert updated.payload["sequence"] > first_invite.payload["sequence"]

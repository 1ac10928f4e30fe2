"""Workshop places: choosing at sign-up, switching, and handing freed places on.

Every function here runs under the meeting's lock, taken by the caller (a booking's
TAKE_PLACE or `lock_row(Meeting, …)`): all changes to a meeting's workshops queue behind it,
and the workshops are then changed in id order, so two transactions never wait on each other
the other way round. A workshop place is taken with a conditional UPDATE of its `taken`
counter, which the database also keeps within capacity.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    Integer,
    bindparam,
    case,
    delete,
    exists,
    insert,
    or_,
    select,
    union_all,
    update,
)

from regio.db import UTCDateTime, db, is_sqlite, lock_row
from regio.errors import BookingError
from regio.i18n import local_today
from regio.meetings.models import Meeting
from regio.prebuilt import Prebuilt
from regio.programme import opening
from regio.programme.models import ChoiceStatus, ProgrammeItem, WorkshopChoice
from regio.registrations.models import ROLES, Registration, Status

_items = ProgrammeItem.__table__
_meetings = Meeting.__table__

# One workshop place more, if there is room; rowcount 1 when it was taken.
_TAKE = (update(_items)
         .where(_items.c.id == bindparam("workshop_id"),
                or_(_items.c.capacity.is_(None), _items.c.taken < _items.c.capacity))
         .values(taken=_items.c.taken + 1))
# The same for a pick at sign-up, which must still be a workshop of that meeting and round.
_TAKE_PICK = Prebuilt(
    update(_items)
    .where(_items.c.id == bindparam("workshop_id"),
           _items.c.meeting_id == bindparam("of_meeting"), _items.c.round == bindparam("in_round"),
           or_(_items.c.capacity.is_(None), _items.c.taken < _items.c.capacity))
    .values(taken=_items.c.taken + 1)
    .returning(_items.c.id))
_INSERT_CHOICE = Prebuilt(insert(WorkshopChoice.__table__))
_GIVE_BACK = (update(_items).where(_items.c.id == bindparam("workshop_id"))
              .values(taken=_items.c.taken - 1))
# The landing pages are kept per state of the meeting's row (regio.public.pages): a change
# of a workshop's places that leaves the meeting's own counter alone touches the row.
_TOUCH_MEETING = (update(_meetings).where(_meetings.c.id == bindparam("meeting_id"))
                  .values(updated_at=bindparam("now")))


def programme_of(meeting_id: int) -> list[ProgrammeItem]:
    """The meeting's programme in the order of the day."""
    return list(db.session.execute(
        select(ProgrammeItem).where(ProgrammeItem.meeting_id == meeting_id)
        .order_by(ProgrammeItem.start_time, ProgrammeItem.round, ProgrammeItem.id)
    ).scalars())


def rounds_of(items: list[ProgrammeItem]) -> dict[int, list[ProgrammeItem]]:
    """Workshops by round number, rounds in order."""
    rounds: dict[int, list[ProgrammeItem]] = {}
    for item in sorted((i for i in items if i.round is not None), key=lambda i: i.round):
        rounds.setdefault(item.round, []).append(item)
    return rounds


def pick_problem(workshops: list[ProgrammeItem], workshop_id: int | None,
                 role: str | None) -> str | None:
    """Why `workshop_id` cannot be picked in the round of `workshops` (an error code), or None.

    A full workshop can be picked only when every workshop of the round open to the role is
    full: the person then waits for a place in it, keeping the meeting place.
    """
    if workshop_id is None:
        return "workshop_required"
    chosen = next((w for w in workshops if w.id == workshop_id), None)
    if chosen is None:
        return "workshop_unknown"
    if not chosen.is_open_to(role):
        return "workshop_other_role"
    if chosen.is_full and any(not w.is_full for w in workshops if w.is_open_to(role)):
        return "workshop_full"
    return None


def choosable(workshop: ProgrammeItem, round_workshops: list[ProgrammeItem]) -> bool:
    """False for a full workshop that nobody it is meant for may pick: every role it serves
    has a workshop with room in the same round."""
    if not workshop.is_full:
        return True
    others = [w for w in round_workshops if not w.is_full]
    return not all(any(w.is_open_to(role) for w in others)
                   for role in (workshop.role_list or ROLES))


def check_picks(rounds: dict[int, list[ProgrammeItem]], picks: dict[int, int | None],
                role: str) -> None:
    for number, workshops in rounds.items():
        code = pick_problem(workshops, picks.get(number), role)
        if code:
            raise BookingError(code, field=f"ronde_{number}", round=number)


def _lock_workshops(meeting_id: int) -> dict[int, ProgrammeItem]:
    """The meeting's workshops, current and (PostgreSQL) locked in id order."""
    stmt = (select(ProgrammeItem)
            .where(ProgrammeItem.meeting_id == meeting_id, ProgrammeItem.round.is_not(None))
            .order_by(ProgrammeItem.id).execution_options(populate_existing=True))
    if not is_sqlite():
        stmt = stmt.with_for_update()
    return {item.id: item for item in db.session.execute(stmt).scalars()}


def _take(workshop: ProgrammeItem) -> bool:
    taken = db.session.connection().execute(_TAKE, {"workshop_id": workshop.id}).rowcount == 1
    if taken:
        db.session.expire(workshop, ["taken"])
    return taken


def _give_back(workshop: ProgrammeItem) -> None:
    db.session.connection().execute(_GIVE_BACK, {"workshop_id": workshop.id})
    db.session.expire(workshop, ["taken"])


def touch_meeting(meeting_id: int, now: datetime) -> None:
    db.session.connection().execute(_TOUCH_MEETING, {"meeting_id": meeting_id, "now": now})


def book_choices(meeting_id: int, registration_id: int, role: str, picks: dict[int, int], *,
                 placed: bool, now: datetime) -> None:
    """Record a new registration's picks: a workshop place each when it holds a meeting place
    and the workshop has room, otherwise a place on the workshop's waiting list.

    The caller has checked the picks (`check_picks`) against the programme as read before the
    lock. This runs while every other booking for the meeting waits, so the common case is
    one conditional UPDATE and one INSERT per round on the driver's cursor, and no ORM object
    is touched (the lock's BEGIN expired them all: each would be read again); only a pick
    that finds no room, or a workshop changed meanwhile, reads the workshops again, locked.
    """
    connection = db.session.connection()
    if placed and picks and not is_sqlite():
        _book_choices_at_once(connection, meeting_id, registration_id, role, picks, now=now)
        return
    for number, workshop_id in sorted(picks.items(), key=lambda pick: pick[1]):
        values = {"workshop_id": workshop_id, "of_meeting": meeting_id, "in_round": number,
                  "updated_at": now}
        chosen = placed and bool(_TAKE_PICK.execute(connection, values))
        if placed and not chosen:
            _check_still(meeting_id, number, workshop_id, role)
        _INSERT_CHOICE.execute(connection, {
            "registration_id": registration_id, "workshop_id": workshop_id, "round": number,
            "created_at": now, "status": ChoiceStatus.CHOSEN if chosen else ChoiceStatus.WAITING,
            "waiting_since": None if chosen else now})


def _check_still(meeting_id: int, number: int, workshop_id: int, role: str) -> None:
    """A pick found no room, or the workshop changed since the form was read: decide on the
    current rows, locked. A pick that is still allowed waits; any other is refused."""
    current = rounds_of(list(_lock_workshops(meeting_id).values()))
    code = pick_problem(current.get(number, []), workshop_id, role)
    if code:
        raise BookingError(code, field=f"ronde_{number}", round=number)


@lru_cache(maxsize=8)
def _pick_all(rounds: int) -> Prebuilt:
    """PostgreSQL: take a place in each of `rounds` picked workshops that has room and record
    every choice, in one statement (values `w<n>` and `r<n>`: workshop and round of pick n).

    The meeting row is locked from the booking to the commit and each statement on
    PostgreSQL is a round trip the next booking waits for, so two rounds cost four round
    trips one at a time and one this way. Each workshop is its own row (a workshop is in one
    round), and every booking holds the meeting's lock before it, so the order in which the
    workshops are locked cannot deadlock. Returns (round, status) per choice.
    """
    choices = WorkshopChoice.__table__
    now = bindparam("now", type_=UTCDateTime)
    picked = []
    for n in range(rounds):
        workshop, number = bindparam(f"w{n}", type_=Integer), bindparam(f"r{n}", type_=Integer)
        took = (update(_items)
                .where(_items.c.id == workshop, _items.c.meeting_id == bindparam("of_meeting"),
                       _items.c.round == number,
                       or_(_items.c.capacity.is_(None), _items.c.taken < _items.c.capacity))
                .values(taken=_items.c.taken + 1, updated_at=now)
                .returning(_items.c.id).cte(f"take{n}"))
        chosen = exists(select(took.c.id))
        picked.append(select(
            bindparam("registration_id", type_=Integer), workshop, number,
            case((chosen, ChoiceStatus.CHOSEN), else_=ChoiceStatus.WAITING),
            case((chosen, None), else_=now), now))
    return Prebuilt(
        insert(choices)
        .from_select(["registration_id", "workshop_id", "round", "status", "waiting_since",
                      "created_at"], union_all(*picked), include_defaults=False)
        .returning(choices.c.round, choices.c.workshop_id, choices.c.status))


def _book_choices_at_once(connection, meeting_id: int, registration_id: int, role: str,
                          picks: dict[int, int], *, now: datetime) -> None:
    ordered = sorted(picks.items())
    values = {"of_meeting": meeting_id, "registration_id": registration_id, "now": now}
    for n, (number, workshop_id) in enumerate(ordered):
        values[f"w{n}"], values[f"r{n}"] = workshop_id, number
    for number, workshop_id, status in _pick_all(len(ordered)).execute(connection, values):
        if status == ChoiceStatus.WAITING:
            _check_still(meeting_id, number, workshop_id, role)


def choices_of(registration_id: int) -> list[WorkshopChoice]:
    return list(db.session.execute(
        select(WorkshopChoice).where(WorkshopChoice.registration_id == registration_id)
        .order_by(WorkshopChoice.round)
    ).scalars())


def release(registration: Registration, *, now: datetime) -> list[Registration]:
    """Drop the choices of a registration that no longer takes part (cancelled, expired,
    erased, moved); their places go to the workshops' waiting lists. Returns who moved up."""
    choices = choices_of(registration.id)
    if not choices:
        return []
    freed = sorted({c.workshop_id for c in choices if c.status == ChoiceStatus.CHOSEN})
    db.session.execute(delete(WorkshopChoice)
                       .where(WorkshopChoice.registration_id == registration.id)
                       .execution_options(synchronize_session="fetch"))
    workshops = _lock_workshops(registration.meeting_id)
    promoted = []
    for workshop_id in freed:
        _give_back(workshops[workshop_id])
        promoted += promote(workshops[workshop_id], now=now)
    if freed:
        touch_meeting(registration.meeting_id, now)
    return promoted


def place_waiting(registration: Registration, *, now: datetime) -> list[Registration]:
    """A registration just got a meeting place: the workshops it waits for may have room."""
    waiting = sorted({c.workshop_id for c in choices_of(registration.id)
                      if c.status == ChoiceStatus.WAITING})
    if not waiting:
        return []
    workshops = _lock_workshops(registration.meeting_id)
    promoted = []
    for workshop_id in waiting:
        promoted += promote(workshops[workshop_id], now=now)
    return promoted


def promote(workshop: ProgrammeItem, *, now: datetime) -> list[Registration]:
    """Give the workshop's free places to its waiting list, first come first served; only
    people who hold a meeting place can take one."""
    promoted = []
    while not workshop.is_full:
        first = db.session.execute(
            select(WorkshopChoice).join(Registration)
            .where(WorkshopChoice.workshop_id == workshop.id,
                   WorkshopChoice.status == ChoiceStatus.WAITING,
                   Registration.status.in_(Status.TAKES_PLACE))
            .order_by(WorkshopChoice.waiting_since, WorkshopChoice.id).limit(1)
        ).scalar_one_or_none()
        if first is None or not _take(workshop):
            break
        first.status = ChoiceStatus.CHOSEN
        first.waiting_since = None
        registration = db.session.get(Registration, first.registration_id)
        db.session.flush()
        _announce(registration, now=now)
        promoted.append(registration)
    if promoted:
        touch_meeting(workshop.meeting_id, now)
    return promoted


def switch(registration: Registration, number: int, workshop_id: int, *,
           now: datetime) -> bool:
    """The attendee picks a workshop in round `number`, or another one than before; False
    when nothing changed. A round not open yet takes no choice, nor does a meeting that was
    cancelled or has been held (its workshop lists are then a record)."""
    meeting = lock_row(Meeting, registration.meeting_id)
    db.session.refresh(registration)
    if registration.status not in Status.ACTIVE:
        raise BookingError("bad_transition", old=registration.status, new="switch")
    if meeting.is_cancelled:
        raise BookingError("meeting_cancelled")
    if meeting.is_past(local_today(now)):
        raise BookingError("meeting_past")
    workshops = _lock_workshops(registration.meeting_id)
    round_workshops = rounds_of(list(workshops.values())).get(number)
    if round_workshops is None:
        raise BookingError("workshop_unknown", field="workshop", round=number)
    if opening.not_open(registration.meeting_id, [number], now):
        raise BookingError("round_not_open", field="workshop", round=number)
    current = next((c for c in choices_of(registration.id) if c.round == number), None)
    if current is not None and current.workshop_id == workshop_id:
        return False
    code = pick_problem(round_workshops, workshop_id, registration.role)
    if code:
        raise BookingError(code, field="workshop", round=number)
    target = workshops[workshop_id]
    placed = registration.status in Status.TAKES_PLACE and _take(target)
    if current is None:
        current = WorkshopChoice(registration_id=registration.id, round=number, created_at=now)
        db.session.add(current)
    freed = workshops[current.workshop_id] \
        if current.status == ChoiceStatus.CHOSEN and current.workshop_id else None
    current.workshop_id = workshop_id
    current.status = ChoiceStatus.CHOSEN if placed else ChoiceStatus.WAITING
    current.waiting_since = None if placed else now
    db.session.flush()
    if freed is not None:
        _give_back(freed)
        promote(freed, now=now)
    touch_meeting(registration.meeting_id, now)
    _announce(registration, now=now)
    return True


def _announce(registration: Registration, *, now: datetime) -> None:
    """A confirmed attendee's programme changed: an updated invite carries the new one."""
    if registration.status != Status.CONFIRMED:
        return
    # Imported here: the booking service hands freed places to this module, so this module
    # cannot import it at the top.
    from regio.registrations.services import announce_update

    announce_update(registration, now=now)

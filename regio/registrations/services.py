"""The booking service: the only code that creates, confirms, cancels, moves and promotes.

(At the door, walk-ins and check-ins: `regio.registrations.door`.)

Every function runs inside the caller's transaction and flushes; the caller commits. Anything
that changes who holds a place first locks the meeting row (`lock_row`, or for a new booking
the UPDATE that takes its place), so capacity checks serialise per meeting on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from regio import audit
from regio.db import begin_write, db, lock_row
from regio.errors import BookingError
from regio.mail.outbox import Kind, enqueue, enqueue_new, message_row, withdraw_queued
from regio.meetings.models import Meeting, MeetingStatus
from regio.programme import seats
from regio.registrations.models import ROLES, PersonalLink, Registration, Status
from regio.registrations.search import keys_for
from regio.registrations.statements import (
    ADD_TAKEN,
    BOOKING_COLUMNS,
    COMPUTED_MAIL_COLUMNS,
    INSERT_LINK,
    INSERT_REGISTRATION,
    TAKE_PLACE,
    book_at_once,
)
from regio.registrations.tickets import issue_ticket
from regio.registrations.tokens import hash_token, looks_like_token, new_token

# Which status may follow which; anything else is a BookingError("bad_transition").
TRANSITIONS = {
    Status.HELD: {Status.CONFIRMED, Status.CANCELLED, Status.EXPIRED, Status.ERASED},
    Status.CONFIRMED: {Status.CANCELLED, Status.ERASED},
    Status.WAITING: {Status.HELD, Status.CONFIRMED, Status.CANCELLED, Status.ERASED},
    Status.CANCELLED: {Status.ERASED},
    Status.EXPIRED: {Status.ERASED},
    Status.ERASED: set(),
}


# What erasing a registration clears (here and at retention, `retention.purge`).
ERASED_FIELDS = ("name", "email", "organisation", "needs", "guardian_email", "ticket_hash",
                 "hold_expires_at", "waiting_since", "guardian_token_hash",
                 "guardian_decision", "guardian_decided_at")


@dataclass
class Applicant:
    name: str
    email: str
    role: str
    organisation: str | None = None
    needs: str | None = None
    source: str | None = None
    is_under_16: bool = False
    has_guardian_consent: bool = False
    guardian_email: str | None = None
    locale: str = "nl"


@dataclass
class Outcome:
    registration_id: int
    created: bool  # False: the address was registered already and got its link again
    token: str | None  # the fresh personal link mailed to the applicant
    placed: bool = True  # False: on the waiting list

    @property
    def registration(self) -> Registration:
        return db.session.get(Registration, self.registration_id)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _settings():
    return current_app.config


def _local_today(now: datetime):
    return now.astimezone(ZoneInfo(_settings()["REGIO_TIMEZONE"])).date()


def _transition(registration: Registration, new_status: str) -> None:
    if new_status not in TRANSITIONS[registration.status]:
        raise BookingError("bad_transition", old=registration.status, new=new_status)
    registration.status = new_status
    registration.active_email = registration.email if new_status in Status.ACTIVE else None


def _new_uid() -> str:
    domain = urlsplit(_settings()["REGIO_BASE_URL"]).hostname or "localhost"
    return f"{uuid.uuid4()}@{domain}"


def add_personal_link(registration: Registration, *, now: datetime) -> str:
    """A fresh personal link; earlier ones keep working."""
    token = new_token()
    # By foreign key rather than through `registration.links`: appending to the collection
    # would load every earlier link first.
    db.session.add(PersonalLink(registration_id=registration.id, token_hash=hash_token(token),
                                created_at=now))
    return token


def invite_sequence(registration: Registration) -> int:
    return registration.sequence + registration.meeting.sequence


def notify(kind: str, registration: Registration, *, key: str, now: datetime,
           recipient: str | None = None, with_link: bool = True, **payload):
    """Queue a mail about `registration`, carrying a fresh personal link when it needs one."""
    if not (recipient or registration.email):
        return None  # a walk-in who gave no address gets no mail
    if with_link:
        payload["token"] = add_personal_link(registration, now=now)
    payload.setdefault("uid", registration.uid)
    payload.setdefault("sequence", invite_sequence(registration))
    payload.setdefault("meeting_id", registration.meeting_id)
    return enqueue(kind, key=key, recipient=recipient or registration.email,
                   registration=registration, now=now, payload=payload)


def _refuse_unless_open(meeting: Meeting, now: datetime) -> None:
    status = meeting.status(_local_today(now), now)
    reasons = {
        MeetingStatus.CANCELLED: "meeting_cancelled",
        MeetingStatus.PAST: "meeting_past",
        MeetingStatus.CLOSED: "meeting_closed",
        MeetingStatus.NOT_YET_OPEN: "registration_not_open",
    }
    if status in reasons:
        raise BookingError(reasons[status])


def _check_applicant(applicant: Applicant) -> None:
    if applicant.role not in ROLES:
        raise BookingError("bad_role", field="role")
    if applicant.role == "leerling" and applicant.is_under_16:
        if not applicant.has_guardian_consent:
            raise BookingError("guardian_consent_required", field="guardian_consent")
        if not applicant.guardian_email:
            raise BookingError("guardian_email_required", field="guardian_email")


def find_active(meeting_id: int, email: str) -> Registration | None:
    return db.session.execute(
        select(Registration).where(Registration.meeting_id == meeting_id,
                                   Registration.active_email == normalise_email(email))
    ).scalar_one_or_none()


def _take_place(meeting: Meeting) -> bool:
    """Take one place if there is one; the meeting row is locked by the caller."""
    if meeting.capacity is not None and meeting.taken >= meeting.capacity:
        return False
    _add_taken(meeting, 1)
    return True


def _free_place(meeting: Meeting) -> None:
    _add_taken(meeting, -1)


def _add_taken(meeting: Meeting, delta: int) -> None:
    # One UPDATE now instead of a unit-of-work flush later (this runs under the meeting lock);
    # the loaded object is told the new value so later checks in the transaction see it.
    db.session.connection().execute(ADD_TAKEN, {"meeting_id": meeting.id, "delta": delta})
    set_committed_value(meeting, "taken", meeting.taken + delta)


def _hold_expiry(now: datetime) -> datetime:
    return now + timedelta(hours=_settings()["REGIO_CONFIRM_WITHIN_HOURS"])


def _hold(registration: Registration, now: datetime) -> None:
    registration.hold_expires_at = _hold_expiry(now)


def register(meeting_id: int, applicant: Applicant, *, now: datetime) -> Outcome:
    """Register `applicant`: hold a place (or join the waiting list) and mail the link."""
    _check_applicant(applicant)
    draft = _Draft.of(meeting_id, applicant, now=now)  # what needs no lock, before the lock
    connection = _begin_booking()
    values = {"meeting_id": meeting_id, "today": _local_today(now), "now": now}
    # The common case: the meeting is open with room, so take a place.
    if connection.dialect.name == "postgresql":
        booked = _book_at_once(connection, draft, values)
        if booked is not None:
            return booked
        rows = []  # no room: nothing was written
    else:
        rows = TAKE_PLACE.execute(connection, values)
    if rows:
        booking = dict(zip(BOOKING_COLUMNS, rows[0], strict=True))
        placed, sequence = True, booking["sequence"]
        _keep_current(meeting_id, booking)
    else:  # closed, cancelled, past or full: see which, under the lock
        meeting = lock_row(Meeting, meeting_id)
        if meeting is None:  # deleted since the caller looked its id up
            raise BookingError("meeting_gone")
        _refuse_unless_open(meeting, now)
        # Only a full meeting can be kept full by holds nobody confirmed; otherwise they wait
        # for `regio registrations release-expired` and the booking skips the look-up.
        release_expired(meeting, now=now)
        placed, sequence = _take_place(meeting), meeting.sequence

    # Plain INSERTs of prepared rows: every other booking for the meeting waits on the lock.
    inserted = INSERT_REGISTRATION[connection.dialect.name].execute(
        connection, draft.registration_row(placed=placed))
    if not inserted:
        return _link_again(meeting_id, draft, placed=placed)
    registration_id = inserted[0][0]
    INSERT_LINK.execute(connection, {"registration_id": registration_id,
                                     "token_hash": draft.link[1], "created_at": now})
    for kind, key, recipient, payload in draft.mails(placed=placed):
        enqueue_new(kind, key=f"{key}{registration_id}", recipient=recipient, now=now,
                    registration_id=registration_id, payload={**payload, "sequence": sequence})
    return Outcome(registration_id, created=True, token=draft.link[0], placed=placed)


def _book_at_once(connection, draft: _Draft, values: dict) -> Outcome | None:
    """PostgreSQL's common case in one statement (`book_at_once`); None when there is no room."""
    registration = draft.registration_row(placed=True)
    bound = {**values, **{f"reg_{name}": value for name, value in registration.items()}}
    mail_columns = ()
    mails = draft.mails(placed=True)
    for n, (kind, key, recipient, payload) in enumerate(mails):
        row = message_row(kind, key=key, recipient=recipient, now=draft.now, payload=payload,
                          registration_id=None, campaign_id=None)
        mail_columns = tuple(name for name in row if name not in COMPUTED_MAIL_COLUMNS)
        bound.update({f"mail{n}_{name}": row[name] for name in mail_columns})
        bound.update({f"mail{n}_key": key, f"mail{n}_payload": payload})
    bound["link0_token_hash"] = draft.link[1]
    statement = book_at_once(tuple(registration), mail_columns, len(mails))
    rows = statement.execute(connection, bound)
    if not rows:
        return None
    registration_id, *booking = rows[0]
    _keep_current(values["meeting_id"], dict(zip(BOOKING_COLUMNS, booking, strict=True)))
    if registration_id is None:
        return _link_again(values["meeting_id"], draft, placed=True)
    return Outcome(registration_id, created=True, token=draft.link[0])


def _link_again(meeting_id: int, draft: _Draft, *, placed: bool) -> Outcome:
    """The address is registered for the meeting already: give back the place, mail its link."""
    if placed:
        _free_place(db.session.get(Meeting, meeting_id))
    existing = find_active(meeting_id, draft.email)
    resend_link(existing, now=draft.now)
    return Outcome(existing.id, created=False, token=None,
                   placed=existing.status in Status.TAKES_PLACE)


@dataclass
class _Draft:
    """A new registration's values and personal links, made before the meeting is locked."""

    meeting_id: int
    applicant: Applicant
    now: datetime
    email: str
    young: bool  # a pupil under 16: the guardian is asked for consent
    guardian: str | None
    uid: str
    link: tuple[str, str]  # the applicant's personal link: (token, its hash)
    # The guardian's own link (`/toestemming/<token>`): never a personal link, so the guardian
    # never sees the pupil's page, and the pupil cannot give the guardian's consent.
    guardian_link: tuple[str, str] | None
    keys: dict  # the derived name keys (regio.registrations.search)

    @classmethod
    def of(cls, meeting_id: int, applicant: Applicant, *, now: datetime) -> _Draft:
        young = applicant.is_under_16 and applicant.role == "leerling"
        guardian = normalise_email(applicant.guardian_email) \
            if young and applicant.guardian_email else None
        token, guardian_token = new_token(), new_token() if guardian else None
        email = normalise_email(applicant.email)
        return cls(meeting_id, applicant, now, email, young, guardian, _new_uid(),
                   (token, hash_token(token)),
                   (guardian_token, hash_token(guardian_token)) if guardian_token else None,
                   keys_for(applicant.name.strip(), email, applicant.organisation or None))

    def mails(self, *, placed: bool) -> list[tuple[str, str, str, dict]]:
        """(kind, idempotency key up to the registration id, recipient, payload): the
        applicant's mail first (its link is the registration's first personal link)."""
        kind = Kind.CONFIRM_EMAIL if placed else Kind.WAITING
        mails = [(kind, f"{kind}:", self.email, self.link[0])]
        if self.guardian_link:
            mails.append((Kind.GUARDIAN_NOTICE, "guardian:", self.guardian,
                          self.guardian_link[0]))
        return [(kind, key, recipient, {"token": token, "uid": self.uid,
                                        "meeting_id": self.meeting_id})
                for kind, key, recipient, token in mails]

    def registration_row(self, *, placed: bool) -> dict:
        applicant, now = self.applicant, self.now
        return {
            "meeting_id": self.meeting_id, "uid": self.uid, "name": applicant.name.strip(),
            "email": self.email, "active_email": self.email, "role": applicant.role,
            "organisation": applicant.organisation or None, "needs": applicant.needs or None,
            "source": applicant.source or None, "is_under_16": self.young,
            # The pupil's tick only says the guardian will be asked; the guardian's own yes
            # (regio.registrations.consent) sets this.
            "has_guardian_consent": False,
            "guardian_email": self.guardian, "locale": applicant.locale,
            "guardian_token_hash": self.guardian_link[1] if self.guardian_link else None,
            "created_at": now, "updated_at": now, "sequence": 0,
            "status": Status.HELD if placed else Status.WAITING,
            "hold_expires_at": _hold_expiry(now) if placed else None,
            "waiting_since": None if placed else now,
            **self.keys,
        }


def _begin_booking():
    """Start the booking's write transaction; the connection its statements run on."""
    begin_write()
    db.session.flush()  # the statements bypass the ORM: it must have nothing pending
    return db.session.connection()


def _keep_current(meeting_id: int, booking: dict) -> None:
    """Write the booking columns just read under the lock onto the session's meeting, if any.

    `lock_row` on SQLite trusts the objects the session holds to be current, and a meeting
    loaded before the booking would otherwise keep the counter it had before TAKE_PLACE.
    """
    meeting = db.session.identity_map.get(db.session.identity_key(Meeting, meeting_id))
    if meeting is not None:
        for name, value in booking.items():
            set_committed_value(meeting, name, value)


def find_by_token(token: str) -> tuple[PersonalLink | None, Registration | None]:
    """The link and its registration, or (None, None) for an unknown or malformed token."""
    if not looks_like_token(token):
        return None, None
    link = db.session.execute(
        select(PersonalLink).where(PersonalLink.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if link is None or link.revoked_at is not None:
        return None, None
    return link, link.registration


def confirm_address(link: PersonalLink, *, now: datetime) -> Registration:
    """The holder of a personal link pressed "Bevestig mijn aanmelding": that proves the
    address, and confirms a held place unless a guardian's yes is still awaited.

    Only this deliberate act (a POST) confirms: opening the link never does, since mail
    scanners open every link in a mail before the person does.
    """
    registration = link.registration
    if link.first_used_at is None:
        link.first_used_at = now
    if registration.status == Status.ERASED:
        return registration
    if registration.email_verified_at is None:
        registration.email_verified_at = now
    db.session.flush()  # `confirm` reloads the row under the meeting's lock
    if registration.status == Status.HELD:
        confirm(registration, now=now)
    db.session.flush()
    return registration


def confirm(registration: Registration, *, now: datetime) -> None:
    lock_row(Meeting, registration.meeting_id)
    db.session.refresh(registration)
    if registration.status != Status.HELD or registration.awaits_guardian:
        return  # a pupil under 16 is confirmed only with the guardian's own yes
    _transition(registration, Status.CONFIRMED)
    registration.confirmed_at = now
    registration.hold_expires_at = None
    registration.email_verified_at = registration.email_verified_at or now
    issue_ticket(registration)
    db.session.flush()
    notify(Kind.CONFIRMED, registration,
           key=f"confirmed:{registration.id}:{invite_sequence(registration)}", now=now)


def announce_update(registration: Registration, *, now: datetime) -> None:
    """Queue an updated invite for a change of this registration's own day (its programme)."""
    registration.sequence += 1
    notify(Kind.UPDATED, registration,
           key=f"updated:{registration.id}:{invite_sequence(registration)}", now=now,
           programme=True)


def promote_waiting(meeting: Meeting, *, now: datetime) -> list[Registration]:
    """Give free places to the waiting list, first come first served. Meeting must be locked."""
    if meeting.is_cancelled or meeting.is_past(_local_today(now)):
        return []
    promoted = []
    while meeting.capacity is None or meeting.taken < meeting.capacity:
        first = db.session.execute(
            select(Registration)
            .where(Registration.meeting_id == meeting.id, Registration.status == Status.WAITING)
            .order_by(Registration.waiting_since, Registration.id).limit(1)
        ).scalar_one_or_none()
        if first is None:
            break
        _take_place(meeting)
        first.waiting_since = None
        if first.may_be_confirmed:
            _transition(first, Status.CONFIRMED)
            first.confirmed_at = now
            issue_ticket(first)
        else:
            _transition(first, Status.HELD)
            _hold(first, now)
        db.session.flush()
        notify(Kind.PROMOTED, first, key=f"promoted:{first.id}:{invite_sequence(first)}",
               now=now, needs_confirm=first.status == Status.HELD)
        seats.place_waiting(first, now=now)
        promoted.append(first)
    return promoted


def release_expired(meeting: Meeting, *, now: datetime) -> list[Registration]:
    """Release holds not confirmed in time, then promote. Meeting must be locked."""
    due = (Registration.meeting_id == meeting.id, Registration.status == Status.HELD,
           Registration.hold_expires_at <= now)
    # The common case is "none": a cheap probe before loading any rows.
    if db.session.execute(select(Registration.id).where(*due).limit(1)).first() is None:
        return []
    expired = list(db.session.execute(
        select(Registration).where(Registration.meeting_id == meeting.id,
                                   Registration.status == Status.HELD,
                                   Registration.hold_expires_at <= now)
    ).scalars())
    for registration in expired:
        _transition(registration, Status.EXPIRED)
        registration.hold_expires_at = None
        _free_place(meeting)
        seats.release(registration, now=now)
        notify(Kind.EXPIRED, registration, key=f"expired:{registration.id}", now=now,
               with_link=False)
    if expired:
        promote_waiting(meeting, now=now)
    return expired


def release_all_expired(*, now: datetime) -> int:
    """For cron: release expired holds of every meeting. Each meeting in its own lock."""
    meeting_ids = db.session.execute(
        select(Registration.meeting_id).where(Registration.status == Status.HELD,
                                              Registration.hold_expires_at <= now).distinct()
    ).scalars().all()
    count = 0
    for meeting_id in meeting_ids:
        count += len(release_expired(lock_row(Meeting, meeting_id), now=now))
    return count


def cancel(registration: Registration, *, now: datetime, actor: str | None = None,
           kind: str = Kind.CANCELLED) -> None:
    """The attendee (or an organiser) cancels; a freed place goes to the waiting list.

    `kind` is the mail that tells the attendee (a guardian's no sends its own)."""
    meeting = lock_row(Meeting, registration.meeting_id)
    db.session.refresh(registration)
    had_place = registration.status in Status.TAKES_PLACE
    had_invite = registration.status == Status.CONFIRMED
    _transition(registration, Status.CANCELLED)
    registration.cancelled_at = now
    registration.hold_expires_at = None
    registration.waiting_since = None
    registration.ticket_hash = None
    registration.sequence += 1
    db.session.flush()
    notify(kind, registration, key=f"cancelled:{registration.id}", now=now,
           with_link=False, with_invite=had_invite)
    if actor:
        audit.record(actor, "registration.cancel", meeting.slug, now=now,
                     registration=registration.id)
    seats.release(registration, now=now)
    if had_place:
        _free_place(meeting)
        promote_waiting(meeting, now=now)


def move(registration: Registration, target: Meeting, *, now: datetime,
         actor: str | None = None) -> Registration:
    """Switch to another meeting: the old place is freed, a new place (or waiting) taken."""
    if target.id == registration.meeting_id:
        raise BookingError("same_meeting", field="meeting")
    first_id, second_id = sorted((registration.meeting_id, target.id))
    locked = {first_id: lock_row(Meeting, first_id), second_id: lock_row(Meeting, second_id)}
    old, target = locked[registration.meeting_id], locked[target.id]
    db.session.refresh(registration)
    if registration.status not in Status.ACTIVE:
        raise BookingError("bad_transition", old=registration.status, new="moved")
    _refuse_unless_open(target, now)
    if find_active(target.id, registration.email) is not None:
        raise BookingError("already_registered_there", field="meeting")

    had_place = registration.status in Status.TAKES_PLACE
    seats.release(registration, now=now)  # the new meeting has its own programme
    if registration.status == Status.CONFIRMED:
        notify(Kind.MOVED, registration, key=f"moved:{registration.id}:{registration.uid}",
               now=now, with_link=False, with_invite=True,
               sequence=invite_sequence(registration) + 1)
    registration.meeting = target
    registration.meeting_id = target.id
    registration.uid = _new_uid()
    registration.sequence = 0
    registration.ticket_hash = None
    registration.confirmed_at = None
    registration.hold_expires_at = None
    registration.checked_in_at = None
    if _take_place(target):
        if registration.may_be_confirmed:
            registration.status = Status.CONFIRMED
            registration.confirmed_at = now
            issue_ticket(registration)
            kind = Kind.CONFIRMED
        else:
            registration.status = Status.HELD
            _hold(registration, now)
            kind = Kind.CONFIRM_EMAIL
        registration.waiting_since = None
    else:
        registration.status = Status.WAITING
        registration.waiting_since = now
        kind = Kind.WAITING
    registration.active_email = registration.email
    db.session.flush()
    notify(kind, registration, key=f"{kind}:{registration.id}:{registration.uid}", now=now)
    if actor:
        audit.record(actor, "registration.move", old.slug, now=now,
                     registration=registration.id, to=target.slug)
    if had_place:
        _free_place(old)
        promote_waiting(old, now=now)
    return registration


def erase(registration: Registration, *, now: datetime, actor: str | None = None) -> None:
    """Erase the personal data; keep an anonymous row (meeting, role, source) for the counts."""
    meeting = lock_row(Meeting, registration.meeting_id)
    db.session.refresh(registration)
    if registration.status == Status.ERASED:
        return
    had_place = registration.status in Status.TAKES_PLACE
    had_invite = registration.status == Status.CONFIRMED
    withdraw_queued(registration.id)
    if had_invite:
        registration.sequence += 1
        notify(Kind.ERASED, registration, key=f"erased:{registration.id}", now=now,
               with_link=False, with_invite=True)
    _transition(registration, Status.ERASED)
    registration.erased_at = now
    for name in ERASED_FIELDS:
        setattr(registration, name, None)
    if actor:
        audit.record(actor, "registration.erase", meeting.slug, now=now,
                     registration=registration.id)
    db.session.flush()
    seats.release(registration, now=now)
    if had_place:
        _free_place(meeting)
        promote_waiting(meeting, now=now)


def resend_link(registration: Registration, *, now: datetime, actor: str | None = None):
    """Mail a fresh personal link (earlier links keep working)."""
    if registration.status not in Status.ACTIVE:
        raise BookingError("bad_transition", old=registration.status, new="resend")
    if not registration.email:
        raise BookingError("no_email")
    queued = notify(Kind.LINK_AGAIN, registration,
                    key=f"link_again:{registration.id}:{len(registration.links)}", now=now)
    if actor:
        audit.record(actor, "registration.resend_link", registration.meeting.slug, now=now,
                     registration=registration.id)
    return queued

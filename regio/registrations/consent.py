"""A guardian's consent for a pupil under 16: the guardian's own act, through their own link.

The pupil's place is confirmed only when the pupil has confirmed their address *and* the
guardian has said yes (`Registration.may_be_confirmed`), whichever comes last. A no before
that refuses, a no after an earlier yes withdraws; both cancel the registration, free the
place and tell the pupil. Every decision is recorded with the registration (which address,
what, when; erased with it) and in the audit log (what and when, no personal data).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from regio import audit
from regio.db import db, lock_row
from regio.errors import BookingError
from regio.mail.outbox import Kind
from regio.meetings.models import Meeting
from regio.registrations.models import GuardianDecision, Registration, Status
from regio.registrations.services import cancel, confirm
from regio.registrations.tokens import hash_token, looks_like_token

ACTOR = "guardian"  # how the audit log names the guardian (their address stays off the log)


def find_by_guardian_token(token: str) -> Registration | None:
    if not looks_like_token(token):
        return None
    return db.session.execute(
        select(Registration).where(Registration.guardian_token_hash == hash_token(token))
    ).scalar_one_or_none()


def can_decide(registration: Registration) -> bool:
    """Whether the guardian's page offers the two buttons (a yes or no still changes something)."""
    return registration.status in Status.ACTIVE


def decide(registration: Registration, *, consent: bool, now: datetime) -> str:
    """Record the guardian's yes or no; returns the decision now standing.

    A second yes changes nothing; any answer once the registration is no longer active (after
    a no, an expired hold, the pupil's own cancellation) is a BookingError("consent_closed").
    """
    lock_row(Meeting, registration.meeting_id)
    db.session.refresh(registration)
    if consent:
        return _consent(registration, now=now)
    return _refuse(registration, now=now)


def _consent(registration: Registration, *, now: datetime) -> str:
    if not can_decide(registration):
        raise BookingError("consent_closed", status=registration.status)
    if registration.has_guardian_consent:
        return GuardianDecision.GIVEN
    _record(registration, GuardianDecision.GIVEN, now=now)
    registration.has_guardian_consent = True
    db.session.flush()
    if registration.status == Status.HELD and registration.may_be_confirmed:
        confirm(registration, now=now)  # the pupil confirmed first: both acts are done
    return GuardianDecision.GIVEN


def _refuse(registration: Registration, *, now: datetime) -> str:
    if not can_decide(registration):
        raise BookingError("consent_closed", status=registration.status)
    decision = (GuardianDecision.WITHDRAWN if registration.has_guardian_consent
                else GuardianDecision.REFUSED)
    cancel(registration, now=now, kind=Kind.GUARDIAN_REFUSED)
    registration.has_guardian_consent = False
    _record(registration, decision, now=now)
    db.session.flush()
    return decision


def _record(registration: Registration, decision: str, *, now: datetime) -> None:
    registration.guardian_decision = decision
    registration.guardian_decided_at = now
    audit.record(ACTOR, "registration.guardian_decision", registration.meeting.slug, now=now,
                 registration=registration.id, decision=decision)

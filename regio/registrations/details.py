"""An attendee corrects their own details: name, organisation, wishes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regio import audit
from regio.db import db
from regio.errors import BookingError
from regio.mail.outbox import Kind
from regio.registrations.models import Registration, Status
from regio.registrations.services import invite_sequence, notify

ACTOR = "attendee"  # the holder of the personal link


@dataclass
class Details:
    name: str
    organisation: str | None = None
    needs: str | None = None


def change_details(registration: Registration, details: Details, *, now: datetime) -> list[str]:
    """Apply `details`; returns the names of the fields that changed.

    The name is the invite's ATTENDEE (CN), so a confirmed attendee whose name changed gets
    the invite again, with a higher SEQUENCE. The audit line names the fields, not the values.
    """
    if registration.status not in Status.ACTIVE:
        raise BookingError("bad_transition", old=registration.status, new="details")
    new = {"name": details.name.strip(), "organisation": details.organisation or None,
           "needs": details.needs or None}
    changed = [name for name, value in new.items() if getattr(registration, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(registration, name, new[name])
    if "name" in changed and registration.status == Status.CONFIRMED \
            and not registration.meeting.is_cancelled:
        registration.sequence += 1
        db.session.flush()
        notify(Kind.DETAILS_CHANGED, registration,
               key=f"details:{registration.id}:{invite_sequence(registration)}", now=now)
    audit.record(ACTOR, "registration.details_change", registration.meeting.slug, now=now,
                 registration=registration.id, fields=changed)
    db.session.flush()
    return changed

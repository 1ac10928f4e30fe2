"""An organiser corrects the e-mail address of a registration (a typo, or one mail cannot reach).

Failed mails to the old address can then be sent again (`regio.mail.campaigns.retry_failed`
takes the registration's current address).
"""

from __future__ import annotations

from datetime import datetime

from regio import audit
from regio.db import db
from regio.errors import BookingError
from regio.registrations.models import Registration
from regio.registrations.services import find_active, normalise_email


def correct_email(registration: Registration, email: str, *, now: datetime,
                  actor: str) -> bool:
    """Give the registration `email`; False when it had it already.

    BookingError("email_taken") when another active registration of the meeting has it
    (the unique index would refuse it too), "bad_transition" when the registration is over.
    """
    if not registration.is_active:
        raise BookingError("bad_transition")
    new = normalise_email(email)
    if registration.email and normalise_email(registration.email) == new:
        return False
    other = find_active(registration.meeting_id, new)
    if other is not None and other.id != registration.id:
        raise BookingError("email_taken", field="email")
    registration.email = email.strip()
    registration.active_email = new
    audit.record(actor, "registration.email", registration.meeting.slug, now=now,
                 registration=registration.id)
    db.session.flush()
    return True

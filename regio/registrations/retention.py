"""Erasing personal data once a meeting is far enough in the past (AVG)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, select, update

from regio import audit
from regio.db import db
from regio.mail.models import OutboxMessage
from regio.meetings.models import Meeting
from regio.programme.models import WorkshopChoice
from regio.registrations.models import Registration, Status
from regio.registrations.services import ERASED_FIELDS


@dataclass
class PurgeReport:
    erased: int = 0
    needs_cleared: int = 0


def deletion_date(meeting: Meeting, retention_days: int):
    return meeting.date + timedelta(days=retention_days)


def purge(*, now: datetime, retention_days: int, dry_run: bool = False) -> PurgeReport:
    """Erase registrations of meetings past retention; clear access and diet needs the day after.

    Needs are sensitive and only serve the day itself, so they go first.
    """
    today = now.astimezone(ZoneInfo(current_app.config["REGIO_TIMEZONE"])).date()
    report = PurgeReport()
    past = select(Meeting.id).where(Meeting.date < today)
    expired = select(Meeting.id).where(Meeting.date < today - timedelta(days=retention_days))
    needs_filter = (Registration.meeting_id.in_(past), Registration.needs.is_not(None))
    erase_filter = (Registration.meeting_id.in_(expired), Registration.status != Status.ERASED)
    if dry_run:
        report.needs_cleared = len(db.session.execute(
            select(Registration.id).where(*needs_filter)).all())
        report.erased = len(db.session.execute(select(Registration.id).where(*erase_filter)).all())
        return report
    report.needs_cleared = db.session.execute(
        update(Registration).where(*needs_filter).values(needs=None)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    report.erased = db.session.execute(
        update(Registration).where(*erase_filter).values(
            status=Status.ERASED, active_email=None, erased_at=now, search_key=None,
            sort_key=None, **dict.fromkeys(ERASED_FIELDS))
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    # Workshop choices go with the registration: an erased one has none (regio.programme).
    db.session.execute(
        delete(WorkshopChoice).where(WorkshopChoice.registration_id.in_(
            select(Registration.id).where(Registration.meeting_id.in_(expired))))
        .execution_options(synchronize_session=False)
    )
    # Sent mail keeps the recipient's address: it goes with the registration.
    db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.registration_id.in_(
            select(Registration.id).where(Registration.meeting_id.in_(expired))))
        .execution_options(synchronize_session=False)
    )
    if report.erased or report.needs_cleared:
        audit.record("system", "retention.purge", None, now=now, erased=report.erased,
                     needs_cleared=report.needs_cleared)
    return report

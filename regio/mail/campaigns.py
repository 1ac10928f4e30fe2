"""Reminder campaigns: a reminder mail with the current invite to confirmed attendees.

A campaign is a `ReminderCampaign` row (unique per meeting and key); each attendee's reminder
is an outbox row with the key `reminder:<campaign>:<registration>`, so running the same
campaign again reaches only those who did not have it yet (late registrants).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from regio import audit
from regio.db import db, lock_row
from regio.errors import DomainError
from regio.mail.models import OutboxMessage, OutboxState, ReminderCampaign
from regio.mail.outbox import Kind
from regio.meetings.models import Meeting
from regio.registrations.models import ROLES, Registration, Status
from regio.registrations.services import notify

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
SCHEDULE_ACTOR = "system"
# A scheduled reminder skips whoever got their invite this recently: they just had one.
FRESH_INVITE = timedelta(days=1)


class CampaignError(DomainError):
    pass


@dataclass
class CampaignResult:
    key: str
    campaign: ReminderCampaign | None
    recipients: list[Registration] = field(default_factory=list)
    queued: int = 0
    skipped: int = 0


def _today(now: datetime):
    return now.astimezone(ZoneInfo(current_app.config["REGIO_TIMEZONE"])).date()


def _refuse_unless_upcoming(meeting: Meeting, now: datetime) -> None:
    if meeting.is_cancelled:
        raise CampaignError("meeting_cancelled")
    if meeting.is_past(_today(now)):
        raise CampaignError("meeting_past")


def _reminder_key(campaign_id: int, registration_id: int) -> str:
    return f"reminder:{campaign_id}:{registration_id}"


def _confirmed(meeting: Meeting, role: str | None, *, fresh_since: datetime | None = None):
    stmt = (select(Registration)
            .where(Registration.meeting_id == meeting.id,
                   Registration.status == Status.CONFIRMED)
            .order_by(Registration.id))
    if role:
        stmt = stmt.where(Registration.role == role)
    if fresh_since is not None:
        stmt = stmt.where(func.coalesce(Registration.confirmed_at, Registration.created_at)
                          <= fresh_since)
    return list(db.session.execute(stmt).unique().scalars())


def _already_reached(campaign: ReminderCampaign | None) -> set[int]:
    if campaign is None:
        return set()
    return set(db.session.execute(
        select(OutboxMessage.registration_id).where(OutboxMessage.campaign_id == campaign.id)
    ).scalars())


def _find_campaign(meeting: Meeting, key: str) -> ReminderCampaign | None:
    return db.session.execute(
        select(ReminderCampaign).where(ReminderCampaign.meeting_id == meeting.id,
                                       ReminderCampaign.key == key)
    ).scalar_one_or_none()


def _queue(meeting: Meeting, key: str, role: str | None, *, actor: str, now: datetime,
           dry_run: bool, fresh_since: datetime | None = None, subject: str | None = None,
           message: str | None = None) -> CampaignResult:
    campaign = _find_campaign(meeting, key)
    if campaign is not None and role is None:
        role = campaign.role
    elif campaign is not None and role != campaign.role:
        raise CampaignError("campaign_other_role", field="role", role=campaign.role or "-")
    reached = _already_reached(campaign)
    matching = _confirmed(meeting, role, fresh_since=fresh_since)
    result = CampaignResult(key=key, campaign=campaign,
                            recipients=[r for r in matching if r.id not in reached])
    result.skipped = len(matching) - len(result.recipients)
    if dry_run or (campaign is None and not result.recipients and fresh_since is not None):
        return result  # a scheduled reminder with no one to reach yet leaves no row behind
    if campaign is None:
        campaign = new_campaign(meeting, key, role, actor=actor, now=now, subject=subject,
                                message=message)
        result.campaign = campaign
    for registration in result.recipients:
        message = notify(Kind.REMINDER, registration, key=_reminder_key(campaign.id,
                                                                        registration.id),
                         now=now)
        if message is None:
            result.skipped += 1
            continue
        message.campaign_id = campaign.id
        result.queued += 1
    db.session.flush()
    if result.queued:
        audit.record(actor, "reminders.send", meeting.slug, now=now, campaign=key, role=role,
                     queued=result.queued)
    return result


def new_campaign(meeting: Meeting, key: str, role: str | None, *, actor: str, now: datetime,
                 subject: str | None = None, message: str | None = None) -> ReminderCampaign:
    """A campaign row with its own subject and message (None: the standard text)."""
    campaign = ReminderCampaign(meeting_id=meeting.id, key=key, role=role, created_by=actor,
                                created_at=now, subject=(subject or "").strip() or None,
                                message=(message or "").strip().replace("\r\n", "\n") or None)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def send_campaign(meeting: Meeting, *, key: str | None, role: str | None, actor: str,
                  now: datetime, dry_run: bool, subject: str | None = None,
                  message: str | None = None) -> CampaignResult:
    """Queue a reminder to every confirmed attendee (of `role`) who has not had `key` yet.

    A new campaign keeps `subject` and `message`; an existing one keeps the text it had."""
    if role is not None and role not in ROLES:
        raise CampaignError("bad_role", field="role")
    key = key.strip() if key else f"handmatig-{_local(now):%Y%m%d%H%M}"
    if not KEY_RE.match(key):
        raise CampaignError("bad_campaign_key", field="key")
    meeting = meeting if dry_run else lock_row(Meeting, meeting.id)
    _refuse_unless_upcoming(meeting, now)
    return _queue(meeting, key, role, actor=actor, now=now, dry_run=dry_run, subject=subject,
                  message=message)


def _local(now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(current_app.config["REGIO_TIMEZONE"]))


def due_schedule(meeting: Meeting, today, days: tuple[int, ...]) -> int | None:
    """The scheduled reminder (days before) that is due today, or None.

    The N-day reminder is due from N days before until the next shorter one takes over, so
    a missed cron run still sends it, and no one gets two on the same day.
    """
    if meeting.is_cancelled or meeting.is_past(today):
        return None
    left = (meeting.date - today).days
    for ahead in sorted(set(days)):
        if ahead > 0 and left <= ahead:
            shorter = [d for d in days if 0 < d < ahead]
            if left > max(shorter, default=0):
                return ahead
            return None
    return None


def queue_due_reminders(*, now: datetime) -> int:
    """For cron: queue every scheduled reminder that is due; running it again adds nothing."""
    days = tuple(current_app.config["REGIO_REMINDER_DAYS"])
    today = _today(now)
    meeting_ids = db.session.execute(
        select(Meeting.id).where(Meeting.is_cancelled.is_(False), Meeting.date >= today)
        .order_by(Meeting.date)
    ).scalars().all()
    queued = 0
    for meeting_id in meeting_ids:
        meeting = lock_row(Meeting, meeting_id)
        ahead = due_schedule(meeting, today, days)
        if ahead is None:
            continue
        result = _queue(meeting, f"auto-{ahead}d", None, actor=SCHEDULE_ACTOR, now=now,
                        dry_run=False, fresh_since=now - FRESH_INVITE)
        queued += result.queued
    return queued


def campaign_stats(campaign: ReminderCampaign) -> dict:
    """How the campaign's mails stand: queued (incl. being sent), sent, failed."""
    rows = db.session.execute(
        select(OutboxMessage.state, func.count()).where(OutboxMessage.campaign_id == campaign.id)
        .group_by(OutboxMessage.state)
    ).all()
    counts = dict(rows)
    return {
        "queued": counts.get(OutboxState.QUEUED, 0) + counts.get(OutboxState.SENDING, 0),
        "sent": counts.get(OutboxState.SENT, 0),
        "failed": counts.get(OutboxState.FAILED, 0),
    }


def retry_failed(message_id: int, *, now: datetime, actor: str) -> OutboxMessage:
    """Queue a failed mail again (an organiser fixed the address or the server)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise CampaignError("mail_not_found")
    if message.state != OutboxState.FAILED:
        raise CampaignError("mail_not_failed", state=message.state)
    registration = (db.session.get(Registration, message.registration_id)
                    if message.registration_id is not None else None)
    if (registration is not None and registration.email
            and message.kind not in Kind.TO_GUARDIAN and message.recipient != registration.email):
        message.recipient = registration.email  # the organiser corrected the address
    message.state = OutboxState.QUEUED
    message.next_attempt_at = now
    message.attempts = 0
    message.last_error = None
    audit.record(actor, "mail.retry", f"outbox:{message.id}", now=now, kind=message.kind)
    db.session.flush()
    return message

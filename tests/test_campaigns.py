"""Reminder campaigns: by hand (`regio reminders send`) and on schedule (`send-due`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from regio.db import db
from regio.errors import DomainError
from regio.mail.campaigns import (
    campaign_stats,
    due_schedule,
    queue_due_reminders,
    retry_failed,
    send_campaign,
)
from regio.mail.models import OutboxMessage, OutboxState, ReminderCampaign
from regio.mail.outbox import Kind
from regio.meetings.services import MeetingChanges, update_meeting
from tests.test_mail_flow import calendar_of, confirmed_registration, send_all


def reminders() -> list[OutboxMessage]:
    return list(db.session.execute(
        select(OutboxMessage).where(OutboxMessage.kind == Kind.REMINDER)
        .order_by(OutboxMessage.id)).scalars())


def test_campaign_rerun_reaches_only_late_registrants(app, meetings, smtp_server, now):
    zwolle = meetings["zwolle"]
    first = [confirmed_registration(zwolle, f"a{n}@school.test", now=now) for n in range(3)]
    result = send_campaign(zwolle, key="week-voor", role=None, actor="cli", now=now,
                           dry_run=False)
    db.session.commit()
    assert (result.queued, result.skipped, result.key) == (3, 0, "week-voor")
    again = send_campaign(zwolle, key="week-voor", role=None, actor="cli", now=now,
                          dry_run=False)
    assert (again.queued, again.skipped) == (0, 3)
    late = confirmed_registration(zwolle, "late@school.test", now=now)
    third = send_campaign(zwolle, key="week-voor", role=None, actor="cli", now=now,
                          dry_run=False)
    db.session.commit()
    assert [r.id for r in third.recipients] == [late.id] and third.queued == 1
    keys = {m.idempotency_key for m in reminders()}
    campaign = db.session.execute(select(ReminderCampaign)).scalar_one()
    assert keys == {f"reminder:{campaign.id}:{r.id}" for r in [*first, late]}

    send_all(smtp_server, now=now)
    for registration in [*first, late]:
        mails = [m for m in smtp_server.handler.to(registration.email)
                 if m["Subject"].startswith("Herinnering")]
        assert len(mails) == 1
        method, inline, _file = calendar_of(mails[0])
        assert method == "REQUEST"
        assert str(inline.walk("VEVENT")[0]["UID"]) == registration.uid
    assert campaign_stats(campaign) == {"queued": 0, "sent": 4, "failed": 0}


def test_dry_run_lists_and_queues_nothing(app, meetings, now):
    zwolle = meetings["zwolle"]
    confirmed_registration(zwolle, "po@school.test", now=now)
    parent = confirmed_registration(zwolle, "ouder@home.test", now=now, role="ouder")
    result = send_campaign(zwolle, key=None, role="ouder", actor="cli", now=now, dry_run=True)
    assert [r.id for r in result.recipients] == [parent.id]
    assert result.queued == 0 and result.key.startswith("handmatig-")
    assert reminders() == []
    assert db.session.execute(select(func.count(ReminderCampaign.id))).scalar_one() == 0


def test_role_filter_and_generated_key(app, meetings, now):
    zwolle = meetings["zwolle"]
    confirmed_registration(zwolle, "po@school.test", now=now)
    confirmed_registration(zwolle, "vo@school.test", now=now, role="vo")
    result = send_campaign(zwolle, key=None, role="vo", actor="cli", now=now, dry_run=False)
    assert result.queued == 1 and [r.role for r in result.recipients] == ["vo"]
    assert result.campaign.role == "vo" and result.campaign.created_by == "cli"
    with pytest.raises(DomainError) as caught:
        send_campaign(zwolle, key=result.key, role="po", actor="cli", now=now, dry_run=False)
    assert caught.value.code == "campaign_other_role"
    with pytest.raises(DomainError) as caught:
        send_campaign(zwolle, key="niet goed!", role=None, actor="cli", now=now, dry_run=False)
    assert caught.value.code == "bad_campaign_key"


def test_no_campaign_for_cancelled_or_past_meetings(app, meetings, now):
    zwolle, oostzaan = meetings["zwolle"], meetings["oostzaan"]
    update_meeting(zwolle, MeetingChanges(cancel=True), actor="test", now=now)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        send_campaign(zwolle, key="x", role=None, actor="cli", now=now, dry_run=False)
    assert caught.value.code == "meeting_cancelled"
    after = datetime.combine(oostzaan.date + timedelta(days=1), datetime.min.time(), UTC)
    with pytest.raises(DomainError) as caught:
        send_campaign(oostzaan, key="x", role=None, actor="cli", now=after, dry_run=True)
    assert caught.value.code == "meeting_past"


def test_queued_reminder_is_dropped_when_the_meeting_is_cancelled(app, meetings, smtp_server,
                                                                   now):
    zwolle = meetings["zwolle"]
    registration = confirmed_registration(zwolle, "r@school.test", now=now)
    send_all(smtp_server, now=now)
    send_campaign(zwolle, key="k", role=None, actor="cli", now=now, dry_run=False)
    update_meeting(zwolle, MeetingChanges(cancel=True), actor="test", now=now)
    db.session.commit()
    send_all(smtp_server, now=now)
    subjects = [m["Subject"].split(":")[0] for m in smtp_server.handler.to(registration.email)]
    assert "Herinnering" not in subjects and "Gaat niet door" in subjects
    (reminder,) = reminders()
    db.session.refresh(reminder)
    assert reminder.state == OutboxState.CANCELLED


def at_days_before(meeting, days: int, hour: int = 9) -> datetime:
    day = meeting.date - timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour - 1, tzinfo=UTC)  # 09:00 Amsterdam


def test_schedule_picks_the_reminder_that_is_due(app, meetings):
    zwolle = meetings["zwolle"]
    due = [due_schedule(zwolle, zwolle.date - timedelta(days=left), (7, 1))
           for left in (10, 7, 5, 2, 1, 0)]
    assert due == [None, 7, 7, 7, 1, None]


def test_send_due_is_idempotent_and_skips_fresh_registrations(app, meetings):
    zwolle = meetings["zwolle"]
    week_before = at_days_before(zwolle, 7)
    early = confirmed_registration(zwolle, "early@school.test",
                                   now=week_before - timedelta(days=3))
    assert queue_due_reminders(now=week_before) == 1
    db.session.commit()
    assert queue_due_reminders(now=week_before + timedelta(hours=2)) == 0
    day_before = at_days_before(zwolle, 1)
    fresh = confirmed_registration(zwolle, "fresh@school.test",
                                   now=day_before - timedelta(hours=3))
    assert queue_due_reminders(now=day_before) == 1  # only the early one: fresh had an invite
    db.session.commit()
    assert {(m.registration_id, m.payload["meeting_id"]) for m in reminders()} == {
        (early.id, zwolle.id)}
    assert fresh.id not in {m.registration_id for m in reminders()}
    keys = sorted(c.key for c in db.session.execute(select(ReminderCampaign)).scalars())
    assert keys == ["auto-1d", "auto-7d"]


def test_send_due_never_for_cancelled_or_past_meetings(app, meetings):
    zwolle, rotterdam = meetings["zwolle"], meetings["rotterdam"]
    confirmed_registration(zwolle, "z@school.test", now=at_days_before(zwolle, 20))
    confirmed_registration(rotterdam, "r@school.test", now=at_days_before(rotterdam, 20))
    update_meeting(zwolle, MeetingChanges(cancel=True), actor="test",
                   now=at_days_before(zwolle, 10))
    db.session.commit()
    assert queue_due_reminders(now=at_days_before(zwolle, 1)) == 0
    after = at_days_before(rotterdam, -1)
    assert queue_due_reminders(now=after) == 0
    assert reminders() == []


def test_cli_send_and_dry_run(runner, meetings, now):
    confirmed_registration(meetings["zwolle"], "cli@school.test", now=now)
    dry = runner.invoke(args=["reminders", "send", "zwolle", "--campaign", "c1", "--dry-run"])
    assert dry.exit_code == 0 and "cli@school.test" in dry.output
    assert "1 would get the reminder" in dry.output and reminders() == []
    sent = runner.invoke(args=["reminders", "send", "zwolle", "--campaign", "c1"])
    assert "1 reminders queued, 0 already had it" in sent.output
    again = runner.invoke(args=["reminders", "send", "zwolle", "--campaign", "c1"])
    assert "0 reminders queued, 1 already had it" in again.output
    due = runner.invoke(args=["reminders", "send-due"])
    assert due.exit_code == 0 and "reminders queued" in due.output


def test_retry_failed_only_for_failed_mail(app, meetings, now):
    registration = confirmed_registration(meetings["zwolle"], "f@school.test", now=now)
    message = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.registration_id == registration.id)).scalars().first()
    with pytest.raises(DomainError) as caught:
        retry_failed(message.id, now=now, actor="o@regio.test")
    assert caught.value.code == "mail_not_failed"
    with pytest.raises(DomainError):
        retry_failed(999_999, now=now, actor="o@regio.test")

"""Retention (regio purge) and the smaller `regio` commands."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from regio.accounts.models import Organiser
from regio.audit import AuditEvent
from regio.db import db
from regio.mail.models import OutboxMessage
from regio.meetings.models import Meeting
from regio.registrations.models import Registration, Status
from tests.booking_helpers import book, reload
from tests.conftest import PASSWORD


def _move_meeting(meeting, day: date) -> None:
    meeting = db.session.get(Meeting, meeting.id)
    meeting.date = day
    db.session.commit()


def test_purge_clears_needs_the_day_after_and_erases_after_retention(runner, meetings, now):
    registration, _ = book(meetings["zwolle"], 1, now=now, confirm=True, needs="rolstoel",
                           organisation="De School")
    meeting_day = meetings["zwolle"].date
    day_after = f"{meeting_day + timedelta(days=1)} 12:00 +0000"
    with time_machine.travel(day_after, tick=False):
        result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    kept = reload(registration)
    assert kept.needs is None and kept.name == "Deelnemer 1"
    after_retention = f"{meeting_day + timedelta(days=91)} 12:00 +0000"
    with time_machine.travel(after_retention, tick=False):
        dry = runner.invoke(args=["purge", "--dry-run"])
        assert "would erase 1 registrations" in dry.output
        assert reload(registration).name == "Deelnemer 1"
        result = runner.invoke(args=["purge"])
    assert "erased 1 registrations" in result.output
    erased = reload(registration)
    assert erased.status == Status.ERASED and erased.email is None and erased.name is None
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0
    purges = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "retention.purge")).scalars().all()
    assert [p.details["erased"] for p in purges] == [0, 1]  # needs first, then the rest


def test_purge_leaves_future_meetings_alone(runner, meetings, now):
    registration, _ = book(meetings["zwolle"], 1, now=now, needs="dieet")
    assert runner.invoke(args=["purge"]).exit_code == 0
    assert reload(registration).needs == "dieet"


def test_user_add_reads_the_password_from_stdin(runner, app):
    result = runner.invoke(args=["user", "add", "Team@OCW.nl", "--role", "organiser",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    account = db.session.execute(select(Organiser)).scalar_one()
    assert account.email == "team@ocw.nl" and account.check_password(PASSWORD)


@pytest.mark.parametrize("args,message", [
    (["nobody", "--role", "admin"], "not a valid e-mail"),
    (["a@ocw.nl", "--role", "admin"], "at least 12 characters"),
])
def test_user_add_refuses_bad_input(runner, app, args, message):
    password = "short" if "at least" in message else PASSWORD
    result = runner.invoke(args=["user", "add", *args, "--password-stdin"], input=password)
    assert result.exit_code != 0 and message in result.output


def test_release_expired_command(runner, meetings, now):
    registration, _ = book(meetings["zwolle"], 1, now=now - timedelta(hours=49))
    result = runner.invoke(args=["registrations", "release-expired"])
    assert "released 1" in result.output
    assert reload(registration).status == Status.EXPIRED


def test_meeting_cancel_command_queues_cancellations(runner, meetings, now):
    book(meetings["zwolle"], 1, now=now, confirm=True)
    result = runner.invoke(args=["meeting", "update", "zwolle", "--cancel"])
    assert result.exit_code == 0 and "1 cancellations" in result.output
    assert reload(meetings["zwolle"]).is_cancelled


def test_registrations_count_stays_after_erasure(meetings, now):
    from regio.registrations.queries import counts_by
    from regio.registrations.services import erase

    registration, _ = book(meetings["zwolle"], 1, now=now, role="ouder")
    erase(reload(registration), now=now)
    db.session.commit()
    rows = db.session.execute(select(Registration.role, Registration.status)).all()
    assert rows == [("ouder", Status.ERASED)]
    assert counts_by(reload(meetings["zwolle"]), Registration.role) == {}

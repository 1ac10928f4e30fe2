"""The sender against a real SMTP server: retries, failures, outages, crashes, two senders."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, update

from regio.db import db
from regio.mail import outbox
from regio.mail.campaigns import retry_failed
from regio.mail.models import OutboxMessage, OutboxState
from regio.mail.sender import run_sender, send_batch
from regio.mail.transport import SMTPTransport, open_transport
from regio.registrations import services
from tests.conftest import BASE_URL, free_port
from tests.test_mail_flow import applicant, body_text, send_all

REGIO = Path(sys.executable).with_name("regio")


def queue_confirm_mails(meeting, count: int, *, now) -> list[str]:
    addresses = [f"person{n:03d}@school.test" for n in range(count)]
    for address in addresses:
        services.register(meeting.id, applicant(address), now=now)
    db.session.commit()
    return addresses


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def states() -> Counter:
    return Counter(row.state for row in rows())


def test_451_then_250_delivers_once_after_backoff(app, meetings, smtp_server, now):
    queue_confirm_mails(meetings["zwolle"], 1, now=now)
    smtp_server.handler.replies.append("451 4.3.0 try later")
    assert send_all(smtp_server, now=now) == 0
    (row,) = rows()
    assert (row.state, row.attempts) == (OutboxState.QUEUED, 1)
    assert row.last_error.startswith("451") and row.next_attempt_at > now
    assert send_all(smtp_server, now=now) == 0  # not due yet
    message_id = row.message_id
    assert send_all(smtp_server, now=now + timedelta(minutes=1)) == 1
    assert len(smtp_server.handler.messages) == 1
    assert smtp_server.handler.messages[0]["Message-ID"] == message_id
    assert rows()[0].state == OutboxState.SENT


def test_each_message_is_marked_sent_before_the_next_is_accepted(app, database_url, meetings,
                                                                 smtp_server, now):
    # The "sent" mark of one message is committed while the next one is under way; it must
    # be in the database before the server accepts that next one, or a crash could resend two.
    queue_confirm_mails(meetings["zwolle"], 30, now=now)
    handler = smtp_server.handler
    accept = handler.handle_DATA
    observer = create_engine(database_url)
    unmarked: list[int] = []

    async def count_unmarked(server, session, envelope):
        with observer.connect() as connection:
            sent = connection.execute(select(func.count()).where(
                OutboxMessage.state == OutboxState.SENT)).scalar_one()
        unmarked.append(len(handler.messages) - sent)
        return await accept(server, session, envelope)

    handler.handle_DATA = count_unmarked
    try:
        assert send_all(smtp_server, now=now) == 30
    finally:
        observer.dispose()
    assert unmarked == [0] * 30
    assert states() == {OutboxState.SENT: 30}


def test_550_fails_visibly_and_can_be_retried(app, meetings, smtp_server, now):
    queue_confirm_mails(meetings["zwolle"], 2, now=now)
    smtp_server.handler.replies.append("550 5.1.1 mailbox unknown")
    assert send_all(smtp_server, now=now) == 1  # the second one still goes
    failed = rows()[0]
    assert failed.state == OutboxState.FAILED
    assert failed.last_error == "550 5.1.1 mailbox unknown"
    assert send_all(smtp_server, now=now + timedelta(days=1)) == 0
    retry_failed(failed.id, now=now, actor="organiser@regio.test")
    db.session.commit()
    assert send_all(smtp_server, now=now) == 1
    assert states() == {OutboxState.SENT: 2}


def test_server_down_keeps_mail_queued_until_it_returns(app, meetings, smtp_server, now):
    queue_confirm_mails(meetings["zwolle"], 3, now=now)
    nobody = open_transport(f"smtp://127.0.0.1:{free_port()}", timeout=2)
    report = send_batch(now=now, transport=nobody)
    assert (report.sent, report.retried) == (0, 3)
    assert all(row.state == OutboxState.QUEUED and row.attempts == 1 for row in rows())
    assert "Connection" in rows()[0].last_error
    assert send_all(smtp_server, now=now + timedelta(minutes=5)) == 3
    assert len(smtp_server.handler.messages) == 3


def test_a_server_that_never_answers_times_out_and_is_retried(app, meetings, now):
    queue_confirm_mails(meetings["zwolle"], 1, now=now)
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        transport = SMTPTransport(f"smtp://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5)
        report = send_batch(now=now, transport=transport)
    assert report.retried == 1
    assert "timed out" in rows()[0].last_error


def test_message_from_smtp_url_with_credentials_is_parsed():
    transport = SMTPTransport("smtps://user%40x:p%3Ass@mail.example:2465", timeout=3)
    assert (transport.host, transport.port) == ("mail.example", 2465)
    assert (transport.username, transport.password) == ("user@x", "p:ss")
    assert SMTPTransport("smtp+starttls://mail.example", timeout=3).port == 25
    with pytest.raises(ValueError):
        SMTPTransport("http://mail.example", timeout=3)


def test_file_transport_writes_one_eml_per_message(app, meetings, tmp_path, now):
    queue_confirm_mails(meetings["zwolle"], 2, now=now)
    app.config["MAIL_URL"] = f"file://{tmp_path / 'mails'}"
    lines: list[str] = []
    assert run_sender(once=True, interval=0, echo=lines.append) == 2
    files = sorted((tmp_path / "mails").glob("*.eml"))
    assert [f.name for f in files] == [f"{row.id}.eml" for row in rows()]
    mail = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert f"{BASE_URL}/aanmelding/" in body_text(mail)
    assert lines == ["sent 2, retry later 0, failed 0, dropped 0"]


def test_a_row_left_sending_by_a_dead_sender_goes_again_later(app, meetings, smtp_server,
                                                               now):
    queue_confirm_mails(meetings["zwolle"], 1, now=now)
    outbox.claim_batch(now=now, limit=10)  # ... and the sender dies here
    db.session.commit()
    assert send_all(smtp_server, now=now + timedelta(minutes=1)) == 0
    assert send_all(smtp_server, now=now + timedelta(minutes=10)) == 1


def test_backoff_grows_and_is_capped():
    waits = [outbox.backoff(n) for n in range(1, 10)]
    assert waits[0] == timedelta(seconds=30) and waits[1] == timedelta(minutes=1)
    assert waits == sorted(waits) and waits[-1] == timedelta(hours=1)


def test_transient_errors_give_up_after_max_attempts(app, meetings, now):
    queue_confirm_mails(meetings["zwolle"], 1, now=now)
    (row,) = rows()
    state = outbox.mark_retry(row.id, outbox.MAX_ATTEMPTS - 1, "451 still busy", now=now)
    db.session.commit()
    assert state == OutboxState.FAILED == rows()[0].state


# --- real sender processes --------------------------------------------------------------------


def sender_env(database_url: str, smtp_url: str) -> dict:
    env = dict(os.environ)
    env.update(REGIO_CONFIG="testing", DATABASE_URL=database_url, MAIL_URL=smtp_url,
               REGIO_BASE_URL=BASE_URL, MAIL_FROM="Regio <noreply@regio.test>",
               REGIO_ORGANIZER_EMAIL="opp-project@regio.test")
    return env


def recipients_at(smtp_server) -> Counter:
    return Counter(rcpt for envelope in smtp_server.handler.envelopes
                   for rcpt in envelope.rcpt_tos)


@pytest.mark.slow
def test_sender_killed_mid_batch_then_restarted_sends_each_once(app, database_url, meetings,
                                                               smtp_server, now):
    addresses = queue_confirm_mails(meetings["zwolle"], 200, now=now)
    handler = smtp_server.handler
    accept = handler.handle_DATA
    sender = {"process": None, "seen": 0}

    async def kill_on_the_87th(server, session, envelope):
        sender["seen"] += 1
        if sender["seen"] == 87 and sender["process"] is not None:
            # SIGKILL while the sender waits for the answer to DATA: not accepted here.
            os.kill(sender["process"].pid, signal.SIGKILL)
            return "421 4.3.0 going away"
        return await accept(server, session, envelope)

    handler.handle_DATA = kill_on_the_87th
    env = sender_env(database_url, smtp_server.url)
    sender["process"] = subprocess.Popen([str(REGIO), "mail", "send", "--interval", "0.2"],
                                         env=env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
    assert sender["process"].wait(timeout=120) == -signal.SIGKILL
    counts = states()
    assert counts[OutboxState.SENT] == 86 and counts[OutboxState.SENDING] > 0
    # Minutes later a sender starts again and finds the dead one's claims.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.state == OutboxState.SENDING)
                       .values(claimed_at=now - timedelta(minutes=10)))
    db.session.commit()
    done = subprocess.run([str(REGIO), "mail", "send", "--once"], env=env, timeout=120,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert recipients_at(smtp_server) == Counter(addresses)  # everyone exactly once
    assert states() == {OutboxState.SENT: 200}


@pytest.mark.slow
def test_two_senders_at_once_send_no_message_twice(app, database_url, meetings, smtp_server,
                                                   now):
    addresses = queue_confirm_mails(meetings["zwolle"], 300, now=now)
    env = sender_env(database_url, smtp_server.url)
    senders = [subprocess.Popen([str(REGIO), "mail", "send", "--once"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [process.communicate(timeout=180) for process in senders]
    assert [process.returncode for process in senders] == [0, 0], outputs
    assert recipients_at(smtp_server) == Counter(addresses)
    message_ids = Counter(m["Message-ID"] for m in smtp_server.handler.messages)
    assert max(message_ids.values()) == 1
    sent_by = [int(out.strip().splitlines()[-1].split()[1]) for out, _err in outputs]
    assert sum(sent_by) == 300
    assert db.session.execute(
        select(func.count()).where(OutboxMessage.state == OutboxState.SENT)).scalar_one() == 300

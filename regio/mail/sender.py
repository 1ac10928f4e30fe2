"""`regio mail send`: drain the outbox over MAIL_URL.

A batch is claimed (`sending`) and committed before any SMTP is spoken; each message is marked
`sent` and committed right after the server accepted it. A sender killed in between leaves its
rows in `sending`; a later sender puts them back after MAIL_STALE_AFTER seconds, so at most
the one message in flight can arrive twice — with the same Message-ID and UID/SEQUENCE, which
mail clients and calendars treat as the same item.
"""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import current_app

from regio.db import db, utc_now
from regio.mail import outbox
from regio.mail.messages import Dropped, build_batch
from regio.mail.transport import PermanentError, TransientError, open_transport

BATCH_SIZE = 50
STALE_AFTER_SECONDS = 300


@dataclass
class BatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0

    def __str__(self) -> str:
        return (f"sent {self.sent}, retry later {self.retried}, failed {self.failed}, "
                f"dropped {self.dropped}")


def _stale_after() -> timedelta:
    return timedelta(seconds=current_app.config.get("MAIL_STALE_AFTER", STALE_AFTER_SECONDS))


def send_batch(*, now: datetime, transport, limit: int = BATCH_SIZE) -> BatchReport:
    """Claim, build and send one batch of due messages over `transport`."""
    outbox.requeue_stale(now=now, stale_after=_stale_after())
    rows = outbox.claim_batch(now=now, limit=limit)
    db.session.commit()
    report = BatchReport(claimed=len(rows))
    if not rows:
        return report
    todo = [(row.id, row.attempts, dict(row.payload or {}), row.recipient) for row in rows]
    try:
        built = build_batch(rows, now=now)
    except Exception as error:  # a bug in building must not leave the batch in `sending`
        db.session.rollback()
        current_app.logger.exception("building mail failed")
        built = {row_id: error for row_id, *_ in todo}
    db.session.commit()  # ends the read transaction

    envelope_from = _envelope_from()
    with outbox.mark_connection() as connection:
        connection_lost = None
        for row_id, attempts, payload, recipient in todo:
            data = built[row_id]
            if connection_lost is not None:
                outbox.mark_retry(row_id, attempts, connection_lost, now=now,
                                  connection=connection)
                report.retried += 1
            elif isinstance(data, Dropped):
                outbox.mark_dropped(row_id, data.reason, connection=connection)
                report.dropped += 1
            elif isinstance(data, Exception):
                outbox.mark_failed(row_id, attempts, f"could not build: {data!r}",
                                   connection=connection)
                report.failed += 1
            else:
                connection_lost = _send_one(transport, envelope_from, recipient, data, row_id,
                                            attempts, payload, report, now, connection)
    return report


def _send_one(transport, envelope_from, recipient, data, row_id, attempts, payload, report,
              now, connection) -> str | None:
    """Send one message and record the outcome; the error text when the connection is gone."""
    try:
        transport.send(envelope_from, recipient, data, str(row_id))
    except TransientError as error:
        state = outbox.mark_retry(row_id, attempts, str(error), now=now, connection=connection)
        report.retried += state == outbox.OutboxState.QUEUED
        report.failed += state == outbox.OutboxState.FAILED
        return str(error) if error.connection_lost else None
    except PermanentError as error:
        outbox.mark_failed(row_id, attempts, str(error), connection=connection)
        report.failed += 1
        return None
    outbox.mark_sent(row_id, payload, now=now, connection=connection)
    report.sent += 1
    return None


def _envelope_from() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1]


def run_sender(*, once: bool, interval: float, echo=print) -> int:
    """Send until the outbox has nothing due (`once`) or until SIGTERM / Ctrl-C; sent count."""
    config = current_app.config
    transport = open_transport(config["MAIL_URL"], timeout=float(config["MAIL_TIMEOUT"]))
    stop = threading.Event()
    previous = _on_sigterm(stop)
    total = 0
    try:
        while not stop.is_set():
            report = send_batch(now=utc_now(), transport=transport)
            total += report.sent
            if report.claimed:
                echo(str(report))
            if report.claimed == 0:
                if once:
                    break
                transport.close()  # do not hold an idle connection open between polls
                stop.wait(interval)
    except KeyboardInterrupt:
        pass
    finally:
        transport.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return total


def _on_sigterm(stop: threading.Event):
    """Stop after the message in flight; only the main thread may set signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, lambda _signo, _frame: stop.set())

"""`regio mail send`: drain the outbox over MAIL_URL.

A batch is claimed (`sending`) and committed before any SMTP is spoken; each message is marked
`sent` and committed right after the server accepted it. A sender killed in between leaves its
rows in `sending`; a later sender puts them back after MAIL_STALE_AFTER seconds, so at most
the one message in flight can arrive twice — with the same Message-ID and UID/SEQUENCE, which
mail clients and calendars treat as the same item.
"""

from __future__ import annotations

import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import partial

from flask import current_app

from regio.db import db, utc_now
from regio.mail import outbox
from regio.mail.addresses import to_wire
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


@dataclass
class Prepared:
    """A claimed batch: (row id, attempts, payload, recipient) and the built messages."""

    todo: list[tuple]
    built: dict


def prepare_batch(*, now: datetime, limit: int = BATCH_SIZE) -> Prepared:
    """Claim up to `limit` due rows (committed: they are `sending` now) and build them."""
    outbox.requeue_stale(now=now, stale_after=_stale_after())
    rows = outbox.claim_batch(now=now, limit=limit)
    db.session.commit()
    todo = [(row.id, row.attempts, dict(row.payload or {}), row.recipient) for row in rows]
    try:
        built = build_batch(rows, now=now) if rows else {}
    except Exception as error:  # loading the batch failed: no row must stay in `sending`
        db.session.rollback()
        current_app.logger.exception("building mail failed")
        built = {row_id: error for row_id, *_ in todo}
    db.session.commit()  # ends the read transaction
    return Prepared(todo, built)


def send_batch(*, now: datetime, transport, limit: int = BATCH_SIZE) -> BatchReport:
    """Claim, build and send one batch of due messages over `transport`."""
    return deliver(prepare_batch(now=now, limit=limit), transport=transport, now=now)


def deliver(prepared: Prepared, *, transport, now: datetime) -> BatchReport:
    """Send a prepared batch, committing each message's outcome right after it.

    A "sent" mark is committed while the server reads the next message's first command (see
    `SMTPTransport.send`), so the commit overlaps the round trip instead of adding to it.
    """
    report = BatchReport(claimed=len(prepared.todo))
    todo, built = prepared.todo, prepared.built
    if not todo:
        return report
    envelope_from = _envelope_from()
    with outbox.mark_connection() as connection:
        connection_lost, sent_mark = None, None
        for row_id, attempts, payload, recipient in todo:
            data = built[row_id]
            if not isinstance(data, bytes) or connection_lost is not None:
                sent_mark = _run(sent_mark)
            if connection_lost is not None:
                outbox.mark_retry(row_id, attempts, connection_lost, now=now,
                                  connection=connection)
                report.retried += 1
            elif isinstance(data, Dropped):
                outbox.mark_dropped(row_id, data.reason, connection=connection)
                report.dropped += 1
            elif isinstance(data, Exception):
                outbox.mark_failed(row_id, attempts, _build_failure(data),
                                   connection=connection)
                report.failed += 1
            else:
                connection_lost, sent_mark = _send_one(
                    transport, envelope_from, recipient, data, (row_id, attempts, payload),
                    report, now, connection, sent_mark)
        _run(sent_mark)
    return report


def _build_failure(error: Exception) -> str:
    """`last_error` of a row that could not be built: "<code>: <detail>", the code one that
    regio.labels words for organisers (an address that cannot be written, a meeting gone)."""
    code = getattr(error, "code", None)
    if code and str(error).startswith(f"{code}:"):
        return str(error)
    return f"could not build: {type(error).__name__}: {error}"


def _run(job) -> None:
    if job is not None:
        job()


def _send_one(transport, envelope_from, recipient, data, row, report, now, connection,
              previous_mark):
    """Send one message and record the outcome.

    Returns the error text when the connection is gone, and this message's "sent" mark when
    it went (the caller runs it while the next message is under way, or at the end).
    """
    row_id, attempts, payload = row
    try:
        transport.send(envelope_from, to_wire(recipient), data, str(row_id),
                       meanwhile=previous_mark)
    except TransientError as error:
        state = outbox.mark_retry(row_id, attempts, str(error), now=now, connection=connection)
        report.retried += state == outbox.OutboxState.QUEUED
        report.failed += state == outbox.OutboxState.FAILED
        return (str(error) if error.connection_lost else None), None
    except PermanentError as error:
        outbox.mark_failed(row_id, attempts, str(error), connection=connection)
        report.failed += 1
        return None, None
    report.sent += 1
    return None, partial(outbox.mark_sent, row_id, payload, now=now, connection=connection)


def _envelope_from() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1]


def run_sender(*, once: bool, interval: float, echo=print) -> int:
    """Send until the outbox has nothing due (`once`) or until SIGTERM / Ctrl-C; sent count.

    While one batch is being sent, a helper thread claims and builds the next one, so the
    SMTP round trips hide the building.
    """
    app = current_app._get_current_object()
    transport = open_transport(app.config["MAIL_URL"], timeout=float(app.config["MAIL_TIMEOUT"]))
    stop = threading.Event()
    previous = _on_sigterm(stop)
    switch = sys.getswitchinterval()
    # A sending thread that wakes up with the server's answer must not wait 5 ms for the GIL.
    sys.setswitchinterval(0.0005)
    total, ahead = 0, None
    try:
        with ThreadPoolExecutor(max_workers=1) as helper:
            ahead = helper.submit(_prepare_in, app)
            while not stop.is_set():
                prepared, ahead = ahead.result(), None
                if not prepared.todo:
                    if once:
                        break
                    transport.close()  # do not hold an idle connection open between polls
                    stop.wait(interval)
                    ahead = helper.submit(_prepare_in, app)
                    continue
                ahead = helper.submit(_prepare_in, app)
                report = deliver(prepared, transport=transport, now=utc_now())
                total += report.sent
                echo(str(report))
            if ahead is not None:
                _release(ahead.result())
    except KeyboardInterrupt:
        if ahead is not None:
            _release(ahead.result())
    finally:
        sys.setswitchinterval(switch)
        transport.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return total


def _prepare_in(app) -> Prepared:
    with app.app_context():
        try:
            return prepare_batch(now=utc_now())
        finally:
            db.session.remove()


def _release(prepared: Prepared) -> None:
    """Give back a batch claimed ahead but not sent (the sender is stopping)."""
    with outbox.mark_connection() as connection:
        for row_id, *_rest in prepared.todo:
            outbox.release(row_id, connection=connection)


def _on_sigterm(stop: threading.Event):
    """Stop after the message in flight; only the main thread may set signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, lambda _signo, _frame: stop.set())

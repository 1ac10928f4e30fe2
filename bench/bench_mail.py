"""Invite mails through Regio's sender against a bare smtplib loop, to the same aiosmtpd server.

    .venv/bin/python -m bench.bench_mail [--messages N]

A local aiosmtpd server runs in its own process (so it does not share our GIL) and accepts
everything. In one run: a fresh SQLite database gets N confirmed registrations, whose
"confirmed + invite" mails the sender builds from the database and sends over one SMTP
connection per batch, marking each row sent; the bare loop sends N prebuilt messages of the
same size over one connection. Goal: Regio's rate ≥ 0.5 × the bare loop's.
"""

from __future__ import annotations

import argparse
import asyncio
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

from bench.harness import record

GOAL = 0.5


# --- the SMTP server process -------------------------------------------------------------------


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def serve_smtp(port: int) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(CountingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp_process(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "bench.bench_mail", "--smtp-server",
                                str(port)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


# --- the two contestants -----------------------------------------------------------------------


def bare_loop(port: int, messages: list[bytes]) -> float:
    """Messages per second for smtplib.sendmail of prebuilt bytes over one connection."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as connection:
        for number, data in enumerate(messages):
            connection.sendmail("noreply@regio.example.nl", [f"p{number}@school.example"], data)
    return len(messages) / (time.perf_counter() - started)


def prepare(app, count: int) -> list[bytes]:
    """N confirmed registrations with their invite mails queued; returns N prebuilt mails."""
    from sqlalchemy import select, update

    from regio.db import db
    from regio.mail.messages import build_batch
    from regio.mail.models import OutboxMessage, OutboxState
    from regio.mail.outbox import Kind
    from regio.meetings.seed import seed_meetings
    from regio.meetings.services import MeetingChanges, update_meeting
    from regio.registrations.services import Applicant, confirm_address, find_by_token, register

    now = datetime.now(UTC)
    db.create_all()
    meeting = {m.slug: m for m in seed_meetings(demo=True, today=now.date())}["zwolle"]
    update_meeting(meeting, MeetingChanges(start_time=clock(13), end_time=clock(16, 30),
                                           address="Stationsweg 1, Zwolle"),
                   actor="bench", now=now)
    db.session.commit()
    for number in range(count):
        outcome = register(meeting.id, Applicant(name=f"Deelnemer {number}",
                                              email=f"p{number}@school.example", role="po"),
                           now=now)
        link, _registration = find_by_token(outcome.token)
        confirm_address(link, now=now)
        if number % 200 == 199:
            db.session.commit()
    # Only the invite mails are measured: the confirm-your-address mails count as sent.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.kind != Kind.CONFIRMED)
                       .values(state=OutboxState.SENT))
    db.session.commit()
    rows = list(db.session.execute(select(OutboxMessage).where(
        OutboxMessage.kind == Kind.CONFIRMED).order_by(OutboxMessage.id)).scalars())
    prebuilt = list(build_batch(rows, now=now).values())
    db.session.rollback()
    assert len(prebuilt) == count and all(isinstance(data, bytes) for data in prebuilt)
    return prebuilt


def regio_sender(app) -> tuple[float, int]:
    from regio.mail.sender import run_sender

    started = time.perf_counter()
    sent = run_sender(once=True, interval=0, echo=lambda _line: None)
    return sent / (time.perf_counter() - started), sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.bench_mail")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--smtp-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smtp_server:
        serve_smtp(args.smtp_server)
        return 0

    from regio import create_app

    port = free_port()
    smtp = start_smtp_process(port)
    try:
        with tempfile.TemporaryDirectory(prefix="regio-bench-mail-") as folder:
            app = create_app({
                "REGIO_CONFIG": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "MAIL_URL": f"smtp://127.0.0.1:{port}",
                "REGIO_BASE_URL": "https://regio.example.nl",
                "MAIL_FROM": "Regio <noreply@regio.example.nl>",
                "REGIO_ORGANIZER_EMAIL": "opp-project@regio.example.nl",
            })
            with app.app_context():
                print(f"preparing {args.messages} registrations …", flush=True)
                prebuilt = prepare(app, args.messages)
                size = sum(map(len, prebuilt)) // len(prebuilt)
                bare_before = bare_loop(port, prebuilt)
                regio_rate, sent = regio_sender(app)
                bare_after = bare_loop(port, prebuilt)
    finally:
        smtp.terminate()
        smtp.wait(timeout=10)
    bare = max(bare_before, bare_after)  # the faster bare run: the stricter comparison
    ratio = regio_rate / bare
    print(f"messages: {args.messages} (about {size // 1024} KB each); Regio sent {sent}")
    print(f"bare smtplib loop: {bare_before:8.1f} msg/s before, {bare_after:8.1f} msg/s after")
    print(f"Regio sender:      {regio_rate:8.1f} msg/s (build from the database, invite, "
          f"mark sent + commit per message)")
    print(f"ratio Regio / bare: {ratio:.2f} (goal ≥ {GOAL})  "
          f"{'goal met' if ratio >= GOAL and sent == args.messages else 'goal NOT met'}")
    met = ratio >= GOAL and sent == args.messages
    record(f"{args.messages} invite mails, Regio / bare smtplib",
           f"{ratio:.2f} × ({regio_rate:,.0f} / {bare:,.0f} msg/s)", goal=f"≥ {GOAL} ×", met=met)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

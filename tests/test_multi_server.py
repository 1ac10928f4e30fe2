"""Regio across machines: two app servers on one PostgreSQL database, rate limits in Redis,
two mail senders (one killed half-way) and an SMTP server, while 400 people register for 100
places and some of them cancel through their personal link.

Runs when PostgreSQL (REGIO_TEST_POSTGRES_URL) and Redis (REGIO_TEST_REDIS_URL, by default
database 5 on the local server) are there, as in `.ci/run`; skips otherwise.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from bench.harness import Session, serve
from tests.conftest import POSTGRES_URL
from tests.test_concurrency import TOKEN_RE

REDIS_URL = os.environ.get("REGIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
REGIO = Path(sys.executable).with_name("regio")
CAPACITY = 100
APPLICANTS = 400
CANCEL_EVERY = 5  # applicants 0, 5, 10 … cancel through their personal link
SAME_ADDRESS_TRIES = 8
EMAIL_LIMIT = 5
KILL_AFTER_MAILS = 120
METRICS_TOKEN = "metrics-token-for-the-multi-server-test"
LINK_RE = re.compile(r"/aanmelding/([A-Za-z0-9_-]{20,})")
MEETING = "/bijeenkomsten/zwolle"


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def wait_for(probe, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (result := probe()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)
    return result


class Crowd:
    """The people: register on one server, post to the other, cancel on either."""

    def __init__(self, servers, handler, run: str) -> None:
        self.servers = servers
        self.handler = handler
        self.run = run
        self.answers: Counter = Counter()  # (what, status)
        self.lock = threading.Lock()
        self.inbox: defaultdict[str, list] = defaultdict(list)
        self.indexed = 0

    def address(self, n: int | str) -> str:
        return f"p{n}-{self.run}@school.nl"

    def note(self, what: str, status: int) -> None:
        with self.lock:
            self.answers[(what, status)] += 1

    def submit(self, n: int, first, second, *, what: str = "register",
               page: str = MEETING, address: str | None = None) -> None:
        viewer = Session(first.base_url)
        form = viewer.get(page)
        self.note("page", form.status)
        # The session cookie and CSRF token from one server are good on the other.
        poster = Session(second.base_url)
        poster.cookies = dict(viewer.cookies)
        answer = poster.post(page, data={
            "csrf_token": TOKEN_RE.search(form.body)[1].decode(), "name": f"Deelnemer {n}",
            "email": address or self.address(n), "role": "po", "consent": "y"})
        self.note(what, answer.status)
        viewer.close()
        poster.close()

    def cancel(self, n: int, server) -> None:
        address = self.address(n)
        mail = wait_for(lambda: self.mail_to(address), timeout=120, what=f"mail to {address}")
        token = LINK_RE.search(mail[0].get_body(("plain",)).get_content())[1]
        session = Session(server.base_url)
        form = session.get(f"/aanmelding/{token}/afmelden")
        self.note("cancel page", form.status)
        answer = session.post(f"/aanmelding/{token}/afmelden", data={
            "csrf_token": TOKEN_RE.search(form.body)[1].decode()})
        self.note("cancel", answer.status)
        session.close()

    def applicant(self, n: int) -> None:
        first, second = self.servers[n % 2], self.servers[(n + 1) % 2]
        self.submit(n, first, second)
        if n % CANCEL_EVERY == 0:
            self.cancel(n, second)

    def mail_to(self, address: str) -> list:
        """The mail that arrived for `address` so far."""
        # Indexed once by envelope: parsing headers on every poll kept this process so busy
        # that the SMTP server's thread took 1–2 mails a second.
        with self.lock:
            arrived = len(self.handler.messages)
            for n in range(self.indexed, arrived):
                for recipient in self.handler.envelopes[n].rcpt_tos:
                    self.inbox[recipient].append(self.handler.messages[n])
            self.indexed = arrived
            return list(self.inbox[address])


class PlacesWatch:
    """Scrapes /metrics on both servers in turn and keeps the most places ever taken."""

    def __init__(self, servers) -> None:
        self.servers = servers
        self.most = 0
        self.scrapes = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self.stop.wait(0.3):
            samples = scrape(self.servers[self.scrapes % 2])
            self.scrapes += 1
            placed = sum(samples.get(("regio_registrations", ("zwolle", status)), 0)
                         for status in ("held", "confirmed"))
            self.most = max(self.most, placed)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def scrape(server) -> dict:
    """{(name, label values): value} of one scrape of `server`."""
    session = Session(server.base_url)
    answer = session.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    session.close()
    assert answer.status == 200
    return {(sample.name, tuple(sample.labels.values())): sample.value
            for family in text_string_to_metric_families(answer.body.decode())
            for sample in family.samples}


def posts_counted(server) -> float:
    return sum(value for (name, labels), value in scrape(server).items()
               if name == "regio_http_requests_total"
               and labels == ("public.register_post", "POST", "303"))


@contextlib.contextmanager
def senders(env: dict, folder: Path, count: int = 2):
    processes = []
    for n in range(count):
        with (folder / f"sender{n}.log").open("w") as log:
            processes.append(subprocess.Popen(
                [str(REGIO), "mail", "send", "--interval", "0.2"],
                env={**env, "PYTHONUNBUFFERED": "1"},  # each batch's line, even if killed
                stdout=log, stderr=subprocess.STDOUT))
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)


def database_facts(database_url: str) -> dict:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        def rows(sql: str):
            return connection.execute(text(sql)).all()

        facts = {
            "statuses": dict(rows(
                "SELECT r.status, COUNT(*) FROM registrations r JOIN meetings m"
                " ON m.id = r.meeting_id WHERE m.slug = 'zwolle' GROUP BY r.status")),
            "taken": rows("SELECT taken FROM meetings WHERE slug = 'zwolle'")[0][0],
            "outbox": dict(rows("SELECT state, COUNT(*) FROM outbox_messages GROUP BY state")),
            # Rows the sender dropped as superseded before sending them (see below).
            "dropped": dict(rows(
                "SELECT message_id, kind FROM outbox_messages WHERE state = 'cancelled'")),
            "message_ids": {row[0] for row in rows(
                "SELECT message_id FROM outbox_messages WHERE state = 'sent'")},
            # Each registration's place in the waiting list: when its "waiting" mail was
            # queued (the same moment as waiting_since, which promotion clears), then its id.
            "waiting_order": {row[0]: (row[1], row[0]) for row in rows(
                "SELECT registration_id, created_at FROM outbox_messages"
                " WHERE kind = 'waiting'")},
            "promotions": [row[0] for row in rows(
                "SELECT registration_id FROM outbox_messages WHERE kind = 'promoted'"
                " ORDER BY id")],
            "still_waiting": {row[0] for row in rows(
                "SELECT id FROM registrations WHERE status = 'waiting'")},
        }
    engine.dispose()
    return facts


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (REGIO_TEST_POSTGRES_URL)")
def test_two_servers_two_senders_one_database(redis_url, smtp_server, tmp_path, capsys):
    started = time.monotonic()
    env = {"SECRET_KEY": secrets.token_urlsafe(32), "RATELIMIT_ENABLED": "true",
           "RATELIMIT_STORAGE_URI": redis_url, "REGIO_LIMIT_REGISTER_IP": "100000 per hour",
           "REGIO_LIMIT_REGISTER_EMAIL": f"{EMAIL_LIMIT} per hour",
           "MAIL_URL": smtp_server.url, "MAIL_STALE_AFTER": "10",
           "REGIO_METRICS_TOKEN": METRICS_TOKEN}
    handler = smtp_server.handler
    with (serve(backend="postgresql", pg_url=POSTGRES_URL, workers=2, threads=4,
                env=env) as one,
          serve(backend="postgresql", database_url=one.database_url, workers=2, threads=4,
                env=env) as two):
        one.regio("meeting", "update", "zwolle", "--capacity", str(CAPACITY))
        crowd = Crowd((one, two), handler, run=secrets.token_hex(4))
        same = crowd.address("same")
        for n in range(SAME_ADDRESS_TRIES):  # one person, again and again, on both servers
            crowd.submit(n, (one, two)[n % 2], (two, one)[n % 2], what="same address",
                         page="/bijeenkomsten/rotterdam", address=same)

        with (senders(one.env, tmp_path) as (doomed, survivor),
              PlacesWatch((one, two)) as watch, ThreadPoolExecutor(max_workers=48) as pool):
            work = [pool.submit(crowd.applicant, n) for n in range(APPLICANTS)]
            wait_for(lambda: len(handler.messages) >= KILL_AFTER_MAILS, timeout=120,
                     what=f"{KILL_AFTER_MAILS} mails")
            assert doomed.poll() is None, "the sender to kill had stopped by itself"
            doomed.kill()  # SIGKILL: whatever it claimed stays "sending" until MAIL_STALE_AFTER
            for done in work:
                done.result()
            wait_for(lambda: not ({"queued", "sending"} & set(
                database_facts(one.database_url)["outbox"])), timeout=120, what="empty outbox")
        assert survivor.returncode == 0

        expected_posts = APPLICANTS + SAME_ADDRESS_TRIES
        posts = wait_for(lambda: (n := posts_counted(one) + posts_counted(two))
                         == expected_posts and n, timeout=30, what="request counts")
        per_server = [scrape(server) for server in (one, two)]
        facts = database_facts(one.database_url)

    cancellations = len(range(0, APPLICANTS, CANCEL_EVERY))
    sent_by = [sum(int(n) for n in re.findall(r"^sent (\d+),", log.read_text(), re.M))
               for log in sorted(tmp_path.glob("sender*.log"))]
    statuses, outbox = facts["statuses"], facts["outbox"]
    placed = statuses.get("held", 0) + statuses.get("confirmed", 0)
    promoted = facts["promotions"]
    received = Counter(message["Message-ID"] for message in handler.messages)
    # A sender killed between the SMTP server's "250" and its own "sent" mark leaves that one
    # mail to be sent again (or, when superseded meanwhile, dropped after it went once).
    resent = sum(count - 1 for count in received.values()) + len(
        set(received) - facts["message_ids"])
    dropped = facts["dropped"]
    expected_mails = APPLICANTS + cancellations + len(promoted) + EMAIL_LIMIT - len(dropped)
    with capsys.disabled():
        print(f"\nmulti-server: 2 gunicorn servers × 2 workers on one PostgreSQL database, "
              f"Redis rate limits, 2 mail senders (one killed after {KILL_AFTER_MAILS} mails)\n"
              f"  registrations {APPLICANTS}, cancellations {cancellations}: placed {placed} of "
              f"{CAPACITY} (most seen in {watch.scrapes} scrapes: {watch.most:.0f}), waiting "
              f"{statuses.get('waiting', 0)}, promoted {len(promoted)}\n"
              f"  mails: {expected_mails} expected, {len(facts['message_ids'])} marked sent, "
              f"{len(handler.messages)} arrived, {resent} sent again; finished batches: "
              f"killed sender {sent_by[0]} mails, the other {sent_by[1]}\n"
              f"  dropped as superseded {dict(Counter(dropped.values()))}; "
              f"outbox {dict(outbox)}\n"
              f"  one address {SAME_ADDRESS_TRIES} times over both servers: "
              f"{len(crowd.mail_to(same))} mails (limit {EMAIL_LIMIT})\n"
              f"  answers {dict(sorted(crowd.answers.items()))}\n"
              f"  registration POSTs counted by /metrics: {posts:.0f}; "
              f"{time.monotonic() - started:.0f} s")

    assert crowd.answers == {
        ("page", 200): APPLICANTS + SAME_ADDRESS_TRIES, ("register", 303): APPLICANTS,
        ("same address", 303): SAME_ADDRESS_TRIES, ("cancel page", 200): cancellations,
        ("cancel", 303): cancellations}
    # No overbooking, at the end or at any scrape on the way.
    assert placed == facts["taken"] == CAPACITY
    assert watch.most <= CAPACITY
    assert statuses == {"held": CAPACITY, "cancelled": cancellations,
                        "waiting": APPLICANTS - cancellations - CAPACITY}
    # The waiting list moved up first come, first served.
    order = facts["waiting_order"]
    promoted_order = [order[registration] for registration in promoted]
    assert promoted_order == sorted(promoted_order)
    assert max(promoted_order) < min(order[r] for r in facts["still_waiting"])
    # Every mail arrived, once; the killed sender may have sent its last one twice. A waiting
    # notice still queued when its reader was promoted, or a promotion notice still queued
    # when its reader cancelled, is dropped unsent: the mail after it says what holds.
    assert set(outbox) <= {"sent", "cancelled"}
    assert set(dropped.values()) <= {"waiting", "promoted"}
    assert facts["message_ids"] <= set(received) <= facts["message_ids"] | set(dropped)
    assert len(facts["message_ids"]) == expected_mails
    assert resent <= 1
    # The limit per address held across both servers and all their workers.
    assert len(crowd.mail_to(same)) == EMAIL_LIMIT
    # Both servers read the same figures from the database.
    for samples in per_server:
        assert samples[("regio_registrations", ("zwolle", "held"))] == CAPACITY
        assert samples[("regio_mail_sent_total", ())] == len(facts["message_ids"])

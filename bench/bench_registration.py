"""Registration POSTs per second against GET /healthz on the same server, in one run.

    .venv/bin/python -m bench.bench_registration [--backend sqlite|postgresql] [--duration S]

wrk keeps 32 connections busy with real registrations: every request is the form POST with a
valid session cookie and CSRF token and a fresh e-mail address, so each one holds a place (one
booking transaction with the meeting lock, the capacity counter, the registration, a personal
link and the outbox row). Goals: registration ≥ 0.2 × /healthz, p99 ≤ 100 ms, and the same
rate (within 10 %) when the meeting already holds 20,000 registrations — the capacity check
reads a counter on the meeting row instead of counting rows.

The empty and the filled meeting each get a server of their own, measured in turns (empty,
filled, empty, filled): this machine's speed drifts by more than 10 % within a minute, and
measuring one after the other compared the drift as much as the meetings. The empty meeting's
second turn starts with the first turn's registrations (a few thousand, against 20,000).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import create_engine, insert, text

from bench.harness import Session, Stats, report, serve, server_run

RATIO_GOAL = 0.2
P99_GOAL_MS = 100.0
FILL_TOLERANCE = 0.10
FILLED = 20_000
ROUNDS = 2
PATH = "/bijeenkomsten/zwolle"
TOKEN_RE = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')

# Every request a new address: the thread id and the second the wrk run started keep the
# warm-up run and the measured run apart.
REQUEST_LUA = """
local next_id = 1
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", next_id)  -- a global in that thread's own Lua state
  next_id = next_id + 1
end
local prefix, n = nil, 0
function request()
  if prefix == nil then prefix = string.format("%d-%d", os.time(), thread_id) end
  n = n + 1
  local body = string.format(wrk.body, prefix .. "-" .. n)
  return wrk.format("POST", nil, nil, body)
end
"""


def _form_session(base_url: str) -> tuple[str, str]:
    """A session cookie and its CSRF token, as a browser holds them after opening the form."""
    session = Session(base_url)
    page = session.get(PATH)
    token = TOKEN_RE.search(page.body)[1].decode()
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    session.close()
    return cookie, token


def _registration_request(cookie: str, token: str) -> tuple:
    body = urlencode({"csrf_token": token, "name": "Bench Deelnemer", "role": "vo",
                      "consent": "y"}) + "&email=p%s%%40school.nl"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    return ("POST", PATH, body, headers)


def _fill(database_url: str, count: int) -> None:
    """Add `count` confirmed registrations to the meeting straight into the database."""
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        meeting_id = connection.execute(
            text("SELECT id FROM meetings WHERE slug = 'zwolle'")).scalar_one()
        rows = [{"meeting_id": meeting_id, "uid": f"{uuid.uuid4()}@bench", "status": "confirmed",
                 "name": f"Gevuld {n}", "email": f"gevuld{n}@school.nl",
                 "active_email": f"gevuld{n}@school.nl", "role": "po", "locale": "nl",
                 "sequence": 0, "is_under_16": False, "has_guardian_consent": False,
                 "is_walk_in": False, "created_at": now - timedelta(seconds=n),
                 "updated_at": now, "confirmed_at": now}
                for n in range(count)]
        from regio.registrations.models import Registration

        for start in range(0, count, 2000):
            connection.execute(insert(Registration.__table__), rows[start:start + 2000])
        connection.execute(text("UPDATE meetings SET taken = taken + :n WHERE id = :id"),
                           {"n": count, "id": meeting_id})
    with engine.begin() as connection:
        # A server that has held 20,000 rows for a while has statistics about them; without
        # them PostgreSQL plans as if the table were empty. Only this database's tables: a
        # bare ANALYZE would also reach the other server's schema.
        connection.execute(text("ANALYZE meetings, registrations"))
    engine.dispose()


def _repeated(database_url: str) -> int:
    """Submissions that found their address registered already (each request should be new)."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text(
            "SELECT COUNT(*) FROM outbox_messages WHERE kind = 'link_again'")).scalar_one()
    engine.dispose()
    return count


def _together(name: str, runs: list[Stats]) -> Stats:
    """The turns as one run: their requests over their seconds, the slower turn's latencies."""
    statuses: dict = {}
    for run in runs:
        for status, count in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return Stats(name=name, requests=sum(run.requests for run in runs),
                 seconds=sum(run.seconds for run in runs),
                 p50_ms=max(run.p50_ms for run in runs), p99_ms=max(run.p99_ms for run in runs),
                 errors=sum(run.errors for run in runs), statuses=statuses, tool=runs[0].tool)


def main(argv: list[str] | None = None) -> int:
    chosen, load = server_run(__doc__, argv)
    load["tool"] = "wrk"  # the only generator that outpaces the server on this machine
    # Bookings for one meeting run one at a time (the meeting lock); a second thread in the
    # same worker only competes with the lock holder for the GIL, so each worker gets one.
    threads = int(os.environ.get("REGIO_BENCH_THREADS") or 1)
    print(f"(this bench: {threads} thread per worker unless REGIO_BENCH_THREADS says otherwise)")
    with contextlib.ExitStack() as stack:
        empty_server, filled_server = (stack.enter_context(serve(
            backend=chosen.backend, pg_url=chosen.pg_url, workers=chosen.workers,
            threads=threads, connections=chosen.connections)) for _ in range(2))
        requests = {}
        for server in (empty_server, filled_server):
            server.regio("meeting", "update", "zwolle", "--capacity", "100000")
            requests[server.base_url] = _registration_request(*_form_session(server.base_url))
        _fill(filled_server.database_url, FILLED)
        health = empty_server.measure(("GET", "/healthz"), **load)
        runs = {"empty": [], "filled": []}
        for _ in range(ROUNDS):
            for kind, server in (("empty", empty_server), ("filled", filled_server)):
                runs[kind].append(server.measure(requests[server.base_url], lua=REQUEST_LUA,
                                                 name=kind, **load))
        repeated = sum(_repeated(server.database_url) for server in (empty_server, filled_server))
    empty = _together("POST registration (empty)", runs["empty"])
    filled = _together(f"POST registration (+{FILLED:,} rows)", runs["filled"])
    met = report("registration against /healthz", empty, health, goal=RATIO_GOAL)
    kept = report("registration with 20,000 rows against an empty meeting", filled, empty,
                  goal=1 - FILL_TOLERANCE)
    for kind, turns in runs.items():
        print(f"  {kind} turns: " + ", ".join(f"{run.rps:.0f} req/s p99 {run.p99_ms:.1f} ms"
                                              for run in turns))
    fast = max(empty.p99_ms, filled.p99_ms) <= P99_GOAL_MS
    print(f"  p99 {empty.p99_ms:.1f} / {filled.p99_ms:.1f} ms, the slower turn's "
          f"(goal ≤ {P99_GOAL_MS:g}: {'met' if fast else 'NOT met'})")
    only_303 = all(s.statuses.keys() <= {303} for s in (empty, filled))
    if not only_303:
        print(f"  unexpected answers: {empty.statuses} / {filled.statuses}")
    if repeated:
        print(f"  {repeated} submissions repeated an address: not every request was a new booking")
    return 0 if met and kept and fast and only_303 and not repeated else 1


if __name__ == "__main__":
    sys.exit(main())

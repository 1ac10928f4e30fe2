"""Login answer times for a live, an unknown, a disabled and an invited account, in one run.

    .venv/bin/python -m bench.bench_login [--tries N]

Every login below is refused (a wrong password for the live account; the right password for
the disabled one), so all four give the same page: only the time could tell them apart. The
tries run in turns (live, unknown, disabled, invited, live, …) in one process on a SQLite file,
so drift of the machine falls on all four alike. Goal: every median within 10 % of the live
account's.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import record

GOAL = 0.10
PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _app(folder: Path):
    from regio import create_app
    from regio.accounts.services import invite_account, save_account
    from regio.db import db

    app = create_app({"REGIO_CONFIG": "testing", "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "MAIL_URL": f"file://{folder / 'outbox'}"})
    with app.app_context():
        db.create_all()
        now = datetime.now(UTC)
        save_account("live@ocw-regio.nl", PASSWORD, "organiser", now=now)
        disabled, _ = save_account("weg@ocw-regio.nl", PASSWORD, "organiser", now=now)
        disabled.is_enabled = False
        invite_account("uitgenodigd@ocw-regio.nl", "organiser", actor="bench", now=now)
        db.session.commit()
    return app


def _login(client, token: str, email: str, password: str) -> float:
    started = time.perf_counter()
    response = client.post("/beheer/inloggen", data={"email": email, "password": password,
                                                     "csrf_token": token})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code  # refused, the same page
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=50)
    args = parser.parse_args(argv)
    cases = {
        "live (wrong password)": ("live@ocw-regio.nl", "not the password at all"),
        "unknown address": ("niemand@ocw-regio.nl", PASSWORD),
        "disabled (right password)": ("weg@ocw-regio.nl", PASSWORD),
        "invited, no password yet": ("uitgenodigd@ocw-regio.nl", PASSWORD),
    }
    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        client = app.test_client()
        token = CSRF_RE.search(client.get("/beheer/inloggen").get_data(as_text=True))[1]
        for email, password in cases.values():  # warm up every path once
            _login(client, token, email, password)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.tries):
            for name, (email, password) in cases.items():
                times[name].append(_login(client, token, email, password))
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["live (wrong password)"]
    met = True
    print(f"login medians over {args.tries} tries each (goal: within {GOAL:.0%} of live)")
    for name, median in medians.items():
        difference = median / base - 1
        within = abs(difference) < GOAL
        met &= within
        print(f"  {name:<28} {median * 1000:7.1f} ms  {difference:+6.1%}  "
              f"{'ok' if within else 'NOT within goal'}")
        record(f"login median, {name}", f"{median * 1000:.1f} ms ({difference:+.1%})",
               goal=f"within {GOAL:.0%} of live", met=within)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

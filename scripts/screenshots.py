"""Screenshots of the public pages on a phone (390 × 844) and a desktop (1280 × 800).

    .venv/bin/python scripts/screenshots.py        (or: make screenshots)

Starts Regio on a scratch SQLite database with the demo seed and a few registrations, opens
each page in Debian's Chromium (/usr/bin/chromium, through Playwright from the test extra)
and writes docs/screenshots/<device>-<page>.png. Nothing outside docs/screenshots/ changes.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regio import create_app  # noqa: E402
from regio.db import db  # noqa: E402
from regio.i18n import local_today, meeting_tz  # noqa: E402
from regio.mail.models import OutboxMessage  # noqa: E402
from regio.meetings.seed import seed_meetings  # noqa: E402
from regio.meetings.services import get_meeting  # noqa: E402
from regio.registrations.services import (  # noqa: E402
    Applicant,
    confirm_address,
    find_by_token,
    register,
)
from regio.registrations.tickets import valid_ticket  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DEVICES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def build_site(folder: Path):
    """An app with the four meetings and the people whose pages we show; (app, paths)."""
    app = create_app({
        "REGIO_CONFIG": "development", "SECRET_KEY": "screenshots",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'regio.sqlite3'}",
        "MAIL_URL": f"file://{folder / 'outbox'}", "RATELIMIT_ENABLED": False,
        "REGIO_BASE_URL": "https://regio.example.nl",
        "REGIO_CONTACT_EMAIL": "vragen@opp-project.example.nl",
    })
    now = datetime.now(UTC)
    with app.app_context():
        db.create_all()
        seed_meetings(demo=True, today=local_today())
        db.session.commit()
        zwolle = get_meeting("zwolle")
        waiting = register(zwolle.id, Applicant("Fatima El Amrani", "fatima@ouders.example",
                                                "ouder"), now=now)
        confirmed = register(zwolle.id, Applicant("Anna de Vries", "anna@school.example", "po",
                                                  organisation="OBS De Wilg"), now=now)
        confirm_address(find_by_token(confirmed.token)[0], now=now)
        pupil = register(zwolle.id, Applicant(
            "Sam Jansen", "sam@leerling.example", "leerling", is_under_16=True,
            has_guardian_consent=True, guardian_email="ouder.jansen@thuis.example"), now=now)
        # Rotterdam takes registrations from a week before it, at nine in the morning.
        rotterdam = get_meeting("rotterdam")
        rotterdam.registration_opens_at = datetime.combine(
            rotterdam.date - timedelta(days=7), time(9), tzinfo=meeting_tz())
        db.session.commit()
        guardian_token = db.session.execute(
            db.select(OutboxMessage.payload).where(OutboxMessage.kind == "guardian_notice",
                                                   OutboxMessage.registration_id
                                                   == pupil.registration_id)).scalar_one()["token"]
        paths = {
            "home": "/",
            "meeting": "/bijeenkomsten/zwolle",
            "not-yet-open": "/bijeenkomsten/rotterdam",
            "confirm": f"/aanmelding/{waiting.token}",
            "personal": f"/aanmelding/{confirmed.token}",
            "guardian": f"/toestemming/{guardian_token}",
            "ticket": f"/t/{valid_ticket(confirmed.registration)}",
        }
    return app, paths


@contextmanager
def serving(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log
    with tempfile.TemporaryDirectory() as scratch:
        app, paths = build_site(Path(scratch))
        with serving(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--no-sandbox", "--disable-gpu"])
            for device, viewport in DEVICES.items():
                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                for name, path in paths.items():
                    page.goto(base + path)
                    target = OUT / f"{device}-{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target.relative_to(ROOT))
                context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

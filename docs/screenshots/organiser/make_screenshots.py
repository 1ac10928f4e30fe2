"""Screenshots of the main organiser pages, on a phone (390×844) and a desktop (1280×900).

    .venv/bin/python docs/screenshots/organiser/make_screenshots.py [--out DIR] [--lang en]
        [--full] [--exports]

A fresh SQLite database in a temporary folder gets the four demo meetings and 60 realistic
registrations in Zwolle (Dutch, Turkish, Polish, Arabic and Chinese names, a name that looks
like a formula, a 120-character organisation); Debian's Chromium shows the pages as an
organiser and as door staff see them. `--full` takes whole pages instead of the first screen;
`--exports` also saves the presentielijst, the spreadsheet and the wishes list.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from regio import create_app  # noqa: E402
from regio.db import db  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "voorbeeld-wachtwoord-123"
SIZES = {"telefoon": (390, 844), "desktop": (1280, 900)}
NAMES = [
    "Jan de Vries", "Anna van den Berg", "Pieter Jansen", "Fatima El Amrani", "Ünal Çelik",
    "Ayşe Yılmaz", "Łukasz Wiśniewski", "Małgorzata Kowalska", "Mohammed Bouzid",
    "李华", "王小明", "Lieke 't Hart", "Sanne de Jong", "Kees Aalbers", "Zoë Visser",
    "Anders Ångström", "Søren Bjørnsen", "=HYPERLINK(\"http://x\")", "Noor Bakker",
    "Daan Smit", "Emma Mulder", "Lucas de Groot", "Julia Bos", "Sem Vos", "Tess Peters",
    "Finn Hendriks", "Mila van Leeuwen", "Levi Dekker", "Sophie Brouwer", "Milan de Wit",
    "Yara Dijkstra", "Noah Smits", "Lotte de Graaf", "Bram van der Meer", "Evi van der Linden",
    "Thijs Kok", "Fenna Jacobs", "Ruben de Haan", "Isa Vermeulen", "Jesse van den Heuvel",
    "Saar van der Veen", "Stijn van den Broek", "Roos de Bruijn", "Gijs de Boer",
    "Nina van Dijk", "Hamza Aydın", "Zeynep Öztürk", "Oliwia Nowak", "Kacper Zieliński",
    "محمد العلي", "Yasmina Benali", "Chen Wei 陈伟", "Femke Schouten", "Koen van Vliet",
    "Iris Prins", "Wouter Huisman", "Maud Kuiper", "Joris Post", "Esmee Kramer",
    "Tim van Beek",
]
LONG_ORGANISATION = ("Samenwerkingsverband Passend Onderwijs Voortgezet Onderwijs Regio Zwolle "
                     "en Omstreken, afdeling Ondersteuning en Advies")[:120]
ORGANISATIONS = ["Basisschool De Linde", "Het Lyceum Zwolle", "Stichting Kind en Ouder",
                 "Openbare Basisschool Het Kompas", LONG_ORGANISATION, None]


def populate(app) -> None:
    """Demo meetings, accounts and 60 registrations in Zwolle, through the services."""
    from regio.accounts.services import save_account
    from regio.meetings.seed import seed_meetings
    from regio.registrations.door import check_in
    from regio.registrations.models import ROLES
    from regio.registrations.services import Applicant, cancel, confirm, move, register

    with app.app_context():
        db.create_all()
        meetings = {m.slug: m for m in seed_meetings(demo=True, today=datetime.now(UTC).date())}
        db.session.commit()
        now = datetime.now(UTC)
        for email, role in (("ann@ocw.example.org", "admin"),
                            ("deur@ocw.example.org", "checkin")):
            save_account(email, PASSWORD, role, now=now)
        zwolle = meetings["zwolle"]
        chance = random.Random(14)
        people = []
        for number, name in enumerate(NAMES):
            when = now - timedelta(days=chance.randint(0, 20), hours=chance.randint(0, 23))
            needs = chance.choice([None, None, None, "vegetarisch", "rolstoel, graag een lift",
                                   "glutenvrij", "doof: tolk NGT aanwezig"])
            outcome = register(zwolle.id, Applicant(
                name=name, email=f"deelnemer{number}@school.example.org",
                role=ROLES[number % len(ROLES)], organisation=chance.choice(ORGANISATIONS),
                needs=needs, source=chance.choice(["poster", "brief", "dia", None])), now=when)
            people.append(outcome.registration)
            if number % 7 != 3:
                confirm(outcome.registration, now=when + timedelta(minutes=5))
        db.session.commit()
        for person in people[:12]:
            if person.status == "confirmed":
                check_in(person, now=now, actor="deur@ocw.example.org")
        cancel(people[5], now=now, actor="ann@ocw.example.org")
        move(people[8], meetings["rotterdam"], now=now, actor="ann@ocw.example.org")
        db.session.commit()


def serve(app) -> tuple[str, object]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


ORGANISER_PAGES = [
    ("overzicht", "/beheer/"),
    ("bijeenkomst", "/beheer/bijeenkomsten/zwolle"),
    ("aanmelding", "/beheer/aanmeldingen/9"),
    ("herinneringen", "/beheer/bijeenkomsten/zwolle/herinneringen"),
    ("rapportage", "/beheer/rapportage"),
    ("logboek", "/beheer/logboek"),
]
DOOR_PAGES = [
    ("incheck-start", "/beheer/incheck"),
    ("incheck-lijst", "/beheer/bijeenkomsten/zwolle/incheck"),
    ("incheck-zoeken", "/beheer/bijeenkomsten/zwolle/incheck?q=celik"),
]


def shoot(base: str, out: Path, *, lang: str, full: bool) -> list[Path]:
    from playwright.sync_api import sync_playwright

    made = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for account, pages in (("ann@ocw.example.org", ORGANISER_PAGES),
                               ("deur@ocw.example.org", DOOR_PAGES)):
            for size, (width, height) in SIZES.items():
                context = chromium.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(f"{base}/beheer/inloggen?lang={lang}")
                page.fill("#email", account)
                page.fill("#password", PASSWORD)
                page.locator("form button[type=submit]").last.click()
                page.wait_for_load_state()
                for name, path in pages:
                    page.goto(base + path)
                    target = out / f"{name}-{size}{'' if lang == 'nl' else '-' + lang}.png"
                    page.screenshot(path=str(target), full_page=full)
                    made.append(target)
                context.close()
        chromium.close()
    return made


def save_exports(app, base: str, out: Path) -> list[Path]:
    """The lists as an organiser downloads them."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login = opener.open(f"{base}/beheer/inloggen").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)[1]
    opener.open(f"{base}/beheer/inloggen", data=urllib.parse.urlencode(
        {"email": "ann@ocw.example.org", "password": PASSWORD, "csrf_token": token}).encode())
    made = []
    for path, name in (("deelnemers.pdf", "presentielijst.pdf"),
                       ("deelnemers.pdf?rol=ouder", "presentielijst-ouder.pdf"),
                       ("deelnemers.xlsx", "deelnemers.xlsx"), ("deelnemers.csv", "deelnemers.csv"),
                       ("wensen.pdf", "wensen-lijst.pdf"), ("wensen.xlsx", "wensen.xlsx")):
        data = opener.open(f"{base}/beheer/bijeenkomsten/zwolle/{path}").read()
        target = out / name
        target.write_bytes(data)
        made.append(target)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--lang", choices=("nl", "en"), default="nl")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--exports", action="store_true")
    options = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({
            "REGIO_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.db",
            "MAIL_URL": f"file://{folder}/outbox", "REGIO_BASE_URL": "http://localhost:5000",
            "REGIO_REQUIRE_2FA": False})
        populate(app)
        base, server = serve(app)
        try:
            made = shoot(base, options.out, lang=options.lang, full=options.full)
            if options.exports:
                made += save_exports(app, base, options.out)
        finally:
            server.shutdown()
    for path in made:
        print(path)


if __name__ == "__main__":
    main()

"""The English translation: a complete catalogue in step with the sources, used by the pages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "regio" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# The Makefile's `translations` target passes `-k _l` on top of Babel's own keywords.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")

URL = "/bijeenkomsten/zwolle"
CHECK = "/bijeenkomsten/zwolle/bevestig-je-e-mail"
DUTCH = ("Aanmelden", "Kijk in uw e-mail", "(niet verplicht)", "Bijeenkomsten", "uw gegevens")


def catalogue() -> Catalog:
    with PO.open("rb") as file:
        return read_po(file, locale="en")


def messages(catalog: Catalog) -> list:
    return [message for message in catalog if message.id]


def strings(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def ids(message) -> list[str]:
    return list(message.id) if message.pluralizable else [message.id]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def extracted() -> dict[str | tuple[str, ...], list[str]]:
    """Every message the sources ask for, with where each is used."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as file:
        methods, options = parse_mapping_cfg(file)
    found: dict = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT, methods, options, keywords=KEYWORDS, strip_comment_tags=True):
        if not message:
            continue
        key = message if isinstance(message, str) else tuple(message)
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


# --- the catalogue ---------------------------------------------------------------------------


def test_every_message_has_an_english_text_and_none_is_fuzzy():
    catalog = catalogue()
    assert not catalog.fuzzy, "the catalogue header is marked fuzzy"
    empty = [message.id for message in messages(catalog) if not all(strings(message))]
    fuzzy = [message.id for message in messages(catalog) if message.fuzzy]
    assert not empty, f"untranslated: {empty}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    assert len(messages(catalog)) > 400


def test_placeholders_in_each_translation_match_the_dutch():
    wrong = []
    for message in messages(catalogue()):
        wanted = placeholders(ids(message)[-1])
        for text in strings(message):
            if placeholders(text) != wanted:
                wrong.append((message.id, text))
    assert not wrong, wrong


def test_no_translation_carries_a_dutch_sentence_along():
    """A slip when pasting ("DeleteKomt er een plaats vrij, …") passes every other check."""
    catalog = catalogue()
    dutch = {message.id for message in messages(catalog)
             if isinstance(message.id, str) and len(message.id) >= 30}
    carried = [(message.id, text) for message in messages(catalog)
               for text in strings(message) for sentence in dutch
               if sentence in text and sentence not in ids(message)]
    assert not carried, carried


def test_babel_finds_no_problems_in_the_catalogue():
    problems = [(message.id, [str(error) for error in errors])
                for message, errors in catalogue().check()]
    assert not problems, problems


def test_committed_mo_is_a_fresh_compile_of_the_po():
    compiled = io.BytesIO()
    write_mo(compiled, catalogue(), use_fuzzy=True)
    assert MO.exists(), "run `make regio/translations/en/LC_MESSAGES/messages.mo`"
    assert MO.read_bytes() == compiled.getvalue(), (
        "messages.mo is out of date: run `pybabel compile --use-fuzzy -d regio/translations "
        "-D messages` and commit the .mo with the .po")


def test_catalogue_is_in_step_with_the_sources():
    catalog = catalogue()
    known = {message.id if isinstance(message.id, str) else tuple(message.id)
             for message in messages(catalog)}
    found = extracted()
    missing = {key: where for key, where in found.items() if key not in known}
    assert not missing, (
        "messages used in the sources but not in the English catalogue (run `make "
        "translations` and translate them):\n" + "\n".join(
            f"  {key!r}  ({', '.join(where[:3])})" for key, where in missing.items()))
    assert len(found) == len(known), (
        "catalogue entries no source uses any more (run `make translations`): "
        f"{sorted(map(str, known - set(found)))}")


def test_extraction_reads_templates_and_the_package_but_not_tests_venv_or_bench():
    files = {where.split(":")[0].split("/")[0] for where_list in extracted().values()
             for where in where_list}
    assert files == {"regio", "templates"}


# --- the pages ---------------------------------------------------------------------------------


class Visitor:
    """The test client with a fresh app context per request, as in production.

    The `app` fixture keeps one app context open for the whole test, and Flask-Babel caches the
    chosen locale in `g`, which lives there: without this, every request in a test would keep
    the language of the first one.
    """

    def __init__(self, app, client) -> None:
        self.app, self.client = app, client

    def get(self, url: str, **kwargs):
        with self.app.app_context():
            return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs):
        with self.app.app_context():
            return self.client.post(url, **kwargs)

    def page(self, url: str) -> str:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def registration(self, **changes) -> dict:
        with self.app.app_context():
            token = csrf_token(self.client, URL)
        data = {"name": "Anna de Vries", "email": "anna@school.nl", "role": "po",
                "organisation": "", "needs": "", "consent": "y"}
        return {"csrf_token": token, **data, **changes}


@pytest.fixture
def visitor(app, client, meetings) -> Visitor:
    return Visitor(app, client)


def assert_english(page: str, *phrases: str) -> None:
    assert '<html lang="en">' in page
    for phrase in phrases:
        assert phrase in page, phrase
    for dutch in DUTCH:
        assert dutch not in page, dutch


def test_index_in_english(visitor):
    page = visitor.page("/?lang=en")
    assert_english(page, "Regional meetings about the development perspective plan (OPP)",
                   "Register", "time to be announced", "address to be announced",
                   "What do we want to achieve?")
    assert "Thursday" in page and "donderdag" not in page  # dates written out in English


def test_meeting_page_and_form_in_english(visitor):
    page = visitor.page(URL + "?lang=en")
    assert_english(page, "Regional meeting in Zwolle", "(optional)", "Email address",
                   "I work in primary education (po)", "I work in specialised education (go)",
                   "I consent to my data being used for this meeting",
                   "We will erase your data on", "Read the privacy statement")
    assert "Ik werk in het" not in page


def test_form_errors_in_english(visitor):
    visitor.get(URL + "?lang=en")
    data = visitor.registration(name="", email="geen-adres", role="", consent="")
    response = visitor.post(URL, data=data)
    assert 200 <= response.status_code < 500
    page = response.get_data(as_text=True)
    assert_english(page, "Something has not been filled in correctly", "Enter your name.",
                   "Enter a valid email address", "Choose who you are.",
                   "Please give your consent")
    for dutch in ("Er is iets niet goed ingevuld", "Vul uw naam in", "Kies wie u bent",
                  "Geef toestemming"):
        assert dutch not in page


def test_check_email_page_in_english(visitor):
    visitor.get(URL + "?lang=en")
    response = visitor.post(URL, data=visitor.registration())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(CHECK)
    assert_english(visitor.page(CHECK), "Check your email",
                   "Thank you for registering for the regional meeting in Zwolle.", "junk mail")


@pytest.mark.parametrize(("path", "phrases", "dutch"), [
    ("/privacy", ("Privacy statement",
                  "The Ministry of Education, Culture and Science (OCW) is the controller",
                  "Article 6(1)(a) GDPR",
                  "the Dutch Data Protection Authority (Autoriteit Persoonsgegevens)"),
     "verwerkingsverantwoordelijke"),
    ("/toegankelijkheid", ("Accessibility statement", "WCAG 2.1 at level AA",
                           "plain Dutch (language level B1) and also in English"),
     "Toegankelijkheidsverklaring"),
])
def test_statements_in_english(visitor, path, phrases, dutch):
    page = visitor.page(path + "?lang=en")
    assert_english(page, *phrases)
    assert dutch not in page


def test_dutch_is_the_default(visitor):
    response = visitor.get("/")
    page = response.get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Aanmelden" in page and "Regional meetings" not in page
    assert "regio_lang" not in response.headers.get("Set-Cookie", "")


def test_unknown_language_falls_back_to_dutch(visitor):
    response = visitor.get("/?lang=xx")
    assert '<html lang="nl">' in response.get_data(as_text=True)
    assert "regio_lang" not in response.headers.get("Set-Cookie", "")


def test_cookie_keeps_the_choice_until_it_is_changed(visitor):
    first = visitor.get("/?lang=en")
    assert "regio_lang=en" in first.headers["Set-Cookie"]
    assert_english(visitor.page(URL), "Regional meeting in Zwolle")
    assert_english(visitor.page("/privacy"), "Privacy statement")
    back = visitor.page("/?lang=nl")
    assert '<html lang="nl">' in back and "Aanmelden" in back
    assert '<html lang="nl">' in visitor.page(URL)


def test_cookie_alone_chooses_english(visitor):
    visitor.client.set_cookie("regio_lang", "en")
    assert_english(visitor.page("/toegankelijkheid"), "Accessibility statement")


def test_mail_for_an_english_registration_is_in_english(app, meetings, now):
    from regio.db import db
    from regio.mail.messages import build_message
    from regio.mail.models import OutboxMessage
    from regio.registrations.services import Applicant, register

    register(meetings["zwolle"].id, Applicant(name="Anna", email="anna@school.test", role="vo",
                                           locale="en"), now=now)
    db.session.commit()
    (row,) = db.session.execute(db.select(OutboxMessage)).scalars()
    mail = build_message(row, now=now)
    body = mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Confirm your registration: regional meeting in Zwolle"
    for phrase in ("Dear Anna,", "within 48 hours", "Your personal link", "Kind regards,",
                   "time to be announced"):
        assert phrase in body, phrase
    for dutch in ("Beste", "Met vriendelijke groet", "persoonlijke link", "tijd volgt"):
        assert dutch not in body, dutch

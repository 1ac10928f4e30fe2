"""Nothing a visitor sends makes a 5xx: every route of the URL map, every method it accepts,
anonymous and as every role, with hostile path parameters and hostile bodies."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from werkzeug.datastructures import MultiDict

from regio.db import db
from regio.registrations.models import Registration
from regio.registrations.services import add_personal_link
from tests.conftest import csrf_token
from tests.organiser_support import fresh, logged_in, new_client
from tests.test_access import url_values  # noqa: F401  (fixture: real objects for every URL)

pytestmark = pytest.mark.slow

ROLES = ("checkin", "organiser", "admin")
# Raw path segments: already quoted where they must be, so the client sends them as written.
HOSTILE_SEGMENTS = [
    "%00", "zwolle%00", "%ff", "%c3%28", "x" * 10_000, "..", "..%2F..%2Fetc%2Fpasswd",
    str(2**63), str(2**31), "99999999999999999999", "-1", "0", quote("😀"), quote("ǅ\u200b"),
    "%0d%0aSet-Cookie:%20x=1", quote("<script>"), "%25",
]
FIELDS = ("name", "email", "role", "organisation", "needs", "consent", "under_16",
          "guardian_consent", "guardian_email", "bron", "password", "q", "meeting", "target",
          "start", "end", "date", "capacity", "venue", "address", "is_open", "confirmed",
          "key", "campaign", "subject", "message", "code", "besluit", "slug", "title", "city",
          "ronde_1", "ronde_2", "ronde", "workshop", "start_time", "end_time", "description",
          "registration_opens", "registration_closes", "registration_opens_at",
          "registration_closes_at", "opens_on", "opens_time", "round", "roles", "room",
          "speaker", "current")
# '¹²³⁴⁵⁶' passes str.isdigit() but not int() or hmac.compare_digest.
HOSTILE_VALUES = ["\x00", "a\x00b", "x" * 10_000, "😀" * 50, "=cmd|' /C calc'!A0", "-1", "¹²³⁴⁵⁶",
                  "9999-12-31", "0001-01-01T00:00",
                  str(2**63), "{\"$gt\": \"\"}", "../../etc/passwd", "\ud800".encode(
                      "utf-8", "surrogatepass").decode("latin-1"), " ", ""]
JSON_BODIES = ['"str"', "[1, 2]", "null", "123", '{"email": {"ab": 1}}',
               '{"name": {"$gt": ""}, "email": ["a@b.nl"]}', "{", "\x00"]
NAMED = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
NEVER_WALKED_LOGGED_IN = {"organiser.logout"}  # it would end the session under test


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def fill(rule, values: dict, hostile: str | None = None) -> str:
    """The rule's path with real values, or with `hostile` written raw in every parameter."""
    def value(match):
        return hostile if hostile is not None else quote(str(values[match[1]]), safe="")
    return NAMED.sub(value, rule.rule)


def bodies(token: str):
    """(description, request keyword arguments) for one POST each."""
    for value in HOSTILE_VALUES:
        yield f"form {value[:12]!r}", {"data": {"csrf_token": token,
                                                **dict.fromkeys(FIELDS, value)}}
    yield "repeated fields", {"data": MultiDict([("csrf_token", token), *[
        (field, value) for field in FIELDS for value in ("a", "b", "")]])}
    yield "file parts", {"data": {"csrf_token": token, **{
        field: (io.BytesIO(b"\x00\xff" * 100), "x.txt") for field in FIELDS}},
        "content_type": "multipart/form-data"}
    for body in JSON_BODIES:
        yield f"json {body[:12]!r}", {"data": body, "content_type": "application/json"}
    yield "wrong charset", {"data": b"name=\xff\xfe&email=%ff%fe@x.nl&csrf_token=" +
                            token.encode(), "content_type":
                            "application/x-www-form-urlencoded; charset=latin-1"}
    yield "unknown type", {"data": b"\x00\x01\x02", "content_type": "application/x-whatever"}
    yield "10 MB", {"data": b"a=" + b"x" * (10 * 1024 * 1024),
                    "content_type": "application/x-www-form-urlencoded"}


@pytest.fixture
def values(app, meetings, url_values):  # noqa: F811
    registration = db.session.get(Registration, url_values["registration_id"])
    token = add_personal_link(registration, now=datetime.now(UTC))
    db.session.commit()
    return {**url_values, "token": token, "bron": "poster"}


def clients(app, make_organiser):
    yield "anonymous", new_client(app)
    for role in ROLES:
        fresh()  # the requests before wrote: a new account needs a current snapshot
        yield role, logged_in(app, make_organiser, role)


def test_no_route_answers_5xx_to_hostile_input(app, make_organiser, values):
    failures, made = [], 0

    def check(who, method, url, response, what):
        nonlocal made
        made += 1
        if response.status_code >= 500:
            failures.append((who, method, url[:80], what, response.status_code))

    for who, client in clients(app, make_organiser):
        # The walk cancels meetings and registrations: take the token from a page that
        # always has a form.
        token = csrf_token(client, "/beheer/inloggen" if who == "anonymous" else "/beheer/incheck")
        for rule, method in routes(app):
            if who != "anonymous" and rule.endpoint in NEVER_WALKED_LOGGED_IN:
                continue
            segments = HOSTILE_SEGMENTS if rule.arguments else [None]
            for hostile in segments:
                url = fill(rule, values, hostile)
                response = client.open(url, method=method, data={"csrf_token": token})
                check(who, method, url, response, f"path {hostile and hostile[:12]!r}")
            if method != "POST":
                continue
            url = fill(rule, values)
            for what, kwargs in bodies(token):
                check(who, method, url, client.post(url, **kwargs), what)
    print(f"\nhostile input: {made} requests, {len(failures)} answered 5xx")
    assert not failures, failures[:20]
    assert made > 2_000


def test_json_and_file_parts_are_a_form_with_nothing_filled_in(client, meetings):
    """The registration form answers with its own Dutch messages, not a 500 or a crash."""
    token = csrf_token(client, "/bijeenkomsten/zwolle")
    for kwargs in ({"data": json.dumps({"name": {"$gt": ""}, "email": {"ab": 1}}),
                    "content_type": "application/json"},
                   {"data": {"csrf_token": token, "consent": "y", "role": "po",
                             "name": (io.BytesIO(b"Jan"), "naam.txt"),
                             "email": (io.BytesIO(b"a@b.nl"), "mail.txt")},
                    "content_type": "multipart/form-data"}):
        response = client.post("/bijeenkomsten/zwolle", **kwargs)
        assert response.status_code in (200, 400, 422), response.status_code
        page = response.get_data(as_text=True)
        assert "Vul uw naam in." in page or "verlopen" in page


def test_a_nul_in_a_form_field_gets_a_message_beside_it(client, meetings):
    token = csrf_token(client, "/bijeenkomsten/zwolle")
    response = client.post("/bijeenkomsten/zwolle", data={
        "csrf_token": token, "name": "Jan", "email": "jan\x00@school.nl", "role": "po",
        "consent": "y"})
    assert response.status_code == 422
    assert "geldig e-mailadres" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/beheer/aanmeldingen/2147483648",
                                  "/beheer/aanmeldingen/99999999999999999999",
                                  "/bijeenkomsten/%00", "/r/%00", "/bijeenkomsten/%00.ics",
                                  "/aanmelding/%00"])
def test_impossible_path_parameters_are_not_found(client, meetings, path):
    assert client.get(path).status_code == 404


def test_a_control_character_in_the_query_string_is_a_bad_request(client, meetings):
    assert client.get("/bijeenkomsten/zwolle?bron=%00").status_code == 400
    assert client.get("/bijeenkomsten/zwolle?bron=poster").status_code == 200

"""No link or redirect takes its host from the request: a forged Host or X-Forwarded-Host
never comes back in a Location header or a page."""

from __future__ import annotations

import pytest

from regio.db import db
from regio.registrations.models import Registration
from regio.registrations.services import add_personal_link
from regio.web import trusted_hosts
from tests.conftest import make_app
from tests.organiser_support import logged_in
from tests.test_access import url_values  # noqa: F401  (fixture: real objects for every URL)
from tests.test_hostile_input import fill

EVIL = "evil.example"


@pytest.fixture
def app_settings():
    return {"REGIO_PROXY_FIX": 1}


def variants(path: str):
    """The path as written, with doubled slashes (Werkzeug merges them with a redirect) and
    with a trailing slash."""
    yield path
    yield path.replace("/", "//")
    yield "/" + path.lstrip("/").replace("/", "//", 1)
    yield path.rstrip("/") + "/"


def test_no_route_sends_a_visitor_to_a_forged_host(app, make_organiser, meetings,
                                                   url_values):  # noqa: F811
    registration = db.session.get(Registration, url_values["registration_id"])
    values = {**url_values, "bron": "poster",
              "token": add_personal_link(registration, now=meetings["zwolle"].created_at)}
    db.session.commit()
    leaks, made = [], 0
    for client in (app.test_client(), logged_in(app, make_organiser, "admin")):
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            for path in variants(fill(rule, values)):
                for headers in ({"Host": EVIL}, {"X-Forwarded-Host": EVIL},
                                {"Host": EVIL, "X-Forwarded-Host": EVIL}):
                    response = client.get(path, headers=headers)
                    made += 1
                    data = response.get_data()
                    response.close()  # a file answer (the favicon) holds its file until closed
                    body = data if response.mimetype.startswith("text") else b""
                    if EVIL in response.headers.get("Location", "") or EVIL.encode() in body:
                        leaks.append((path, headers, response.status_code,
                                      response.headers.get("Location")))
    assert made > 300
    assert not leaks, leaks[:10]


def test_a_merged_slash_redirect_stays_on_the_site(client, meetings):
    response = client.get("/r//zwolle", headers={"Host": EVIL})
    assert response.status_code == 308
    assert response.headers["Location"] == "/r/zwolle"


def test_trusted_hosts_refuse_other_hosts(tmp_path, database_url):
    app = make_app(database_url, tmp_path, REGIO_TRUSTED_HOSTS="regio.example.nl, www.regio.nl")
    assert trusted_hosts(app.config) == ["regio.test", "regio.example.nl", "www.regio.nl"]
    client = app.test_client()
    assert client.get("/privacy", headers={"Host": EVIL}).status_code == 400
    assert client.get("/privacy", headers={"Host": "www.regio.nl"}).status_code == 200

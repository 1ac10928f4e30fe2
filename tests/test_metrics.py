"""`/metrics`: refused without the token; its figures move when people register and mail goes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families

from regio import create_app
from regio.db import utc_now
from tests.conftest import csrf_token, make_app
from tests.test_mail_flow import send_all

TOKEN = "s3cret-metrics-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app_settings() -> dict:
    return {"REGIO_METRICS_TOKEN": TOKEN}


def scrape(client) -> dict:
    """{(sample name, frozenset of labels): value} of one scrape."""
    answer = client.get("/metrics", headers=AUTH)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def register(client, email: str):
    url = "/bijeenkomsten/zwolle"
    answer = client.post(url, data={"csrf_token": csrf_token(client, url), "name": "Anna",
                                    "email": email, "role": "po", "consent": "y"})
    assert answer.status_code == 303
    answer.close()  # as a server does: the request is counted when its answer is closed


def test_metrics_is_404_without_a_configured_token(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path)
    assert app.test_client().get("/metrics", headers=AUTH).status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer"])
def test_metrics_is_refused_without_the_right_token(client, meetings, header):
    headers = {"Authorization": header} if header else {}
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert b"regio_" not in answer.data


def test_registration_and_sent_mail_move_the_figures(client, meetings, smtp_server):
    before = scrape(client)
    assert value(before, "regio_database_up") == 1
    assert value(before, "regio_registrations", meeting="zwolle", status="held") == 0

    register(client, "anna@school.nl")
    queued = scrape(client)
    assert value(queued, "regio_registrations", meeting="zwolle", status="held") == 1
    assert value(queued, "regio_meeting_places_taken", meeting="zwolle") == 1
    assert value(queued, "regio_outbox_messages", state="queued") == 1
    posted = dict(endpoint="public.register_post", method="POST", status="303")
    assert (value(queued, "regio_http_requests_total", **posted)
            == value(before, "regio_http_requests_total", **posted) + 1)
    timed = dict(endpoint="public.register_post")
    assert (value(queued, "regio_http_request_duration_seconds_count", **timed)
            == value(before, "regio_http_request_duration_seconds_count", **timed) + 1)

    assert send_all(smtp_server, now=utc_now()) == 1
    sent = scrape(client)
    assert value(sent, "regio_outbox_messages", state="queued") == 0
    assert value(sent, "regio_outbox_oldest_queued_age_seconds") == 0
    assert value(sent, "regio_mail_sent_total") == value(queued, "regio_mail_sent_total") + 1
    assert value(sent, "regio_mail_send_errors_total") == 0


def test_oldest_queued_mail_ages_and_errors_are_counted(client, meetings, smtp_server):
    register(client, "bert@school.nl")
    smtp_server.handler.replies.append("451 4.3.0 try later")
    assert send_all(smtp_server, now=utc_now()) == 0
    with time_machine.travel(utc_now() + timedelta(minutes=10), tick=False):
        retried = scrape(client)
    assert value(retried, "regio_mail_send_errors_total") == 1
    assert value(retried, "regio_outbox_messages", state="queued") == 1
    assert 590 < value(retried, "regio_outbox_oldest_queued_age_seconds") < 610

    smtp_server.handler.replies.append("550 5.1.1 mailbox unknown")
    assert send_all(smtp_server, now=utc_now() + timedelta(minutes=5)) == 0
    failed = scrape(client)
    assert value(failed, "regio_mail_send_errors_total") == 2
    assert value(failed, "regio_outbox_messages", state="failed") == 1
    assert value(failed, "regio_outbox_oldest_queued_age_seconds") == 0


def test_a_database_that_does_not_answer_is_a_figure_not_an_error(tmp_path):
    # A folder where the database file should be: SQLite cannot open it.
    app = create_app({"REGIO_CONFIG": "testing", "REGIO_METRICS_TOKEN": TOKEN,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}"})
    samples = scrape(app.test_client())
    assert value(samples, "regio_database_up") == 0
    assert not any(name == "regio_registrations" for name, _labels in samples)


def test_unknown_methods_do_not_grow_the_labels(client, meetings):
    for method in ("BREW", "PROPFIND"):
        client.open("/", method=method).close()
    methods = {dict(labels)["method"] for name, labels in scrape(client)
               if name == "regio_http_requests_total"}
    assert "other" in methods
    assert not methods & {"BREW", "PROPFIND"}

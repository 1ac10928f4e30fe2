"""Observing a real gunicorn server: counts over all its workers, and the JSON request log."""

from __future__ import annotations

import json
import re
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.harness import Session, serve
from tests.test_concurrency import TOKEN_RE

METRICS_TOKEN = "metrics-token-for-the-server-test"
LINK_RE = re.compile(r"/aanmelding/([A-Za-z0-9_-]{20,})")
HEALTH_CHECKS = 40


def request_count(base_url: str, endpoint: str, method: str, status: str) -> float:
    session = Session(base_url)  # a new connection: any worker may answer
    try:
        answer = session.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    finally:
        session.close()
    assert answer.status == 200
    total = 0.0
    for family in text_string_to_metric_families(answer.body.decode()):
        for sample in family.samples:
            if sample.name == "regio_http_requests_total" and sample.labels == {
                    "endpoint": endpoint, "method": method, "status": status}:
                total += sample.value
    return total


def wait_for(probe, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (result := probe()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return result


def personal_token(outbox: Path) -> str:
    (mail,) = outbox.glob("*.eml")
    message = message_from_bytes(mail.read_bytes(), policy=policy.default)
    return LINK_RE.search(message.get_body(("plain",)).get_content())[1]


@pytest.mark.slow
def test_counts_add_up_over_workers_and_the_json_log_holds_no_personal_data():
    env = {"REGIO_LOG_FORMAT": "json", "REGIO_METRICS_TOKEN": METRICS_TOKEN,
           "RATELIMIT_ENABLED": "true", "REGIO_LIMIT_REGISTER_IP": "1000 per minute"}
    with serve(backend="sqlite", workers=2, threads=2, env=env) as server:
        before = request_count(server.base_url, "public.healthz", "GET", "200")  # start-up's
        for _ in range(HEALTH_CHECKS):
            session = Session(server.base_url)
            assert session.get("/healthz").status == 200
            session.close()
        # A request is counted once its answer is sent: the last one may still be coming.
        expected = before + HEALTH_CHECKS
        wait_for(lambda: request_count(server.base_url, "public.healthz", "GET", "200")
                 == expected)
        # Each scrape may reach either worker; each must see the requests of both.
        for _ in range(4):
            assert request_count(server.base_url, "public.healthz", "GET", "200") == expected

        visitor = Session(server.base_url)
        page = visitor.get("/bijeenkomsten/zwolle?bron=poster")
        posted = visitor.post("/bijeenkomsten/zwolle", data={
            "csrf_token": TOKEN_RE.search(page.body)[1].decode(), "name": "Anna de Vries",
            "email": "anna.devries@school.nl", "role": "po", "consent": "y"})
        assert posted.status == 303
        visitor.close()
        server.regio("mail", "send", "--once")
        token = personal_token(Path(server.env["MAIL_URL"].removeprefix("file://")))
        reader = Session(server.base_url)
        personal = reader.get(f"/aanmelding/{token}?utm=secret-query",
                              headers={"X-Request-ID": "proxy-request-0001"})
        reader.close()
        assert personal.status == 200
        assert personal.headers["X-Request-ID"] == "proxy-request-0001"
        log = wait_for(lambda: '"public.personal"' in server.log.read_text() and
                       server.log.read_text())

    assert "[WARNING] RATELIMIT_STORAGE_URI is memory:// with 2 workers" in log
    for secret in (token, "anna", "devries", "secret-query", "poster"):
        assert secret not in log.lower()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert sum(line["endpoint"] == "public.healthz" for line in lines) == expected
    (post_line,) = [line for line in lines if line["endpoint"] == "public.register_post"]
    assert post_line["method"] == "POST" and post_line["status"] == 303
    assert post_line["route"] == "/bijeenkomsten/<slug>"
    assert post_line["duration_ms"] > 0 and len(post_line["request_id"]) == 32
    (personal_line,) = [line for line in lines if line["endpoint"] == "public.personal"]
    assert personal_line["route"] == "/aanmelding/<token>"
    assert personal_line["request_id"] == "proxy-request-0001"
    assert set(personal_line) == {"time", "request_id", "method", "endpoint", "route",
                                  "status", "duration_ms"}

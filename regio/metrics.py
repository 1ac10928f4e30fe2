"""`/metrics`: Regio's state in the Prometheus text format, for the operators' monitoring.

Two kinds of figures, each gathered where it is right with several app servers:

- What Regio holds (registrations per meeting and status, the outbox, mail sent and failed
  attempts) is read from the database at scrape time. Every app server answers the same
  numbers, and the mail senders, which serve no HTTP, are counted through the rows they mark.
- What one server did (requests and their latency per endpoint) is counted in the server.
  A gunicorn server runs several worker processes and a scrape reaches one of them, so the
  counts go through prometheus_client's multiprocess mode: each worker writes its own file in
  PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py makes one) and a scrape adds them up. Without that
  variable (the development server, tests) the process counts in memory. Prometheus scrapes
  each app server on its own and sums over them.
"""

from __future__ import annotations

import hmac
import os
from datetime import datetime

from flask import Flask, Response, abort, current_app, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select

from regio.db import db, utc_now
from regio.mail.models import OutboxMessage, OutboxState
from regio.meetings.models import Meeting
from regio.registrations.models import Registration, Status

# Created without a registry: each scrape builds its own (see `_registry`).
REQUESTS = Counter("regio_http_requests", "HTTP requests answered, by endpoint.",
                   ("endpoint", "method", "status"), registry=None)
LATENCY = Histogram("regio_http_request_duration_seconds",
                    "Time from a request's arrival to the last byte of its answer.",
                    ("endpoint",), registry=None,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0))

# Methods outside this set are counted as "other": the label must not grow with what
# clients send.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
QUEUE_STATES = (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.FAILED)


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else "other"


def count_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(endpoint, method_label(method), str(status)).inc()
    LATENCY.labels(endpoint).observe(seconds)


def database_families(*, now: datetime) -> list:
    """The figures read from the database; `regio_database_up` 0 when it does not answer."""
    up = GaugeMetricFamily("regio_database_up", "1 when the database answered this scrape.")
    try:
        families = _registration_families() + _outbox_families(now)
    except Exception:  # an unreachable database is a figure here, never a failed scrape
        db.session.rollback()
        current_app.logger.warning("metrics: the database did not answer", exc_info=True)
        up.add_metric([], 0)
        return [up]
    finally:
        db.session.remove()
    up.add_metric([], 1)
    return [up, *families]


def _registration_families() -> list:
    registrations = GaugeMetricFamily(
        "regio_registrations", "Registrations by meeting and status.",
        labels=("meeting", "status"))
    capacity = GaugeMetricFamily("regio_meeting_capacity", "Places of a meeting (when capped).",
                                 labels=("meeting",))
    taken = GaugeMetricFamily("regio_meeting_places_taken", "Places held or confirmed.",
                              labels=("meeting",))
    counts = {(slug, status): n for slug, status, n in db.session.execute(
        select(Meeting.slug, Registration.status, func.count())
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .group_by(Meeting.slug, Registration.status))}
    for slug, places, in_use in db.session.execute(
            select(Meeting.slug, Meeting.capacity, Meeting.taken).order_by(Meeting.slug)):
        for status in Status.ALL:  # every series present, zeros too, so alerts see them
            registrations.add_metric([slug, status], counts.get((slug, status), 0))
        if places is not None:
            capacity.add_metric([slug], places)
        taken.add_metric([slug], in_use)
    return [registrations, capacity, taken]


def _outbox_families(now: datetime) -> list:
    rows = {state: (n, oldest, attempts) for state, n, oldest, attempts in db.session.execute(
        select(OutboxMessage.state, func.count(), func.min(OutboxMessage.created_at),
               func.coalesce(func.sum(OutboxMessage.attempts), 0))
        .group_by(OutboxMessage.state))}
    messages = GaugeMetricFamily("regio_outbox_messages", "Mail in the outbox by state.",
                                 labels=("state",))
    for state in QUEUE_STATES:
        messages.add_metric([state], rows.get(state, (0,))[0])
    oldest = rows.get(OutboxState.QUEUED, (0, None))[1]
    age = GaugeMetricFamily(
        "regio_outbox_oldest_queued_age_seconds",
        "Age of the oldest mail still waiting to be sent (0 when none waits).")
    age.add_metric([], max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
    # Both counters come from rows, which `regio purge` deletes with their registrations:
    # Prometheus then sees a counter reset, as after a restart.
    sent = CounterMetricFamily("regio_mail_sent", "Mail accepted by the SMTP server.")
    sent.add_metric([], rows.get(OutboxState.SENT, (0,))[0])
    errors = CounterMetricFamily(
        "regio_mail_send_errors", "Failed send attempts (retried later, or failed for good).")
    errors.add_metric([], sum(attempts for _n, _oldest, attempts in rows.values()))
    return [messages, age, sent, errors]


class _Fixed:
    """A collector that hands over figures gathered before the registry asks."""

    def __init__(self, families: list) -> None:
        self.families = families

    def collect(self):
        return self.families


def _registry(families: list) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(_Fixed(families))
    return registry


def _authorised() -> bool:
    """The bearer token matches REGIO_METRICS_TOKEN; without a configured token: 404."""
    expected = current_app.config.get("REGIO_METRICS_TOKEN")
    if not expected:
        abort(404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), expected.encode())


def metrics_view():
    if not _authorised():
        return Response("", 401, {"WWW-Authenticate": 'Bearer realm="regio-metrics"'})
    body = generate_latest(_registry(database_families(now=utc_now())))
    return Response(body, 200, {"Content-Type": CONTENT_TYPE_LATEST,
                                "Cache-Control": "no-store"})


def register_metrics(app: Flask) -> None:
    app.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])

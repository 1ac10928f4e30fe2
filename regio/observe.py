"""Per-request observation: a request id, counts and latency for `/metrics`, the JSON log.

A WSGI middleware around the app times each request from its arrival to the last byte of its
answer (streamed exports included) and knows its status even when the app raised. Which
endpoint answered is known only inside Flask, so a hook leaves it in the WSGI environment.

`REGIO_LOG_FORMAT=json` writes one line per request to standard error (gunicorn's error log):
request id, endpoint, route pattern, method, status and duration. The route is the rule
(`/aanmelding/<token>`), never the path, and no query string, address or header is logged:
personal links and tokens stay out of the logs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, request
from werkzeug.wsgi import ClosingIterator

from config import ConfigError
from regio.metrics import count_request, method_label, register_metrics

REQUEST_LOGGER = "regio.requests"
ENDPOINT_KEY = "regio.endpoint"
ROUTE_KEY = "regio.route"
REQUEST_ID_KEY = "regio.request_id"
# A request id set by the reverse proxy is kept when it looks like one (and cannot carry
# anything else into the log); otherwise Regio makes its own.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_record(*, request_id: str, method: str, endpoint: str, route: str | None,
                   status: int, seconds: float, at: datetime) -> dict:
    """What the JSON log says about one request."""
    return {
        "time": at.isoformat(timespec="milliseconds"), "request_id": request_id,
        "method": method, "endpoint": endpoint, "route": route, "status": status,
        "duration_ms": round(seconds * 1000, 2),
    }


class RequestObserver:
    """WSGI middleware: request id, metrics, and (with a logger) one JSON line per request."""

    def __init__(self, wsgi_app, *, logger: logging.Logger | None) -> None:
        self.wsgi_app = wsgi_app
        self.logger = logger

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = given if REQUEST_ID_RE.fullmatch(given) else uuid.uuid4().hex
        environ[REQUEST_ID_KEY] = request_id
        answer = {"status": 500}

        def observed_start(status, headers, exc_info=None):
            answer["status"] = int(status.split(" ", 1)[0])
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, observed_start)
        except BaseException:
            self._finish(environ, started, answer)
            raise
        return ClosingIterator(body, lambda: self._finish(environ, started, answer))

    def _finish(self, environ, started: float, answer: dict) -> None:
        seconds = time.perf_counter() - started
        endpoint = environ.get(ENDPOINT_KEY) or "unmatched"
        method = environ.get("REQUEST_METHOD", "")
        count_request(endpoint, method, answer["status"], seconds)
        if self.logger is not None:
            self.logger.info(json.dumps(request_record(
                request_id=environ[REQUEST_ID_KEY], method=method_label(method), endpoint=endpoint,
                route=environ.get(ROUTE_KEY), status=answer["status"], seconds=seconds,
                at=datetime.now(UTC))))


def _json_logger() -> logging.Logger:
    logger = logging.getLogger(REQUEST_LOGGER)
    if not logger.handlers:  # one handler per process, however many apps it builds
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # the line is the record: no second copy in another format
    return logger


def register_observability(app: Flask) -> None:
    """`/metrics`, the request timing around the app and, when asked for, the JSON log."""
    register_metrics(app)

    @app.after_request
    def _note_endpoint(response):
        rule = request.url_rule
        request.environ[ENDPOINT_KEY] = request.endpoint
        request.environ[ROUTE_KEY] = rule.rule if rule is not None else None
        return response

    log_format = (app.config.get("REGIO_LOG_FORMAT") or "text").strip().lower()
    if log_format not in ("text", "json"):
        raise ConfigError(f"REGIO_LOG_FORMAT={log_format!r} is unknown; use text or json")
    logger = _json_logger() if log_format == "json" else None
    app.wsgi_app = RequestObserver(app.wsgi_app, logger=logger)

"""The `register_*` steps of the app factory."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, jsonify, redirect, render_template, request, session
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from config import PROJECT_ROOT
from regio import i18n, routing
from regio.db import RETRY_AFTER_SECONDS, configure_sqlite, db
from regio.extensions import babel, csrf, limiter, login_manager, migrate

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def register_extensions(app: Flask) -> None:
    routing.install(app.url_map)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "organiser.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    trusted = trusted_hosts(app.config)
    if trusted:
        app.config["TRUSTED_HOSTS"] = trusted
    if app.config.get("REGIO_PROXY_FIX"):
        hops = int(app.config["REGIO_PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from regio import models  # noqa: F401  (the whole schema, for Alembic and create_all)

    login_manager.user_loader(_load_user)


def _load_user(user_id: str):
    """The account of a session, while its version, idle and absolute limits hold.

    Module-level and reading `current_app`: the login manager is one object for every app in
    the process, and a closure over one app would keep that app (and its database lock) alive.
    """
    from regio.accounts import sessions
    from regio.accounts.models import Organiser

    account_id, _, version = user_id.partition(":")
    if not account_id.isdigit():
        return None
    account = db.session.get(Organiser, int(account_id))
    if account is None or str(account.session_version) != version:
        return None
    now = time.time()
    config = current_app.config
    idle = timedelta(minutes=config["REGIO_SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=config["REGIO_SESSION_MAX_HOURS"])
    if not sessions.is_current(session, now=now, idle=idle, absolute=absolute):
        return None
    sessions.touch(session, now=now)
    return account


def trusted_hosts(config) -> list[str]:
    """REGIO_TRUSTED_HOSTS (comma-separated) plus the host of REGIO_BASE_URL; empty: any host.

    With a list, Flask answers 400 to a request for another Host. Either way no redirect
    carries the request's host (`_no_foreign_location`).
    """
    extra = [host.strip() for host in (config.get("REGIO_TRUSTED_HOSTS") or "").split(",")]
    extra = [host for host in extra if host]
    if not extra:
        return []
    return [urlsplit(config["REGIO_BASE_URL"]).hostname or "localhost", *extra]


def _ensure_sqlite_folder(url: str) -> None:
    path = url.removeprefix("sqlite:///")
    if path and path != url and not path.startswith(":memory:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def register_blueprints(app: Flask) -> None:
    from regio.organiser import bp as organiser_bp
    from regio.public.views import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(organiser_bp)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _refuse_control_characters():
        # No route reads a control character from the query string; a NUL would reach the
        # database (PostgreSQL refuses it with an error). Form fields are checked by the forms.
        for key, value in request.args.items(multi=True):
            if CONTROL_CHARACTERS.search(key) or CONTROL_CHARACTERS.search(value):
                abort(400)

    @app.after_request
    def _security_headers(response):
        response = _no_foreign_location(response, app.config["REGIO_BASE_URL"])
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("REGIO_HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith(("/beheer", "/aanmelding")):
            headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_request
    def _rollback_unfinished(exc):
        if exc is not None:
            db.session.rollback()


def _no_foreign_location(response, base_url: str):
    """A redirect never names a host Regio is not: Werkzeug's own redirects (merged slashes,
    a missing trailing slash) build an absolute URL, in the header and the body, from the
    request's Host header, which a visitor chooses. Such a redirect becomes one to the same
    path on this site."""
    location = response.headers.get("Location")
    if not location or "//" not in location:
        return response
    target = urlsplit(location)
    if not target.netloc or target.netloc == urlsplit(base_url).netloc:
        return response
    path = "/" + target.path.lstrip("/")  # never "//host": that is another site again
    return redirect(path + (f"?{target.query}" if target.query else ""), response.status_code)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        # The registration form checks its own token and keeps the input; the other forms are
        # short (a button, a login), so a clear page with the way back is enough.
        return render_template("errors/error.html", code="csrf"), 400

    @app.errorhandler(SecurityError)
    def _untrusted_host(error: SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return "400 Bad Request: unknown host\n", 400, {"Content-Type": "text/plain"}

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if request.path == "/healthz" or request.accept_mimetypes.best == "application/json":
            return jsonify(status="error", code=error.code), error.code
        return render_template("errors/error.html", code=error.code), error.code

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def _database_unavailable(error: Exception):
        # The database cannot be reached (or is locked past its timeout): nothing was saved,
        # and the pool reconnects by itself once it answers again.
        _rollback_quietly()
        app.logger.error("database unavailable on %s: %s", _route(),
                         str(error).splitlines()[0] if str(error) else type(error).__name__)
        if request.path == "/healthz" or request.accept_mimetypes.best == "application/json":
            response = jsonify(status="error", code=503)
        else:
            response = app.make_response(render_template(
                "errors/error.html", code=503, lost_input=request.method == "POST"))
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def _server_error(error: Exception):
        _rollback_quietly()
        app.logger.exception("unhandled error on %s", _route())
        return render_template("errors/error.html", code=500), 500


def _route() -> str:
    """The route of the request, for logs: never the path, which may hold a personal token."""
    rule = request.url_rule
    return f"{request.method} {rule.rule if rule is not None else '(no route)'}"


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone: the pool drops it
        db.session.remove()


def register_template_helpers(app: Flask) -> None:
    i18n.register(app)


def register_cli(app: Flask) -> None:
    from regio.cli import register_commands

    register_commands(app)

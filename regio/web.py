"""The `register_*` steps of the app factory."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, jsonify, render_template, request, session
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from config import PROJECT_ROOT
from regio import i18n
from regio.db import configure_sqlite, db
from regio.extensions import babel, csrf, limiter, login_manager, migrate

CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def register_extensions(app: Flask) -> None:
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
    if app.config.get("REGIO_PROXY_FIX"):
        hops = int(app.config["REGIO_PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from regio import models  # noqa: F401  (the whole schema, for Alembic and create_all)
    from regio.accounts import sessions
    from regio.accounts.models import Organiser

    @login_manager.user_loader
    def _load_user(user_id: str):
        account_id, _, version = user_id.partition(":")
        if not account_id.isdigit():
            return None
        account = db.session.get(Organiser, int(account_id))
        if account is None or str(account.session_version) != version:
            return None
        now = time.time()
        idle = timedelta(minutes=app.config["REGIO_SESSION_IDLE_MINUTES"])
        absolute = timedelta(hours=app.config["REGIO_SESSION_MAX_HOURS"])
        if not sessions.is_current(session, now=now, idle=idle, absolute=absolute):
            return None
        sessions.touch(session, now=now)
        return account


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
    @app.after_request
    def _security_headers(response):
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


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        # The registration form checks its own token and keeps the input; the other forms are
        # short (a button, a login), so a clear page with the way back is enough.
        return render_template("errors/error.html", code="csrf"), 400

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if request.path == "/healthz" or request.accept_mimetypes.best == "application/json":
            return jsonify(status="error", code=error.code), error.code
        return render_template("errors/error.html", code=error.code), error.code

    @app.errorhandler(Exception)
    def _server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s", request.path)
        return render_template("errors/error.html", code=500), 500


def register_template_helpers(app: Flask) -> None:
    i18n.register(app)


def register_cli(app: Flask) -> None:
    from regio.cli import register_commands

    register_commands(app)

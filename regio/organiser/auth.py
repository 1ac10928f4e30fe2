"""Logging in and out of the back office, with rate limits per address and per account."""

from __future__ import annotations

from functools import cache

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from limits import parse_many
from werkzeug.security import check_password_hash, generate_password_hash

from regio import audit
from regio.accounts.services import find_account
from regio.db import begin_write, db, utc_now
from regio.extensions import limiter
from regio.organiser import bp
from regio.organiser.forms import ActionForm, LoginForm


def safe_next(target: str | None) -> str | None:
    """Only a local /beheer path; anything else (other hosts, `//evil`) is dropped."""
    if not target or not target.startswith("/beheer") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def _limits(setting: str):
    return parse_many(current_app.config[setting])


def _throttled(setting: str, *identity: str) -> bool:
    if not (current_app.config.get("RATELIMIT_ENABLED") and limiter.enabled):
        return False
    return not all(limiter.limiter.test(item, "login", setting, *identity)
                   for item in _limits(setting))


def _count(setting: str, *identity: str) -> None:
    if current_app.config.get("RATELIMIT_ENABLED") and limiter.enabled:
        for item in _limits(setting):
            limiter.limiter.hit(item, "login", setting, *identity)


def _refuse(form: LoginForm, status: int = 200):
    return render_template("organiser/login.html", form=form), status


@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or url_for("organiser.dashboard"))
    form = LoginForm()
    if request.method == "GET":
        return render_template("organiser/login.html", form=form)
    address = request.remote_addr or "unknown"
    if _throttled("REGIO_LIMIT_LOGIN_IP", address):
        form.form_errors.append(_("U heeft het te vaak geprobeerd. Wacht een minuut en "
                                  "probeer het dan opnieuw."))
        return _refuse(form, 429)
    _count("REGIO_LIMIT_LOGIN_IP", address)
    if not form.validate_on_submit():
        return _refuse(form)
    email = form.email.data.strip().lower()
    if _throttled("REGIO_LIMIT_LOGIN_ACCOUNT", email):
        form.form_errors.append(_("Er is te vaak een verkeerd wachtwoord gebruikt voor dit "
                                  "account. Wacht een minuut en probeer het dan opnieuw."))
        return _refuse(form, 429)
    now = utc_now()
    account = find_account(email)
    if account is None or not account.is_enabled or not account.check_password(
            form.password.data):
        if account is None:
            _waste_time(form.password.data)
        _count("REGIO_LIMIT_LOGIN_ACCOUNT", email)
        begin_write()
        audit.record(email, "login.failed", None, now=now, ip=address)
        db.session.commit()
        form.form_errors.append(_("Het e-mailadres of het wachtwoord klopt niet."))
        return _refuse(form)
    begin_write()  # the password check only read; now write as a writer (SQLite)
    session.clear()
    session.permanent = True
    login_user(account)
    account.last_login_at = now
    audit.record(account.email, "login", None, now=now, ip=address)
    db.session.commit()
    return redirect(safe_next(request.args.get("next")) or url_for("organiser.dashboard"))


@cache
def _dummy_hash() -> str:
    return generate_password_hash("no account has this password")


def _waste_time(password: str) -> None:
    """Check the password against a dummy hash, so an unknown address answers just as slowly."""
    check_password_hash(_dummy_hash(), password)


@bp.post("/uitloggen")
def logout():
    form = ActionForm()
    if current_user.is_authenticated and form.validate_on_submit():
        logout_user()
        session.clear()
    return redirect(url_for("organiser.login"))

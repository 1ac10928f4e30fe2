"""Logging in (password, then the second factor's code) and out of the back office, with
rate limits per address and per account."""

from __future__ import annotations

import time

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from limits import parse_many

from regio import audit
from regio.accounts import events, sessions
from regio.accounts.models import Organiser
from regio.accounts.passwords import password_matches
from regio.accounts.services import find_account
from regio.accounts.twofactor import check_second_factor
from regio.db import begin_write, db, utc_now
from regio.extensions import limiter
from regio.messages import MESSAGES
from regio.organiser import bp
from regio.organiser.account_forms import CodeForm
from regio.organiser.forms import ActionForm, LoginForm

# Between the password and the code the session holds only this: who, and since when.
PENDING = "pending_login"
PENDING_FOR = 300  # seconds to type the code


def safe_next(target: str | None) -> str | None:
    """Only a local /beheer path; anything else (other hosts, `//evil`) is dropped."""
    if not target or not target.startswith("/beheer") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def _limits(setting: str):
    return parse_many(current_app.config[setting])


def throttled(setting: str, *identity: str) -> bool:
    if not (current_app.config.get("RATELIMIT_ENABLED") and limiter.enabled):
        return False
    return not all(limiter.limiter.test(item, "login", setting, *identity)
                   for item in _limits(setting))


def count(setting: str, *identity: str) -> None:
    if current_app.config.get("RATELIMIT_ENABLED") and limiter.enabled:
        for item in _limits(setting):
            limiter.limiter.hit(item, "login", setting, *identity)


def _refuse(form, template: str = "organiser/login.html", status: int = 200):
    return render_template(template, form=form), status


def _too_often() -> str:
    return _("U heeft het te vaak geprobeerd. Wacht een minuut en probeer het dan opnieuw.")


def _next_page() -> str:
    return safe_next(request.args.get("next")) or url_for("organiser.dashboard")


@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_next_page())
    form = LoginForm()
    if request.method == "GET":
        return render_template("organiser/login.html", form=form)
    address = request.remote_addr or "unknown"
    if throttled("REGIO_LIMIT_LOGIN_IP", address):
        form.form_errors.append(_too_often())
        return _refuse(form, status=429)
    count("REGIO_LIMIT_LOGIN_IP", address)
    if not form.validate_on_submit():
        return _refuse(form)
    email = form.email.data.strip().lower()
    if throttled("REGIO_LIMIT_LOGIN_ACCOUNT", email):
        form.form_errors.append(_("Er is te vaak een verkeerd wachtwoord gebruikt voor dit "
                                  "account. Wacht een minuut en probeer het dan opnieuw."))
        return _refuse(form, status=429)
    now = utc_now()
    account = find_account(email)
    # Unknown, disabled and live accounts all cost one password hash: no timing difference.
    if not password_matches(account, form.password.data):
        count("REGIO_LIMIT_LOGIN_ACCOUNT", email)
        begin_write()
        audit.record(email, "login.failed", None, now=now, ip=address)
        db.session.commit()
        form.form_errors.append(_("Het e-mailadres of het wachtwoord klopt niet."))
        return _refuse(form)
    if account.has_second_factor:
        session.clear()
        session[PENDING] = {"id": account.id, "v": account.session_version,
                            "at": int(time.time())}
        return redirect(url_for("organiser.login_code", next=safe_next(request.args.get("next"))))
    _finish_login(account, address)
    return redirect(_next_page())


def _finish_login(account: Organiser, address: str) -> None:
    begin_write()  # the checks only read; now write as a writer (SQLite)
    now = utc_now()
    session.clear()
    session.permanent = True
    login_user(account)
    sessions.start(session, now=time.time())
    account.last_login_at = now
    audit.record(account.email, "login", None, now=now, ip=address)
    db.session.commit()


def _pending_account() -> Organiser | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_FOR:
        return None
    account = db.session.get(Organiser, pending.get("id", 0))
    if account is None or not account.is_enabled or account.session_version != pending.get("v"):
        return None
    return account


@bp.route("/inloggen/code", methods=["GET", "POST"])
def login_code():
    """The second step: a code from the authenticator app, or one of the recovery codes."""
    account = _pending_account()
    if account is None:
        session.pop(PENDING, None)
        return redirect(url_for("organiser.login"))
    form = CodeForm()
    template = "organiser/login_code.html"
    if request.method == "GET" or not form.validate_on_submit():
        return _refuse(form, template)
    if throttled("REGIO_LIMIT_CODE_ACCOUNT", account.email):
        form.form_errors.append(_too_often())
        return _refuse(form, template, 429)
    begin_write()
    now = utc_now()
    if check_second_factor(account, form.code.data, now=now) is None:
        count("REGIO_LIMIT_CODE_ACCOUNT", account.email)
        audit.record(account.email, events.CODE_FAILED, account.email, now=now,
                     ip=request.remote_addr or "unknown")
        db.session.commit()
        form.code.errors = [str(MESSAGES["bad_code"])]
        return _refuse(form, template)
    _finish_login(account, request.remote_addr or "unknown")
    return redirect(_next_page())


@bp.post("/uitloggen")
def logout():
    form = ActionForm()
    if current_user.is_authenticated and form.validate_on_submit():
        begin_write()
        account = db.session.get(Organiser, current_user.id)
        # A copy of this cookie, taken before now, must not open anything afterwards.
        sessions.end_everywhere(account)
        audit.record(account.email, events.LOGOUT, account.email, now=utc_now())
        db.session.commit()
        logout_user()
        session.clear()
    return redirect(url_for("organiser.login"))

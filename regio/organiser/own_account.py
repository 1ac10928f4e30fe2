"""My own account: change my password, set up two-factor login."""

from __future__ import annotations

import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from markupsafe import Markup

from regio import qr
from regio.accounts import sessions, twofactor
from regio.accounts.models import Organiser
from regio.accounts.services import change_password
from regio.db import begin_write, db, utc_now
from regio.errors import AccountError
from regio.organiser import bp
from regio.organiser.access import require
from regio.organiser.account_forms import ChangePasswordForm, CodeForm
from regio.organiser.forms import attach_error


def _me() -> Organiser:
    return db.session.get(Organiser, current_user.id)


def _keep_this_session(account: Organiser) -> None:
    """The other sessions ended with the version raised; this one continues under the new."""
    login_user(account)
    sessions.start(session, now=time.time())


@bp.route("/mijn-account", methods=["GET", "POST"])
@require("checkin")
def my_account():
    account = _me()
    form = ChangePasswordForm()
    if request.method == "POST" and form.validate_on_submit():
        begin_write()
        try:
            change_password(account, form.current.data, form.password.data, now=utc_now())
        except AccountError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            _keep_this_session(account)
            flash(_("Uw wachtwoord is veranderd. Op andere apparaten bent u uitgelogd."),
                  "success")
            return redirect(url_for("organiser.my_account"))
    return render_template("organiser/my_account.html", account=account, form=form,
                           codes_left=twofactor.recovery_codes_left(account))


def _inline_qr(text: str) -> Markup:
    """The QR code as inline SVG: the secret never goes into a URL or an image request."""
    svg = qr.render(text, "svg", "M", 240).decode("utf-8")
    svg = svg[svg.index("<svg"):].replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    return Markup(svg)


@bp.route("/tweestaps", methods=["GET", "POST"])
@require("checkin", enrolment=True)
def second_factor():
    """Set up the authenticator app: scan the code (or type the secret), confirm one code."""
    account = _me()
    if account.has_second_factor:
        return redirect(url_for("organiser.my_account"))
    if account.totp_secret is None:
        begin_write()
        twofactor.begin_enrolment(account)
        db.session.commit()
    form = CodeForm()
    if request.method == "POST" and form.validate_on_submit():
        begin_write()
        try:
            codes = twofactor.confirm_enrolment(account, form.code.data, now=utc_now())
        except AccountError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            return render_template("organiser/recovery_codes.html", codes=codes)
    uri = twofactor.provisioning_uri(account)
    return render_template("organiser/second_factor.html", form=form, qr_svg=_inline_qr(uri),
                           secret=account.totp_secret)

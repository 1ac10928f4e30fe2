"""Passwords without being logged in: "Wachtwoord vergeten?", the reset link and the
invitation link. Each link works once."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from regio.accounts.links import account_of, find_link, set_password_by_link
from regio.accounts.models import TokenPurpose
from regio.accounts.services import request_reset
from regio.db import begin_write, db, utc_now
from regio.errors import AccountError
from regio.organiser import bp
from regio.organiser.account_forms import ForgotPasswordForm, NewPasswordForm
from regio.organiser.auth import count, throttled
from regio.organiser.forms import attach_error


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("organiser/forgot_password.html", form=form)
    address = request.remote_addr or "unknown"
    if throttled("REGIO_LIMIT_RESET_IP", address):
        form.form_errors.append(_("U heeft het te vaak geprobeerd. Probeer het over een uur "
                                  "opnieuw."))
        return render_template("organiser/forgot_password.html", form=form), 429
    count("REGIO_LIMIT_RESET_IP", address)
    email = form.email.data.strip().lower()
    # Past the limit for one address no more mail goes out, but the answer stays the same.
    if not throttled("REGIO_LIMIT_RESET_EMAIL", email):
        count("REGIO_LIMIT_RESET_EMAIL", email)
        begin_write()
        request_reset(email, now=utc_now())
        db.session.commit()
    return render_template("organiser/forgot_password_sent.html")


def _choose_password(token: str, purpose: str, template: str):
    now = utc_now()
    link = find_link(token, purpose, now=now)
    if link is None:
        return render_template("organiser/link_invalid.html"), 410
    form = NewPasswordForm()
    if request.method == "POST" and form.validate_on_submit():
        begin_write()
        try:
            set_password_by_link(token, purpose, form.password.data, now=now)
        except AccountError as error:
            db.session.rollback()
            if error.code == "link_invalid":
                abort(410)
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Uw wachtwoord is opgeslagen. U kunt nu inloggen."), "success")
            return redirect(url_for("organiser.login"))
    return render_template(template, form=form, email=account_of(link).email)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _choose_password(token, TokenPurpose.RESET, "organiser/reset_password.html")


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _choose_password(token, TokenPurpose.INVITE, "organiser/accept_invitation.html")

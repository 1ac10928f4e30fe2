"""The personal page behind /aanmelding/<token>: status, cancel, switch meeting, erase."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from regio.db import begin_write, db, utc_now
from regio.errors import BookingError
from regio.i18n import local_today, long_date
from regio.meetings.services import get_meeting, list_meetings
from regio.messages import message_for
from regio.public import bp
from regio.public.forms import ConfirmForm, MoveForm
from regio.registrations.models import Status
from regio.registrations.queries import waiting_position
from regio.registrations.services import (
    cancel,
    erase,
    find_by_token,
    move,
    open_link,
)
from regio.registrations.tickets import valid_ticket


def load_registration(token: str, *, writing: bool = False):
    """The registration behind a personal link: 404 when unknown, 410 when erased."""
    if writing:
        begin_write()
    link, registration = find_by_token(token)
    if registration is None:
        abort(404)
    if registration.status == Status.ERASED:
        abort(410)
    return link, registration


@bp.get("/aanmelding/<token>")
def personal(token: str):
    link, registration = load_registration(token, writing=True)
    open_link(link, now=utc_now())
    db.session.commit()
    return render_template(
        "public/personal.html", registration=registration, token=token,
        meeting=registration.meeting, position=waiting_position(registration),
        ticket=valid_ticket(registration), today=local_today(),
    )


def _back(token: str):
    return redirect(url_for("public.personal", token=token), 303)


@bp.route("/aanmelding/<token>/afmelden", methods=["GET", "POST"])
def cancel_registration(token: str):
    _link, registration = load_registration(token)
    if not registration.is_active:
        return _back(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        begin_write()
        _link, registration = load_registration(token)
        try:
            cancel(registration, now=utc_now())
        except BookingError as error:
            db.session.rollback()
            flash(message_for(error), "error")
            return _back(token)
        db.session.commit()
        flash(_("U bent afgemeld. U krijgt een bevestiging per e-mail."), "success")
        return _back(token)
    return render_template("public/cancel.html", registration=registration, token=token,
                           meeting=registration.meeting, form=form)


def _move_choices(registration):
    today = local_today()
    return [SelectChoice(m.slug, f"{m.city} – {long_date(m.date)}") for m in list_meetings()
            if m.id != registration.meeting_id and m.accepts_registrations(today)]


@bp.route("/aanmelding/<token>/wisselen", methods=["GET", "POST"])
def move_registration(token: str):
    _link, registration = load_registration(token)
    if not registration.is_active:
        return _back(token)
    form = MoveForm()
    form.meeting.choices = _move_choices(registration)
    status = 200
    if form.validate_on_submit():
        begin_write()
        _link, registration = load_registration(token)
        target = get_meeting(form.meeting.data)
        try:
            move(registration, target, now=utc_now())
        except BookingError as error:
            db.session.rollback()
            form.meeting.errors = [message_for(error)]
            status = 409
        else:
            db.session.commit()
            flash(_("U bent nu aangemeld voor %(city)s. U krijgt een e-mail.",
                    city=target.city), "success")
            return _back(token)
    elif form.is_submitted():
        status = 422
    return render_template("public/move.html", registration=registration, token=token,
                           meeting=registration.meeting, form=form), status


@bp.route("/aanmelding/<token>/wissen", methods=["GET", "POST"])
def erase_registration(token: str):
    _link, registration = load_registration(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        begin_write()
        _link, registration = load_registration(token)
        erase(registration, now=utc_now())
        db.session.commit()
        return render_template("public/erased.html"), 200
    return render_template("public/erase.html", registration=registration, token=token,
                           meeting=registration.meeting, form=form)

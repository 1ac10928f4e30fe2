"""The personal page behind /aanmelding/<token>: status, confirm, details, cancel, switch, erase.

Opening the link (GET) never changes anything: mail scanners open every link in a mail before
the person does. Each change is a button (a POST) whose form carries a link-bound CSRF token
(`LinkCSRF`), so a link opened hours later in another browser still works. The global,
session-bound CSRF guard is therefore off for these routes (`csrf.exempt`).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from regio.db import begin_write, db, utc_now
from regio.errors import BookingError
from regio.extensions import csrf
from regio.i18n import local_today, long_date
from regio.meetings.services import get_meeting, list_meetings
from regio.messages import message_for
from regio.public import bp
from regio.public.forms import ConfirmForm, DetailsForm, MoveForm
from regio.registrations.details import Details, change_details
from regio.registrations.models import Status
from regio.registrations.queries import personal_invite_method, waiting_position
from regio.registrations.services import (
    cancel,
    confirm_address,
    erase,
    find_by_token,
    move,
)
from regio.registrations.tickets import valid_ticket

PURPOSE = "aanmelding"


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


def _link(token: str) -> tuple[str, str]:
    return PURPOSE, token


def needs_address_confirmation(registration) -> bool:
    return registration.is_active and registration.email_verified_at is None


@bp.get("/aanmelding/<token>")
def personal(token: str):
    _link_row, registration = load_registration(token)
    return _render_personal(token, registration)


def _render_personal(token: str, registration, *, confirm_form=None, status: int = 200):
    if confirm_form is None and needs_address_confirmation(registration):
        confirm_form = ConfirmForm(formdata=None, link=_link(token))
    return render_template(
        "public/personal.html", registration=registration, token=token,
        meeting=registration.meeting, position=waiting_position(registration),
        ticket=valid_ticket(registration), today=local_today(), confirm_form=confirm_form,
        invite_method=personal_invite_method(registration),
    ), status


@bp.post("/aanmelding/<token>")
@csrf.exempt  # link-bound CSRF (LinkCSRF) instead of the session-bound one
def confirm_registration(token: str):
    """"Bevestig mijn aanmelding": the only way an address (and a held place) is confirmed."""
    _link_row, registration = load_registration(token)
    form = ConfirmForm(link=_link(token))
    if not form.validate():
        return _render_personal(token, registration, confirm_form=form, status=400)
    link, registration = load_registration(token, writing=True)
    confirm_address(link, now=utc_now())
    db.session.commit()
    if registration.status == Status.CONFIRMED:
        flash(_("Dank u. Uw aanmelding is bevestigd. De uitnodiging voor uw agenda komt per "
                "e-mail."), "success")
    elif registration.awaits_guardian and registration.is_active:
        flash(_("Dank u. Uw e-mailadres is bevestigd. We wachten nog op de toestemming van uw "
                "ouder of voogd."), "success")
    elif registration.status == Status.WAITING:
        flash(_("Dank u. Uw e-mailadres is bevestigd. Komt er een plaats vrij, dan is die "
                "meteen van u."), "success")
    return _back(token)


def _back(token: str):
    return redirect(url_for("public.personal", token=token), 303)


@bp.route("/aanmelding/<token>/afmelden", methods=["GET", "POST"])
@csrf.exempt
def cancel_registration(token: str):
    _link_row, registration = load_registration(token)
    if not registration.is_active:
        return _back(token)
    form = ConfirmForm(link=_link(token))
    if form.validate_on_submit():
        _link_row, registration = load_registration(token, writing=True)
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
                           meeting=registration.meeting, form=form), _status(form)


def _move_choices(registration):
    now = utc_now()
    today = local_today(now)
    return [SelectChoice(m.slug, f"{m.city} – {long_date(m.date)}") for m in list_meetings()
            if m.id != registration.meeting_id and m.accepts_registrations(today, now)]


@bp.route("/aanmelding/<token>/wisselen", methods=["GET", "POST"])
@csrf.exempt
def move_registration(token: str):
    _link_row, registration = load_registration(token)
    if not registration.is_active:
        return _back(token)
    form = MoveForm(link=_link(token))
    form.meeting.choices = _move_choices(registration)
    status = 200
    if form.validate_on_submit():
        _link_row, registration = load_registration(token, writing=True)
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


@bp.route("/aanmelding/<token>/gegevens", methods=["GET", "POST"])
@csrf.exempt
def change_registration_details(token: str):
    """Correct one's own name, organisation and wishes."""
    _link_row, registration = load_registration(token)
    if not registration.is_active:
        return _back(token)
    form = DetailsForm(link=_link(token), obj=registration)
    status = 200
    if form.validate_on_submit():
        _link_row, registration = load_registration(token, writing=True)
        try:
            changed = change_details(registration, Details(
                form.name.data, form.organisation.data, form.needs.data), now=utc_now())
        except BookingError as error:
            db.session.rollback()
            flash(message_for(error), "error")
            return _back(token)
        db.session.commit()
        if "name" in changed and registration.status == Status.CONFIRMED:
            flash(_("Uw gegevens zijn aangepast. U krijgt de bijgewerkte uitnodiging per "
                    "e-mail."), "success")
        elif changed:
            flash(_("Uw gegevens zijn aangepast."), "success")
        return _back(token)
    if form.is_submitted():
        status = 422
    return render_template("public/details.html", registration=registration, token=token,
                           meeting=registration.meeting, form=form), status


@bp.route("/aanmelding/<token>/wissen", methods=["GET", "POST"])
@csrf.exempt
def erase_registration(token: str):
    _link_row, registration = load_registration(token)
    form = ConfirmForm(link=_link(token))
    if form.validate_on_submit():
        _link_row, registration = load_registration(token, writing=True)
        erase(registration, now=utc_now())
        db.session.commit()
        return render_template("public/erased.html"), 200
    return render_template("public/erase.html", registration=registration, token=token,
                           meeting=registration.meeting, form=form), _status(form)


def _status(form) -> int:
    """400 for a button form sent back without a valid link-bound token, else 200."""
    return 400 if form.is_submitted() else 200

"""One registration: its details and history, and what an organiser may do with it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from regio.audit import AuditEvent
from regio.db import begin_write, db, utc_now
from regio.errors import BookingError
from regio.i18n import long_date
from regio.mail.models import OutboxMessage
from regio.messages import message_for
from regio.organiser import bp
from regio.organiser.access import actor, require
from regio.organiser.audit_log import Line, describe
from regio.organiser.forms import ActionForm, EmailForm, MoveForm, WalkInForm, attach_error
from regio.organiser.loading import load_meeting, load_registration
from regio.organiser.meetings import other_meetings, render_meeting
from regio.registrations.address import correct_email
from regio.registrations.door import check_in, register_walk_in
from regio.registrations.models import Registration
from regio.registrations.services import cancel, move, resend_link
from regio.registrations.tickets import valid_ticket


def history(registration: Registration) -> list[Line]:
    return describe(db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.action.startswith("registration."),
               AuditEvent.details["registration"].as_integer() == registration.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(100)
    ).scalars().all())


def mails(registration: Registration) -> list[OutboxMessage]:
    return list(db.session.execute(
        select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(100)
    ).scalars())


def move_form(registration: Registration) -> MoveForm:
    """Nothing chosen beforehand: a move mails the person, so the organiser picks on purpose."""
    form = MoveForm()
    form.target.choices = [SelectChoice("", _("Kies een bijeenkomst"))] + [
        SelectChoice(m.slug, f"{m.city} ({long_date(m.date)})")
        for m in other_meetings(registration.meeting_id)]
    return form


@bp.get("/aanmeldingen/<int:registration_id>")
@require("manage")
def registration(registration_id: int):
    return _registration_page(load_registration(registration_id))


def _registration_page(found: Registration, email_form: EmailForm | None = None,
                       status: int = 200):
    return render_template(
        "organiser/registration.html", registration=found, history=history(found),
        mails=mails(found), ticket=valid_ticket(found), action=ActionForm(),
        move_form=move_form(found),
        email_form=email_form or EmailForm(data={"email": found.email})), status


@bp.post("/aanmeldingen/<int:registration_id>/e-mailadres")
@require("manage")
def registration_email(registration_id: int):
    found = load_registration(registration_id)
    form = EmailForm()
    if not form.validate_on_submit():
        return _registration_page(found, form, 400)
    begin_write()
    try:
        changed = correct_email(found, form.email.data, now=utc_now(), actor=actor())
    except BookingError as error:
        db.session.rollback()
        attach_error(form, error)
        return _registration_page(found, form, 400)
    if not changed:
        return redirect(url_for("organiser.registration", registration_id=found.id))
    return _done(found, _("Het e-mailadres is aangepast. Mislukte e-mails kunt u nu opnieuw "
                          "versturen bij Herinneringen."))


def _done(found: Registration, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("organiser.registration", registration_id=found.id))


def _refused(found: Registration, error: BookingError):
    db.session.rollback()
    flash(message_for(error), "error")
    return redirect(url_for("organiser.registration", registration_id=found.id))


@bp.route("/aanmeldingen/<int:registration_id>/afmelden", methods=["GET", "POST"])
@require("manage")
def registration_cancel(registration_id: int):
    found = load_registration(registration_id)
    form = ActionForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("organiser/registration_cancel.html", registration=found,
                               form=form)
    begin_write()
    try:
        cancel(found, now=utc_now(), actor=actor())
    except BookingError as error:
        return _refused(found, error)
    return _done(found, _("De aanmelding is afgemeld. De deelnemer krijgt daarover een e-mail."))


@bp.post("/aanmeldingen/<int:registration_id>/verplaatsen")
@require("manage")
def registration_move(registration_id: int):
    found = load_registration(registration_id)
    form = move_form(found)
    if not form.validate_on_submit():
        flash(_("Kies een bijeenkomst."), "error")
        return redirect(url_for("organiser.registration", registration_id=found.id))
    target = load_meeting(form.target.data)
    if form.confirmed.data != "1":
        return render_template("organiser/registration_move.html", registration=found,
                               target=target, form=form)
    begin_write()
    try:
        move(found, target, now=utc_now(), actor=actor())
    except BookingError as error:
        return _refused(found, error)
    return _done(found, _("De aanmelding is verplaatst naar %(city)s.", city=target.city))


@bp.post("/aanmeldingen/<int:registration_id>/link-opnieuw")
@require("manage")
def registration_resend(registration_id: int):
    found = load_registration(registration_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("organiser.registration", registration_id=found.id))
    begin_write()
    try:
        resend_link(found, now=utc_now(), actor=actor())
    except BookingError as error:
        return _refused(found, error)
    return _done(found, _("De persoonlijke link is opnieuw gemaild."))


@bp.post("/aanmeldingen/<int:registration_id>/inchecken")
@require("manage")
def registration_check_in(registration_id: int):
    found = load_registration(registration_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("organiser.registration", registration_id=found.id))
    begin_write()
    try:
        checked_in = check_in(found, now=utc_now(), actor=actor())
    except BookingError as error:
        return _refused(found, error)
    return _done(found, _("Ingecheckt.") if checked_in else _("Was al ingecheckt."))


@bp.post("/bijeenkomsten/<slug>/aan-de-deur")
@require("manage")
def walk_in(slug: str):
    meeting = load_meeting(slug)
    form = WalkInForm()
    if not form.validate_on_submit():
        return render_meeting(meeting, walk_in=form)
    applicant = form.applicant()
    begin_write()
    try:
        added = register_walk_in(meeting, applicant, now=utc_now(), actor=actor())
    except BookingError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_meeting(meeting, walk_in=form)
    db.session.commit()
    flash(_("%(name)s is aangemeld en ingecheckt.", name=added.name), "success")
    return redirect(url_for("organiser.meeting", slug=meeting.slug))

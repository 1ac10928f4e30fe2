"""The registration form on a meeting's page, and the "check your e-mail" page."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from limits import parse_many

from regio.db import db, utc_now
from regio.errors import BookingError
from regio.extensions import csrf, limiter
from regio.i18n import local_today
from regio.messages import message_for
from regio.programme import opening
from regio.programme.booking import register_with_programme
from regio.public import bp, pages
from regio.public.forms import clean_source
from regio.public.programme import registration_form
from regio.public.views import forget_meeting_id, known_meeting_id, load_meeting
from regio.registrations.services import Applicant, normalise_email


def _register_ip_limit() -> str:
    return current_app.config["REGIO_LIMIT_REGISTER_IP"]


def _deletion_date(meeting):
    return meeting.date + timedelta(days=current_app.config["REGIO_RETENTION_DAYS"])


def _render(meeting, form, *, now: datetime | None = None, status: int = 200,
            problem: str | None = None):
    now = now or utc_now()
    return render_template(
        "public/meeting.html", meeting=meeting, form=form, today=local_today(now), now=now,
        problem=problem, deletion_date=_deletion_date(meeting),
        confirm_hours=current_app.config["REGIO_CONFIRM_WITHIN_HOURS"],
    ), status


@bp.get("/bijeenkomsten/<slug>")
def meeting(slug: str):
    found = load_meeting(slug)
    bron = clean_source(request.args.get("bron"))
    now, known = utc_now(), opening.kept_openings(found)
    if not pages.can_keep():
        return _render(found, registration_form(found.id, now=now, known=known,
                                                formdata=None, bron=bron), now=now)
    page = pages.cached("meeting", [found], lambda: _render_kept(found, now, known),
                        now=now, phase=opening.closed_phase(known, now))
    return pages.personal(page, bron=bron)


def _render_kept(found, now: datetime, known) -> str:
    """The meeting page with markers where the visitor's own values go (regio.public.pages)."""
    form = registration_form(found.id, now=now, known=known, formdata=None,
                             bron=pages.BRON_MARK)
    form.csrf_token.current_token = pages.CSRF_MARK
    return _render(found, form, now=now)[0]


def _email_allowed(email: str) -> bool:
    """At most REGIO_LIMIT_REGISTER_EMAIL submissions per address, so no one floods a mailbox."""
    if not limiter.enabled:
        return True
    strategy = limiter.limiter
    limits = parse_many(current_app.config["REGIO_LIMIT_REGISTER_EMAIL"])
    return all(strategy.hit(item, "register-email", normalise_email(email)) for item in limits)


@bp.post("/bijeenkomsten/<slug>")
@csrf.exempt  # RegistrationForm checks its own token and keeps the input when it fails
@limiter.limit(_register_ip_limit, methods=["POST"])
def register_post(slug: str):
    form = registration_form(known_meeting_id(slug), now=utc_now())
    if not form.validate():
        if form.csrf_token.errors:
            form.form_errors.append(_("Uw formulier was verlopen. Controleer uw gegevens en "
                                      "verstuur het opnieuw."))
            form.csrf_token.errors = []
        return _render(load_meeting(slug), form, status=422)
    if not _email_allowed(form.email.data):
        known_meeting_id(slug)  # an unknown meeting is still a 404
        return redirect(url_for("public.check_email", slug=slug), 303)
    applicant = Applicant(
        name=form.name.data, email=form.email.data, role=form.role.data,
        organisation=form.organisation.data, needs=form.needs.data,
        source=clean_source(form.bron.data), is_under_16=form.is_young_pupil(),
        has_guardian_consent=bool(form.guardian_consent.data),
        guardian_email=form.guardian_email.data if form.is_young_pupil() else None,
        locale=str(get_locale() or "nl"),
    )
    try:
        register_with_programme(known_meeting_id(slug), applicant, form.picks(),
                                rounds=form.rounds, now=utc_now())
    except BookingError as error:
        db.session.rollback()
        if error.code == "meeting_gone":
            forget_meeting_id(slug)
        found = load_meeting(slug)
        if error.field and error.field in form:
            form[error.field].errors = [message_for(error)]
            return _render(found, form, status=422)
        return _render(found, form, status=409, problem=message_for(error))
    db.session.commit()
    return redirect(url_for("public.check_email", slug=slug), 303)


@bp.get("/bijeenkomsten/<slug>/bevestig-je-e-mail")
def check_email(slug: str):
    found = load_meeting(slug)
    return render_template("public/check_email.html", meeting=found,
                           confirm_hours=current_app.config["REGIO_CONFIRM_WITHIN_HOURS"])

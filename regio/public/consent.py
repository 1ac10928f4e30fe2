"""The guardian's page behind /toestemming/<token>: read what is asked, then say yes or no.

Like the personal page, opening the link changes nothing; only a button (a POST with a
link-bound CSRF token, see `LinkCSRF`) records a decision. The guardian's link is their own:
it never leads to the pupil's personal page.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from regio.db import begin_write, db, utc_now
from regio.errors import BookingError
from regio.extensions import csrf
from regio.messages import message_for
from regio.public import bp
from regio.public.forms import GuardianForm
from regio.registrations.consent import can_decide, decide, find_by_guardian_token
from regio.registrations.models import GuardianDecision
from regio.registrations.retention import deletion_date

PURPOSE = "toestemming"


def _load(token: str, *, writing: bool = False):
    if writing:
        begin_write()
    registration = find_by_guardian_token(token)
    if registration is None:
        abort(404)
    return registration


def _page(token: str, registration, form: GuardianForm, status: int = 200):
    chosen = request.args.get("besluit")
    response = make_response(render_template(
        "public/guardian.html", registration=registration, meeting=registration.meeting,
        token=token, form=form, can_decide=can_decide(registration),
        chosen=chosen if chosen in ("ja", "nee") else None,
        deletion_date=deletion_date(registration.meeting,
                                    current_app.config["REGIO_RETENTION_DAYS"]),
        confirm_hours=current_app.config["REGIO_CONFIRM_WITHIN_HOURS"],
    ), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/toestemming/<token>")
def guardian(token: str):
    registration = _load(token)
    return _page(token, registration, GuardianForm(formdata=None, link=(PURPOSE, token)))


@bp.post("/toestemming/<token>")
@csrf.exempt  # link-bound CSRF (LinkCSRF) instead of the session-bound one
def guardian_decide(token: str):
    registration = _load(token)
    form = GuardianForm(link=(PURPOSE, token))
    if not form.validate():
        return _page(token, registration, form, status=400)
    registration = _load(token, writing=True)
    try:
        decision = decide(registration, consent=form.besluit.data == "ja", now=utc_now())
    except BookingError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("public.guardian", token=token), 303)
    db.session.commit()
    flash({
        GuardianDecision.GIVEN: _("Dank u. Uw toestemming is vastgelegd."),
        GuardianDecision.REFUSED: _("Uw besluit is vastgelegd: u geeft geen toestemming. De "
                                    "aanmelding is afgemeld."),
        GuardianDecision.WITHDRAWN: _("Uw toestemming is ingetrokken. De aanmelding is "
                                      "afgemeld."),
    }[decision], "success")
    return redirect(url_for("public.guardian", token=token), 303)

"""Check-in at the door: by the ticket's QR code, or by searching for a name."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from regio import reports
from regio.db import begin_write, db, utc_now
from regio.errors import BookingError
from regio.i18n import meeting_tz
from regio.meetings.services import list_meetings
from regio.messages import message_for
from regio.organiser import bp
from regio.organiser.access import actor, require
from regio.organiser.forms import ActionForm
from regio.organiser.loading import clean_query, load_meeting
from regio.registrations.models import Registration, Status
from regio.registrations.services import check_in
from regio.registrations.tickets import find_by_ticket

DOOR_MEETING = "checkin_meeting"  # the meeting door staff chose today (session key)
SEARCH_LIMIT = 50


def checked_in_clock(registration: Registration) -> str:
    return registration.checked_in_at.astimezone(meeting_tz()).strftime("%H:%M")


@bp.get("/incheck")
@require("checkin")
def checkin_start():
    return render_template("organiser/checkin_start.html", meetings=list_meetings())


@bp.get("/bijeenkomsten/<slug>/incheck")
@require("checkin")
def checkin_search(slug: str):
    meeting = load_meeting(slug)
    session[DOOR_MEETING] = meeting.id
    query = clean_query(request.args.get("q"))
    stmt = select(Registration).where(Registration.meeting_id == meeting.id,
                                      Registration.status == Status.CONFIRMED)
    if query:
        stmt = stmt.where(or_(Registration.name.icontains(query, autoescape=True),
                              Registration.email.icontains(query, autoescape=True)))
    found = list(db.session.execute(
        stmt.order_by(Registration.name, Registration.id).limit(SEARCH_LIMIT + 1)).scalars())
    return render_template(
        "organiser/checkin_search.html", meeting=meeting, query=query,
        people=found[:SEARCH_LIMIT], more=len(found) > SEARCH_LIMIT,
        figures=reports.meeting_figures(meeting), action=ActionForm(),
        clock=checked_in_clock)


@bp.post("/bijeenkomsten/<slug>/incheck/<int:registration_id>")
@require("checkin")
def checkin_person(slug: str, registration_id: int):
    meeting = load_meeting(slug)
    back = url_for("organiser.checkin_search", slug=meeting.slug,
                   q=clean_query(request.form.get("q")) or None)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    begin_write()
    person = db.session.get(Registration, registration_id)
    if person is None or person.meeting_id != meeting.id:
        db.session.rollback()
        return render_template("organiser/checkin_invalid.html"), 404
    try:
        checked_in = check_in(person, now=utc_now(), actor=actor())
    except BookingError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(back)
    db.session.commit()
    if checked_in:
        flash(_("%(name)s is ingecheckt.", name=person.name), "success")
    else:
        flash(_("%(name)s was al ingecheckt om %(time)s.", name=person.name,
                time=checked_in_clock(person)), "info")
    return redirect(back)


@bp.route("/incheck/<ticket_token>", methods=["GET", "POST"])
@require("checkin")
def checkin_ticket(ticket_token: str):
    if request.method == "POST":
        begin_write()
    person = find_by_ticket(ticket_token)
    if person is None:
        db.session.rollback()
        return render_template("organiser/checkin_invalid.html"), 404
    chosen = session.get(DOOR_MEETING)
    other_meeting = chosen is not None and chosen != person.meeting_id
    outcome = None
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            outcome = "done" if check_in(person, now=utc_now(), actor=actor()) else "again"
        except BookingError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
    return render_template(
        "organiser/checkin_ticket.html", person=person, outcome=outcome, action=ActionForm(),
        other_meeting=other_meeting, clock=checked_in_clock)

"""Check-in at the door: by the ticket's QR code, or by searching for a name; walk-ins."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from regio.db import begin_write, db, utc_now
from regio.errors import BookingError
from regio.i18n import meeting_tz
from regio.meetings.services import list_meetings
from regio.messages import message_for
from regio.organiser import bp
from regio.organiser.access import actor, require
from regio.organiser.forms import ActionForm, WalkInForm, attach_error
from regio.organiser.loading import clean_query, load_meeting
from regio.registrations.door import (
    check_in,
    door_count,
    door_list,
    register_walk_in,
    undo_check_in,
)
from regio.registrations.models import Registration
from regio.registrations.tickets import find_by_ticket

DOOR_MEETING = "checkin_meeting"  # the meeting door staff chose today (session key)
SEARCH_LIMIT = 50


def checked_in_clock(registration: Registration) -> str:
    return registration.checked_in_at.astimezone(meeting_tz()).strftime("%H:%M")


@bp.get("/incheck")
@require("checkin")
def checkin_start():
    return render_template("organiser/checkin_start.html", meetings=list_meetings())


def render_door(meeting, *, walk_in: WalkInForm | None = None, status: int = 200):
    query = clean_query(request.values.get("q"))
    found = door_list(meeting, query, limit=SEARCH_LIMIT)
    return render_template(
        "organiser/checkin_search.html", meeting=meeting, query=query,
        people=found[:SEARCH_LIMIT], more=len(found) > SEARCH_LIMIT,
        count=door_count(meeting.id), action=ActionForm(), clock=checked_in_clock,
        walk_in=walk_in or WalkInForm(formdata=None)), status


@bp.get("/bijeenkomsten/<slug>/incheck")
@require("checkin")
def checkin_search(slug: str):
    meeting = load_meeting(slug)
    session[DOOR_MEETING] = meeting.id
    return render_door(meeting)


@bp.get("/bijeenkomsten/<slug>/incheck/stand.json")
@require("checkin")
def checkin_count(slug: str):
    """The live count on the door page asks this every few seconds."""
    count = door_count(load_meeting(slug).id)
    text = _("%(present)s van de %(expected)s verwachte deelnemers zijn er.",
             present=count.present, expected=count.expected)
    return jsonify(present=count.present, expected=count.expected, text=text)


def _back(meeting) -> str:
    return url_for("organiser.checkin_search", slug=meeting.slug,
                   q=clean_query(request.form.get("q")) or None)


def _door_action(slug: str, registration_id: int):
    """(meeting, person, None) for a door button, the write begun; or (meeting, None, the
    answer to give instead): a stale form goes back to the list, another meeting's person
    is a 404."""
    meeting = load_meeting(slug)
    if not ActionForm().validate_on_submit():
        return meeting, None, redirect(_back(meeting))
    begin_write()
    person = db.session.get(Registration, registration_id)
    if person is None or person.meeting_id != meeting.id:
        db.session.rollback()
        return meeting, None, (render_template("organiser/checkin_invalid.html"), 404)
    return meeting, person, None


@bp.post("/bijeenkomsten/<slug>/incheck/<int:registration_id>")
@require("checkin")
def checkin_person(slug: str, registration_id: int):
    meeting, person, answer = _door_action(slug, registration_id)
    if answer is not None:
        return answer
    try:
        checked_in = check_in(person, now=utc_now(), actor=actor(), meeting_id=meeting.id)
    except BookingError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(_back(meeting))
    db.session.commit()
    if checked_in:
        flash(_("%(name)s is ingecheckt.", name=person.name), "success")
    else:
        flash(_("%(name)s was al ingecheckt om %(time)s.", name=person.name,
                time=checked_in_clock(person)), "info")
    return redirect(_back(meeting))


@bp.post("/bijeenkomsten/<slug>/incheck/<int:registration_id>/ongedaan")
@require("checkin")
def checkin_undo(slug: str, registration_id: int):
    meeting, person, answer = _door_action(slug, registration_id)
    if answer is not None:
        return answer
    undone = undo_check_in(person, now=utc_now(), actor=actor())
    db.session.commit()
    if undone:
        flash(_("%(name)s is niet meer ingecheckt.", name=person.name), "success")
    return redirect(_back(meeting))


@bp.post("/bijeenkomsten/<slug>/incheck/nieuw")
@require("checkin")
def checkin_walk_in(slug: str):
    meeting = load_meeting(slug)
    form = WalkInForm()
    if not form.validate_on_submit():
        return render_door(meeting, walk_in=form, status=400)
    begin_write()
    try:
        added = register_walk_in(meeting, form.applicant(), now=utc_now(), actor=actor())
    except BookingError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_door(meeting, walk_in=form, status=400)
    db.session.commit()
    flash(_("%(name)s is aangemeld en ingecheckt.", name=added.name), "success")
    return redirect(url_for("organiser.checkin_search", slug=meeting.slug))


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
        # A ticket for another meeting is checked in only by its own, explicit button.
        door = None if request.form.get("toch") == "1" else chosen
        try:
            checked_in = check_in(person, now=utc_now(), actor=actor(), meeting_id=door)
        except BookingError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            outcome = "done" if checked_in else "again"
    return render_template(
        "organiser/checkin_ticket.html", person=person, outcome=outcome, action=ActionForm(),
        other_meeting=other_meeting, clock=checked_in_clock)


"""A new meeting (from scratch or copied from another), archiving and deleting one."""

from __future__ import annotations

from dataclasses import asdict

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from regio.db import begin_write, db, utc_now
from regio.errors import MeetingError
from regio.forms import Form
from regio.i18n import local_today
from regio.meetings.creation import (
    InvalidMeeting,
    MeetingInput,
    add_meeting,
    can_archive,
    copy_of,
    delete_meeting,
    ever_registered,
    set_archived,
)
from regio.meetings.services import get_meeting, list_meetings
from regio.messages import message_for
from regio.organiser import bp
from regio.organiser.access import actor, require
from regio.organiser.forms import ActionForm, attach_error
from regio.organiser.loading import load_meeting


class NewMeetingForm(Form):
    """Text fields only: the service checks every value and says what is wrong, per field."""

    title = StringField(_l("Titel"))
    date = StringField(_l("Datum"))
    start = StringField(_l("Begintijd"))
    end = StringField(_l("Eindtijd"))
    venue = StringField(_l("Locatie"))
    address = StringField(_l("Adres"))
    city = StringField(_l("Plaats"))
    capacity = StringField(_l("Aantal plaatsen"))
    description = TextAreaField(_l("Beschrijving"))
    registration_opens = StringField(_l("Aanmelden kan vanaf"))
    registration_closes = StringField(_l("Aanmelden kan tot"))
    slug = StringField(_l("Webadres"))


def _input_of(form: NewMeetingForm) -> MeetingInput:
    return MeetingInput(**{name: form[name].data or "" for name in asdict(MeetingInput())})


def _render(form: NewMeetingForm, source: str = "", status: int = 200):
    return render_template("organiser/meeting_new.html", form=form, source=source,
                           meetings=list_meetings()), status


@bp.route("/bijeenkomsten/nieuw", methods=["GET", "POST"])
@require("manage")
def meeting_new():
    if request.method == "GET":
        source = get_meeting(request.args.get("van", "")[:64])
        start = asdict(copy_of(source)) if source is not None else {}
        return _render(NewMeetingForm(formdata=None, **start),
                       source.slug if source is not None else "")
    form = NewMeetingForm()
    if not form.validate_on_submit():
        return _render(form, status=422)
    begin_write()
    try:
        meeting = add_meeting(_input_of(form), actor=actor(), today=local_today(),
                              now=utc_now())
    except InvalidMeeting as invalid:
        db.session.rollback()
        for error in invalid.errors:
            attach_error(form, error)
        return _render(form, status=422)
    db.session.commit()
    flash(_("De bijeenkomst in %(city)s staat erin. Aanmelden kan via %(path)s.",
            city=meeting.city, path=url_for("public.meeting", slug=meeting.slug)), "success")
    return redirect(url_for("organiser.meeting", slug=meeting.slug))


def _archive(slug: str, archived: bool, done: str):
    meeting = load_meeting(slug)
    if ActionForm().validate_on_submit():
        begin_write()
        now = utc_now()
        try:
            set_archived(meeting, archived, actor=actor(), now=now, today=local_today(now))
        except MeetingError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("organiser.meeting", slug=meeting.slug))


@bp.post("/bijeenkomsten/<slug>/archiveren")
@require("manage")
def meeting_archive(slug: str):
    return _archive(slug, True, _("De bijeenkomst staat in het archief. Op de website staat "
                                  "hij niet meer in de lijst."))


@bp.post("/bijeenkomsten/<slug>/terughalen")
@require("manage")
def meeting_restore(slug: str):
    return _archive(slug, False, _("De bijeenkomst staat weer in de lijst op de website."))


@bp.route("/bijeenkomsten/<slug>/verwijderen", methods=["GET", "POST"])
@require("manage")
def meeting_delete(slug: str):
    meeting = load_meeting(slug)
    form = ActionForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("organiser/meeting_delete.html", meeting=meeting, form=form,
                               allowed=not ever_registered(meeting),
                               archivable=can_archive(meeting, local_today()))
    begin_write()
    try:
        delete_meeting(meeting, actor=actor(), now=utc_now())
    except MeetingError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("organiser.meeting", slug=meeting.slug))
    db.session.commit()
    flash(_("De bijeenkomst is verwijderd."), "success")
    return redirect(url_for("organiser.dashboard"))

"""One meeting: its attendee list, its settings, and cancelling it."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from regio.db import begin_write, db, utc_now
from regio.errors import MeetingError, MeetingErrors
from regio.i18n import clock, local_today, long_date, long_moment, meeting_tz, moment_input
from regio.labels import FIELD_LABELS
from regio.meetings.models import Meeting
from regio.meetings.services import (
    WINDOW_FIELDS,
    MeetingChanges,
    change_errors,
    list_meetings,
    parse_clock,
    parse_moment,
    people_to_mail,
    update_meeting,
)
from regio.messages import message_for
from regio.organiser import bp
from regio.organiser.access import actor, require
from regio.organiser.forms import ActionForm, MeetingSettingsForm, WalkInForm, attach_error
from regio.organiser.loading import clean_query, load_meeting, page_number
from regio.registrations.models import ROLES, STATUS_WORDS, Registration
from regio.registrations.search import by_name, matches

PER_PAGE = 50
STATUS_BY_WORD = {word: status for status, word in STATUS_WORDS.items()}


def settings_form_for(meeting: Meeting) -> MeetingSettingsForm:
    return MeetingSettingsForm(
        formdata=None, title=meeting.title, description=meeting.description or "",
        date=meeting.date.isoformat(), start_time=clock(meeting.start_time),
        end_time=clock(meeting.end_time), venue=meeting.venue, address=meeting.address or "",
        city=meeting.city, capacity="" if meeting.capacity is None else str(meeting.capacity),
        registration_opens_at=moment_input(meeting.registration_opens_at),
        registration_closes_at=moment_input(meeting.registration_closes_at),
        is_open="y" if meeting.is_open else "n")


# Fields added to the form later: a post without them (an older page, a script) leaves
# them as they are, where an empty field clears or is refused.
OPTIONAL_FIELDS = ("title", "description", "city", *WINDOW_FIELDS)


def changes_from_form(meeting: Meeting, form: MeetingSettingsForm) -> MeetingChanges:
    """Read the form as the CLI reads its options. Every value that cannot be read, and every
    rule the readable ones break, is raised at once as MeetingErrors, each for its field."""
    text = {name: (getattr(form, name).data or "").strip() for name in
            ("date", "start_time", "end_time", "venue", "address", "capacity",
             *OPTIONAL_FIELDS)}
    posted = {name for name in OPTIONAL_FIELDS if form[name].raw_data}
    changes = MeetingChanges()
    unread: list[MeetingError] = []  # a field left out of `changes`: its value is unknown
    for name in ("title", "city"):
        if name in posted:
            setattr(changes, name, text[name])  # empty: the service says it is required
    if "description" in posted:
        changes.description = text["description"] or None
    for name in WINDOW_FIELDS:
        if name in posted:
            try:
                setattr(changes, name,
                        parse_moment(text[name], name, meeting_tz()) if text[name] else None)
            except MeetingError as error:
                unread.append(error)
    try:
        changes.date = date.fromisoformat(text["date"])
    except ValueError:
        unread.append(MeetingError("bad_date", field="date"))
    for name in ("start_time", "end_time"):
        try:
            setattr(changes, name, parse_clock(text[name], name) if text[name] else None)
        except MeetingError as error:
            unread.append(error)
    changes.venue = text["venue"]
    changes.address = text["address"] or None
    capacity = text["capacity"]
    if capacity and not (capacity.isascii() and capacity.isdigit()):
        unread.append(MeetingError("bad_capacity", field="capacity"))
    else:
        changes.capacity = int(capacity) if capacity else None
    if form.is_open.data in ("y", "n"):
        changes.is_open = form.is_open.data == "y"
    if unread:
        raise MeetingErrors(unread + _rules_broken(meeting, changes, unread, local_today()))
    return changes


# A rule about these fields is measured against those it depends on: while one of those could
# not be read, the rule is left until it can.
_DEPENDS_ON = {"end_time": {"start_time"},
               **{name: {"date", "start_time", *WINDOW_FIELDS} for name in WINDOW_FIELDS}}


def _rules_broken(meeting: Meeting, changes: MeetingChanges, unread: list[MeetingError],
                  today: date) -> list[MeetingError]:
    """What the readable values break, besides the fields that could not be read."""
    bad = {error.field for error in unread}
    return [error for error in change_errors(meeting, changes.given(), today)
            if error.field not in bad and not _DEPENDS_ON.get(error.field, set()) & bad]


BACK = "terug"


SHOWN_TEXT = 120  # a longer description is cut short on the confirmation page


def _shown(name: str, value) -> str:
    """A meeting setting as the organiser reads it."""
    if name == "registration_opens_at":
        return long_moment(value) or _("meteen")
    if name == "registration_closes_at":
        return long_moment(value) or _("tot en met de dag van de bijeenkomst")
    if name == "description":
        text = " ".join((value or "").split())
        return (text[:SHOWN_TEXT - 1] + "…" if len(text) > SHOWN_TEXT else text) or _("(geen)")
    if name == "date":
        return long_date(value)
    if name in ("start_time", "end_time"):
        return clock(value) or _("tijd volgt")
    if name == "address":
        return value or _("adres volgt")
    if name == "capacity":
        return _("geen maximum") if value is None else str(value)
    if name == "is_open":
        return _("open") if value else _("gesloten")
    return str(value or "")


def describe_changes(meeting: Meeting, changes: MeetingChanges) -> list[tuple[str, str, str]]:
    """What a change would do, per field: (label, old, new), for the confirmation page."""
    return [(str(FIELD_LABELS[name]), _shown(name, getattr(meeting, name)), _shown(name, value))
            for name, value in changes.given().items() if getattr(meeting, name) != value]


def attendee_filters() -> dict:
    role = request.args.get("rol", "")
    status = request.args.get("status", "")
    return {"q": clean_query(request.args.get("q")),
            "rol": role if role in ROLES else "",
            "status": status if status in STATUS_BY_WORD else ""}


def attendee_page(meeting: Meeting, filters: dict):
    stmt = select(Registration).where(Registration.meeting_id == meeting.id)
    if filters["q"]:
        stmt = stmt.where(matches(filters["q"]))
    if filters["rol"]:
        stmt = stmt.where(Registration.role == filters["rol"])
    if filters["status"]:
        stmt = stmt.where(Registration.status == STATUS_BY_WORD[filters["status"]])
    stmt = stmt.order_by(*by_name(db.session.get_bind().dialect.name))
    return db.paginate(stmt, page=page_number(request.args.get("pagina")), per_page=PER_PAGE,
                       error_out=False, count=True)


def render_meeting(meeting: Meeting, *, settings: MeetingSettingsForm | None = None,
                   walk_in: WalkInForm | None = None, status: int = 200):
    filters = attendee_filters()
    now = utc_now()
    return render_template(
        "organiser/meeting.html", meeting=meeting, today=local_today(now), now=now,
        filters=filters,
        attendees=attendee_page(meeting, filters), roles=ROLES, status_words=STATUS_WORDS,
        settings=settings or settings_form_for(meeting), walk_in=walk_in or WalkInForm(
            formdata=None), action=ActionForm()), status


@bp.get("/bijeenkomsten/<slug>")
@require("manage")
def meeting(slug: str):
    return render_meeting(load_meeting(slug))


@bp.post("/bijeenkomsten/<slug>/instellingen")
@require("manage")
def meeting_settings(slug: str):
    found = load_meeting(slug)
    form = MeetingSettingsForm()
    if not form.validate_on_submit():
        return render_meeting(found, settings=form)
    if form.confirmed.data == BACK:  # "Nee, terug": the form again, as it was typed
        return render_meeting(found, settings=form)
    begin_write()
    try:
        changes = changes_from_form(found, form)
        differences = describe_changes(found, changes)
        to_mail = people_to_mail(found, changes)
        result = update_meeting(found, changes, actor=actor(), now=utc_now())
    except MeetingError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_meeting(found, settings=form)
    if to_mail and form.confirmed.data != "1":
        # The change was a dry run: nothing is kept until the organiser has seen the count.
        db.session.rollback()
        return render_template("organiser/meeting_confirm.html", meeting=found, form=form,
                               count=to_mail, differences=differences)
    db.session.commit()
    if result.invites_queued:
        flash(ngettext("De bijeenkomst is bijgewerkt. %(num)s persoon krijgt een bijgewerkte "
                       "uitnodiging.",
                       "De bijeenkomst is bijgewerkt. %(num)s mensen krijgen een bijgewerkte "
                       "uitnodiging.", result.invites_queued), "success")
    elif result.changed:
        flash(_("De bijeenkomst is bijgewerkt: %(fields)s.",
                fields=", ".join(str(FIELD_LABELS[name]) for name in result.changed)),
              "success")
    else:
        flash(_("Er is niets veranderd."), "info")
    return redirect(url_for("organiser.meeting", slug=found.slug))


@bp.route("/bijeenkomsten/<slug>/annuleren", methods=["GET", "POST"])
@require("manage")
def meeting_cancel(slug: str):
    found = load_meeting(slug)
    form = ActionForm()
    if request.method == "GET" or not form.validate_on_submit():
        count = people_to_mail(found, MeetingChanges(cancel=True))
        return render_template("organiser/meeting_cancel.html", meeting=found, form=form,
                               count=count)
    begin_write()
    try:
        result = update_meeting(found, MeetingChanges(cancel=True), actor=actor(),
                                now=utc_now())
    except MeetingError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("organiser.meeting", slug=found.slug))
    db.session.commit()
    flash(ngettext("De bijeenkomst is geannuleerd. %(num)s persoon krijgt bericht dat de "
                   "bijeenkomst niet doorgaat.",
                   "De bijeenkomst is geannuleerd. %(num)s mensen krijgen bericht dat de "
                   "bijeenkomst niet doorgaat.", result.cancellations_queued), "success")
    return redirect(url_for("organiser.meeting", slug=found.slug))


def other_meetings(meeting_id: int) -> list[Meeting]:
    return [m for m in list_meetings() if m.id != meeting_id]

"""Back office: a meeting's programme (add, change, remove items) and when people can choose
in each workshop round. The lists per workshop and per room are in `programme_lists`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice

from regio.db import begin_write, db, utc_now
from regio.errors import MeetingError, MeetingErrors, each_error
from regio.forms import Form
from regio.i18n import clock, long_moment, meeting_tz
from regio.meetings.services import local_moment, parse_clock
from regio.messages import message_for
from regio.organiser import bp
from regio.organiser.access import actor, require
from regio.organiser.forms import ROLE_LABELS, ActionForm, attach_error
from regio.organiser.loading import load_meeting
from regio.programme.models import ProgrammeItem
from regio.programme.opening import openings
from regio.programme.seats import choices_of, programme_of, rounds_of
from regio.programme.services import (
    ItemFields,
    add_item,
    change_item,
    item_errors,
    remove_item,
    set_opening,
    workshop_counts,
)
from regio.programme.words import for_groups
from regio.registrations.models import ROLES

bp.app_template_global("for_groups")(for_groups)


@bp.app_template_global()
def chosen_workshops(registration) -> list:
    """The registration's workshop choices, by round (for the check-in page)."""
    return choices_of(registration.id)


class ItemForm(Form):
    """Text fields on purpose: the service parses and checks them, as for the CLI."""

    title = StringField(_l("Titel"))
    start = StringField(_l("Begintijd"))
    end = StringField(_l("Eindtijd"))
    round = StringField(_l("Ronde"))
    capacity = StringField(_l("Aantal plaatsen"))
    roles = SelectMultipleField(
        _l("Alleen voor"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
        validate_choice=False)
    room = StringField(_l("Zaal"))
    speaker = StringField(_l("Spreker"))
    description = TextAreaField(_l("Korte beschrijving"))

    @classmethod
    def of(cls, item: ProgrammeItem) -> ItemForm:
        return cls(formdata=None, title=item.title, start=clock(item.start_time),
                   end=clock(item.end_time), round="" if item.round is None else str(item.round),
                   capacity="" if item.capacity is None else str(item.capacity),
                   roles=list(item.role_list), room=item.room or "",
                   speaker=item.speaker or "", description=item.description or "")

    def fields(self) -> ItemFields:
        """The item as the service takes it. Every value that cannot be read, and every rule
        the readable ones break, is raised at once as MeetingErrors, each for its field."""
        unread: list[MeetingError] = []
        numbers = {}
        for name, code in (("round", "bad_round"), ("capacity", "bad_capacity")):
            text = (self[name].data or "").strip()
            if text and not (text.isascii() and text.isdigit() and len(text) <= 6):
                unread.append(MeetingError(code, field=name, high=9))
                text = ""
            numbers[name] = int(text) if text else None
        roles = tuple(self.roles.data or ())
        if any(role not in ROLES for role in roles):
            unread.append(MeetingError("bad_roles", field="roles"))
            roles = ()
        times = {}
        for name, field_name in (("start_time", "start"), ("end_time", "end")):
            try:
                times[name] = parse_clock(self[field_name].data, field_name)
            except MeetingError as error:
                unread.append(error)
                times[name] = None
        fields = ItemFields(
            title=self.title.data or "", roles=roles, room=self.room.data,
            speaker=self.speaker.data, description=self.description.data, **times, **numbers)
        if unread:
            bad = {error.field for error in unread}
            raise MeetingErrors(unread + [error for error in item_errors(fields)
                                          if _FIELDS.get(error.field, error.field) not in bad])
        return fields


def _item(meeting, item_id: int) -> ProgrammeItem:
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


class RoundForm(Form):
    """When choosing opens in one round: a date and a time on the meetings' wall clock."""

    opens_on = StringField(_l("Datum"))
    opens_time = StringField(_l("Tijd"))

    @classmethod
    def of(cls, number: int, opens_at: datetime | None, tz: ZoneInfo) -> RoundForm:
        local = opens_at.astimezone(tz) if opens_at else None
        return cls(formdata=None, number=number,
                   opens_on=local.date().isoformat() if local else "",
                   opens_time=f"{local:%H:%M}" if local else "")

    def __init__(self, *args, number: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.number = number
        for field in (self.opens_on, self.opens_time):  # one form per round on the page
            field.id = f"ronde-{number}-{field.name}"

    def moment(self, tz: ZoneInfo) -> datetime:
        """The moment typed, in UTC; a bad value is a MeetingError for its field."""
        text = (self.opens_on.data or "").strip()
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise MeetingError("bad_date", field="opens_on")
        at = parse_clock(self.opens_time.data, "opens_time")
        return local_moment(day, at, tz, date_field="opens_on", time_field="opens_time")


@dataclass
class RoundRow:
    """One workshop round on the programme page: when it is and when choosing opens."""

    number: int
    workshops: list[ProgrammeItem]
    opens_at: datetime | None  # in the future: not open yet
    form: RoundForm


def _round_rows(meeting, programme, failed: RoundForm | None = None) -> list[RoundRow]:
    known, now, tz = openings(meeting.id), utc_now(), meeting_tz()
    rows = []
    for number, workshops in rounds_of(programme).items():
        opens_at = known.get(number)
        opens_at = opens_at if opens_at and opens_at > now else None
        form = failed if failed and failed.number == number else \
            RoundForm.of(number, opens_at, tz)
        rows.append(RoundRow(number, workshops, opens_at, form))
    return rows


def _page(meeting, form: ItemForm, *, item: ProgrammeItem | None = None, status: int = 200,
          round_form: RoundForm | None = None):
    programme = programme_of(meeting.id)
    return render_template(
        "organiser/programme.html", meeting=meeting, form=form, item=item,
        programme=programme, rounds=_round_rows(meeting, programme, round_form),
        counts={c.workshop.id: c for c in workshop_counts(meeting)}, action=ActionForm()), status


def _save(meeting, form: ItemForm, item: ProgrammeItem | None):
    if not form.validate_on_submit():
        return _page(meeting, form, item=item, status=422)
    begin_write()
    try:
        fields = form.fields()
        if item is None:
            add_item(meeting, fields, actor=actor(), now=utc_now())
            invites = 0
        else:
            invites = change_item(item, fields, actor=actor(), now=utc_now())
    except MeetingError as error:
        db.session.rollback()
        attach_error(form, MeetingErrors([
            MeetingError(one.code, field=_FIELDS.get(one.field, one.field), **one.params)
            for one in each_error(error)]))
        return _page(meeting, form, item=item, status=422)
    db.session.commit()
    flash(ngettext("Het programma is bijgewerkt. %(num)s persoon krijgt een bijgewerkte "
                   "uitnodiging.",
                   "Het programma is bijgewerkt. %(num)s mensen krijgen een bijgewerkte "
                   "uitnodiging.", invites) if invites else _("Het programma is bijgewerkt."),
          "success")
    return redirect(url_for("organiser.programme", slug=meeting.slug))


# The service names the item's columns; the form names its fields.
_FIELDS = {"start_time": "start", "end_time": "end"}


@bp.route("/bijeenkomsten/<slug>/programma", methods=["GET", "POST"])
@require("manage")
def programme(slug: str):
    meeting = load_meeting(slug)
    form = ItemForm()
    if not form.is_submitted():
        return _page(meeting, ItemForm(formdata=None))
    return _save(meeting, form, None)


@bp.route("/bijeenkomsten/<slug>/programma/<int:item_id>", methods=["GET", "POST"])
@require("manage")
def programme_item(slug: str, item_id: int):
    meeting = load_meeting(slug)
    item = _item(meeting, item_id)
    form = ItemForm()
    if not form.is_submitted():
        return _page(meeting, ItemForm.of(item), item=item)
    return _save(meeting, form, item)


@bp.post("/bijeenkomsten/<slug>/programma/<int:item_id>/verwijderen")
@require("manage")
def programme_remove(slug: str, item_id: int):
    meeting = load_meeting(slug)
    item = _item(meeting, item_id)
    if ActionForm().validate_on_submit():
        begin_write()
        try:
            remove_item(item, actor=actor(), now=utc_now())
        except MeetingError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(_("Het onderdeel is verwijderd."), "success")
    return redirect(url_for("organiser.programme", slug=meeting.slug))


@bp.post("/bijeenkomsten/<slug>/programma/ronde/<int:number>")
@require("manage")
def programme_round(slug: str, number: int):
    """Set when people can choose in a round (fields `opens_on`, `opens_time`), or open it
    now (the button `nu_openen`)."""
    meeting = load_meeting(slug)
    form = RoundForm(number=number)
    if not form.validate_on_submit():
        return _page(meeting, ItemForm(formdata=None), round_form=form, status=422)
    tz, now = meeting_tz(), utc_now()
    begin_write()
    try:
        opens_at = None if "nu_openen" in request.form else form.moment(tz)
        set_opening(meeting, number, opens_at, tz=tz, actor=actor(), now=now)
    except MeetingError as error:
        db.session.rollback()
        if error.field in ("opens_on", "opens_time", "opens"):
            attach_error(form, MeetingError(error.code, field=_ROUND_FIELDS.get(
                error.field, error.field), **error.params))
            return _page(meeting, ItemForm(formdata=None), round_form=form, status=422)
        flash(message_for(error), "error")
        return redirect(url_for("organiser.programme", slug=meeting.slug))
    db.session.commit()
    if opens_at is None or opens_at <= now:
        flash(_("Ronde %(round)s: kiezen kan nu.", round=number), "success")
    else:
        flash(_("Ronde %(round)s: kiezen kan vanaf %(moment)s.", round=number,
                moment=long_moment(opens_at)), "success")
    return redirect(url_for("organiser.programme", slug=meeting.slug) + f"#ronde-{number}")


_ROUND_FIELDS = {"opens": "opens_on"}

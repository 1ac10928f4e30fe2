"""Back office: a meeting's programme (add, change, remove items) and the list per workshop."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice

from regio import audit
from regio.db import begin_write, db, utc_now
from regio.errors import MeetingError
from regio.exports import (
    SheetHeader,
    list_columns,
    pdf_columns,
    render_csv,
    render_pdf,
    render_xlsx,
    sheet_header,
)
from regio.exports.tables import SheetText
from regio.forms import Form
from regio.i18n import clock, long_date, time_range
from regio.meetings.services import parse_clock
from regio.messages import message_for
from regio.organiser import bp
from regio.organiser.access import actor, require
from regio.organiser.forms import ROLE_LABELS, ActionForm, attach_error
from regio.organiser.loading import load_meeting
from regio.programme.lists import workshop_rows
from regio.programme.models import ProgrammeItem
from regio.programme.seats import choices_of, programme_of
from regio.programme.services import (
    ItemFields,
    add_item,
    change_item,
    remove_item,
    workshop_counts,
)
from regio.programme.words import for_groups
from regio.registrations.models import ROLES

bp.app_template_global("for_groups")(for_groups)


@bp.app_template_global()
def chosen_workshops(registration) -> list:
    """The registration's workshop choices, by round (for the check-in page)."""
    return choices_of(registration.id)


MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "pdf": "application/pdf"}


class ItemForm(Form):
    """Text fields on purpose: the service parses and checks them, as for the CLI."""

    title = StringField(_l("Titel"))
    start = StringField(_l("Begintijd"))
    end = StringField(_l("Eindtijd"))
    round = StringField(_l("Ronde (leeg: voor iedereen tegelijk)"))
    capacity = StringField(_l("Aantal plaatsen (leeg: geen grens)"))
    roles = SelectMultipleField(
        _l("Alleen voor (niets aangevinkt: voor iedereen)"),
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
        """The item as the service takes it; a bad value is a MeetingError for its field."""
        numbers = {}
        for name, code in (("round", "bad_round"), ("capacity", "bad_capacity")):
            text = (self[name].data or "").strip()
            if text and not (text.isascii() and text.isdigit() and len(text) <= 6):
                raise MeetingError(code, field=name, high=9)
            numbers[name] = int(text) if text else None
        roles = tuple(self.roles.data or ())
        if any(role not in ROLES for role in roles):
            raise MeetingError("bad_roles", field="roles")
        return ItemFields(
            title=self.title.data or "", start_time=parse_clock(self.start.data, "start"),
            end_time=parse_clock(self.end.data, "end"), roles=roles,
            room=self.room.data, speaker=self.speaker.data,
            description=self.description.data, **numbers)


def _item(meeting, item_id: int) -> ProgrammeItem:
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def _page(meeting, form: ItemForm, *, item: ProgrammeItem | None = None, status: int = 200):
    return render_template(
        "organiser/programme.html", meeting=meeting, form=form, item=item,
        programme=programme_of(meeting.id),
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
        attach_error(form, MeetingError(error.code, field=_FIELDS.get(error.field, error.field),
                                        **error.params))
        return _page(meeting, form, item=item, status=422)
    db.session.commit()
    flash(ngettext("Het programma is bijgewerkt. %(num)s persoon krijgt een bijgewerkte "
                   "uitnodiging.",
                   "Het programma is bijgewerkt. %(num)s mensen krijgen een bijgewerkte "
                   "uitnodiging.", invites) if invites else _("Het programma is bijgewerkt."),
          "success")
    return redirect(url_for("organiser.programme", slug=meeting.slug))


def _sheet_header(meeting, item: ProgrammeItem) -> SheetHeader:
    """The presentielijst's texts for one workshop: its title, time and room."""
    header = sheet_header(meeting, rows=item.taken, now=utc_now())  # the count with a place
    where = ", ".join(part for part in (item.room, meeting.venue) if part)
    return SheetHeader(
        heading=_("Presentielijst: %(title)s", title=item.title),
        facts=f"{long_date(meeting.date)}, {time_range(item.start_time, item.end_time)} · "
              f"{where}",
        page_label=header.page_label, footer=header.footer)


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


@bp.get("/bijeenkomsten/<slug>/programma/<int:item_id>/deelnemers.<fmt>")
@require("manage")
def workshop_list(slug: str, item_id: int, fmt: str):
    meeting = load_meeting(slug)
    item = _item(meeting, item_id)
    if fmt not in MIMETYPES or item.round is None:
        abort(404)
    audit.record(actor(), "export.workshop", meeting.slug, now=utc_now(), item=item.id,
                 format=fmt)
    db.session.commit()  # the audit record is kept before the first byte leaves
    tz = ZoneInfo(current_app.config["REGIO_TIMEZONE"])
    rows = workshop_rows(item, waiting=fmt != "pdf")  # the sheet at the door: who has a place
    header = _sheet_header(meeting, item)
    if fmt == "pdf":
        body = iter([render_pdf(rows, texts=header, columns=pdf_columns(tz, ()))])
    elif fmt == "csv":
        body = render_csv(rows, tz=tz)
    else:
        body = render_xlsx(rows, columns=list(list_columns().values()), tz=tz, text=SheetText(
            title=item.title, heading=header.heading, footer=header.footer))
    response = Response(stream_with_context(body), mimetype=MIMETYPES[fmt])
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"{meeting.slug}-workshop-{item.id}.{fmt}")
    return response

"""The programme on the public side: the workshop choice in the registration form, and
switching workshop from the personal page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField

from regio.db import db, utc_now
from regio.errors import BookingError
from regio.extensions import csrf
from regio.messages import message_for
from regio.programme import opening, seats
from regio.programme.models import ChoiceStatus, ProgrammeItem
from regio.programme.words import for_groups
from regio.public import bp
from regio.public.forms import ConfirmForm, RegistrationForm
from regio.public.personal import PURPOSE, load_registration
from regio.registrations.models import ROLES

MAX_ID_DIGITS = 10

bp.app_template_global("for_groups")(for_groups)


def parse_id(value) -> int | None:
    """A workshop id as a form sends it: None when nothing was sent, 0 (no workshop's id)
    for anything that is not a number, such as a forged value. Only ASCII digits count:
    `str.isdigit` also says yes to '¹' and '²', which `int` refuses."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS else 0


class ProgrammeForm(RegistrationForm):
    """The registration form with a radio group `ronde_<n>` per workshop round."""

    programme: list[ProgrammeItem] = []
    rounds: dict[int, list[ProgrammeItem]] = {}  # open for choices: one radio group each
    closed: dict[int, datetime] = {}  # not open yet: when each opens
    later: dict[int, list[ProgrammeItem]] = {}  # the workshops of those rounds

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        role = self.role.data if self.role.data in ROLES else None
        for number, workshops in self.rounds.items():
            field = self[f"ronde_{number}"]
            code = seats.pick_problem(workshops, parse_id(field.data), role)
            if code == "workshop_other_role" and role is None:
                continue  # the role itself has a message; this one would confuse
            if code:
                field.errors = [message_for(BookingError(code, round=number))]
                valid = False
        return valid

    @property
    def round_numbers(self) -> list[int]:
        """Every round in order, open or not."""
        return sorted({*self.rounds, *self.closed})

    def picks(self) -> dict[int, int]:
        return {number: parse_id(self[f"ronde_{number}"].data) for number in self.rounds}

    def choosable(self, workshop: ProgrammeItem) -> bool:
        return seats.choosable(workshop, self.rounds[workshop.round])


@lru_cache(maxsize=32)
def _form_class(rounds: tuple[int, ...]) -> type[ProgrammeForm]:
    fields = {f"ronde_{number}": RadioField(_l("Workshop in ronde %(round)s", round=number),
                                            validate_choice=False)
              for number in rounds}
    return type("ProgrammeForm", (ProgrammeForm,), fields)


def registration_form(meeting_id: int, *, now: datetime,
                      known: Mapping[int, datetime] | None = None, **kwargs) -> ProgrammeForm:
    """The meeting's registration form; with its programme when the meeting has one: a
    radio group for each round open at `now`, none for a round that opens later.
    `known` is the meeting's round openings when the caller has read them."""
    programme = seats.programme_of(meeting_id)
    every = seats.rounds_of(programme)
    rounds, closed = opening.split(meeting_id, every, now, known)
    form = _form_class(tuple(rounds))(**kwargs)
    form.programme, form.rounds, form.closed = programme, rounds, closed
    form.later = {number: every[number] for number in closed}
    for number, workshops in rounds.items():
        form[f"ronde_{number}"].choices = [(str(w.id), w.title) for w in workshops]
    return form


@bp.app_template_global()
def switch_form(token: str) -> ConfirmForm:
    """The switch buttons' form: its CSRF bound to the personal link, as the page's others."""
    return ConfirmForm(formdata=None, link=(PURPOSE, token))


@bp.post("/aanmelding/<token>/workshop")
@csrf.exempt  # link-bound CSRF (LinkCSRF), as every form behind a personal link
def switch_workshop(token: str):
    """Choose a workshop in a round, or switch to another (form fields `ronde`, `workshop`)."""
    _link, registration = load_registration(token, writing=True)
    form = ConfirmForm(link=(PURPOSE, token))
    number, workshop_id = parse_id(request.form.get("ronde")), parse_id(
        request.form.get("workshop"))
    if not form.validate() or number is None:
        flash(_("Dat lukte niet. Probeer het opnieuw."), "error")
        return redirect(url_for("public.personal", token=token) + "#programma", 303)
    first = all(choice.round != number for choice in seats.choices_of(registration.id))
    try:
        changed = seats.switch(registration, number, workshop_id, now=utc_now())
    except BookingError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("public.personal", token=token) + "#programma", 303)
    db.session.commit()
    if changed:
        flash(_("U heeft een workshop gekozen.") if first else _("Uw workshop is gewijzigd."),
              "success")
    return redirect(url_for("public.personal", token=token) + "#programma", 303)


@dataclass
class DayPart:
    """One line of a person's day: a plenary item, or their workshop in a round with the
    workshops they could switch to."""

    item: ProgrammeItem | None
    round: int | None = None
    is_waiting: bool = False
    alternatives: tuple[ProgrammeItem, ...] = ()
    opens_at: datetime | None = None  # the round is not open for choices until then
    slot: ProgrammeItem | None = None  # the round's first workshop: its time, without a choice


@bp.app_template_global()
def personal_programme(registration) -> list[DayPart]:
    """The registration's own day, for the personal page (empty without a programme, and
    once the person no longer takes part: their choices are gone with the place)."""
    if not registration.is_active:
        return []
    programme = seats.programme_of(registration.meeting_id)
    if not programme:
        return []
    choices = {c.round: c for c in seats.choices_of(registration.id)}
    rounds = seats.rounds_of(programme)
    closed = opening.not_open(registration.meeting_id, rounds, utc_now())
    parts, seen = [], set()
    for item in programme:
        if item.round is None:
            parts.append(DayPart(item))
            continue
        if item.round in seen:
            continue
        seen.add(item.round)
        choice = choices.get(item.round)
        current = choice.workshop if choice else None
        # Only what the switch would accept for this person's role: a full workshop is
        # offered (as a waiting list) only when no workshop of theirs has room.
        alternatives = () if item.round in closed else tuple(
            w for w in rounds[item.round]
            if w is not current
            and seats.pick_problem(rounds[item.round], w.id, registration.role) is None)
        parts.append(DayPart(current, item.round,
                             bool(choice and choice.status == ChoiceStatus.WAITING),
                             alternatives, closed.get(item.round), item))
    return parts

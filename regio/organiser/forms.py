"""The back office's forms. Field names are part of the interface (tests post them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from regio.forms import EmailAddress, Form
from regio.labels import ROLE_CHOICE_LABELS as ROLE_LABELS
from regio.registrations.models import ROLES
from regio.registrations.services import Applicant


def plain_text(_form, field) -> None:
    """Refuse control characters (they break exports and PostgreSQL refuses NUL)."""
    if field.data and any(ord(c) < 32 or ord(c) == 127 for c in field.data):
        raise ValidationError(_l("Gebruik alleen gewone tekens."))


def paragraphs(_form, field) -> None:
    """Like plain_text, but line breaks are allowed (a message of a few paragraphs)."""
    if field.data and any((ord(c) < 32 and c not in "\r\n") or ord(c) == 127
                          for c in field.data):
        raise ValidationError(_l("Gebruik alleen gewone tekens."))


def _required():
    return DataRequired(message=_l("Dit veld is verplicht."))


def _max(limit: int):
    return Length(max=limit, message=_l("Gebruik hoogstens %(max)d tekens."))


class LoginForm(Form):
    email = StringField(_l("E-mailadres"), validators=[_required(), _max(254), plain_text])
    password = PasswordField(_l("Wachtwoord"), validators=[_required(), _max(200)])


class ActionForm(Form):
    """A button that changes something: only the CSRF token."""


class MeetingSettingsForm(Form):
    """Text fields on purpose: the service parses and checks them, as for the CLI."""

    title = StringField(_l("Titel"), validators=[_max(200)])
    date = StringField(_l("Datum"), validators=[_max(10)])
    start_time = StringField(_l("Begintijd"), validators=[_max(5)])
    end_time = StringField(_l("Eindtijd"), validators=[_max(5)])
    venue = StringField(_l("Locatie"), validators=[_max(200)])
    address = StringField(_l("Adres"), validators=[_max(300)])
    city = StringField(_l("Plaats"), validators=[_max(100)])
    capacity = StringField(_l("Aantal plaatsen"), validators=[_max(6)])
    description = TextAreaField(_l("Beschrijving"), validators=[_max(5000)])
    registration_opens_at = StringField(_l("Aanmelden kan vanaf"), validators=[_max(25)])
    registration_closes_at = StringField(_l("Aanmelden kan tot"), validators=[_max(25)])
    is_open = RadioField(_l("Inschrijving"), validate_choice=False,
                         choices=[SelectChoice("y", _l("Open")), SelectChoice("n", _l("Gesloten"))])
    # Set by the confirmation page: the organiser saw how many people will be mailed.
    confirmed = StringField(validators=[Optional(), _max(8)])  # "1", or "terug" to go back


class WalkInForm(Form):
    """Someone at the door; the address is optional (without one, no mail at all)."""

    name = StringField(_l("Naam"), validators=[_required(), _max(200), plain_text])
    email = StringField(_l("E-mailadres"), validators=[
        Optional(), _max(254), plain_text,
        Email(message=_l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
              check_deliverability=False)])
    role = SelectField(_l("Rol"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
                       validators=[_required()])
    organisation = StringField(_l("Organisatie"), validators=[Optional(), _max(200), plain_text])

    def applicant(self) -> Applicant:
        return Applicant(name=self.name.data, email=(self.email.data or "").strip(),
                         role=self.role.data,
                         organisation=(self.organisation.data or "").strip() or None)


class EmailForm(Form):
    email = StringField(_l("E-mailadres"), validators=[
        _required(), _max(254), plain_text,
        EmailAddress(_l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."))])


class MoveForm(Form):
    target = SelectField(_l("Naar bijeenkomst"), validators=[_required()])
    # Set by the confirmation page: the organiser saw who moves where.
    confirmed = StringField(validators=[Optional(), _max(1)])


class CampaignForm(Form):
    role = SelectField(_l("Wie krijgt de herinnering?"),
                       choices=[SelectChoice("", _l("Iedereen die bevestigd is"))]
                       + [SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    # The campaign service checks the key's characters and says why in Dutch.
    key = StringField(_l("Naam van de campagne"), validators=[Optional(), _max(64)])
    subject = StringField(_l("Onderwerp van de e-mail"),
                          validators=[Optional(), _max(200), plain_text])
    message = TextAreaField(_l("Uw bericht"), validators=[Optional(), _max(2000), paragraphs])


def attach_error(form, error) -> None:
    """Show a domain error beside its field, or above the form when it names none; each of
    several (MeetingErrors) beside its own."""
    from regio.errors import each_error
    from regio.messages import message_for

    for one in each_error(error):
        target = getattr(form, one.field, None) if one.field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, message_for(one)]
        else:
            form.form_errors.append(message_for(one))

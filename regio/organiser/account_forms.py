"""Forms of logins, passwords and accounts. Field names are part of the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from regio.accounts.models import ACCOUNT_ROLES
from regio.forms import Form
from regio.labels import ACCOUNT_ROLE_LABELS as ROLE_WORDS
from regio.organiser.forms import plain_text


def _required():
    return DataRequired(message=_l("Dit veld is verplicht."))


def _max(limit: int):
    return Length(max=limit, message=_l("Gebruik hoogstens %(max)d tekens."))


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, ROLE_WORDS[role]) for role in ACCOUNT_ROLES]


class CodeForm(Form):
    code = StringField(_l("Code"), validators=[_required(), _max(20), plain_text])


class ForgotPasswordForm(Form):
    email = StringField(_l("E-mailadres"), validators=[_required(), _max(254), plain_text])


class NewPasswordForm(Form):
    """Length and common passwords are the service's rules, checked there."""

    password = PasswordField(_l("Nieuw wachtwoord"), validators=[_required(), _max(200)])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Huidig wachtwoord"), validators=[_required(), _max(200)])


class InviteForm(Form):
    email = StringField(_l("E-mailadres"), validators=[_required(), _max(254), plain_text])
    role = SelectField(_l("Rol"), choices=_role_choices(), validators=[_required()],
                       default="organiser")


class RoleForm(Form):
    role = SelectField(_l("Rol"), choices=_role_choices(), validators=[_required()])

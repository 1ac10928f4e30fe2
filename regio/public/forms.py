"""Forms of the public site. Field names are part of the public interface (DESIGN §3)."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.csrf.core import CSRF
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from regio.forms import EmailAddress, Form
from regio.registrations.models import ROLES
from regio.registrations.tokens import hash_token

NAME_MAX = 200
ORGANISATION_MAX = 200
NEEDS_MAX = 500
EMAIL_MAX = 254
SOURCE_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")

ROLE_LABELS = {
    "po": _l("Ik werk in het primair onderwijs (po)"),
    "vo": _l("Ik werk in het voortgezet onderwijs (vo)"),
    "go": _l("Ik werk in het gespecialiseerd onderwijs (go)"),
    "ouder": _l("Ik ben ouder of vertegenwoordiger van ouders"),
    "leerling": _l("Ik ben leerling of vertegenwoordiger van leerlingen"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def clean_source(value: str | None) -> str | None:
    """A `bron` tag as the QR links carry it; anything else is dropped, not refused."""
    value = (value or "").strip()
    return value.lower() if SOURCE_RE.match(value) else None


class PlainText:
    """Refuses control and other invisible characters; line breaks only where allowed."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        for char in field.data or "":
            if self.multiline and char in "\n\r\t":
                continue
            if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
                raise ValidationError(_l("Gebruik alleen gewone letters, cijfers en leestekens."))


def _length(maximum: int):
    return Length(max=maximum, message=_l("Gebruik hoogstens %(max)d tekens.", max=maximum))


def _name_field() -> StringField:
    return StringField(
        _l("Naam"), filters=[_strip],
        validators=[DataRequired(_l("Vul uw naam in.")), _length(NAME_MAX), PlainText()])


def _organisation_field() -> StringField:
    return StringField(
        _l("School of organisatie"), filters=[_strip],
        validators=[Optional(), _length(ORGANISATION_MAX), PlainText()])


def _needs_field() -> TextAreaField:
    return TextAreaField(
        _l("Wensen voor toegankelijkheid of eten"), filters=[_strip],
        validators=[Optional(), _length(NEEDS_MAX), PlainText(multiline=True)])


class RegistrationForm(Form):
    name = _name_field()
    email = StringField(
        _l("E-mailadres"), filters=[_strip],
        validators=[
            DataRequired(_l("Vul uw e-mailadres in.")), _length(EMAIL_MAX),
            EmailAddress(_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@school.nl."))])
    role = RadioField(
        _l("Wie bent u?"), choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        validators=[InputRequired(_l("Kies wie u bent."))],
        validate_choice=False)
    organisation = _organisation_field()
    needs = _needs_field()
    under_16 = BooleanField(_l("Ik ben leerling en jonger dan 16 jaar"))
    guardian_consent = BooleanField(
        _l("Ik vraag mijn ouder of voogd om toestemming (die krijgt een eigen e-mail)"))
    guardian_email = StringField(
        _l("E-mailadres van uw ouder of voogd"), filters=[_strip],
        validators=[_length(EMAIL_MAX)])
    consent = BooleanField(
        _l("Ik geef toestemming om mijn gegevens te gebruiken voor deze bijeenkomst"),
        validators=[DataRequired(_l("Geef toestemming, anders kunnen we u niet aanmelden."))])
    bron = HiddenField()

    class Meta:
        # The token is checked here, not by the global CSRF guard, so a failed check shows the
        # form again with everything the person typed (WCAG 2.2.1: no lost input).
        csrf = True

    def validate_role(self, field) -> None:
        if field.data not in ROLES:
            raise ValidationError(_l("Kies wie u bent."))

    def validate_guardian_consent(self, field) -> None:
        if self.is_young_pupil() and not field.data:
            raise ValidationError(_l(
                "Een leerling jonger dan 16 jaar heeft toestemming nodig van een ouder of voogd."))

    def validate_guardian_email(self, field) -> None:
        if not self.is_young_pupil():
            field.data = None  # only asked of pupils under 16; ignored for everyone else
            return
        if not field.data:
            raise ValidationError(_l("Vul het e-mailadres van uw ouder of voogd in."))
        EmailAddress(_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl."))(
            self, field)
        if field.data and self.email.data and field.data.lower() == self.email.data.lower():
            raise ValidationError(
                _l("Vul het e-mailadres van uw ouder of voogd in, niet uw eigen."))

    def is_young_pupil(self) -> bool:
        return self.role.data == "leerling" and bool(self.under_16.data)


class LinkCSRF(CSRF):
    """CSRF for the forms behind a link from a mail (`/aanmelding/<token>`, `/toestemming/…`).

    Why not the session: these pages are opened from a mail, often hours later, in whatever
    browser the mail app picks, and a phone may drop the session cookie between showing the
    page and pressing its button; a session-bound token then fails where nothing is wrong.

    What it guards against: the authority here is the secret token in the URL, not a cookie.
    A cross-site attacker who does not know the token cannot build the request at all; one
    who knows it needs no forgery, since the URL itself is the key. So the classic CSRF risk
    (a victim's browser sending its ambient credentials) does not arise, and what is left to
    keep out are requests not made from our own page: the form carries an HMAC of the link's
    token under SECRET_KEY (nothing a link scanner that merely GETs the page ever sends back),
    and a browser's `Origin` header, when it sends one, must be this site. Neither depends on
    the session or on time (WCAG 2.2.1).
    """

    def setup_form(self, form):
        self.subject = form.meta.csrf_context  # (purpose, URL token)
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field) -> str:
        return link_proof(*self.subject)

    def validate_csrf_token(self, form, field) -> None:
        if not hmac.compare_digest(str(field.data or ""), link_proof(*self.subject)) \
                or not _same_origin():
            raise ValidationError(_l("Dit formulier is niet geldig. Open de link opnieuw."))


def link_proof(purpose: str, token: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"link-form:{purpose}:{hash_token(token)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # older browsers, and same-origin GET-less clients, send none
        return True
    allowed = {request.host_url.rstrip("/"), _origin(current_app.config["REGIO_BASE_URL"])}
    return origin in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class LinkForm(Form):
    """A form on a page behind a link from a mail: `SomeForm(link=(purpose, token))`."""

    class Meta:
        csrf_class = LinkCSRF
        csrf_context = None

    def __init__(self, *args, link: tuple[str, str], **kwargs) -> None:
        super().__init__(*args, meta={"csrf_context": link}, **kwargs)


class ConfirmForm(LinkForm):
    """A button with a link-bound CSRF token (confirm, cancel, erase)."""


class DetailsForm(LinkForm):
    """The registration form's own name, organisation and wishes fields, to correct them."""

    name = _name_field()
    organisation = _organisation_field()
    needs = _needs_field()


class GuardianForm(LinkForm):
    """The guardian's decision: two buttons, `besluit` = `ja` or `nee`."""

    besluit = HiddenField(validators=[AnyOf(("ja", "nee"), message=_l("Kies een van de knoppen."))])


class MoveForm(LinkForm):
    meeting = RadioField(_l("Naar welke bijeenkomst wilt u?"), validate_choice=False,
                         validators=[InputRequired(_l("Kies een bijeenkomst."))])

    def validate_meeting(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Kies een bijeenkomst."))

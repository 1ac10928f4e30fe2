"""The base of every form: Flask-WTF, with WTForms' own messages loaded once per language and
the CSRF token signed only when a page shows it."""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from wtforms.i18n import messages_path
from wtforms.validators import Email, ValidationError


@lru_cache(maxsize=8)
def _catalog(locale: str) -> support.Translations:
    # Flask-WTF reads and parses this catalogue from disk on every request.
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _Translations:
    def gettext(self, string: str) -> str:
        return _catalog(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalog(str(get_locale())).ungettext(singular, plural, n)


class _Deferred:
    """A value made the first time it is turned into text."""

    def __init__(self, make) -> None:
        self._make = make
        self._value: str | None = None

    def __str__(self) -> str:
        if self._value is None:
            self._value = self._make()
        return self._value


class _DeferredCSRF(FlaskForm.Meta.csrf_class):
    # Flask-WTF signs a fresh token for every form it builds, about a third of building one;
    # a POST that succeeds answers with a redirect and never shows it.
    def generate_csrf_token(self, csrf_token_field):
        sign = super().generate_csrf_token
        return _Deferred(lambda: sign(csrf_token_field))


class Form(FlaskForm):
    class Meta:
        csrf_class = _DeferredCSRF

        def get_translations(self, form):
            return _translations

        def wrap_formdata(self, form, formdata):
            # Only the form fields of a form post: Flask-WTF would also take file parts (a
            # file where a name belongs) and JSON bodies of any shape, which the validators
            # and filters never expect. Such a post is simply a form with nothing filled in.
            if formdata is _Auto:
                return request.form if _is_submitted() and request.form else None
            return formdata

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and "\x00" in field.data:
                # A NUL byte would reach the database (PostgreSQL refuses it with an error).
                field.errors = [*field.errors, _l("Gebruik alleen gewone letters, cijfers en "
                                                  "leestekens.")]
                valid = False
        return valid


_translations = _Translations()


class EmailAddress:
    """A valid address that mail can reach: Email's syntax check, and an ASCII local part.

    An internationalised domain (jan@bücher.nl) is fine: it goes over SMTP in IDNA. A local
    part with other letters (ü-jan@…) needs SMTPUTF8, which most servers lack, so it is
    refused here with its own message rather than failing later, unseen (regio.mail.addresses).
    """

    def __init__(self, message) -> None:
        self.syntax = Email(message, granular_message=False, check_deliverability=False)

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        local = field.data.rpartition("@")[0]
        if local and not local.isascii():
            raise ValidationError(_l(
                "Gebruik vóór de @ alleen letters zonder accenten, cijfers en de tekens . _ - +."
                " Een adres met andere tekens kan vaak niet bezorgd worden."))
        self.syntax(form, field)

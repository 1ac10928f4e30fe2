"""The base of every form: Flask-WTF, with WTForms' own messages loaded once per language and
the CSRF token signed only when a page shows it."""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


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


_translations = _Translations()

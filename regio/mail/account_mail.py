"""Mails about a back-office account (invitation, password reset): a link, no meeting."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from regio.mail.outbox import Kind

SUBJECTS = {
    Kind.ACCOUNT_INVITE: _l("Uw account voor Regio: kies een wachtwoord"),
    Kind.PASSWORD_RESET: _l("Een nieuw wachtwoord voor Regio"),
}
PATHS = {
    Kind.ACCOUNT_INVITE: "/beheer/uitnodiging/",
    Kind.PASSWORD_RESET: "/beheer/wachtwoord-herstellen/",
}


def render(row, *, base_url: str, reply_to: str) -> tuple[str, str, str]:
    """Subject, text and html of an account mail (in Dutch: an account has no language)."""
    payload = row.payload or {}
    context = {"link": f"{base_url}{PATHS[row.kind]}{payload.get('token', '')}",
               "hours": payload.get("hours"), "organizer_email": reply_to,
               "login_url": f"{base_url}/beheer/inloggen"}
    env = current_app.jinja_env
    with force_locale("nl"):
        return (str(SUBJECTS[row.kind]),
                env.get_template(f"mail/{row.kind}.txt").render(context),
                env.get_template(f"mail/{row.kind}.html").render(context))

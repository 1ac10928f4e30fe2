"""Why a mail failed: a stable code kept in `last_error`, and the words organisers read.

`last_error` holds "<code>: <detail>" for failures Regio decides itself, and the server's own
"<status> <text>" for SMTP answers; `describe` turns either into a Dutch (or English) sentence.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from regio.mail.addresses import AddressError

REASONS = {
    "address_not_ascii": _l(
        "Het e-mailadres heeft letters met accenten vóór de @. Zo'n adres kan niet bezorgd "
        "worden. Pas het adres aan en probeer het opnieuw."),
    "address_invalid": _l("Het e-mailadres klopt niet. Pas het adres aan en probeer het opnieuw."),
    "meeting_gone": _l("De bijeenkomst van dit bericht bestaat niet meer."),
    "build_failed": _l("Het bericht kon niet worden gemaakt door een fout in Regio."),
}
_CODE = re.compile(r"^([a-z_]+): ?(.*)$", re.DOTALL)
_SMTP = re.compile(r"^([45]\d\d)\b ?(.*)$", re.DOTALL)


def build_error(error: Exception) -> str:
    """The `last_error` of a message that could not be built."""
    code = getattr(error, "code", None)
    if isinstance(error, AddressError) or code in REASONS:
        return str(error) if str(error).startswith(f"{code}:") else f"{code}: {error}"
    return f"build_failed: {type(error).__name__}: {error}"


def refused(error: Exception) -> str:
    """The `last_error` of a message the mail server refused for good (its own words)."""
    return str(error)


def describe(last_error: str | None) -> str:
    """A sentence for organisers; the technical detail stays behind it in brackets."""
    if not last_error:
        return _("Onbekende fout.")
    match = _CODE.match(last_error)
    if match and match.group(1) in REASONS:
        return str(REASONS[match.group(1)])
    match = _SMTP.match(last_error)
    if match and match.group(1).startswith("5"):
        return _("De mailserver van de ontvanger weigert dit bericht (%(answer)s).",
                 answer=last_error[:200])
    return _("Versturen lukte steeds niet (%(answer)s).", answer=last_error[:200])

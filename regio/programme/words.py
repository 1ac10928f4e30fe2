"""Who a workshop is for, in words for people."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

GROUP_WORDS = {
    "po": _l("po"),
    "vo": _l("vo"),
    "go": _l("go"),
    "ouder": _l("ouders"),
    "leerling": _l("leerlingen"),
}


def for_groups(item) -> str:
    """'voor ouders en leerlingen'; empty for a workshop open to everyone."""
    words = [str(GROUP_WORDS[role]) for role in item.role_list]
    if not words:
        return ""
    listed = words[0] if len(words) == 1 else \
        _("%(first)s en %(last)s", first=", ".join(words[:-1]), last=words[-1])
    return _("voor %(groups)s", groups=listed)

"""The audit events of adding, archiving and deleting meetings, with their Dutch sentences."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ADDED = "meeting.add"
ARCHIVED = "meeting.archive"
RESTORED = "meeting.unarchive"
DELETED = "meeting.delete"

SENTENCES = {
    ADDED: _l("%(actor)s heeft de bijeenkomst %(subject)s toegevoegd."),
    ARCHIVED: _l("%(actor)s heeft de bijeenkomst %(subject)s gearchiveerd."),
    RESTORED: _l("%(actor)s heeft de bijeenkomst %(subject)s teruggehaald uit het archief."),
    DELETED: _l("%(actor)s heeft de bijeenkomst %(subject)s verwijderd."),
}

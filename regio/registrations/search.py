"""Finding and ordering people by name the way a Dutch reader expects.

Each registration keeps two derived columns, written whenever its name, address or organisation
is: `search_key` (the three, folded: no case, no accents) and `sort_key` (the name as a Dutch
phone book files it: "Jan de Vries" under "vries jan de"). A search folds the query the same
way and looks for it inside `search_key`, so "ünal", "UNAL" and "Ünal" all find Ünal on SQLite
(whose lower() folds ASCII only) and PostgreSQL alike, without scanning names in Python.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import event
from sqlalchemy.sql import ColumnElement

from regio.registrations.models import Registration

SEARCH_KEY_LENGTH = 700
SORT_KEY_LENGTH = 200

# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "ẞ": "ss",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "Þ": "th", "ħ": "h",
    "Ħ": "h", "ŀ": "l", "Ŀ": "l", "’": "'", "‘": "'", "`": "'", "´": "'",
})

# Tussenvoegsels: a phone book files "Jan van der Berg" under Berg.
TUSSENVOEGSELS = frozenset({
    "van", "de", "der", "den", "het", "'t", "te", "ter", "ten", "in", "op", "onder", "aan",
    "bij", "uit", "voor", "'s", "d'", "l'", "la", "le", "les", "du", "des", "da", "di", "dos",
    "von", "zu", "vom", "zum",
})

# Particles that belong to the surname and are filed with it: "Fatima El Amrani" under E.
SURNAME_PARTICLES = frozenset({"el", "al", "ben", "bin", "ibn", "abu", "ould"})


def fold(text: str | None) -> str:
    """Lower case without accents: 'Ünal Çelik' → 'unal celik', 'Łukasz' → 'lukasz'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().translate(_LETTERS).split())


def search_key(name: str | None, email: str | None, organisation: str | None) -> str | None:
    parts = [fold(part) for part in (name, email, organisation) if part]
    return "\n".join(parts)[:SEARCH_KEY_LENGTH] or None


def sort_key(name: str | None) -> str | None:
    """The name as a phone book files it: surname (without tussenvoegsels), given names, then
    the tussenvoegsels. Without a tussenvoegsel the last word is the surname (or the words
    from a particle such as "El" on). 'Vries, Jan de' (surname first) is understood too."""
    if not name or not name.strip():
        return None
    if "," in name:
        surname, _, rest = name.partition(",")
        words = fold(rest).split()
        return f"{fold(surname)} {' '.join(words)}".strip()[:SORT_KEY_LENGTH]
    words = fold(name).split()
    if len(words) < 2:
        return " ".join(words)[:SORT_KEY_LENGTH]
    start = next((i for i in range(1, len(words) - 1)
                  if words[i] in TUSSENVOEGSELS or words[i] in SURNAME_PARTICLES),
                 len(words) - 1)
    end = start
    while end < len(words) - 1 and words[end] in TUSSENVOEGSELS:
        end += 1
    given, prefix, surname = words[:start], words[start:end], words[end:]
    return " ".join((*surname, *given, *prefix))[:SORT_KEY_LENGTH]


def keys_for(name: str | None, email: str | None, organisation: str | None) -> dict:
    """The derived columns for a registration's values (for Core INSERTs and UPDATEs)."""
    return {"search_key": search_key(name, email, organisation), "sort_key": sort_key(name)}


def matches(query: str) -> ColumnElement[bool]:
    """Registrations whose name, address or organisation contains `query`, folded."""
    return Registration.search_key.contains(fold(query), autoescape=True)


def by_name(dialect_name: str) -> tuple:
    """ORDER BY for lists of people: the phone-book key, compared byte by byte everywhere
    (PostgreSQL's locale collations skip spaces, and SQLite would not)."""
    key = Registration.sort_key.collate("C") if dialect_name == "postgresql" \
        else Registration.sort_key
    return key, Registration.id


@event.listens_for(Registration, "before_insert")
@event.listens_for(Registration, "before_update")
def _keep_keys(_mapper, _connection, target: Registration) -> None:
    for name, value in keys_for(target.name, target.email, target.organisation).items():
        setattr(target, name, value)

"""Password rules (NIST SP 800-63B: long enough and not a common one, no composition rules)
and a password check that costs the same whether the account exists or not."""

from __future__ import annotations

from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from regio.errors import AccountError

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_DISTINCT = 4  # "aaaaaaaaaaaa" or "abababababab" is long but not a secret
# Words of this service and language that people pick first (NIST: context-specific words).
CONTEXT_WORDS = frozenset({"wachtwoord", "welkom", "regio", "beheer", "ocw", "opp",
                           "regiobijeenkomst", "onderwijs"})
_PADDING = "0123456789!?.,-_@#$%&* "


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of zxcvbn's list, lowercased (loaded once)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def check_new_password(password: str, *, email: str, field: str = "password") -> None:
    """Raise AccountError when `password` may not be chosen; the code names the reason."""
    if len(password) < MIN_LENGTH:
        raise AccountError("password_too_short", field=field, min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise AccountError("password_too_long", field=field, limit=MAX_LENGTH)
    lowered = password.lower()
    # "Password2024!" is "password" with padding: the word without it is checked too.
    core = lowered.strip(_PADDING)
    known = common_passwords()
    context = CONTEXT_WORDS | {email.lower(), email.partition("@")[0].lower()}
    if (lowered in known or core in known or core in context or lowered in context
            or len(set(lowered)) < MIN_DISTINCT):
        raise AccountError("password_common", field=field)


@cache
def _dummy_hash() -> str:
    return generate_password_hash("no account has this password")


def password_matches(account, password: str) -> bool:
    """True when `account` exists, is enabled and has this password.

    A hash is checked in every case (the dummy one for an unknown account or one without a
    password), so the answer takes as long for an unknown or disabled account as for a live
    one and nobody can tell them apart by timing.
    """
    stored = account.password_hash if account is not None and account.has_password else None
    matches = check_password_hash(stored or _dummy_hash(), password)
    return matches and stored is not None and account.is_enabled

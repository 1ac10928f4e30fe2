"""Where people write (or call) with questions: shown in every mail and on the public pages."""

from __future__ import annotations

from dataclasses import dataclass

from config import is_no_reply


@dataclass(frozen=True)
class Contact:
    email: str | None
    phone: str | None

    def __bool__(self) -> bool:
        return bool(self.email or self.phone)


def contact_for(config) -> Contact:
    """REGIO_CONTACT_EMAIL, else the calendar organizer's address; never a no-reply address.

    Pointing people at a mailbox nobody reads is worse than naming none.
    """
    email = config.get("REGIO_CONTACT_EMAIL") or config.get("REGIO_ORGANIZER_EMAIL")
    phone = (config.get("REGIO_CONTACT_PHONE") or "").strip() or None
    return Contact(None if is_no_reply(email) else email.strip(), phone)

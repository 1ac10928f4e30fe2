"""Mail addresses as they go over SMTP: ASCII only.

Regio accepts internationalised domain names (they are written in IDNA, `xn--…`, on the wire)
and refuses a non-ASCII local part at the form: most mail servers, Microsoft's included, do not
offer SMTPUTF8, so such an address would fail later and out of sight. An address stored before
that rule fails alone in the sender with its own reason (`AddressError`).
"""

from __future__ import annotations

import idna


class AddressError(ValueError):
    """This address cannot be written on the wire; `code` says why."""

    def __init__(self, code: str, address: str) -> None:
        super().__init__(f"{code}: {address!r}")
        self.code = code


def to_wire(address: str) -> str:
    """`address` with its domain in IDNA; AddressError when it cannot go over plain SMTP."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        raise AddressError("address_invalid", address)
    if not local.isascii() or any(ord(char) < 33 for char in local):
        raise AddressError("address_not_ascii", address)
    if not domain.isascii():
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except idna.IDNAError as error:
            raise AddressError("address_invalid", address) from error
    return f"{local}@{domain}"

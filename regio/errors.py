"""Domain errors with a stable code: views map the code to a message, tests assert on it."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. `code` is stable; `field` names the form field it belongs to, if any."""

    def __init__(self, code: str, field: str | None = None, **params) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, field={self.field!r})"


class MeetingError(DomainError):
    pass


class BookingError(DomainError):
    pass


class AccountError(DomainError):
    pass

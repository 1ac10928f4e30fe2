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


class MeetingErrors(MeetingError):
    """Several MeetingErrors at once, at most one per field, so a form can show them all; the
    first gives the code and field, for callers that read only one."""

    def __init__(self, errors: list[MeetingError]) -> None:
        first = errors[0]
        super().__init__(first.code, first.field, **first.params)
        self.errors = list(errors)


def each_error(error: DomainError) -> list[DomainError]:
    """The errors one raised error stands for: itself, or each of a MeetingErrors."""
    return list(getattr(error, "errors", None) or [error])


class BookingError(DomainError):
    pass


class AccountError(DomainError):
    pass

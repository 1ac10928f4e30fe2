"""URL converters that refuse what no route can mean, before any query sees it.

A path parameter with a NUL or another control character, or longer than any slug or token
Regio makes, is no match (404); so is an id past the database's integer range (PostgreSQL
raised "integer out of range", SQLite an OverflowError).
"""

from __future__ import annotations

import unicodedata

from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

MAX_INT = 2**31 - 1  # the range of an INTEGER column on PostgreSQL
MAX_SEGMENT = 200  # longer than any slug, token or campaign key Regio makes


class SegmentConverter(UnicodeConverter):
    """The default `<name>`: one path segment of printable characters."""

    def to_python(self, value: str) -> str:
        if len(value) > MAX_SEGMENT or any(
                unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"} for char in value):
            raise ValidationError()
        return value


class IdConverter(IntegerConverter):
    """`<int:name>`: 1 to 2³¹−1 (ids start at 1), at most ten digits."""

    regex = r"\d{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def install(url_map) -> None:
    """Use these converters for every rule added from now on (call before blueprints)."""
    url_map.converters["default"] = SegmentConverter
    url_map.converters["string"] = SegmentConverter
    url_map.converters["int"] = IdConverter

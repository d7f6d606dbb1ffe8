"""Ids are integers in the database and opaque strings on the wire: ASCII digits only.

`int()` also reads "１２", "١٢", " 12 ", "+12" and "1_2"; an id is none of those.
"""

from __future__ import annotations

from .errors import Invalid, NotFound

# Ids are INTEGER columns: PostgreSQL refuses a larger parameter outright (a 500), so a
# larger id is simply not one of ours.
MAX_ID = 2**31 - 1


def ascii_number(value: str | int | None) -> int | None:
    """`value` as a non-negative number if it is one in the digits 0-9 (at most 19 of them)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        return int(value)
    return None


def _id(value: str | int | None) -> int | None:
    number = ascii_number(value)
    return number if number is not None and 0 < number <= MAX_ID else None


def parse_id(value: str | int, what: str = "resource") -> int:
    """A path id: anything that is not one of ours is simply not found."""
    number = _id(value)
    if number is None:
        raise NotFound(f"no such {what}")
    return number


def parse_body_id(value: str | int | None, field: str) -> int:
    """An id in a body: a malformed one is the caller's mistake in that field."""
    if value is None:
        raise Invalid(f"{field} is required", code="invalid_field", field=field)
    number = _id(value)
    if number is None:
        raise Invalid(f"{field} is not a valid id", code="invalid_field", field=field)
    return number


def sid(value: int | None) -> str | None:
    return None if value is None else str(value)

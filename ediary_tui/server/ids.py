"""Ids are integers in the database and opaque strings on the wire."""

from __future__ import annotations

from .errors import Invalid, NotFound


def parse_id(value: str | int, what: str = "resource") -> int:
    """A path id: anything that is not one of ours is simply not found."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(f"no such {what}") from None
    if number <= 0 or number > 2**62:
        raise NotFound(f"no such {what}")
    return number


def parse_body_id(value: str | int | None, field: str) -> int:
    """An id in a body: a malformed one is the caller's mistake in that field."""
    if value is None:
        raise Invalid(f"{field} is required", code="invalid_field", field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"{field} is not a valid id", code="invalid_field", field=field) from None
    if number <= 0 or number > 2**62:
        raise Invalid(f"{field} is not a valid id", code="invalid_field", field=field)
    return number


def sid(value: int | None) -> str | None:
    return None if value is None else str(value)

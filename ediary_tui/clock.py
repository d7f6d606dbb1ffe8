"""What time it is, as something to call: the app's clock, pinned by tests and snapshots;
and the school's zone, in which every time is shown.

A mark given at 11:20 in Moscow says 11:20 on a computer in any zone, as the lessons'
times do: `school_time` puts a moment on the school's clocks. The school's zone comes
with the user (`User.timezone`); until it is known, the zone the caller had.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Clock = Callable[[], dt.datetime]

_school_zone: ZoneInfo | None = None


def local_now() -> dt.datetime:
    """Now, in the computer's own time zone (the default clock)."""
    return dt.datetime.now().astimezone()


def set_school_zone(name: str | None) -> bool:
    """Show times in the school's zone (an IANA name; None or unknown: as before).

    Whether it is a zone not shown in before: then the person is told once, if
    their own clock reads otherwise (`zone_differs`)."""
    global _school_zone
    try:
        zone = ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    changed = zone is not None and zone != _school_zone
    _school_zone = zone or _school_zone
    return changed


def forget_school_zone() -> None:
    """Back to no school's zone (a test's end)."""
    global _school_zone
    _school_zone = None


def school_zone() -> ZoneInfo | None:
    """The school's zone once known, else None."""
    return _school_zone


def school_time(moment: dt.datetime, fallback: dt.tzinfo | None = None) -> dt.datetime:
    """`moment` on the school's clocks; before its zone is known, in `fallback` (the
    app clock's zone), or the computer's."""
    return moment.astimezone(_school_zone or fallback)


def zone_differs(now: dt.datetime) -> bool:
    """Whether `now` (the app's clock) reads otherwise than the school's clocks."""
    return _school_zone is not None and now.utcoffset() != now.astimezone(_school_zone).utcoffset()

"""Every user-facing string of the app, in English or Russian.

One mechanism for all of them: `_("section.key", name=value)` looks the key up
in the TOML catalogue of the current language (`locale/en.toml`,
`locale/ru.toml`) and formats it with `str.format`. A key missing from the
Russian catalogue falls back to English, and a key missing from both shows
itself, so a forgotten string is visible rather than blank. Calendar names
(days of the week, months in both grammatical cases Russian needs) and numbers
(3.67 / 3,67) and waits ("in 15 minutes" / "через 15 минут") come from Babel's
CLDR data for the language, so each is written as its readers expect.

No Textual here on purpose: `cli.py` calls `detect_language` before Textual loads.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any, Protocol

from babel.dates import format_timedelta, get_day_names, get_month_names, get_timezone_location
from babel.numbers import format_decimal

from ediary_tui.clock import school_time, school_zone, zone_differs
from ediary_tui.domain.names import is_female

LANGUAGES: tuple[str, ...] = ("en", "ru")
DEFAULT = "en"

_current = DEFAULT


def detect_language(preferred: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to speak: the one asked for, else the locale's (ru_* is Russian), else English."""
    if preferred:
        code = preferred.strip().lower()[:2]
        if code in LANGUAGES:
            return code
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:  # the first one set wins, as POSIX says
            return "ru" if value.lower().startswith("ru") else DEFAULT
    return DEFAULT


def set_language(lang: str) -> None:
    """Choose the language of every later `_()` call."""
    global _current
    _current = lang if lang in LANGUAGES else DEFAULT


def current_language() -> str:
    return _current


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """The flattened catalogue of `lang`: "login.title" -> "Log in"."""
    text = resources.files("ediary_tui").joinpath("locale", f"{lang}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(text))


def _lookup(key: str) -> Any:
    for lang in (_current, DEFAULT):
        value = catalogue(lang).get(key)
        if value is not None:
            return value
    return None


def has(key: str) -> bool:
    """Whether `key` is a catalogue entry (used to translate only what is ours)."""
    return _lookup(key) is not None


def _(key: str, /, **values: object) -> str:
    """The text of `key` in the current language, formatted with `values`."""
    text = _lookup(key)
    if not isinstance(text, str):
        return key
    return text.format(**values) if values else text


def for_person(key: str, full_name: str, /, **values: object) -> str:
    """`key`'s text agreeing with the person it is about: its `_female` form for a
    woman's or girl's name ("ученица", not "ученик"), told by the patronymic."""
    female = f"{key}_female"
    return _(female if has(female) and is_female(full_name) else key, **values)


def server_text(key: str, default: str) -> str:
    """Words the server (or the embedding program) said, in Russian when we know them.

    The `server.*` section exists only in the Russian catalogue: in English the
    server's own message is the best one there is.
    """
    text = catalogue(_current).get(f"server.{key}")
    return text if isinstance(text, str) else default


# Codes that name only a kind of refusal ("refused", "invalid"): the server's words say
# which one, so English shows those, and Russian the catalogue's general text.
GENERAL_CODES = frozenset(
    {"bad_request", "conflict", "invalid", "invalid_field", "invalid_text", "not_found", "refused"}
)


def error_message(code: str | None, message: str, *, retry_after: int | None = None) -> str:
    """What to tell a person about a refusal: the catalogue's text of its code, in the
    current language; the server's own words for a code the catalogue does not know.

    `retry_after` (seconds, a throttled answer's) adds when to try again, as a wait
    people read ("in 15 minutes"), never a count of seconds.
    """
    known = _lookup(f"error.{code}") if code else None
    general = _current == DEFAULT and code in GENERAL_CODES and message
    text = known if isinstance(known, str) and not general else message
    text = text[:1].upper() + text[1:]
    if retry_after is not None:
        text = f"{text.rstrip('.')}. {_('error.wait', wait=wait_text(retry_after))}"
    return text


class Refusal(Protocol):
    """What `refusal_text` needs of a client error: its code and the server's words."""

    code: str | None
    message: str


def refusal_text(exc: Refusal) -> str:
    """`error_message` of a client error, with its wait when it is a throttled one."""
    retry_after = getattr(exc, "retry_after", None)
    return error_message(exc.code, exc.message, retry_after=retry_after)


def school_zone_note(now: dt.datetime) -> str | None:
    """Where the app's clock (`now`) reads otherwise than the school's, which zone the
    times are in ("Times are the school's: Moscow (UTC+3)"); None where they agree."""
    zone = school_zone()
    if zone is None or not zone_differs(now):
        return None
    city = get_timezone_location(zone, locale=_current, return_city=True)
    offset = now.astimezone(zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign, minutes = ("+" if minutes >= 0 else "−"), abs(minutes)
    hours = f"{minutes // 60}" + (f":{minutes % 60:02}" if minutes % 60 else "")
    return _("calendar.school_zone", city=city, offset=f"UTC{sign}{hours}")


# --- numbers and waits ----------------------------------------------------------


def number(value: float | Decimal | Fraction, places: int = 2) -> str:
    """3.67 / 3,67: an average or a weight, rounded half up as the school rounds."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(repr(value) if isinstance(value, float) else value)
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format_decimal(rounded, "0." + "0" * places if places else "0", locale=_current)


def signed_number(value: float | Decimal | Fraction, places: int = 2) -> str:
    """+0.25 / +0,25: a change, with its sign even when it is a rise."""
    text = number(value, places)
    return text if text.startswith("-") else f"+{text}"


def wait_text(seconds: float) -> str:
    """How long until something may be tried again: "in 15 minutes" / "через 15 минут"."""
    return format_timedelta(
        dt.timedelta(seconds=max(1, seconds)), add_direction=True, locale=_current
    )


# --- dates --------------------------------------------------------------------
#
# The names of days and months are Babel's (CLDR), in the grammatical case each use
# needs: "ноябрь" on its own, "23 ноября" in a date.


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def weekday_name(d: dt.date, *, short: bool = False) -> str:
    """Monday / Понедельник (or Mon / Пн): a day's name, as it starts a heading."""
    names = get_day_names("abbreviated" if short else "wide", locale=_current)
    return _first_upper(names[d.weekday()])


def month_name(month: int) -> str:
    """November / ноябрь: the month on its own."""
    return get_month_names("wide", "stand-alone", locale=_current)[month]


def _month_of(month: int) -> str:
    """November / ноября: the month in a date."""
    return get_month_names("wide", "format", locale=_current)[month]


def day_month(d: dt.date) -> str:
    """23 November / 23 ноября: the month in the case a date needs."""
    return _("calendar.day_month", day=d.day, month=_month_of(d.month))


def short_date(d: dt.date) -> str:
    """23 Nov / 23.11: where space is short (a dot's due date)."""
    return _(
        "calendar.short_date",
        day=d.day,
        month=d.month,
        mon=get_month_names("abbreviated", "format", locale=_current)[d.month],
    )


def long_date(d: dt.date) -> str:
    """Monday, 23 November / Понедельник, 23 ноября: a day's heading."""
    return _("calendar.long_date", weekday=weekday_name(d), date=day_month(d))


def full_date(d: dt.date) -> str:
    """23 November 2026 / 23 ноября 2026."""
    return _("calendar.full_date", date=day_month(d), year=d.year)


def week_range(start: dt.date, end: dt.date) -> str:
    """23–28 November 2026, or 30 November – 5 December 2026 across months."""
    if start.year != end.year:
        return f"{full_date(start)} – {full_date(end)}"
    if start.month != end.month:
        return _("calendar.range_months", start=day_month(start), end=day_month(end), year=end.year)
    month = _month_of(end.month)
    return _("calendar.range_days", start=start.day, end=end.day, month=month, year=end.year)


def date_time(moment: dt.datetime) -> str:
    """23 November, 18:05: when something was given or changed, on the school's clocks
    (in the moment's own offset until the school's zone is known)."""
    moment = school_time(moment, moment.tzinfo)
    return _("calendar.date_time", date=day_month(moment.date()), time=moment.strftime("%H:%M"))


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """A date as people type it: 2026-11-25, 25.11.2026, 25.11.26 or 25.11 (this year)."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    found = re.fullmatch(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?", text)
    if found is None:
        return None
    day, month, year = found.groups()
    full_year = today.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
    try:
        return dt.date(full_year, int(month), int(day))
    except ValueError:
        return None


# --- texts of key bindings --------------------------------------------------------


def localise_text(text: str) -> str:
    """A binding's description as the user reads it: a catalogue key, or Textual's own text."""
    if has(text):
        return _(text)
    return _(f"textual.{text}") if has(f"textual.{text}") else text

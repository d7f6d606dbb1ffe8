"""A cell's text read as what it stands for: a name, a date, an e-mail, a phone, a day, a class.

Each reader returns the value or raises `Bad` with the reason, which the import
turns into a refused row naming the line and the column. Keys (`name_key`,
`class_key`) compare what people write differently for the same thing: ё and е,
case, a Latin A typed for a Cyrillic А in "7A".
"""

from __future__ import annotations

import datetime as dt
import re

from .files import CellValue


class Bad(ValueError):
    """A cell that cannot be read; the message is the reason, said to the administrator."""


_DATE_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;.]{2,}$")
_NAME = re.compile(r"^[^\W\d_]+(?:[-' ][^\W\d_]+)*$")
_PHONE_JUNK = re.compile(r"[\s()\-.]")
_LATIN_LOOKALIKES = str.maketrans("ABEKMHOPCTX", "АВЕКМНОРСТХ")

WEEKDAYS: dict[str, int] = {
    **{w: i for i, w in enumerate(("пн", "вт", "ср", "чт", "пт", "сб"))},
    **{
        w: i
        for i, w in enumerate(("понедельник", "вторник", "среда", "четверг", "пятница", "суббота"))
    },
    **{w: i for i, w in enumerate(("mon", "tue", "wed", "thu", "fri", "sat"))},
    **{
        w: i
        for i, w in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday"))
    },
    **{str(i + 1): i for i in range(6)},
}

RELATIONS: dict[str, str] = {
    "мать": "mother",
    "мама": "mother",
    "mother": "mother",
    "отец": "father",
    "папа": "father",
    "father": "father",
    "родитель": "parent",
    "parent": "parent",
    "законный представитель": "legal representative",
    "legal representative": "legal representative",
    "опекун": "guardian",
    "попечитель": "guardian",
    "guardian": "guardian",
    "бабушка": "grandmother",
    "grandmother": "grandmother",
    "дедушка": "grandfather",
    "grandfather": "grandfather",
}


def fold(text: str) -> str:
    """Text as compared: lower case, ё as е, single spaces."""
    return " ".join(text.lower().replace("ё", "е").split())


def name_key(*parts: str | None) -> str:
    return fold(" ".join(p for p in parts if p))


def class_key(name: str) -> str:
    """'7 а', '7-А' and '7A' (Latin) are all the class 7А."""
    return re.sub(r"[\s\-]", "", name.upper()).translate(_LATIN_LOOKALIKES)


def name(text: str, *, required: bool) -> str | None:
    text = " ".join(text.split())
    if not text:
        if required:
            raise Bad("empty; every person needs one")
        return None
    if not _NAME.match(text):
        raise Bad(f'"{text}" is not a name (letters, a hyphen or an apostrophe only)')
    return text


def date(value: CellValue, *, required: bool) -> dt.date | None:
    """ДД.ММ.ГГГГ (Russian spreadsheets), ISO YYYY-MM-DD, or a date cell of a workbook."""
    if isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        if required:
            raise Bad("empty; give the date as ДД.ММ.ГГГГ")
        return None
    found = _DATE_DMY.match(text)
    try:
        if found is not None:
            day, month, year = (int(x) for x in found.groups())
            return dt.date(year, month, day)
        found = _DATE_ISO.match(text)
        if found is not None:
            return dt.date.fromisoformat(text)
    except ValueError:
        raise Bad(f'"{text}" is not a date in the calendar') from None
    raise Bad(f'"{text}" is not a date like 25.11.2014 (ДД.ММ.ГГГГ) or 2014-11-25')


def email(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if not _EMAIL.match(text):
        raise Bad(f'"{text}" is not an e-mail address like name@example.ru')
    return text.lower()


def phone(text: str) -> str | None:
    """A Russian number as +7XXXXXXXXXX (8 or 7 first, or 10 digits); others as +digits."""
    text = text.strip()
    if not text:
        return None
    digits = _PHONE_JUNK.sub("", text)
    plus = digits.startswith("+")
    digits = digits.lstrip("+")
    if not digits.isdigit() or not 10 <= len(digits) <= 15:
        raise Bad(f'"{text}" is not a phone number like +7 912 345-67-89')
    if len(digits) == 10 and not plus:
        digits = "7" + digits
    elif len(digits) == 11 and digits[0] == "8" and not plus:
        digits = "7" + digits[1:]
    return "+" + digits


def weekday(text: str) -> int:
    found = WEEKDAYS.get(fold(text).rstrip("."))
    if found is None:
        raise Bad(f'"{text}" is not a school day (пн, вт, ср, чт, пт, сб or Monday..Saturday)')
    return found


def lesson_number(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 12:
        raise Bad(f'"{text}" is not a lesson number (1-12)')
    return int(text)


def relation(text: str) -> str:
    if not text.strip():
        return "parent"
    found = RELATIONS.get(fold(text))
    if found is None:
        known = "мать, отец, родитель, законный представитель, опекун, бабушка, дедушка"
        raise Bad(f'"{text}" is not a relation the diary knows ({known})')
    return found


def split_list(text: str) -> list[str]:
    """'S-0001; S-0002' or 'S-0001, S-0002': the items, stripped, none empty."""
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]

"""Keeping an answer a provider could not read, for a bug report, with personal data blanked.

When a service changes the shape of an answer, the person who sees "the service
answered in a form this version does not know" can attach this file to a
report. Names, contacts, ids of documents, birthdays, tokens and free text
written by people are replaced by `***` (numbers and dates that are not
birthdays stay: the shape and the values' kinds are what a fix needs).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

from ediary_tui.client import locations

BLANK = "***"
# Keys whose values are about a person or a secret, in the services' own spellings.
_PERSONAL = re.compile(
    r"(^|_)(name|names|fio|first|last|middle|surname|patronymic|firstname|lastname|middlename|"
    r"short_name|full_name|fullname|email|mail|phone|mobile|snils|inn|passport|birth|birthday|"
    r"birth_date|birthdate|address|login|username|password|token|auth_token|aupd_token|"
    r"access_token|refresh_token|comment|text|body|message|description|avatar|photo|sex|gender|"
    r"contract|document|agent|guardian|parent|author|teacher|title)($|_)",
    re.IGNORECASE,
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PHONE = re.compile(r"\+?\d[\d\s()-]{9,}\d")
# Kept as they are: what a fix needs to see, and no one's name.
_KEEP = re.compile(
    r"(^|_)(type|kind|code|id|ids|weight|value|date|state|status)$"
    r"|^(subject|control_form|lesson|work_type|period|group|class|school)_name$",
    re.IGNORECASE,
)


def _personal(key: str) -> bool:
    snake = _CAMEL.sub("_", key)
    return bool(_PERSONAL.search(snake)) and not _KEEP.search(snake)


def blank(data: Any) -> Any:
    """`data` with every personal value blanked, the shape kept."""
    if isinstance(data, dict):
        return {k: (_blank_value(v) if _personal(str(k)) else blank(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [blank(v) for v in data]
    if isinstance(data, str):
        return _PHONE.sub(BLANK, _EMAIL.sub(BLANK, data))
    return data


def _blank_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return blank(value) if isinstance(value, list) and not value else _blank_all(value)
    if value is None or isinstance(value, bool):
        return value
    return BLANK


def _blank_all(data: Any) -> Any:
    """Everything under a personal key: strings and numbers blanked, the keys kept."""
    if isinstance(data, dict):
        return {k: _blank_all(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_blank_all(v) for v in data]
    return _blank_value(data)


def blank_text(text: str) -> str:
    """A raw answer's text blanked: JSON field by field, anything else wholesale."""
    try:
        data = json.loads(text)
    except ValueError:
        return _PHONE.sub(BLANK, _EMAIL.sub(BLANK, text[:2000]))
    return json.dumps(blank(data), ensure_ascii=False, indent=1)


def _blank_url(url: str) -> str:
    """The address without its query's values of people or secrets."""
    return re.sub(
        r"(?i)([?&](?:auth_token|token|devkey|password|login|person_ids?)=)[^&]*",
        rf"\1{BLANK}",
        url,
    )


def keep_raw(
    provider: str, what: str, url: str, text: str, *, folder: Path | None = None
) -> Path | None:
    """Write the blanked answer for a report; its path, or None when it could not be written."""
    folder = folder or locations.reports_dir()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
    safe_what = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-") or "answer"
    path = folder / f"{provider}-{safe_what}-{stamp}.txt"
    body = f"{provider}: {what}\n{_blank_url(url)}\n\n{blank_text(text)}\n"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
    except OSError:
        return None
    return path

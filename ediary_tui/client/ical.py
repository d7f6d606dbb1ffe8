"""Homework as an iCalendar file (RFC 5545), for a calendar or a task list.

One VTODO per assignment: due on its `due` date (the next lesson of the
subject), starting on the day it was set, done or not. The UID is built from
the homework id and the server's host, so importing the same range again
updates the tasks instead of doubling them. Pure text: no I/O, no Textual;
the screen chooses the words (they are translated), client.exports writes the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ediary_tui.domain.models import Homework

from .exports import safe_name

PRODID = "-//ediary-tui//Homework//EN"
CRLF = "\r\n"
# A content line is at most 75 octets, not counting the line break (RFC 5545, 3.1).
LINE_OCTETS = 75
# TEXT may not hold control characters other than a tab (3.3.11); newlines are escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Optional work sorts last in task lists: 9 is the lowest priority (3.8.1.9).
LOW_PRIORITY = 9


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped (3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, never inside a UTF-8 character.

    Each continuation starts with a space, which counts towards its 75 octets
    and which a reader removes when unfolding (3.1).
    """
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > LINE_OCTETS:
            pieces.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return CRLF.join(pieces)


def date_value(day: dt.date) -> str:
    return f"{day:%Y%m%d}"


def utc_value(moment: dt.datetime) -> str:
    """A DATE-TIME in UTC ("Z"); a naive time is taken as UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return f"{moment:%Y%m%dT%H%M%SZ}"


@dataclass(frozen=True)
class Todo:
    """One VTODO: what the calendar needs to know of a task."""

    uid: str
    summary: str
    created: dt.datetime
    modified: dt.datetime
    start: dt.date | None = None
    due: dt.date | None = None
    description: str = ""
    categories: tuple[str, ...] = ()
    done: bool = False
    priority: int | None = None

    def lines(self, stamp: dt.datetime) -> list[str]:
        """The component's content lines, unfolded."""
        lines = [
            "BEGIN:VTODO",
            f"UID:{self.uid}",
            f"DTSTAMP:{utc_value(stamp)}",
            f"CREATED:{utc_value(self.created)}",
            f"LAST-MODIFIED:{utc_value(self.modified)}",
        ]
        # DUE must come after DTSTART (3.8.2.3): a start on the due day itself is left out.
        if self.start is not None and (self.due is None or self.start < self.due):
            lines.append(f"DTSTART;VALUE=DATE:{date_value(self.start)}")
        if self.due is not None:
            lines.append(f"DUE;VALUE=DATE:{date_value(self.due)}")
        lines.append(f"SUMMARY:{escape_text(self.summary)}")
        if self.description:
            lines.append(f"DESCRIPTION:{escape_text(self.description)}")
        if self.categories:
            lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in self.categories))
        if self.priority is not None:
            lines.append(f"PRIORITY:{self.priority}")
        if self.done:
            lines += ["STATUS:COMPLETED", "PERCENT-COMPLETE:100"]
        else:
            lines.append("STATUS:NEEDS-ACTION")
        lines.append("END:VTODO")
        return lines


def calendar(todos: Iterable[Todo], *, stamp: dt.datetime, name: str | None = None) -> str:
    """A whole VCALENDAR: CRLF line ends, every line folded; `stamp` is when it was made."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for todo in todos:
        lines += todo.lines(stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


# --- homework ---------------------------------------------------------------------


def server_host(server: str) -> str:
    """The host part of a server URL, for UIDs ("school.test"); "ediary" when there is none."""
    return urlsplit(server).hostname or "ediary"


def homework_uid(homework_id: str, host: str) -> str:
    """The same for one homework on one server, whenever it is exported."""
    return f"homework-{homework_id}@{host}"


def one_line(text: str) -> str:
    return " ".join(text.split())


def homework_todo(hw: Homework, *, host: str, summary: str, description: str) -> Todo:
    """An assignment as a task: due on its due date, from the day it was set."""
    return Todo(
        uid=homework_uid(hw.id, host),
        summary=summary,
        created=hw.created_at,
        modified=hw.updated_at,
        start=hw.date,
        due=hw.due,
        description=description,
        categories=(hw.subject.name,),
        done=hw.done,
        priority=None if hw.required else LOW_PRIORITY,
    )


def ics_name(child: str, first: dt.date, last: dt.date) -> str:
    """homework-Жукова-Дарья-2026-11-23-2026-11-29.ics: whose, and which days."""
    return f"homework-{safe_name(child, 'child')}-{first.isoformat()}-{last.isoformat()}.ics"

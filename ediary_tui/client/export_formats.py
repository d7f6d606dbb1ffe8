"""What goes into the files a person takes away: CSV, iCalendar, a credentials sheet, the
journal (CSV of the grid, a printable report per class and period).

Pure text, no I/O and no Textual: the screen chooses the words of the CSV
and the calendar (they come in as arguments), the credentials sheet takes
its own from the translations (it is the same sheet wherever it is asked for),
and `client.exports` writes the file. Each format has one builder and one file name here, so the report card,
the homework list and the class's credentials are written the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from icalendar import Calendar, vText
from icalendar import Todo as VTodo

from ediary_tui.clock import school_time
from ediary_tui.domain.models import (
    Homework,
    IssuedCredentials,
    Journal,
    JournalCell,
    ReportCard,
    Role,
)
from ediary_tui.i18n import _, for_person, full_date

from .exports import safe_name

# --- CSV: the report card ---------------------------------------------------------

# UTF-8 with a byte-order mark, so that spreadsheets read Cyrillic.
CSV_ENCODING = "utf-8-sig"


def _number(value: float | int | None, spec: str = "") -> str:
    return "" if value is None else format(value, spec)


def report_card_rows(card: ReportCard, header: Sequence[str]) -> list[list[str]]:
    """The card as a table: `header` (the screen's words), then a line per subject.

    Per period: average (two decimals, as the screen shows it), mark, proposed
    mark, lessons missed, of them ill; then the year mark and the year's misses.
    """
    rows = [list(header)]
    for subject in card.subjects:
        row = [subject.name, subject.teacher.full_name if subject.teacher else ""]
        for figures in subject.periods:
            row += [
                _number(figures.average, ".2f"),
                _number(figures.mark),
                _number(figures.proposed),
                str(figures.absences),
                str(figures.ill),
            ]
        row += [_number(subject.year_mark), str(sum(p.absences for p in subject.periods))]
        rows.append(row)
    return rows


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV text (lines end in CRLF, as the format has it)."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def report_card_name(child: str, year: int) -> str:
    """report-card-Жукова-Дарья-2026.csv: whose (the name as the screen shortens it), which year."""
    return f"report-card-{safe_name(child, 'child')}-{year}.csv"


# --- iCalendar: homework as tasks (RFC 5545, written by the icalendar library) -----

PRODID = "-//ediary-tui//Homework//EN"
# TEXT may not hold control characters other than a tab (3.3.11).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Optional work sorts last in task lists: 9 is the lowest priority (3.8.1.9).
LOW_PRIORITY = 9


def _text(value: str) -> vText:
    """A TEXT value with line breaks made \\n and control characters dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return vText(_CONTROL.sub("", value))


def _utc(moment: dt.datetime) -> dt.datetime:
    """CREATED, DTSTAMP and LAST-MODIFIED are in UTC; a naive time is taken as UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


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

    def component(self, stamp: dt.datetime) -> VTodo:
        todo = VTodo()
        todo.add("uid", self.uid)
        todo.add("dtstamp", _utc(stamp))
        todo.add("created", _utc(self.created))
        todo.add("last-modified", _utc(self.modified))
        # DUE must come after DTSTART (3.8.2.3): a start on the due day itself is left out.
        if self.start is not None and (self.due is None or self.start < self.due):
            todo.add("dtstart", self.start)
        if self.due is not None:
            todo.add("due", self.due)
        todo.add("summary", _text(self.summary))
        if self.description:
            todo.add("description", _text(self.description))
        if self.categories:
            todo.add("categories", [_text(c) for c in self.categories])
        if self.priority is not None:
            todo.add("priority", self.priority)
        if self.done:
            todo.add("status", "COMPLETED")
            todo.add("percent-complete", 100)
        else:
            todo.add("status", "NEEDS-ACTION")
        return todo


def calendar(todos: Iterable[Todo], *, stamp: dt.datetime, name: str | None = None) -> str:
    """A whole VCALENDAR (CRLF line ends, lines folded at 75 octets); `stamp` is when it was made."""
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", _text(name))
    for todo in todos:
        cal.add_component(todo.component(stamp))
    return cal.to_ical().decode("utf-8")


def server_host(server: str) -> str:
    """The host part of a server URL, for UIDs ("school.test"); "ediary" when there is none."""
    return urlsplit(server).hostname or "ediary"


def homework_uid(homework_id: str, host: str) -> str:
    """The same for one homework on one server, so importing a range again updates its tasks."""
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


# --- the credentials sheet: first-login slips to print and cut apart ---------------

RULE = "─" * 48


def credentials_sheet(heading: Sequence[str], slips: Iterable[Sequence[str]]) -> str:
    """`heading` lines, a blank line, then each slip's lines between rules to cut along."""
    lines = [*heading, ""]
    for slip in slips:
        lines += [RULE, *slip]
    lines += [RULE, ""]
    return "\n".join(lines)


def credentials_text(issued: IssuedCredentials, server: str, tz: dt.tzinfo | None) -> str:
    """The sheet to print, in the user's language: one slip per person, to cut apart."""
    moment = school_time(issued.issued_at, tz)
    when = _("calendar.date_time", date=full_date(moment.date()), time=f"{moment:%H:%M}")
    heading = [
        _("class.sheet_title", class_name=issued.class_name),
        _("class.sheet_issued", when=when, server=server),
    ]
    slips: list[list[str]] = []
    for credential in issued.credentials:
        if credential.role == Role.STUDENT:
            who = for_person("class.sheet_student", credential.full_name, name=credential.full_name)
        else:
            child = " ".join(credential.student_name.split()[:2])  # surname and first name
            who = for_person(
                "class.sheet_parent",
                credential.student_name,
                name=credential.full_name,
                student=child,
            )
        slips.append(
            [
                who,
                _("class.sheet_login", login=credential.login),
                _("class.sheet_password", password=credential.password),
                _("class.sheet_first_login"),
            ]
        )
    return credentials_sheet(heading, slips)


def credentials_name(class_name: str, issued_at: dt.datetime) -> str:
    """credentials-7А-20261125-180509.txt: letters and digits of the class, nothing a shell minds."""
    return f"credentials-{safe_name(class_name, 'class')}-{issued_at:%Y%m%d-%H%M%S}.txt"


# --- the journal: CSV of the grid, the class's printable report ---------------------------

REPORT_WIDTH = 79  # fits 80 columns with room for a printer's margin
PAGE_BREAK = "\f"  # a form feed: every printer starts a new page


@dataclass(frozen=True)
class ReportWords:
    """The words of the journal's CSV and report, in the user's language (the screen's).
    `title`, `lessons`, `printed` and `page` are templates (str.format)."""

    student: str
    marks: str
    average: str
    proposed: str
    period_mark: str
    absences: str
    held: str
    year_mark: str
    title: str  # {class_name}, {subject}
    lessons: str  # {period}, {held}, {total}
    printed: str  # {date}
    page: str  # {page}, {pages}
    letters: dict[str, str]  # attendance code -> the journal's letter


@dataclass(frozen=True)
class JournalPage:
    """One subject's journal for the period, its period named, and whether it is the year's
    last (the year mark's column)."""

    journal: Journal
    period: str
    last_period: bool = False


def _cell_text(cell: JournalCell | None, letters: dict[str, str]) -> str:
    """A cell as the grid shows it: the attendance letter, then the marks ("•" a dot)."""
    if cell is None:
        return ""
    parts = [letters.get(cell.attendance.value, "")] if cell.attendance is not None else []
    parts += ["•" if m.is_dot or m.value is None else str(m.value) for m in cell.marks]
    return " ".join(p for p in parts if p)


def _cells(journal: Journal) -> dict[tuple[str, str], JournalCell]:
    return {(c.student_id, c.lesson_id): c for c in journal.cells}


def journal_csv_rows(page: JournalPage, words: ReportWords) -> list[list[str]]:
    """The grid as a table: a student per line, a lesson per column (date and number), then
    the average, the proposed and the set period mark, lessons missed and held, the year mark
    (on the last period)."""
    journal = page.journal
    cells = _cells(journal)
    header = [words.student]
    header += [f"{le.date:%d.%m.%Y} #{le.number}" for le in journal.lessons]
    header += [words.average, words.proposed, words.period_mark, words.absences, words.held]
    if page.last_period:
        header.append(words.year_mark)
    rows = [header]
    for student in journal.students:
        row = [student.full_name]
        row += [_cell_text(cells.get((student.id, le.id)), words.letters) for le in journal.lessons]
        row += [
            _number(student.average, ".2f"),
            _number(student.proposed),
            _number(student.period_mark),
            str(student.absences),
            str(student.lessons_held),
        ]
        if page.last_period:
            row.append(_number(student.year_mark))
        rows.append(row)
    return rows


def journal_csv_name(class_name: str, subject: str, period: str) -> str:
    """journal-7А-Алгебра-2-я-четверть.csv: which class, subject and period."""
    parts = (safe_name(class_name, "class"), safe_name(subject, "subject"), safe_name(period, ""))
    return "journal-" + "-".join(p for p in parts if p) + ".csv"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# The report's columns: number, student, marks (wrapped), average, missed, period, year.
_NAME, _MARKS = 24, 28


def _report_line(
    number: str, name: str, marks: str, average: str, missed: str, period: str, year: str
) -> str:
    line = (
        f"{number:>2} {_fit(name, _NAME):<{_NAME}} {marks:<{_MARKS}} "
        f"{_fit(average, 5):>5} {_fit(missed, 6):>6} {_fit(period, 4):>4} {_fit(year, 4):>4}"
    )
    return line.rstrip()


def _wrapped(items: Sequence[str], width: int) -> list[str]:
    """Marks joined by spaces, broken into lines of at most `width` between marks."""
    lines, current = [], ""
    for item in items:
        joined = f"{current} {item}" if current else item
        if len(joined) > width and current:
            lines.append(current)
            current = item
        else:
            current = joined
    return [*lines, current] if current or not lines else lines


def journal_page_text(page: JournalPage, words: ReportWords, number: int, pages: int) -> str:
    """One subject's page: its title, the period and lessons, then a line (or more, when the
    marks wrap) per student; no line is longer than REPORT_WIDTH."""
    journal = page.journal
    cells = _cells(journal)
    held = max((s.lessons_held for s in journal.students), default=0)
    title = words.title.format(class_name=journal.class_name, subject=journal.subject.name)
    lessons = words.lessons.format(period=page.period, held=held, total=len(journal.lessons))
    lines = [_fit(title, REPORT_WIDTH), _fit(lessons, REPORT_WIDTH), ""]
    lines.append(
        _report_line(
            "№",
            words.student,
            words.marks,
            words.average,
            words.absences,
            words.period_mark,
            words.year_mark if page.last_period else "",
        )
    )
    lines.append("-" * REPORT_WIDTH)
    for index, student in enumerate(journal.students, start=1):
        items = [
            _cell_text(cells.get((student.id, le.id)), words.letters) for le in journal.lessons
        ]
        marks = _wrapped([i for i in items if i], _MARKS)
        year = _number(student.year_mark) if page.last_period else ""
        lines.append(
            _report_line(
                str(index),
                student.full_name,
                marks[0],
                _number(student.average, ".2f"),
                f"{student.absences}/{student.lessons_held}",
                _number(student.period_mark),
                year,
            )
        )
        lines += [_report_line("", "", more, "", "", "", "") for more in marks[1:]]
    lines += ["-" * REPORT_WIDTH, words.page.format(page=number, pages=pages)]
    return "\n".join(lines) + "\n"


def journal_report(pages: Sequence[JournalPage], words: ReportWords, *, printed: dt.date) -> str:
    """The class's report for a period: one page per subject, each ending with a form feed
    but the last; the first line says when it was printed."""
    texts = [
        journal_page_text(page, words, number, len(pages))
        for number, page in enumerate(pages, start=1)
    ]
    stamp = words.printed.format(date=f"{printed:%d.%m.%Y}")
    return stamp + "\n\n" + PAGE_BREAK.join(texts)


def journal_report_name(class_name: str, period: str) -> str:
    """journal-report-7А-2-я-четверть.txt: which class and period."""
    parts = (safe_name(class_name, "class"), safe_name(period, ""))
    return "journal-report-" + "-".join(p for p in parts if p) + ".txt"

"""Homework as iCalendar (RFC 5545): escaping, folding, one stable VTODO per assignment."""

from __future__ import annotations

import datetime as dt
import re

from ediary_tui.client.ical import (
    CRLF,
    Todo,
    calendar,
    escape_text,
    fold,
    homework_todo,
    homework_uid,
    ics_name,
    server_host,
)
from ediary_tui.domain.models import Homework, SubjectRef

STAMP = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
MSK = dt.timezone(dt.timedelta(hours=3))


def homework(**kw: object) -> Homework:
    values: dict[str, object] = {
        "id": "1994",
        "lesson_id": "77",
        "subject": SubjectRef(id="3", name="Алгебра"),
        "date": dt.date(2026, 11, 23),
        "due": dt.date(2026, 11, 24),
        "text": "№ 101 (а–г), № 103; выучить формулы",
        "required": True,
        "done": False,
        "created_at": dt.datetime(2026, 11, 23, 13, 15, tzinfo=MSK),
        "updated_at": dt.datetime(2026, 11, 23, 13, 15, tzinfo=MSK),
    }
    values.update(kw)
    return Homework.model_validate(values)


def unfold(text: str) -> list[str]:
    """What a reader does: join continuation lines, then split into content lines."""
    return text.replace(CRLF + " ", "").split(CRLF)[:-1]


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def properties(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split(":", 1)) for line in unfold(text)]  # type: ignore[misc]


class TestText:
    def test_backslash_semicolon_comma_and_newlines_are_escaped(self) -> None:
        assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"

    def test_control_characters_are_dropped_but_a_tab_stays(self) -> None:
        assert escape_text("a\x00b\x1bc\td") == "abc\td"

    def test_escaping_round_trips(self) -> None:
        text = "Упр. 146, 148; стр. 98\\99\nи ещё"
        assert unescape(escape_text(text)) == text


class TestFolding:
    def test_a_short_line_is_left_alone(self) -> None:
        assert fold("SUMMARY:short") == "SUMMARY:short"

    def test_long_lines_fold_at_75_octets_with_a_leading_space(self) -> None:
        line = "DESCRIPTION:" + "x" * 200
        folded = fold(line)
        pieces = folded.split(CRLF)
        assert all(len(p.encode()) <= 75 for p in pieces)
        assert len(pieces[0].encode()) == 75
        assert all(p.startswith(" ") for p in pieces[1:])
        assert folded.replace(CRLF + " ", "") == line

    def test_cyrillic_is_never_cut_inside_a_character(self) -> None:
        line = "SUMMARY:" + "Прочитать: Н. В. Гоголь. «Тарас Бульба», главы 1–3. " * 4
        pieces = fold(line).split(CRLF)
        for piece in pieces:
            assert len(piece.encode("utf-8")) <= 75
            piece.encode("utf-8").decode("utf-8")  # whole characters only
        assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == line


class TestCalendar:
    def test_the_calendar_wraps_its_todos_with_version_and_prodid(self) -> None:
        text = calendar([], stamp=STAMP, name="Homework, 7А")
        assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
        assert text.endswith("END:VCALENDAR\r\n")
        assert "X-WR-CALNAME:Homework\\, 7А\r\n" in text
        assert "\n" not in text.replace(CRLF, "")  # every line ends in CRLF

    def test_a_todo_has_the_required_properties(self) -> None:
        todo = Todo(
            uid="u1",
            summary="S",
            created=dt.datetime(2026, 11, 23, 13, 15, tzinfo=MSK),
            modified=dt.datetime(2026, 11, 24, 9, 0, tzinfo=MSK),
            start=dt.date(2026, 11, 23),
            due=dt.date(2026, 11, 24),
        )
        props = dict(properties(calendar([todo], stamp=STAMP)))
        assert props["UID"] == "u1"
        assert props["DTSTAMP"] == "20261125T150000Z"
        assert props["CREATED"] == "20261123T101500Z"  # in UTC
        assert props["LAST-MODIFIED"] == "20261124T060000Z"
        assert props["DTSTART;VALUE=DATE"] == "20261123"
        assert props["DUE;VALUE=DATE"] == "20261124"
        assert props["STATUS"] == "NEEDS-ACTION"

    def test_a_start_not_before_the_due_date_is_left_out(self) -> None:
        day = dt.date(2026, 11, 24)
        todo = Todo(uid="u", summary="S", created=STAMP, modified=STAMP, start=day, due=day)
        names = [name for name, _ in properties(calendar([todo], stamp=STAMP))]
        assert "DUE;VALUE=DATE" in names and "DTSTART;VALUE=DATE" not in names


class TestHomework:
    def test_one_vtodo_per_assignment_with_a_stable_uid(self) -> None:
        items = [homework(), homework(id="1995", done=True, required=False)]
        todos = [
            homework_todo(hw, host="school.test", summary=hw.subject.name, description=hw.text)
            for hw in items
        ]
        text = calendar(todos, stamp=STAMP)
        again = calendar(todos, stamp=STAMP + dt.timedelta(days=3))
        uids = [v for k, v in properties(text) if k == "UID"]
        assert uids == ["homework-1994@school.test", "homework-1995@school.test"]
        assert uids == [v for k, v in properties(again) if k == "UID"]
        assert text.count("BEGIN:VTODO") == 2 == text.count("END:VTODO")

    def test_due_done_optional_and_subject(self) -> None:
        hw = homework(done=True, required=False, due=dt.date(2026, 12, 1))
        todo = homework_todo(hw, host="h", summary="Алгебра: x", description=hw.text)
        props = properties(calendar([todo], stamp=STAMP))
        found = dict(props)
        assert found["DUE;VALUE=DATE"] == "20261201"
        assert found["STATUS"] == "COMPLETED" and found["PERCENT-COMPLETE"] == "100"
        assert found["PRIORITY"] == "9"
        assert found["CATEGORIES"] == "Алгебра"
        assert unescape(found["DESCRIPTION"]) == hw.text

    def test_homework_without_a_due_date_has_only_its_start(self) -> None:
        todo = homework_todo(homework(due=None), host="h", summary="s", description="")
        names = [name for name, _ in properties(calendar([todo], stamp=STAMP))]
        assert "DTSTART;VALUE=DATE" in names and "DUE;VALUE=DATE" not in names
        assert "DESCRIPTION" not in names

    def test_uid_host_and_file_name(self) -> None:
        assert server_host("http://school.test:8000/") == "school.test"
        assert server_host("") == "ediary"
        assert homework_uid("7", "school.test") == "homework-7@school.test"
        assert (
            ics_name("Жукова Дарья", dt.date(2026, 11, 23), dt.date(2026, 11, 29))
            == "homework-Жукова-Дарья-2026-11-23-2026-11-29.ics"
        )
        assert ics_name("O'Brien / Ann", dt.date(2026, 11, 23), dt.date(2026, 11, 23)) == (
            "homework-O-Brien-Ann-2026-11-23-2026-11-23.ics"
        )

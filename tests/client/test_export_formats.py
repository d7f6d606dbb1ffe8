"""What goes into exported files: the report card's CSV, homework as iCalendar, credentials.

The calendar is read back with the icalendar library, as a calendar app
would read it, so the tests say what a reader gets rather than how the
lines are spelt.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from icalendar import Calendar

from ediary_tui.client.export_formats import (
    RULE,
    JournalPage,
    ReportWords,
    Todo,
    calendar,
    credentials_name,
    credentials_sheet,
    csv_text,
    homework_todo,
    homework_uid,
    ics_name,
    journal_csv_name,
    journal_csv_rows,
    journal_report,
    journal_report_name,
    report_card_name,
    report_card_rows,
    server_host,
)
from ediary_tui.domain.models import (
    AttendanceCode,
    ControlForm,
    Homework,
    Journal,
    JournalCell,
    JournalLesson,
    JournalStudent,
    Mark,
    Period,
    PersonRef,
    ReportCard,
    ReportSubject,
    SchoolSettings,
    SubjectPeriod,
    SubjectRef,
)

CRLF = "\r\n"
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


def todos_of(text: str) -> list[Calendar]:
    return Calendar.from_ical(text).walk("VTODO")


def todo(**kw: object) -> Todo:
    values: dict[str, object] = {"uid": "u", "summary": "S", "created": STAMP, "modified": STAMP}
    values.update(kw)
    return Todo(**values)  # type: ignore[arg-type]


class TestCalendarText:
    def test_every_line_ends_in_crlf_and_is_at_most_75_octets(self) -> None:
        long = "Прочитать: Н. В. Гоголь. «Тарас Бульба», главы 1–3. " * 4
        text = calendar([todo(summary=long, description="x" * 200)], stamp=STAMP)
        assert text.endswith(CRLF) and "\n" not in text.replace(CRLF, "")
        for line in text.split(CRLF):
            assert len(line.encode("utf-8")) <= 75  # and whole characters: it decoded
        assert str(todos_of(text)[0]["SUMMARY"]) == long

    def test_text_round_trips_with_its_punctuation_and_line_breaks(self) -> None:
        summary = "Упр. 146, 148; стр. 98\\99\r\nи ещё"
        (found,) = todos_of(calendar([todo(summary=summary)], stamp=STAMP))
        assert str(found["SUMMARY"]) == "Упр. 146, 148; стр. 98\\99\nи ещё"

    def test_control_characters_are_dropped_but_a_tab_stays(self) -> None:
        (found,) = todos_of(calendar([todo(summary="a\x00b\x1bc\td")], stamp=STAMP))
        assert str(found["SUMMARY"]) == "abc\td"


class TestCalendar:
    def test_the_calendar_has_version_prodid_and_its_name(self) -> None:
        text = calendar([], stamp=STAMP, name="Homework, 7А")
        assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
        cal = Calendar.from_ical(text)
        assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"]).startswith("-//ediary-tui//")
        # The name is TEXT as calendar apps read it: its comma escaped.
        assert "X-WR-CALNAME:Homework\\, 7А\r\n" in text

    def test_a_todo_has_the_required_properties_with_times_in_utc(self) -> None:
        item = todo(
            uid="u1",
            created=dt.datetime(2026, 11, 23, 13, 15, tzinfo=MSK),
            modified=dt.datetime(2026, 11, 24, 9, 0, tzinfo=MSK),
            start=dt.date(2026, 11, 23),
            due=dt.date(2026, 11, 24),
        )
        text = calendar([item], stamp=STAMP)
        (found,) = todos_of(text)
        assert str(found["UID"]) == "u1"
        assert found.decoded("DTSTAMP") == STAMP
        assert found.decoded("CREATED") == dt.datetime(2026, 11, 23, 10, 15, tzinfo=dt.UTC)
        assert "CREATED:20261123T101500Z" in text  # UTC, as RFC 5545 asks
        assert found.decoded("LAST-MODIFIED") == dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)
        assert found.decoded("DTSTART") == dt.date(2026, 11, 23)
        assert found.decoded("DUE") == dt.date(2026, 11, 24)
        assert str(found["STATUS"]) == "NEEDS-ACTION"

    def test_a_naive_time_is_taken_as_utc(self) -> None:
        (found,) = todos_of(calendar([todo(created=dt.datetime(2026, 1, 2, 3, 4))], stamp=STAMP))
        assert found.decoded("CREATED") == dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)

    def test_a_start_not_before_the_due_date_is_left_out(self) -> None:
        day = dt.date(2026, 11, 24)
        (found,) = todos_of(calendar([todo(start=day, due=day)], stamp=STAMP))
        assert "DUE" in found and "DTSTART" not in found


class TestHomework:
    def test_one_vtodo_per_assignment_with_a_stable_uid(self) -> None:
        items = [homework(), homework(id="1995", done=True, required=False)]
        todos = [
            homework_todo(hw, host="school.test", summary=hw.subject.name, description=hw.text)
            for hw in items
        ]
        first = calendar(todos, stamp=STAMP)
        again = calendar(todos, stamp=STAMP + dt.timedelta(days=3))
        uids = [str(t["UID"]) for t in todos_of(first)]
        assert uids == ["homework-1994@school.test", "homework-1995@school.test"]
        assert uids == [str(t["UID"]) for t in todos_of(again)]

    def test_due_done_optional_and_subject(self) -> None:
        hw = homework(done=True, required=False, due=dt.date(2026, 12, 1))
        item = homework_todo(hw, host="h", summary="Алгебра: x", description=hw.text)
        (found,) = todos_of(calendar([item], stamp=STAMP))
        assert found.decoded("DUE") == dt.date(2026, 12, 1)
        assert str(found["STATUS"]) == "COMPLETED" and int(found["PERCENT-COMPLETE"]) == 100
        assert int(found["PRIORITY"]) == 9
        assert [str(c) for c in found["CATEGORIES"].cats] == ["Алгебра"]
        assert str(found["DESCRIPTION"]) == hw.text

    def test_homework_without_a_due_date_has_only_its_start(self) -> None:
        item = homework_todo(homework(due=None), host="h", summary="s", description="")
        (found,) = todos_of(calendar([item], stamp=STAMP))
        assert "DTSTART" in found and "DUE" not in found and "DESCRIPTION" not in found
        assert "PRIORITY" not in found  # required work keeps the default priority

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


class TestReportCardCsv:
    HEADER = ("Subject", "Teacher", "avg", "mark", "proposed", "missed", "ill", "year", "missed")

    def card(self) -> ReportCard:
        return ReportCard.model_validate(
            {
                "student_id": "1",
                "year": 2026,
                "periods": [],
                "subjects": [
                    ReportSubject(
                        id="m",
                        name="Алгебра, 7",
                        teacher=PersonRef(id="t", full_name="Акимов Иван"),
                        periods=[
                            SubjectPeriod(
                                period_id="q1",
                                average=4.456,
                                mark=None,
                                proposed=4,
                                marks_count=6,
                                absences=3,
                                ill=1,
                            )
                        ],
                        year_mark=None,
                    ),
                ],
            }
        )

    def test_a_line_per_subject_with_the_figures_as_the_screen_shows_them(self) -> None:
        rows = report_card_rows(self.card(), self.HEADER)
        assert rows == [
            list(self.HEADER),
            ["Алгебра, 7", "Акимов Иван", "4.46", "", "4", "3", "1", "", "3"],
        ]

    def test_csv_text_quotes_commas_and_reads_back(self) -> None:
        rows = report_card_rows(self.card(), self.HEADER)
        text = csv_text(rows)
        assert text.endswith("\r\n") and '"Алгебра, 7"' in text
        assert list(csv.reader(io.StringIO(text, newline=""))) == rows

    def test_the_file_name_keeps_the_childs_name_and_the_year(self) -> None:
        assert report_card_name("Жукова Дарья", 2026) == "report-card-Жукова-Дарья-2026.csv"
        assert report_card_name("O'Brien Ann", 2026) == "report-card-O-Brien-Ann-2026.csv"
        assert report_card_name("", 2026) == "report-card-child-2026.csv"


class TestCredentialsSheet:
    def test_slips_between_rules_to_cut_along(self) -> None:
        text = credentials_sheet(["7А", "issued"], [["Ann", "login: a"], ["Bob", "login: b"]])
        assert text.split("\n") == [
            "7А",
            "issued",
            "",
            RULE,
            "Ann",
            "login: a",
            RULE,
            "Bob",
            "login: b",
            RULE,
            "",
        ]

    def test_the_file_name_has_nothing_a_shell_minds(self) -> None:
        moment = dt.datetime(2026, 11, 25, 18, 5, 9)
        assert credentials_name("7А", moment) == "credentials-7А-20261125-180509.txt"
        assert credentials_name("10 Б/2", moment) == "credentials-10-Б-2-20261125-180509.txt"


# --- the journal (issue 14) ---------------------------------------------------------------


def _journal(marks_per_lesson: int = 1, lessons: int = 3) -> Journal:
    """7А Алгебра, two students; the first has a mark in every lesson and one absence."""
    form = ControlForm(code="cw", name="Работа на уроке", weight=1)
    teacher = PersonRef(id="9", full_name="Иванова Мария Петровна")
    period = Period(
        id="2",
        name="2nd quarter",
        kind="quarter",
        number=4,
        starts_on=dt.date(2027, 4, 1),
        ends_on=dt.date(2027, 5, 26),
    )
    lesson_rows = [
        JournalLesson(
            id=str(10 + i),
            date=dt.date(2027, 4, 1) + dt.timedelta(days=i),
            number=2,
            control_form=form,
        )
        for i in range(lessons)
    ]

    def mark(lesson: JournalLesson, value: int) -> Mark:
        return Mark(
            id=f"{lesson.id}-{value}",
            value=value,
            control_form=form,
            teacher=teacher,
            lesson_id=lesson.id,
            student_id="1",
            subject_id="5",
            date=lesson.date,
            created_at=STAMP,
            updated_at=STAMP,
        )

    cells = [
        JournalCell(
            student_id="1", lesson_id=le.id, marks=[mark(le, 5) for _ in range(marks_per_lesson)]
        )
        for le in lesson_rows
    ]
    cells.append(
        JournalCell(student_id="2", lesson_id=lesson_rows[0].id, attendance=AttendanceCode.ABSENT)
    )
    return Journal(
        class_id="3",
        class_name="7А",
        subject=SubjectRef(id="5", name="Алгебра"),
        period=period,
        periods=[period],
        students=[
            JournalStudent(
                id="1",
                full_name="Андреев Илья Александрович",
                average=5.0,
                proposed=5,
                period_mark=5,
                absences=0,
                lessons_held=lessons,
                year_mark=4,
            ),
            JournalStudent(id="2", full_name="Борисова Анна", absences=1, lessons_held=lessons),
        ],
        lessons=lesson_rows,
        cells=cells,
        settings=SchoolSettings(),
    )


WORDS = ReportWords(
    student="Student",
    marks="Marks",
    average="avg",
    proposed="prop",
    period_mark="term",
    absences="miss",
    held="held",
    year_mark="year",
    title="Class {class_name} · {subject}",
    lessons="{period} · lessons held: {held} of {total}",
    printed="Journal report, printed {date}",
    page="Page {page} of {pages}",
    letters={"absent": "н", "ill": "б", "excused": "у", "late": "оп"},
)


class TestJournalCsv:
    def test_a_line_per_student_a_column_per_lesson_then_the_summary(self) -> None:
        page = JournalPage(_journal(), "4th quarter", last_period=True)
        rows = list(csv.reader(io.StringIO(csv_text(journal_csv_rows(page, WORDS)))))
        assert rows == [
            [
                "Student",
                "01.04.2027 #2",
                "02.04.2027 #2",
                "03.04.2027 #2",
                "avg",
                "prop",
                "term",
                "miss",
                "held",
                "year",
            ],
            ["Андреев Илья Александрович", "5", "5", "5", "5.00", "5", "5", "0", "3", "4"],
            ["Борисова Анна", "н", "", "", "", "", "", "1", "3", ""],
        ]

    def test_before_the_last_period_there_is_no_year_column(self) -> None:
        rows = journal_csv_rows(JournalPage(_journal(), "2nd quarter"), WORDS)
        assert rows[0][-1] == "held" and len(rows[1]) == len(rows[0])

    def test_the_file_name(self) -> None:
        assert journal_csv_name("7А", "Русский язык", "2nd quarter") == (
            "journal-7А-Русский-язык-2nd-quarter.csv"
        )
        assert journal_report_name("7А", "2nd quarter") == "journal-report-7А-2nd-quarter.txt"


class TestJournalReport:
    def test_a_page_per_subject_fixed_width_within_80_columns(self) -> None:
        algebra = JournalPage(_journal(), "4th quarter, 01.04.2027 – 26.05.2027", True)
        geometry = JournalPage(
            _journal().model_copy(update={"subject": SubjectRef(id="6", name="Геометрия")}),
            "4th quarter, 01.04.2027 – 26.05.2027",
            True,
        )
        text = journal_report([algebra, geometry], WORDS, printed=dt.date(2027, 4, 21))
        pages = text.split("\f")
        assert len(pages) == 2
        first = pages[0].splitlines()
        assert first[:5] == [
            "Journal report, printed 21.04.2027",
            "",
            "Class 7А · Алгебра",
            "4th quarter, 01.04.2027 – 26.05.2027 · lessons held: 3 of 3",
            "",
        ]
        assert first[5] == (
            " № Student                  Marks                          avg   miss term year"
        )
        assert first[6] == "-" * 79
        assert first[7] == (
            " 1 Андреев Илья Александро… 5 5 5                         5.00    0/3    5    4"
        )
        assert first[8] == " 2 Борисова Анна            н" + " " * 37 + "1/3"
        assert first[-1] == "Page 1 of 2"
        assert pages[1].splitlines()[0] == "Class 7А · Геометрия"
        assert all(len(line) <= 79 for line in text.splitlines())

    def test_many_marks_wrap_in_their_column(self) -> None:
        page = JournalPage(_journal(marks_per_lesson=2, lessons=10), "2nd quarter")
        lines = journal_report([page], WORDS, printed=dt.date(2026, 11, 25)).splitlines()
        row = lines.index(next(x for x in lines if x.startswith(" 1 ")))
        marks = " ".join(["5 5"] * 10)  # 39 characters: two lines of at most 28
        assert lines[row][28:56].rstrip() == marks[:27]
        assert lines[row + 1] == " " * 28 + marks[28:]
        assert all(len(line) <= 79 for line in lines)

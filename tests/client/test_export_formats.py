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
    Todo,
    calendar,
    credentials_name,
    credentials_sheet,
    csv_text,
    homework_todo,
    homework_uid,
    ics_name,
    report_card_name,
    report_card_rows,
    server_host,
)
from ediary_tui.domain.models import (
    Homework,
    PersonRef,
    ReportCard,
    ReportSubject,
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

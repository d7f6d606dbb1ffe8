"""Dnevnik.ru's answers turned into our models: pure functions, no calls.

A Dnevnik mark is a value on a *work*; the work's type (`work-types`) names the
kind of work and its weight, and the lesson gives the subject, the teacher and
the day. Attendance is a separate log (`lesson-log-entries`), one status a lesson.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ediary_tui.domain.attendance import count_absences
from ediary_tui.domain.marks import Scored, round_average, weighted_average
from ediary_tui.domain.models import (
    AttendanceCode,
    Day,
    Homework,
    Mark,
    Period,
    PersonRef,
    ReportCard,
    ReportSubject,
    SubjectPeriod,
    SubjectRef,
    Week,
    WeekLesson,
)

from ..base import SCHOOL_TZ, at_time, attendance_of, control_form, week_days
from . import answers as a

HOMEWORK_TYPE = "homework"  # Work.type of a homework, compared in lower case
YEAR_PERIOD = "year"  # Work.periodType of a year mark, compared in lower case
NOBODY = PersonRef(id="", full_name="")
LESSON_MINUTES = 40
# The usual bells, for a school whose timetable the service does not give.
DEFAULT_BELLS: dict[int, tuple[dt.time, dt.time]] = {
    n: (start, end)
    for n, (start, end) in enumerate(
        [
            (dt.time(8, 30), dt.time(9, 10)),
            (dt.time(9, 20), dt.time(10, 0)),
            (dt.time(10, 15), dt.time(10, 55)),
            (dt.time(11, 10), dt.time(11, 50)),
            (dt.time(12, 5), dt.time(12, 45)),
            (dt.time(12, 55), dt.time(13, 35)),
            (dt.time(13, 45), dt.time(14, 25)),
            (dt.time(14, 35), dt.time(15, 15)),
        ],
        start=1,
    )
}
# Lesson log statuses (`lesson-log-entries/statuses`) and what they mean here.
_STATUSES: dict[str, AttendanceCode] = {
    "absent": AttendanceCode.ABSENT,
    "ill": AttendanceCode.ILL,
    "sick": AttendanceCode.ILL,
    "pass": AttendanceCode.EXCUSED,
    "excused": AttendanceCode.EXCUSED,
    "late": AttendanceCode.LATE,
}


def full_name(
    last: str | None, first: str | None, middle: str | None, short: str | None = None
) -> str:
    """ "Фамилия Имя Отчество" from the parts given; the short name when there are none."""
    parts = [p.strip() for p in (last, first, middle) if p and p.strip()]
    return " ".join(parts) or (short or "").strip()


def person_ref(person: a.Person) -> PersonRef:
    name = full_name(person.lastName, person.firstName, person.middleName, person.shortName)
    return PersonRef(id=person.id_str or str(person.id), full_name=name)


def attendance_from_status(status: str | None) -> AttendanceCode | None:
    """Our attendance code for a log status ("Absent", "Ill", "Late", "Pass"; "Attend" is none)."""
    text = (status or "").strip()
    return _STATUSES.get(text.lower()) or attendance_of(text)


def bells(timetables: Iterable[a.Timetable]) -> dict[int, tuple[dt.time, dt.time]]:
    """Lesson number -> start and end, from the class's timetable (the default bells fill gaps)."""
    found = dict(DEFAULT_BELLS)
    for timetable in timetables:
        for item in timetable.Items:
            if item.Start is not None and item.Finish is not None:
                found[item.LessonNumber] = (item.Start.time(), item.Finish.time())
    return found


def lesson_times(
    day: dt.date, number: int, bell: Mapping[int, tuple[dt.time, dt.time]]
) -> tuple[dt.datetime, dt.datetime]:
    start, end = bell.get(number, (dt.time(8, 0), dt.time(8, LESSON_MINUTES)))
    return dt.datetime.combine(day, start, SCHOOL_TZ), dt.datetime.combine(day, end, SCHOOL_TZ)


def in_school_tz(moment: dt.datetime) -> dt.datetime:
    """A service time (Moscow time, usually without an offset) as an aware datetime."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SCHOOL_TZ)
    return moment.astimezone(SCHOOL_TZ)


@dataclass
class Diary:
    """What mapping marks and homework needs to know besides the marks themselves."""

    student_id: str
    lessons: dict[int, a.Lesson] = field(default_factory=dict)
    work_types: dict[int, a.WorkType] = field(default_factory=dict)
    teachers: dict[int, PersonRef] = field(default_factory=dict)
    bells: dict[int, tuple[dt.time, dt.time]] = field(default_factory=lambda: dict(DEFAULT_BELLS))
    works: dict[int, a.Work] = field(default_factory=dict)

    def teacher_of(self, lesson: a.Lesson | None) -> PersonRef:
        if lesson is None or not lesson.teachers:
            return NOBODY
        first = lesson.teachers[0]
        return self.teachers.get(first, PersonRef(id=str(first), full_name=""))

    def start_of(self, lesson: a.Lesson) -> dt.datetime:
        return lesson_times(lesson.date.date(), lesson.number, self.bells)[0]


def lesson_id(lesson: a.Lesson) -> str:
    return lesson.id_str or str(lesson.id)


def subject_ref(subject: a.Subject) -> SubjectRef:
    return SubjectRef(id=subject.id_str or str(subject.id), name=subject.name)


def mark_text(mark: a.Mark) -> str:
    return (mark.value or mark.textValue or "").strip()


def absence_of(mark: a.Mark) -> AttendanceCode | None:
    """A "mark" that is an absence letter ("н"): attendance, not a mark."""
    return attendance_of(mark_text(mark))


def to_mark(mark: a.Mark, diary: Diary) -> Mark | None:
    """Our mark for a Dnevnik mark; None for an absence letter written as a mark.

    A value that is not a number ("зч", a pass) is kept with no value, the text as comment.
    """
    text = mark_text(mark)
    if attendance_of(text) is not None:
        return None
    lesson = diary.lessons.get(mark.lesson) if mark.lesson is not None else None
    work = diary.works.get(mark.work) if mark.work is not None else None
    type_id = mark.workType if mark.workType is not None else (work.workType if work else None)
    kind = diary.work_types.get(type_id) if type_id is not None else None
    value = int(text) if text.isdigit() else None
    if lesson is not None:
        day = lesson.date.date()
        subject_id = lesson.subject.id_str or str(lesson.subject.id)
        start = diary.start_of(lesson)
    elif mark.date is not None:
        day = mark.date.date()
        subject_id = str(work.subjectId) if work and work.subjectId is not None else ""
        start = at_time(day, None, SCHOOL_TZ, dt.time(8, 30))
    else:
        return None  # neither a lesson nor a date: nowhere to show it
    # The mark's own time when it has one; a bare date means "set on the lesson's day".
    stamped = mark.date is not None and mark.date.time() != dt.time()
    created = in_school_tz(mark.date) if stamped and mark.date is not None else start
    return Mark(
        id=mark.id_str or str(mark.id),
        value=value,
        is_dot=False,
        control_form=control_form(kind.title if kind else None, kind.weight if kind else None),
        comment=None if value is not None or not mark.textValue else mark.textValue,
        teacher=diary.teacher_of(lesson),
        lesson_id=str(mark.lesson) if mark.lesson is not None else (mark.lesson_str or ""),
        student_id=diary.student_id,
        subject_id=subject_id,
        date=day,
        created_at=created,
        updated_at=created,
    )


def homework_of(work: a.Work, lesson: a.Lesson | None, diary: Diary) -> Homework | None:
    """Our homework for a work of type Homework set in `lesson`; None for any other work."""
    if (work.type or "").lower() != HOMEWORK_TYPE or not (work.text or "").strip():
        return None
    if lesson is not None:
        subject = subject_ref(lesson.subject)
        day = lesson.date.date()
        start = diary.start_of(lesson)
    elif work.sentDate is not None or work.targetDate is not None:
        subject = SubjectRef(id=str(work.subjectId or ""), name="")
        day = (work.sentDate or work.targetDate or dt.datetime.min).date()
        start = at_time(day, None, SCHOOL_TZ, dt.time(8, 30))
    else:
        return None  # neither a lesson nor a date: nowhere to show it
    created = in_school_tz(work.sentDate) if work.sentDate is not None else start
    return Homework(
        id=work.id_str or str(work.id),
        lesson_id=str(work.lesson) if work.lesson is not None else (work.lesson_str or ""),
        subject=subject,
        date=day,
        due=work.targetDate.date() if work.targetDate is not None else None,
        text=(work.text or "").strip(),
        required=True,
        done=False,
        created_at=created,
        updated_at=created,
    )


def week(
    student_id: str,
    monday: dt.date,
    lessons: list[a.Lesson],
    marks: list[a.Mark],
    log: list[a.LessonLogEntry],
    diary: Diary,
) -> Week:
    """The week, Monday to Friday (and Saturday with lessons), lessons in order of number."""
    diary.lessons.update({lesson.id: lesson for lesson in lessons})
    for lesson in lessons:
        diary.works.update({work.id: work for work in lesson.works})
    by_lesson: dict[int, list[Mark]] = {}
    absent: dict[int, AttendanceCode] = {}
    for entry in log:
        code = attendance_from_status(entry.status)
        if code is not None:
            absent[entry.lesson] = code
    for found in marks:
        if found.lesson is None:
            continue
        code = absence_of(found)
        if code is not None:
            absent.setdefault(found.lesson, code)
            continue
        mark = to_mark(found, diary)
        if mark is not None:
            by_lesson.setdefault(found.lesson, []).append(mark)
    days: dict[dt.date, list[WeekLesson]] = {}
    for lesson in sorted(lessons, key=lambda x: (x.date, x.number)):
        day = lesson.date.date()
        if not monday <= day < monday + dt.timedelta(days=7):
            continue
        starts, ends = lesson_times(day, lesson.number, diary.bells)
        homework = [h for w in lesson.works if (h := homework_of(w, lesson, diary)) is not None]
        days.setdefault(day, []).append(
            WeekLesson(
                id=lesson_id(lesson),
                number=lesson.number,
                starts_at=starts,
                ends_at=ends,
                subject=subject_ref(lesson.subject),
                teacher=diary.teacher_of(lesson),
                room=(lesson.place or "").strip() or None,
                topic=(lesson.title or "").strip() or None,
                homework=homework,
                marks=sorted(by_lesson.get(lesson.id, []), key=lambda m: m.id),
                attendance=absent.get(lesson.id),
            )
        )
    return Week(
        student_id=student_id,
        start=monday,
        end=monday + dt.timedelta(days=6),
        days=[Day(date=d, lessons=days.get(d, [])) for d in week_days(monday, set(days))],
    )


def marks_of(found: list[a.Mark], diary: Diary, subject_id: str | None = None) -> list[Mark]:
    """Our marks in date order, absences left out, of one subject when `subject_id` is given."""
    mapped = [m for x in found if (m := to_mark(x, diary)) is not None]
    if subject_id is not None:
        mapped = [m for m in mapped if m.subject_id == subject_id]
    return sorted(mapped, key=lambda m: (m.date, m.created_at, m.id))


def period_kind(period: a.ReportingPeriod) -> str:
    """Our kind for the service's period type ("Quarter", "HalfYear", "Semester", "Trimester")."""
    kind = (period.type or "").lower()
    if "tri" in kind:
        return "trimester"
    if "half" in kind or "sem" in kind:
        return "half"
    return "quarter"


_KIND_NAMES = {"quarter": "четверть", "half": "полугодие", "trimester": "триместр"}


def periods_of(found: list[a.ReportingPeriod]) -> list[Period]:
    """Our periods in order, numbered from 1 whatever the service's own numbering."""
    result = []
    for n, period in enumerate(sorted(found, key=lambda p: p.start), start=1):
        kind = period_kind(period)
        result.append(
            Period(
                id=period.id_str or str(period.id),
                name=(period.name or "").strip() or f"{n} {_KIND_NAMES[kind]}",
                kind=kind,
                number=n,
                starts_on=period.start.date(),
                ends_on=period.finish.date(),
            )
        )
    return result


def _mark_value(mark: a.Mark) -> int | None:
    text = mark_text(mark)
    return int(text) if text.isdigit() else None


def final_marks(
    finals: a.FinalMarks, services: list[a.ReportingPeriod]
) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """Period marks by (subject id, period id) and year marks by subject id.

    A final mark's work says its period (`periodType`, `periodNumber`) and subject.
    """
    works = {w.id: w for w in finals.works}
    period_by_number = {p.number: p.id_str or str(p.id) for p in services}
    by_period: dict[tuple[str, str], int] = {}
    by_year: dict[str, int] = {}
    for mark in finals.marks:
        work = works.get(mark.work) if mark.work is not None else None
        value = _mark_value(mark)
        if work is None or work.subjectId is None or value is None:
            continue
        subject = str(work.subjectId)
        if (work.periodType or "").lower() == YEAR_PERIOD:
            by_year[subject] = value
        elif work.periodNumber is not None and work.periodNumber in period_by_number:
            by_period[(subject, period_by_number[work.periodNumber])] = value
    return by_period, by_year


def service_average(found: a.AverageMarks | None) -> float | None:
    """The service's own average: the weighted one when it has it, else the plain one."""
    if found is None:
        return None
    for value in (found.weightedAverageMark, found.averageMark):
        if value:
            return round(value, 2)
    return None


@dataclass
class CardParts:
    """Everything a report card is made of, as fetched."""

    student_id: str
    year: int
    periods: list[a.ReportingPeriod]
    subjects: list[a.Subject]
    marks: list[Mark]
    attendance: list[tuple[str, dt.date, AttendanceCode]]  # subject id, day, code
    finals: a.FinalMarks
    averages: dict[str, dict[str, float | None]]  # period id -> subject id -> average
    teachers: dict[str, PersonRef]


def report_card(parts: CardParts) -> ReportCard:
    """The report card: per subject and period our average beside the service's and the mark."""
    periods = periods_of(parts.periods)
    by_period, by_year = final_marks(parts.finals, parts.periods)
    names: dict[str, str] = {}
    for subject in [*parts.subjects, *parts.finals.subjects]:
        names.setdefault(subject.id_str or str(subject.id), subject.name)
    for subject_id in {m.subject_id for m in parts.marks if m.subject_id}:
        names.setdefault(subject_id, subject_id)
    subjects = []
    for subject_id, name in sorted(names.items(), key=lambda item: (item[1], item[0])):
        rows = []
        for period in periods:
            inside = [
                m
                for m in parts.marks
                if m.subject_id == subject_id and period.starts_on <= m.date <= period.ends_on
            ]
            scored = [
                Scored(m.value, m.control_form.weight, m.control_form.category, m.is_dot)
                for m in inside
            ]
            missed = count_absences(
                code
                for sid, day, code in parts.attendance
                if sid == subject_id and period.starts_on <= day <= period.ends_on
            )
            rows.append(
                SubjectPeriod(
                    period_id=period.id,
                    average=round_average(weighted_average(scored)),
                    service_average=parts.averages.get(period.id, {}).get(subject_id),
                    mark=by_period.get((subject_id, period.id)),
                    absences=missed.absences,
                    ill=missed.ill,
                    marks_count=sum(1 for m in inside if m.value is not None and not m.is_dot),
                )
            )
        subjects.append(
            ReportSubject(
                id=subject_id,
                name=name,
                teacher=parts.teachers.get(subject_id),
                periods=rows,
                year_mark=by_year.get(subject_id),
            )
        )
    return ReportCard(
        student_id=parts.student_id,
        year=parts.year,
        periods=periods,
        subjects=subjects,
        years=[parts.year],
    )

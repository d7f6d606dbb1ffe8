"""МЭШ answers onto our models: pure functions, no calls.

Where the public sources are silent the choices are said here: a lesson's
number is its place in the day (the calendar gives times, not numbers); the
calendar and the marks name no teacher, so a subject's teacher is the one
`school_info` lists for it (an id made from the name, as it gives none);
homework comes from `homeworks/short` and sits under the lesson it was set in
(the calendar's copy sits under the lesson it is due for); a lesson with
`is_missed_lesson` is an absence ("н"); a mark with `is_point` is a dot that
keeps its value and has its `point_date` as the due date, and counts for
nothing in our average until the point is lifted; a day given without a time
is noon in Moscow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping

from ediary_tui.client.providers.base import (
    SCHOOL_TZ,
    attendance_of,
    control_form,
    week_days,
)
from ediary_tui.domain.marks import Scored, round_average, weighted_average
from ediary_tui.domain.models import (
    AttendanceCode,
    ChangeKind,
    ChildRef,
    Day,
    Homework,
    LessonChange,
    Mark,
    Period,
    PersonRef,
    ReportCard,
    ReportSubject,
    Role,
    SubjectPeriod,
    SubjectRef,
    User,
    Week,
    WeekLesson,
)

from . import answers as a

NO_TEACHER = PersonRef(id="", full_name="")  # a subject school_info names no teacher for
LESSON_SOURCE = "PLAN"  # the calendar's lessons; other sources are clubs and school events
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


# --- dates and times -------------------------------------------------------------------


def day_of(text: str | None) -> dt.date | None:
    """A day from "2026-12-07", "2026-12-07T08:30:00+03:00" or "07.12.2026"; None if none."""
    value = (text or "").strip()
    if not value:
        return None
    found = _DMY.fullmatch(value[:10])
    if found:
        day, month, year = (int(g) for g in found.groups())
        return _date(year, month, day)
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def midday(day: dt.date) -> dt.datetime:
    """When only the day is known: noon in Moscow, which is that same day wherever one reads."""
    return dt.datetime.combine(day, dt.time(12), SCHOOL_TZ)


def moment_of(text: str | None) -> dt.datetime | None:
    """A moment from the service's ISO text; without an offset it is Moscow time."""
    value = (text or "").strip().replace("Z", "+00:00")
    if not value:
        return None
    try:
        found = dt.datetime.fromisoformat(value) if len(value) > 10 else None
    except ValueError:
        found = None
    if found is None:
        day = day_of(value)
        return midday(day) if day else None
    if found.tzinfo is None:
        return found.replace(tzinfo=SCHOOL_TZ)
    return found.astimezone(SCHOOL_TZ)


def number_of(text: str | None) -> float | None:
    """The service's "4.56" or "4,56" as a number; None for anything else."""
    try:
        return float((text or "").strip().replace(",", "."))
    except ValueError:
        return None


def whole_of(value: object) -> int | None:
    """A mark given as "5", 5 or "5.0"; None when it is not a whole number."""
    found = number_of(str(value)) if value is not None else None
    return int(found) if found is not None and found == int(found) else None


# --- who -------------------------------------------------------------------------------


def full_name(person: a.Person | a.SchoolTeacher) -> str:
    return " ".join(p for p in (person.last_name, person.first_name, person.middle_name) if p)


def child_ref(child: a.Child) -> ChildRef:
    school = child.school
    return ChildRef(
        id=str(child.id),
        full_name=full_name(child),
        class_name=child.class_name or "",
        school_name=(school.short_name or school.name or "") if school else "",
    )


def user_of(info: a.ProfileInfo, family: a.FamilyProfile, login: str) -> User:
    """Who signed in: a parent with their children, or a student as their own only child."""
    is_parent = (info.type or family.profile.type or "").lower() == "parent"
    children = [child_ref(c) for c in family.children or []]
    first = children[0] if children else None
    return User(
        id=str(info.id),
        login=login,
        full_name=full_name(family.profile),
        roles=[Role.PARENT] if is_parent else [Role.STUDENT],
        school_name=first.school_name if first and not is_parent else None,
        children=children,
    )


def teacher_id(name: str) -> str:
    """A stable id for a teacher the service names but gives no id for."""
    return "mos-" + hashlib.sha1(name.encode()).hexdigest()[:12]


def teachers_of(info: a.SchoolInfo) -> dict[str, PersonRef]:
    """The class's teachers by subject name (lower case): the first listed for a subject."""
    out: dict[str, PersonRef] = {}
    for teacher in info.teachers or []:
        name = full_name(teacher)
        if not name:
            continue
        for subject in teacher.subject_names or []:
            out.setdefault(subject.strip().lower(), PersonRef(id=teacher_id(name), full_name=name))
    return out


def teacher_for(teachers: Mapping[str, PersonRef], subject_name: str | None) -> PersonRef:
    return teachers.get((subject_name or "").strip().lower(), NO_TEACHER)


# --- marks -----------------------------------------------------------------------------


def marks_of(
    mark: a.Mark,
    *,
    student_id: str,
    subject_id: str,
    lesson_id: str,
    day: dt.date,
    at: dt.datetime,
    teacher: PersonRef = NO_TEACHER,
) -> list[Mark]:
    """Our marks for one of the service's: "3/5" is two; an absence letter is none."""
    text = (mark.value or "").strip()
    if attendance_of(text) is not None:
        return []
    parts = [p.strip() for p in text.split("/")] if "/" in text else [text]
    form = control_form(mark.control_form_name, mark.weight)
    created = moment_of(mark.created_at) or at
    updated = moment_of(mark.updated_at) or created
    is_dot = bool(mark.is_point)
    out = []
    for index, part in enumerate(parts, start=1):
        value = whole_of(part)
        if value is None and len(parts) == 1 and mark.values:
            grade = mark.values[0].grade
            value = whole_of(grade.five) if grade else None
        out.append(
            Mark(
                id=str(mark.id) if len(parts) == 1 else f"{mark.id}-{index}",
                value=value,
                is_dot=is_dot,
                due=day_of(mark.point_date) if is_dot else None,
                control_form=form,
                comment=mark.comment or None,
                teacher=teacher,
                lesson_id=lesson_id,
                student_id=student_id,
                subject_id=subject_id,
                date=day,
                created_at=created,
                updated_at=updated,
            )
        )
    return out


def listed_marks(answer: a.Marks, student_id: str, teachers: Mapping[str, PersonRef]) -> list[Mark]:
    """The marks of `family/mobile/v1/marks`, in date order (no lesson is named there)."""
    out: list[Mark] = []
    for mark in answer.payload:
        day = day_of(mark.date)
        if day is None:
            continue
        at = midday(day)
        subject_id = str(mark.subject_id) if mark.subject_id is not None else ""
        out += marks_of(
            mark,
            student_id=student_id,
            subject_id=subject_id,
            lesson_id="",
            day=day,
            at=at,
            teacher=teacher_for(teachers, mark.subject_name),
        )
    return sorted(out, key=lambda m: (m.date, m.created_at, m.id))


def scored(marks: list[Mark]) -> list[Scored]:
    return [
        Scored(m.value, m.control_form.weight, m.control_form.category, m.is_dot) for m in marks
    ]


# --- homework --------------------------------------------------------------------------


def short_homework(item: a.ShortHomework) -> Homework | None:
    """One of `homeworks/short`: `date` is the lesson it is due for, `date_assigned_on` the
    day it was set (our `date`); homework is required (the service marks none optional)."""
    due = day_of(item.date)
    if due is None:
        return None
    set_on = day_of(item.date_assigned_on) or due
    at = midday(set_on)  # `date_assigned_on` is a day, even when written with "T00:00:00"
    subject_id = str(item.subject_id) if item.subject_id is not None else ""
    return Homework(
        id=str(item.homework_entry_student_id),
        lesson_id="",
        subject=SubjectRef(id=subject_id, name=item.subject_name or ""),
        date=set_on,
        due=due,
        text=item.description or "",
        done=bool(item.is_done),
        created_at=at,
        updated_at=at,
    )


# --- the week --------------------------------------------------------------------------


def _attendance(event: a.Event) -> AttendanceCode | None:
    return AttendanceCode.ABSENT if event.is_missed_lesson else None


def _change(event: a.Event) -> LessonChange | None:
    if event.cancelled:
        return LessonChange(kind=ChangeKind.CANCELLED)
    if event.replaced:
        return LessonChange(kind=ChangeKind.REPLACED)
    return None


def week_of(
    events: a.Events,
    student_id: str,
    monday: dt.date,
    homework: list[Homework],
    teachers: Mapping[str, PersonRef],
) -> Week:
    """The calendar's lessons of one week, numbered by their order in each day.

    Each homework goes to the first lesson of its subject on the day it was set, as in
    our diary (the calendar shows it under the lesson it is due for instead).
    """
    by_day: dict[dt.date, list[tuple[dt.datetime, dt.datetime, a.Event]]] = {}
    for event in events.response:
        if (event.source or LESSON_SOURCE) != LESSON_SOURCE:
            continue
        starts, ends = moment_of(event.start_at), moment_of(event.finish_at)
        if starts is None or ends is None:
            continue
        by_day.setdefault(starts.date(), []).append((starts, ends, event))
    days = []
    set_in: dict[tuple[dt.date, str], WeekLesson] = {}
    for day in week_days(monday, set(by_day)):
        lessons = []
        for number, (starts, ends, event) in enumerate(sorted(by_day.get(day, [])), start=1):
            lesson = _lesson(event, number, starts, ends, student_id, teachers)
            set_in.setdefault((day, lesson.subject.id), lesson)
            lessons.append(lesson)
        days.append(Day(date=day, lessons=lessons))
    for item in homework:
        lesson = set_in.get((item.date, item.subject.id))
        if lesson is not None:
            lesson.homework.append(item.model_copy(update={"lesson_id": lesson.id}))
    return Week(student_id=student_id, start=monday, end=monday + dt.timedelta(days=6), days=days)


def _lesson(
    event: a.Event,
    number: int,
    starts: dt.datetime,
    ends: dt.datetime,
    student_id: str,
    teachers: Mapping[str, PersonRef],
) -> WeekLesson:
    subject_id = str(event.subject_id) if event.subject_id is not None else ""
    subject = SubjectRef(id=subject_id, name=event.subject_name or event.title or "")
    teacher = teacher_for(teachers, subject.name)
    marks: list[Mark] = []
    for mark in event.marks or []:
        marks += marks_of(
            mark,
            student_id=student_id,
            subject_id=subject_id,
            lesson_id=str(event.id),
            day=starts.date(),
            at=starts,
            teacher=teacher,
        )
    return WeekLesson(
        id=str(event.id),
        number=number,
        starts_at=starts,
        ends_at=ends,
        subject=subject,
        teacher=teacher,
        room=event.room_number or event.room_name or None,
        topic=event.lesson_theme or None,
        homework=[],
        marks=marks,
        attendance=_attendance(event),
        change=_change(event),
    )


# --- the report card -------------------------------------------------------------------

_KINDS = (("четверт", "quarter"), ("триместр", "trimester"), ("полугоди", "half"))


def _kind(title: str) -> str:
    lowered = title.lower()
    return next((kind for word, kind in _KINDS if word in lowered), "period")


def _bounds(period: a.SubjectPeriod) -> tuple[dt.date, dt.date] | None:
    first = day_of(period.start_iso) or day_of(period.start)
    last = day_of(period.end_iso) or day_of(period.end)
    return (first, last) if first and last else None


def report_card_of(
    answer: a.SubjectsMarks, student_id: str, year: int, teachers: Mapping[str, PersonRef]
) -> ReportCard:
    """Periods, per subject the service's average beside ours, the period and year marks."""
    found: dict[tuple[dt.date, dt.date], str] = {}
    for subject in answer.payload:
        for period in subject.periods or []:
            bounds = _bounds(period)
            if bounds is not None:
                found.setdefault(bounds, (period.title or "").strip())
    periods = []
    ids: dict[tuple[dt.date, dt.date], str] = {}
    for number, bounds in enumerate(sorted(found), start=1):
        title = found[bounds] or f"{number}"
        ids[bounds] = str(number)
        periods.append(
            Period(
                id=str(number),
                name=title,
                kind=_kind(title),
                number=number,
                starts_on=bounds[0],
                ends_on=bounds[1],
            )
        )
    if periods:
        year = periods[0].starts_on.year
    subjects = [
        _report_subject(subject, student_id, ids, teacher_for(teachers, subject.subject_name))
        for subject in sorted(answer.payload, key=lambda s: s.subject_name or "")
    ]
    return ReportCard(
        student_id=student_id, year=year, periods=periods, subjects=subjects, years=[year]
    )


def _report_subject(
    subject: a.SubjectMarks,
    student_id: str,
    ids: dict[tuple[dt.date, dt.date], str],
    teacher: PersonRef,
) -> ReportSubject:
    subject_id = str(subject.subject_id)
    cells = []
    for period in subject.periods or []:
        bounds = _bounds(period)
        if bounds is None:
            continue
        marks: list[Mark] = []
        for mark in period.marks or []:
            day = day_of(mark.date) or bounds[0]
            at = midday(day)
            marks += marks_of(
                mark,
                student_id=student_id,
                subject_id=subject_id,
                lesson_id="",
                day=day,
                at=at,
                teacher=teacher,
            )
        counted = [m for m in marks if m.value is not None and not m.is_dot]
        cells.append(
            SubjectPeriod(
                period_id=ids[bounds],
                average=round_average(weighted_average(scored(marks))),
                service_average=number_of(period.value),
                mark=whole_of(period.fixed_value),
                marks_count=period.count if period.count is not None else len(counted),
            )
        )
    return ReportSubject(
        id=subject_id,
        name=subject.subject_name or subject_id,
        teacher=teacher if teacher.full_name else None,
        periods=cells,
        year_mark=whole_of(subject.year_mark),
    )

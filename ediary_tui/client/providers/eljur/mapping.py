"""ElJur's answers mapped onto our models: pure functions, no calls.

ElJur names a subject only by its name (the diary, the marks, the homework and
the final marks all key subjects by it), so the name is the subject's id; a
teacher is a name only, so the name is the teacher's id. A mark has no id of
its own: its day, lesson and place in the day (`nm`) make one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ediary_tui.domain.marks import Scored, round_average, weighted_average
from ediary_tui.domain.models import (
    Announcement,
    AttendanceCode,
    ChildRef,
    Day,
    Homework,
    Mark,
    Message,
    Period,
    PersonRef,
    ReportCard,
    ReportSubject,
    Role,
    SubjectPeriod,
    SubjectRef,
    Thread,
    ThreadList,
    ThreadSummary,
    User,
    Week,
    WeekLesson,
)

from ..base import SCHOOL_TZ, at_time, attendance_of, control_form, week_days
from . import answers as a

MORNING = dt.time(8, 0)  # when a mark or a homework was set, when ElJur does not say
LESSON = dt.timedelta(minutes=40)
YEAR_WORDS = ("год", "г", "итог", "year")


# --- dates ----------------------------------------------------------------------------


def day_of(text: str | None) -> dt.date | None:
    """ElJur's "20261207" or "2026-12-07" (None when it is neither)."""
    digits = (text or "").strip()[:10].replace("-", "")
    try:
        return dt.datetime.strptime(digits, "%Y%m%d").date()
    except ValueError:
        return None


def days_param(first: dt.date, last: dt.date) -> str:
    """The `days` of a read: "20261207-20261213"."""
    return f"{first:%Y%m%d}-{last:%Y%m%d}"


def moment(text: str | None) -> dt.datetime | None:
    """ElJur's "2026-12-05 14:23:00" (or a bare date) in Moscow time."""
    value = (text or "").strip()
    for form in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, form).replace(tzinfo=SCHOOL_TZ)
        except ValueError:
            continue
    return None


# --- who ------------------------------------------------------------------------------


def full_name(last: str | None, first: str | None, middle: str | None = None) -> str:
    return " ".join(part for part in (last, first, middle) if part)


def person(who: a.UserFrom | None, fallback: str = "") -> PersonRef:
    """A correspondent; their name stands for their id when ElJur gives none."""
    if who is None:
        return PersonRef(id=fallback, full_name=fallback)
    name = full_name(who.lastname, who.firstname, who.middlename) or fallback
    return PersonRef(id=who.name or name, full_name=name)


def teacher_ref(name: str | None) -> PersonRef:
    text = (name or "").strip()
    return PersonRef(id=text, full_name=text)


def school_name(rules: a.Rules) -> str:
    school = rules.relations.schools[0] if rules.relations.schools else None
    return (school.title or school.title_full or "") if school else ""


def user_of(rules: a.Rules, login: str) -> User:
    """The token's owner: a parent with their children, or a student as their own child."""
    me_id = rules.name or rules.id or ""
    name = rules.title or full_name(rules.lastname, rules.firstname, rules.middlename)
    school = school_name(rules)
    roles = {r.lower() for r in rules.roles}
    children = [
        ChildRef(
            id=s.name,
            full_name=s.title or full_name(s.lastname, s.firstname),
            class_name=s.class_ or "",
            school_name=school,
        )
        for s in rules.relations.students.values()
        if s.name != me_id
    ]
    if "student" in roles or not children:
        home = next(
            (g for g in rules.relations.groups.values() if g.rel == "homeclass"),
            next(iter(rules.relations.groups.values()), None),
        )
        own = ChildRef(
            id=me_id,
            full_name=name,
            class_name=home.name if home else "",
            school_name=school,
        )
        return User(
            id=me_id,
            login=login or me_id,
            full_name=name,
            roles=[Role.STUDENT],
            school_name=school or None,
            children=[own],
        )
    return User(
        id=me_id,
        login=login or me_id,
        full_name=name,
        roles=[Role.PARENT],
        school_name=school or None,
        children=children,
    )


# --- marks ----------------------------------------------------------------------------


def _values(value: str) -> list[int] | None:
    """The numbers of "4" or "3/5" (two marks); None when it is not a mark at all."""
    parts = [p.strip() for p in value.split("/")]
    numbers: list[int] = []
    for part in parts:
        digits = part.rstrip("+-")
        if not digits.isdigit():
            return None
        numbers.append(int(digits))
    return numbers


def marks_of(
    item: a.Assessment,
    *,
    student_id: str,
    subject: str,
    lesson_id: str,
    day: dt.date,
    when: dt.datetime,
    teacher: PersonRef,
    form_name: str | None,
) -> list[Mark]:
    """One ElJur assessment as our marks: "3/5" is two, an absence or a word is none."""
    values = _values(item.value)
    if not values:
        return []
    form = control_form(form_name, item.weight_float if item.weight_float else item.weight)
    base = f"{day:%Y%m%d}-{lesson_id or subject}-{item.nm or '0'}"
    ids = [base] if len(values) == 1 else [f"{base}-{i}" for i in range(1, len(values) + 1)]
    return [
        Mark(
            id=mark_id,
            value=value,
            control_form=form,
            comment=item.comment or None,
            teacher=teacher,
            lesson_id=lesson_id,
            student_id=student_id,
            subject_id=subject,
            date=day,
            created_at=when,
            updated_at=when,
        )
        for mark_id, value in zip(ids, values, strict=True)
    ]


def absence_of(items: Iterable[a.Assessment]) -> AttendanceCode | None:
    """The lesson's attendance, from an assessment such as "н" or "оп"."""
    for item in items:
        code = attendance_of(item.value)
        if code is not None:
            return code
    return None


def subject_marks(record: a.MarksRecord | None, student_id: str) -> list[Mark]:
    """`getmarks` as our marks, oldest first (absences left out: they are attendance)."""
    found: list[Mark] = []
    for subject in record.lessons if record else []:
        for item in subject.marks:
            day = day_of(item.date)
            if day is None:
                continue
            form = item.mtype.type or item.mtype.short if item.mtype else None
            found += marks_of(
                item,
                student_id=student_id,
                subject=subject.name,
                lesson_id=item.lesson_id or "",
                day=day,
                when=at_time(day, None, SCHOOL_TZ, MORNING),
                teacher=teacher_ref(None),
                form_name=form,
            )
    found.sort(key=lambda m: (m.date, m.subject_id, m.id))
    return found


def absences_in(subject: a.SubjectMarks | None, first: dt.date, last: dt.date) -> tuple[int, int]:
    """A subject's (absences, ill) among `getmarks`' letters from `first` to `last`."""
    absent = ill = 0
    for item in subject.marks if subject else []:
        day = day_of(item.date)
        if day is None or not first <= day <= last:
            continue
        code = attendance_of(item.value)
        if code is AttendanceCode.ABSENT:
            absent += 1
        elif code is AttendanceCode.ILL:
            ill += 1
    return absent, ill


# --- the week -------------------------------------------------------------------------


def homework_of(
    item: a.HomeworkItem,
    *,
    subject: str,
    lesson_id: str,
    day: dt.date,
    when: dt.datetime,
) -> Homework:
    text = item.value.strip()
    return Homework(
        id=item.id,
        lesson_id=lesson_id,
        subject=SubjectRef(id=subject, name=subject),
        date=day,
        due=None,
        text=f"(индивидуально) {text}" if item.individual else text,
        required=True,
        created_at=when,
        updated_at=when,
    )


def lesson_of(item: a.LessonItem, day: dt.date, student_id: str) -> WeekLesson:
    number = int(item.num) if item.num.isdigit() else 0
    starts = at_time(day, item.starttime, SCHOOL_TZ, MORNING)
    ends = at_time(day, item.endtime, SCHOOL_TZ, MORNING) if item.endtime else starts + LESSON
    lesson_id = item.lesson_id or f"{day:%Y%m%d}-{number}"
    teacher = teacher_ref(item.teacher)
    marks: list[Mark] = []
    for assessment in item.assessments:
        form = assessment.control_type_short or assessment.control_type
        marks += marks_of(
            assessment,
            student_id=student_id,
            subject=item.name,
            lesson_id=lesson_id,
            day=day,
            when=starts,
            teacher=teacher,
            form_name=form,
        )
    return WeekLesson(
        id=lesson_id,
        number=number,
        starts_at=starts,
        ends_at=ends,
        subject=SubjectRef(id=item.name, name=item.name),
        teacher=teacher,
        room=item.room or None,
        topic=item.topic or None,
        homework=[
            homework_of(h, subject=item.name, lesson_id=lesson_id, day=day, when=starts)
            for h in item.homework.values()
        ],
        marks=marks,
        attendance=absence_of(item.assessments),
    )


def week_of(record: a.DiaryRecord | None, student_id: str, monday: dt.date) -> Week:
    """`getdiary` of a week as our week: Monday to Friday, and Saturday with lessons."""
    by_day: dict[dt.date, list[WeekLesson]] = {}
    for key, diary_day in (record.days if record else {}).items():
        day = day_of(diary_day.name) or day_of(key)
        if day is None:
            continue
        lessons = [lesson_of(item, day, student_id) for item in diary_day.items.values()]
        by_day[day] = sorted(lessons, key=lambda lesson: (lesson.number, lesson.starts_at))
    dates = week_days(monday, {d for d, found in by_day.items() if found})
    return Week(
        student_id=student_id,
        start=monday,
        end=dates[-1],
        days=[Day(date=d, lessons=by_day.get(d, [])) for d in dates],
    )


def homework_list(record: a.HomeworkRecord | None, first: dt.date, last: dt.date) -> list[Homework]:
    """`gethomework` as our homework, by day then subject."""
    found: list[Homework] = []
    for key, hw_day in (record.days if record else {}).items():
        day = day_of(hw_day.name) or day_of(key)
        if day is None or not first <= day <= last:
            continue
        when = at_time(day, None, SCHOOL_TZ, MORNING)
        for subject in hw_day.items.values():
            for item in subject.homework.values():
                found.append(
                    homework_of(
                        item,
                        subject=subject.name,
                        lesson_id=f"{day:%Y%m%d}-{subject.name}",
                        day=day,
                        when=when,
                    )
                )
    found.sort(key=lambda h: (h.date, h.subject.name, h.id))
    return found


# --- the report card ------------------------------------------------------------------


def period_kind(fullname: str) -> str:
    name = fullname.lower()
    if "полугод" in name:
        return "half"
    if "триместр" in name:
        return "trimester"
    return "quarter"


def periods_of(record: a.PeriodsRecord | None) -> list[Period]:
    """ElJur's periods with dates, in order (those without readable dates left out)."""
    found: list[Period] = []
    for item in record.periods if record else []:
        start, end = day_of(item.start), day_of(item.end)
        if start is None or end is None:
            continue
        fullname = item.fullname or item.name
        found.append(
            Period(
                id=item.name,
                name=fullname,
                kind=period_kind(fullname),
                number=len(found) + 1,
                starts_on=start,
                ends_on=end,
            )
        )
    found.sort(key=lambda p: p.starts_on)
    return [p.model_copy(update={"number": i}) for i, p in enumerate(found, 1)]


def final_value(value: str | None) -> int | None:
    numbers = _values(value or "")
    return numbers[0] if numbers and len(numbers) == 1 else None


def report_card(
    student_id: str,
    year: int,
    periods: list[Period],
    by_period: dict[str, a.MarksRecord | None],
    finals: a.FinalAssessmentsRecord | None,
) -> ReportCard:
    """Per subject and period: our average, ElJur's, the period mark; the year mark."""
    names: list[str] = []
    for record in by_period.values():
        for subject in record.lessons if record else []:
            if subject.name not in names:
                names.append(subject.name)
    final_marks: dict[str, dict[str, int | None]] = {}
    for item in finals.items if finals else []:
        if item.name not in names:
            names.append(item.name)
        final_marks[item.name] = {
            f.period.strip().lower(): final_value(f.value) for f in item.assessments
        }
    subjects: list[ReportSubject] = []
    for name in sorted(names):
        rows: list[SubjectPeriod] = []
        finals_of = final_marks.get(name, {})
        for period in periods:
            record = by_period.get(period.id)
            found = next((s for s in record.lessons if s.name == name), None) if record else None
            one = a.MarksRecord(lessons=[found]) if found else None
            marks = [
                m
                for m in subject_marks(one, student_id)
                if period.starts_on <= m.date <= period.ends_on
            ]
            absent, ill = absences_in(found, period.starts_on, period.ends_on)
            scored = [Scored(m.value, m.control_form.weight) for m in marks]
            rows.append(
                SubjectPeriod(
                    period_id=period.id,
                    average=round_average(weighted_average(scored)),
                    service_average=found.average if found and found.average else None,
                    mark=finals_of.get(period.id.lower()),
                    absences=absent,
                    ill=ill,
                    marks_count=len(marks),
                )
            )
        year_mark = next((v for k, v in finals_of.items() if k in YEAR_WORDS), None)
        subjects.append(ReportSubject(id=name, name=name, periods=rows, year_mark=year_mark))
    return ReportCard(student_id=student_id, year=year, periods=periods, subjects=subjects)


# --- mail and the board ---------------------------------------------------------------


def _message(item: a.MessagePreview | a.Message, thread_id: str) -> Message:
    text = getattr(item, "text", None) or item.short_text
    return Message(
        id=item.id,
        thread_id=thread_id,
        author=person(item.user_from),
        mine=False,
        body=text,
        created_at=moment(item.date) or dt.datetime(1970, 1, 1, tzinfo=SCHOOL_TZ),
    )


def _summary(item: a.MessagePreview | a.Message, me: User, unread: int) -> dict[str, object]:
    child = me.children[0] if me.children else None
    student = (
        PersonRef(id=child.id, full_name=child.full_name)
        if child
        else PersonRef(id=me.id, full_name=me.full_name)
    )
    sender = person(item.user_from)
    own = PersonRef(id=me.id, full_name=me.full_name)
    return {
        "id": item.id,
        "subject": item.subject,
        "student": student,
        "class_name": child.class_name if child else None,
        "teacher": sender,
        "parent": own,
        "correspondent": sender,
        "created_at": moment(item.date) or dt.datetime(1970, 1, 1, tzinfo=SCHOOL_TZ),
        "last_message": _message(item, item.id),
        "unread": unread,
    }


def thread_list(record: a.MessagesRecord, me: User) -> ThreadList:
    """ElJur's inbox: each letter is a conversation of one message, newest first."""
    threads = [
        ThreadSummary.model_validate(_summary(m, me, 1 if m.unread else 0)) for m in record.messages
    ]
    threads.sort(key=lambda t: t.created_at, reverse=True)
    return ThreadList(threads=threads, unread_total=sum(t.unread for t in threads))


def thread_of(record: a.MessageInfoRecord, me: User) -> Thread:
    message = record.message
    return Thread.model_validate(
        {**_summary(message, me, 0), "messages": [_message(message, message.id)]}
    )


def announcements(record: a.NoticesRecord, school_id: str) -> list[Announcement]:
    """The school's board, newest first."""
    found = [
        Announcement(
            id=n.id,
            school_id=school_id,
            class_id=None,
            class_name=None,
            author=person(n.user_from, n.user_from_string or ""),
            title=n.subject,
            body=n.text or n.short_text,
            created_at=moment(n.date) or dt.datetime(1970, 1, 1, tzinfo=SCHOOL_TZ),
        )
        for n in record.notices
    ]
    found.sort(key=lambda n: n.created_at, reverse=True)
    return found

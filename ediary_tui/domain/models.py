"""The records of API v1 as pydantic models.

One definition serves both sides: the server declares them as `response_model`
(so the OpenAPI document is the contract) and the client parses answers into
them. Field names follow ../shared/API.md exactly; ids are opaque strings.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Model(BaseModel):
    """Base for wire models: unknown fields from a newer server are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Role(StrEnum):
    STUDENT = "student"
    PARENT = "parent"
    TEACHER = "teacher"
    CLASS_TEACHER = "class_teacher"
    ADMIN = "admin"


class AttendanceCode(StrEnum):
    """Journal codes: н absent, б ill, у excused, оп late."""

    ABSENT = "absent"
    ILL = "ill"
    EXCUSED = "excused"
    LATE = "late"


class AbsenceReason(StrEnum):
    ILLNESS = "illness"
    FAMILY = "family"
    TREATMENT = "treatment"
    OTHER = "other"


class Category(StrEnum):
    """What kind of work a control form is, for the breakdown of a period mark."""

    TEST = "test"
    INDEPENDENT = "independent"
    CLASSWORK = "classwork"
    HOMEWORK = "homework"


# --- identity -----------------------------------------------------------------


class ChildRef(Model):
    id: str
    full_name: str
    class_name: str
    school_name: str


class TeachingRef(Model):
    class_id: str
    class_name: str
    subject_id: str
    subject_name: str


class User(Model):
    id: str
    login: str
    full_name: str
    roles: list[Role]
    school_id: str | None = None
    school_name: str | None = None
    children: list[ChildRef] = []
    teaching: list[TeachingRef] = []
    class_teacher_of: list[str] = Field(default=[], description="class ids")


class LoginRequest(Model):
    login: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class LoginResult(Model):
    token: str
    expires_at: dt.datetime
    must_change_password: bool
    user: User


class PasswordChange(Model):
    old_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=8, max_length=1000)


# --- school settings ----------------------------------------------------------


class ControlForm(Model):
    code: str
    name: str
    weight: int
    category: Category = Category.CLASSWORK


class Period(Model):
    id: str
    name: str
    kind: str = Field(description="quarter or half")
    number: int
    starts_on: dt.date
    ends_on: dt.date


class SchoolSettings(Model):
    scale_min: int = 1
    scale_max: int = 5
    round_threshold: float = Field(
        0.5,
        description="fraction above which an average rounds up: 0.5 rounds half up, 0.6 makes 4.6 a 5",
    )
    control_forms: list[ControlForm] = []


# --- the diary ----------------------------------------------------------------


class PersonRef(Model):
    id: str
    full_name: str


class SubjectRef(Model):
    id: str
    name: str


class Mark(Model):
    id: str
    value: int | None
    is_dot: bool = False
    due: dt.date | None = None
    control_form: ControlForm
    comment: str | None = None
    teacher: PersonRef
    lesson_id: str
    student_id: str
    subject_id: str
    date: dt.date
    created_at: dt.datetime
    updated_at: dt.datetime


class Homework(Model):
    id: str
    lesson_id: str
    subject: SubjectRef
    date: dt.date = Field(description="the lesson it was set in")
    due: dt.date | None = Field(None, description="the next lesson of the subject, when known")
    text: str
    required: bool = True
    done: bool = False
    created_at: dt.datetime
    updated_at: dt.datetime


class WeekLesson(Model):
    id: str
    number: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    subject: SubjectRef
    teacher: PersonRef
    room: str | None = None
    topic: str | None = None
    homework: list[Homework] = []
    marks: list[Mark] = []
    attendance: AttendanceCode | None = None


class Day(Model):
    date: dt.date
    lessons: list[WeekLesson] = []


class Week(Model):
    student_id: str
    start: dt.date
    end: dt.date
    days: list[Day]
    behaviour_note: str | None = None
    signed_by: PersonRef | None = None
    signed_at: dt.datetime | None = None
    settings: SchoolSettings | None = None


class SubjectPeriod(Model):
    period_id: str
    average: float | None = None
    mark: int | None = None
    proposed: int | None = None
    absences: int = 0
    ill: int = 0
    marks_count: int = 0


class ReportSubject(Model):
    id: str
    name: str
    teacher: PersonRef | None = None
    periods: list[SubjectPeriod]
    year_mark: int | None = None


class ReportCard(Model):
    student_id: str
    year: int
    periods: list[Period]
    subjects: list[ReportSubject]


class MarksPage(Model):
    marks: list[Mark]


class HomeworkDone(Model):
    done: bool


class HomeworkList(Model):
    homework: list[Homework]


class AbsenceNoticeIn(Model):
    from_: dt.date = Field(alias="from")
    to: dt.date
    reason: AbsenceReason
    comment: str = Field("", max_length=2000)
    first_lesson: int | None = Field(None, ge=1, le=12, description="for part of one day")
    last_lesson: int | None = Field(None, ge=1, le=12)


class AbsenceNotice(Model):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, serialize_by_alias=True)

    id: str
    student_id: str
    author: PersonRef
    from_: dt.date = Field(alias="from")
    to: dt.date
    first_lesson: int | None = None
    last_lesson: int | None = None
    reason: AbsenceReason
    comment: str = ""
    created_at: dt.datetime
    state: str = Field(description="upcoming, current or past")


class AbsenceNoticeList(Model):
    notices: list[AbsenceNotice]


class Signature(Model):
    student_id: str
    monday: dt.date
    signed_by: PersonRef
    signed_at: dt.datetime


# --- the journal --------------------------------------------------------------


class JournalStudent(Model):
    id: str
    full_name: str
    average: float | None = None
    proposed: int | None = None
    period_mark: int | None = None


class JournalLesson(Model):
    id: str
    date: dt.date
    number: int
    topic: str | None = None
    control_form: ControlForm
    homework: list[Homework] = []


class JournalCell(Model):
    student_id: str
    lesson_id: str
    marks: list[Mark] = []
    attendance: AttendanceCode | None = None


class Journal(Model):
    class_id: str
    class_name: str
    subject: SubjectRef
    period: Period
    periods: list[Period] = []
    can_write: bool = False
    students: list[JournalStudent]
    lessons: list[JournalLesson]
    cells: list[JournalCell]
    settings: SchoolSettings


class MarkIn(Model):
    student_id: str
    lesson_id: str
    value: int | None = None
    is_dot: bool = False
    due: dt.date | None = None
    control_form: str | None = Field(
        None, description="control form code; the lesson's default if absent"
    )
    comment: str | None = Field(None, max_length=2000)


class MarkPatch(Model):
    value: int | None = None
    is_dot: bool | None = None
    due: dt.date | None = None
    control_form: str | None = None
    comment: str | None = Field(None, max_length=2000)
    expected_updated_at: dt.datetime | None = Field(
        None,
        description="the mark's updated_at as the client last saw it; 409 mark_changed if it has changed since",
    )


class MarkChange(Model):
    at: dt.datetime
    by: PersonRef
    action: str = Field(description="created, changed or deleted")
    from_: str | None = Field(None, alias="from")
    to: str | None = None

    model_config = ConfigDict(extra="ignore", populate_by_name=True, serialize_by_alias=True)


class MarkHistory(Model):
    mark_id: str
    changes: list[MarkChange]


class AttendanceIn(Model):
    code: AttendanceCode | None


class AttendanceOut(Model):
    lesson_id: str
    student_id: str
    code: AttendanceCode | None


class LessonPatch(Model):
    topic: str | None = Field(None, max_length=500)
    control_form: str | None = None
    room: str | None = Field(None, max_length=50)


class LessonOut(Model):
    id: str
    class_id: str
    subject: SubjectRef
    teacher: PersonRef
    date: dt.date
    number: int
    topic: str | None
    room: str | None
    control_form: ControlForm
    class_name: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


class TeacherDay(Model):
    """A teacher's lessons on one day, in bell order: where the journal opens."""

    date: dt.date
    lessons: list[LessonOut]


class HomeworkIn(Model):
    text: str = Field(min_length=1, max_length=5000)
    required: bool = True


class HomeworkPatch(Model):
    """Revising homework: the fields sent change, the others stay."""

    text: str | None = Field(None, min_length=1, max_length=5000)
    required: bool | None = None


class PeriodMarkIn(Model):
    student_id: str
    subject_id: str
    period_id: str
    value: int | None


class PeriodMarkOut(Model):
    student_id: str
    subject_id: str
    period_id: str
    value: int | None
    set_by: PersonRef | None = None
    set_at: dt.datetime | None = None


# --- changes ------------------------------------------------------------------


class Change(Model):
    id: str
    kind: str = Field(
        description="mark, mark_deleted, homework, attendance, notice, announcement, message, ..."
    )
    at: dt.datetime
    student_id: str | None = None
    class_id: str | None = None
    entity_id: str | None = None
    summary: str = ""
    data: dict[str, object] = {}


class ChangeFeed(Model):
    cursor: str
    changes: list[Change]


# --- errors -------------------------------------------------------------------


class ErrorDetail(Model):
    code: str
    message: str
    field: str | None = None


class ErrorBody(Model):
    error: ErrorDetail


class Health(Model):
    status: str = "ok"


# --- announcements, messages, progress ------------------------------------------

# Text a person typed: surrounding blanks dropped, so "   " is as empty as "".
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]


class AnnouncementIn(Model):
    class_id: str | None = Field(None, description="a class; null for the whole school (admin)")
    title: ShortText
    body: LongText


class Announcement(Model):
    id: str
    school_id: str
    class_id: str | None = Field(None, description="null: the whole school")
    class_name: str | None = None
    author: PersonRef
    title: str
    body: str
    created_at: dt.datetime


class AnnouncementList(Model):
    announcements: list[Announcement]


class Message(Model):
    id: str
    thread_id: str
    author: PersonRef
    mine: bool = Field(description="written by the caller")
    body: str
    created_at: dt.datetime


class MessageIn(Model):
    body: LongText


class ThreadIn(Model):
    """A new conversation about one child: a parent names the teacher, a teacher the parent."""

    student_id: str
    teacher_id: str | None = Field(None, description="when a parent writes")
    parent_id: str | None = Field(None, description="when a teacher writes")
    subject: ShortText
    body: LongText


class ThreadSummary(Model):
    id: str
    subject: str
    student: PersonRef = Field(description="the child the conversation is about")
    class_name: str | None = None
    teacher: PersonRef
    parent: PersonRef
    correspondent: PersonRef = Field(description="the other party, seen from the caller")
    created_at: dt.datetime
    last_message: Message | None = None
    unread: int = Field(0, description="messages of the other party the caller has not opened")


class ThreadList(Model):
    threads: list[ThreadSummary] = Field(description="newest activity first")
    unread_total: int = 0


class Thread(ThreadSummary):
    messages: list[Message] = Field(description="oldest first")
    first_unread_id: str | None = Field(
        None, description="the first message that was new to the caller when they opened it"
    )


class TeacherRef(Model):
    id: str
    full_name: str
    subjects: list[SubjectRef] = []
    class_teacher: bool = False


class TeacherList(Model):
    student_id: str
    teachers: list[TeacherRef]


class ProgressPoint(Model):
    mark_id: str
    date: dt.date
    value: int
    weight: int
    control_form: str = Field(description="control form code")
    average: float | None = Field(description="the running weighted average after this mark")


class ProgressSubject(Model):
    subject: SubjectRef
    points: list[ProgressPoint] = Field(description="in date order")
    average: float | None = None
    class_average: float | None = Field(
        None,
        description="mean of the weighted averages of the class's students with marks; "
        "null when fewer than three have any",
    )


class Progress(Model):
    student_id: str
    starts_on: dt.date
    ends_on: dt.date
    period: Period | None = None
    year: int
    scale_min: int = 1
    scale_max: int = 5
    subjects: list[ProgressSubject]


# -- classes, families and first-login credentials (the journal's class-teacher side) ----


class ClassSubject(Model):
    """A subject taught in a class, and whether the caller may write its journal."""

    id: str
    name: str
    teachers: list[PersonRef] = []
    can_write: bool = Field(False, description="the caller teaches it in this class")


class StaffClass(Model):
    """A class whose journal the caller may open, with the subjects they may open in it."""

    id: str
    name: str
    grade: int
    class_teacher: PersonRef | None = None
    led_by_me: bool = Field(False, description="the caller is its class teacher")
    subjects: list[ClassSubject] = []


class ClassList(Model):
    classes: list[StaffClass]


class FamilyMember(Model):
    id: str
    full_name: str
    login: str | None = Field(
        None, description="only for those who hand out credentials (class teacher, admin)"
    )
    activated: bool = Field(description="has logged in and chosen their own password")
    on_staff: bool = Field(
        False, description="a parent on the school's staff: keeps their password, never issued one"
    )


class Family(Model):
    """A student of the class and the parents linked to them."""

    student: FamilyMember
    parents: list[FamilyMember] = []


class ClassFamilies(Model):
    class_id: str
    class_name: str
    can_issue: bool = Field(False, description="the caller may issue first-login credentials")
    families: list[Family]


class CredentialsIn(Model):
    student_ids: list[str] | None = Field(
        None, description="the families (by student id) to issue for; null: the whole class"
    )
    only_new: bool = Field(
        True, description="skip people who have already chosen their own password"
    )


class IssuedCredential(Model):
    """A one-time password: shown once, changed by its owner at the first login."""

    user_id: str
    login: str
    full_name: str
    role: Role = Field(description="student or parent")
    student_name: str = Field(description="whose family")
    password: str


class IssuedCredentials(Model):
    class_id: str
    class_name: str
    issued_at: dt.datetime
    credentials: list[IssuedCredential]

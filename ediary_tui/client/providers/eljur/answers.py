"""ElJur's answers as its public clients describe them, read leniently.

Field names are ElJur's own (BetterJournal/EljurAPI). Everything a screen can do
without is optional, ids that ElJur sends as a number or a string are read as text,
and lists or records ElJur leaves out are empty: a field added or dropped by the
service degrades a screen instead of failing it.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BeforeValidator, Field

from ..base import Answer


def _text(value: Any) -> Any:
    """ElJur writes ids and numbers sometimes as numbers, sometimes as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


def _number(value: Any) -> Any:
    """An average such as "4.67" or 4.67, or "" when there is none yet."""
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        return text or None
    return value


def _record(value: Any) -> Any:
    """ElJur sends an empty record as `[]` (PHP); a list of records keyed by position."""
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)} if value else {}
    return value


Text = Annotated[str, BeforeValidator(_text)]
Number = Annotated[float | None, BeforeValidator(_number)]


# --- the envelope ---------------------------------------------------------------------


class Envelope(Answer):
    """`{"response": {"state", "error", "result"}}` around every answer."""

    class Response(Answer):
        state: int = 200
        error: str | None = None
        result: Any = None

    response: Response


# --- sign-in --------------------------------------------------------------------------


class AuthResult(Answer):
    """`auth`: the token and when it stops working ("YYYY-MM-DD hh:mm:ss")."""

    token: str
    expires: str | None = None


# --- who ------------------------------------------------------------------------------


class StudentRelation(Answer):
    """A child in `relations.students`: `name` is the student's id."""

    name: Text
    title: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    class_: str | None = Field(None, alias="class")
    parallel: int | None = None
    rel: str | None = None


class GroupRelation(Answer):
    """A class the user belongs to (`rel` "homeclass" for a student's own class)."""

    name: Text
    rel: str | None = None
    parallel: int | None = None
    hometeacher_id: Text | None = None
    hometeacher_name: str | None = None


class SchoolRelation(Answer):
    number: Text | None = None
    title: str | None = None
    title_full: str | None = None


class Relations(Answer):
    students: Annotated[dict[str, StudentRelation], BeforeValidator(_record)] = {}
    groups: Annotated[dict[str, GroupRelation], BeforeValidator(_record)] = {}
    schools: list[SchoolRelation] = []


class Rules(Answer):
    """`getrules`: who the token belongs to, their roles and their children."""

    id: Text | None = None
    name: Text
    title: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    middlename: str | None = None
    roles: list[str] = []
    relations: Relations = Relations()
    vendor: str | None = None


# --- periods --------------------------------------------------------------------------


class PeriodItem(Answer):
    """A period: `name` "I", `fullname` "I четверть", dates as YYYYMMDD."""

    name: Text
    fullname: str | None = None
    start: Text
    end: Text
    disabled: Any = None


class PeriodsRecord(Answer):
    name: Text | None = None
    title: str | None = None
    periods: list[PeriodItem] = []


# --- marks ----------------------------------------------------------------------------


class Assessment(Answer):
    """A mark ("4", "3/5") or an absence ("н", "оп") as the diary and `getmarks` give it."""

    value: Text
    weight: float | None = None
    weight_float: float | None = None
    comment: str | None = None
    date: str | None = None
    lesson_id: Text | None = None
    nm: Text | None = None
    convert: float | None = None
    count: bool | None = None
    countas: Text | None = None
    # The diary's control form (ElJur's names: the short one is the abbreviation).
    control_type: str | None = None
    control_type_short: str | None = None


class MarkType(Answer):
    """`getmarks`' control form: `short` "КР", `type` "Контрольная работа"."""

    id: Text | None = None
    short: str | None = None
    type: str | None = None


class MarkItem(Assessment):
    mtype: MarkType | None = None
    lesson_comment: Any = None


class SubjectMarks(Answer):
    """A subject's marks over the asked days, with ElJur's own average of them."""

    name: str
    average: Number = None
    averageConvert: Number = None  # ElJur's name
    lesson_id: Text | None = None
    marks: list[MarkItem] = []


class MarksRecord(Answer):
    name: Text | None = None
    title: str | None = None
    lessons: list[SubjectMarks] = []


# --- the diary ------------------------------------------------------------------------


class HomeworkItem(Answer):
    id: Text
    value: str = ""
    individual: bool | None = None
    lesson: str | None = None


class LessonItem(Answer):
    """A lesson of the diary (`rings=yes` adds its start and end)."""

    name: str
    num: Text
    lesson_id: Text | None = None
    teacher: str | None = None
    room: Text | None = None
    topic: str | None = None
    starttime: str | None = None
    endtime: str | None = None
    homework: Annotated[dict[str, HomeworkItem], BeforeValidator(_record)] = {}
    assessments: list[Assessment] = []
    is_control: bool | None = None
    grp: str | None = None
    grp_short: str | None = None
    sort: int | None = None


class DiaryDay(Answer):
    """A day: `name` is its date YYYYMMDD; `alert` "holiday" on a day off."""

    name: Text
    title: str | None = None
    alert: str | None = None
    holiday_name: str | None = None
    items: Annotated[dict[str, LessonItem], BeforeValidator(_record)] = {}


class DiaryRecord(Answer):
    name: Text | None = None
    title: str | None = None
    days: Annotated[dict[str, DiaryDay], BeforeValidator(_record)] = {}
    parent_signed: bool | None = None


# --- homework -------------------------------------------------------------------------


class SubjectHomework(Answer):
    name: str
    homework: Annotated[dict[str, HomeworkItem], BeforeValidator(_record)] = {}


class HomeworkDay(Answer):
    name: Text
    title: str | None = None
    items: Annotated[dict[str, SubjectHomework], BeforeValidator(_record)] = {}


class HomeworkRecord(Answer):
    name: Text | None = None
    title: str | None = None
    days: Annotated[dict[str, HomeworkDay], BeforeValidator(_record)] = {}


# --- final assessments ----------------------------------------------------------------


class FinalAssessment(Answer):
    """A period's or the year's mark: `period` is the period's `name` ("I", "год")."""

    period: Text
    value: Text | None = None
    comment: str | None = None
    convert: float | None = None


class SubjectFinalAssessments(Answer):
    name: str
    assessments: list[FinalAssessment] = []


class FinalAssessmentsRecord(Answer):
    name: Text | None = None
    title: str | None = None
    items: list[SubjectFinalAssessments] = []


# --- per student ----------------------------------------------------------------------


T = TypeVar("T", bound=Answer)


class ByStudents(Answer, Generic[T]):
    """ElJur's reads answer per student, as a record by id or as a list."""

    students: dict[str, T] | list[T] = {}

    def of(self, student_id: str) -> T | None:
        """The asked student's part (the only one when the list does not name them)."""
        if isinstance(self.students, dict):
            return self.students.get(student_id) or next(iter(self.students.values()), None)
        found = [s for s in self.students if str(getattr(s, "name", "")) == student_id]
        return (found or self.students or [None])[0]


# --- mail and the board ---------------------------------------------------------------


class UserFrom(Answer):
    """A correspondent: `name` is their id."""

    name: Text | None = None
    firstname: str | None = None
    lastname: str | None = None
    middlename: str | None = None


class MessagePreview(Answer):
    id: Text
    subject: str = ""
    short_text: str = ""
    date: str | None = None  # "YYYY-MM-DD HH:MM:SS"
    unread: bool = False
    user_from: UserFrom | None = None
    with_files: bool | None = None


class MessagesRecord(Answer):
    messages: list[MessagePreview] = []
    count: int | None = None
    total: Text | None = None


class Message(Answer):
    id: Text
    subject: str = ""
    short_text: str = ""
    text: str | None = None
    date: str | None = None
    user_from: UserFrom | None = None
    user_to: list[UserFrom] = []


class MessageInfoRecord(Answer):
    message: Message


class Notice(Answer):
    """A board notice: `date` and `date_actual_before` are YYYY-MM-DD."""

    id: Text
    subject: str = ""
    short_text: str = ""
    text: str | None = None
    date: str | None = None
    date_actual_before: str | None = None
    user_from: UserFrom | None = None
    user_from_string: str | None = None
    users_to: str | None = None
    unread: bool | None = None


class NoticesRecord(Answer):
    notices: list[Notice] = []
    count: int | None = None
    total: int | None = None
    total_unread: int | None = None

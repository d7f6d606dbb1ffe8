"""The school database, declared once (SQLAlchemy Core).

Portable across SQLite and PostgreSQL: no dialect-only types or SQL. Integer
keys inside, opaque strings on the wire. Indexes serve the hot reads: a
student's week (lessons by class and date, marks and attendance by student),
a class's journal for a period (lessons by class, subject and date).
Every change here needs an Alembic revision in `migrations/versions/`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _ts(name: str, **kw: Any) -> Column[dt.datetime]:
    return Column(name, UTCDateTime(), **kw)


schools = Table(
    "schools",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("short_name", String(100), nullable=False),
    Column("scale_min", Integer, nullable=False, default=1),
    Column("scale_max", Integer, nullable=False, default=5),
    Column("round_threshold", Float, nullable=False, default=0.5),
    Column("timezone", String(64), nullable=False, default="Europe/Moscow"),
    Column("days_per_week", Integer, nullable=False, default=5, doc="a new class's week: 5 or 6"),
    Column(
        "students_may_write",
        Boolean,
        nullable=False,
        default=False,
        server_default=false(),
        doc="students may start a conversation with their teachers",
    ),
    Column(
        "mark_on_absent",
        String(10),
        nullable=False,
        default="ask",
        server_default="ask",
        doc="a mark for a student marked absent: ask (the app asks once), refuse or allow",
    ),
)

school_years = Table(
    "school_years",
    metadata,
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True),
    Column("year", Integer, primary_key=True, doc="the calendar year the school year starts in"),
    _ts("opened_at", nullable=False),
    _ts("archived_at", nullable=True, doc="set: the year is closed and read-only"),
)

holidays = Table(
    "holidays",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Index("ix_holidays_school_year", "school_id", "year"),
)

rooms = Table(
    "rooms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(20), nullable=False),
    Column("capacity", Integer, nullable=True),
    UniqueConstraint("school_id", "name", name="uq_rooms_school_name"),
)

control_forms = Table(
    "control_forms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(40), nullable=False),
    Column("name", String(100), nullable=False),
    Column("weight", Integer, nullable=False),
    Column("category", String(20), nullable=False),
    UniqueConstraint("school_id", "code", name="uq_control_forms_school_code"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=True),
    Column("login", String(100), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("last_name", String(100), nullable=False, default=""),
    Column("password_hash", String(200), nullable=False),
    Column("must_change_password", Boolean, nullable=False, default=False),
    Column("birth_date", Date, nullable=True),
    Column("email", String(200), nullable=True),
    Column("phone", String(40), nullable=True),
    _ts("created_at", nullable=False),
    Column("first_name", String(100), nullable=True),
    Column("patronymic", String(100), nullable=True),
    Column(
        "external_id",
        String(64),
        nullable=True,
        doc="the school's own id of the person (an import's stable key)",
    ),
    UniqueConstraint("school_id", "external_id", name="uq_users_school_external_id"),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(20), primary_key=True),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("revoked_at", nullable=True),
)

# Login attempts counted before the password is checked (see auth.py and throttle.py):
# scope "login" is a (login, address) pair, "address" an address on its own (login ""),
# "password" the old password of a password change (address "").
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("scope", String(8), primary_key=True),
    Column("login", String(200), primary_key=True),
    Column("address", String(100), primary_key=True),
    Column("attempts", Integer, nullable=False),
    _ts("window_start", nullable=False),
    _ts("blocked_until", nullable=True),
    _ts("last_attempt_at", nullable=False, index=True),
    _ts("last_success_at", nullable=True),
)

classes = Table(
    "classes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("grade", Integer, nullable=False),
    Column("letter", String(4), nullable=False),
    Column("name", String(20), nullable=False),
    Column("class_teacher_id", ForeignKey("users.id"), nullable=True, index=True),
    Column("days_per_week", Integer, nullable=False, default=5),
    Column("year", Integer, nullable=False, doc="the school year this class is of"),
    UniqueConstraint("school_id", "year", "name", name="uq_classes_school_year_name"),
)

students = Table(
    "students",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("class_id", ForeignKey("classes.id"), nullable=False, index=True),
    Column("left_on", Date, nullable=True, doc="set: left the school (graduated or moved away)"),
)

enrollments = Table(
    "enrollments",
    metadata,
    Column("student_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("class_id", ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Index("ix_enrollments_class", "class_id"),
)

guardians = Table(
    "guardians",
    metadata,
    Column("parent_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("student_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("relation", String(40), nullable=False, default="parent"),
    Index("ix_guardians_student", "student_id"),
)

subjects = Table(
    "subjects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    UniqueConstraint("school_id", "name", name="uq_subjects_school_name"),
)

teaching = Table(
    "teaching",
    metadata,
    Column("teacher_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("class_id", ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_teaching_class_subject", "class_id", "subject_id"),
)

periods = Table(
    "periods",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column("year", Integer, nullable=False, doc="the calendar year the school year starts in"),
    Column("kind", String(10), nullable=False, doc="quarter (grades 1-9) or half (10-11)"),
    Column("number", Integer, nullable=False),
    Column("name", String(50), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("closed", Boolean, nullable=False, default=False),
    Index("ix_periods_school_year", "school_id", "year"),
)

bells = Table(
    "bells",
    metadata,
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("starts_at", String(5), nullable=False, doc="HH:MM local time"),
    Column("ends_at", String(5), nullable=False),
    Column("break_name", String(50), nullable=True, doc="the named break after this lesson"),
)

timetable = Table(
    "timetable",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("weekday", Integer, nullable=False, doc="0 Monday .. 5 Saturday"),
    Column("number", Integer, nullable=False),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False),
    Column("teacher_id", ForeignKey("users.id"), nullable=False),
    Column("room", String(20), nullable=True),
    UniqueConstraint("class_id", "weekday", "number", name="uq_timetable_slot"),
)

lessons = Table(
    "lessons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("subject_id", ForeignKey("subjects.id"), nullable=False),
    Column("teacher_id", ForeignKey("users.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("number", Integer, nullable=False),
    Column("room", String(20), nullable=True),
    Column("topic", String(500), nullable=True),
    Column("control_form_id", ForeignKey("control_forms.id"), nullable=False),
    # A one-day change to the timetable (see server/school/timetable.py); null: as planned.
    Column("change", String(10), nullable=True, doc="replaced, cancelled, moved or added"),
    Column("change_note", String(200), nullable=True),
    Column(
        "usual_teacher_id",
        ForeignKey("users.id"),
        nullable=True,
        doc="who a replacement stands in for",
    ),
    Column("moved_from_date", Date, nullable=True),
    Column("moved_from_number", Integer, nullable=True),
    Column("changed_by", ForeignKey("users.id"), nullable=True),
    _ts("changed_at", nullable=True),
    # The version a topic or control form edit replaces (null: never edited).
    _ts("updated_at", nullable=True),
    Index("ix_lessons_class_date", "class_id", "date", "number"),
    Index("ix_lessons_class_subject_date", "class_id", "subject_id", "date"),
    Index("ix_lessons_teacher_date", "teacher_id", "date"),
)

homework = Table(
    "homework",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lesson_id", ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("required", Boolean, nullable=False, default=True),
    Column("due_on", Date, nullable=True, doc="chosen by the teacher; null: the next lesson"),
    Column("author_id", ForeignKey("users.id"), nullable=False),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
)

homework_done = Table(
    "homework_done",
    metadata,
    Column("homework_id", ForeignKey("homework.id", ondelete="CASCADE"), primary_key=True),
    Column("student_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    _ts("done_at", nullable=False),
)

marks = Table(
    "marks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("lesson_id", ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False),
    Column("value", Integer, nullable=True, doc="null for a dot"),
    Column("is_dot", Boolean, nullable=False, default=False),
    Column("due", Date, nullable=True),
    Column("control_form_id", ForeignKey("control_forms.id"), nullable=False),
    Column("comment", Text, nullable=True),
    Column("teacher_id", ForeignKey("users.id"), nullable=False),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
    _ts("deleted_at", nullable=True),
    Index("ix_marks_student_lesson", "student_id", "lesson_id"),
    Index("ix_marks_lesson", "lesson_id"),
)

mark_history = Table(
    "mark_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mark_id", ForeignKey("marks.id", ondelete="CASCADE"), nullable=False, index=True),
    _ts("at", nullable=False),
    Column("by_id", ForeignKey("users.id"), nullable=False),
    Column("action", String(10), nullable=False),
    Column("from_value", String(200), nullable=True),
    Column("to_value", String(200), nullable=True),
)

attendance = Table(
    "attendance",
    metadata,
    Column("lesson_id", ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True),
    Column("student_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(10), nullable=False),
    Column("by_id", ForeignKey("users.id"), nullable=True),
    _ts("updated_at", nullable=False),
    Index("ix_attendance_student", "student_id"),
)

absence_notices = Table(
    "absence_notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("author_id", ForeignKey("users.id"), nullable=False),
    Column("from_date", Date, nullable=False),
    Column("to_date", Date, nullable=False),
    Column("first_lesson", Integer, nullable=True),
    Column("last_lesson", Integer, nullable=True),
    Column("reason", String(20), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    _ts("created_at", nullable=False),
    _ts("withdrawn_at", nullable=True),
)

period_marks = Table(
    "period_marks",
    metadata,
    Column("student_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
    Column("period_id", ForeignKey("periods.id", ondelete="CASCADE"), primary_key=True),
    Column("value", Integer, nullable=False),
    Column("set_by", ForeignKey("users.id"), nullable=False),
    _ts("set_at", nullable=False),
)

year_marks = Table(
    "year_marks",
    metadata,
    Column("student_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
    Column("set_by", ForeignKey("users.id"), nullable=False),
    _ts("set_at", nullable=False),
)

week_notes = Table(
    "week_notes",
    metadata,
    Column("student_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("monday", Date, primary_key=True),
    Column("behaviour_note", Text, nullable=True),
    Column("note_by", ForeignKey("users.id"), nullable=True),
    _ts("note_at", nullable=True),
    Column("signed_by", ForeignKey("users.id"), nullable=True),
    _ts("signed_at", nullable=True),
)

parent_meetings = Table(
    "parent_meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    _ts("starts_at", nullable=False),
    Column("place", String(200), nullable=False),
    Column("agenda", Text, nullable=False),
    Column("author_id", ForeignKey("users.id"), nullable=False),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
    Index("ix_parent_meetings_class", "class_id", "starts_at"),
)

announcements = Table(
    "announcements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column(
        "class_id",
        ForeignKey("classes.id", ondelete="CASCADE"),
        nullable=True,
        doc="null: the whole school",
    ),
    Column("author_id", ForeignKey("users.id"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    _ts("created_at", nullable=False),
    Index("ix_announcements_school_class", "school_id", "class_id"),
)

threads = Table(
    "threads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("teacher_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("parent_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("student_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("subject", String(200), nullable=False),
    _ts("created_at", nullable=False),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("author_id", ForeignKey("users.id"), nullable=False),
    Column("body", Text, nullable=False),
    _ts("created_at", nullable=False),
)

message_reads = Table(
    "message_reads",
    metadata,
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("last_read_id", Integer, nullable=False),
)

changes = Table(
    "changes",
    metadata,
    Column("id", Integer, primary_key=True, doc="the cursor of the change feed"),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(30), nullable=False),
    _ts("at", nullable=False),
    Column("student_id", Integer, nullable=True, doc="set: visible to who may read that student"),
    Column("class_id", Integer, nullable=True, doc="set without student: visible to the class"),
    Column("user_id", Integer, nullable=True, doc="set: visible to that user only"),
    Column("entity_id", Integer, nullable=True),
    Column("summary", String(300), nullable=False, default=""),
    Column("data", JSON, nullable=False, default=dict),
    Index("ix_changes_school_id", "school_id", "id"),
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("status", Integer, nullable=False),
    Column("body", JSON, nullable=False),
    _ts("created_at", nullable=False),
    # The request the key was first used for (null in keys stored before 0003).
    Column("method", String(10), nullable=True),
    Column("route", String(500), nullable=True),
    Column("fingerprint", String(64), nullable=True, doc="SHA-256 of the request body"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=True),
    _ts("at", nullable=False),
    Column("actor_id", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("actor", String(120), nullable=False, doc="a login, or `command line (USER)`"),
    Column("action", String(40), nullable=False),
    Column("target", String(300), nullable=False, default=""),
    Column("detail", JSON, nullable=False, default=dict),
    Index("ix_audit_log_school_id", "school_id", "id"),
)

"""The demo school: a whole believable school year so far, built deterministically.

The same `seed` and `today` give the same rows, so tests, snapshots and
screenshots never drift: only `random.Random(seed)` decides, never the clock;
every timestamp is derived from `today` or a lesson's date and bell times.
Rows are generated in memory with their ids and inserted in bulk, one
transaction per school, so a full school takes seconds and a district of
twenty schools can be built for load tests.
"""

from __future__ import annotations

import functools
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ediary_tui.domain.marks import Scored, proposed_mark, weighted_average
from ediary_tui.domain.models import Category
from ediary_tui.domain.periods import (
    HALF,
    QUARTER,
    PeriodSpan,
    period_kind_for_grade,
    school_year_of,
    standard_periods,
    week_start,
)

from . import demo_names as names
from . import schema as s
from .defaults import STANDARD_CONTROL_FORMS
from .passwords import hash_password
from .school.logins import Logins
from .school.year import PUBLIC_HOLIDAYS as HOLIDAY_DATES
from .school.year import standard_holidays

DEMO_PASSWORD = "demo"
TIMEZONE = "Europe/Moscow"
LETTERS = "АБВГДЕЖИКЛ"
CHUNK = 5000
TEACHER_LOAD = 24  # weekly hours a full-time teacher takes before another is hired
DOT = "•"
NEWS_DAYS = timedelta(days=7)  # how far back the demo's change feed reaches

CONTROL_FORMS = STANDARD_CONTROL_FORMS

# Bells: 45-minute lessons from 8:30; the break after each lesson and its name.
FIRST_BELL = time(8, 30)
LESSON_MINUTES = 45
BREAKS: tuple[tuple[int, str | None], ...] = (
    (10, None),
    (20, "Завтрак"),
    (10, None),
    (20, "Обед"),
    (10, None),
    (10, None),
    (0, None),
)

# Days off inside the quarters (month, day): state holidays.
PUBLIC_HOLIDAYS: frozenset[tuple[int, int]] = frozenset((m, d) for m, d, _ in HOLIDAY_DATES)

ABSENT_CODES = frozenset({"absent", "ill", "excused"})
GROUPS: tuple[str, ...] = tuple(sorted({spec.group for spec in names.SUBJECTS}))


class DemoError(Exception):
    """The demo school cannot be built here (the database already holds a school)."""


@dataclass(frozen=True)
class DemoSummary:
    """What was built: counts for the CLI, and the logins to try (password `demo`)."""

    schools: int
    users: int
    classes: int
    lessons: int
    marks: int
    logins: dict[str, str]  # well-known login -> who it is
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows inserted
    password: str = DEMO_PASSWORD


@functools.cache
def _demo_hash() -> str:
    """argon2 is slow on purpose: hash the demo password once per process and reuse it."""
    return hash_password(DEMO_PASSWORD)


def _zone(name: str) -> tzinfo:
    """The school's time zone; Moscow has kept UTC+3 since 2014 if tzdata is missing."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=3))


# --- public API ---------------------------------------------------------------


async def build_demo(
    engine: AsyncEngine,
    *,
    today: date,
    now: datetime | None = None,
    seed: int = 2026,
    schools: int = 1,
    classes_per_grade: int = 2,
    students_per_class: int = 25,
    lessons_until: date | None = None,
    news: bool = True,
) -> DemoSummary:
    """Fill an empty, migrated database with `schools` demo schools as of `today`.

    Lessons run until `lessons_until` (by default the Saturday of next week, so the
    diary already shows next week's timetable); marks, absences, homework and notes
    stop at `now`: nothing is dated after it, and a lesson that has not ended yet has
    no mark. Without `now`, 16:00 of `today` at the school (after lessons: the same
    rows for the same `today`, as tests and snapshots want). With `news`, the change
    feed holds the last week's marks, so a first start's "what's new" has them (tests
    that follow the feed from a quiet start build without).
    """
    if schools < 1 or classes_per_grade < 1 or students_per_class < 1:
        raise DemoError("schools, classes per grade and students per class must be positive")
    if classes_per_grade > len(LETTERS):
        raise DemoError(f"at most {len(LETTERS)} classes per grade")
    until = lessons_until or week_start(today) + timedelta(days=12)
    async with engine.connect() as conn:
        existing = (await conn.execute(sa.select(sa.func.count()).select_from(s.schools))).scalar()
        if existing:
            raise DemoError(
                f"the database already holds {existing} school(s); wipe it first (ediary demo)"
            )
        ids = await _IdSource.from_database(conn)
    password_hash = _demo_hash()
    logins = Logins()
    totals: dict[str, int] = defaultdict(int)
    well_known: dict[str, str] = {}
    for number in range(1, schools + 1):
        builder = _SchoolBuilder(
            number=number,
            rng=random.Random(seed * 1000 + number),
            today=today,
            moment=now,
            until=until,
            per_grade=classes_per_grade,
            per_class=students_per_class,
            ids=ids,
            logins=logins,
            password_hash=password_hash,
            news=news,
        )
        builder.build()
        well_known.update(builder.well_known)
        async with engine.begin() as conn:
            for table in s.metadata.sorted_tables:
                rows = builder.rows.get(table.name)
                if not rows:
                    continue
                for start in range(0, len(rows), CHUNK):
                    await conn.execute(table.insert(), rows[start : start + CHUNK])
                totals[table.name] += len(rows)
    if engine.dialect.name == "postgresql":
        await _advance_sequences(engine)
    return DemoSummary(
        schools=totals["schools"],
        users=totals["users"],
        classes=totals["classes"],
        lessons=totals["lessons"],
        marks=totals["marks"],
        logins=well_known,
        rows=dict(totals),
    )


async def wipe(engine: AsyncEngine) -> None:
    """Delete every row of every table, children first, so the demo can be rebuilt."""
    async with engine.begin() as conn:
        for table in reversed(s.metadata.sorted_tables):
            await conn.execute(table.delete())


async def list_logins(engine: AsyncEngine, role: str | None = None) -> list[tuple[str, str, str]]:
    """(login, full name, roles) of every user, or of those with `role`, in creation order."""
    u, r = s.users, s.user_roles
    query = sa.select(u.c.id, u.c.login, u.c.full_name).order_by(u.c.id)
    if role is not None:
        query = query.where(u.c.id.in_(sa.select(r.c.user_id).where(r.c.role == role)))
    async with engine.connect() as conn:
        users = (await conn.execute(query)).all()
        roles_query = sa.select(r.c.user_id, r.c.role).order_by(r.c.user_id, r.c.role)
        if role is not None:
            roles_query = roles_query.where(
                r.c.user_id.in_(sa.select(r.c.user_id).where(r.c.role == role))
            )
        roles: dict[int, list[str]] = defaultdict(list)
        for user_id, name in await conn.execute(roles_query):
            roles[user_id].append(name)
    return [(login, full_name, ",".join(roles[uid])) for uid, login, full_name in users]


async def _advance_sequences(engine: AsyncEngine) -> None:
    """Explicit ids leave PostgreSQL's serial sequences behind: move them past the demo's."""
    async with engine.begin() as conn:
        for table in s.metadata.sorted_tables:
            if "id" not in table.c or not table.c.id.primary_key:
                continue
            await conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT MAX(id) FROM {table.name}))"
                )
            )


# --- ids and logins -------------------------------------------------------------


class _IdSource:
    """Integer ids handed out in memory, so inserts need no round-trips."""

    def __init__(self, start: dict[str, int]) -> None:
        self._last = dict(start)

    @classmethod
    async def from_database(cls, conn: AsyncConnection) -> _IdSource:
        """Continue after the ids already taken (a server may have created users before)."""
        start: dict[str, int] = {}
        for table in s.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key:
                start[table.name] = (
                    await conn.execute(sa.select(sa.func.max(table.c.id)))
                ).scalar() or 0
        return cls(start)

    def next(self, table: str) -> int:
        self._last[table] = self._last.get(table, 0) + 1
        return self._last[table]


# --- the model the builder works with ---------------------------------------------


@dataclass
class _Family:
    surname: str
    father: tuple[str, str]  # first name, patronymic
    mother: tuple[str, str]
    parent_ids: list[int] = field(default_factory=list)
    grades: list[int] = field(default_factory=list)
    sign_rate: float = 0.85


@dataclass
class _Student:
    id: int
    female: bool
    family: _Family
    ability: float
    affinity: dict[str, float]
    uses_app: bool
    diligence: float


@dataclass
class _Class:
    id: int
    grade: int
    letter: str
    days: int
    kind: str
    teacher_id: int | None = None
    students: list[_Student] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


@dataclass
class _Teacher:
    id: int
    group: str
    room: str
    classes: list[_Class] = field(default_factory=list)
    hours: dict[int, int] = field(default_factory=dict)  # class id -> weekly hours


@dataclass
class _Course:
    """A subject in a class: who teaches it, how many hours a week, where."""

    klass: _Class
    spec: names.SubjectSpec
    subject_id: int
    teacher_id: int
    hours: int
    room: str
    test_every: int = 8
    test_offset: int = 0
    count: int = 0  # lessons generated so far: drives topics and tests
    test_due: bool = False  # a test put off because the class had one that day


@dataclass
class _Lesson:
    id: int
    course: _Course
    date: date
    number: int
    index: int
    form: str
    topic: str


# --- the builder ------------------------------------------------------------------


@dataclass(kw_only=True, eq=False)
class _SchoolBuilder:
    """Generates every row of one school in memory, in foreign-key order."""

    number: int
    rng: random.Random
    today: date
    moment: datetime | None  # the real "now"; None: 16:00 today at the school
    until: date
    per_grade: int  # classes per grade
    per_class: int  # students per class
    ids: _IdSource
    logins: Logins
    password_hash: str
    news: bool = True  # the last week's marks in the change feed

    def __post_init__(self) -> None:
        self.prefix = "" if self.number == 1 else f"s{self.number}."
        self.tz = _zone(TIMEZONE)
        self.year = school_year_of(self.today)
        # The demo's "now": nothing it writes is dated after it.
        self.now = self.moment or self.local(self.today, time(16, 0))
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.well_known: dict[str, str] = {}
        self.school_id = self.ids.next("schools")
        self.forms: dict[str, int] = {}
        self.weights: dict[str, tuple[int, str]] = {}
        self.bells: dict[int, tuple[time, time]] = {}
        self.periods: dict[str, list[tuple[int, PeriodSpan]]] = {}
        self.subject_ids: dict[str, int] = {}
        self.classes: list[_Class] = []
        self.teachers: list[_Teacher] = []
        self.courses: list[_Course] = []
        self.lessons: list[_Lesson] = []
        self.user_names: dict[int, str] = {}
        self.absent: set[tuple[int, int]] = set()  # (lesson id, student id)
        self.grid_of: dict[int, dict[tuple[int, int], _Course]] = {}
        self.recent: list[dict[str, Any]] = []  # the feed's changes of the last days

    # -- helpers

    def local(self, d: date, t: time) -> datetime:
        """A wall-clock time at the school, as an aware UTC datetime."""
        return datetime.combine(d, t, tzinfo=self.tz).astimezone(UTC)

    def capped(self, moment: datetime) -> datetime:
        return min(moment, self.now)

    def add(self, table: str, **row: Any) -> None:
        self.rows[table].append(row)

    def lesson_end(self, lesson: _Lesson) -> datetime:
        return self.local(lesson.date, self.bells[lesson.number][1])

    def happened(self, lesson: _Lesson) -> bool:
        """The lesson is over by the demo's "now": it may carry marks and attendance."""
        return self.lesson_end(lesson) <= self.now

    def user(
        self,
        user_id: int,
        *,
        login: str,
        surname: str,
        first: str,
        patronymic: str,
        roles: Sequence[str],
        birth_date: date | None = None,
        email: bool = False,
        phone: bool = False,
    ) -> None:
        full_name = f"{surname} {first} {patronymic}"
        self.user_names[user_id] = full_name
        created = self.local(date(self.year, 8, 20), time(10, 0)) + timedelta(
            minutes=self.rng.randrange(6 * 24 * 60)
        )
        self.add(
            "users",
            id=user_id,
            school_id=self.school_id,
            login=login,
            full_name=full_name,
            last_name=surname,
            first_name=first,
            patronymic=patronymic,
            password_hash=self.password_hash,
            must_change_password=False,
            birth_date=birth_date,
            email=f"{login}@example.com" if email else None,
            phone=self.phone() if phone else None,
            created_at=created,
        )
        for role in roles:
            self.add("user_roles", user_id=user_id, role=role)

    def phone(self) -> str:
        r = self.rng
        return f"+7 9{r.randrange(10, 100)} {r.randrange(100, 1000)}-{r.randrange(10, 100)}-{r.randrange(10, 100)}"

    def adult(self, female: bool) -> tuple[str, str, str]:
        """Surname, first name, patronymic of a grown-up."""
        surname = names.surname_for(self.rng.choice(names.SURNAMES), female)
        first = self.rng.choice(names.WOMEN if female else names.MEN)
        father = self.rng.choice(names.MEN)
        return surname, first, names.PATRONYMICS[father][1 if female else 0]

    def staff(self, user_id: int, roles: Sequence[str], login: str | None = None) -> str:
        """A teacher or the admin: most teachers are women, as in Russian schools."""
        female = self.rng.random() < 0.8
        surname, first, patronymic = self.adult(female)
        login = login or self.logins.make(self.prefix, surname, first, patronymic)
        self.user(
            user_id,
            login=login,
            surname=surname,
            first=first,
            patronymic=patronymic,
            roles=roles,
            birth_date=date(self.year - self.rng.randint(24, 62), 1, 1)
            + timedelta(days=self.rng.randrange(365)),
            email=True,
        )
        return login

    # -- the build, step by step

    def build(self) -> None:
        self.school()
        admin_id = self.ids.next("users")
        teacher_id = self.ids.next("users")
        parent_id = self.ids.next("users")
        student_id = self.ids.next("users")
        self.staff(admin_id, ["admin"], login=f"{self.prefix}admin")
        self.well_known[f"{self.prefix}admin"] = f"admin of {self.rows['schools'][0]['name']}"
        self.make_classes()
        self.make_teachers(teacher_id)
        self.make_students(parent_id, student_id)
        self.make_timetable()
        self.make_lessons()
        self.make_attendance()
        self.make_homework()
        self.make_marks()
        self.make_weeks()
        self.make_announcements(admin_id)
        self.make_threads(teacher_id, parent_id, student_id)
        self.make_news()

    def school(self) -> None:
        number = self.rng.randrange(1, 2200) if self.number > 1 else 1535
        self.add(
            "schools",
            id=self.school_id,
            name=f"ГБОУ Школа № {number}",
            short_name=f"Школа № {number}",
            scale_min=1,
            scale_max=5,
            round_threshold=0.5,
            timezone=TIMEZONE,
            days_per_week=5,
        )
        self.add(
            "school_years",
            school_id=self.school_id,
            year=self.year,
            opened_at=self.local(date(self.year, 8, 20), time(9, 0)),
        )
        for code, name, weight, category in CONTROL_FORMS:
            form_id = self.ids.next("control_forms")
            self.forms[code] = form_id
            self.weights[code] = (weight, str(category))
            self.add(
                "control_forms",
                id=form_id,
                school_id=self.school_id,
                code=code,
                name=name,
                weight=weight,
                category=str(category),
            )
        start = datetime.combine(date(2000, 1, 1), FIRST_BELL)
        for number, (pause, break_name) in enumerate(BREAKS, start=1):
            end = start + timedelta(minutes=LESSON_MINUTES)
            self.bells[number] = (start.time(), end.time())
            self.add(
                "bells",
                school_id=self.school_id,
                number=number,
                starts_at=start.strftime("%H:%M"),
                ends_at=end.strftime("%H:%M"),
                break_name=break_name,
            )
            start = end + timedelta(minutes=pause)
        for kind in (QUARTER, HALF):
            self.periods[kind] = []
            for span in standard_periods(self.year, kind):
                period_id = self.ids.next("periods")
                self.periods[kind].append((period_id, span))
                self.add(
                    "periods",
                    id=period_id,
                    school_id=self.school_id,
                    year=self.year,
                    closed=span.ends_on < self.today,
                    **asdict(span),
                )
        for holiday in standard_holidays(self.year):
            self.add(
                "holidays",
                id=self.ids.next("holidays"),
                school_id=self.school_id,
                year=self.year,
                **asdict(holiday),
            )
        for spec in names.SUBJECTS:
            subject_id = self.ids.next("subjects")
            self.subject_ids[spec.name] = subject_id
            self.add("subjects", id=subject_id, school_id=self.school_id, name=spec.name)

    def make_classes(self) -> None:
        for grade in range(1, 12):
            for letter in LETTERS[: self.per_grade]:
                self.classes.append(
                    _Class(
                        id=self.ids.next("classes"),
                        grade=grade,
                        letter=letter,
                        days=5 if grade <= 6 else 6,
                        kind=period_kind_for_grade(grade),
                    )
                )

    def class_named(self, grade: int, letter: str) -> _Class:
        return next(c for c in self.classes if c.grade == grade and c.letter == letter)

    def make_teachers(self, teacher_id: int) -> None:
        """Primary classes get their own teacher; specialists split classes by hours.

        Classes go to specialists in order 5А, 6А, ... 11А, 5Б, ..., so the first
        mathematician (the well-known `teacher`) has 5А, 6А, 7А and is class
        teacher of 7А.
        """
        rng = self.rng
        rooms: dict[int, int] = defaultdict(int)

        def room(floor: int) -> str:
            rooms[floor] += rng.randint(1, 3)
            return str(floor * 100 + rooms[floor])

        for klass in self.classes:
            if klass.grade <= 4:
                t = _Teacher(self.ids.next("users"), "primary", room(1))
                self.staff(t.id, ["teacher"])
                klass.teacher_id = t.id
                self.teachers.append(t)
        groups: dict[str, list[tuple[_Class, list[names.SubjectSpec]]]] = defaultdict(list)
        ordered = sorted(self.classes, key=lambda c: (c.letter, c.grade))
        for klass in ordered:
            by_group: dict[str, list[names.SubjectSpec]] = defaultdict(list)
            for spec in names.SUBJECTS:
                if klass.grade in spec.hours:
                    primary = klass.grade <= 4 and spec.name in names.PRIMARY_SUBJECTS
                    by_group["primary" if primary else spec.group].append(spec)
            for group, specs in by_group.items():
                groups[group].append((klass, specs))
        floors = {
            "maths": 2, "russian": 3, "english": 4, "history": 3, "geography": 2,
            "biology": 2, "physics": 4, "informatics": 4, "sport": 1, "arts": 1,
            "technology": 1,
        }  # fmt: skip
        gyms = ("Спортзал", "Малый спортзал", "Спортзал 2", "Спортзал 3")
        gym_of: dict[int, str] = {}
        for group in ("maths", *sorted(g for g in groups if g not in ("maths", "primary"))):
            entries = groups[group]
            load = [sum(spec.hours[k.grade] for spec in specs) for k, specs in entries]
            count = max(1, math.ceil(sum(load) / TEACHER_LOAD))
            share = sum(load) / count
            chunks: list[list[int]] = [[]]
            taken = 0.0
            for i, hours in enumerate(load):
                if taken >= share * len(chunks) and len(chunks) < count:
                    chunks.append([])
                chunks[-1].append(i)
                taken += hours
            for chunk in chunks:
                first_maths = group == "maths" and not any(
                    t.group == "maths" for t in self.teachers
                )
                t = _Teacher(
                    teacher_id if first_maths else self.ids.next("users"),
                    group,
                    room(floors.get(group, 3)),
                )
                self.staff(
                    t.id, ["teacher"], login=f"{self.prefix}teacher" if first_maths else None
                )
                if group == "sport":
                    gym_of[t.id] = gyms[min(len(gym_of), len(gyms) - 1)]
                self.teachers.append(t)
                for i in chunk:
                    klass, specs = entries[i]
                    t.classes.append(klass)
                    t.hours[klass.id] = load[i]
                    for spec in specs:
                        self.course(klass, spec, t.id, gym_of.get(t.id, t.room), t.room)
        for t in self.teachers:
            if t.group == "primary":
                klass = next(c for c in self.classes if c.teacher_id == t.id)
                for spec in names.SUBJECTS:
                    if klass.grade in spec.hours and spec.name in names.PRIMARY_SUBJECTS:
                        self.course(klass, spec, t.id, t.room, t.room)
        self.class_teachers(teacher_id)
        self.courses.sort(key=lambda c: (c.klass.grade, c.klass.letter, c.subject_id))
        for c in self.courses:
            self.add(
                "teaching", teacher_id=c.teacher_id, class_id=c.klass.id, subject_id=c.subject_id
            )
        for klass in self.classes:
            self.add("user_roles", user_id=klass.teacher_id, role="class_teacher")
            self.add(
                "classes",
                id=klass.id,
                school_id=self.school_id,
                grade=klass.grade,
                letter=klass.letter,
                name=klass.name,
                class_teacher_id=klass.teacher_id,
                days_per_week=klass.days,
                year=self.year,
            )
        mine = [c for c in self.courses if c.teacher_id == teacher_id]
        subjects = ", ".join(sorted({c.spec.name for c in mine}))
        taught = ", ".join(dict.fromkeys(c.klass.name for c in mine))
        self.well_known[f"{self.prefix}teacher"] = (
            f"teacher of {subjects} in {taught}; class teacher of 7А"
        )

    def course(
        self, klass: _Class, spec: names.SubjectSpec, teacher_id: int, gym: str, room: str
    ) -> None:
        hours = spec.hours[klass.grade]
        every = {1: 6, 2: 8, 3: 10}.get(hours, 12)
        self.courses.append(
            _Course(
                klass=klass,
                spec=spec,
                subject_id=self.subject_ids[spec.name],
                teacher_id=teacher_id,
                hours=hours,
                room=gym if spec.name == "Физкультура" else room,
                test_every=every,
                test_offset=self.rng.randrange(every),
            )
        )

    def class_teachers(self, teacher_id: int) -> None:
        """Each senior class gets one of its own teachers, no teacher leads two classes."""
        known = self.class_named(7, "А")
        known.teacher_id = teacher_id
        seniors = [k for k in self.classes if k.grade >= 5 and k is not known]
        candidates: dict[int, list[int]] = {}
        for klass in seniors:
            teachers = [
                t
                for t in self.teachers
                if t.group != "primary" and t.id != teacher_id and klass.id in t.hours
            ]
            self.rng.shuffle(teachers)
            teachers.sort(key=lambda t: -t.hours[klass.id])
            candidates[klass.id] = [t.id for t in teachers]
        leads: dict[int, int] = {}  # teacher id -> class id

        def assign(class_id: int, seen: set[int]) -> bool:
            for tid in candidates[class_id]:
                if tid in seen:
                    continue
                seen.add(tid)
                if tid not in leads or assign(leads[tid], seen):
                    leads[tid] = class_id
                    return True
            return False

        for klass in seniors:
            if not assign(klass.id, set()):
                raise DemoError(f"no teacher left to lead {klass.name}")
        by_class = {cid: tid for tid, cid in leads.items()}
        for klass in seniors:
            klass.teacher_id = by_class[klass.id]

    def make_students(self, parent_id: int, student_id: int) -> None:
        """Students in families: siblings share a surname, a patronymic and parents.

        The well-known family has its older child in 7А (`student`) and a younger
        one in grade 3, last parallel; its mother is `parent`.
        """
        rng = self.rng
        families: list[_Family] = []
        known_family = self.family(first_parent_id=parent_id, two=True)
        younger = self.class_named(3, LETTERS[self.per_grade - 1])
        older = self.class_named(7, "А")
        for klass in self.classes:
            forced: list[tuple[_Family, int | None]] = []
            if klass is older:
                forced.append((known_family, student_id))
            if klass is younger:
                forced.append((known_family, None))
            for i in range(self.per_class):
                if i < len(forced):
                    family, uid = forced[i]
                else:
                    family, uid = None, None
                    pool = [
                        f
                        for f in families[-60:]
                        if klass.grade not in f.grades and len(f.grades) < 3
                    ]
                    if pool and rng.random() < 0.12:
                        family = rng.choice(pool)
                    if family is None:
                        family = self.family()
                        families.append(family)
                if uid is None:
                    self.student(klass, family, self.ids.next("users"))
                else:
                    self.student(klass, family, uid, login=f"{self.prefix}student")
        mother = self.user_names[parent_id]
        self.well_known[f"{self.prefix}parent"] = (
            f"parent ({mother}) of {older.name} and {younger.name}"
        )
        self.well_known[f"{self.prefix}student"] = (
            f"student of {older.name}, the older child of parent"
        )

    def family(self, first_parent_id: int | None = None, two: bool | None = None) -> _Family:
        rng = self.rng
        father = rng.choice(names.MEN)
        mother = rng.choice(names.WOMEN)
        fam = _Family(
            surname=rng.choice(names.SURNAMES),
            father=(father, names.PATRONYMICS[rng.choice(names.MEN)][0]),
            mother=(mother, names.PATRONYMICS[rng.choice(names.MEN)][1]),
            sign_rate=rng.choice((0.5, 0.8, 0.9, 0.95, 1.0, 1.0)),
        )
        two = rng.random() < 0.6 if two is None else two
        who = (
            ["mother", "father"] if two else [rng.choice(("mother", "mother", "mother", "father"))]
        )
        for n, role in enumerate(who):
            female = role == "mother"
            first, patronymic = fam.mother if female else fam.father
            surname = names.surname_for(fam.surname, female)
            uid = first_parent_id if n == 0 and first_parent_id else self.ids.next("users")
            login = (
                f"{self.prefix}parent"
                if n == 0 and first_parent_id
                else self.logins.make(self.prefix, surname, first, patronymic)
            )
            self.user(
                uid,
                login=login,
                surname=surname,
                first=first,
                patronymic=patronymic,
                roles=["parent"],
                birth_date=date(self.year - rng.randint(30, 50), 1, 1)
                + timedelta(days=rng.randrange(365)),
                email=rng.random() < 0.8,
                phone=True,
            )
            fam.parent_ids.append(uid)
        return fam

    def student(self, klass: _Class, family: _Family, uid: int, login: str | None = None) -> None:
        rng = self.rng
        female = rng.random() < 0.5
        first = rng.choice(names.GIRLS if female else names.BOYS)
        patronymic = names.PATRONYMICS[family.father[0]][1 if female else 0]
        surname = names.surname_for(family.surname, female)
        born = date(self.year - klass.grade - 7, 9, 1) + timedelta(days=rng.randrange(365))
        self.user(
            uid,
            login=login or self.logins.make(self.prefix, surname, first, patronymic),
            surname=surname,
            first=first,
            patronymic=patronymic,
            roles=["student"],
            birth_date=born,
            email=klass.grade >= 7 and rng.random() < 0.5,
        )
        self.add("students", user_id=uid, class_id=klass.id)
        self.add("enrollments", student_id=uid, year=self.year, class_id=klass.id)
        for pid in family.parent_ids:
            self.add("guardians", parent_id=pid, student_id=uid, relation="parent")
        family.grades.append(klass.grade)
        ability = max(-2.2, min(2.0, rng.gauss(0.0, 1.0)))
        klass.students.append(
            _Student(
                id=uid,
                female=female,
                family=family,
                ability=ability,
                affinity={g: rng.gauss(0.0, 0.3) for g in GROUPS},
                uses_app=rng.random() < 0.7,
                diligence=max(0.1, min(0.95, 0.6 + 0.2 * ability)),
            )
        )

    # -- time

    def make_timetable(self) -> None:
        """A weekly grid per class with no teacher in two places at once.

        Each class is a small max-flow problem (see `_place`), solved class by
        class: short five-day weeks first, as their teachers have the fewest
        free slots to offer. When a class cannot fit, start over in another order.
        """
        by_class: dict[int, list[_Course]] = defaultdict(list)
        for c in self.courses:
            by_class[c.klass.id].append(c)
        for _attempt in range(50):
            order = sorted(self.classes, key=lambda k: (k.days, self.rng.random()))
            grids = _timetable(order, by_class, self.rng)
            if grids is not None:
                break
        else:
            raise DemoError("could not fit a timetable for this school")
        for klass in self.classes:
            self.grid_of[klass.id] = grids[klass.id]
            for (day, number), course in sorted(grids[klass.id].items()):
                self.add(
                    "timetable",
                    id=self.ids.next("timetable"),
                    class_id=klass.id,
                    weekday=day,
                    number=number,
                    subject_id=course.subject_id,
                    teacher_id=course.teacher_id,
                    room=course.room,
                )

    def school_days(self) -> list[date]:
        """Days inside a quarter (so holidays apply to every grade), not Sundays or holidays."""
        quarters = [span for _, span in self.periods[QUARTER]]
        first = min(span.starts_on for span in quarters)
        days = []
        d = first
        while d <= self.until:
            if (
                d.weekday() != 6
                and (d.month, d.day) not in PUBLIC_HOLIDAYS
                and any(span.starts_on <= d <= span.ends_on for span in quarters)
            ):
                days.append(d)
            d += timedelta(days=1)
        return days

    def make_lessons(self) -> None:
        """Lessons from the timetable on every school day; at most one test a day per class."""
        rng = self.rng
        days = self.school_days()
        soon = self.today + timedelta(days=3)
        for klass in self.classes:
            spans = [span for _, span in self.periods[klass.kind]]
            grid = self.grid_of[klass.id]
            test_day: date | None = None
            for d in days:
                if d.weekday() >= klass.days:
                    continue
                if not any(span.starts_on <= d <= span.ends_on for span in spans):
                    continue
                for number in range(1, 8):
                    course = grid.get((d.weekday(), number))
                    if course is None:
                        continue
                    index = course.count
                    course.count += 1
                    form = "classwork"
                    if klass.grade >= 2 and course.spec.tests:
                        every = course.test_every
                        if course.test_due or (index + course.test_offset) % every == every - 1:
                            course.test_due = test_day == d
                            form = "classwork" if course.test_due else "test"
                            test_day = d
                        elif rng.random() < 0.07:
                            form = "independent"
                    topic = ""
                    if d <= self.today or (d <= soon and rng.random() < 0.3):
                        topic = _topic(course, index, form)
                    lesson = _Lesson(
                        self.ids.next("lessons"), course, d, number, index, form, topic
                    )
                    self.lessons.append(lesson)
                    self.add(
                        "lessons",
                        id=lesson.id,
                        class_id=klass.id,
                        subject_id=course.subject_id,
                        teacher_id=course.teacher_id,
                        date=d,
                        number=number,
                        room=course.room,
                        topic=topic or None,
                        control_form_id=self.forms[form],
                    )

    # -- attendance

    def make_attendance(self) -> None:
        """Illnesses over consecutive days, family days, skipped lessons, lateness.

        A parent's notice turns the lessons it covers into `excused`; without one
        an illness shows as `ill` and a missed day as `absent`.
        """
        rng = self.rng
        by_day: dict[int, dict[date, list[_Lesson]]] = defaultdict(lambda: defaultdict(list))
        for lesson in self.lessons:
            by_day[lesson.course.klass.id][lesson.date].append(lesson)
        for klass in self.classes:
            days = by_day[klass.id]
            past = [d for d in sorted(days) if d <= self.today]
            future = [d for d in sorted(days) if d > self.today]
            for st in klass.students:
                skip_rate = 0.002 + 0.004 * max(0.0, -st.ability)
                i = 0
                while i < len(past):
                    d = past[i]
                    r = rng.random()
                    winter = 1.4 if d.month in (11, 12, 1, 2, 3) else 1.0
                    if r < 0.007 * winter:
                        span = past[i : i + rng.choice((2, 3, 3, 4, 4, 5, 5, 6, 7))]
                        self.illness(st, span, days)
                        i += len(span)
                        continue
                    if r < 0.007 * winter + 0.002:
                        span = past[i : i + rng.choice((1, 1, 2))]
                        self.family_days(st, span, days)
                        i += len(span)
                        continue
                    lessons = days[d]
                    if r < 0.007 * winter + 0.004 and len(lessons) > 3:
                        self.partial_day(st, d, lessons[rng.randrange(2, len(lessons)) :])
                    else:
                        # A teacher marks who is late or absent at a lesson that took place.
                        for n, lesson in enumerate(x for x in lessons if self.happened(x)):
                            if n == 0 and rng.random() < 0.012:
                                self.mark_attendance(lesson, st, "late")
                            elif rng.random() < skip_rate:
                                self.mark_attendance(lesson, st, "absent")
                    i += 1
                if future and rng.random() < 0.03:
                    d = rng.choice(future[:6])
                    self.notice(st, [d], days, "family", names.FAMILY_COMMENTS, days_before=3)

    def mark_attendance(
        self, lesson: _Lesson, st: _Student, code: str, notice_at: datetime | None = None
    ) -> None:
        if notice_at is not None:
            by, at = None, notice_at
        else:
            by = lesson.course.teacher_id
            at = self.lesson_end(lesson) - timedelta(minutes=self.rng.randint(5, 40))
        self.add(
            "attendance", lesson_id=lesson.id, student_id=st.id, code=code, by_id=by, updated_at=at
        )
        if code in ABSENT_CODES:
            self.absent.add((lesson.id, st.id))

    def illness(self, st: _Student, span: list[date], days: dict[date, list[_Lesson]]) -> None:
        rng = self.rng
        if rng.random() < 0.55:
            long_ = len(span) >= 6 and rng.random() < 0.5
            reason, texts = (
                ("treatment", names.TREATMENT_COMMENTS)
                if long_
                else ("illness", names.ILLNESS_COMMENTS)
            )
            self.notice(st, span, days, reason, texts)
            return
        for d in span:
            for lesson in filter(self.happened, days[d]):
                self.mark_attendance(lesson, st, "ill")

    def family_days(self, st: _Student, span: list[date], days: dict[date, list[_Lesson]]) -> None:
        if self.rng.random() < 0.85:
            self.notice(st, span, days, "family", names.FAMILY_COMMENTS, days_before=4)
            return
        for d in span:
            for lesson in filter(self.happened, days[d]):
                self.mark_attendance(lesson, st, "absent")

    def partial_day(self, st: _Student, d: date, lessons: list[_Lesson]) -> None:
        reason, texts = self.rng.choice(
            (("other", names.OTHER_COMMENTS), ("illness", ("Визит к врачу",)))
        )
        self.notice(st, [d], {d: lessons}, reason, texts, partial=True)

    def notice(
        self,
        st: _Student,
        span: list[date],
        days: dict[date, list[_Lesson]],
        reason: str,
        texts: Sequence[str],
        *,
        days_before: int = 0,
        partial: bool = False,
    ) -> None:
        """A parent's notice of absence over `span`; its lessons become excused."""
        rng = self.rng
        first = span[0]
        if days_before:
            created = self.local(first - timedelta(days=rng.randint(1, days_before)), time(20, 0))
        else:
            created = self.local(first, time(7, 0))
        created = self.capped(created + timedelta(minutes=rng.randrange(60)))
        lessons = [lesson for d in span for lesson in days[d]]
        self.add(
            "absence_notices",
            id=self.ids.next("absence_notices"),
            student_id=st.id,
            author_id=st.family.parent_ids[0],
            from_date=first,
            to_date=span[-1],
            first_lesson=lessons[0].number if partial else None,
            last_lesson=lessons[-1].number if partial else None,
            reason=reason,
            comment=rng.choice(texts),
            created_at=created,
            withdrawn_at=None,
        )
        for lesson in lessons:
            self.mark_attendance(lesson, st, "excused", notice_at=created)

    # -- homework

    def make_homework(self) -> None:
        rng = self.rng
        week = self.today + timedelta(days=7)
        students = {k.id: k.students for k in self.classes}
        for lesson in self.lessons:
            course = lesson.course
            spec = course.spec
            if course.klass.grade == 1 or spec.name not in names.HOMEWORK:
                continue  # no homework in the first grade, nor in PE and music
            past = self.happened(lesson)
            if past:
                chance = 0.85 if spec.tests else 0.3
            elif lesson.date <= week:
                chance = 0.12  # set ahead of time
            else:
                continue
            if rng.random() >= chance:
                continue
            required = rng.random() >= 0.1
            text = _homework_text(lesson, required, rng)
            if past:
                created = self.lesson_end(lesson) - timedelta(minutes=rng.randint(0, 10))
            else:
                created = self.local(self.today, time(14, 0)) + timedelta(
                    minutes=rng.randrange(110)
                )
                if created > self.now:  # today's afternoon is still ahead: set yesterday
                    created -= timedelta(days=1)
            updated = created
            if rng.random() < 0.1:
                updated = self.capped(created + timedelta(minutes=rng.randint(30, 300)))
            hw_id = self.ids.next("homework")
            self.add(
                "homework",
                id=hw_id,
                lesson_id=lesson.id,
                text=text,
                required=required,
                author_id=course.teacher_id,
                created_at=created,
                updated_at=updated,
            )
            if lesson.date >= self.today:
                continue
            for st in students[course.klass.id]:
                if st.uses_app and rng.random() < st.diligence:
                    done = self.capped(updated + timedelta(minutes=rng.randint(120, 30 * 60)))
                    self.add("homework_done", homework_id=hw_id, student_id=st.id, done_at=done)

    # -- marks

    def make_marks(self) -> None:
        """Marks for lessons up to today, by each student's ability; dots, changes, history.

        The first grade has no marks, as in Russian schools. A test gives every
        present student a mark; classwork a handful, each with its own form.
        """
        rng = self.rng
        scored: dict[tuple[int, int, int], list[Scored]] = defaultdict(list)
        for lesson in self.lessons:
            klass = lesson.course.klass
            if not self.happened(lesson) or klass.grade == 1:
                continue
            present = [st for st in klass.students if (lesson.id, st.id) not in self.absent]
            if not present:
                continue
            if lesson.form in ("test", "independent"):
                share = 1.0 if lesson.form == "test" else 0.9
                marked = [(st, lesson.form) for st in present if rng.random() < share]
            else:
                low, high = (0.2, 0.5) if lesson.course.spec.name == "Физкультура" else (0.12, 0.3)
                k = max(1, round(len(present) * rng.uniform(low, high)))
                marked = [(st, self.classwork_form(lesson)) for st in rng.sample(present, k)]
                marked += [
                    (st, self.classwork_form(lesson)) for st, _ in marked if rng.random() < 0.06
                ]
            period_id, span = next(
                (pid, span)
                for pid, span in self.periods[klass.kind]
                if span.starts_on <= lesson.date <= span.ends_on
            )
            for st, form in marked:
                value = self.mark(lesson, st, form, span.ends_on)
                if value is not None:
                    weight, category = self.weights[form]
                    scored[(st.id, lesson.course.subject_id, period_id)].append(
                        Scored(value, weight, Category(category))
                    )
        self.make_period_marks(scored)

    def classwork_form(self, lesson: _Lesson) -> str:
        forms = ["classwork", "oral", "board"]
        weights = [40, 25, 20]
        if lesson.course.spec.homework:
            forms.append("homework")
            weights.append(15)
        return self.rng.choices(forms, weights)[0]

    def value_for(self, st: _Student, lesson: _Lesson, form: str) -> int:
        spec = lesson.course.spec
        mu = 3.95 + 0.65 * st.ability + st.affinity[spec.group] + spec.ease
        if form == "test":
            mu -= 0.25
        value = round(self.rng.gauss(mu, 0.75))
        if value >= 5:
            return 5
        if value <= 1:
            return 1 if self.rng.random() < 0.08 else 2
        return value

    def mark(self, lesson: _Lesson, st: _Student, form: str, period_end: date) -> int | None:
        """One mark with its history; returns the value that counts now (None for an open dot).

        A dot is due within two weeks but within its period, and is filled on its
        due date once that has passed, so no dot outlives its period.
        """
        rng = self.rng
        teacher = lesson.course.teacher_id
        end = self.lesson_end(lesson)
        created = self.capped(end + timedelta(minutes=rng.randint(1, 40)))
        if form == "test":
            checked = self.local(lesson.date + timedelta(days=rng.randint(1, 2)), time(19, 0))
            checked += timedelta(minutes=rng.randrange(180))
            if checked <= self.now:
                created = checked
        mark_id = self.ids.next("marks")
        history = [("created", None, "", created)]
        is_dot = form != "oral" and rng.random() < (0.04 if form == "test" else 0.015)
        due: date | None = None
        comment: str | None = None
        value: int | None
        if is_dot:
            due = min(lesson.date + timedelta(days=rng.randint(3, 14)), period_end)
            comment = rng.choice(names.DOT_COMMENTS) if rng.random() < 0.5 else None
            history[0] = ("created", None, DOT, created)
            value = None
            if due < self.today:  # filled on its due date
                value = self.value_for(st, lesson, form)
                filled = self.capped(
                    self.local(due, time(15, 0)) + timedelta(minutes=rng.randrange(60))
                )
                history.append(("changed", DOT, str(value), max(filled, created)))
                is_dot = False
        else:
            value = self.value_for(st, lesson, form)
            history[0] = ("created", None, str(value), created)
            if rng.random() < 0.08:
                comment = rng.choice(names.COMMENTS[value])
            if rng.random() < 0.015:
                changed_at = created + timedelta(days=rng.randint(1, 7), minutes=rng.randrange(120))
                if changed_at <= self.now:
                    if value <= 3:
                        new = value + 1  # retaken
                    elif value == 5:
                        new = 4
                    else:
                        new = rng.choice((3, 5))
                    history.append(("changed", str(value), str(new), changed_at))
                    value = new
        self.add(
            "marks",
            id=mark_id,
            student_id=st.id,
            lesson_id=lesson.id,
            value=value,
            is_dot=is_dot,
            due=due,
            control_form_id=self.forms[form],
            comment=comment,
            teacher_id=teacher,
            created_at=created,
            updated_at=history[-1][3],
            deleted_at=None,
        )
        if self.news and history[-1][3] > self.now - NEWS_DAYS:
            before = history[-2][2] if len(history) > 1 else None
            self.mark_news(lesson, st, mark_id, value, is_dot, form, before, history[-1][3])
        for action, before, after, at in history:
            self.add(
                "mark_history",
                id=self.ids.next("mark_history"),
                mark_id=mark_id,
                at=at,
                by_id=teacher,
                action=action,
                from_value=before,
                to_value=after,
            )
        return value

    def mark_news(
        self,
        lesson: _Lesson,
        st: _Student,
        mark_id: int,
        value: int | None,
        is_dot: bool,
        form: str,
        before: str | None,
        at: datetime,
    ) -> None:
        """The feed's change for a recent mark, as the marks service records one, so the
        first start's "what's new" has the last days' marks to show."""
        subject = lesson.course.spec.name
        shown = DOT if is_dot else str(value)
        what = shown if before in (None, shown) else f"{before} → {shown}"
        self.recent.append(
            {
                "school_id": self.school_id,
                "kind": "mark",
                "at": at,
                "student_id": st.id,
                "class_id": lesson.course.klass.id,
                "user_id": None,
                "entity_id": mark_id,
                "summary": f"{what} — {subject}",
                "data": {
                    "subject": subject,
                    "subject_id": str(lesson.course.subject_id),
                    "lesson_id": str(lesson.id),
                    "date": lesson.date.isoformat(),
                    "value": value,
                    "is_dot": is_dot,
                    "control_form": form,
                    "from": before,
                },
            }
        )

    def make_news(self) -> None:
        """The recent changes in the order they happened: the feed's cursor is its ids."""
        for change in sorted(self.recent, key=lambda c: c["at"]):
            self.add("changes", id=self.ids.next("changes"), **change)

    def make_period_marks(self, scored: dict[tuple[int, int, int], list[Scored]]) -> None:
        """Period marks as proposed from the weighted average, for periods already over."""
        teacher_of = {(c.klass.id, c.subject_id): c.teacher_id for c in self.courses}
        ended = {
            pid: span
            for spans in self.periods.values()
            for pid, span in spans
            if span.ends_on < self.today
        }
        year: dict[tuple[int, int], list[int]] = defaultdict(list)
        for klass in self.classes:
            kind_ids = [pid for pid, _ in self.periods[klass.kind]]
            subject_ids = sorted({c.subject_id for c in self.courses if c.klass is klass})
            for st in klass.students:
                for subject_id in subject_ids:
                    for pid in kind_ids:
                        if pid not in ended:
                            continue
                        value = proposed_mark(
                            weighted_average(scored.get((st.id, subject_id, pid), ()))
                        )
                        if value is None:
                            continue
                        year[(st.id, subject_id)].append(value)
                        self.add(
                            "period_marks",
                            student_id=st.id,
                            subject_id=subject_id,
                            period_id=pid,
                            value=value,
                            set_by=teacher_of[(klass.id, subject_id)],
                            set_at=self.local(ended[pid].ends_on, time(17, 0))
                            + timedelta(minutes=self.rng.randrange(120)),
                        )
                    if len(year.get((st.id, subject_id), ())) == len(kind_ids):
                        marks = year[(st.id, subject_id)]
                        last = max(ended[pid].ends_on for pid in kind_ids)
                        self.add(
                            "year_marks",
                            student_id=st.id,
                            subject_id=subject_id,
                            year=self.year,
                            value=proposed_mark(sum(marks) / len(marks)),
                            set_by=teacher_of[(klass.id, subject_id)],
                            set_at=self.local(last, time(18, 0)),
                        )

    # -- weeks, announcements, messages

    def make_weeks(self) -> None:
        """A behaviour note for every week with lessons so far; parents sign past weeks."""
        rng = self.rng
        this_monday = week_start(self.today)
        mondays: dict[int, list[date]] = defaultdict(list)
        last_day: dict[tuple[int, date], date] = {}  # the week's last day with a lesson held
        for lesson in self.lessons:
            monday = week_start(lesson.date)
            seen = mondays[lesson.course.klass.id]
            if self.happened(lesson):
                if not seen or seen[-1] != monday:
                    seen.append(monday)
                last_day[(lesson.course.klass.id, monday)] = lesson.date
        for klass in self.classes:
            for st in klass.students:
                for monday in mondays[klass.id]:
                    r = rng.random()
                    if st.ability > 0.7:
                        pool = names.NOTES_GOOD if r < 0.6 else names.NOTES_PLAIN
                    elif st.ability < -0.7:
                        pool = names.NOTES_WEAK if r < 0.5 else names.NOTES_PLAIN
                    else:
                        pool = (
                            names.NOTES_GOOD
                            if r < 0.15
                            else names.NOTES_WEAK
                            if r < 0.3
                            else names.NOTES_PLAIN
                        )
                    signed = monday < this_monday and rng.random() < st.family.sign_rate
                    signed_at = None
                    if signed:
                        when = monday + timedelta(days=rng.choice((5, 6, 6, 7)))
                        signed_at = self.capped(
                            self.local(when, time(19, 0)) + timedelta(minutes=rng.randrange(180))
                        )
                    self.add(
                        "week_notes",
                        student_id=st.id,
                        monday=monday,
                        behaviour_note=names.gendered(rng.choice(pool), st.female),
                        note_by=klass.teacher_id,
                        # Written after that day's lessons (by "now", if that is earlier).
                        note_at=self.capped(self.local(last_day[(klass.id, monday)], time(15, 30))),
                        signed_by=st.family.parent_ids[0] if signed else None,
                        signed_at=signed_at,
                    )

    def make_announcements(self, admin_id: int) -> None:
        rng = self.rng
        for n, (title, body) in enumerate(names.SCHOOL_ANNOUNCEMENTS):
            created = self.today - timedelta(days=3 + 9 * n + rng.randrange(4))
            event = self.today + timedelta(days=rng.randint(3, 20))
            self.add(
                "announcements",
                id=self.ids.next("announcements"),
                school_id=self.school_id,
                class_id=None,
                author_id=admin_id,
                title=title,
                body=body.format(date=event.strftime("%d.%m.%Y")),
                created_at=self.capped(
                    self.local(created, time(11, 0)) + timedelta(minutes=rng.randrange(240))
                ),
            )
        for klass in self.classes:
            for title, body in rng.sample(names.CLASS_ANNOUNCEMENTS, 2):
                created = self.today - timedelta(days=rng.randrange(1, 30))
                event = created + timedelta(days=rng.randint(3, 14))
                self.add(
                    "announcements",
                    id=self.ids.next("announcements"),
                    school_id=self.school_id,
                    class_id=klass.id,
                    author_id=klass.teacher_id,
                    title=title.format(**{"class": klass.name}),
                    body=body.format(date=event.strftime("%d.%m.%Y"), **{"class": klass.name}),
                    created_at=self.capped(
                        self.local(created, time(15, 0)) + timedelta(minutes=rng.randrange(300))
                    ),
                )

    def make_threads(self, teacher_id: int, parent_id: int, student_id: int) -> None:
        """The well-known teacher and parent talk about `student`; a few other families too."""
        rng = self.rng
        pairs: list[tuple[int, int, int]] = [(teacher_id, parent_id, student_id)]
        candidates = [(k, st) for k in self.classes if k.grade >= 2 for st in k.students]
        for klass, st in rng.sample(candidates, min(8, len(candidates))):
            teachers = sorted({c.teacher_id for c in self.courses if c.klass is klass})
            pair = (rng.choice(teachers), st.family.parent_ids[0], st.id)
            if pair not in pairs:
                pairs.append(pair)
        for n, (tid, pid, sid) in enumerate(pairs):
            subject, first, reply, follow = names.THREADS[n % len(names.THREADS)]
            started = self.local(self.today - timedelta(days=rng.randint(2, 20)), time(15, 30))
            started += timedelta(minutes=rng.randrange(120))
            thread_id = self.ids.next("threads")
            self.add(
                "threads",
                id=thread_id,
                teacher_id=tid,
                parent_id=pid,
                student_id=sid,
                subject=subject,
                created_at=self.capped(started),
            )
            at = started
            last = {tid: 0, pid: 0}
            texts = [(tid, first), (pid, reply), (tid, follow)][: rng.choice((2, 3, 3))]
            for author, body in texts:
                message_id = self.ids.next("messages")
                self.add(
                    "messages",
                    id=message_id,
                    thread_id=thread_id,
                    author_id=author,
                    body=body,
                    created_at=self.capped(at),
                )
                last[author] = message_id
                at += timedelta(minutes=rng.randint(20, 600))
            newest = max(last.values())
            for reader in (tid, pid):
                read = newest if last[reader] == newest or rng.random() < 0.5 else last[reader]
                if read:
                    self.add(
                        "message_reads", thread_id=thread_id, user_id=reader, last_read_id=read
                    )


# --- pure helpers ---------------------------------------------------------------


def _day_counts(hours: int, days: int) -> list[int]:
    """Lessons per weekday: even, Saturday shortest, never under four nor over seven."""
    counts = [0] * days
    if days == 6:
        counts[5] = max(4, hours // days - 1)
    rest = hours - sum(counts)
    weekdays = 5
    for i in range(weekdays):
        counts[i] = rest // weekdays
    for i in (1, 2, 3, 0, 4)[: rest % weekdays]:
        counts[i] += 1
    if max(counts) > 7:
        raise DemoError(f"{hours} weekly hours do not fit {days} days of at most 7 lessons")
    return counts


def _timetable(
    order: Sequence[_Class], by_class: dict[int, list[_Course]], rng: random.Random
) -> dict[int, dict[tuple[int, int], _Course]] | None:
    """Every class's week in `order`, or None when one of them cannot fit."""
    busy: dict[int, set[tuple[int, int]]] = defaultdict(set)
    grids: dict[int, dict[tuple[int, int], _Course]] = {}
    for klass in order:
        courses = by_class[klass.id]
        counts = _day_counts(sum(c.hours for c in courses), klass.days)
        grid = _place(courses, counts, busy, rng, relaxed=False)
        if grid is None:
            grid = _place(courses, counts, busy, rng, relaxed=True)
        if grid is None:
            return None
        for slot, course in grid.items():
            busy[course.teacher_id].add(slot)
        grids[klass.id] = grid
    return grids


def _place(
    courses: Sequence[_Course],
    counts: Sequence[int],
    busy: dict[int, set[tuple[int, int]]],
    rng: random.Random,
    *,
    relaxed: bool,
) -> dict[tuple[int, int], _Course] | None:
    """One class's week as a max flow; None when its teachers' free slots cannot hold it."""
    days = len(counts)
    slots = [(d, n) for d in range(days) for n in range(1, counts[d] + 1)]
    graph = _Flow()
    source, sink = graph.node(), graph.node()
    slot_node = {slot: graph.node() for slot in slots}
    for slot in slots:
        graph.edge(slot_node[slot], sink, 1)
    links: list[tuple[int, int, _Course, tuple[int, int]]] = []
    shuffled = list(courses)
    rng.shuffle(shuffled)
    for course in shuffled:
        node = graph.node()
        graph.edge(source, node, course.hours)
        per_day = math.ceil(course.hours / days) + (1 if relaxed else 0)
        day_order = list(range(days))
        rng.shuffle(day_order)
        for d in day_order:
            gate = graph.node()
            graph.edge(node, gate, per_day)
            numbers = list(range(1, counts[d] + 1))
            rng.shuffle(numbers)
            for n in numbers:
                if (d, n) not in busy[course.teacher_id]:
                    links.append((gate, graph.edge(gate, slot_node[(d, n)], 1), course, (d, n)))
    if graph.max_flow(source, sink) < len(slots):
        return None
    return {slot: course for gate, edge, course, slot in links if graph.used(gate, edge)}


class _Flow:
    """A tiny max-flow (augmenting paths): the graphs here have a few hundred edges."""

    def __init__(self) -> None:
        self.adj: list[list[list[int]]] = []  # per node: [to, capacity left, reverse index]

    def node(self) -> int:
        self.adj.append([])
        return len(self.adj) - 1

    def edge(self, u: int, v: int, cap: int) -> int:
        self.adj[u].append([v, cap, len(self.adj[v])])
        self.adj[v].append([u, 0, len(self.adj[u]) - 1])
        return len(self.adj[u]) - 1

    def used(self, u: int, index: int) -> bool:
        return self.adj[u][index][1] == 0

    def max_flow(self, source: int, sink: int) -> int:
        total = 0
        while True:
            seen = [False] * len(self.adj)
            pushed = self._push(source, sink, 1 << 30, seen)
            if not pushed:
                return total
            total += pushed

    def _push(self, u: int, sink: int, limit: int, seen: list[bool]) -> int:
        if u == sink:
            return limit
        seen[u] = True
        for e in self.adj[u]:
            v, cap, rev = e
            if cap > 0 and not seen[v]:
                pushed = self._push(v, sink, min(limit, cap), seen)
                if pushed:
                    e[1] -= pushed
                    self.adj[v][rev][1] += pushed
                    return pushed
        return 0


_SUFFIXES = ("", ". Закрепление", ". Практикум", ". Обобщение")


def _repeat(course: _Course) -> int:
    """How many lessons a topic lasts: about a week of the subject."""
    return max(1, min(course.hours, len(_SUFFIXES)))


def _topic_name(course: _Course, index: int) -> str:
    topics = names.topics_for(course.spec.name, course.klass.grade)
    return topics[(index // _repeat(course)) % len(topics)]


def _topic(course: _Course, index: int, form: str) -> str:
    """The lesson's topic: the subject's list cycled, a topic lasting about a week."""
    topic = _topic_name(course, index)
    repeat = _repeat(course)
    if form == "test":
        return f"Контрольная работа по теме «{topic}»"
    if form == "independent":
        return f"Самостоятельная работа: {topic}"
    return topic + _SUFFIXES[index % repeat]


def _homework_text(lesson: _Lesson, required: bool, rng: random.Random) -> str:
    """Homework that moves through the textbook as the lessons go."""
    index = lesson.index
    n = 10 + 3 * index + rng.randrange(3)
    page = 6 + 2 * index
    templates = names.HOMEWORK[lesson.course.spec.name] if required else names.OPTIONAL_HOMEWORK
    return rng.choice(templates).format(
        p=1 + index // 2,
        n=n,
        n2=n + 2,
        n3=n + 5,
        page=page,
        page2=page + 3,
        topic=_topic_name(lesson.course, index),
    )

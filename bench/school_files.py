"""A school's files, made up: staff.csv, students.csv, parents.xlsx and timetable.csv.

Made from a school.toml (its classes, subjects, rooms and bells) and the demo's
names and curriculum, as a school's office would have them: the staff list in
Windows-1251 with semicolons (Russian Excel's CSV), the students in UTF-8 with a
byte-order mark and commas, the parents as an Excel workbook, and a clash-free
timetable (each teacher has one room, and is placed only where free).

    python bench/school_files.py --examples        # the package's example files
    python bench/school_files.py --out DIR [--classes-per-grade 4 --students 25]

bench/school_import.py makes a 1,000-student school with it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import random
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from ediary_tui.server import demo_names as names

EXAMPLES = Path(__file__).resolve().parents[1] / "ediary_tui" / "server" / "school" / "examples"
WEEKDAYS = ("пн", "вт", "ср", "чт", "пт", "сб")
TEACHER_HOURS = 20  # a full-time teacher's week, about
LESSONS_A_DAY = {1: 4, 2: 5, 3: 5, 4: 5, 5: 6, 6: 6}  # grades above 6: every bell


@dataclass
class Klass:
    name: str
    grade: int
    days: int
    room: str | None = None
    teacher: Teacher | None = None  # the class teacher
    students: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Teacher:
    id: str
    surname: str
    first: str
    patronymic: str
    group: str
    female: bool
    room: str | None = None
    subjects: set[str] = field(default_factory=set)
    hours: int = 0
    busy: set[tuple[int, int]] = field(default_factory=set)

    @property
    def full_name(self) -> str:
        return f"{self.surname} {self.first} {self.patronymic}"


@dataclass
class School:
    classes: list[Klass]
    subjects: list[str]
    rooms: list[str]
    bells: int
    year: int


def read_school(path: Path) -> School:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    default_days = data.get("school", {}).get("days_per_week", 5)
    classes = []
    for entry in data["classes"]:
        item = {"name": entry} if isinstance(entry, str) else entry
        name = item["name"]
        classes.append(Klass(name, int(name[:-1]), item.get("days_per_week", default_days)))
    rooms = [r if isinstance(r, str) else r["name"] for r in data.get("rooms", [])]
    return School(
        classes, data["subjects"], rooms, len(data.get("bells", [])) or 7, data["year"]["starts"]
    )


def school_toml(base: Path, classes: list[tuple[str, int]], rooms: int) -> str:
    """The example school.toml with other classes and as many rooms as wanted."""
    import tomli_w

    data = tomllib.loads(base.read_text(encoding="utf-8"))
    data["classes"] = [{"name": name, "days_per_week": days} for name, days in classes]
    data["rooms"] = [{"name": str(100 + n), "capacity": 30} for n in range(1, rooms + 1)] + [
        {"name": "Спортзал", "capacity": 60}
    ]
    return tomli_w.dumps(data)


class Maker:
    def __init__(
        self,
        school: School,
        students_per_class: int,
        *,
        teacher_hours: int = TEACHER_HOURS,
        seed: int = 2107,
    ) -> None:
        self.school = school
        self.teacher_hours = teacher_hours
        self.per_class = students_per_class
        self.rng = random.Random(seed)
        self.curriculum = [spec for spec in names.SUBJECTS if spec.name in school.subjects]
        self.teachers: list[Teacher] = []
        self.admins: list[Teacher] = []
        self.timetable: list[tuple[Klass, int, int, str, Teacher, str | None]] = []
        self.parents: list[dict[str, Any]] = []

    # --- people ---------------------------------------------------------------

    def _person(self, female: bool) -> tuple[str, str, str]:
        surname = names.surname_for(self.rng.choice(names.SURNAMES), female)
        first = self.rng.choice(names.WOMEN if female else names.MEN)
        father = self.rng.choice(names.MALE_NAMES)
        return surname, first, father[2] if female else father[1]

    def _teacher(self, group: str) -> Teacher:
        female = self.rng.random() < 0.8
        surname, first, patronymic = self._person(female)
        teacher = Teacher(
            f"T-{len(self.teachers) + len(self.admins) + 1:03d}",
            surname,
            first,
            patronymic,
            group,
            female,
        )
        self.teachers.append(teacher)
        return teacher

    def _load(self, klass: Klass) -> list[tuple[str, str]]:
        """(subject, group) of each lesson of a class's week, within its days and bells."""
        cap = klass.days * min(LESSONS_A_DAY.get(klass.grade, self.school.bells), self.school.bells)
        lessons = [
            (
                spec.name,
                "primary"
                if klass.grade <= 4 and spec.name in names.PRIMARY_SUBJECTS
                else spec.group,
            )
            for spec in self.curriculum
            for _ in range(spec.hours.get(klass.grade, 0))
        ]
        return lessons[:cap]

    def staff(self) -> None:
        special = {r for r in self.school.rooms if not r[0].isdigit()}
        numbered = [r for r in self.school.rooms if r not in special]
        rooms = iter(numbered)
        need: dict[str, int] = defaultdict(int)
        for klass in self.school.classes:
            if klass.grade <= 4:
                klass.teacher = self._teacher("primary")
                klass.teacher.room = klass.room = next(rooms, None)
            for _, group in self._load(klass):
                if group != "primary":
                    need[group] += 1
        by_group: dict[str, list[Teacher]] = {}
        for group in sorted(need):
            count = max(1, math.ceil(need[group] / self.teacher_hours))
            by_group[group] = [self._teacher(group) for _ in range(count)]
        gym = "Спортзал" if "Спортзал" in special else None
        for group, teachers in by_group.items():
            for i, teacher in enumerate(teachers):
                if group == "sport" and i == 0 and gym:
                    teacher.room = gym
                else:
                    teacher.room = next(rooms, None)
        self.by_group = by_group
        seniors = [k for k in self.school.classes if k.grade > 4]
        pool = [t for g, ts in by_group.items() if g != "sport" for t in ts]
        self.rng.shuffle(pool)
        for klass, teacher in zip(seniors, pool, strict=False):
            klass.teacher = teacher
        surname, first, patronymic = self._person(True)
        self.admins.append(
            Teacher(f"T-{len(self.teachers) + 1:03d}", surname, first, patronymic, "admin", True)
        )

    def students(self) -> None:
        n = 0
        families: list[dict[str, Any]] = []
        for klass in self.school.classes:
            for _ in range(self.per_class):
                n += 1
                female = self.rng.random() < 0.5
                if families and self.rng.random() < 0.15:  # a brother or sister at the school
                    family = self.rng.choice(families)
                else:
                    family = {
                        "surname": self.rng.choice(names.SURNAMES),
                        "father": self.rng.choice(names.MALE_NAMES),
                        "mother": self.rng.choice(names.WOMEN),
                        "children": [],
                    }
                    families.append(family)
                born = dt.date(self.school.year - 6 - klass.grade, 1, 1) + dt.timedelta(
                    days=self.rng.randrange(365)
                )
                student = {
                    "id": f"S-{n:04d}",
                    "surname": names.surname_for(family["surname"], female),
                    "first": self.rng.choice(names.GIRLS if female else names.BOYS),
                    "patronymic": family["father"][2 if female else 1],
                    "born": born,
                    "class": klass.name,
                }
                klass.students.append(student)
                family["children"].append(student)
        self.families = families

    def family_rows(self) -> None:
        """One or two parents a family; a parent of two children in one row or in two."""
        for number, family in enumerate(self.families, start=1):
            surname = family["surname"]
            who = [("mother", True, family["mother"], None)]
            if self.rng.random() < 0.6:
                who.append(("father", False, family["father"][0], None))
            for relation, female, first, _ in who:
                father_of_parent = self.rng.choice(names.MALE_NAMES)
                patronymic = father_of_parent[2 if female else 1]
                login = names.translit(f"{first}.{names.surname_for(surname, female)}")
                email = f"{login}{number}@example.ru" if self.rng.random() < 0.85 else ""
                phone = f"+7 9{self.rng.randrange(10, 100)} {self.rng.randrange(100, 1000)}-{self.rng.randrange(10, 100)}-{self.rng.randrange(10, 100)}"
                base = {
                    "surname": names.surname_for(surname, female),
                    "first": first,
                    "patronymic": patronymic,
                    "email": email,
                    "phone": phone,
                    "relation": {"mother": "мать", "father": "отец"}[relation],
                }
                children = family["children"]
                if len(children) > 1 and self.rng.random() < 0.5:
                    for child in children:  # one row per child
                        self.parents.append({**base, "children": _ref(child, self.rng)})
                else:
                    refs = "; ".join(_ref(c, self.rng) for c in children)
                    self.parents.append({**base, "children": refs})
        if self.families:  # a legal representative for one child
            child = self.families[-1]["children"][0]
            surname, first, patronymic = self._person(True)
            self.parents.append(
                {
                    "surname": surname,
                    "first": first,
                    "patronymic": patronymic,
                    "email": "",
                    "phone": "+7 916 000-00-01",
                    "relation": "законный представитель",
                    "children": child["id"],
                }
            )

    # --- the timetable ------------------------------------------------------------

    def week(self) -> None:
        """Each class's lessons, spread over its days, where the teacher is free."""
        assigned: dict[tuple[str, str], Teacher] = {}
        for klass in self.school.classes:
            for _, group in self._load(klass):
                key = (klass.name, group)
                if key not in assigned:
                    if group == "primary":
                        assert klass.teacher is not None
                        assigned[key] = klass.teacher
                    else:
                        pool = self.by_group[group]
                        assigned[key] = min(pool, key=lambda t: (t.hours, t.id))
                    assigned[key].hours += sum(1 for _, g in self._load(klass) if g == group)
        for klass in sorted(self.school.classes, key=lambda k: -k.grade):
            lessons = [(s, assigned[(klass.name, g)]) for s, g in self._load(klass)]
            self.rng.shuffle(lessons)
            per_day = [
                len(lessons) // klass.days + (d < len(lessons) % klass.days)
                for d in range(klass.days)
            ]
            limit = min(LESSONS_A_DAY.get(klass.grade, self.school.bells), self.school.bells)
            taken: set[tuple[int, int]] = set()
            left = lessons
            for day in range(klass.days):
                for number in range(1, limit + 1):
                    if sum(1 for d, _ in taken if d == day) >= per_day[day]:
                        break
                    self._place(klass, day, number, left, taken)
            for day in range(klass.days):  # what found no teacher free: any slot still open
                for number in range(1, limit + 1):
                    if (day, number) not in taken and left:
                        self._place(klass, day, number, left, taken)
            # what found no free teacher is left out: a school would move it by hand

    def _place(
        self,
        klass: Klass,
        day: int,
        number: int,
        left: list[tuple[str, Teacher]],
        taken: set[tuple[int, int]],
    ) -> None:
        """The first lesson left whose teacher is free then (and not a third of its subject
        that day) goes into the slot."""
        today = [s for k, d, _, s, _, _ in self.timetable if k is klass and d == day]
        for i, (subject, teacher) in enumerate(left):
            if (day, number) not in teacher.busy and today.count(subject) < 2:
                left.pop(i)
                teacher.busy.add((day, number))
                teacher.subjects.add(subject)
                taken.add((day, number))
                room = teacher.room if teacher.group != "primary" else klass.room
                self.timetable.append((klass, day, number, subject, teacher, room))
                return

    # --- the files ------------------------------------------------------------------

    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        leads = {k.teacher.id: k.name for k in self.school.classes if k.teacher is not None}
        rows = [
            [
                "Табельный номер",
                "Фамилия",
                "Имя",
                "Отчество",
                "E-mail",
                "Телефон",
                "Роли",
                "Классное руководство",
                "Предметы",
            ]
        ]
        for t in self.teachers + self.admins:
            email = f"{names.translit(t.surname)}.{names.translit(t.first)[:1]}@school2107.ru"
            rows.append(
                [
                    t.id,
                    t.surname,
                    t.first,
                    t.patronymic,
                    email,
                    "",
                    "администратор" if t.group == "admin" else "учитель",
                    leads.get(t.id, ""),
                    ", ".join(sorted(t.subjects)),
                ]
            )
        (out / "staff.csv").write_bytes(_csv(rows, ";").encode("cp1251"))
        rows = [["ID", "Фамилия", "Имя", "Отчество", "Дата рождения", "Класс"]]
        for klass in self.school.classes:
            for st in klass.students:
                rows.append(
                    [
                        st["id"],
                        st["surname"],
                        st["first"],
                        st["patronymic"],
                        f"{st['born']:%d.%m.%Y}",
                        st["class"],
                    ]
                )
        (out / "students.csv").write_bytes(_csv(rows, ",").encode("utf-8-sig"))
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Родители"
        sheet.append(
            ["Фамилия", "Имя", "Отчество", "E-mail", "Телефон", "Кем приходится", "Ребёнок"]
        )
        for p in self.parents:
            sheet.append(
                [
                    p["surname"],
                    p["first"],
                    p["patronymic"],
                    p["email"],
                    p["phone"],
                    p["relation"],
                    p["children"],
                ]
            )
        for letter, width in zip("ABCDEFG", (16, 12, 16, 34, 18, 24, 40), strict=True):
            sheet.column_dimensions[letter].width = width
        book.properties.creator = "ediary-tui"
        book.properties.created = book.properties.modified = dt.datetime(2026, 8, 25)
        book.save(out / "parents.xlsx")
        rows = [["Класс", "День", "Урок", "Предмет", "Учитель", "Кабинет"]]
        for klass, day, number, subject, teacher, room in sorted(
            self.timetable, key=lambda r: (self.school.classes.index(r[0]), r[1], r[2])
        ):
            rows.append([klass.name, WEEKDAYS[day], str(number), subject, teacher.id, room or ""])
        (out / "timetable.csv").write_text(_csv(rows, ","), encoding="utf-8")

    def make(self, out: Path) -> None:
        self.staff()
        self.students()
        self.family_rows()
        self.week()
        self.write(out)
        wanted = sum(len(self._load(k)) for k in self.school.classes)
        self.placed = f"{len(self.timetable)} of the {wanted} lessons a week placed"


def _ref(child: dict[str, Any], rng: random.Random) -> str:
    """A child by id, or now and then by name and birth date (both work)."""
    if rng.random() < 0.1:
        return f"{child['surname']} {child['first']} {child['born']:%d.%m.%Y}"
    return child["id"]


def _csv(rows: list[list[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def big_school(
    out: Path, *, per_grade: tuple[int, ...], students: int, teacher_hours: int = TEACHER_HOURS
) -> Path:
    """school.toml and the four files of a bigger school in `out`; the toml's path."""
    letters = "АБВГДЕ"
    classes = [
        (f"{grade}{letters[i]}", 5 if grade <= 6 else 6)
        for grade, count in enumerate(per_grade, start=1)
        for i in range(count)
    ]
    out.mkdir(parents=True, exist_ok=True)
    toml = out / "school.toml"
    toml.write_text(school_toml(EXAMPLES / "school.toml", classes, rooms=120), encoding="utf-8")
    maker = Maker(read_school(toml), students, teacher_hours=teacher_hours)
    maker.make(out)
    return toml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", action="store_true", help="write the package's examples")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--students", type=int, default=25, help="a class's students")
    parser.add_argument("--classes-per-grade", type=int, default=4)
    args = parser.parse_args()
    if args.examples:
        Maker(read_school(EXAMPLES / "school.toml"), 8).make(EXAMPLES)
        print(f"wrote the example files into {EXAMPLES}")
    elif args.out:
        big_school(args.out, per_grade=(args.classes_per_grade,) * 11, students=args.students)
        print(f"wrote a school's files into {args.out}")
    else:
        parser.error("say --examples or --out DIR")


if __name__ == "__main__":
    main()

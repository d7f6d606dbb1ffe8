"""The column headings an import recognises, in Russian and English: the one table of them.

A heading matches whatever its case, spaces, underscores, hyphens and dots, and
ё is е: "Дата рождения", "дата  рождения", "birth_date" and "Birth date" all
name the field `birth_date`. A column whose heading is not here is ignored (and
the report says so), so a school's own extra columns do no harm.
"""

from __future__ import annotations

import re

# field -> the headings that name it
HEADINGS: dict[str, tuple[str, ...]] = {
    "surname": ("Фамилия", "surname", "last name"),
    "first_name": ("Имя", "name", "first name"),
    "patronymic": ("Отчество", "patronymic", "middle name"),
    "birth_date": ("Дата рождения", "birth date", "date of birth"),
    "class": ("Класс", "class"),
    "id": ("ID", "Табельный номер", "Код", "Личный номер", "external id"),
    "email": ("E-mail", "Эл. почта", "Электронная почта", "Почта", "email"),
    "phone": ("Телефон", "phone", "telephone"),
    "roles": ("Роли", "Роль", "roles", "role"),
    "class_teacher_of": ("Классное руководство", "class teacher of"),
    "subjects": ("Предметы", "subjects"),
    "children": ("Ребёнок", "Дети", "child", "children"),
    "relation": ("Кем приходится", "relation"),
    "day": ("День", "День недели", "day", "weekday"),
    "number": ("Урок", "Номер урока", "lesson", "number"),
    "subject": ("Предмет", "subject"),
    "teacher": ("Учитель", "teacher"),
    "room": ("Кабинет", "room"),
}

# What each kind of file must have, and what it may have besides.
REQUIRED: dict[str, tuple[str, ...]] = {
    "staff": ("surname", "first_name"),
    "students": ("surname", "first_name", "birth_date", "class"),
    "parents": ("surname", "first_name", "children"),
    "timetable": ("class", "day", "number", "subject", "teacher"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "staff": ("patronymic", "id", "email", "phone", "roles", "class_teacher_of", "subjects"),
    "students": ("patronymic", "id", "email", "phone"),
    "parents": ("patronymic", "id", "email", "phone", "relation"),
    "timetable": ("room",),
}

_IGNORED = re.compile(r"[\s_\-.]+")


def heading_key(text: str) -> str:
    """A heading as compared: lower case, ё as е, no spaces, underscores, hyphens or dots."""
    return _IGNORED.sub("", text.strip().lower().replace("ё", "е"))


_BY_KEY: dict[str, str] = {
    heading_key(heading): name for name, headings in HEADINGS.items() for heading in headings
}


def field_of(heading: str) -> str | None:
    """The field a column heading names, None for a column the import does not read."""
    return _BY_KEY.get(heading_key(heading))


def heading_for(name: str) -> str:
    """How a report names a field's column when the file has none: its Russian heading."""
    return HEADINGS[name][0]

"""The class's families as the credentials window lists them, and whose passwords an issue
would make (this family, those not yet in, everyone)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content

from ediary_tui.domain.models import (
    ClassFamilies,
    CredentialsIn,
    Family,
    FamilyMember,
    IssuedCredential,
    IssuedCredentials,
    Role,
)
from ediary_tui.i18n import _, for_person

FAMILY, NOT_YET, EVERYONE = "family", "not_yet", "everyone"


@dataclass(frozen=True)
class Scope:
    """Whose passwords one issue would make: how many people, and how many had their own."""

    name: str
    request: CredentialsIn
    people: int
    active: int  # of them, those who chose their own password: it stops working


def members(family: Family) -> list[FamilyMember]:
    return [family.student, *family.parents]


def people_of(found: ClassFamilies) -> list[FamilyMember]:
    """Everyone of the class's families once: a parent of two of its students is one person.

    Not a parent on the school's staff: they keep their own password (the server never
    issues them one, so no count may promise it)."""
    return list({m.id: m for f in found.families for m in members(f) if not m.on_staff}.values())


def scopes(found: ClassFamilies, student_id: str | None) -> dict[str, Scope]:
    """What the teacher may choose: this family (when known), those not yet in, everyone."""
    everyone = people_of(found)
    active = sum(m.activated for m in everyone)
    chosen: dict[str, Scope] = {}
    family = next((f for f in found.families if f.student.id == student_id), None)
    if family is not None:
        people = [m for m in members(family) if not m.on_staff]
        chosen[FAMILY] = Scope(
            FAMILY,
            CredentialsIn(student_ids=[family.student.id], only_new=False),
            len(people),
            sum(m.activated for m in people),
        )
    chosen[NOT_YET] = Scope(
        NOT_YET, CredentialsIn(student_ids=None, only_new=True), len(everyone) - active, 0
    )
    chosen[EVERYONE] = Scope(
        EVERYONE, CredentialsIn(student_ids=None, only_new=False), len(everyone), active
    )
    return chosen


Cell = tuple[str, str]  # a table's cell: its text and its style


def account(member: FamilyMember) -> Cell:
    """Whether they chose their own password yet; a colleague always keeps theirs."""
    if member.on_staff:
        return _("class.on_staff"), "$text-muted"
    if member.activated:
        return _("class.activated"), "$text-success"
    return _("class.not_activated"), "$text-warning"


def lined_up(rows: list[list[Cell]]) -> list[Content]:
    """Rows of cells as lines with the columns lined up; the last column runs on.

    The last column is the one a narrow terminal may cut: the full names, never
    the logins or the passwords.
    """
    if not rows:
        return []
    widths = [max(Content(row[i][0]).cell_length for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        parts: list[Content] = []
        for index, (text, style) in enumerate(row):
            parts.append(Content.styled(text, style))
            if index < len(row) - 1:
                parts.append(Content(" " * (widths[index] - Content(text).cell_length + 2)))
        lines.append(Content.assemble(*parts))
    return lines


def role_word(credential: IssuedCredential) -> str:
    if credential.role == Role.STUDENT:
        return for_person("class.role_student", credential.full_name)
    return _("class.role_parent")


def family_table(found: ClassFamilies) -> tuple[list[list[Cell]], list[str]]:
    """Each student, then their parents: who, login, whether in, the full name (a heading
    first), and each line's id (the student's, or student/parent)."""
    bold, muted = "bold", "$text-muted"
    head: list[Cell] = [
        (_("class.column_who"), bold),
        (_("class.column_login"), bold),
        (_("class.column_account"), bold),
        (_("class.column_name"), bold),
    ]
    rows: list[list[Cell]] = [head]
    ids: list[str] = []
    for family in found.families:
        for member in members(family):
            student = member is family.student
            rows.append(
                [
                    (
                        for_person("class.role_student", member.full_name)
                        if student
                        else _("class.role_parent"),
                        muted,
                    ),
                    (member.login or "—", ""),
                    account(member),
                    (
                        member.full_name if student else f"  {member.full_name}",
                        bold if student else "",
                    ),
                ]
            )
            ids.append(family.student.id if student else f"{family.student.id}/{member.id}")
    return rows, ids


def issued_table(issued: IssuedCredentials) -> list[list[Cell]]:
    """The passwords just issued: who, login, the password, the full name (a heading first)."""
    bold = "bold"
    rows: list[list[Cell]] = [
        [
            (_("class.column_who"), bold),
            (_("class.column_login"), bold),
            (_("class.column_password"), bold),
            (_("class.column_name"), bold),
        ]
    ]
    rows += [
        [
            (role_word(c), "$text-muted"),
            (c.login, ""),
            (c.password, "bold $text-accent"),
            (c.full_name, ""),
        ]
        for c in issued.credentials
    ]
    return rows

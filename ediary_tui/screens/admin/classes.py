"""This year's classes, and one class: its students with their parents, its class teacher,
its weekly timetable (`t` switches between the members and the week)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.reactive import var
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import AdminClassList, ClassMembers, ClassTimetable, PersonRef
from ediary_tui.domain.periods import school_year_name
from ediary_tui.i18n import _, weekday_name
from ediary_tui.screens.admin.base import AdminScreen
from ediary_tui.screens.admin.person import PersonScreen
from ediary_tui.screens.admin.windows import SlotWindow, TeacherWindow
from ediary_tui.screens.classes.families import Cell, account, lined_up
from ediary_tui.widgets.keys import key

SLOT_WIDTH = 16  # a day's column of the timetable at most; narrower when the terminal is
NUMBER_WIDTH = 3  # the lesson numbers' column


def class_rows(found: AdminClassList) -> list[list[Cell]]:
    return [
        [
            (k.name, "bold"),
            (_("admin.students_count", count=k.students), ""),
            (k.class_teacher.full_name if k.class_teacher else _("admin.no_class_teacher"), ""),
        ]
        for k in found.classes
    ]


def member_rows(found: ClassMembers) -> tuple[list[list[Cell]], list[str]]:
    """Each student, then their parents, indented: the name, the login, whether in."""
    rows: list[list[Cell]] = []
    ids: list[str] = []
    for family in found.families:
        for member in [family.student, *family.parents]:
            student = member is family.student
            rows.append(
                [
                    (
                        member.full_name if student else f"  {member.full_name}",
                        "bold" if student else "",
                    ),
                    (member.login or "", "$text-muted"),
                    account(member),
                ]
            )
            ids.append(member.id)
    return rows, ids


def week_text(week: ClassTimetable, width: int) -> Content:
    """The week as a grid in `width` columns: a column per school day, a row per lesson."""
    monday = dt.date(2024, 1, 1)  # any Monday: only the weekdays' names are read
    days = range(week.days_per_week)
    column = max(4, min(SLOT_WIDTH, (width - NUMBER_WIDTH) // max(1, week.days_per_week)))
    numbers = sorted({s.number for s in week.slots})
    by_slot = {(s.weekday, s.number): s for s in week.slots}
    head = "   " + "".join(
        weekday_name(monday + dt.timedelta(days=d), short=True)[:column].ljust(column) for d in days
    )
    lines = [Content.styled(head, "bold")]
    for number in numbers:
        cells = []
        for d in days:
            slot = by_slot.get((d, number))
            text = slot.subject.name if slot else "—"
            cells.append(text[: column - 1].ljust(column))
        lines.append(Content.assemble((f"{number:>2} ", "$text-muted"), "".join(cells)))
    if not numbers:
        lines.append(Content(_("admin.no_timetable")))
    return Content("\n").join(lines)


class ClassesScreen(AdminScreen):
    """The classes of the year being taught; Enter opens one."""

    AUTO_FOCUS = "#classes"

    def compose(self) -> ComposeResult:
        yield from self.top_bar(_("admin.classes_title"))
        yield OptionList(id="classes", classes="table")
        yield self.status_line()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.say(_("admin.loading"))
        self._load()

    @work(exclusive=True, group="classes")
    async def _load(self) -> None:
        found = await self.call(lambda api: api.admin_classes())
        if found is None:
            return
        self.where(_("admin.year", year=school_year_name(found.year)))
        listing = self.query_one("#classes", OptionList)
        listing.set_options(
            Option(line, id=k.id)
            for line, k in zip(lined_up(class_rows(found)), found.classes, strict=True)
        )
        if found.classes:
            listing.highlighted = 0
        self.say(_("admin.classes_hint"))

    @on(OptionList.OptionSelected, "#classes")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.push_screen(ClassScreen(self.session, event.option.id, today=self.today))


class ClassScreen(AdminScreen):
    """A class: its members or its week, and its class teacher."""

    AUTO_FOCUS = "#members"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("t", "toggle_week", "admin.key_week"),
        key("c", "class_teacher", "admin.key_class_teacher"),
        key("e", "edit_slot", "admin.key_edit_slot"),
        key("escape", "back", "admin.key_back"),
    ]

    members: var[ClassMembers | None] = var(None, init=False, always_update=True)
    week: var[ClassTimetable | None] = var(None, init=False, always_update=True)
    """What the server last said of the class and its week; their watchers paint."""

    def __init__(self, session: DiarySession, class_id: str, *, today: dt.date) -> None:
        super().__init__(session, today=today)
        self.class_id = class_id

    def compose(self) -> ComposeResult:
        yield from self.top_bar(_("admin.class_title"))
        yield Static(id="lead", classes="head", markup=False)
        yield OptionList(id="members", classes="table")
        yield Static(id="timetable", markup=False)
        yield self.status_line()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#timetable").display = False
        self.say(_("admin.loading"))
        self._load()

    @work(exclusive=True, group="members")
    async def _load(self) -> None:
        found = await self.call(lambda api: api.class_members(self.class_id))
        if found is None:
            return
        self.members = found
        self.say(_("admin.class_hint", count=len(found.families)))

    def watch_members(self, found: ClassMembers | None) -> None:
        if found is None:
            return
        klass = found.klass
        self.where(klass.name)
        lead = klass.class_teacher.full_name if klass.class_teacher else _("admin.no_class_teacher")
        self.query_one("#lead", Static).update(Content(_("admin.class_teacher", name=lead)))
        rows, ids = member_rows(found)
        listing = self.query_one("#members", OptionList)
        listing.set_options(Option(line, id=i) for line, i in zip(lined_up(rows), ids, strict=True))
        if ids:
            listing.highlighted = 0
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "class_teacher":
            return self.members is not None
        if action == "edit_slot":
            return self.week is not None and self.query_one("#timetable").display
        return True

    @on(OptionList.OptionSelected, "#members")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.push_screen(PersonScreen(self.session, event.option.id, today=self.today))

    # -- the week ----------------------------------------------------------------------

    def action_toggle_week(self) -> None:
        grid = self.query_one("#timetable", Static)
        members = self.query_one("#members", OptionList)
        showing = not grid.display
        grid.display = showing
        members.display = not showing
        if showing and self.week is None:
            self.say(_("admin.loading"))
            self._load_week()
        elif not showing:
            members.focus()
        self.refresh_bindings()

    @work(exclusive=True, group="week")
    async def _load_week(self) -> None:
        week = await self.call(lambda api: api.class_timetable(self.class_id))
        if week is None:
            return
        self.week = week

    def watch_week(self, week: ClassTimetable | None) -> None:
        if week is None:
            return
        self._paint_week()
        self.say(_("admin.week_hint", count=len(week.slots)))
        self.refresh_bindings()

    def _paint_week(self) -> None:
        grid = self.query_one("#timetable", Static)
        if self.week is not None:
            grid.update(week_text(self.week, self.size.width - 2))

    def on_resize(self) -> None:
        self._paint_week()

    def action_edit_slot(self) -> None:
        self._edit_slot()

    @work(exclusive=True, group="slot")
    async def _edit_slot(self) -> None:
        week = self.week
        subjects = await self.call(lambda api: api.admin_subjects())
        teachers = await self.call(lambda api: api.admin_teachers())
        if week is None or subjects is None or teachers is None:
            return

        def saved(changed: ClassTimetable | None) -> None:
            if changed is not None:
                self.week = changed

        window = SlotWindow(self.session, week, subjects.subjects, teachers.teachers)
        self.app.push_screen(window, saved)

    # -- the class teacher -------------------------------------------------------------

    def action_class_teacher(self) -> None:
        self._pick_teacher()

    @work(exclusive=True, group="teacher")
    async def _pick_teacher(self) -> None:
        found = await self.call(lambda api: api.admin_teachers())
        members = self.members
        if found is None or members is None:
            return
        title = _("admin.pick_class_teacher", class_name=members.klass.name)

        def chosen(teacher: PersonRef | None) -> None:
            if teacher is not None:
                self._set_teacher(teacher.id or None)

        self.app.push_screen(
            TeacherWindow(self.session, title, found.teachers, nobody=True), chosen
        )

    @work(exclusive=True, group="write")
    async def _set_teacher(self, teacher_id: str | None) -> None:
        done = await self.call(lambda api: api.set_class_teacher(self.class_id, teacher_id))
        if done is None:
            return
        members = self.members
        if members is not None:
            self.members = members.model_copy(update={"klass": done})
        lead = done.class_teacher.full_name if done.class_teacher else _("admin.no_class_teacher")
        self.say(_("admin.class_teacher_set", class_name=done.name, name=lead))

"""The day's timetable changes: the lessons of a day that are not as the timetable has
them (a replacement teacher, cancelled, moved or added), `[`/`]` another day; the admin
makes a change (`n`) or puts the highlighted lesson back as planned (`r`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import var
from textual.widgets import Footer, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from ediary_tui.client.errors import ClientError
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import (
    AdminClass,
    DayChange,
    DayChanges,
    LessonChanged,
    LessonChangeIn,
    LessonChangeKind,
    PersonRef,
)
from ediary_tui.i18n import _, long_date, parse_date, short_date
from ediary_tui.screens.admin.base import AdminScreen, refusal
from ediary_tui.screens.admin.windows import AdminForm
from ediary_tui.screens.classes.families import Cell, lined_up
from ediary_tui.widgets.keys import key, step_keys

_DAY = Binding.Group("admin.key_day")
# What each kind of change asks for besides the class and the lesson.
NEEDS_TEACHER = {LessonChangeKind.REPLACE, LessonChangeKind.ADD}
NEEDS_TARGET = {LessonChangeKind.MOVE}


def change_rows(found: DayChanges) -> list[list[Cell]]:
    """Each change: the class, the lesson, what happened, the subject, who and why."""
    rows: list[list[Cell]] = []
    for c in found.changes:
        who = c.teacher or ""
        if c.kind == "replaced" and c.usual_teacher:
            who = _("admin.instead_of", teacher=who, usual=c.usual_teacher)
        if c.kind == "moved" and c.moved_from_date is not None:
            where = short_date(c.moved_from_date)
            who = _("admin.moved_from", date=where, number=c.moved_from_number)
        style = "$text-error" if c.kind == "cancelled" else "$text-warning"
        rows.append(
            [
                (c.class_name, "bold"),
                (str(c.number), ""),
                (_(f"admin.kind.{c.kind}"), style),
                (c.subject, ""),
                (" ".join(x for x in (who, c.note) if x), "$text-muted"),
            ]
        )
    return rows


class ChangeWindow(AdminForm):
    """One change to one lesson of the day: which class, which lesson, what, and who."""

    def __init__(
        self,
        session: DiarySession,
        day: dt.date,
        classes: list[AdminClass],
        teachers: list[PersonRef],
    ) -> None:
        super().__init__(session)
        self.day = day
        self.class_list = classes
        self.teachers = teachers

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = _("admin.change_title", day=long_date(self.day))
            box.border_subtitle = _("admin.form_keys")
            yield Static(Content(_("admin.field_class")), classes="label")
            yield Select(
                [(c.name, c.id) for c in self.class_list],
                prompt=_("admin.class_prompt"),
                id="class",
                compact=True,
            )
            yield Static(Content(_("admin.field_number")), classes="label")
            yield Input(placeholder="1-12", id="number", compact=True, type="integer")
            yield Static(Content(_("admin.field_kind")), classes="label")
            yield Select(
                [(_(f"admin.do.{k.value}"), k.value) for k in LessonChangeKind],
                value=LessonChangeKind.REPLACE.value,
                allow_blank=False,
                id="kind",
                compact=True,
            )
            yield Static(Content(_("admin.field_teacher")), classes="label", id="teacher-label")
            yield Select(
                [(t.full_name, t.id) for t in self.teachers],
                prompt=_("admin.teacher_prompt"),
                id="teacher",
                compact=True,
            )
            yield Static(Content(_("admin.field_to")), classes="label", id="to-label")
            yield Input(placeholder=_("admin.to_placeholder"), id="to", compact=True)
            yield Static(Content(_("admin.field_note")), classes="label")
            yield Input(id="note", compact=True)
            yield self.status_line()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_fields(LessonChangeKind.REPLACE)

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self._show_fields(LessonChangeKind(str(event.value)))

    def _show_fields(self, kind: LessonChangeKind) -> None:
        for name in ("#teacher", "#teacher-label"):
            self.query_one(name).display = kind in NEEDS_TEACHER
        for name in ("#to", "#to-label"):
            self.query_one(name).display = kind in NEEDS_TARGET

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_send()

    def _target(self, text: str) -> tuple[dt.date, int] | None:
        """`25.11 3` or `2026-11-25 3`: the day and the lesson number it moves to."""
        parts = text.split()
        if len(parts) != 2 or not parts[1].isdigit():
            return None
        day = parse_date(parts[0], self.day)
        return None if day is None else (day, int(parts[1]))

    def action_send(self) -> None:
        if self.sending:
            return
        class_id = self.query_one("#class", Select).value
        if not isinstance(class_id, str):
            self.say(_("admin.need_class"), error=True)
            return
        number = self.query_one("#number", Input).value.strip()
        if not number.isdigit() or not 1 <= int(number) <= 12:
            self.say(_("admin.need_number"), error=True)
            self.query_one("#number", Input).focus()
            return
        kind = LessonChangeKind(str(self.query_one("#kind", Select).value))
        teacher = self.query_one("#teacher", Select).value
        if kind in NEEDS_TEACHER and not isinstance(teacher, str):
            self.say(_("admin.need_teacher"), error=True)
            return
        target = None
        if kind in NEEDS_TARGET:
            target = self._target(self.query_one("#to", Input).value)
            if target is None:
                self.say(_("admin.need_target"), error=True)
                self.query_one("#to", Input).focus()
                return
        body = LessonChangeIn(
            class_id=class_id,
            date=self.day,
            number=int(number),
            kind=kind,
            teacher_id=teacher if kind in NEEDS_TEACHER and isinstance(teacher, str) else None,
            to_date=target[0] if target else None,
            to_number=target[1] if target else None,
            note=self.query_one("#note", Input).value.strip(),
        )
        self.sending = True
        self.say(_("admin.changing"))
        self._change(body)

    @work(exclusive=True, group="change")
    async def _change(self, body: LessonChangeIn) -> None:
        try:
            done = await self.session.send(
                lambda api: api.change_lesson(body, idempotency_key=self.key)
            )
        except ClientError as exc:
            self.sending = False
            self.say(_("admin.not_changed", reason=refusal(exc)), error=True)
            return
        self.dismiss(done)


class DayChangesScreen(AdminScreen):
    """The changed lessons of one day, today first."""

    AUTO_FOCUS = "#changes"
    BINDINGS: ClassVar[list[BindingType]] = [
        *step_keys("day", "admin.key_previous_day", "admin.key_next_day", group=_DAY),
        key("t", "today", "admin.key_today", show=False),
        key("n", "new_change", "admin.key_new_change"),
        key("r", "restore", "admin.key_restore"),
        Binding("escape", "back", "admin.key_back"),
    ]

    day: var[dt.date] = var(dt.date.min, init=False, always_update=True)
    """The day shown: `[`, `]` and `t` set it, its watcher asks for its changes."""
    found: var[DayChanges | None] = var(None, init=False, always_update=True)
    """The day's changes as the server last said them; the watcher paints the list."""

    def __init__(self, session: DiarySession, *, today: dt.date) -> None:
        super().__init__(session, today=today)
        self.class_list: list[AdminClass] = []

    def compose(self) -> ComposeResult:
        yield from self.top_bar(_("admin.changes_title"))
        yield OptionList(id="changes", classes="table")
        yield self.status_line()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.day = self.today

    def watch_day(self, day: dt.date) -> None:
        self.where(long_date(day))
        self.say(_("admin.loading"))
        self._load(day)

    @work(exclusive=True, group="changes")
    async def _load(self, day: dt.date) -> None:
        found = await self.call(lambda api: api.day_changes(day))
        if found is not None:
            self.found = found

    def watch_found(self, found: DayChanges | None) -> None:
        if found is None:
            return
        listing = self.query_one("#changes", OptionList)
        listing.set_options(
            Option(line, id=c.lesson_id)
            for line, c in zip(lined_up(change_rows(found)), found.changes, strict=True)
        )
        if found.changes:
            listing.highlighted = 0
            self.say(_("admin.changes_count", count=len(found.changes)))
        else:
            self.say(_("admin.no_changes"))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "restore":
            return self._highlighted() is not None
        return True

    def _highlighted(self) -> DayChange | None:
        found = self.found
        if found is None:
            return None
        index = self.query_one("#changes", OptionList).highlighted
        return found.changes[index] if index is not None and index < len(found.changes) else None

    def action_day(self, step: int) -> None:
        self.day += dt.timedelta(days=step)

    def action_today(self) -> None:
        self.day = self.today

    async def _school_classes(self) -> list[AdminClass] | None:
        if not self.class_list:
            found = await self.call(lambda api: api.admin_classes())
            if found is None:
                return None
            self.class_list = found.classes
        return self.class_list

    def action_new_change(self) -> None:
        self._new_change()

    @work(exclusive=True, group="new")
    async def _new_change(self) -> None:
        classes = await self._school_classes()
        teachers = await self.call(lambda api: api.admin_teachers())
        if classes is None or teachers is None:
            return
        window = ChangeWindow(self.session, self.day, classes, teachers.teachers)
        self.app.push_screen(window, self._changed)

    def _changed(self, done: LessonChanged | None) -> None:
        if done is not None and done.date == self.day:
            self.found = DayChanges(date=done.date, changes=done.changes)
            self.say(_("admin.changed"))

    def action_restore(self) -> None:
        change = self._highlighted()
        if change is not None:
            self._restore(change, str(uuid.uuid4()))

    @work(exclusive=True, group="write")
    async def _restore(self, change: DayChange, idempotency_key: str) -> None:
        classes = await self._school_classes()
        klass = next((c for c in classes or [] if c.name == change.class_name), None)
        if klass is None:
            return
        body = LessonChangeIn(
            class_id=klass.id,
            date=self.day,
            number=change.number,
            kind=LessonChangeKind.RESTORE,
        )
        done = await self.call(lambda api: api.change_lesson(body, idempotency_key=idempotency_key))
        if done is not None:
            self.found = DayChanges(date=done.date, changes=done.changes)
            self.say(_("admin.restored", class_name=change.class_name, number=change.number))

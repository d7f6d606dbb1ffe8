"""The teacher's timetable (T from the journal): the week day by day, today first in view,
with the day's changes (a stand-in, a cancelled, moved or added lesson) and the bells.

Enter on a lesson closes the window with it, and the journal opens that class and
subject in the lesson's period, on the lesson's column. The week is asked of the
server in a worker each time it is shown; `[` and `]` go a week back and forth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import PurePath
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import var
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import ChangeKind, TeacherLesson, TeacherWeek
from ediary_tui.domain.periods import week_start
from ediary_tui.i18n import _, error_message, long_date, short_date, week_range
from ediary_tui.screens.events import session_message
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window
from ediary_tui.widgets.keys import key

WEEK = dt.timedelta(days=7)


def _span(lesson: TeacherLesson) -> str:
    return f"{lesson.starts_at:%H:%M}–{lesson.ends_at:%H:%M}"


def change_words(lesson: TeacherLesson) -> tuple[str, str]:
    """What differs from the timetable on the lesson's day, and its style ("" if nothing)."""
    change = lesson.change
    if not lesson.mine:
        return _("timetable.given_by", who=short_name(lesson.teacher.full_name)), "$text-warning"
    if change is None:
        return "", ""
    if change.kind == ChangeKind.CANCELLED:
        words = _("timetable.cancelled")
    elif change.kind == ChangeKind.REPLACED and change.usual_teacher is not None:
        words = _("timetable.replacing", who=short_name(change.usual_teacher.full_name))
    elif change.kind == ChangeKind.MOVED and change.moved_from_date is not None:
        words = _(
            "timetable.moved",
            date=short_date(change.moved_from_date),
            number=change.moved_from_number or "",
        )
    elif change.kind == ChangeKind.ADDED:
        words = _("timetable.added")
    else:
        words = _(f"timetable.{change.kind.value}")
    if change.note:
        words = f"{words}: {change.note}"
    return words, "$text-warning"


def lesson_line(lesson: TeacherLesson, widths: tuple[int, int], now: dt.datetime) -> Content:
    """One lesson: its number and times, class, subject, room, and what changed."""
    class_width, subject_width = widths
    going_on = lesson.starts_at <= now < lesson.ends_at
    cancelled = lesson.change is not None and lesson.change.kind == ChangeKind.CANCELLED
    style = "strike" if cancelled or not lesson.mine else ""
    words, word_style = change_words(lesson)
    room = _("timetable.room", room=lesson.room) if lesson.room else ""
    return Content.assemble(
        ("▶ " if going_on else "  ", "bold $text-accent"),
        (f"{lesson.number:>2}  ", "bold"),
        (f"{_span(lesson)}  ", ""),
        (f"{lesson.class_name:<{class_width}}  ", f"bold {style}".strip()),
        (f"{lesson.subject.name:<{subject_width}}  ", style),
        (f"{room}  " if room else "", "$text-muted"),
        (words, f"bold {word_style}".strip() if words else ""),
    )


def week_options(week: TeacherWeek, now: dt.datetime) -> list[Option]:
    """The week's days (a heading each, then its lessons), then the bell schedule."""
    lessons = [le for day in week.days for le in day.lessons]
    widths = (
        max((len(le.class_name) for le in lessons), default=0),
        max((len(le.subject.name) for le in lessons), default=0),
    )
    options: list[Option] = []
    for day in week.days:
        title = long_date(day.date)
        if day.date == week.today:
            title = _("timetable.today", day=title)
        options.append(Option(Content.styled(title, "bold $text-primary"), id=f"day:{day.date}"))
        if not day.lessons:
            options.append(
                Option(Content.styled(f"    {_('timetable.no_lessons')}", "$text-muted"))
            )
        for lesson in day.lessons:
            options.append(Option(lesson_line(lesson, widths, now), id=f"lesson:{lesson.id}"))
    options.append(Option(Content.styled(_("timetable.bells"), "bold $text-primary"), id="bells"))
    if not week.bells:
        options.append(Option(Content.styled(f"    {_('timetable.no_bells')}", "$text-muted")))
    for bell in week.bells:
        after = _("timetable.break", name=bell.break_name) if bell.break_name else ""
        options.append(
            Option(
                Content.assemble(
                    (f"  {bell.number:>2}  ", "bold"),
                    (f"{bell.starts_at}–{bell.ends_at}  ", ""),
                    (after, "$text-muted"),
                ),
                id=f"bell:{bell.number}",
            )
        )
    return options


class TimetableScreen(Window[TeacherLesson | None]):
    """The teacher's week and the bells; Enter on a lesson opens its journal."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "timetable.tcss"]
    AUTO_FOCUS = "#lessons"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("left_square_bracket", "week(-1)", "timetable.key_previous_week"),
        key("right_square_bracket", "week(1)", "timetable.key_next_week"),
        key("t", "today", "timetable.key_today"),
        key("b", "bells", "timetable.key_bells"),
        Binding("escape", "close", "keys.close"),
    ]

    week: var[TeacherWeek | None] = var(None, init=False)
    """The week shown; None until the server answers."""

    def __init__(
        self, session: DiarySession, today: dt.date, clock: Callable[[], dt.datetime]
    ) -> None:
        super().__init__()
        self.session = session
        self.today = today
        self.clock = clock
        self.monday = week_start(today)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("timetable.title")
            dialog.border_subtitle = _("timetable.subtitle")
            yield Static(id="status", markup=False)
            yield OptionList(id="lessons")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.say(_("timetable.loading"))
        self._load(self.monday)

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    @work(exclusive=True, group="timetable")
    async def _load(self, monday: dt.date) -> None:
        try:
            week = await self.session.send(lambda api: api.teacher_week(monday))
        except ServerUnreachable:
            self.say(_("timetable.offline"), error=True)
            return
        except ClientError as exc:
            if (message := session_message(exc)) is not None:
                self.post_message(message)
            self.say(error_message(exc.code, exc.message), error=True)
            return
        if week.start == self.monday:
            self.week = week

    def watch_week(self, week: TeacherWeek | None) -> None:
        if week is None:
            return
        self.query_one("#dialog").border_title = _(
            "timetable.title_week", range=week_range(week.start, week.end)
        )
        lessons = sum(len(d.lessons) for d in week.days)
        changed = sum(1 for d in week.days for le in d.lessons if le.change or not le.mine)
        self.say(_("timetable.summary", lessons=lessons, changed=changed))
        found = self.query_one("#lessons", OptionList)
        found.set_options(week_options(week, self.clock()))
        self.action_today()

    def action_today(self) -> None:
        """Today's lesson now or next, else today's heading, else the week's first day."""
        week = self.week
        if week is None:
            return
        if not week.start <= week.today <= week.end:
            self._highlight(f"day:{week.start}")
            return
        now = self.clock()
        today = next(d for d in week.days if d.date == week.today) if week.days else None
        upcoming = [le for le in (today.lessons if today else []) if le.ends_at > now]
        target = f"lesson:{upcoming[0].id}" if upcoming else f"day:{week.today}"
        self._highlight(target)

    def action_bells(self) -> None:
        self._highlight("bells")

    def _highlight(self, option_id: str) -> None:
        found = self.query_one("#lessons", OptionList)
        try:
            found.highlighted = found.get_option_index(option_id)
        except OptionDoesNotExist:
            return
        found.scroll_to_highlight(top=option_id.startswith("day:") or option_id == "bells")

    def action_week(self, step: int) -> None:
        self.monday += WEEK * step
        self.query_one("#dialog").border_title = _(
            "timetable.title_week",
            range=week_range(self.monday, self.monday + dt.timedelta(days=5)),
        )
        self.say(_("timetable.loading"))
        self._load(self.monday)

    @on(OptionList.OptionSelected, "#lessons")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if not option_id.startswith("lesson:") or self.week is None:
            return
        lesson_id = option_id.removeprefix("lesson:")
        for day in self.week.days:
            for lesson in day.lessons:
                if lesson.id == lesson_id:
                    self.dismiss(lesson)
                    return

    def action_close(self) -> None:
        self.dismiss(None)

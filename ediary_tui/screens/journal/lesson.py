"""The lesson from the journal: its topic and the homework set in it.

The form edits what the journal shows (the server's copy with unsent edits
laid over it) and answers with only what changed; the journal turns that into
outbox entries, so a topic typed with the server away is kept and sent later,
like a mark. An edit the server refused comes back here: its text is typed in
again and the reason is under it, so nothing is lost by a refusal.

Each homework has a due date: the next lesson of the subject unless the
teacher types another (never before the lesson); left at the next lesson, it
is sent as "the next lesson", so the server keeps following the timetable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePath
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Input, Label, Static, TextArea

from ediary_tui.client.journal_state import PENDING, REFUSED, HomeworkItem, LessonView
from ediary_tui.i18n import _, current_language, day_month, error_message, parse_date
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window
from ediary_tui.widgets.tick_box import TickBox

TOPIC_MAX = 500  # the server's limits (LessonPatch.topic, HomeworkIn.text)
HOMEWORK_MAX = 5000


@dataclass(frozen=True)
class HomeworkChange:
    """New homework (`ref` None), a revision of `ref`, or its removal (`text` None)."""

    ref: str | None
    text: str | None
    required: bool = True
    due: dt.date | None = None  # None: the next lesson


def date_text(day: dt.date | None) -> str:
    """A date as the form shows it: 25.11.2026 in Russian, 2026-11-25 in English."""
    if day is None:
        return ""
    return f"{day:%d.%m.%Y}" if current_language() == "ru" else day.isoformat()


@dataclass(frozen=True)
class LessonEdit:
    topic: str | None  # None: unchanged; "": cleared
    homework: tuple[HomeworkChange, ...] = ()

    @property
    def empty(self) -> bool:
        return self.topic is None and not self.homework


class HomeworkBox(Vertical):
    """One homework item: its text, whether it is required, and its state."""

    def __init__(
        self,
        item: HomeworkItem | None,
        index: int,
        *,
        lesson_date: dt.date | None = None,
        next_lesson: dt.date | None = None,
    ) -> None:
        super().__init__(classes="homework")
        self.item = item
        self.index = index
        self.lesson_date = lesson_date
        self.next_lesson = next_lesson  # the default due date; None: not in this period

    def compose(self) -> ComposeResult:
        item = self.item
        text = item.text if item is not None else ""
        area = TextArea(
            text,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=_("lesson_form.new_homework") if item is None else "",
            id=f"hw-{self.index}",
        )
        area.border_title = (
            _("lesson_form.homework_n", n=self.index + 1)
            if item is not None
            else _("lesson_form.homework_new")
        )
        yield area
        with Horizontal(classes="row"):
            yield TickBox(  # ✓ or blank: told apart at 16 colours too
                _("lesson_form.required"),
                item.required if item is not None else True,
                id=f"req-{self.index}",
                compact=True,
            )
            yield Label(_("period_end.due"), classes="due-label")
            shown = item.due if item is not None and item.due is not None else self.next_lesson
            yield Input(
                date_text(shown),
                placeholder=_("period_end.due_placeholder"),
                max_length=10,
                compact=True,
                id=f"due-{self.index}",
                classes="due",
            )
            yield Label(self._state(), classes="state", markup=False)
        yield Static("", classes="error", markup=False)

    def _state(self) -> Content:
        item = self.item
        if item is None:
            return Content("")
        if item.state == PENDING:
            return Content.styled(_("journal.state_unsent"), "$text-warning")
        if item.state == REFUSED:
            reason = error_message(None, item.reason or "")
            return Content.styled(_("journal.state_refused", reason=reason), "bold $text-error")
        return Content("")

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text.strip()

    @property
    def required(self) -> bool:
        return self.query_one(Checkbox).value

    @property
    def due_typed(self) -> str:
        return self.query_one(f"#due-{self.index}", Input).value.strip()

    def due_problem(self) -> str | None:
        """Why the typed due date cannot be sent (it is kept as typed), or None."""
        typed = self.due_typed
        if not typed:
            return None
        found = parse_date(typed, self.lesson_date or dt.date.today())
        if found is None:
            return _("period_end.due_invalid", typed=typed)
        if self.lesson_date is not None and found < self.lesson_date:
            return _("journal.due_before", date=day_month(self.lesson_date))
        return None

    @property
    def due_date(self) -> dt.date | None:
        """The due date shown (empty: the next lesson); None when it does not read."""
        typed = self.due_typed
        found = parse_date(typed, self.lesson_date or dt.date.today()) if typed else None
        return found or self.next_lesson

    @property
    def due(self) -> dt.date | None:
        """The due date to send: None when it is the next lesson (the default)."""
        found = self.due_date
        return None if found == self.next_lesson else found

    def change(self) -> HomeworkChange | None:
        """What this box changes, or None."""
        item, text = self.item, self.text
        if item is None:
            return HomeworkChange(None, text, self.required, self.due) if text else None
        if not text:
            return HomeworkChange(item.ref, None)
        moved = self.due_date != (item.due or self.next_lesson)
        if text != item.text or self.required != item.required or moved or item.state == REFUSED:
            return HomeworkChange(item.ref, text, self.required, self.due)
        return None

    def show_error(self, text: str | None) -> None:
        error = self.query_one(".error", Static)
        error.update(text or "")
        error.display = bool(text)


class LessonForm(Window[LessonEdit | None]):
    """Topic and homework of one lesson; ctrl+s saves, Escape leaves (asking if typed in)."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "journal.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "lesson_form.key_save", priority=True),
        Binding("escape", "cancel", "keys.cancel"),
    ]

    def __init__(
        self,
        view: LessonView,
        *,
        subject: str,
        class_name: str,
        next_lesson: dt.date | None = None,
    ) -> None:
        super().__init__()
        self.view = view
        self.subject = subject
        self.class_name = class_name
        self.next_lesson = next_lesson  # homework's default due date

    @property
    def shown_topic(self) -> str:
        """The topic the form starts with: a refused edit's text, else the lesson's."""
        if self.view.refused_topic is not None:
            return self.view.refused_topic
        return self.view.lesson.topic or ""

    def compose(self) -> ComposeResult:
        lesson = self.view.lesson
        with VerticalScroll(id="dialog") as dialog:
            dialog.border_title = _(
                "lesson_form.title",
                date=day_month(lesson.date),
                number=lesson.number,
                subject=self.subject,
                class_name=self.class_name,
            )
            dialog.border_subtitle = _("lesson_form.subtitle")
            yield Label(_("lesson_form.topic"), classes="heading")
            yield Input(
                self.shown_topic,
                placeholder=_("lesson_form.topic_placeholder"),
                max_length=TOPIC_MAX,
                id="topic",
            )
            yield Label(self._topic_state(), id="topic-state", markup=False)
            dates = {"lesson_date": lesson.date, "next_lesson": self.next_lesson}
            for index, item in enumerate(self.view.homework):
                yield HomeworkBox(item, index, **dates)
            yield HomeworkBox(None, len(self.view.homework), **dates)

    def _topic_state(self) -> Content:
        state = self.view.topic_state
        if state == PENDING:
            return Content.styled(_("journal.state_unsent"), "$text-warning")
        if state == REFUSED:
            refused = [r for r in self.view.refusals if r.kind.endswith("topic")]
            reason = error_message(refused[0].code, refused[0].reason) if refused else ""
            return Content.styled(_("journal.state_refused", reason=reason), "bold $text-error")
        return Content("")

    def on_mount(self) -> None:
        self.query_one("#topic-state").display = self.view.topic_state != "saved"
        for box in self.query(HomeworkBox):
            box.show_error(None)
        self.query_one("#topic", Input).focus()

    def edit(self) -> LessonEdit:
        """What the form changes (nothing when it reads as it started)."""
        topic = self.query_one("#topic", Input).value.strip()
        changed = topic != (self.view.lesson.topic or "") or self.view.topic_state == REFUSED
        homework = tuple(c for box in self.query(HomeworkBox) if (c := box.change()) is not None)
        return LessonEdit(topic if changed else None, homework)

    def _check(self) -> bool:
        fine = True
        for box in self.query(HomeworkBox):
            if len(box.text) > HOMEWORK_MAX:
                box.show_error(_("lesson_form.too_long", limit=HOMEWORK_MAX, length=len(box.text)))
                fine = False
            elif (problem := box.due_problem()) is not None:
                box.show_error(problem)
                fine = False
            else:
                box.show_error(None)
        return fine

    def action_save(self) -> None:
        if self._check():
            self.dismiss(self.edit())

    @on(Input.Submitted, "#topic")
    def _topic_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        question, yes = _("lesson_form.discard_question"), _("lesson_form.discard")
        self.dismiss_or_ask(not self.edit().empty, question, yes)

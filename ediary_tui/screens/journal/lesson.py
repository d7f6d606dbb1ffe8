"""The lesson from the journal: its topic and the homework set in it.

The form edits what the journal shows (the server's copy with unsent edits
laid over it) and answers with only what changed; the journal turns that into
outbox entries, so a topic typed with the server away is kept and sent later,
like a mark. An edit the server refused comes back here: its text is typed in
again and the reason is under it, so nothing is lost by a refusal.
"""

from __future__ import annotations

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
from ediary_tui.i18n import _, day_month, error_message
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window

TOPIC_MAX = 500  # the server's limits (LessonPatch.topic, HomeworkIn.text)
HOMEWORK_MAX = 5000


@dataclass(frozen=True)
class HomeworkChange:
    """New homework (`ref` None), a revision of `ref`, or its removal (`text` None)."""

    ref: str | None
    text: str | None
    required: bool = True


@dataclass(frozen=True)
class LessonEdit:
    topic: str | None  # None: unchanged; "": cleared
    homework: tuple[HomeworkChange, ...] = ()

    @property
    def empty(self) -> bool:
        return self.topic is None and not self.homework


class HomeworkBox(Vertical):
    """One homework item: its text, whether it is required, and its state."""

    def __init__(self, item: HomeworkItem | None, index: int) -> None:
        super().__init__(classes="homework")
        self.item = item
        self.index = index

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
            yield Checkbox(
                _("lesson_form.required"),
                item.required if item is not None else True,
                id=f"req-{self.index}",
                compact=True,
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

    def change(self) -> HomeworkChange | None:
        """What this box changes, or None."""
        item, text = self.item, self.text
        if item is None:
            return HomeworkChange(None, text, self.required) if text else None
        if not text:
            return HomeworkChange(item.ref, None)
        if text != item.text or self.required != item.required or item.state == REFUSED:
            return HomeworkChange(item.ref, text, self.required)
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

    def __init__(self, view: LessonView, *, subject: str, class_name: str) -> None:
        super().__init__()
        self.view = view
        self.subject = subject
        self.class_name = class_name

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
            for index, item in enumerate(self.view.homework):
                yield HomeworkBox(item, index)
            yield HomeworkBox(None, len(self.view.homework))

    def _topic_state(self) -> Content:
        state = self.view.topic_state
        if state == PENDING:
            return Content.styled(_("journal.state_unsent"), "$text-warning")
        if state == REFUSED:
            reason = next((r.reason for r in self.view.refusals if r.kind.endswith("topic")), "")
            reason = error_message(None, reason)
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

"""The cell editor (Enter on a cell): the lesson, the attendance, each mark, its history, and
what the teacher changes there.

From here the lesson's control form changes (a test weighs 3), a mark's own form and its
comment, a dot is filled with its mark, and a second mark goes into the same lesson. The
window answers with only what changed (`CellEdit`); the journal turns that into outbox
entries like any key press, so nothing typed here waits for the server or is lost. A
read-only journal shows the same window without the fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ediary_tui.client.errors import ClientError
from ediary_tui.client.journal_state import REFUSED, SAVED, CellMark, JournalState
from ediary_tui.domain.attendance import JOURNAL_LETTERS
from ediary_tui.domain.models import MarkChange
from ediary_tui.i18n import _, date_time, error_message, long_date
from ediary_tui.screens.journal.describe import describe_mark, state_word
from ediary_tui.screens.journal.grid_paint import cell_content, scale_of
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window
from ediary_tui.widgets.keys import key

if TYPE_CHECKING:
    from ediary_tui.client.journal_sync import JournalSync

NEW = "new"  # the option of a mark still to be put
COMMENT_MAX = 2000  # the server's limit (MarkIn.comment)


@dataclass(frozen=True)
class MarkEdit:
    """What changes in one mark of the cell (`ref` as the cell names it): MarkPatch's fields."""

    ref: str
    patch: Mapping[str, Any]
    fills_dot: bool = False


@dataclass(frozen=True)
class NewMark:
    value: int
    control_form: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class CellEdit:
    """What the editor changed: the lesson's form (a code), marks, a mark more."""

    lesson_form: str | None = None
    marks: tuple[MarkEdit, ...] = ()
    new: NewMark | None = None

    @property
    def empty(self) -> bool:
        return self.lesson_form is None and not self.marks and self.new is None

    @property
    def adds_mark(self) -> bool:
        """Whether a mark appears where there was none (a new one, a dot filled)."""
        return self.new is not None or any(m.fills_dot for m in self.marks)


@dataclass
class _Fields:
    """The fields of one mark as typed so far."""

    value: str = ""
    form: str = ""
    comment: str = ""
    touched: set[str] = field(default_factory=set)


class _Refused(Exception):
    """What was typed cannot be sent: the words to show under the fields."""


def _change_text(change: MarkChange, tz: dt.tzinfo | None) -> str:
    if change.action == "created":
        what = _("journal.history_created", to=change.to or "")
    elif change.action == "deleted":
        what = _("journal.history_deleted", was=change.from_ or "")
    else:
        what = _("journal.history_changed", was=change.from_ or "", to=change.to or "")
    return f"{date_time(change.at.astimezone(tz))} · {change.by.full_name}: {what}"


class CellDetails(Window[CellEdit | None]):
    """Everything about one cell, and the changes the teacher makes to it."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "journal.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape", "close", "journal.key_close"),
        Binding("ctrl+s", "save", "cell_editor.key_save"),
    ]

    def __init__(
        self,
        sync: JournalSync,
        state: JournalState,
        student_id: str,
        lesson_id: str,
        tz: dt.tzinfo | None = None,
    ) -> None:
        """The cell of `student_id` at `lesson_id` in the journal `state` shows now; `tz`: the
        zone to tell times in (the app's clock's), the computer's if None."""
        super().__init__()
        self.sync = sync
        self.tz = tz
        self.student = state.students[student_id]
        self.lesson = state.lesson(lesson_id).lesson
        self.cell = state.cell(self.student.id, self.lesson.id)
        self.scale = scale_of(state)
        self.writable = state.journal.can_write
        self.forms = state.journal.settings.control_forms
        self.fields: dict[str, _Fields] = {}
        self.shown: str | None = None  # the option whose fields are on screen

    # -- what it shows ---------------------------------------------------------------------

    def _form_options(self) -> list[tuple[str, str]]:
        return [(_("mark.form", form=f.name, weight=f.weight), f.code) for f in self.forms]

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        with VerticalScroll(id="dialog") as dialog:
            dialog.border_title = self.student.full_name
            head = _("journal.lesson_long", date=long_date(lesson.date), number=lesson.number)
            if not self.writable:  # else the form is in its field below
                form = lesson.control_form
                head = f"{head} · {_('mark.form', form=form.name, weight=form.weight)}"
            yield Static(Content(head), id="lesson")
            if lesson.topic:
                yield Static(Content(_("lesson.topic", topic=lesson.topic)), classes="muted")
            cell = Content.assemble(
                (_("journal.cell"), "bold"), " ", cell_content(self.cell, self.scale)
            )
            att = self.cell.attendance
            if att is not None and att.code is not None:
                text = f"{JOURNAL_LETTERS[att.code]} — {_(f'attendance.{att.code.value}')}"
                if att.state != SAVED:
                    text = f"{text} ({state_word(att.state, att.reason)})"
                cell = Content.assemble(cell, " · ", text)
            yield Static(cell, id="cell")
            if self.writable:
                with Horizontal(classes="row"):
                    yield Label(_("cell_editor.lesson_form"), classes="name")
                    yield Select(
                        self._form_options(),
                        value=lesson.control_form.code,
                        allow_blank=False,
                        compact=True,
                        id="lesson-form",
                    )
            options = [
                Option(Content(describe_mark(m, tz=self.tz)), id=str(i))
                for i, m in enumerate(self.cell.marks)
            ]
            if self.writable:
                options.append(Option(Content(_("cell_editor.new_mark")), id=NEW))
            yield Label(_("journal.marks"), classes="heading")
            if options:
                yield OptionList(*options, id="marks")
            if not self.cell.marks:
                yield Static(Content(_("journal.no_marks")), classes="muted")
            if self.writable:
                with Horizontal(classes="row"):
                    yield Label(_("cell_editor.value"), classes="name")
                    yield Input(
                        max_length=2, restrict=r"[0-9]*", compact=True, id="value", classes="value"
                    )
                    yield Label(_("cell_editor.form"), classes="gap")
                    yield Select(
                        self._form_options(),
                        value=lesson.control_form.code,
                        allow_blank=False,
                        compact=True,
                        id="mark-form",
                    )
                with Horizontal(classes="row"):
                    yield Label(_("cell_editor.comment"), classes="name")
                    yield Input(max_length=COMMENT_MAX, compact=True, id="comment")
                yield Static(id="error", markup=False)
            if self.cell.marks:
                yield Label(_("journal.history"), classes="heading")
                yield Static(id="history", markup=False)
            for refusal in self.cell.refusals:
                reason = error_message(refusal.code, refusal.reason)
                yield Static(Content(_("journal.refused_line", reason=reason)), classes="refused")
            hint = "cell_editor.hint" if self.writable else "journal.details_hint"
            yield Static(Content(_(hint)), classes="muted")

    def on_mount(self) -> None:
        if self.cell.marks or self.writable:
            marks = self.query_one("#marks", OptionList)
            marks.highlighted = max(len(self.cell.marks) - 1, 0)
            marks.focus()

    def _mark(self, option: str) -> CellMark | None:
        return None if option == NEW else self.cell.marks[int(option)]

    def _initial(self, option: str) -> _Fields:
        mark = self._mark(option)
        if mark is None:
            return _Fields(form=self.lesson.control_form.code)
        value = "" if mark.is_dot or mark.value is None else str(mark.value)
        return _Fields(value=value, form=mark.control_form.code, comment=mark.comment or "")

    @on(OptionList.OptionHighlighted, "#marks")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option = event.option.id or NEW
        if self.writable:
            self._keep_fields()
            self._show_fields(option)
        mark = self._mark(option)
        if not self.cell.marks:
            return
        history = self.query_one("#history", Static)
        if mark is None:
            history.update("")
        elif mark.mark is None:
            history.update(Content(_("journal.history_unsent")))
        else:
            history.update(Content(_("journal.history_loading")))
            self._history(mark.mark.id)

    def on_key(self, event: events.Key) -> None:
        """A digit typed on the list of marks is the mark's value: the field takes it."""
        value = self.query_one("#value", Input) if self.writable else None
        if (
            value is not None
            and not value.disabled
            and event.character is not None
            and event.character.isdigit()
            and isinstance(self.focused, OptionList)
        ):
            event.stop()
            event.prevent_default()
            value.value = event.character
            value.cursor_position = len(value.value)
            value.focus()

    @on(OptionList.OptionSelected, "#marks")
    def _selected(self) -> None:
        if self.writable and not self.query_one("#value", Input).disabled:
            self.query_one("#value", Input).focus()

    def _keep_fields(self) -> None:
        """The fields on screen, kept for their mark before another's are shown."""
        if self.shown is None:
            return
        kept = self.fields.setdefault(self.shown, self._initial(self.shown))
        kept.value = self.query_one("#value", Input).value.strip()
        kept.form = str(self.query_one("#mark-form", Select).value)
        kept.comment = self.query_one("#comment", Input).value

    def _show_fields(self, option: str) -> None:
        fields = self.fields.get(option) or self._initial(option)
        mark = self._mark(option)
        refused = mark is not None and mark.state == REFUSED
        self.query_one("#error", Static).display = False
        value = self.query_one("#value", Input)
        value.value = fields.value
        # A refused mark is not on the server: nothing there to change.
        for widget in (value, self.query_one("#mark-form"), self.query_one("#comment")):
            widget.disabled = refused
        value.placeholder = "•" if mark is not None and mark.is_dot else ""
        self.query_one("#mark-form", Select).value = fields.form
        self.query_one("#comment", Input).value = fields.comment
        self.shown = option

    @work(exclusive=True)
    async def _history(self, mark_id: str) -> None:
        history = self.query_one("#history", Static)
        try:
            found = await self.sync.mark_history(mark_id)
        except ClientError as exc:
            history.update(Content(error_message(exc.code, exc.message)))
            return
        history.update(Content("\n".join(_change_text(c, self.tz) for c in found.changes)))

    # -- what it answers -------------------------------------------------------------------

    def _value(self, typed: str) -> int | None:
        if not typed:
            return None
        low, high = self.scale
        if not typed.isdigit() or not low <= int(typed) <= high:
            raise _Refused(_("journal.off_scale", low=low, high=high))
        return int(typed)

    def _edit(self) -> CellEdit:
        """What changed, or _Refused with the words to show."""
        self._keep_fields()
        lesson_form = str(self.query_one("#lesson-form", Select).value)
        changed_form = lesson_form if lesson_form != self.lesson.control_form.code else None
        marks: list[MarkEdit] = []
        new: NewMark | None = None
        for option, typed in self.fields.items():
            value = self._value(typed.value)
            comment = typed.comment.strip()
            if option == NEW:
                if value is None:
                    if comment:
                        raise _Refused(_("cell_editor.value_needed"))
                    continue
                # Untouched, the new mark's form follows the lesson's.
                form = typed.form
                if form == self.lesson.control_form.code and changed_form is not None:
                    form = changed_form
                new = NewMark(value, form or None, comment or None)
                continue
            mark = self.cell.marks[int(option)]
            if mark.state == REFUSED:
                continue
            patch: dict[str, Any] = {}
            if value is None and not mark.is_dot:
                raise _Refused(_("cell_editor.value_needed"))
            if value is not None and (mark.is_dot or value != mark.value):
                patch["value"] = value
            if typed.form and typed.form != mark.control_form.code:
                patch["control_form"] = typed.form
            if comment != (mark.comment or ""):
                patch["comment"] = comment
            if patch:
                marks.append(MarkEdit(mark.ref, patch, fills_dot=mark.is_dot and "value" in patch))
        return CellEdit(changed_form, tuple(marks), new)

    def action_save(self) -> None:
        if not self.writable:
            self.dismiss(None)
            return
        try:
            edit = self._edit()
        except _Refused as refused:
            error = self.query_one("#error", Static)
            error.update(str(refused))
            error.display = True
            return
        self.dismiss(None if edit.empty else edit)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_close(self) -> None:
        """Close; when something was typed, ask before it is let go."""
        if not self.writable:
            self.dismiss(None)
            return
        try:
            losing = not self._edit().empty
        except _Refused:
            losing = True
        self.dismiss_or_ask(losing, _("cell_editor.discard"), _("cell_editor.discard_yes"))

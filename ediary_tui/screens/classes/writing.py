"""What the class's two writing windows share: errors under fields, a bottom line, no lost text.

`AnnouncementModal` and `FamilyMessageModal` keep what was typed when it could
not be sent and say why under the field the server named, or at the bottom;
a retry carries the same Idempotency-Key, so what the server did get is not
posted twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import PurePath
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Input, Static, TextArea

from ediary_tui.client.errors import ClientError, Invalid, KeyReused, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.i18n import _, error_message, has
from ediary_tui.screens.messages.compose import MAX_BODY
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window

R = TypeVar("R")
T = TypeVar("T")


def refusal(exc: ClientError) -> str:
    """The server's refusal in the person's language: our words for the codes we know."""
    if exc.code and has(f"class.error.{exc.code}"):
        return _(f"class.error.{exc.code}")
    return error_message(exc.code, exc.message)


def sentence(text: str) -> str:
    return text.rstrip(".") + "."


class WritingModal(Window[R]):
    """What the two writing windows share: errors under fields, a bottom line, no lost text."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "journal_class.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "class.key_send", priority=True),
        Binding("escape", "cancel", "keys.cancel"),
    ]
    # The server's name of a field -> the id of the widget it names (its error line is under it).
    FIELDS: ClassVar[dict[str, str]] = {}

    def __init__(self, session: DiarySession) -> None:
        super().__init__()
        self.session = session
        self.sending = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.heading()
            dialog.border_subtitle = _("class.subtitle")
            yield from self.compose_fields()
            yield Static(id="status", markup=False)
            with Horizontal(id="buttons"):
                yield Button(_("class.send"), variant="primary", id="send", compact=True)
                yield Button(_("class.cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        """Hide the error lines (Textual runs this after a subclass's own `on_mount`)."""
        for error in self.query(".error"):
            error.display = False

    def field(self, widget: Widget, title: str) -> ComposeResult:
        """A field with its title on its border, and the line for its error under it."""
        widget.border_title = title
        yield widget
        yield Static(id=f"error-{widget.id}", classes="error", markup=False)

    def typed(self) -> bool:
        """Whether anything was typed that leaving would lose."""
        return any(i.value.strip() for i in self.query(Input)) or any(
            t.text.strip() for t in self.query(TextArea)
        )

    # -- what the subclasses say ------------------------------------------------------

    def heading(self) -> str:
        raise NotImplementedError

    def compose_fields(self) -> ComposeResult:
        raise NotImplementedError

    def action_send(self) -> None:
        raise NotImplementedError

    # -- sending ---------------------------------------------------------------------

    def checked(self, field: str, need: str) -> tuple[str, str] | None:
        """The `field` line and the text, once neither is missing nor the text too long (else
        the error is said under its field, and None); then the window says it is sending."""
        line = self.query_one(f"#{field}", Input).value.strip()
        body = self.query_one("#body", TextArea).text.strip()
        if not line:
            self.show_error(field, need)
        elif not body:
            self.show_error("body", _("class.need_text"))
        elif len(body) > MAX_BODY:
            self.show_error("body", _("class.too_long", max=MAX_BODY, length=len(body)))
        else:
            self.busy(True)
            self.say(_("class.sending"))
            return line, body
        return None

    async def post(self, call: Callable[[Any], Awaitable[T]], done: str) -> T | None:
        """The server's answer to `call` (given the session's client); None when it did not
        go (said why, the text stays) or an earlier try got there before the last edit (that
        one stands: the window says `done` and closes)."""
        try:
            return await self.session.send(call)
        except KeyReused:
            self.notify(_("class.sent_earlier"), severity="warning")
            self.notify(done)
            self.dismiss(None)
        except ClientError as exc:
            self.busy(False)
            self.refused(exc)
        return None

    def sent(self, answer: R, *, as_typed: bool, done: str) -> None:
        """Say `done` (and that an earlier try stands if the answer is not `as_typed`); close."""
        if not as_typed:
            self.notify(_("class.sent_earlier"), severity="warning")
        self.notify(done)
        self.dismiss(answer)

    # -- the bottom line and the errors under fields ---------------------------------

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")
        status.set_class(not error and bool(text), "-busy")

    def show_error(self, field: str, text: str) -> None:
        error = self.query_one(f"#error-{field}", Static)
        error.update(Content(text))
        error.display = True
        self.query_one(f"#{field}").focus()

    def clear_errors(self) -> None:
        for error in self.query(".error"):
            error.display = False
        self.say("")

    def busy(self, sending: bool) -> None:
        self.sending = sending
        button = self.query_one("#send", Button)
        button.disabled = sending
        button.label = _("class.sending") if sending else _("class.send")

    def refused(self, exc: ClientError) -> None:
        """Say why it was not sent, next to the field the server named; the text stays."""
        self.say("")
        if isinstance(exc, ServerUnreachable):
            self.say(_("class.offline_not_sent"), error=True)
            return
        field = self.FIELDS.get(exc.field or "") if isinstance(exc, Invalid) else None
        if field is not None:
            self.show_error(field, refusal(exc))
            return
        self.say(_("class.not_sent", reason=sentence(refusal(exc))), error=True)

    # -- keys ------------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "send":
            self.action_send()
        elif event.button.id == "cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        """Leave; what was typed is asked about first, as it would be lost."""
        self.dismiss_or_ask(self.typed(), _("class.discard_question"), _("class.discard"))


def text_box(placeholder: str, id: str) -> TextArea:
    return TextArea(
        soft_wrap=True,
        show_line_numbers=False,
        tab_behavior="focus",
        placeholder=placeholder,
        id=id,
    )

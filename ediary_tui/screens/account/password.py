"""The first-login password change: old, new, and the new one again.

The school hands out a temporary password that the server refuses to accept
for anything else until it is changed. Each problem is shown under the field
it belongs to: a mismatch under the repeat, a too-short password (the rule is
the wire model's), a weak one (the server's own rule, checked here first so the
reason is told in the person's language) or the server's 422 under the field
the server names.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from ediary_tui.client.errors import (
    ClientError,
    Invalid,
    NotLoggedIn,
    ServerUnreachable,
    Throttled,
)
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import PasswordChange
from ediary_tui.domain.passwords import password_weakness
from ediary_tui.i18n import _, error_message, wait_text
from ediary_tui.screens.events import SessionEnded
from ediary_tui.widgets.keys import LocalisedKeys

_FIELDS = ("old", "new", "repeat")
_WIRE_FIELD = {"old_password": "old", "new_password": "new"}


class PasswordScreen(LocalisedKeys, Screen[None]):
    """Change the password; `Changed` when done, `Cancelled` to log out instead."""

    CSS_PATH = "password.tcss"
    AUTO_FOCUS = "#old"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "keys.cancel_password")]

    class Changed(Message):
        """The server took the new password."""

    class Cancelled(Message):
        """The user would rather log out than change the password now."""

    def __init__(self, session: DiarySession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(id="box") as box:
            box.border_title = _("password.title")
            yield Label(_("password.why"), id="why")
            for name in _FIELDS:
                yield Label(_(f"password.{name}"), classes="field-label")
                yield Input(password=True, id=name)
                yield Static(id=f"{name}-error", classes="field-error", markup=False)
            yield Static(id="error", classes="field-error", markup=False)
            with Horizontal(id="buttons"):
                yield Button(_("password.submit"), variant="primary", id="submit")
                yield Button(_("password.cancel"), id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        for error in self.query(".field-error"):
            error.display = False

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Put each message under its field ("" is the form as a whole) and focus the first."""
        for name in (*_FIELDS, ""):
            widget = self.query_one(f"#{name}-error" if name else "#error", Static)
            widget.update(Content(errors.get(name, "")))
            widget.display = name in errors
        for name in _FIELDS:
            if name in errors:
                self.query_one(f"#{name}", Input).focus()
                break

    def _local_errors(self, old: str, new: str, repeat: str) -> dict[str, str]:
        """What can be said without asking the server."""
        errors: dict[str, str] = {}
        try:
            PasswordChange(old_password=old, new_password=new)
        except ValidationError as exc:
            for err in exc.errors():
                field = _WIRE_FIELD.get(str(err["loc"][0]), "")
                if err["type"] == "string_too_short":
                    minimum = (err.get("ctx") or {}).get("min_length", 1)
                    if field == "old":
                        errors.setdefault(field, _("password.need_old"))
                    else:
                        errors.setdefault(field, _("password.too_short", min=minimum))
                else:
                    errors.setdefault(field, err["msg"])
        if "new" not in errors:
            user = self.session.user
            weakness = password_weakness(
                new,
                login=user.login if user else "",
                full_name=user.full_name if user else "",
            )
            if weakness is not None:
                errors["new"] = f"{_(f'password.weak.{weakness}')} {_('password.weak_hint')}"
        if "new" not in errors and new != repeat:
            errors["repeat"] = _("password.mismatch")
        return errors

    @on(Input.Submitted, "#old")
    @on(Input.Submitted, "#new")
    def _next_field(self) -> None:
        """Enter in a field before the last: on to the next one (the fields follow in order)."""
        self.focus_next()

    @on(Input.Submitted, "#repeat")
    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        old, new, repeat = (self.query_one(f"#{name}", Input).value for name in _FIELDS)
        errors = self._local_errors(old, new, repeat)
        self._show_errors(errors)
        if not errors:
            self._change(old, new)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    @work(exclusive=True, group="password")
    async def _change(self, old: str, new: str) -> None:
        submit = self.query_one("#submit", Button)
        submit.disabled = True
        try:
            await self.session.send(lambda api: api.change_password(old, new))
        except Invalid as exc:
            field = _WIRE_FIELD.get(exc.field or "", "")
            self._show_errors({field: error_message(exc.code, exc.message)})
        except NotLoggedIn:
            self.post_message(SessionEnded())
        except ServerUnreachable:
            self._show_errors({"": _("password.unreachable")})
        except Throttled as exc:
            self._show_errors({"old": _("login.throttled", wait=wait_text(exc.retry_after))})
        except ClientError as exc:
            self._show_errors({"": error_message(exc.code, exc.message)})
        else:
            self.post_message(self.Changed())
        finally:
            submit.disabled = False

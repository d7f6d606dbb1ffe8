"""What the admin's screens share: a top bar, one status line, and a call to the server
whose refusal is said on that line (never a traceback)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label, Static

from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import Role
from ediary_tui.i18n import _, error_message, for_person, has
from ediary_tui.screens.events import session_message
from ediary_tui.widgets.keys import LocalisedKeys, key

T = TypeVar("T")


def refusal(exc: ClientError) -> str:
    """The server's refusal in the admin's language: our words for the codes we know."""
    if isinstance(exc, ServerUnreachable):
        return _("admin.offline")
    if exc.code and has(f"admin.error.{exc.code}"):
        return _(f"admin.error.{exc.code}")
    return error_message(exc.code, exc.message)


def role_words(roles: list[Role], full_name: str = "") -> str:
    """The roles in words, agreeing with the person ("ученица" for a girl)."""
    return ", ".join(for_person(f"admin.role.{r.value}", full_name) for r in roles)


class AdminScreen(LocalisedKeys, Screen[None]):
    """A screen of the admin's: the title, where they are, what it lists, a status line."""

    CSS_PATH = "admin.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [key("escape", "back", "admin.key_back")]

    def __init__(self, session: DiarySession, *, today: dt.date) -> None:
        super().__init__()
        self.session = session
        self.today = today

    def top_bar(self, title: str) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Label(Content(title), id="title")
            yield Label(id="where", markup=False)

    def status_line(self) -> Static:
        return Static(id="status", markup=False)

    def where(self, text: str) -> None:
        self.query_one("#where", Label).update(Content(text))

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    async def call(self, request: Callable[[Any], Awaitable[T]]) -> T | None:
        """The server's answer, or None with its refusal said on the status line; a session
        that ended goes to the app, which takes the admin to the login."""
        try:
            return await self.session.send(request)
        except ClientError as exc:
            message = session_message(exc)
            if message is not None:
                self.post_message(message)
                return None
            self.say(refusal(exc), error=True)
            return None

    def action_back(self) -> None:
        self.dismiss(None)

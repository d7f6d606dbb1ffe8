"""Logging in: which server, login and password, and the demo accounts.

The screen owns only the form. Logging in runs in a worker; every failure is
said inside the form (wrong password, throttled, server unreachable) rather
than in a toast that vanishes. Success is reported upward with `LoggedIn`,
and the app decides where to go (the diary, or a forced password change).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client.errors import ClientError, NotLoggedIn, ServerUnreachable, Throttled
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import LoginResult
from ediary_tui.i18n import _, error_message, server_text
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.keys import LocalisedKeys

DEMO_PASSWORD = "demo"  # the embedded demo school's password for every account


class LoginScreen(LocalisedKeys, Screen[None]):
    """The login form; `message` explains why it is shown (the session ended)."""

    CSS_PATH = "login.tcss"
    AUTO_FOCUS = "#login"
    # Printable keys belong to the inputs here, so the keys shown are ctrl and F keys.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "app.help", "keys.help"),
        Binding("ctrl+q", "app.quit", "keys.quit", priority=True),
    ]

    @dataclass
    class LoggedIn(Message):
        """The server accepted the login; the token is stored."""

        result: LoginResult

    def __init__(
        self,
        session: DiarySession,
        *,
        demo_accounts: list[tuple[str, str]] | None = None,
        message: str | None = None,
        login: str | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.demo_accounts = demo_accounts or []
        self.message = message
        self.initial_login = login or ""

    def compose(self) -> ComposeResult:
        server = self.session.server
        with Vertical(id="box") as box:
            box.border_title = _("app.title")
            where = _("login.demo_server") if self.demo_accounts else server
            yield Label(Content(_("login.server", server=where)), id="server")
            yield Banner(id="notice")
            with Grid(id="fields"):
                yield Label(_("login.login"), classes="field-label")
                yield Input(
                    self.initial_login,
                    placeholder=_("login.login_placeholder"),
                    id="login",
                    select_on_focus=False,
                )
                yield Label(_("login.password"), classes="field-label")
                yield Input(
                    placeholder=_("login.password_placeholder"), password=True, id="password"
                )
            yield Static(id="error", markup=False)
            yield Button(_("login.submit"), variant="primary", id="submit")
            if self.demo_accounts:
                yield Label(_("login.demo_title", password=DEMO_PASSWORD), id="demo-title")
                yield OptionList(
                    *(
                        Option(Content(f"{login:<8} {self._demo_text(login, text)}"), id=login)
                        for login, text in self.demo_accounts
                    ),
                    id="demo",
                )
        yield Footer()

    @staticmethod
    def _demo_text(login: str, text: str) -> str:
        """The demo account's description in the user's language when we know it."""
        return server_text(f"demo_account.{login}", text)

    def on_mount(self) -> None:
        self.query_one("#error").display = False
        if self.message:
            self.query_one(Banner).show(self.message, "warning")
        if self.initial_login:
            self.query_one("#password", Input).focus()

    def show_message(self, message: str) -> None:
        """Say why the user is back here (the session ended, logged out)."""
        self.query_one(Banner).show(message, "warning")

    # -- the form ---------------------------------------------------------------

    def _error(self, text: str | None) -> None:
        error = self.query_one("#error", Static)
        error.update(Content(text or ""))
        error.display = bool(text)

    @on(Input.Submitted, "#login")
    def _login_entered(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        login = self.query_one("#login", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not login:
            self._error(_("login.need_login"))
            self.query_one("#login", Input).focus()
        elif not password:
            self._error(_("login.need_password"))
            self.query_one("#password", Input).focus()
        else:
            self._log_in(login, password)

    @on(OptionList.OptionSelected, "#demo")
    def _demo_chosen(self, event: OptionList.OptionSelected) -> None:
        login = event.option.id or ""
        self.query_one("#login", Input).value = login
        self.query_one("#password", Input).value = DEMO_PASSWORD
        self._log_in(login, DEMO_PASSWORD)

    @work(exclusive=True, group="login")
    async def _log_in(self, login: str, password: str) -> None:
        """Ask the server; say what went wrong in the form, or report success upward."""
        self._error(None)
        submit = self.query_one("#submit", Button)
        submit.disabled = True
        submit.label = _("login.busy")
        try:
            result = await self.session.login(login, password)
        except Throttled as exc:
            self._error(_("login.throttled", seconds=exc.retry_after))
        except NotLoggedIn as exc:
            self._error(error_message(exc.code, exc.message))
            password_input = self.query_one("#password", Input)
            password_input.value = ""
            password_input.focus()
        except ServerUnreachable:
            self._error(_("login.unreachable", server=self.session.server))
        except ClientError as exc:
            self._error(error_message(exc.code, exc.message))
        else:
            self.post_message(self.LoggedIn(result))
        finally:
            submit.disabled = False
            submit.label = _("login.submit")

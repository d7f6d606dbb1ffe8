"""Logging in: which server, login and password, and the demo accounts.

The screen owns only the form. Logging in runs in a worker; every failure is
said inside the form (wrong password, throttled, server unreachable) rather
than in a toast that vanishes. Success is reported upward with `LoggedIn`,
and the app decides where to go (the diary, or a forced password change).

A real diary asks for what its service needs (`session.info.sign_in`): login
and password, then the one-time code when the service sends one; or a token
copied from the browser, with a paragraph on where to find it. Where a
service takes both, ctrl+t switches between them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client.errors import (
    ClientError,
    CodeRequired,
    NotLoggedIn,
    ServerUnreachable,
    Throttled,
)
from ediary_tui.client.service import SignInMethod
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import LoginResult
from ediary_tui.i18n import _, error_message, server_text, wait_text
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.keys import LocalisedKeys

DEMO_PASSWORD = "demo"  # the embedded demo school's password for every account
PASSWORD, CODE, TOKEN = "password", "code", "token"  # the form's modes


class LoginScreen(LocalisedKeys, Screen[None]):
    """The login form; `message` explains why it is shown (the session ended)."""

    CSS_PATH = "login.tcss"
    AUTO_FOCUS = "#login"
    # Printable keys belong to the inputs here, so the keys shown are ctrl and F keys.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "app.help", "keys.help"),
        Binding("ctrl+t", "other_way", "login.key_other_way"),
        Binding("ctrl+q", "app.quit", "keys.quit", priority=True),
    ]

    # How the form asks: login and password, the one-time code after them, or a token.
    mode: var[str] = var(PASSWORD, init=False)

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
        hint: str | None = None,
        notice: str | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.demo_accounts = demo_accounts or []
        self.message = message
        self.notice = notice  # where the login will be kept, said in the form (wrapped to it)
        self.initial_login = login or ""
        self.hint = hint  # a recording's login, said under the server
        methods = session.info.sign_in
        self.set_reactive(LoginScreen.mode, PASSWORD if SignInMethod.PASSWORD in methods else TOKEN)

    def _where(self) -> str:
        info = self.session.info
        if self.demo_accounts:
            return _("login.server", server=_("login.demo_server"))
        if info.read_only:
            return _("login.service", service=info.title, server=self.session.server)
        return _("login.server", server=self.session.server)

    def compose(self) -> ComposeResult:
        info = self.session.info
        with Vertical(id="box") as box:
            box.border_title = _("app.title")
            yield Label(Content(self._where()), id="server")
            if self.hint:
                yield Label(Content(_("login.recording", hint=self.hint)), id="hint")
            yield Banner(id="notice")
            with Grid(id="code-fields"):
                yield Label(_("login.code"), classes="field-label")
                yield Input(
                    placeholder=_("login.code_placeholder"),
                    id="code",
                    restrict=r"[0-9 ]*",
                    max_length=12,
                )
            with Grid(id="token-fields"):
                yield Label(_("login.token"), classes="field-label")
                yield Input(placeholder=_("login.token_placeholder"), password=True, id="token")
            if info.token_help:
                yield Static(Content(_(info.token_help)), id="token-help")
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
            if len(info.sign_in) > 1:
                yield Label(id="other-way")
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
        elif self.notice:
            self.query_one(Banner).show(self.notice, "info")
            self.query_one("#box").add_class("-notice")  # its lines come off the spacing
        self._show_mode()
        if self.mode != PASSWORD:  # a service signed in to by token only
            self.query_one("#token", Input).focus()
        elif self.initial_login:
            self.query_one("#password", Input).focus()

    def watch_mode(self, old: str, new: str) -> None:
        self._error(None)
        if old == CODE:  # "the code was sent" no longer holds
            self.query_one(Banner).hide()
        self._show_mode()
        self.query_one({PASSWORD: "#login", CODE: "#code", TOKEN: "#token"}[self.mode]).focus()

    def _show_mode(self) -> None:
        mode = self.mode
        self.query_one("#fields").display = mode == PASSWORD
        self.query_one("#code-fields").display = mode == CODE
        self.query_one("#token-fields").display = mode == TOKEN
        for help_text in self.query("#token-help"):
            help_text.display = mode == TOKEN
        for other in self.query("#other-way").results(Label):
            key = "login.use_password" if mode == TOKEN else "login.use_token"
            other.update(Content(_(key)))
            other.display = mode != CODE
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "other_way":
            return len(self.session.info.sign_in) > 1 or self.mode == CODE
        return True

    def action_other_way(self) -> None:
        """ctrl+t: a token instead of the password, or back (and out of the code step)."""
        if self.mode == CODE:
            self.mode = PASSWORD
        elif len(self.session.info.sign_in) > 1:
            self.mode = TOKEN if self.mode == PASSWORD else PASSWORD

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
    @on(Input.Submitted, "#code")
    @on(Input.Submitted, "#token")
    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        if self.mode == CODE:
            code = self.query_one("#code", Input).value.replace(" ", "")
            if not code:
                self._error(_("login.need_code"))
            else:
                self._send(lambda: self.session.login_code(code))
            return
        if self.mode == TOKEN:
            token = self.query_one("#token", Input).value.strip()
            if not token:
                self._error(_("login.need_token"))
            else:
                self._send(lambda: self.session.login_token(token))
            return
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

    def _log_in(self, login: str, password: str) -> None:
        self._send(lambda: self.session.login(login, password))

    def _clear_secret(self) -> None:
        """After a refusal the secret field is empty and has the focus, ready for a new try."""
        field = self.query_one(
            {PASSWORD: "#password", CODE: "#code", TOKEN: "#token"}[self.mode], Input
        )
        field.value = ""
        field.focus()

    @work(exclusive=True, group="login")
    async def _send(self, sign_in: Callable[[], Awaitable[LoginResult]]) -> None:
        """Ask the service; say what went wrong in the form, or report success upward."""
        self._error(None)
        submit = self.query_one("#submit", Button)
        submit.disabled = True
        submit.label = _("login.busy")
        try:
            result = await sign_in()
        except CodeRequired as exc:  # the service sent a one-time code: the form asks for it
            self.mode = CODE
            self.query_one("#code", Input).value = ""
            self._error(None)
            self.query_one(Banner).show(_("login.code_sent", where=exc.message), "information")
        except Throttled as exc:
            self._error(_("login.throttled", wait=wait_text(exc.retry_after)))
            self._clear_secret()  # or the next try is "wrong" and what is typed after it
        except NotLoggedIn as exc:
            self._error(error_message(exc.code, exc.message))
            self._clear_secret()
            if exc.code == "no_attempts_left" and self.mode == CODE:
                self.mode = PASSWORD  # a new code is sent only after the password again
                self._error(error_message(exc.code, exc.message))
        except ServerUnreachable:
            self._error(_("login.unreachable", server=self.session.server))
        except ClientError as exc:
            self._error(error_message(exc.code, exc.message))
        else:
            self.post_message(self.LoggedIn(result))
        finally:
            submit.disabled = False
            submit.label = _("login.submit")

"""The Textual app: which screen is up, the session's lifecycle, global keys.

The app is handed the client objects built once (`AppContext`) and passes
each screen what it uses. It decides between the login and the diary at
start (a remembered token paints the diary from the cache at once and resumes
the session in a worker), reacts to what screens report upward (logged in,
password changed, session ended), tells the screens what happened app-wide
through two signals (`user_signal`: the server's word on who is logged in
after a resume; `news_signal`: news arrived) rather than walking its screen
stack, and offers every key of the current screen in the command palette as
well as in the footer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import ActiveBinding, Binding, BindingType
from textual.command import Hit, Hits, Provider
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.signal import Signal
from textual.system_commands import SystemCommandsProvider
from textual.timer import Timer
from textual.widgets import Static

from ediary_tui.client.capabilities import Can
from ediary_tui.client.changes import ChangeFollower
from ediary_tui.client.errors import ClientError, PasswordChangeRequired
from ediary_tui.client.session import Backoff, DiarySession
from ediary_tui.clock import Clock, set_school_zone
from ediary_tui.context import AppContext
from ediary_tui.domain.attendance import JOURNAL_LETTERS
from ediary_tui.domain.models import Change, Role, User
from ediary_tui.i18n import _, has, localise_text, refusal_text, school_zone_note, set_language
from ediary_tui.screens.account.login import LoginScreen
from ediary_tui.screens.account.password import PasswordScreen
from ediary_tui.screens.admin.base import AdminScreen
from ediary_tui.screens.admin.people import PeopleScreen
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.screens.events import PasswordRequired, SessionEnded
from ediary_tui.screens.journal.screen import JournalScreen
from ediary_tui.screens.messages.news import WhatsNewScreen, badge, notify_news
from ediary_tui.screens.messages.threads import MessagesScreen
from ediary_tui.screens.messages.unread import UnreadCount
from ediary_tui.widgets.dialogs import ConfirmModal
from ediary_tui.widgets.keys import LocalisedKeys
from ediary_tui.widgets.keys import key as layout_key
from ediary_tui.widgets.type_ahead import TypeAhead

POLL_SECONDS = 30.0  # how often the change feed is asked what is new
STAFF = frozenset({Role.TEACHER, Role.CLASS_TEACHER, Role.ADMIN})


def is_staff(user: User) -> bool:
    """Teachers, class teachers and admins work in the journal; families read the diary."""
    return bool(STAFF & set(user.roles))


@dataclass(frozen=True)
class KeyHelp:
    """One action of a screen as help and the command palette show it."""

    keys: str  # "[ ←": the keys that do it, Russian-layout twins left out
    description: str
    action: str
    node: DOMNode


# Textual's own chores: true everywhere, so not worth a line of help.
_CHORES = {"focus_next", "focus_previous", "copy", "copy_text", "help_quit", "maximize"}


class HelpScreen(LocalisedKeys, ModalScreen[None]):
    """The keys of the screen below and how to read the diary."""

    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q,f1", "dismiss", "keys.close")
    ]

    def __init__(self, keys: list[KeyHelp]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help") as box:
            box.border_title = _("help.title")
            with Grid(id="help-keys"):
                for key in self.keys:
                    yield Static(Content.assemble((key.keys, "bold $text-accent")), classes="key")
                    yield Static(Content(key.description), classes="what")
            letters = ", ".join(
                f"{letter} {_(f'attendance.{code.value}')}"
                for code, letter in JOURNAL_LETTERS.items()
            )
            yield Static(Content(_("help.legend", letters=letters)), id="help-legend")


class ScreenCommands(SystemCommandsProvider):
    """The palette's commands, found by their words and by the screen they belong to."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback, *_rest in self.app.get_system_commands(self.screen):
            if (score := max(matcher.match(name), matcher.match(help_text) * 0.5)) > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class EdiaryApp(TypeAhead, App[None]):
    """The electronic diary in the terminal."""

    CSS_PATH = "app.tcss"
    HOLD_FOR = frozenset({"login"})  # keys typed after ⏎ on the login wait for its answer
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "keys.help"),
        Binding("q", "quit", show=False),
        Binding("ctrl+q", "quit", "keys.quit", show=False, priority=True),
        # Before the focused widget sees the key, not after it bubbled back up: the keys of
        # a burst (login, Tab, password, Enter in one read) are queued already and go to
        # whoever has the focus when each is handled.
        Binding("tab", "focus_next", show=False, priority=True),
        Binding("shift+tab", "focus_previous", show=False, priority=True),
        # The school's administration: only for its admin (check_action), from any screen.
        layout_key("A", "admin", "admin.key_open"),
    ]

    def __init__(
        self,
        context: AppContext,
        *,
        lang: str = "en",
        demo_accounts: list[tuple[str, str]] | None = None,
        notice: str | None = None,
        login_hint: str | None = None,
    ) -> None:
        set_language(lang)
        super().__init__()
        self.context = context
        self.demo_accounts = demo_accounts
        self.notice = notice
        self.login_hint = login_hint  # a recording's login and password, said on the login
        self.title = _("app.title")
        self._badges = (0, 0)
        self.user_signal: Signal[User] = Signal(self, "user")
        """The server's word on who is logged in, after a start resumed the session."""
        self.news_signal: Signal[list[Change]] = Signal(self, "news")
        """News arrived from the change feed (oldest first)."""
        self.backoff = Backoff()  # the waits between tries to reach a lost server
        self._reconnecting: Timer | None = None

    @property
    def session(self) -> DiarySession:
        return self.context.session

    @property
    def follower(self) -> ChangeFollower:
        return self.context.follower

    @property
    def clock(self) -> Clock:
        return self.context.clock

    @property
    def today(self) -> dt.date:
        """The pinned date (tests, snapshots) or the clock's."""
        return self.context.today

    # -- start -------------------------------------------------------------------

    def on_mount(self) -> None:
        # A cached user means a token is kept for them: paint the diary before any network.
        user = self.session.cached_user()
        if user is not None:
            home = self._home_screen(user, fetch=False)
            self.push_screen(home)
            # After the cached week is on screen (and follows the signals): the first request
            # loads the embedded server stack (~0.7 s of imports), which must not delay that frame.
            home.call_later(self.call_after_refresh, self._resume)
        else:
            self.push_screen(self._login_screen(notice=self.notice))
            if self.notice:  # said in the form, once: later starts keep quiet about it
                self.session.credentials.notice_shown()
        self.notice = None
        self.set_interval(POLL_SECONDS, self.follow_changes)
        self.session.on_lost = self._server_lost

    async def on_unmount(self) -> None:
        """The client's connections live in this app's event loop: close them with it."""
        await self.context.aclose()

    def _login_screen(self, message: str | None = None, notice: str | None = None) -> LoginScreen:
        return LoginScreen(
            self.session,
            demo_accounts=self.demo_accounts,
            message=message,
            hint=self.login_hint,
            notice=notice,
        )

    def _home_screen(self, user: User, *, fetch: bool = True) -> Screen[None]:
        """Where a user lands: the school's staff on the journal, families on the week.

        The screen hears of a resumed user and of news through the app's signals,
        to which it subscribes itself when it mounts.
        """
        context = self.context
        # Every time is shown on the school's clocks; said once if this computer's differ.
        if set_school_zone(user.timezone) and (note := school_zone_note(self.clock())):
            self.notify(note, timeout=10)
        if is_staff(user):
            return JournalScreen(
                self.session,
                user,
                today=self.today,
                clock=self.clock,
                journal=context.journal,
                sender=context.sender,
                fetch=fetch,
            )
        return WeekScreen(self.session, user, today=self.today, clock=self.clock, fetch=fetch)

    def _replace(self, screen: Screen[None]) -> None:
        """Make `screen` the only one (modals and the old base screen go)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(screen)

    @work(exclusive=True, group="session")
    async def _resume(self) -> None:
        """Check the remembered token while the diary already shows the cache."""
        try:
            user = await self.session.resume()
        except PasswordChangeRequired:
            self.push_screen(PasswordScreen(self.session))
            return
        except ClientError as exc:
            self.notify(refusal_text(exc), severity="error")
            return
        if user is None:
            self.session_ended()
            return
        self.user_signal.publish(user)
        self.follow_changes()

    def session_ended(self, message: str | None = None) -> None:
        """Back to the login, saying why (a real diary's sign-in lasts only so long)."""
        info = self.session.info
        text = message or (
            _("login.service_ended", service=info.title)
            if info.read_only
            else _("login.session_ended")
        )
        if isinstance(self.screen, LoginScreen):
            self.screen.show_message(text)
        else:
            self._replace(self._login_screen(text))

    def _show_diary(self) -> None:
        user = self.session.user or self.session.cached_user()
        if user is None:  # cannot happen after a successful login; be safe anyway
            self._replace(self._login_screen())
        else:
            self._replace(self._home_screen(user))
            self.follow_changes()

    # -- what screens report -----------------------------------------------------

    @on(LoginScreen.LoggedIn)
    def _logged_in(self, event: LoginScreen.LoggedIn) -> None:
        if event.result.must_change_password:
            self.push_screen(PasswordScreen(self.session))
        else:
            self._show_diary()

    @on(PasswordScreen.Changed)
    def _password_changed(self) -> None:
        self.notify(_("password.changed"))
        self._show_diary()

    @on(PasswordScreen.Cancelled)
    def _password_cancelled(self) -> None:
        self.action_logout()

    @on(SessionEnded)
    def _session_ended(self) -> None:
        self.session_ended()

    @on(PasswordRequired)
    def _password_required(self) -> None:
        if not isinstance(self.screen, PasswordScreen):
            self.push_screen(PasswordScreen(self.session))

    @on(MessagesScreen.Unread)
    def _unread_changed(self, event: MessagesScreen.Unread) -> None:
        self.follower.set_unread_messages(event.threads)
        self._show_counts()

    @on(WhatsNewScreen.Seen)
    def _news_seen(self) -> None:
        self._show_counts()

    # -- the connection ------------------------------------------------------------

    def _server_lost(self) -> None:
        """A call found the server unreachable: try again by itself, waiting longer each time."""
        if self._reconnecting is None:
            self._reconnecting = self.set_timer(self.backoff.next_delay(), self._try_reconnect)

    def _try_reconnect(self) -> None:
        self._reconnect()

    @work(exclusive=True, group="reconnect")
    async def _reconnect(self) -> None:
        """One try: back, say so and refresh what is shown; still lost, wait longer."""
        if self.session.user is None and self.session.cached_user() is None:
            self._reconnecting = None  # logged out meanwhile: the login form says what fails
            return
        if not await self.session.reachable():
            self._reconnecting = self.set_timer(self.backoff.next_delay(), self._try_reconnect)
            return
        self._reconnecting = None
        self.backoff.reset()
        self.notify(_("app.connected_again"))
        for screen in self.screen_stack:  # each fetches afresh (and drops its offline banner)
            refresh = getattr(screen, "action_refresh", None)
            if callable(refresh):
                refresh()
        self.follow_changes()

    # -- what's new ----------------------------------------------------------------

    @work(exclusive=True, group="changes")
    async def follow_changes(self) -> None:
        """Ask the change feed what is new (every POLL_SECONDS and after a login), and say it."""
        user = self.session.user
        if user is None or not self.session.can(Can.CHANGE_FEED):
            return  # a real diary has no feed: its screens are fetched when they open
        try:
            news = await self.follower.poll()
        except ClientError:  # offline or logged out: the screens say so; the next poll retries
            self._show_counts()
            return
        notify_news(self, news, user)
        self._show_counts()
        if news:
            self.news_signal.publish(news)

    def _show_counts(self) -> None:
        """Unread messages and unseen news: after the keys that open them, and as sub-title."""
        messages = self.follower.unread_messages or 0
        news = self.follower.unseen
        parts = [_("news.sub_title_messages", count=messages)] if messages else []
        parts += [_("news.sub_title_news", count=news)] if news else []
        self.sub_title = " · ".join(parts)
        self._badges = (messages, news)
        for screen in self.screen_stack:  # their footers, and the count in their top bars
            screen.refresh_bindings()
            for count in screen.query(UnreadCount):
                count.show(messages)

    def key_badge(self, binding: Binding) -> Binding:
        """Unread messages and unseen news on the keys that open them (see `badge`)."""
        messages, news = self._badges
        return badge(binding, messages=messages, news=news)

    # -- actions -----------------------------------------------------------------

    @work(exclusive=True, group="session")
    async def action_logout(self) -> None:
        """Forget the token (and tell the server if it can be reached)."""
        await self.session.logout()
        self._replace(self._login_screen(_("login.logged_out")))

    def unsent(self) -> int:
        """Journal entries of the user the server has not acknowledged yet (kept in the outbox)."""
        if self.session.user is None and self.session.cached_user() is None:
            return 0
        return self.context.journal.count_pending()

    async def action_quit(self) -> None:
        """Quit (q, ctrl+q, the palette); with journal entries unsent, ask first."""
        pending = self.unsent()
        if not pending:
            self.exit()
            return
        if isinstance(self.screen, ConfirmModal):
            return  # already asking

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        question = _("journal.quit_question", count=pending)
        self.push_screen(ConfirmModal(question, _("journal.quit_yes")), answered)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "admin":
            user = self.session.user or self.session.cached_user()
            is_admin = user is not None and Role.ADMIN in user.roles
            return is_admin and not any(isinstance(s, AdminScreen) for s in self.screen_stack)
        return True

    def action_admin(self) -> None:
        """The administration's first screen (people) over the journal."""
        if self.check_action("admin", ()):
            self.push_screen(PeopleScreen(self.session, today=self.today))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keys_of(self.screen)))

    def keys_of(self, screen: Screen[object]) -> list[KeyHelp]:
        """The enabled actions of `screen` that have a description, with all their keys."""
        found: dict[str, tuple[list[str], ActiveBinding]] = {}
        own = screen.own_keys if isinstance(screen, LocalisedKeys) else None
        for key, active in screen.active_bindings.items():
            binding = active.binding
            action = binding.action.removeprefix("app.").removeprefix("screen.")
            if not binding.description or not active.enabled or action in _CHORES:
                continue
            if own is not None and key not in own:
                continue  # a Textual widget's own key ("Scroll Left"): not ours to explain
            keys, _first = found.setdefault(action, ([], active))
            if binding.key_display:  # one display for several keys, as "1-5" in the footer
                keys[:] = [binding.key_display]
            elif key.isascii() and len(keys) < 2:  # "х" is "[" on a Russian layout: said once
                keys.append(self.get_key_display(binding.with_key(key)))
        listed = [
            KeyHelp(" ".join(keys), first.binding.description, first.binding.action, first.node)
            for keys, first in found.values()
            if keys
        ]
        # Help may lead a crowded footer (see widgets.keys.help_first_if_cut), not the list.
        return sorted(listed, key=lambda key: key.action == "help")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the screen is also a command in the palette, its screen named under
        it ("Messages · key: n", found by "mess" too: see `ScreenCommands`); then Textual's
        own, in the user's language and our casing (its Quit and Keys are ours: quit, help)."""
        title_key = getattr(screen, "TITLE_KEY", None)
        where = _(title_key) if isinstance(title_key, str) and has(title_key) else None
        for key in self.keys_of(screen):
            if key.action == "command_palette":
                continue
            hint = _("palette.key", key=key.keys)
            if where and key.node is not self:
                hint = _("palette.key_on", screen=where, key=key.keys)
            yield SystemCommand(
                key.description, hint, partial(self.run_action, key.action, key.node)
            )
        for command in super().get_system_commands(screen):
            if command.title not in _TEXTUAL_DONE:
                yield command._replace(
                    title=lowercase_first(localise_text(command.title)),
                    help=localise_text(command.help),
                )

    def action_help_quit(self) -> None:
        """ctrl+c copies in a text box; anywhere, say how to quit, in the user's language."""
        quit_keys = [
            k for k, a in self.active_bindings.items() if a.binding.action in ("quit", "app.quit")
        ]
        if quit_keys:
            shown = self.get_key_display(Binding(quit_keys[0], "quit"))
            self.notify(_("app.how_to_quit", key=shown), title=_("app.quit_question"))

    def get_key_display(self, binding: Binding) -> str:
        """Textual's names of keys, in the user's language where it has a word ("пробел")."""
        shown = super().get_key_display(binding)
        return _(f"key_names.{shown}") if has(f"key_names.{shown}") else shown


def lowercase_first(text: str) -> str:
    """Textual's commands ("Theme") in the casing of ours ("next week", "theme")."""
    return text[:1].lower() + text[1:]


_TEXTUAL_DONE = {"Quit", "Keys"}  # Textual's palette commands that ours (quit, help) do

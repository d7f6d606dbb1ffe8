"""The class teacher's credentials window (i): the class's families, first-login passwords.

It lists the class's families with whether each person has chosen their own
password, and issues first-login credentials for one family, for those not
yet in, or for everyone (a reset). The one-time passwords it gets live on
screen and, if the teacher saves them for printing, in one file only its owner
can read (written by client.exports, in the export folder unless another is
typed); never in the offline cache.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path, PurePath
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.export_formats import credentials_name, credentials_text
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import ClassFamilies, IssuedCredentials
from ediary_tui.i18n import _, date_time, for_person
from ediary_tui.screens.classes.families import (
    EVERYONE,
    FAMILY,
    NOT_YET,
    Scope,
    family_table,
    issued_table,
    lined_up,
    people_of,
    scopes,
)
from ediary_tui.screens.classes.writing import refusal, sentence
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.dialogs import DIALOG_SHEET, ConfirmModal, Window
from ediary_tui.widgets.keys import key


class CredentialsScreen(Window[None]):
    """The class's families and their accounts; first-login credentials for the class teacher."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "journal_class.tcss"]
    AUTO_FOCUS = "#families"
    # The second key of each pair is the same key on a Russian (ЙЦУКЕН) layout.
    BINDINGS: ClassVar[list[BindingType]] = [
        key("f", "issue('family')", "class.key_family"),
        key("n", "issue('not_yet')", "class.key_not_yet"),
        key("a", "issue('everyone')", "class.key_everyone"),
        Binding("ctrl+s", "save", "class.key_save", priority=True),
        Binding("ctrl+r", "reload", "class.key_reload", show=False),
        Binding("escape", "close", "keys.close"),
    ]

    def __init__(
        self,
        session: DiarySession,
        class_id: str,
        class_name: str,
        student_id: str | None = None,
        *,
        tz: dt.tzinfo | None = None,
    ) -> None:
        """`tz`: the zone to tell times in (the app's clock's); the computer's if None."""
        super().__init__()
        self.session = session
        self.class_id = class_id
        self.class_name = class_name
        self.student_id = student_id
        self.tz = tz
        self.found: ClassFamilies | None = None
        self.failed = False  # the list could not be loaded
        self.issuing = False
        self.issued: IssuedCredentials | None = None
        self.saved_to: Path | None = None
        # One key per kind of issue until it succeeds: a retry after a lost answer gets
        # the same passwords back instead of a second set.
        self.keys: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("class.credentials_title", class_name=self.class_name)
            with Vertical(id="overview"):
                yield Static(id="families-head", classes="head", markup=False)
                yield OptionList(id="families", classes="table")
                yield Static(id="summary", markup=False)
                with Horizontal(id="choices"):
                    yield Button(id="family", compact=True)
                    yield Button(id="not_yet", compact=True)
                    yield Button(id="everyone", variant="warning", compact=True)
            with Vertical(id="result"):
                yield Static(id="issued-summary", markup=False)
                yield Static(id="issued-head", classes="head", markup=False)
                yield OptionList(id="issued", classes="table")
                yield Static(id="path-prompt", markup=False)
                yield Input(id="path", compact=True)
                with Horizontal(id="save-row"):
                    yield Button(_("class.save"), variant="primary", id="save", compact=True)
                    yield Static(_("class.issued_hint"), id="save-hint", markup=False)
            yield Static(id="status", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#result").display = False
        self.query_one("#choices").display = False
        self.query_one("#families-head").display = False
        self.say(_("class.loading_class"))
        self._load()

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")
        status.display = bool(text)

    # -- the families --------------------------------------------------------------

    @work(exclusive=True, group="families")
    async def _load(self) -> None:
        try:
            found = await self.session.send(lambda api: api.families(self.class_id))
        except ServerUnreachable:
            self.failed = self.found is None
            self.say(_("class.class_offline"), error=True)
            self.refresh_bindings()
            return
        except ClientError as exc:
            self.failed = self.found is None
            self.say(refusal(exc), error=True)
            self.refresh_bindings()
            return
        self.failed = False
        self._show_families(found)

    def _show_families(self, found: ClassFamilies) -> None:
        """Each student, then their parents: who, login, whether in, the full name."""
        self.found = found
        rows, ids = family_table(found)
        first, *lines = lined_up(rows)
        heading = self.query_one("#families-head", Static)
        heading.update(first)
        heading.display = True
        listing = self.query_one("#families", OptionList)
        listing.set_options(Option(line, id=id) for line, id in zip(lines, ids, strict=True))
        if self.student_id in ids:
            listing.highlighted = ids.index(self.student_id)
        elif ids:
            listing.highlighted = 0
        waiting = sum(not m.activated for m in people_of(found))
        parents = {p.id for f in found.families for p in f.parents}
        self.query_one("#summary", Static).update(
            Content(
                _(
                    "class.summary",
                    students=len(found.families),
                    parents=len(parents),
                    waiting=waiting,
                )
            )
        )
        self._show_choices()
        self.refresh_bindings()

    def _show_choices(self) -> None:
        found = self.found
        choices = self.query_one("#choices")
        if found is None:
            return
        if not found.can_issue:
            choices.display = False
            self.say(_("class.cannot_issue", class_name=self.class_name), error=True)
            return
        chosen = scopes(found, self.student_id)
        family = self.query_one("#family", Button)
        family.display = FAMILY in chosen
        family.disabled = self.issuing
        if FAMILY in chosen:
            family.label = _("class.choice_family", student=self._student_short())
        not_yet = self.query_one("#not_yet", Button)
        not_yet.label = _("class.choice_not_yet", count=chosen[NOT_YET].people)
        not_yet.disabled = self.issuing or chosen[NOT_YET].people == 0
        everyone = self.query_one("#everyone", Button)
        everyone.label = _("class.choice_everyone", count=chosen[EVERYONE].people)
        everyone.disabled = self.issuing
        choices.display = True
        if not self.issuing:
            self.say("")

    def _student_short(self) -> str:
        return short_name(self._student_full())

    def _student_full(self) -> str:
        found = self.found
        family = next(
            (f for f in (found.families if found else []) if f.student.id == self.student_id),
            None,
        )
        return family.student.full_name if family else ""

    # -- issuing ---------------------------------------------------------------------

    def _may_issue(self) -> bool:
        return (
            self.found is not None
            and self.found.can_issue
            and self.issued is None
            and not self.issuing
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "issue":
            if not self._may_issue() or self.found is None:
                return False
            scope = scopes(self.found, self.student_id).get(str(parameters[0]))
            if scope is None:
                return False
            return True if scope.people else None
        if action == "save":
            return self.issued is not None
        if action == "reload":
            return self.failed
        return True

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id in (FAMILY, NOT_YET, EVERYONE):
            self.action_issue(event.button.id)

    def action_issue(self, name: str) -> None:
        if not self._may_issue() or self.found is None:
            return
        scope = scopes(self.found, self.student_id).get(name)
        if scope is None or not scope.people:
            return
        if name == EVERYONE:
            question = _(
                "class.confirm_everyone",
                count=scope.people,
                class_name=self.class_name,
                active=scope.active,
            )
        elif scope.active:
            question = for_person(
                "class.confirm_family",
                self._student_full(),
                count=scope.active,
                student=self._student_short(),
            )
        else:
            self._issue_now(scope)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._issue_now(scope)

        self.app.push_screen(ConfirmModal(question, _("class.issue")), answered)

    def _issue_now(self, scope: Scope) -> None:
        if not self._may_issue():
            return
        self.issuing = True
        self.refresh_bindings()
        for button in self.query("#choices Button"):
            button.disabled = True
        self.say(_("class.issuing"))
        self._issue(scope, self.keys.setdefault(scope.name, str(uuid.uuid4())))

    @work(exclusive=True, group="issue")
    async def _issue(self, scope: Scope, key: str) -> None:
        try:
            issued = await self.session.send(
                lambda api: api.issue_credentials(self.class_id, scope.request, idempotency_key=key)
            )
        except ClientError as exc:
            self.issuing = False
            self._show_choices()
            if isinstance(exc, ServerUnreachable):
                self.say(_("class.issue_offline"), error=True)
            else:
                self.say(_("class.not_issued", reason=sentence(refusal(exc))), error=True)
            self.refresh_bindings()
            return
        self.keys.pop(scope.name, None)  # done: the next issue is a new one
        self.issuing = False
        if not issued.credentials:
            self._show_choices()
            self.say(_("class.nobody_to_issue"))
            self.refresh_bindings()
            self._load()
            return
        self._show_issued(issued)

    def _show_issued(self, issued: IssuedCredentials) -> None:
        self.issued = issued
        when = date_time(issued.issued_at.astimezone(self.tz))
        self.query_one("#issued-summary", Static).update(
            Content(_("class.issued_summary", count=len(issued.credentials), when=when))
        )
        rows = issued_table(issued)
        first, *lines = lined_up(rows)
        self.query_one("#issued-head", Static).update(first)
        table = self.query_one("#issued", OptionList)
        table.set_options(
            Option(line, id=c.user_id) for line, c in zip(lines, issued.credentials, strict=True)
        )
        table.highlighted = 0
        folder = self.session.exports.folder
        self.query_one("#path-prompt", Static).update(
            Content(_("class.save_prompt", folder=str(folder)))
        )
        name = credentials_name(issued.class_name, issued.issued_at.astimezone(self.tz))
        self.query_one("#path", Input).value = str(folder / name)
        self.query_one("#overview").display = False
        self.query_one("#result").display = True
        self.say("")
        table.focus()
        self.refresh_bindings()

    # -- saving for printing ---------------------------------------------------------

    @on(Input.Submitted, "#path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        issued = self.issued
        if issued is None:
            return
        name = credentials_name(issued.class_name, issued.issued_at.astimezone(self.tz))
        self._save(self.session.exports.target(self.query_one("#path", Input).value, name))

    def _save(self, path: Path, *, replace: bool = False) -> None:
        """Write the sheet; a file already there is replaced only when the teacher says so."""
        issued = self.issued
        if issued is None:
            return
        text = credentials_text(issued, self.session.server, self.tz)
        try:
            self.session.exports.write(path, text, replace=replace)
        except OSError as exc:
            if isinstance(exc, FileExistsError) and not replace:
                self.app.push_screen(
                    ConfirmModal(_("export.replace_question", path=str(path)), _("export.replace")),
                    lambda yes: self._save(path, replace=True) if yes else None,
                )
                return
            reason = exc.strerror or str(exc)
            self.say(_("class.save_failed", path=str(path), reason=reason), error=True)
            return
        self.saved_to = path
        self.say(_("class.saved", path=str(path)))

    # -- leaving ---------------------------------------------------------------------

    def action_reload(self) -> None:
        if self.failed:
            self.say(_("class.loading_class"))
            self._load()

    def action_close(self) -> None:
        """Close; passwords shown and not saved are asked about, as they are not shown again."""
        unsaved = self.issued is not None and self.saved_to is None
        question, yes = _("class.close_unsaved_question"), _("class.close_unsaved")
        self.dismiss_or_ask(unsaved, question, yes)

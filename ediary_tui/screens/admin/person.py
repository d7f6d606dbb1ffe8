"""A person's card: who they are, their class, their children or parents, whether they
have logged in and whether failed logins hold them back; and what the admin does to
them: a new one-time password (asked first, shown once), unlock, link a child, unlink."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.reactive import var
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import LinkIn, PersonCard, PersonHit, Relative, Role
from ediary_tui.i18n import _, date_time, full_date, has
from ediary_tui.screens.admin.base import AdminScreen, role_words
from ediary_tui.screens.admin.windows import LinkChildWindow, PasswordWindow
from ediary_tui.widgets.dialogs import ConfirmModal
from ediary_tui.widgets.keys import key


def relation_word(relation: str) -> str:
    """A link's relation in the admin's language when it is one the imports know
    (parent, mother, legal representative...); anything else as it was written."""
    key = "admin.relation." + relation.strip().lower().replace(" ", "_")
    return _(key) if has(key) else relation


def card_lines(card: PersonCard) -> list[Content]:
    """The card's facts, one a line, the ones the person has."""
    lines = [
        Content.assemble((_("admin.card_login") + " ", "$text-muted"), (card.login, "bold")),
        Content.assemble(
            (_("admin.card_roles") + " ", "$text-muted"), role_words(card.roles, card.full_name)
        ),
    ]
    if card.class_name:
        lines.append(
            Content.assemble((_("admin.card_class") + " ", "$text-muted"), card.class_name)
        )
    if card.leads:
        lines.append(
            Content.assemble((_("admin.card_leads") + " ", "$text-muted"), ", ".join(card.leads))
        )
    if card.teaches:
        lines.append(
            Content.assemble(
                (_("admin.card_teaches") + " ", "$text-muted"), ", ".join(card.teaches)
            )
        )
    if card.birth_date:
        lines.append(
            Content.assemble(
                (_("admin.card_born") + " ", "$text-muted"), full_date(card.birth_date)
            )
        )
    contact = " · ".join(x for x in (card.email, card.phone) if x)
    if contact:
        lines.append(Content.assemble((_("admin.card_contact") + " ", "$text-muted"), contact))
    account = (
        (_("admin.activated"), "$text-success")
        if card.activated
        else (_("admin.not_activated"), "$text-warning")
    )
    lines.append(Content.assemble((_("admin.card_account") + " ", "$text-muted"), account))
    if card.locked_until is not None:
        when = date_time(card.locked_until.astimezone())
        lines.append(Content.styled(_("admin.locked", when=when), "$text-error"))
    return lines


class PersonScreen(AdminScreen):
    """One person of the school, and the admin's actions on them."""

    AUTO_FOCUS = "#relatives"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("r", "reset_password", "admin.key_reset"),
        key("u", "unlock", "admin.key_unlock"),
        key("l", "link", "admin.key_link"),
        key("x,delete", "unlink", "admin.key_unlink"),
        key("escape", "back", "admin.key_back"),
    ]

    card: var[PersonCard | None] = var(None, init=False, always_update=True)
    """The card on show: a fetch or a write's answer sets it, its watcher paints."""

    def __init__(self, session: DiarySession, person_id: str, *, today: dt.date) -> None:
        super().__init__(session, today=today)
        self.person_id = person_id
        self.keys: dict[str, str] = {}  # one Idempotency-Key per action until it succeeds

    def compose(self) -> ComposeResult:
        yield from self.top_bar(_("admin.card_title"))
        yield Static(id="card")
        yield Static(id="relatives-head", classes="head", markup=False)
        yield OptionList(id="relatives", classes="table")
        yield self.status_line()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.say(_("admin.loading"))
        self._load()

    @work(exclusive=True, group="card")
    async def _load(self) -> None:
        card = await self.call(lambda api: api.person(self.person_id))
        if card is not None:
            self.card = card
            self.say("")

    def relatives(self) -> list[Relative]:
        card = self.card
        return [] if card is None else [*card.children, *card.parents]

    def watch_card(self, card: PersonCard | None) -> None:
        if card is None:
            return
        self.where(card.full_name)
        self.query_one("#card", Static).update(Content("\n").join(card_lines(card)))
        head = self.query_one("#relatives-head", Static)
        if card.children:
            head.update(Content(_("admin.children")))
        elif card.parents:
            head.update(Content(_("admin.parents")))
        else:
            head.update(Content(_("admin.no_relatives")))
        listing = self.query_one("#relatives", OptionList)
        listing.set_options(
            Option(
                Content.assemble(
                    (r.full_name, "bold"),
                    f"  {r.login}  {r.class_name or ''}  ",
                    (relation_word(r.relation), "$text-muted"),
                ),
                id=r.id,
            )
            for r in self.relatives()
        )
        if listing.option_count:
            listing.highlighted = 0
        self.refresh_bindings()

    def _highlighted(self) -> Relative | None:
        listing = self.query_one("#relatives", OptionList)
        index = listing.highlighted
        found = self.relatives()
        return found[index] if index is not None and index < len(found) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        card = self.card
        if action in ("reset_password", "unlock"):
            return card is not None
        if action == "link":
            return card is not None and Role.STUDENT not in card.roles
        if action == "unlink":
            return card is not None and bool(self.relatives())
        return True

    @on(OptionList.OptionSelected, "#relatives")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.push_screen(PersonScreen(self.session, event.option.id, today=self.today))

    # -- a new password --------------------------------------------------------------

    def action_reset_password(self) -> None:
        card = self.card
        if card is None:
            return
        question = _("admin.confirm_reset", name=card.full_name, login=card.login)

        def answered(yes: bool | None) -> None:
            if yes:
                self._reset(self.keys.setdefault("reset", str(uuid.uuid4())))

        self.app.push_screen(ConfirmModal(question, _("admin.reset")), answered)

    @work(exclusive=True, group="write")
    async def _reset(self, idempotency_key: str) -> None:
        self.say(_("admin.resetting"))
        issued = await self.call(
            lambda api: api.reset_password(self.person_id, idempotency_key=idempotency_key)
        )
        if issued is None:
            return
        self.keys.pop("reset", None)
        self.say(_("admin.reset_done", login=issued.login))
        self.app.push_screen(PasswordWindow(issued))
        self._load()

    # -- unlock ----------------------------------------------------------------------

    def action_unlock(self) -> None:
        if self.card is not None:
            self._unlock(self.keys.setdefault("unlock", str(uuid.uuid4())))

    @work(exclusive=True, group="write")
    async def _unlock(self, idempotency_key: str) -> None:
        done = await self.call(
            lambda api: api.unlock(self.person_id, idempotency_key=idempotency_key)
        )
        if done is None:
            return
        self.keys.pop("unlock", None)
        card = await self.call(lambda api: api.person(self.person_id))
        if card is not None:
            self.card = card
        self.say(_("admin.unlocked", login=done.login, what="; ".join(done.lifted)))

    # -- children --------------------------------------------------------------------

    def action_link(self) -> None:
        card = self.card
        if card is None or Role.STUDENT in card.roles:
            return

        def chosen(child: PersonHit | None) -> None:
            if child is not None:
                self._link(child, str(uuid.uuid4()))

        self.app.push_screen(LinkChildWindow(self.session, card.full_name), chosen)

    @work(exclusive=True, group="write")
    async def _link(self, child: PersonHit, idempotency_key: str) -> None:
        body = LinkIn(student_id=child.id)
        card = await self.call(
            lambda api: api.link_child(self.person_id, body, idempotency_key=idempotency_key)
        )
        if card is not None:
            self.card = card
            self.say(_("admin.linked", child=child.full_name))

    def action_unlink(self) -> None:
        card, relative = self.card, self._highlighted()
        if card is None or relative is None:
            return
        if relative in card.children:
            parent, child, name = card.id, relative.id, relative.full_name
            question = _("admin.confirm_unlink", parent=card.full_name, child=relative.full_name)
        else:
            parent, child, name = relative.id, card.id, relative.full_name
            question = _("admin.confirm_unlink", parent=relative.full_name, child=card.full_name)

        def answered(yes: bool | None) -> None:
            if yes:
                self._unlink(parent, child, name)

        self.app.push_screen(ConfirmModal(question, _("admin.unlink")), answered)

    @work(exclusive=True, group="write")
    async def _unlink(self, parent: str, child: str, name: str) -> None:
        done = await self.call(lambda api: api.unlink_child(parent, child))
        if done is None:
            return
        card = await self.call(lambda api: api.person(self.person_id))
        if card is not None:
            self.card = card
            self.say(_("admin.unlinked", name=name))

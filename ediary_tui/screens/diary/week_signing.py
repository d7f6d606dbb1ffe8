"""A parent signs their child's week: the line that says whether it is signed, the key
that asks, and the worker that sends the signature (`WeekScreen` is what signs)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.content import Content
from textual.message import Message
from textual.widgets import Label

from ediary_tui.client.capabilities import Can
from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.domain.models import Role, Signature
from ediary_tui.i18n import _, date_time, error_message, week_range
from ediary_tui.screens.diary.week_links import WeekLinks
from ediary_tui.screens.events import session_message
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.dialogs import ConfirmModal

if TYPE_CHECKING:
    from ediary_tui.client.reads import Cached
    from ediary_tui.domain.models import Week


def signable_from(week: Week) -> dt.datetime:
    """When the week's last lesson ends: the server takes a signature from then on (the
    day after the week when it has no lessons)."""
    ends = [lesson.ends_at for day in week.days for lesson in day.lessons]
    if ends:
        return max(ends)
    return dt.datetime.combine(week.end + dt.timedelta(days=1), dt.time(0, 0), dt.UTC)


def changed_since_signed(week: Week) -> list[str]:
    """What was given or changed in the week after the parent signed it: "Алгебра 5", and
    "homework: Физика" (nothing when unsigned)."""
    at = week.signed_at
    if week.signed_by is None or at is None:
        return []
    what: list[str] = []
    for day in week.days:
        for lesson in day.lessons:
            subject = lesson.subject.name
            for mark in lesson.marks:
                if mark.updated_at > at:
                    value = "•" if mark.value is None else str(mark.value)
                    what.append(f"{subject} {value}")
            if any(hw.updated_at > at for hw in lesson.homework):
                what.append(_("week.changed_homework", subject=subject))
    return what


class WeekSigning(WeekLinks):
    """The signing half of the week screen."""

    if TYPE_CHECKING:
        week: Week | None
        loaded: Cached[Week] | None

    def _is_current(self, student: str, monday: dt.date) -> bool:
        raise NotImplementedError

    def _fetch(self, student: str, monday: dt.date) -> None:
        raise NotImplementedError

    def _show_offline(self) -> None:
        raise NotImplementedError

    def _can_sign(self) -> bool:
        """A parent signs their child's week; a student does not sign their own; a real
        diary read here takes no signature."""
        return (
            self.session.can(Can.SIGN_WEEK)
            and Role.PARENT in self.user.roles
            and self.child is not None
            and self.child.id != self.user.id
        )

    def _show_signature(self) -> None:
        label = self.query_one("#signature", Label)
        week = self.week
        changed = changed_since_signed(week) if week is not None else []
        if week is None:
            label.update("")
        elif not self.session.can(Can.SIGN_WEEK):  # a real diary: say whose diary this is
            label.update(Content(_("week.read_only", service=self.session.info.title)))
        elif week.signed_by is not None and changed and week.signed_at is not None:
            when = date_time(week.signed_at)
            label.update(Content(_("week.signed_changed", when=when, what=", ".join(changed))))
        elif week.signed_by is not None:
            when = f", {date_time(week.signed_at)}" if week.signed_at else ""
            who = short_name(week.signed_by.full_name)
            label.update(Content(_("week.signed", who=who, when=when)))
        elif self._can_sign() and not self.session.offline:
            opens = signable_from(week)
            if self.clock() < opens:
                label.update(Content(_("week.signable_from", when=date_time(opens))))
            else:
                label.update(Content(_("week.not_signed_parent")))
        else:
            label.update(Content(_("week.not_signed")))
        label.set_class(week is not None and week.signed_by is not None, "-signed")
        label.set_class(
            bool(changed) and week is not None and week.signed_by is not None, "-changed"
        )

    def _signed_text(self, week: Week) -> str:
        """Who signed the week and when, and what has changed in it since."""
        assert week.signed_by is not None
        when = date_time(week.signed_at) if week.signed_at else ""
        who = week.signed_by.full_name
        if changed := changed_since_signed(week):
            return _("sign.already_changed", who=who, when=when, what=", ".join(changed))
        return _("sign.already", who=who, when=when)

    def action_sign(self) -> None:
        week, child = self.week, self.child
        if week is None or child is None:
            return
        if week.signed_by is not None:  # say by whom and when, and whether it changed since
            self.notify(self._signed_text(week))
            return
        if self.clock() < (opens := signable_from(week)):
            self.notify(_("sign.not_yet", when=date_time(opens)), severity="warning")
            return
        question = _(
            "sign.question",
            week=week_range(week.start, week.end),
            child=short_name(child.full_name),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._sign(child.id, week.start)

        self.app.push_screen(ConfirmModal(question, _("sign.yes")), answered)

    @work(exclusive=True, group="sign")
    async def _sign(self, student: str, monday: dt.date) -> None:
        try:
            signature = await self.session.sign_week(student, monday)
        except ServerUnreachable:
            self._show_offline()
            self.notify(_("sign.offline"), severity="warning")
            return
        except ClientError as exc:
            if (message := session_message(exc)) is not None:
                self.post_message(message)
            else:
                self.notify(error_message(exc.code, exc.message), severity="error")
            return
        self.post_message(self.Signed((student, monday), signature))

    @dataclass
    class Signed(Message):
        """The parent's signature reached the server."""

        about: tuple[str, dt.date]
        signature: Signature

    @on(Signed)
    def _signed(self, event: Signed) -> None:
        event.stop()
        student, monday = event.about
        if self.loaded is not None and self._is_current(student, monday):
            signature = event.signature
            signed = self.loaded.value.model_copy(
                update={"signed_by": signature.signed_by, "signed_at": signature.signed_at}
            )
            self.loaded = dataclasses.replace(self.loaded, value=signed)
            self.week = signed
        self.notify(_("sign.done"))
        self._fetch(student, monday)  # the saved copy learns the signature too

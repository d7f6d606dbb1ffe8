"""The teacher's journal writes as typed commands: what the outbox keeps and the sender sends.

Each command knows the journal it writes into, the place it touches (a cell,
a student's period mark, a lesson), how it is sent through `DiaryClient`,
how it paints what the journal shows before the server answers, how the
server's answer joins the journal's copy, and what undoes it. The outbox
keeps a command as JSON beside its `kind` and reads it back with
`COMMANDS.validate_python`; the field names are those of the untyped payloads
the outbox held before, so entries written by an earlier version read (and
send) as they are.

The request a command sends is built from its fields alone, never from the
time it was sent, so a resend after a restart carries the same body with the
same idempotency key.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from ediary_tui.domain.models import (
    AttendanceCode,
    Homework,
    HomeworkIn,
    HomeworkPatch,
    LessonOut,
    LessonPatch,
    Mark,
    MarkIn,
    MarkPatch,
    PeriodMarkIn,
    PeriodMarkOut,
)

from .errors import Invalid, NotFound
from .journal_cells import (
    GONE,
    REFUSED,
    CellAttendance,
    CellDraft,
    CellMark,
    HomeworkItem,
    Laid,
    LessonDraft,
    Stamp,
)

if TYPE_CHECKING:
    from .api import DiaryClient

CellKey = tuple[str, str]  # (student id, lesson id)
Created = Callable[[int], str | None]  # the server id an acknowledged entry created
Result = dict[str, Any]  # the server's answer, as the outbox keeps it


class _Typed(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class MarkWas(_Typed):
    """A mark as it was typed or saved: what it takes to put it (back) in its cell."""

    value: int | None = None
    is_dot: bool = False
    due: dt.date | None = None
    control_form: str | None = None  # its code; None: the lesson's
    comment: str | None = None


class Version(_Typed):
    """The version a write replaces: the server's as the journal showed it (`at`; None: there
    was none), or, when an earlier entry of this session writes the same place first and is
    not sent yet, whatever that entry (`after`) leaves; the sender fills it in then."""

    at: dt.datetime | None = None
    after: int | None = None


class MarkFields(MarkWas):
    """A mark to create, with the cell it goes in."""

    student_id: str
    lesson_id: str

    def mark_in(self) -> MarkIn:
        return MarkIn.model_validate(self.model_dump(mode="json", exclude_none=True))


class _Write(_Typed):
    """A write into one journal (class and subject)."""

    class_id: str
    subject_id: str

    def in_journal(self, class_id: str, subject_id: str) -> bool:
        return self.class_id == class_id and self.subject_id == subject_id

    def touches(self) -> CellKey | str | None:
        """The cell (student, lesson) or the student's row (their id) it changes; None: a lesson."""
        return None

    def where(self) -> tuple[str, str | None] | None:
        """Where the journal's cursor goes to show it (a period mark: the student's row)."""
        return None

    def inverse(self, seq: int) -> JournalCommand | None:
        """The command that undoes this one (entry `seq`), or None if it is not undone."""
        return None

    async def send(self, client: DiaryClient, key: str, created: Created) -> Result:
        """Send it with the entry's idempotency key; the server's answer, as kept."""
        raise NotImplementedError

    def placed_in(self, state: Laid) -> bool:
        raise NotImplementedError

    def bucket(self, state: Laid) -> list[int]:
        """The list of entry numbers `state` keeps for the place this touches."""
        raise NotImplementedError

    def settle(self, state: Laid, seq: int, result: Result) -> None:
        """The server acknowledged it: its answer joins the journal's copy."""
        raise NotImplementedError


class _CellWrite(_Write):
    student_id: str
    lesson_id: str

    @property
    def cell(self) -> CellKey:
        return (self.student_id, self.lesson_id)

    def touches(self) -> CellKey:
        return self.cell

    def where(self) -> tuple[str, str | None]:
        return self.cell

    def placed_in(self, state: Laid) -> bool:
        return self.student_id in state.students and self.lesson_id in state.lessons

    def bucket(self, state: Laid) -> list[int]:
        return state.cell_entries[self.cell]

    def paint(self, draft: CellDraft, stamp: Stamp) -> None:
        """Lay this write over the cell as drafted so far."""
        raise NotImplementedError


class PutMark(_Write):
    """A mark or a dot, created with the entry's idempotency key."""

    kind: Literal["journal.mark"] = "journal.mark"
    mark: MarkFields

    @property
    def cell(self) -> CellKey:
        return (self.mark.student_id, self.mark.lesson_id)

    def touches(self) -> CellKey:
        return self.cell

    def where(self) -> tuple[str, str | None]:
        return self.cell

    def placed_in(self, state: Laid) -> bool:
        return self.mark.student_id in state.students and self.mark.lesson_id in state.lessons

    def bucket(self, state: Laid) -> list[int]:
        return state.cell_entries[self.cell]

    def inverse(self, seq: int) -> DeleteMark:
        return DeleteMark(
            class_id=self.class_id,
            subject_id=self.subject_id,
            student_id=self.mark.student_id,
            lesson_id=self.mark.lesson_id,
            mark=MarkWas.model_validate(self.mark.model_dump()),
            create_seq=seq,
        )

    async def send(self, client: DiaryClient, key: str, created: Created) -> Result:
        mark = await client.create_mark(self.mark.mark_in(), idempotency_key=key)
        return mark.model_dump(mode="json")

    def settle(self, state: Laid, seq: int, result: Result) -> None:
        mark = Mark.model_validate(result)
        state.remember_created(seq, mark.id)
        state.add_saved_mark(mark)

    def paint(self, draft: CellDraft, stamp: Stamp) -> None:
        m = self.mark
        form = draft.form(m.control_form)
        if form is None:
            return
        draft.marks.append(
            CellMark(
                ref=f"e:{stamp.seq}",
                value=m.value,
                is_dot=m.is_dot,
                due=m.due,
                control_form=form,
                comment=m.comment,
                state=stamp.state,
                reason=stamp.reason,
                entry_id=stamp.seq,
            )
        )


class DeleteMark(_CellWrite):
    """Delete a mark known by its id, or the one the entry `create_seq` creates.

    `mark` keeps what the mark was, so that undoing the deletion can put it back.
    """

    kind: Literal["journal.delete_mark"] = "journal.delete_mark"
    mark_id: str | None = None
    create_seq: int | None = None
    mark: MarkWas = MarkWas()

    def inverse(self, seq: int) -> PutMark:
        fields = MarkFields(
            student_id=self.student_id, lesson_id=self.lesson_id, **self.mark.model_dump()
        )
        # As the mark is created: what the server would take, no more.
        again = MarkFields.model_validate(fields.mark_in().model_dump(mode="json"))
        return PutMark(class_id=self.class_id, subject_id=self.subject_id, mark=again)

    async def send(self, client: DiaryClient, key: str, created: Created) -> Result:
        mark_id = self.mark_id
        if mark_id is None and self.create_seq is not None:
            mark_id = created(self.create_seq)
        if mark_id is not None:
            # Gone already is done: a resend after an answer that was lost.
            with contextlib.suppress(NotFound):
                await client.delete_mark(mark_id)
        return {"mark_id": mark_id}  # None: the mark was never created

    def settle(self, state: Laid, seq: int, result: Result) -> None:
        state.remove_saved_mark(self.cell, result.get("mark_id"))

    def paint(self, draft: CellDraft, stamp: Stamp) -> None:
        target = draft.mark_ref(self.mark_id, self.create_seq)
        if stamp.pending:
            draft.marks = [m for m in draft.marks if m.ref != target]
            return
        draft.marks = [
            replace(m, state=REFUSED, reason=stamp.reason, entry_id=stamp.seq)
            if m.ref == target
            else m
            for m in draft.marks
        ]


class PatchMark(_CellWrite):
    """Change a mark known by its id, or the one the entry `create_seq` creates: its control
    form, its comment, or its value (a value fills a dot). `patch` holds only the fields that
    change, as `MarkPatch` takes them; `previous` is what undo puts back."""

    kind: Literal["journal.patch_mark"] = "journal.patch_mark"
    mark_id: str | None = None
    create_seq: int | None = None
    patch: dict[str, Any]
    previous: MarkWas = MarkWas()
    expected_updated_at: dt.datetime | None = None  # the saved mark's version, when it replaces

    def mark_patch(self) -> MarkPatch:
        patch = MarkPatch.model_validate(self.patch)
        if self.expected_updated_at is not None:
            patch.expected_updated_at = self.expected_updated_at
        return patch

    def inverse(self, seq: int) -> PatchMark:
        was = self.previous.model_dump(mode="json")
        back = {k: was[k] for k in self.patch}
        if "value" in self.patch and self.previous.is_dot:  # a filled dot becomes a dot again
            back = {**back, "value": None, "is_dot": True, "due": was["due"]}
        undone = MarkWas.model_validate({**was, **{k: v for k, v in self.patch.items()}})
        return self.model_copy(
            update={"patch": back, "previous": undone, "expected_updated_at": None}
        )

    async def send(self, client: DiaryClient, key: str, created: Created) -> Result:
        mark_id = self.mark_id
        if mark_id is None and self.create_seq is not None:
            mark_id = created(self.create_seq)
            if mark_id is None:  # what it changes was never created
                raise Invalid("the mark this changes was not saved", code="mark_not_saved")
        if mark_id is None:
            raise Invalid("no mark named", code="mark_not_saved")
        mark = await client.update_mark(mark_id, self.mark_patch())
        return mark.model_dump(mode="json")

    def settle(self, state: Laid, seq: int, result: Result) -> None:
        state.add_saved_mark(Mark.model_validate(result))

    def paint(self, draft: CellDraft, stamp: Stamp) -> None:
        target = draft.mark_ref(self.mark_id, self.create_seq)
        if not stamp.pending:  # refused: the mark stays as it was, the cell says "!"
            return
        typed = MarkPatch.model_validate(self.patch)  # dates as dates, also read from disk
        p = {k: getattr(typed, k) for k in typed.model_fields_set}
        changed: list[CellMark] = []
        for m in draft.marks:
            if m.ref != target:
                changed.append(m)
                continue
            form = draft.form(p["control_form"]) if "control_form" in p else m.control_form
            value = p.get("value", m.value)
            is_dot = p.get("is_dot", m.is_dot if "value" not in p or value is None else False)
            changed.append(
                replace(
                    m,
                    value=value,
                    is_dot=is_dot,
                    due=p.get("due", m.due) if is_dot else None,
                    control_form=form or m.control_form,
                    comment=p.get("comment", m.comment) or None,
                    state=stamp.state,
                    entry_id=stamp.seq,
                )
            )
        draft.marks = changed


class SetAttendance(_CellWrite):
    """An attendance code (None: present); `previous` is what undo puts back."""

    kind: Literal["journal.attendance"] = "journal.attendance"
    code: AttendanceCode | None = None
    previous: AttendanceCode | None = None

    def inverse(self, seq: int) -> SetAttendance:
        return self.model_copy(update={"code": self.previous, "previous": self.code})

    async def send(self, client: DiaryClient, key: str, created: Created) -> Result:
        answer = await client.set_attendance(self.lesson_id, self.student_id, self.code)
        return answer.model_dump(mode="json")

    def settle(self, state: Laid, seq: int, result: Result) -> None:
        code = result.get("code")
        state.set_saved_attendance(self.cell, AttendanceCode(code) if code else None)

    def paint(self, draft: CellDraft, stamp: Stamp) -> None:
        if stamp.pending:
            draft.attendance = CellAttendance(self.code, state=stamp.state, entry_id=stamp.seq)
        else:
            draft.attendance = CellAttendance(
                self.code, state=REFUSED, reason=stamp.reason, entry_id=stamp.seq
            )


class SetPeriodMark(_Write):
    """A student's period mark (None clears it); `previous` is what undo puts back.

    `version` is the mark it replaces: the server refuses the write (409) when another
    session set the mark since. None (an entry of an earlier version): not checked.
    """

    kind: Literal["journal.period_mark"] = "journal.period_mark"
    student_id: str
    period_id: str
    value: int | None = None
    previous: int | None = None
    version: Version | None = None

    VERSION_FIELD: ClassVar[str] = "set_at"  # where the server's answer gives the new version
    CONFLICT: ClassVar[str] = "period_mark_changed"

    def touches(self) -> str:
        return self.student_id

    def where(self) -> tuple[str, str | None]:
        return (self.student_id, None)

    def placed_in(self, state: Laid) -> bool:
        return self.period_id == state.journal.period.id and self.student_id in state.students

    def bucket(self, state: Laid) -> list[int]:
        return state.student_entries[self.student_id]

    def inverse(self, seq: int) -> SetPeriodMark:
        after = Version(after=seq) if self.version is not None else None
        return self.model_copy(
            update={"value": self.previous, "previous": self.value, "version": after}
        )

    async def send(self, client: DiaryClient, key: str, created: Created) -> Result:
        pm = PeriodMarkIn(
            student_id=self.student_id,
            subject_id=self.subject_id,
            period_id=self.period_id,
            value=self.value,
        )
        if self.version is not None:  # sent even when None: "no mark" is a version too
            pm.expected_set_at = self.version.at
        return (await client.set_period_mark(pm)).model_dump(mode="json")

    def settle(self, state: Laid, seq: int, result: Result) -> None:
        state.set_saved_period_mark(self.student_id, result.get("value"))
        student = state.students.get(self.student_id)
        if student is not None and "set_at" in result:  # the new version, and whose it is
            answer = PeriodMarkOut.model_validate(result)
            state.students[self.student_id] = student.model_copy(
                update={
                    "period_mark": answer.value,
                    "period_mark_set_at": answer.set_at,
                    "period_mark_set_by": answer.set_by,
                }
            )


class _LessonWrite(_Write):
    lesson_id: str

    def placed_in(self, state: Laid) -> bool:
        return self.lesson_id in state.lessons

    def bucket(self, state: Laid) -> list[int]:
        return state.lesson_entries[self.lesson_id]

    def paint(self, draft: LessonDraft, stamp: Stamp) -> None:
        raise NotImplementedError


class SetTopic(_LessonWrite):
    """The lesson's topic ("" clears it); `previous` is what undo puts back.

    `version` is the lesson's version it replaces: the server refuses the edit (409) when
    another session edited the lesson since. None (an entry of an earlier version): not checked.
    """

    kind: Literal["journal.topic"] = "journal.topic"
    topic: str
    previous: str | None = None
    version: Version | None = None

    VERSION_FIELD: ClassVar[str] = "updated_at"
    CONFLICT: ClassVar[str] = "lesson_changed"

    async def send(self, client: DiaryClient, key: str, created: Created) -> Result:
        patch = LessonPatch(topic=self.topic)
        if self.version is not None:  # sent even when None: "never edited" is a version too
            patch.expected_updated_at = self.version.at
        lesson = await client.update_lesson(self.lesson_id, patch)
        version = lesson.updated_at.isoformat() if lesson.updated_at else None
        return {"lesson_id": lesson.id, "topic": lesson.topic, "updated_at": version}

    def settle(self, state: Laid, seq: int, result: Result) -> None:
        lesson = state.lessons[self.lesson_id]
        update: dict[str, Any] = {"topic": result.get("topic")}
        if "updated_at" in result:
            update["updated_at"] = Version(at=result["updated_at"]).at
        state.lessons[lesson.id] = lesson.model_copy(update=update)

    def paint(self, draft: LessonDraft, stamp: Stamp) -> None:
        if stamp.pending:
            draft.topic, draft.topic_state = self.topic or None, stamp.state
        else:
            draft.topic_state, draft.refused_topic = REFUSED, self.topic


class SetLessonForm(_LessonWrite):
    """The lesson's control form (the default of the marks given in it), by code; `previous`
    is what undo puts back; `expected_updated_at` the lesson's version as the journal had it."""

    kind: Literal["journal.lesson_form"] = "journal.lesson_form"
    control_form: str
    previous: str | None = None
    versioned: bool = False  # whether to send the version below (None: never edited)
    expected_updated_at: dt.datetime | None = None

    def inverse(self, seq: int) -> SetLessonForm | None:
        if self.previous is None:
            return None
        return self.model_copy(
            update={
                "control_form": self.previous,
                "previous": self.control_form,
                "versioned": False,
                "expected_updated_at": None,
            }
        )

    async def send(self, client: DiaryClient, key: str, created: Created) -> Result:
        patch = LessonPatch(control_form=self.control_form)
        if self.versioned:  # set even when None: "never edited" is a version too
            patch.expected_updated_at = self.expected_updated_at
        lesson = await client.update_lesson(self.lesson_id, patch)
        return lesson.model_dump(mode="json")

    def settle(self, state: Laid, seq: int, result: Result) -> None:
        lesson = state.lessons[self.lesson_id]
        answer = LessonOut.model_validate(result)
        update: dict[str, Any] = {"control_form": answer.control_form}
        if "updated_at" in result:  # the lesson's new version, for the next edit to name
            update["updated_at"] = answer.updated_at
        state.lessons[lesson.id] = lesson.model_copy(update=update)

    def paint(self, draft: LessonDraft, stamp: Stamp) -> None:
        if stamp.pending:
            draft.control_form, draft.form_state = self.control_form, stamp.state
        else:
            draft.form_state = REFUSED


class SetHomework(_LessonWrite):
    """New homework (no id), a revision of one (its id, or the entry creating it), or its
    removal (`text` None). New homework is created with the entry's idempotency key.
    `due` is the date chosen (None: the next lesson); a revision sends it too."""

    kind: Literal["journal.homework"] = "journal.homework"
    homework_id: str | None = None
    create_seq: int | None = None
    text: str | None = None
    required: bool = True
    due: dt.date | None = None

    async def send(self, client: DiaryClient, key: str, created: Created) -> Result:
        homework_id = self.homework_id
        if homework_id is None and self.create_seq is not None:
            homework_id = created(self.create_seq)
            if homework_id is None:  # what it revises was never created: nothing to revise
                raise Invalid("the homework this revises was not saved", code="homework_not_saved")
        if self.text is None:
            if homework_id is not None:
                with contextlib.suppress(NotFound):  # gone already is done
                    await client.delete_homework(homework_id)
            return {"deleted": homework_id}
        if homework_id is None:
            hw = await client.add_homework(
                self.lesson_id,
                HomeworkIn(text=self.text, required=self.required, due=self.due),
                idempotency_key=key,
            )
        else:
            patch = HomeworkPatch(text=self.text, required=self.required, due=self.due)
            hw = await client.update_homework(homework_id, patch)
        return hw.model_dump(mode="json")

    def settle(self, state: Laid, seq: int, result: Result) -> None:
        lesson = state.lessons[self.lesson_id]
        if "deleted" in result:
            kept = [h for h in lesson.homework if h.id != result["deleted"]]
        else:
            hw = Homework.model_validate(result)
            state.remember_created(seq, hw.id)
            kept = [h for h in lesson.homework if h.id != hw.id] + [hw]
            kept.sort(key=lambda h: h.created_at)
        state.lessons[lesson.id] = lesson.model_copy(update={"homework": kept})

    def paint(self, draft: LessonDraft, stamp: Stamp) -> None:
        target = draft.homework_ref(self.homework_id, self.create_seq)
        if target is None:  # new homework
            draft.items.append(
                HomeworkItem(
                    f"e:{stamp.seq}",
                    self.text or "",
                    self.required,
                    self.due,
                    state=stamp.state,
                    reason=stamp.reason,
                    entry_id=stamp.seq,
                )
            )
        elif stamp.pending and self.text is None:
            draft.items = [h for h in draft.items if h.ref != target]
        elif stamp.pending:
            draft.items = [
                replace(
                    h,
                    text=self.text,
                    required=self.required,
                    due=self.due or h.due,
                    state=stamp.state,
                    entry_id=stamp.seq,
                )
                if h.ref == target
                else h
                for h in draft.items
            ]
        elif self.text is not None and not any(h.ref == target for h in draft.items):
            # Refused because the homework is gone (removed elsewhere): what was typed
            # comes back as new homework, to be saved again or let go.
            draft.items.append(
                HomeworkItem(
                    f"{GONE}:{stamp.seq}",
                    self.text,
                    self.required,
                    state=REFUSED,
                    reason=stamp.reason,
                    entry_id=stamp.seq,
                )
            )
        else:  # refused: what was typed is kept, to be typed in again
            draft.items = [
                replace(
                    h,
                    text=self.text or h.text,
                    required=self.required,
                    state=REFUSED,
                    reason=stamp.reason,
                    entry_id=stamp.seq,
                )
                if h.ref == target
                else h
                for h in draft.items
            ]


VERSIONED = (SetPeriodMark, SetTopic)  # the writes that carry the version they replace

JournalCommand = Annotated[
    PutMark
    | DeleteMark
    | PatchMark
    | SetAttendance
    | SetPeriodMark
    | SetTopic
    | SetLessonForm
    | SetHomework,
    Field(discriminator="kind"),
]
COMMANDS: TypeAdapter[JournalCommand] = TypeAdapter(JournalCommand)

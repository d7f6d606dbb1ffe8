"""What the diary says of a lesson: its homework, its comments, its absence, in words.

Shared by the week view (which draws them) and the screens that describe the
lesson under the cursor or remember which marks were seen.
"""

from __future__ import annotations

from ediary_tui.domain.attendance import JOURNAL_LETTERS
from ediary_tui.domain.models import AttendanceCode, ChangeKind, Mark, WeekLesson
from ediary_tui.i18n import _, short_date


def mark_key(mark: Mark) -> str:
    """What "seen" remembers of a mark: a changed mark counts as new again."""
    return f"{mark.id}@{mark.updated_at.isoformat()}"


def absence_key(lesson: WeekLesson) -> str | None:
    """What "seen" remembers of an absence (absences have no id of their own)."""
    if lesson.attendance is None:
        return None
    return f"attendance:{lesson.id}:{lesson.attendance.value}"


def attendance_name(code: AttendanceCode) -> str:
    return _(f"attendance.{code.value}")


def homework_text(lesson: WeekLesson) -> str:
    """All the homework of a lesson on one line; done ones ticked, optional ones said so."""
    parts = []
    for hw in lesson.homework:
        text = " ".join(hw.text.split())
        if not hw.required:
            text = _("lesson.optional", text=text)
        parts.append(f"✓ {text}" if hw.done else text)
    return "; ".join(parts)


def comments_text(lesson: WeekLesson) -> str:
    return "; ".join(" ".join(m.comment.split()) for m in lesson.marks if m.comment)


def describe_lesson(lesson: WeekLesson) -> list[str]:
    """What the lesson line has no room for, for the details line."""
    when = f"{lesson.starts_at:%H:%M}–{lesson.ends_at:%H:%M}"
    parts = [
        _("lesson.number", number=lesson.number, time=when),
        lesson.subject.name,
        lesson.teacher.full_name,
    ]
    if change := change_text(lesson):
        parts.append(change)
    if lesson.room:
        parts.append(_("lesson.room", room=lesson.room))
    if lesson.topic:
        parts.append(_("lesson.topic", topic=lesson.topic))
    if lesson.attendance is not None:
        letter = JOURNAL_LETTERS[lesson.attendance]
        parts.append(f"{letter} — {attendance_name(lesson.attendance)}")
    if lesson.homework:  # the view shows it; Enter unfolds all of it there
        optional = any(not hw.required for hw in lesson.homework)
        parts.append(_("lesson.homework_hint_optional" if optional else "lesson.homework_hint"))
    return parts


def initials(full_name: str) -> str:
    """'Сидорова Анна Павловна' -> 'Сидорова А. П.': a teacher on a short line."""
    surname, *given = full_name.split() or [""]
    return " ".join([surname, *(f"{name[0]}." for name in given if name)])


def change_text(lesson: WeekLesson) -> str:
    """A one-day change in words: who stands in, cancelled, moved from where, or extra."""
    change = lesson.change
    if change is None:
        return ""
    if change.kind is ChangeKind.REPLACED:
        teacher = initials(lesson.teacher.full_name)
        if change.usual_teacher is not None:
            usual = initials(change.usual_teacher.full_name)
            text = _("lesson.change.replaced_for", teacher=teacher, usual=usual)
        else:
            text = _("lesson.change.replaced", teacher=teacher)
    elif change.kind is ChangeKind.CANCELLED and change.moved_to_date is not None:
        text = _(
            "lesson.change.moved_to",
            date=short_date(change.moved_to_date),
            number=change.moved_to_number,
        )
    elif change.kind is ChangeKind.MOVED and change.moved_from_date is not None:
        text = _(
            "lesson.change.moved",
            date=short_date(change.moved_from_date),
            number=change.moved_from_number,
        )
    else:
        text = _(f"lesson.change.{change.kind.value}")
    return _("lesson.change.note", text=text, note=change.note) if change.note else text

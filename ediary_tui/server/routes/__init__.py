"""One router per resource; `app.create_app` mounts them all under /api/v1."""

from fastapi import APIRouter

from . import (
    announcements,
    auth,
    changes,
    classes,
    homework,
    journal,
    lessons,
    marks,
    messages,
    notices,
    period_marks,
    progress,
    report_card,
    week,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    changes.router,
    week.router,
    report_card.router,
    homework.router,
    notices.router,
    announcements.router,
    messages.router,
    progress.router,
    journal.router,
    classes.router,
    marks.router,
    lessons.router,
    period_marks.router,
]
